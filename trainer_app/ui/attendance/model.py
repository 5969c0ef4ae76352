"""The attendance sheet of one lesson as a Qt table model: one row per enrolled trainee."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor, QFont

from trainer_app import i18n
from trainer_app.domain.models import AttendanceStatus, RecordedBy
from trainer_app.domain.search import normalize_query
from trainer_app.i18n import N_, _

Index = QModelIndex | QPersistentModelIndex

# (field, header) in display order
COLUMNS = (
    ("code", N_("Code")),
    ("name", N_("Name")),
    ("village", N_("Village")),
    ("status", N_("Status")),
    ("method", N_("Recorded by")),
    ("recorded_at", N_("When")),
)
STATUS_COLUMN = 3

METHOD_LABELS = {
    RecordedBy.MANUAL: N_("Hand"),
    RecordedBy.SCAN: N_("Scan"),
    RecordedBy.SHEET: N_("Paper sheet"),
}

# background, text colour per status; None stands for "not marked yet"
STATUS_COLORS: dict[AttendanceStatus | None, tuple[str, str]] = {
    AttendanceStatus.PRESENT: ("#dcf3e1", "#14532d"),
    AttendanceStatus.LATE: ("#fff0c7", "#7a4b00"),
    AttendanceStatus.EXCUSED: ("#e1ebff", "#1e3a8a"),
    AttendanceStatus.ABSENT: ("#fde1df", "#8b1a1a"),
    None: ("", "#777777"),
}
FLASH_COLOR = "#a8ecb7"
FLASH_MS = 4000


def not_marked_label() -> str:
    return _("Not marked")


def status_of(row: dict) -> AttendanceStatus | None:
    return AttendanceStatus(row["status"]) if row.get("status") else None


def when_label(value: str | None) -> str:
    """A recorded time (UTC in the database) in local time, through babel."""
    if not value:
        return ""
    local = dt.datetime.fromisoformat(value).astimezone().replace(tzinfo=None)
    return i18n.format_datetime(local)


class SheetModel(QAbstractTableModel):
    """Rows from ``services.attendance.sheet``; a search text filters them in memory."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict] = []
        self._keys: dict[str, str] = {}
        self._visible: list[int] = []  # indexes into _rows
        self._query = ""
        self._flashed: set[str] = set()

    # -- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section][1])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        row = self.row(index.row()) if index.isValid() else None
        if row is None:
            return None
        field = COLUMNS[index.column()][0]
        status = status_of(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, field)
        if role == Qt.ItemDataRole.BackgroundRole:
            if row["trainee_id"] in self._flashed:
                return QBrush(QColor(FLASH_COLOR))
            if field == "status" and status is not None:
                return QBrush(QColor(STATUS_COLORS[status][0]))
        if role == Qt.ItemDataRole.ForegroundRole and field == "status":
            return QBrush(QColor(STATUS_COLORS[status][1]))
        if role == Qt.ItemDataRole.FontRole and (
            (field == "status" and status is None) or row["trainee_id"] in self._flashed
        ):
            font = QFont()
            font.setItalic(status is None and field == "status")
            font.setBold(row["trainee_id"] in self._flashed)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and field == "status":
            return _("Keys: P present, L late, E excused, A absent (or 1-4); Space cycles")
        return None

    # -- ours -------------------------------------------------------------------------------
    def set_rows(self, rows: list[dict], keys: dict[str, str] | None = None) -> None:
        """Show a freshly read sheet. When the same trainees are on it, only the cells change,
        so the selection and the scroll position stay."""
        if keys is not None:
            self._keys = keys
        same = [r["trainee_id"] for r in rows] == [r["trainee_id"] for r in self._rows]
        if same and self._visible == self._filtered(rows):
            self._rows = rows
            if self._visible:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(self._visible) - 1, len(COLUMNS) - 1)
                )
            return
        self.beginResetModel()
        self._rows = rows
        self._visible = self._filtered(rows)
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        self._query = normalize_query(text)
        visible = self._filtered(self._rows)
        if visible != self._visible:
            self.beginResetModel()
            self._visible = visible
            self.endResetModel()

    def row(self, row: int) -> dict | None:
        return self._rows[self._visible[row]] if 0 <= row < len(self._visible) else None

    def trainee_id(self, row: int) -> str | None:
        found = self.row(row)
        return found["trainee_id"] if found else None

    def row_of(self, trainee_id: str) -> int:
        """The row showing ``trainee_id``, or -1 when it is filtered out or not on the sheet."""
        for position, i in enumerate(self._visible):
            if self._rows[i]["trainee_id"] == trainee_id:
                return position
        return -1

    def all_rows(self) -> list[dict]:
        """Every row of the sheet, filtered or not."""
        return list(self._rows)

    def counts(self) -> dict[AttendanceStatus | None, int]:
        found: dict[AttendanceStatus | None, int] = {s: 0 for s in (*AttendanceStatus, None)}
        for r in self._rows:
            found[status_of(r)] += 1
        return found

    def flash(self, trainee_id: str) -> None:
        """Highlight one trainee's row for a few seconds (after a scan)."""
        self._flashed.add(trainee_id)
        self._row_changed(trainee_id)
        QTimer.singleShot(FLASH_MS, self, lambda: self._unflash(trainee_id))

    def is_flashed(self, trainee_id: str) -> bool:
        return trainee_id in self._flashed

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._visible:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._visible) - 1, len(COLUMNS) - 1)
            )

    def _unflash(self, trainee_id: str) -> None:
        self._flashed.discard(trainee_id)
        self._row_changed(trainee_id)

    def _row_changed(self, trainee_id: str) -> None:
        row = self.row_of(trainee_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _filtered(self, rows: list[dict]) -> list[int]:
        if not self._query:
            return list(range(len(rows)))
        return [
            i for i, r in enumerate(rows) if self._query in self._keys.get(r["trainee_id"], "")
        ]

    def _display(self, row: dict, field: str) -> str:
        if field == "status":
            status = status_of(row)
            return status.label if status else not_marked_label()
        if field == "method":
            method = row.get("method")
            return _(METHOD_LABELS[RecordedBy(method)]) if method else ""
        if field == "recorded_at":
            return when_label(row.get("recorded_at"))
        if field == "village":
            return f"{row.get('village') or ''} {row.get('village_group') or ''}".strip()
        value = row.get(field)
        return "" if value is None else str(value)
