"""The course catalog as a Qt table model."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from trainer_app import i18n
from trainer_app.i18n import N_, _
from trainer_app.ui.classes.rows import RowTableModel

RETIRED_GREY = "#8a8a8a"


def share_label(min_share: float | None) -> str:
    """The completion rule as a percent, e.g. "≥ 80%"."""
    if min_share is None:
        return ""
    return _("≥ {share}").format(share=i18n.format_percent(min_share))


def hours_label(hours: float | None) -> str:
    if hours is None:
        return ""
    return _("{hours} h").format(hours=i18n.format_number(hours, 1))


class CourseTableModel(RowTableModel):
    COLUMNS = (
        ("code", N_("Code")),
        ("title", N_("Title")),
        ("category", N_("Category")),
        ("hours", N_("Hours")),
        ("min_share", N_("Completion rule")),
        ("description", N_("Description")),
        ("retired_on", N_("Retired on")),
    )
    NUMERIC = frozenset({"hours", "min_share"})
    RETIRED_COLUMN = 6  # shown only while retired courses are listed

    def display(self, row: dict, field: str) -> str:
        if field == "hours":
            return hours_label(row["hours"])
        if field == "min_share":
            return share_label(row["min_share"])
        if field == "description":
            return " ".join((row.get("description") or "").split())
        if field == "retired_on":
            return i18n.format_date(row["retired_on"]) if row["retired_on"] else ""
        return super().display(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and row["retired_on"]:
            return QBrush(QColor(RETIRED_GREY))  # kept in the classes that had it, not offered
        if role == Qt.ItemDataRole.ToolTipRole:
            if row["retired_on"] and field in ("code", "title", "retired_on"):
                return _("Retired on {date}: no new class can be scheduled for this course; "
                         "its classes and certificates keep it.").format(
                    date=i18n.format_date(row["retired_on"]))
            if field == "min_share":
                return _(
                    "A trainee completes a class of this course after attending at least "
                    "{share} of all its scheduled hours."
                ).format(share=i18n.format_percent(row["min_share"]))
            if field == "description" and row.get("description"):
                return row["description"]
        return None
