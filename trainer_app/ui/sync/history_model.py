"""The bundles a station sent: number, date, what each holds, and how far it got (written,
uploaded, or acknowledged by the county's receipt)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from trainer_app import i18n
from trainer_app.i18n import N_, _
from trainer_app.ui.classes.rows import RowTableModel
from trainer_app.ui.sync.kinds import counts_text

STATES = ("lost", "pending", "written", "uploaded", "acknowledged")


def state(row: dict) -> str:
    if row.get("state") in ("lost", "pending"):  # an export that did not finish
        return row["state"]
    if row.get("acknowledged_at"):
        return "acknowledged"
    if row.get("uploaded_at"):
        return "uploaded"
    return "written"


def state_label(value: str) -> str:
    return {
        "lost": _("not written (the program stopped while writing it); its records go with "
                  "the next bundle"),
        "pending": _("being written (or the program stopped while writing it)"),
        "written": _("written, not yet at the county"),
        "uploaded": _("uploaded, waiting for the county"),
        "acknowledged": _("the county has it"),
    }.get(value, value)


class BundleHistoryModel(RowTableModel):
    COLUMNS = (
        ("seq", N_("No.")),
        ("created_at", N_("Written")),
        ("full", N_("Kind")),
        ("counts", N_("Holds")),
        ("state", N_("Status")),
        ("file_name", N_("File")),
    )
    NUMERIC = frozenset({"seq"})
    ID_FIELD = "seq"

    def set_bundles(self, bundles: list[dict]) -> None:
        self.set_rows([{**b, "state": state(b)} for b in bundles])

    def display(self, row: dict, field: str) -> str:
        if field == "created_at":
            return i18n.format_datetime(row["created_at"])
        if field == "full":
            return _("everything") if row["full"] else _("changes")
        if field == "counts":
            return counts_text(row["counts"], _("no records (nothing had changed)"))
        if field == "state":
            return state_label(row["state"])
        return super().display(row, field)

    def sort_key(self, row: dict, field: str) -> Any:
        if field == "state":
            return STATES.index(row["state"])
        if field == "counts":
            return sum((row["counts"] or {}).values())
        return super().sort_key(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            if field == "file_name":
                return row["path"]
            if field == "state":
                parts = [_("Written: {time}").format(time=i18n.format_datetime(
                    row["created_at"]))]
                if row.get("uploaded_at"):
                    parts.append(_("Uploaded: {time}").format(
                        time=i18n.format_datetime(row["uploaded_at"])))
                if row.get("acknowledged_at"):
                    parts.append(_("Receipt from the county: {time}").format(
                        time=i18n.format_datetime(row["acknowledged_at"])))
                return "\n".join(parts)
            if field == "counts":
                return counts_text(row["counts"], "")
        if role == Qt.ItemDataRole.ForegroundRole and field == "state":
            return QBrush(QColor({"acknowledged": "#1b6e20", "uploaded": "#1a4f8a"}.get(
                row["state"], "#9a5b00")))
        return None
