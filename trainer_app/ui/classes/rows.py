"""Read-only table models over dict rows: :class:`ColumnsModel` (the columns and cells every
such model shows), and :class:`RowTableModel` over a short list of rows (courses, classes,
lessons, ...).

Subclasses declare ``COLUMNS`` as ``(field, header msgid)`` pairs and say how a cell is shown;
headers and cells are translated when they are painted, so :meth:`retranslate` only has to tell
the views to repaint.
"""

from __future__ import annotations

import functools
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from trainer_app.domain.search import pinyin_forms
from trainer_app.i18n import _

Index = QModelIndex | QPersistentModelIndex
RIGHT = int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight)


@functools.lru_cache(maxsize=4096)
def text_key(value: str) -> tuple[str, str]:
    """Chinese text sorts by its pinyin (as a reader expects), then by the characters."""
    return (pinyin_forms(value)[0] if not value.isascii() else value.lower(), value)


class ColumnsModel(QAbstractTableModel):
    """Cells from the dict :meth:`row` gives, one column per ``COLUMNS`` field; subclasses give
    ``rowCount`` and ``row``."""

    COLUMNS: tuple[tuple[str, str], ...] = ()
    NUMERIC: frozenset[str] = frozenset()  # right-aligned fields

    def row(self, row: int) -> dict | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def display(self, row: dict, field: str) -> str:
        value = row.get(field)
        return "" if value is None else str(value)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        """Any other role (colours, fonts, tooltips); None for the default."""
        return None

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(self.COLUMNS[section][1])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row(index.row()) if index.isValid() else None
        if row is None:
            return None
        field = self.COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, field)
        if role == Qt.ItemDataRole.TextAlignmentRole and field in self.NUMERIC:
            return RIGHT
        return self.cell_role(row, field, role)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        count = self.rowCount()
        if count:
            self.dataChanged.emit(self.index(0, 0), self.index(count - 1, len(self.COLUMNS) - 1))


class RowTableModel(ColumnsModel):
    ID_FIELD = "id"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict] = []
        self._given: list[dict] = []  # in the order the service gave them
        self._sort: tuple[int, bool] | None = None

    # -- what subclasses change ---------------------------------------------------------------
    def sort_key(self, row: dict, field: str) -> Any:
        value = row.get(field)
        if isinstance(value, str):
            return (False, text_key(value))
        return (value is None, value if value is not None else 0)

    # -- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        in_range = 0 <= column < len(self.COLUMNS)
        self._sort = (column, order == Qt.SortOrder.DescendingOrder) if in_range else None
        # a layout change, not a reset: the selection (persistent indexes) follows its rows
        self.layoutAboutToBeChanged.emit()
        before = self._rows
        self._apply_sort()
        position = {id(r): i for i, r in enumerate(self._rows)}
        old = self.persistentIndexList()
        new = [
            self.index(position[id(before[i.row()])], i.column())
            if 0 <= i.row() < len(before) else QModelIndex()
            for i in old
        ]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    # -- ours -------------------------------------------------------------------------------
    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self._given = list(rows)
        self._apply_sort()
        self.endResetModel()

    def rows(self) -> list[dict]:
        return list(self._rows)

    def row(self, row: int) -> dict | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_id(self, row: int) -> str | None:
        found = self.row(row)
        return found[self.ID_FIELD] if found else None

    def row_of(self, row_id: str | None) -> int:
        for i, r in enumerate(self._rows):
            if r[self.ID_FIELD] == row_id:
                return i
        return -1

    def _apply_sort(self) -> None:
        self._rows = list(self._given)
        if self._sort is None:
            return
        column, descending = self._sort
        field = self.COLUMNS[column][0]
        self._rows.sort(key=lambda r: self.sort_key(r, field), reverse=descending)
