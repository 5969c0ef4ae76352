"""Course queries."""

from __future__ import annotations

import json

from trainer_app.store.db import Store

COLUMNS = ("id, code, title, category, description, hours, min_share, origin, updated_at, "
           "retired_on")


def list_all(store: Store, include_retired: bool = True) -> list[dict]:
    """Live courses by code; without ``include_retired``, only those still offered."""
    offered = "" if include_retired else " AND retired_on IS NULL"
    return store.rows(f"SELECT {COLUMNS} FROM course WHERE deleted = 0{offered} ORDER BY code")


def by_id(store: Store, course_id: str) -> dict | None:
    return store.row(f"SELECT {COLUMNS} FROM course WHERE id = ? AND deleted = 0", [course_id])


def by_code(store: Store, code: str, exclude_id: str = "") -> dict | None:
    return store.row(
        f"SELECT {COLUMNS} FROM course WHERE code = ? AND deleted = 0 AND id != ?",
        [code, exclude_id],
    )


def retired_of(store: Store, origin: str) -> dict[str, str]:
    """Course id -> the day it was retired, of the live retired courses ``origin`` owns."""
    return dict(store.conn.execute(
        "SELECT id, retired_on FROM course WHERE origin = ? AND deleted = 0 "
        "AND retired_on IS NOT NULL", [origin]))


def set_retired_of(store: Store, origin: str, retired: dict[str, str]) -> int:
    """Make the retired days of the courses ``origin`` owns those of ``retired`` (id -> day;
    a course not named is offered). Returns the courses changed. Call inside a transaction."""
    day = "(SELECT j.value FROM json_each(?1) j WHERE j.key = course.id)"
    cur = store.conn.execute(
        f"UPDATE course SET retired_on = {day} WHERE origin = ?2 AND retired_on IS NOT {day}",
        [json.dumps(retired), origin])
    return cur.rowcount


def own_retired_ids(store: Store) -> list[str]:
    """This site's own retired courses (live)."""
    return [r[0] for r in store.conn.execute(
        "SELECT id FROM course WHERE origin = ? AND deleted = 0 AND retired_on IS NOT NULL",
        [store.site_id])]
