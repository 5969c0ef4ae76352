"""Field-level checks of records before they are saved. Messages are in the active language."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from trainer_app import i18n
from trainer_app.domain import idcard, phone
from trainer_app.domain.models import (
    ClassStatus,
    Course,
    Lesson,
    Trainee,
    TrainingClass,
)
from trainer_app.i18n import _

Errors = dict[str, str]

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_HH_MM = re.compile(r"^([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?$")


def parse_date(value: object) -> dt.date:
    """``YYYY-MM-DD`` only; raises ValueError otherwise.

    ``date.fromisoformat`` alone also takes ``20240301`` and ``2024-W09-5`` (Python 3.11+), which
    would be stored as they were typed and break every date comparison in SQL.
    """
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError(value)
    return dt.date.fromisoformat(value)


def parse_time(value: object) -> dt.time:
    """``HH:MM`` (also ``H:MM`` and ``HH:MM:SS``); raises ValueError otherwise.

    Store :func:`format_time` of the result, so every time sorts as text.
    """
    found = _HH_MM.match(value) if isinstance(value, str) else None
    if not found:
        raise ValueError(value)
    hour, minute, second = (int(g or 0) for g in found.groups())
    return dt.time(hour, minute, second)


def format_time(value: dt.time) -> str:
    return value.strftime("%H:%M")


def id_number_message(code: str) -> str:
    return {
        "length": _("An ID number has 18 characters."),
        "chars": _("An ID number has 17 digits followed by a digit or X."),
        "date": _("The birth date inside this ID number is not a real date."),
        "check": _("The check character does not match: please check the number for a typo."),
    }[code]


def validate_trainee(t: Trainee, today: dt.date | None = None) -> Errors:
    errors: Errors = {}
    if not t.name.strip():
        errors["name"] = _("Enter the trainee's name.")
    elif not any(ch.isalpha() for ch in t.name):  # letters of any script, Han characters too
        errors["name"] = _("A name has at least one letter or Chinese character.")
    elif len(t.name.strip()) > 40:
        errors["name"] = _("A name has at most 40 characters.")
    if t.id_number:
        try:
            info = idcard.parse(t.id_number, today)
        except idcard.IdNumberError as exc:
            errors["id_number"] = id_number_message(exc.code)
        else:
            if t.birth_date and t.birth_date != info.birth_date.isoformat():
                errors["birth_date"] = _("The birth date differs from the one in the ID number.")
            if t.gender and t.gender != info.gender:
                errors["gender"] = _("The gender differs from the one in the ID number.")
    else:
        errors["id_number"] = _("Enter the resident ID number.")
    if t.phone and not phone.is_valid_mobile(t.phone):
        errors["phone"] = _("A mobile number has 11 digits and starts with 13-19.")
    if not t.village.strip():
        errors["village"] = _("Enter the village.")
    if t.birth_date:
        try:
            parse_date(t.birth_date)
        except ValueError:
            errors["birth_date"] = _("Enter the birth date as YYYY-MM-DD.")
    return errors


def validate_course(c: Course) -> Errors:
    errors: Errors = {}
    if not c.code.strip():
        errors["code"] = _("Enter a course code.")
    if not c.title.strip():
        errors["title"] = _("Enter the course title.")
    if not isinstance(c.hours, int | float) or not (0 < c.hours <= 1000):
        errors["hours"] = _("Total hours must be more than 0 and at most 1000.")
    if not isinstance(c.min_share, int | float) or not (0 < c.min_share <= 1):
        errors["min_share"] = _("The completion share must be between 1% and 100%.")
    return errors


def validate_lesson(lesson: Lesson) -> Errors:
    errors: Errors = {}
    try:
        parse_date(lesson.date)
    except ValueError:
        errors["date"] = _("Enter the lesson date as YYYY-MM-DD.")
    try:
        parse_time(lesson.start_time)
    except ValueError:
        errors["start_time"] = _("Enter the start time as HH:MM.")
    if not isinstance(lesson.hours, int | float) or not (0 < lesson.hours <= 12):
        errors["hours"] = _("A lesson lasts between 0 and 12 hours.")
    return errors


def validate_class(c: TrainingClass) -> Errors:
    errors: Errors = {}
    if not c.course_id:
        errors["course_id"] = _("Choose a course.")
    try:
        start = parse_date(c.start_date)
        end = parse_date(c.end_date)
    except ValueError:
        errors["start_date"] = _("Enter the start and end dates as YYYY-MM-DD.")
    else:
        if end < start:
            errors["end_date"] = _("The end date is before the start date.")
    if c.status not in set(ClassStatus):
        errors["status"] = _("Choose a status: planned, running, finished or cancelled.")
    for i, lesson in enumerate(c.lessons):
        lesson_errors = validate_lesson(lesson)
        if lesson_errors:
            errors[f"lessons[{i}]"] = next(iter(lesson_errors.values()))
    for i in lesson_date_errors(c.start_date, c.end_date, [lesson.date for lesson in c.lessons]):
        errors.setdefault(f"lessons[{i}]", outside_message(c.start_date, c.end_date))
    return errors


def lesson_date_errors(start_date: str, end_date: str, dates: Iterable[str]) -> list[int]:
    """Positions of the ``dates`` that fall outside the class's period (none when the class's
    own dates are not valid yet: that has its own message)."""
    try:
        start, end = parse_date(start_date), parse_date(end_date)
    except ValueError:
        return []
    outside = []
    for i, value in enumerate(dates):
        try:
            day = parse_date(value)
        except ValueError:
            continue
        if not start <= day <= end:
            outside.append(i)
    return outside


def outside_message(start_date: str, end_date: str) -> str:
    return _("The class runs from {start} to {end}; lessons must fall within those dates.").format(
        start=i18n.format_date(start_date), end=i18n.format_date(end_date)
    )
