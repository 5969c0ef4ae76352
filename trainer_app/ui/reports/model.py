"""The table of a report: its rows in the order chosen by a header click, the totals row kept
last, cells written as the exports write them (the column's kind, the active language)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QFont

from trainer_app.services.report_export import text_of
from trainer_app.services.reports import Column, Report
from trainer_app.ui.classes.rows import RIGHT, Index, text_key

NUMBERS = frozenset({"int", "hours", "percent"})


def cell_text(column: Column, value: Any) -> str:
    """A report value as the screen shows it: as the PDF prints it, "—" for a missing
    number."""
    return text_of(column, value) or ("—" if column.kind in NUMBERS else "")


def _sort_key(kind: str, value: Any) -> Any:
    if kind in NUMBERS:
        return float(value)
    if kind == "date":
        return str(value)
    return text_key(str(value))


class ReportModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.report: Report | None = None
        self._rows: list[dict] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_report(self, report: Report | None) -> None:
        self.beginResetModel()
        self.report = report
        self._rows = list(report.rows) if report is not None else []
        self.endResetModel()

    def has_totals(self) -> bool:
        return self.report is not None and self.report.totals is not None

    def row(self, row: int) -> dict | None:
        """The row's values; the totals row after the last one."""
        if 0 <= row < len(self._rows):
            return self._rows[row]
        if row == len(self._rows) and self.has_totals():
            return self.report.totals  # type: ignore[union-attr]
        return None

    def is_totals(self, row: int) -> bool:
        return self.has_totals() and row == len(self._rows)

    # -- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        if parent.isValid() or self.report is None:
            return 0
        return len(self._rows) + (1 if self.has_totals() else 0)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.report is None else len(self.report.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and self.report is not None):
            return self.report.columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        values = self.row(index.row()) if index.isValid() else None
        if values is None or self.report is None:
            return None
        column = self.report.columns[index.column()]
        value = values.get(column.key)
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(column, value)
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in NUMBERS:
            return RIGHT
        if role == Qt.ItemDataRole.FontRole and self.is_totals(index.row()):
            return self._bold
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self.report is None or not 0 <= column < len(self.report.columns):
            return
        col = self.report.columns[column]
        self.layoutAboutToBeChanged.emit()
        descending = order == Qt.SortOrder.DescendingOrder
        present = [r for r in self._rows if r.get(col.key) not in (None, "")]
        empty = [r for r in self._rows if r.get(col.key) in (None, "")]
        present.sort(key=lambda r: _sort_key(col.kind, r.get(col.key)), reverse=descending)
        self._rows = present + empty  # empty cells last either way, the totals after them
        self.layoutChanged.emit()
