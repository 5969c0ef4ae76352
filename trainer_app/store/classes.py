"""Queries of classes, their lessons and enrollments."""

from __future__ import annotations

from trainer_app.store.db import Store

CLASS_LIST = """
    SELECT c.id, c.course_id, c.title, c.trainer, c.place, c.start_date, c.end_date, c.status,
           co.code AS course_code, co.title AS course_title, co.min_share,
           (SELECT count(*) FROM enrollment e
             WHERE e.class_id = c.id AND e.deleted = 0) AS enrolled,
           (SELECT count(*) FROM lesson l
             WHERE l.class_id = c.id AND l.deleted = 0 AND l.cancelled = 0) AS lessons,
           (SELECT coalesce(sum(l.hours), 0) FROM lesson l
             WHERE l.class_id = c.id AND l.deleted = 0 AND l.cancelled = 0) AS hours
      FROM training_class c LEFT JOIN course co ON co.id = c.course_id
     WHERE c.deleted = 0
"""


def list_all(store: Store) -> list[dict]:
    return store.rows(CLASS_LIST + " ORDER BY c.start_date DESC, c.rowid DESC")


def count_of_course(store: Store, course_id: str) -> int:
    """Classes of the course held here so far (cancelled ones too: their number is taken)."""
    return store.scalar(
        "SELECT count(*) FROM training_class WHERE course_id = ? AND deleted = 0", [course_id])


def by_id(store: Store, class_id: str) -> dict | None:
    return store.row(CLASS_LIST + " AND c.id = ?", [class_id])


def lessons(store: Store, class_id: str, include_cancelled: bool = True) -> list[dict]:
    sql = (
        "SELECT id, class_id, date, start_time, hours, topic, cancelled FROM lesson "
        "WHERE class_id = ? AND deleted = 0"
    )
    if not include_cancelled:
        sql += " AND cancelled = 0"
    return store.rows(sql + " ORDER BY date, start_time", [class_id])


def lesson_by_id(store: Store, lesson_id: str) -> dict | None:
    return store.row(
        """SELECT l.id, l.class_id, l.date, l.start_time, l.hours, l.topic, l.cancelled,
                  c.title AS class_title, co.title AS course_title
             FROM lesson l JOIN training_class c ON c.id = l.class_id
             JOIN course co ON co.id = c.course_id
            WHERE l.id = ? AND l.deleted = 0""",
        [lesson_id],
    )


def lessons_on(store: Store, date: str) -> list[dict]:
    return store.rows(
        """SELECT l.id, l.class_id, l.date, l.start_time, l.hours, l.topic,
                  c.title AS class_title, co.title AS course_title
             FROM lesson l JOIN training_class c ON c.id = l.class_id
             JOIN course co ON co.id = c.course_id
            WHERE l.date = ? AND l.deleted = 0 AND l.cancelled = 0 AND c.deleted = 0
              AND c.status != 'cancelled'
            ORDER BY l.start_time""",
        [date],
    )


def all_lessons(store: Store) -> list[dict]:
    """Every scheduled lesson of live classes, newest first (to choose one for attendance)."""
    return store.rows(
        """SELECT l.id, l.class_id, l.date, l.start_time, l.hours, l.topic,
                  c.title AS class_title, co.title AS course_title
             FROM lesson l JOIN training_class c ON c.id = l.class_id
             JOIN course co ON co.id = c.course_id
            WHERE l.deleted = 0 AND l.cancelled = 0 AND c.deleted = 0
              AND c.status != 'cancelled'
            ORDER BY l.date DESC, l.start_time DESC"""
    )


def enrollment(store: Store, class_id: str, trainee_id: str) -> dict | None:
    """The enrollment row, live or tombstoned (re-enrolling revives it)."""
    return store.row(
        "SELECT id, deleted FROM enrollment WHERE class_id = ? AND trainee_id = ?",
        [class_id, trainee_id],
    )


def enrolled(store: Store, class_id: str) -> list[dict]:
    return store.rows(
        """SELECT t.id, t.code, t.name, t.gender, t.id_number, t.phone, t.village,
                  t.village_group
             FROM enrollment e JOIN trainee t ON t.id = e.trainee_id
            WHERE e.class_id = ? AND e.deleted = 0 AND t.deleted = 0
            ORDER BY +t.name_sort  -- "+": sort these few rows, not by walking the name index
        """,
        [class_id],
    )


def is_enrolled(store: Store, class_id: str, trainee_id: str) -> bool:
    return bool(
        store.scalar(
            "SELECT 1 FROM enrollment WHERE class_id = ? AND trainee_id = ? AND deleted = 0",
            [class_id, trainee_id],
        )
    )
