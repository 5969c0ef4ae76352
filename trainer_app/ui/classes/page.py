"""The Classes section: the list of classes above, the chosen class in detail below."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain.models import ClassStatus
from trainer_app.i18n import _
from trainer_app.services import classes
from trainer_app.store import Store
from trainer_app.ui import counts
from trainer_app.ui.classes.detail import ClassDetail
from trainer_app.ui.classes.form import ClassForm
from trainer_app.ui.classes.models import ClassTableModel
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import EmptyHint, configure_table, selected_row, show_row


class ClassesPage(Retranslating, QWidget):
    changed = Signal()  # a class, its lessons or its enrollments were written

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._reloading = False
        self.model = ClassTableModel(self)

        self.filter_label = QLabel()
        self.filter = QComboBox(objectName="class_filter")
        self.filter_label.setBuddy(self.filter)
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.new_button = QPushButton(objectName="new_class")
        self.edit_button = QPushButton(objectName="edit_class")
        self.new_button.clicked.connect(self.new_class)
        self.edit_button.clicked.connect(self.edit_class)
        self.count = QLabel()

        self.table = QTableView(objectName="class_table")
        self.table.setModel(self.model)
        configure_table(self.table, (190, 130, 70, 160, 245, 70, 70, 90), stretch=0)
        self.empty_hint = EmptyHint(self.table, lambda: _(
            "No classes yet: press New class… to schedule the first."))
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.activated.connect(lambda _index: self.edit_class())

        self.detail = ClassDetail(store)
        self.detail.changed.connect(self._detail_changed)

        top = QHBoxLayout()
        top.addWidget(self.filter_label)
        top.addWidget(self.filter)
        top.addWidget(self.new_button)
        top.addWidget(self.edit_button)
        top.addStretch(1)
        top.addWidget(self.count)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(top)
        upper_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(self.detail)
        # the list shows about eight classes at the window's default size, the detail the rest
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_class)

        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.filter_label.setText(_("Sho&w:"))
        current = self.filter.currentData()
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItem(_("All classes"), None)
        for status in ClassStatus:
            self.filter.addItem(status.label, str(status))
        self.filter.setCurrentIndex(max(0, self.filter.findData(current)))
        self.filter.blockSignals(False)
        self.new_button.setText(_("&New class…"))
        self.edit_button.setText(_("E&dit class…"))
        self.model.retranslate()
        self._update_count()

    # -- reading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the list and the chosen class (after changes made elsewhere)."""
        self._reload_list()
        self.detail.set_class(self.selected_id())

    def _reload_list(self, select: str | None = None) -> None:
        keep = select or self.selected_id() or self.detail.class_id()
        self._reloading = True
        try:
            self.model.set_rows(classes.list_all(self._store))
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
        finally:
            self._reloading = False
        row = self.model.row_of(keep)
        if row < 0 and self.model.rowCount():
            running = [i for i, r in enumerate(self.model.rows()) if r["status"] == "running"]
            row = running[0] if running else 0
        self._reloading = True
        try:
            show_row(self.table, row)
        finally:
            self._reloading = False
        self._update_count()
        self.edit_button.setEnabled(row >= 0)

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count.setText(counts.classes(n))

    def selected_id(self) -> str | None:
        return self.model.row_id(selected_row(self.table))

    def select(self, class_id: str) -> None:
        row = self.model.row_of(class_id)
        if row < 0 and self.filter.currentIndex() != 0:
            self.filter.setCurrentIndex(0)  # show every class, so the new one is visible
            row = self.model.row_of(class_id)
        show_row(self.table, row)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._reloading:
            return
        class_id = self.selected_id()
        self.edit_button.setEnabled(class_id is not None)
        if class_id != self.detail.class_id():
            self.detail.set_class(class_id)

    def _filter_changed(self) -> None:
        keep = self.detail.class_id()
        self._reloading = True
        try:
            self.model.set_status_filter(self.filter.currentData())
        finally:
            self._reloading = False
        self._reload_list(keep)
        if self.selected_id() != self.detail.class_id():
            self.detail.set_class(self.selected_id())

    def _detail_changed(self) -> None:
        self._reload_list(self.detail.class_id())
        if self.selected_id() != self.detail.class_id():  # e.g. filtered out by its new status
            self.detail.set_class(self.selected_id())
        self.changed.emit()

    # -- writing ----------------------------------------------------------------------------
    def form(self, class_id: str | None = None) -> ClassForm:
        return ClassForm(self._store, class_id, parent=self)

    def new_class(self) -> None:
        form = self.form()
        if form.exec() and form.saved_id:
            self._after_save(form.saved_id)

    def edit_class(self) -> None:
        class_id = self.selected_id()
        if not class_id:
            return
        try:
            form = self.form(class_id)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        if form.exec():
            self._after_save(class_id)

    def _after_save(self, class_id: str) -> None:
        self._reload_list(class_id)
        self.select(class_id)
        self.detail.set_class(class_id)
        self.changed.emit()
