"""Attendance queries."""

from __future__ import annotations

from trainer_app.store.db import Store


def sheet(store: Store, lesson_id: str) -> list[dict]:
    """One row per trainee enrolled in the lesson's class, with their mark (or None)."""
    return store.rows(
        """SELECT t.id AS trainee_id, t.code, t.name, t.village, t.village_group,
                  a.id AS attendance_id, a.status, a.recorded_at, a.method
             FROM lesson l
             JOIN enrollment e ON e.class_id = l.class_id AND e.deleted = 0
             JOIN trainee t ON t.id = e.trainee_id AND t.deleted = 0
             LEFT JOIN attendance a
                    ON a.lesson_id = l.id AND a.trainee_id = t.id AND a.deleted = 0
            WHERE l.id = ?
            ORDER BY +t.name_sort  -- "+": sort these few rows, not by walking the name index
        """,
        [lesson_id],
    )


def mark_row(store: Store, lesson_id: str, trainee_id: str) -> dict | None:
    return store.row(
        "SELECT id, status, deleted FROM attendance WHERE lesson_id = ? AND trainee_id = ?",
        [lesson_id, trainee_id],
    )


def class_marks(store: Store, class_id: str) -> list[dict]:
    """Every (trainee, scheduled lesson) of the class with the lesson's hours and the mark."""
    return store.rows(
        """SELECT e.trainee_id, l.id AS lesson_id, l.hours, a.status
             FROM enrollment e
             JOIN lesson l ON l.class_id = e.class_id AND l.deleted = 0 AND l.cancelled = 0
             LEFT JOIN attendance a
                    ON a.lesson_id = l.id AND a.trainee_id = e.trainee_id AND a.deleted = 0
            WHERE e.class_id = ? AND e.deleted = 0""",
        [class_id],
    )


def list_for_lesson(store: Store, lesson_id: str) -> list[dict]:
    return store.rows(
        """SELECT id, lesson_id, trainee_id, status, recorded_at, method FROM attendance
            WHERE lesson_id = ? AND deleted = 0""",
        [lesson_id],
    )
