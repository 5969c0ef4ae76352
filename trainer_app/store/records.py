"""Writing synced rows: every insert, update and tombstone stamps origin, rev and updated_at.

A row is changed only at the site that owns it (its ``origin``): :func:`update`,
:func:`restore` and :func:`tombstone` refuse another site's row with :class:`NotOwnedError`,
so no site can take over a row by re-stamping it.
"""

from __future__ import annotations

from trainer_app.store.db import Store


class NotOwnedError(Exception):
    """A change to a row another site owns; ``origin`` is the owner's site id."""

    def __init__(self, table: str, row_id: str, origin: str) -> None:
        super().__init__(f"{table} {row_id} belongs to site {origin}")
        self.table = table
        self.row_id = row_id
        self.origin = origin


def insert(store: Store, table: str, values: dict) -> str:
    """Insert a new row owned by this site; returns its id. Call inside a transaction."""
    from trainer_app.domain.ids import uuid7  # (and threading): not needed to show the list

    row = {**values, "id": values.get("id") or uuid7(), "deleted": 0, **store.stamp()}
    store.db[table].insert(row)
    return row["id"]


def insert_many(store: Store, table: str, rows: list[dict], batch_size: int = 2000) -> None:
    """Insert many new rows owned by this site in one go (demo data, imports)."""
    from trainer_app.domain.ids import uuid7

    stamp = store.stamp()
    store.db[table].insert_all(
        ({**r, "id": r.get("id") or uuid7(), "deleted": 0, **stamp} for r in rows),
        batch_size=batch_size,
    )


def _require_own(store: Store, table: str, row_id: str, live: bool = True) -> None:
    """Raise KeyError when there is no such row (no live one with ``live``), and
    :class:`NotOwnedError` when another site owns it."""
    found = store.row(
        f"SELECT origin FROM {table} WHERE id = ?" + (" AND deleted = 0" if live else ""),
        [row_id],
    )
    if found is None:
        raise KeyError(row_id)
    if found["origin"] != store.site_id:
        raise NotOwnedError(table, row_id, found["origin"])


def update(store: Store, table: str, row_id: str, values: dict) -> None:
    """Change fields of a live row of this site; raises KeyError when there is none, and
    :class:`NotOwnedError` when the row is another site's."""
    _require_own(store, table, row_id)
    store.db[table].update(row_id, {**values, **store.stamp()})


def restore(store: Store, table: str, row_id: str, values: dict) -> None:
    """Change fields of a row of this site, live or tombstoned, and make it live again."""
    _require_own(store, table, row_id, live=False)
    store.db[table].update(row_id, {**values, "deleted": 0, **store.stamp()})


def tombstone(store: Store, table: str, row_id: str) -> None:
    """Mark a row of this site deleted; it stays so that the deletion can reach other sites."""
    _require_own(store, table, row_id)
    store.db[table].update(row_id, {"deleted": 1, **store.stamp()})


def get(store: Store, table: str, row_id: str) -> dict | None:
    return store.row(f"SELECT * FROM {table} WHERE id = ? AND deleted = 0", [row_id])


def exists(store: Store, table: str, row_id: str) -> bool:
    return bool(store.scalar(f"SELECT 1 FROM {table} WHERE id = ? AND deleted = 0", [row_id]))
