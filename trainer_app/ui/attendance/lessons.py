"""Lessons in the chooser: how one is labelled, and which one is chosen first."""

from __future__ import annotations

import datetime as dt

from trainer_app import i18n
from trainer_app.i18n import _


def lesson_label(lesson: dict, today: dt.date | None = None) -> str:
    """"date start — class title — topic", with today's lessons marked."""
    today = today or dt.date.today()
    date = i18n.format_date(lesson["date"], "medium")
    if lesson["date"] == today.isoformat():
        date = _("Today, {date}").format(date=date)
    title = lesson.get("class_title") or lesson.get("course_title") or ""
    parts = [f"{date} {lesson.get('start_time') or ''}".strip(), title]
    if lesson.get("topic"):
        parts.append(lesson["topic"])
    return " — ".join(p for p in parts if p)


def initial_lesson(lessons: list[dict], today_id: str | None, today: dt.date | None = None) -> str:
    """Today's lesson when there is one; else the latest lesson held so far; else the newest.

    ``lessons`` are newest first, as ``services.attendance.lessons`` returns them.
    """
    if not lessons:
        return ""
    if today_id and any(lesson["id"] == today_id for lesson in lessons):
        return today_id
    today_iso = (today or dt.date.today()).isoformat()
    held = [lesson for lesson in lessons if lesson["date"] <= today_iso]
    return (held[0] if held else lessons[-1])["id"]
