"""Read-only queries the class screens need besides :mod:`trainer_app.store.classes`."""

from __future__ import annotations

from trainer_app.store.db import Store


def lesson_mark_counts(store: Store, class_id: str) -> dict[str, int]:
    """Lesson id -> how many currently enrolled trainees have a mark for it."""
    rows = store.rows(
        """SELECT a.lesson_id, count(*) AS marked
             FROM lesson l
             JOIN attendance a ON a.lesson_id = l.id AND a.deleted = 0
             JOIN enrollment e ON e.class_id = l.class_id AND e.trainee_id = a.trainee_id
                              AND e.deleted = 0
             JOIN trainee t ON t.id = a.trainee_id AND t.deleted = 0
            WHERE l.class_id = ? AND l.deleted = 0
            GROUP BY a.lesson_id""",
        [class_id],
    )
    return {r["lesson_id"]: r["marked"] for r in rows}
