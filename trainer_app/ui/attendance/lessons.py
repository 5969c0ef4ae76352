"""Lessons in the chooser: how one is labelled, and which one is chosen first."""

from __future__ import annotations

import datetime as dt

from trainer_app import i18n
from trainer_app.i18n import _


def class_title(lesson: dict) -> str:
    return lesson.get("class_title") or lesson.get("course_title") or ""


def grouped(lessons: list[dict], today: dt.date | None = None) -> list[tuple[str, list[dict]]]:
    """The lessons by class, for the chooser: classes with a lesson today first (by its start
    time), then those
    with lessons to come (the soonest first), then the others (the latest held first); each
    class's lessons in date order."""
    today_iso = (today or dt.date.today()).isoformat()
    by_class: dict[str, list[dict]] = {}
    for lesson in lessons:
        by_class.setdefault(lesson["class_id"], []).append(lesson)

    def rank(items: list[dict]) -> tuple:
        dates = sorted(lesson["date"] for lesson in items)
        if today_iso in dates:  # the earliest lesson today first
            return (0, min(lesson.get("start_time") or "" for lesson in items
                           if lesson["date"] == today_iso))
        upcoming = [d for d in dates if d > today_iso]
        if upcoming:
            return (1, upcoming[0])
        return (2, "".join(chr(0x10FFFF - ord(ch)) for ch in dates[-1]))  # latest first

    groups = sorted(by_class.values(), key=rank)
    return [(class_title(items[0]),
             sorted(items, key=lambda lesson: (lesson["date"], lesson.get("start_time") or "")))
            for items in groups]


def lesson_label(lesson: dict, today: dt.date | None = None, with_class: bool = True) -> str:
    """"date start — class title — topic", with today's lessons marked (without the class
    title under the class's heading in the chooser)."""
    today = today or dt.date.today()
    date = i18n.format_date(lesson["date"], "medium")
    if lesson["date"] == today.isoformat():
        date = _("Today, {date}").format(date=date)
    parts = [f"{date} {lesson.get('start_time') or ''}".strip(),
             class_title(lesson) if with_class else ""]
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
