"""Writing synced rows: every insert, update and tombstone stamps origin, rev and updated_at."""

from __future__ import annotations

from trainer_app.domain.ids import uuid7
from trainer_app.store.db import Store


def insert(store: Store, table: str, values: dict) -> str:
    """Insert a new row owned by this site; returns its id. Call inside a transaction."""
    row = {**values, "id": values.get("id") or uuid7(), "deleted": 0, **store.stamp()}
    store.db[table].insert(row)
    return row["id"]


def insert_many(store: Store, table: str, rows: list[dict], batch_size: int = 2000) -> None:
    """Insert many new rows owned by this site in one go (demo data, imports)."""
    stamp = store.stamp()
    store.db[table].insert_all(
        ({**r, "id": r.get("id") or uuid7(), "deleted": 0, **stamp} for r in rows),
        batch_size=batch_size,
    )


def update(store: Store, table: str, row_id: str, values: dict) -> None:
    """Change fields of a live row; raises KeyError when there is none."""
    if not exists(store, table, row_id):
        raise KeyError(row_id)
    store.db[table].update(row_id, {**values, **store.stamp()})


def tombstone(store: Store, table: str, row_id: str) -> None:
    """Mark a row deleted; it stays so that the deletion can reach other sites."""
    if not exists(store, table, row_id):
        raise KeyError(row_id)
    store.db[table].update(row_id, {"deleted": 1, **store.stamp()})


def get(store: Store, table: str, row_id: str) -> dict | None:
    return store.row(f"SELECT * FROM {table} WHERE id = ? AND deleted = 0", [row_id])


def exists(store: Store, table: str, row_id: str) -> bool:
    return bool(store.scalar(f"SELECT 1 FROM {table} WHERE id = ? AND deleted = 0", [row_id]))
