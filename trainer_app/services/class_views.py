"""What the class screens need besides :mod:`trainer_app.services.classes`: one class's summary
row, marks per lesson, a lesson plan generator, and the check that lessons fall inside the
class's dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from trainer_app.domain.models import Lesson
from trainer_app.services.errors import not_found
from trainer_app.store import Store
from trainer_app.store import class_views as q
from trainer_app.store import classes as classes_q


def summary(store: Store, class_id: str) -> dict:
    """The class as the class list shows it: course, min_share, enrolled, lessons, hours."""
    row = classes_q.by_id(store, class_id)
    if not row:
        raise not_found("class", class_id)
    return row


def lesson_mark_counts(store: Store, class_id: str) -> dict[str, int]:
    """Lesson id -> number of enrolled trainees with a mark (lessons without marks are absent)."""
    summary(store, class_id)
    return q.lesson_mark_counts(store, class_id)


def plan_lessons(
    first: dt.date,
    count: int,
    every_days: int,
    start_time: str,
    hours: float,
    topics: Iterable[str] = (),
) -> list[Lesson]:
    """``count`` lessons, the first on ``first`` and then every ``every_days`` days."""
    names = list(topics)
    return [
        Lesson(
            date=(first + dt.timedelta(days=i * max(1, every_days))).isoformat(),
            start_time=start_time,
            hours=hours,
            topic=names[i] if i < len(names) else "",
        )
        for i in range(max(0, count))
    ]
