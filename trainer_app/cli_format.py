"""Output of the command line: error lines, aligned tables (Chinese characters are two columns
wide) and JSON."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from trainer_app import i18n
from trainer_app.domain import idcard, phone
from trainer_app.domain.models import AttendanceStatus, ClassStatus, Gender, education_label
from trainer_app.i18n import _

Column = tuple[str, Callable[[dict], object]]

EXIT_REFUSED = 2
# Record fields whose command line option is not simply ``--field-name``.
FIELD_OPTIONS = {
    "village_group": "--group", "poor_household": "--poor", "course_id": "--course",
    "start_date": "--start", "end_date": "--end", "start_time": "--start",
}


def refuse(message: str) -> int:
    """Print ``message`` as the one ``error:`` line on stderr; returns the exit code."""
    line = " ".join(message.splitlines())
    print(_("error: {message}").format(message=line), file=sys.stderr)
    return EXIT_REFUSED


def validation_message(errors: dict[str, str]) -> str:
    """Field messages of a refused record, each named by the option that sets the field."""
    parts = []
    for field, message in errors.items():
        lesson = re.fullmatch(r"lessons\[(\d+)\]", field)
        if lesson:
            option = f"--lesson {int(lesson.group(1)) + 1}"
        else:
            option = FIELD_OPTIONS.get(field, "--" + field.replace("_", "-"))
        parts.append(f"{option}: {message}")
    return " ".join(parts)


def utf8_streams() -> None:
    """Chinese must print on any console or pipe, including Windows code pages."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(encoding="utf-8")


def silence_stdout() -> None:
    """After a broken pipe: send what is left to the null device, so exit stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide (CJK) characters count two, combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return i18n.format_number(value)
    return " ".join(str(value).split())  # one line per row, whatever the data holds


def table(columns: Sequence[Column], rows: Iterable[dict]) -> str:
    """Rows as a left-aligned table under translated headers, two spaces between columns."""
    lines = [[header for header, _get in columns]]
    lines += [[_cell(get(row)) for _header, get in columns] for row in rows]
    widths = [max(display_width(line[i]) for line in lines) for i in range(len(columns))]
    out = []
    for line in lines:
        cells = [c + " " * (w - display_width(c)) for c, w in zip(line, widths, strict=True)]
        out.append("  ".join(cells).rstrip())
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def print_table(columns: Sequence[Column], rows: Sequence[dict], footer: str = "") -> None:
    print(table(columns, rows))
    if footer:
        print(footer)


def print_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def print_counts(counts: dict[str, int]) -> None:
    labels = {"trainees": _("trainees"), "courses": _("courses"), "classes": _("classes"),
              "lessons": _("lessons"), "attendance": _("attendance marks")}
    print_table([(_("Added"), lambda r: r["label"]), (_("Count"), lambda r: r["n"])],
                [{"label": labels.get(k, k), "n": n} for k, n in counts.items()])


def attendance_marks(lesson_id: str, sheet: list[dict]) -> list[dict]:
    """The recorded marks of an attendance sheet, as attendance records with their ``id``."""
    keys = ("trainee_id", "code", "name", "status", "recorded_at", "method")
    return [{"id": r["attendance_id"], "lesson_id": lesson_id, **{k: r[k] for k in keys}}
            for r in sheet if r["attendance_id"]]


def gender_label(value: str | None) -> str:
    return Gender(value).label if value else ""


def class_status_label(value: str) -> str:
    return ClassStatus(value).label


def attendance_label(value: str | None) -> str:
    return AttendanceStatus(value).label if value else _("not marked")


def local_time(utc_iso: str | None) -> str:
    """A stored UTC timestamp in the computer's time zone, formatted for the language."""
    return i18n.format_datetime(dt.datetime.fromisoformat(utc_iso).astimezone()) if utc_iso else ""


def yes_no(value: object) -> str:
    return _("yes") if value else _("no")


def trainee_columns() -> list[Column]:
    """The columns of ``trainees list`` (its rows masked by :func:`masked` unless revealed)."""
    return [
        (_("Code"), lambda r: r["code"]),
        (_("Name"), lambda r: r["name"]),
        (_("Gender"), lambda r: gender_label(r["gender"])),
        (_("Birth date"), lambda r: r["birth_date"]),
        (_("ID number"), lambda r: r["id_number"]),
        (_("Phone"), lambda r: r["phone"]),
        (_("Village"), lambda r: r["village"]),
        (_("Group"), lambda r: r["village_group"]),
        (_("Id"), lambda r: r["id"]),
    ]


def masked(row: dict) -> dict:
    """A trainee with ID and phone numbers masked, as lists show them unless revealed, and the
    birth date too: it is what the ID number's mask hides."""
    return {**row, "id_number": idcard.mask(row.get("id_number")),
            "birth_date": idcard.mask_birth_date(row.get("birth_date")),
            "phone": phone.mask(row.get("phone"))}


def trainee_details(row: dict, reveal: bool) -> str:
    """One trainee as ``label  value`` lines."""
    row = row if reveal else masked(row)
    fields = [
        (_("Code"), row["code"]),
        (_("Name"), row["name"]),
        (_("Gender"), gender_label(row["gender"])),
        (_("Birth date"), row["birth_date"]),
        (_("ID number"), row["id_number"]),
        (_("Phone"), row["phone"]),
        (_("Village"), row["village"]),
        (_("Group"), row["village_group"]),
        (_("Poor household"), yes_no(row["poor_household"])),
        (_("Education"), education_label(row["education"])),
        (_("Notes"), row["notes"]),
        (_("Id"), row["id"]),
    ]
    width = max(display_width(label) for label, _value in fields)
    return "\n".join(
        (label + " " * (width - display_width(label)) + "  " + _cell(value)).rstrip()
        for label, value in fields
    )


def course_columns() -> list[Column]:
    return [
        (_("Code"), lambda r: r["code"]),
        (_("Title"), lambda r: r["title"]),
        (_("Category"), lambda r: r["category"]),
        (_("Hours"), lambda r: float(r["hours"])),
        (_("Completion rule"), lambda r: i18n.format_percent(r["min_share"])),
        (_("Retired on"), lambda r: i18n.format_date(r["retired_on"]) if r["retired_on"] else ""),
        (_("Id"), lambda r: r["id"]),
    ]


def class_columns() -> list[Column]:
    return [
        (_("Title"), lambda r: r["title"]),
        (_("Course"), lambda r: r["course_code"]),
        (_("Status"), lambda r: class_status_label(r["status"])),
        (_("Start"), lambda r: r["start_date"]),
        (_("End"), lambda r: r["end_date"]),
        (_("Enrolled"), lambda r: r["enrolled"]),
        (_("Lessons"), lambda r: r["lessons"]),
        (_("Hours"), lambda r: float(r["hours"])),
        (_("Id"), lambda r: r["id"]),
    ]


def lesson_columns() -> list[Column]:
    return [
        (_("Date"), lambda r: r["date"]),
        (_("Start"), lambda r: r["start_time"]),
        (_("Hours"), lambda r: float(r["hours"])),
        (_("Topic"), lambda r: r["topic"]),
        (_("Cancelled"), lambda r: _("cancelled") if r["cancelled"] else ""),
        (_("Id"), lambda r: r["id"]),
    ]


def attendance_columns() -> list[Column]:
    return [
        (_("Code"), lambda r: r["code"]),
        (_("Name"), lambda r: r["name"]),
        (_("Village"), lambda r: r["village"]),
        (_("Status"), lambda r: attendance_label(r["status"])),
        (_("Recorded"), lambda r: local_time(r["recorded_at"]) if r["status"] else ""),
        (_("Trainee id"), lambda r: r["trainee_id"]),
    ]


def completion_columns() -> list[Column]:
    return [
        (_("Code"), lambda r: r["code"]),
        (_("Name"), lambda r: r["name"]),
        (_("Attended hours"), lambda r: float(r["attended_hours"])),
        (_("Scheduled hours"), lambda r: float(r["scheduled_hours"])),
        (_("Share"), lambda r: i18n.format_percent(r["share"])),
        (_("Completed"), lambda r: yes_no(r["completed"])),
        (_("Trainee id"), lambda r: r["trainee_id"]),
    ]
