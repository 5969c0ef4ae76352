"""Scheduling classes: lessons, enrollment, status, and who completed."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable

from trainer_app.domain import completion
from trainer_app.domain.models import ClassStatus, Lesson, TrainingClass
from trainer_app.domain.validation import (
    format_time,
    lesson_date_errors,
    outside_message,
    parse_time,
    validate_class,
    validate_lesson,
)
from trainer_app.i18n import _, format_date
from trainer_app.services.errors import ServiceError, ValidationError, not_found, owned_here
from trainer_app.store import Store, records
from trainer_app.store import attendance as attendance_q
from trainer_app.store import classes as q
from trainer_app.store import courses as courses_q
from trainer_app.store import trainees as trainees_q

CLASS_FIELDS = ("course_id", "title", "trainer", "place", "start_date", "end_date", "status")
LESSON_FIELDS = ("date", "start_time", "hours", "topic", "cancelled")


def _class_values(store: Store, c: TrainingClass, current_course: str = "") -> dict:
    """Checked values of a class; ``current_course`` is the course a class being changed has
    (it may be retired since: the class keeps it, but no class takes a retired course anew)."""
    errors = validate_class(c)
    course = courses_q.by_id(store, c.course_id) if c.course_id else None
    if c.course_id and not course:
        errors["course_id"] = _("The chosen course does not exist.")
    elif course and course["retired_on"] and c.course_id != current_course:
        errors["course_id"] = _(
            "Course {code} is retired: it is no longer offered, so no new class can be "
            "scheduled for it.").format(code=course["code"])
    if errors:
        raise ValidationError(errors)
    values = {f: getattr(c, f) for f in CLASS_FIELDS}
    values["status"] = str(ClassStatus(c.status))
    if not values["title"].strip() and course:
        values["title"] = course["title"]
    return values


def _lesson_values(lesson: Lesson, class_row: dict | None = None) -> dict:
    """Checked values of a lesson; with ``class_row``, its date must fall within the class's."""
    errors = validate_lesson(lesson)
    if class_row and "date" not in errors and lesson_date_errors(
        class_row["start_date"], class_row["end_date"], [lesson.date]
    ):
        errors["date"] = outside_message(class_row["start_date"], class_row["end_date"])
    if errors:
        raise ValidationError(errors)
    values = {f: getattr(lesson, f) for f in LESSON_FIELDS}
    values["start_time"] = format_time(parse_time(lesson.start_time))  # "9:00" -> "09:00"
    values["cancelled"] = int(bool(lesson.cancelled))
    return values


def create(store: Store, c: TrainingClass) -> str:
    """Create a class with its lessons; returns the class id."""
    with store.transaction():
        class_id = records.insert(store, "training_class", _class_values(store, c))
        for lesson in c.lessons:
            records.insert(store, "lesson", {**_lesson_values(lesson), "class_id": class_id})
        return class_id


def update(store: Store, class_id: str, c: TrainingClass) -> None:
    """Change the class's own fields (lessons are changed one by one). The new dates must still
    include every scheduled lesson."""
    with store.transaction(), owned_here(store):
        held = _require_class(store, class_id)
        errors = _lessons_left_out(store, class_id, c)
        try:
            values = _class_values(store, c, held["course_id"])
        except ValidationError as exc:  # all the messages at once
            raise ValidationError({**exc.errors, **errors}) from None
        if errors:
            raise ValidationError(errors)
        records.update(store, "training_class", class_id, values)


def _lessons_left_out(store: Store, class_id: str, c: TrainingClass) -> dict[str, str]:
    dates = sorted(r["date"] for r in q.lessons(store, class_id, include_cancelled=False))
    if not dates or not lesson_date_errors(c.start_date, c.end_date, dates):
        return {}
    message = _("This class has lessons from {first} to {last}; its dates must include "
                "them (move the lessons first).").format(
        first=format_date(dates[0]), last=format_date(dates[-1])
    )
    return {"start_date" if dates[0] < c.start_date else "end_date": message}


def numbered_title(store: Store, course_id: str, course_title: str) -> str:
    """The title a new class of the course gets: the course's, numbered after the classes of
    it held here from the second one on (开设网店（第3期）)."""
    n = q.count_of_course(store, course_id) + 1
    return _("{title} (run {n})").format(title=course_title, n=n) if n > 1 else course_title


def get(store: Store, class_id: str) -> TrainingClass:
    row = _require_class(store, class_id)
    lessons = [
        Lesson(**{f: r[f] for f in (*LESSON_FIELDS, "class_id", "id")})
        for r in q.lessons(store, class_id)
    ]
    values = {f: row[f] for f in CLASS_FIELDS}
    return TrainingClass(**values, id=class_id, lessons=lessons)


def set_status(store: Store, class_id: str, status: ClassStatus | str) -> None:
    with store.transaction(), owned_here(store):
        _require_class(store, class_id)
        records.update(store, "training_class", class_id, {"status": str(ClassStatus(status))})


def _require_class(store: Store, class_id: str) -> dict:
    row = q.by_id(store, class_id)
    if not row:
        raise not_found("class", class_id)
    return row


def _require_lesson(store: Store, lesson_id: str) -> dict:
    row = q.lesson_by_id(store, lesson_id)
    if not row:
        raise not_found("lesson", lesson_id)
    return row


def add_lesson(store: Store, class_id: str, lesson: Lesson) -> str:
    with store.transaction():
        row = _require_class(store, class_id)
        values = _lesson_values(lesson, row)
        return records.insert(store, "lesson", {**values, "class_id": class_id})


def update_lesson(store: Store, lesson_id: str, lesson: Lesson) -> None:
    with store.transaction(), owned_here(store):
        row = _require_lesson(store, lesson_id)
        class_row = _require_class(store, row["class_id"])
        records.update(store, "lesson", lesson_id, _lesson_values(lesson, class_row))


def move_lesson(store: Store, lesson_id: str, date: str, start_time: str) -> None:
    """Reschedule a lesson to another day or time."""
    with store.transaction(), owned_here(store):
        row = _require_lesson(store, lesson_id)
        lesson = Lesson(**{f: row[f] for f in LESSON_FIELDS})
        lesson = dataclasses.replace(lesson, date=date, start_time=start_time)
        class_row = _require_class(store, row["class_id"])
        records.update(store, "lesson", lesson_id, _lesson_values(lesson, class_row))


def cancel_lesson(store: Store, lesson_id: str, cancelled: bool = True) -> None:
    """Cancel (or restore) a lesson: a cancelled lesson no longer counts as scheduled hours."""
    with store.transaction(), owned_here(store):
        _require_lesson(store, lesson_id)
        records.update(store, "lesson", lesson_id, {"cancelled": int(cancelled)})


def lessons(store: Store, class_id: str) -> list[dict]:
    _require_class(store, class_id)
    return q.lessons(store, class_id)


def enroll(store: Store, class_id: str, trainee_ids: Iterable[str]) -> int:
    """Enroll trainees (already enrolled ones are skipped); returns how many were added."""
    added = 0
    with store.transaction(), owned_here(store):
        row = _require_class(store, class_id)
        if row["status"] == ClassStatus.CANCELLED:
            raise ServiceError(_("This class is cancelled; no one can be enrolled."))
        for trainee_id in trainee_ids:
            if not trainees_q.by_id(store, trainee_id):
                raise not_found("trainee", trainee_id)
            existing = q.enrollment(store, class_id, trainee_id)
            if existing is None:
                records.insert(
                    store, "enrollment", {"class_id": class_id, "trainee_id": trainee_id}
                )
            elif existing["deleted"]:
                records.restore(store, "enrollment", existing["id"], {})
            else:
                continue
            added += 1
    return added


def unenroll(store: Store, class_id: str, trainee_ids: Iterable[str]) -> int:
    removed = 0
    with store.transaction(), owned_here(store):
        _require_class(store, class_id)
        for trainee_id in trainee_ids:
            existing = q.enrollment(store, class_id, trainee_id)
            if existing and not existing["deleted"]:
                records.tombstone(store, "enrollment", existing["id"])
                removed += 1
    return removed


def enrolled(store: Store, class_id: str) -> list[dict]:
    _require_class(store, class_id)
    return q.enrolled(store, class_id)


def list_all(store: Store) -> list[dict]:
    return q.list_all(store)


def completion_report(store: Store, class_id: str) -> list[dict]:
    """Per enrolled trainee: attended and scheduled hours, share, and whether the rule is met.

    See :mod:`trainer_app.domain.completion` for how excused absences count.
    """
    row = _require_class(store, class_id)
    marks: dict[str, list[tuple[float, str | None]]] = defaultdict(list)
    for m in attendance_q.class_marks(store, class_id):
        marks[m["trainee_id"]].append((m["hours"], m["status"]))
    report = []
    for t in q.enrolled(store, class_id):
        result = completion.evaluate(marks.get(t["id"], []), row["min_share"])
        report.append(
            {
                "trainee_id": t["id"],
                "code": t["code"],
                "name": t["name"],
                "attended_hours": result.attended_hours,
                "scheduled_hours": result.scheduled_hours,
                "required_hours": result.required_hours,
                "share": result.share,
                "completed": result.met,
                "can_complete": result.can_still_meet,  # lessons without a mark remain
                "unmarked_hours": result.unmarked_hours,
            }
        )
    return report
