"""Course queries."""

from __future__ import annotations

from trainer_app.store.db import Store

COLUMNS = "id, code, title, category, description, hours, min_share, origin, updated_at"


def list_all(store: Store) -> list[dict]:
    return store.rows(f"SELECT {COLUMNS} FROM course WHERE deleted = 0 ORDER BY code")


def by_id(store: Store, course_id: str) -> dict | None:
    return store.row(f"SELECT {COLUMNS} FROM course WHERE id = ? AND deleted = 0", [course_id])


def by_code(store: Store, code: str, exclude_id: str = "") -> dict | None:
    return store.row(
        f"SELECT {COLUMNS} FROM course WHERE code = ? AND deleted = 0 AND id != ?",
        [code, exclude_id],
    )
