"""The import preview as a table: one line per row of the list, what happens to it, its own
cells (ID and phone numbers masked unless the cell is the problem) and the reasons; a check box
leaves an importable row out."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from trainer_app.domain import idcard, phone
from trainer_app.domain.import_cells import birth_date, text
from trainer_app.domain.import_headers import field_label
from trainer_app.i18n import _, join_sentences, join_words, pgettext
from trainer_app.services.trainee_import_plan import Kind, Preview, Row

Index = QModelIndex | QPersistentModelIndex

ROW, RESULT, PROBLEMS = 0, 1, 2
FIRST_CELL = 3
PROBLEM_BACKGROUND = QColor("#F8D7DA")
KIND_COLOURS = {Kind.NEW: "#1E7B34", Kind.UPDATED: "#1F5FA8", Kind.UNCHANGED: "#6C757D",
                Kind.DUPLICATE: "#A15C00", Kind.INVALID: "#B02A37"}
MASKS = {"id_number": idcard.mask, "phone": phone.mask}


def masked_sample(value: str) -> str:
    """A cell shown as an example of its column: what looks like an ID or phone number masked,
    whatever the column is taken to hold."""
    digits = sum(ch.isdigit() for ch in value)
    if digits >= 15:
        return idcard.mask(value)
    return phone.mask(value) if digits == 11 else value


class PreviewModel(QAbstractTableModel):
    choice_changed = Signal()  # a row was left out or taken back

    def __init__(self, plan: Preview, parent=None) -> None:
        super().__init__(parent)
        self.plan = plan
        self._masks = {i: MASKS[f] for i, f in enumerate(plan.mapping) if f in MASKS}
        self._birth_date = plan.mapping.index("birth_date") if "birth_date" in plan.mapping else -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.plan.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else FIRST_CELL + len(self.plan.headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == ROW:
            return pgettext("spreadsheet", "Row")
        if section == RESULT:
            return _("What happens")
        if section == PROBLEMS:
            return _("Problems")
        return self.plan.column_name(section - FIRST_CELL)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.column() == ROW and self.plan.rows[index.row()].kind in (Kind.NEW,
                                                                          Kind.UPDATED):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.plan.rows[index.row()]
        column = index.column()
        cell = column - FIRST_CELL
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column, cell)
        if role == Qt.ItemDataRole.CheckStateRole and column == ROW and row.kind in (
                Kind.NEW, Kind.UPDATED):
            return Qt.CheckState.Checked if row.include else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and column == RESULT:
            return QBrush(QColor(KIND_COLOURS[row.kind]))
        if role == Qt.ItemDataRole.BackgroundRole and cell in row.problems:
            return QBrush(PROBLEM_BACKGROUND)
        if role == Qt.ItemDataRole.ToolTipRole:
            if cell in row.problems:
                return row.problems[cell]
            if column == PROBLEMS and row.problems:
                return "\n".join(self.plan.reasons(row))
        return None

    def _display(self, row: Row, column: int, cell: int) -> str:
        if column == ROW:
            return str(row.number)
        if column == RESULT:
            return self.result_text(row)
        if column == PROBLEMS:
            return join_sentences(self.plan.reasons(row))
        value = row.cells[cell] if cell < len(row.cells) else None
        if cell in row.problems and row.kind is Kind.INVALID:
            return text(value)  # the operator must see what is wrong
        if cell == self._birth_date and value not in (None, ""):
            return birth_date(value)  # a date serial or 1990.3.7 as the date it is
        mask = self._masks.get(cell)
        return mask(text(value)) if mask else text(value)

    def result_text(self, row: Row) -> str:
        if row.kind is Kind.UPDATED:
            changed = join_words([field_label(f) for f in row.changes])
            label = _("Update: {fields}").format(fields=changed)
        else:
            label = row.kind.label
        return label if row.include else _("{result} (left out)").format(result=label)

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != ROW:
            return False
        row = self.plan.rows[index.row()]
        if row.kind not in (Kind.NEW, Kind.UPDATED):
            return False
        row.include = Qt.CheckState(value) == Qt.CheckState.Checked
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), RESULT))
        self.choice_changed.emit()
        return True


class ProblemFilter(QSortFilterProxyModel):
    """Only the rows that are not imported as they stand (invalid, duplicate, left out) when
    ``problems_only`` is set."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.problems_only = False

    def set_problems_only(self, on: bool) -> None:
        self.beginFilterChange()
        self.problems_only = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        if not self.problems_only:
            return True
        model = self.sourceModel()
        assert isinstance(model, PreviewModel)
        row = model.plan.rows[source_row]
        return row.kind in (Kind.INVALID, Kind.DUPLICATE) or not row.include
