"""Queries behind the attendance screen that the attendance service does not already offer."""

from __future__ import annotations

from trainer_app.store.db import Store


def sheet_search_keys(store: Store, lesson_id: str) -> dict[str, str]:
    """Search key (name, pinyin, initials, code, village…) of each trainee on a lesson's sheet."""
    rows = store.conn.execute(
        """SELECT t.id, t.search_key
             FROM lesson l
             JOIN enrollment e ON e.class_id = l.class_id AND e.deleted = 0
             JOIN trainee t ON t.id = e.trainee_id AND t.deleted = 0
            WHERE l.id = ?""",
        [lesson_id],
    )
    return {trainee_id: key or "" for trainee_id, key in rows}
