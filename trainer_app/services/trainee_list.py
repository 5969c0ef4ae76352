"""The trainee list as a screen needs it, fast at 100,000 rows.

SQLite gives the display order (an index scan of rowids); the search keys are held in memory as
one UTF-8 blob in that same order, so a typed fragment is found with ``bytes.find`` (C speed)
instead of a table scan, and only the visible page of rows is ever read in full.
"""

from __future__ import annotations

import bisect
import itertools

from trainer_app.domain.search import normalize_query
from trainer_app.store import Store
from trainer_app.store import trainees as q

SORT_FIELDS = tuple(q.SORT_KEYS)


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

    def invalidate(self) -> None:
        """Forget everything cached; call after any trainee was added, changed or removed."""
        self._order = None
        self._keys = None
        self._blob_order = None
        self._count: int | None = None

    def set_sort(self, sort: str, descending: bool = False) -> None:
        if sort not in q.SORT_KEYS:
            raise ValueError(sort)
        if (sort, descending) != (self.sort, self.descending):
            self.sort, self.descending = sort, descending
            self._order = None

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
        needle = normalize_query(text).encode()
        order = self.order()
        if not needle:
            return order
        self._ensure_blob()
        blob, starts, found = self._blob, self._starts, []
        pos = blob.find(needle)
        while pos != -1:
            line = bisect.bisect_right(starts, pos) - 1
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
        keys = [self._keys.get(r, b"") for r in order]
        self._blob = b"\n".join(keys) + b"\n"
        self._starts = list(itertools.accumulate((len(k) + 1 for k in keys), initial=0))
        self._blob_order = order


def total(store: Store) -> int:
    """How many live trainees the station has."""
    return q.count(store)
