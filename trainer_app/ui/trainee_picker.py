"""Choosing several trainees with the trainee list's own search (name, pinyin, initials, ID or
phone digits, village).

The ticks survive a new search: type ``wxm``, tick 王小明, type ``lisi``, tick 李四. Keys: type to
search, Enter ticks the highlighted match (the first one unless you moved), Down goes to the
list, Space ticks there, Ctrl+Enter confirms.
"""

from __future__ import annotations

from typing import Any

from babel.lists import format_list
from PySide6.QtCore import (
    QEvent,
    QIdentityProxyModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.i18n import _, ngettext
from trainer_app.services.trainee_list import TraineeList
from trainer_app.store import Store
from trainer_app.ui import counts
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import header_labels, plain_table
from trainer_app.ui.trainees.model import TraineeTableModel, labels

Index = QModelIndex | QPersistentModelIndex
SHOWN_NAMES = 8


def name_list(names: list[str], limit: int = SHOWN_NAMES) -> str:
    """"王小明、李四和张三" / "A, B, and C", the first ``limit`` names then "…"."""
    shown = format_list(names[:limit], locale=i18n.babel_locale()) if names else ""
    return shown + ("…" if len(names) > limit else "")


class CheckedTrainees(QIdentityProxyModel):
    """The trainee table with a tick in its first column. ``locked`` trainees (already enrolled)
    show ticked and greyed, and cannot be chosen again."""

    def __init__(self, source: TraineeTableModel, locked: set[str], parent: QObject | None = None):
        super().__init__(parent)
        self.setSourceModel(source)
        self._source = source
        self.locked = set(locked)
        self.chosen: dict[str, str] = {}  # id -> name, in the order chosen

    def trainee(self, row: int) -> dict | None:
        return self._source.row(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.ForegroundRole,
                    Qt.ItemDataRole.ToolTipRole):
            trainee = self._source.row(index.row())
            trainee_id = trainee["id"] if trainee else ""
            if role == Qt.ItemDataRole.CheckStateRole:
                if index.column() != 0:
                    return None
                ticked = trainee_id in self.chosen or trainee_id in self.locked
                return Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
            if trainee_id in self.locked:
                if role == Qt.ItemDataRole.ForegroundRole:
                    return QBrush(QColor("#8a8a8a"))
                return _("Already enrolled")
        return super().data(index, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        ticked = Qt.CheckState(value) == Qt.CheckState.Checked
        return self.set_ticked(index.row(), ticked)

    def set_ticked(self, row: int, ticked: bool) -> bool:
        trainee = self._source.row(row)
        if not trainee or trainee["id"] in self.locked:
            return False
        if ticked:
            self.chosen.setdefault(trainee["id"], trainee["name"])
        else:
            self.chosen.pop(trainee["id"], None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        return True

    def toggle(self, row: int) -> bool:
        trainee = self._source.row(row)
        return bool(trainee) and self.set_ticked(row, trainee["id"] not in self.chosen)


class TraineePicker(Retranslating, QDialog):
    """A dialog to tick trainees; ``chosen_ids()`` after it was accepted."""

    def __init__(
        self,
        store: Store,
        locked: set[str] | None = None,
        parent: QWidget | None = None,
        title: str = "",
        confirm: str = "",
    ) -> None:
        super().__init__(parent)
        self._title = title
        self._confirm = confirm
        self.source = TraineeTableModel(TraineeList(store), self)
        self.model = CheckedTrainees(self.source, locked or set(), self)

        self.search = QLineEdit(objectName="picker_search")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)
        self.search.installEventFilter(self)
        self.matches = QLabel()
        self.table = QTableView(objectName="picker_table")
        self.table.setModel(self.model)
        plain_table(self.table)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.table.doubleClicked.connect(lambda index: self.model.toggle(index.row()))
        self.table.installEventFilter(self)
        self.model.dataChanged.connect(self._update_chosen)
        self.model.modelReset.connect(self._after_search)
        self.chosen_label = QLabel(objectName="picker_chosen", wordWrap=True)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, self._confirm_if_any)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.matches)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.chosen_label)
        layout.addWidget(self.buttons)
        self.retranslate()
        self._after_search()
        self.resize(900, 560)
        self.search.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self._title or _("Choose trainees"))
        self.search.setPlaceholderText(
            _("Search by name, pinyin or initials (wxm), ID or phone digits, village…")
        )
        self.ok_button.setText(self._confirm or _("OK"))
        header_labels(self.table, labels())  # the trainee model has no headerData of its own
        self.source.retranslate()
        self._after_search()
        self.table.resizeColumnsToContents()  # Qt's measure: the check box, dates, names

    # -- ours -------------------------------------------------------------------------------
    def chosen_ids(self) -> list[str]:
        return list(self.model.chosen)

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if watched is self.table and key == Qt.Key.Key_Space:
            self.model.toggle(self.current_row())  # whichever column the cursor is in
            return True
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._confirm_if_any()
            return True
        if watched is self.search:
            if enter:
                self.tick_current()
                return True  # not the dialog's default button
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self.model.rowCount():
                self.table.setFocus()
                return True
        return super().eventFilter(watched, event)

    def tick_current(self) -> None:
        """Enter in the search box: tick (or untick) the highlighted match, then select the
        search text so the next name can be typed straight away."""
        row = self.current_row()
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.model.toggle(row)
        self.search.selectAll()

    def _search_changed(self, text: str) -> None:
        self.source.set_search(text)

    def _after_search(self) -> None:
        n = self.model.rowCount()
        self.matches.setText(counts.trainees(n))
        if n:
            self.table.setCurrentIndex(self.model.index(0, 0))
        self._update_chosen()

    def _update_chosen(self) -> None:
        names = list(self.model.chosen.values())
        n = len(names)
        if not n:
            self.chosen_label.setText(_("No one chosen yet: tick trainees with Space or Enter."))
        else:
            shown = name_list(names)
            self.chosen_label.setText(
                ngettext("{n} chosen: {names}", "{n} chosen: {names}", n).format(
                    n=i18n.format_number(n, 0), names=shown
                )
            )
        self.ok_button.setEnabled(bool(n))

    def _confirm_if_any(self) -> None:
        if self.model.chosen:
            self.accept()
