"""Table models of the Certificates section: the station's register, and who of a class can
have a certificate (with a tick for each one to issue)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from trainer_app import i18n
from trainer_app.i18n import N_, _
from trainer_app.services.certificates import is_earlier_format
from trainer_app.ui.classes.rows import Index, RowTableModel
from trainer_app.ui.courses.model import hours_label

# (background, text) of each certificate status
STATUS_COLORS = {
    "valid": ("#dcf3e1", "#14532d"),
    "withdrawn": ("#fde1df", "#8b1a1a"),
    "replaced": ("#ececec", "#555555"),
}
ELIGIBLE_COLORS = {True: ("#dcf3e1", "#14532d"), False: ("#fde1df", "#8b1a1a")}


def status_label(status: str) -> str:
    return {
        "valid": _("Valid"),
        "withdrawn": _("Withdrawn"),
        "replaced": _("Replaced"),
    }.get(status, status)


def _colored(colors: tuple[str, str], role: int) -> Any:
    background, foreground = colors
    if role == Qt.ItemDataRole.BackgroundRole:
        return QBrush(QColor(background))
    if role == Qt.ItemDataRole.ForegroundRole:
        return QBrush(QColor(foreground))
    if role == Qt.ItemDataRole.TextAlignmentRole:
        return int(Qt.AlignmentFlag.AlignCenter)
    return None


def mono_font() -> QFont:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    return font


class CertificateCells:
    """How a certificate's cells read and look, in the station's register and in the county's
    list of every station's certificates (mixed in before their table model)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._mono = mono_font()

    def display(self, row: dict, field: str) -> str:
        if field == "hours":
            return hours_label(row["hours"])
        if field == "issued_on":
            return i18n.format_date(row["issued_on"])
        if field == "status":
            return status_label(row["status"])
        if field == "note":
            return self.note(row)
        return super().display(row, field)  # type: ignore[misc]

    @staticmethod
    def note(row: dict) -> str:
        parts = []
        if row.get("replaces_serial"):
            parts.append(_("Replaces {serial}").format(serial=row["replaces_serial"]))
        if row["status"] == "replaced":
            parts.append(_("Replaced by {serial}").format(serial=row["replaced_by"]))
        elif row["status"] == "withdrawn":
            parts.append(_("Withdrawn: {reason}").format(reason=row.get("revoked_reason") or ""))
        elif is_earlier_format(row):
            parts.append(_("Issued with an earlier format; a reprint uses the current one"))
        return "; ".join(parts)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if field == "status":
            return _colored(STATUS_COLORS.get(row["status"], ("#ffffff", "#000000")), role)
        if field == "serial" and role == Qt.ItemDataRole.FontRole:
            return self._mono
        if role == Qt.ItemDataRole.ToolTipRole and field in ("note", "course_title",
                                                             "class_title"):
            return self.display(row, field) or None
        return None


class RegisterModel(CertificateCells, RowTableModel):
    """The certificate register: one row per certificate ever issued here, newest first."""

    COLUMNS = (
        ("serial", N_("Serial")),
        ("trainee_name", N_("Name")),
        ("course_title", N_("Course")),
        ("class_title", N_("Class")),
        ("hours", N_("Hours")),
        ("issued_on", N_("Issued on")),
        ("status", N_("Status")),
        ("note", N_("Note")),
    )
    NUMERIC = frozenset({"hours"})
    ID_FIELD = "serial"

    def sort_key(self, row: dict, field: str) -> Any:
        if field == "note":
            return (False, self.note(row))
        return super().sort_key(row, field)


class EligibilityModel(RowTableModel):
    """A class's enrolled trainees: hours, whether eligible and why not, the certificate they
    already hold. Eligible rows carry a tick box; all of them start ticked."""

    COLUMNS = (
        ("pick", N_("Issue")),
        ("code", N_("Code")),
        ("name", N_("Name")),
        ("attended_hours", N_("Attended")),
        ("required_hours", N_("Required")),
        ("eligible", N_("Eligible")),
        ("serial", N_("Certificate")),
        ("reason", N_("Why not")),
    )
    NUMERIC = frozenset({"attended_hours", "required_hours"})
    ID_FIELD = "trainee_id"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._picked: set[str] = set()
        self._mono = mono_font()

    def set_rows(self, rows: list[dict]) -> None:
        """New rows, every eligible one ticked."""
        self._picked = {r["trainee_id"] for r in rows if r["eligible"]}
        super().set_rows(rows)

    # -- ticks ------------------------------------------------------------------------------
    def picked(self) -> list[str]:
        """Ticked trainees, in the table's order."""
        return [r["trainee_id"] for r in self.rows() if r["trainee_id"] in self._picked]

    def eligible(self) -> list[dict]:
        return [r for r in self.rows() if r["eligible"]]

    def set_all(self, picked: bool) -> None:
        self._picked = {r["trainee_id"] for r in self.eligible()} if picked else set()
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, 0))

    def set_picked(self, trainee_id: str, picked: bool) -> bool:
        row = self.row_of(trainee_id)
        found = self.row(row)
        if found is None or not found["eligible"]:
            return False
        if picked:
            self._picked.add(trainee_id)
        else:
            self._picked.discard(trainee_id)
        self.dataChanged.emit(self.index(row, 0), self.index(row, 0))
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        row = self.row(index.row()) if index.isValid() else None
        if row is not None and index.column() == 0 and row["eligible"]:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        row = self.row(index.row()) if index.isValid() else None
        if row is None or index.column() != 0 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        return self.set_picked(row["trainee_id"], checked)

    # -- cells ------------------------------------------------------------------------------
    def display(self, row: dict, field: str) -> str:
        if field == "pick":
            return ""
        if field in ("attended_hours", "required_hours"):
            return hours_label(row[field])
        if field == "eligible":
            return _("Yes") if row["eligible"] else _("No")
        if field == "serial":
            return row["serial"] or ""
        if field == "reason":
            return "" if row["eligible"] else self.short_reason(row)
        return super().display(row, field)

    @staticmethod
    def short_reason(row: dict) -> str:
        missing = max(0.0, row["required_hours"] - row["attended_hours"])
        return _("{missing} short of the hours required").format(missing=hours_label(missing))

    def sort_key(self, row: dict, field: str) -> Any:
        if field == "pick":
            return (row["trainee_id"] not in self._picked, not row["eligible"])
        if field == "eligible":
            return not row["eligible"]
        return super().sort_key(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if field == "pick" and role == Qt.ItemDataRole.CheckStateRole and row["eligible"]:
            picked = row["trainee_id"] in self._picked
            return Qt.CheckState.Checked if picked else Qt.CheckState.Unchecked
        if field == "eligible":
            return _colored(ELIGIBLE_COLORS[bool(row["eligible"])], role)
        if field == "serial" and role == Qt.ItemDataRole.FontRole:
            return self._mono
        if role == Qt.ItemDataRole.ToolTipRole:
            if not row["eligible"]:
                return row["reason"]
            if row["serial"]:
                return _("Already holds certificate {serial}: it is printed again, not issued "
                         "a second time.").format(serial=row["serial"])
        if role == Qt.ItemDataRole.ForegroundRole and not row["eligible"] and field != "reason":
            return QBrush(QColor("#8a8a8a"))
        return None
