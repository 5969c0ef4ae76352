"""Table models of the Classes section: the class list, a class's lessons and its trainees."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from trainer_app import i18n
from trainer_app.domain import phone
from trainer_app.domain.models import ClassStatus, Gender
from trainer_app.i18n import N_, _
from trainer_app.ui.classes.rows import RowTableModel, text_key
from trainer_app.ui.courses.model import hours_label

STATUS_COLORS = {
    ClassStatus.PLANNED: "#1e40af",
    ClassStatus.RUNNING: "#15803d",
    ClassStatus.FINISHED: "#555555",
    ClassStatus.CANCELLED: "#b91c1c",
}
STATUS_ORDER = {s: i for i, s in enumerate(ClassStatus)}
GREY = "#8a8a8a"


def day_label(iso: str | None) -> str:
    """A date with its weekday, in the active language ("2024年5月6日 周一")."""
    return i18n.format_day(iso)


def period_label(start: str | None, end: str | None) -> str:
    if not start and not end:
        return ""
    if start == end or not end:
        return i18n.format_date(start)
    return _("{start} – {end}").format(start=i18n.format_date(start), end=i18n.format_date(end))


def status_label(status: str) -> str:
    try:
        return ClassStatus(status).label
    except ValueError:
        return status


class ClassTableModel(RowTableModel):
    COLUMNS = (
        ("title", N_("Class")),
        ("course_title", N_("Course")),
        ("trainer", N_("Trainer")),
        ("place", N_("Place")),
        ("start_date", N_("Dates")),
        ("status", N_("Status")),
        ("enrolled", N_("Enrolled")),
        ("hours", N_("Lessons")),
    )
    NUMERIC = frozenset({"enrolled", "hours"})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[dict] = []
        self._status: str | None = None

    def set_rows(self, rows: list[dict]) -> None:
        self._all = list(rows)
        super().set_rows([r for r in rows if self._status in (None, r["status"])])

    def set_status_filter(self, status: str | None) -> None:
        self._status = status
        self.set_rows(self._all)

    def display(self, row: dict, field: str) -> str:
        if field == "start_date":
            return period_label(row["start_date"], row["end_date"])
        if field == "status":
            return status_label(row["status"])
        if field == "enrolled":
            return i18n.format_number(row["enrolled"], 0)
        if field == "hours":
            return _("{lessons} · {hours}").format(
                lessons=i18n.format_number(row["lessons"], 0), hours=hours_label(row["hours"])
            )
        return super().display(row, field)

    def sort_key(self, row: dict, field: str) -> Any:
        if field == "status":
            return STATUS_ORDER.get(row["status"], 99)
        return super().sort_key(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and field == "status":
            return QBrush(QColor(STATUS_COLORS.get(row["status"], GREY)))
        if role == Qt.ItemDataRole.ToolTipRole and field == "course_title":
            return row.get("course_code")
        return None


class LessonTableModel(RowTableModel):
    COLUMNS = (
        ("date", N_("Date")),
        ("start_time", N_("Start")),
        ("hours", N_("Hours")),
        ("topic", N_("Topic")),
        ("state", N_("State")),
        ("marked", N_("Attendance taken")),
    )
    NUMERIC = frozenset({"hours", "marked"})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._marks: dict[str, int] = {}
        self._enrolled = 0
        self.today = dt.date.today

    def set_lessons(self, rows: list[dict], marks: dict[str, int], enrolled: int) -> None:
        self._marks = marks
        self._enrolled = enrolled
        self.set_rows(rows)

    def is_cancelled(self, row: int) -> bool:
        found = self.row(row)
        return bool(found and found["cancelled"])

    def marks(self, row: int) -> int:
        found = self.row(row)
        return self._marks.get(found["id"], 0) if found else 0

    def display(self, row: dict, field: str) -> str:
        if field == "date":
            return day_label(row["date"])
        if field == "hours":
            return hours_label(row["hours"])
        if field == "state":
            if row["cancelled"]:
                return _("Cancelled")
            today = self.today().isoformat()
            if row["date"] == today:
                return _("Today")
            return _("Held") if row["date"] < today else _("To come")
        if field == "marked":
            marked = self._marks.get(row["id"], 0)
            if not marked:
                return ""
            return _("{marked} of {enrolled}").format(
                marked=i18n.format_number(marked, 0), enrolled=i18n.format_number(self._enrolled, 0)
            )
        return super().display(row, field)

    def sort_key(self, row: dict, field: str) -> Any:
        if field == "date":
            return (row["date"], row["start_time"])
        if field == "marked":
            return self._marks.get(row["id"], 0)
        if field == "state":
            return (bool(row["cancelled"]), row["date"])
        return super().sort_key(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if not row["cancelled"]:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(GREY))
        if role == Qt.ItemDataRole.FontRole and field != "state":
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return _("Cancelled: its hours do not count as scheduled hours.")
        return None


class EnrolledTableModel(RowTableModel):
    COLUMNS = (
        ("code", N_("Code")),
        ("name", N_("Name")),
        ("gender", N_("Gender")),
        ("village", N_("Village")),
        ("phone", N_("Phone")),
    )

    def display(self, row: dict, field: str) -> str:
        if field == "gender":
            return Gender(row["gender"]).label if row.get("gender") else ""
        if field == "village":
            return f"{row.get('village') or ''} {row.get('village_group') or ''}".strip()
        if field == "phone":
            return phone.mask(row.get("phone"))
        return super().display(row, field)

    def sort_key(self, row: dict, field: str) -> Any:
        if field == "village":
            return (text_key(row.get("village") or ""), text_key(row.get("village_group") or ""))
        return super().sort_key(row, field)
