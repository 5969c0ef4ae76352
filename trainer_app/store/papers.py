"""Queries the printed papers need beyond the class and attendance ones."""

from __future__ import annotations

from collections.abc import Sequence

from trainer_app.store.db import Store

CHUNK = 500  # SQLite's host parameter limit is 999 on old builds


def lesson_details(store: Store, lesson_id: str) -> dict | None:
    """A live lesson with what a sign-in sheet prints of its class and course."""
    return store.row(
        """SELECT l.id, l.class_id, l.date, l.start_time, l.hours, l.topic, l.cancelled,
                  c.title AS class_title, c.trainer, c.place, c.start_date, c.end_date,
                  c.status, co.code AS course_code, co.title AS course_title
             FROM lesson l
             JOIN training_class c ON c.id = l.class_id AND c.deleted = 0
             JOIN course co ON co.id = c.course_id
            WHERE l.id = ? AND l.deleted = 0""",
        [lesson_id],
    )


def trainees_by_ids(store: Store, trainee_ids: Sequence[str]) -> list[dict]:
    """Live trainees among ``trainee_ids``, in the order given (unknown ids are left out)."""
    found: dict[str, dict] = {}
    ids = list(dict.fromkeys(trainee_ids))
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        marks = ",".join("?" * len(part))
        for row in store.rows(
            f"""SELECT id, code, name, gender, id_number, phone, village, village_group
                  FROM trainee WHERE id IN ({marks}) AND deleted = 0""",
            part,
        ):
            found[row["id"]] = row
    return [found[i] for i in ids if i in found]
