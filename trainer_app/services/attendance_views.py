"""What the attendance screen needs besides :mod:`trainer_app.services.attendance`:
the search keys of a sheet's trainees, and marking several trainees in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from trainer_app.domain.models import AttendanceStatus, RecordedBy
from trainer_app.services import attendance
from trainer_app.services.errors import not_found
from trainer_app.store import Store
from trainer_app.store import attendance_views as q
from trainer_app.store import classes as classes_q


def search_keys(store: Store, lesson_id: str) -> dict[str, str]:
    """Trainee id -> search key for everyone on the lesson's sheet (filtering happens in memory,
    with the same keys and matching rule as the trainee search)."""
    if not classes_q.lesson_by_id(store, lesson_id):
        raise not_found("lesson", lesson_id)
    return q.sheet_search_keys(store, lesson_id)


def mark_many(
    store: Store,
    lesson_id: str,
    trainee_ids: Iterable[str],
    status: AttendanceStatus | str,
    method: RecordedBy | str = RecordedBy.MANUAL,
) -> int:
    """Give several trainees the same mark in one transaction (all or none); returns how many."""
    count = 0
    with store.transaction():
        for trainee_id in trainee_ids:
            attendance.mark(store, lesson_id, trainee_id, status, method)
            count += 1
    return count
