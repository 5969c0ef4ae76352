"""The trainee list as a screen needs it, fast at 100,000 rows.

SQLite gives the display order (an index scan of rowids); the search keys are held in memory as
one UTF-8 blob in that same order, so a typed fragment is found with ``bytes.find`` (C speed)
instead of a table scan, and only the visible page of rows is ever read in full.
"""

from __future__ import annotations

from typing import NamedTuple

from trainer_app.store import Store
from trainer_app.store import trainees as q

SORT_FIELDS = tuple(q.SORT_KEYS)


# A NamedTuple, not a dataclass: this module is read before the window's first paint, where
# building a dataclass costs ~0.5 ms and importing ``dataclasses`` ~1.4 ms (README, Figures).
class Index(NamedTuple):
    """The display order and the search blob, built anywhere (a worker with its own
    connection) and handed to the list that asked for it."""

    sort: str
    descending: bool
    generation: int
    order: list[int]
    blob: bytes
    starts: list[int]


def _blob(keys: dict[int, bytes], order: list[int]) -> tuple[bytes, list[int]]:
    from itertools import accumulate  # the search's modules: not needed to show the list

    lines = [keys.get(r, b"") for r in order]
    return b"\n".join(lines) + b"\n", list(accumulate((len(k) + 1 for k in lines), initial=0))


class TraineeList:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.sort = "name"
        self.descending = False
        self._order: list[int] | None = None
        self._keys: dict[int, bytes] | None = None
        self._blob = b""
        self._starts: list[int] = []
        self._blob_order: list[int] | None = None
        self._count: int | None = None
        self._generation = 0  # changes whenever what an index was built from changes

    def invalidate(self) -> None:
        """Forget everything cached; call after any trainee was added, changed or removed."""
        self._order = None
        self._keys = None
        self._blob_order = None
        self._count: int | None = None
        self._generation += 1

    def index_request(self) -> tuple[str, bool, int]:
        """What :func:`build_index` needs to build this list's index elsewhere."""
        return self.sort, self.descending, self._generation

    def install(self, index: Index) -> bool:
        """Take an index built elsewhere, unless the list changed meanwhile; True if taken."""
        if (index.sort, index.descending, index.generation) != self.index_request():
            return False
        if self._blob_order is None:
            self._order = index.order
            self._blob, self._starts = index.blob, index.starts
            self._blob_order = index.order
        return True

    def set_sort(self, sort: str, descending: bool = False) -> None:
        if sort not in q.SORT_KEYS:
            raise ValueError(sort)
        if (sort, descending) != (self.sort, self.descending):
            self.sort, self.descending = sort, descending
            self._order = None
            self._generation += 1

    def head(self, n: int) -> list[int]:
        """The first ``n`` rowids in display order, without reading the whole order (what a
        window shows first)."""
        if self._order is not None:
            return self._order[:n]
        return q.list_rowids(self._store, "", self.sort, self.descending, limit=n)

    def count(self) -> int:
        """How many live trainees there are (remembered until :meth:`invalidate`)."""
        if self._order is not None:
            return len(self._order)
        if self._count is None:
            self._count = q.count(self._store)
        return self._count

    def order(self) -> list[int]:
        """Rowids of every live trainee in display order."""
        if self._order is None:
            self._order = q.list_rowids(self._store, "", self.sort, self.descending)
        return self._order

    def find(self, text: str) -> list[int]:
        """Rowids matching ``text`` (any part of name, pinyin, initials, code, ID, phone,
        village), in display order."""
        from bisect import bisect_right  # the search's modules: not needed to show the list

        from trainer_app.domain.search import normalize_query

        needle = normalize_query(text).encode()
        order = self.order()
        if not needle:
            return order
        self._ensure_blob()
        blob, starts, found = self._blob, self._starts, []
        pos = blob.find(needle)
        while pos != -1:
            line = bisect_right(starts, pos) - 1
            found.append(order[line])
            pos = blob.find(needle, starts[line + 1])
        return found

    def rowid(self, trainee_id: str) -> int | None:
        return q.rowid_of(self._store, trainee_id)

    def rows(self, rowids: list[int]) -> dict[int, dict]:
        return q.rows_by_rowid(self._store, rowids)

    def _ensure_blob(self) -> None:
        order = self.order()
        if self._blob_order is order:
            return
        if self._keys is None:
            self._keys = {r: k.encode() for r, k in q.search_keys(self._store).items()}
        self._blob, self._starts = _blob(self._keys, order)
        self._blob_order = order


def build_index(store: Store, request: tuple[str, bool, int]) -> Index:
    """The order and search blob a :class:`TraineeList` asked for (``index_request``), read on
    ``store``: a worker's own connection, so the first keystroke need not build it."""
    sort, descending, generation = request
    order = q.list_rowids(store, "", sort, descending)
    keys = {r: k.encode() for r, k in q.search_keys(store).items()}
    blob, starts = _blob(keys, order)
    return Index(sort, descending, generation, order, blob, starts)


def total(store: Store) -> int:
    """How many live trainees the station has."""
    return q.count(store)
