"""The Trainees section: search-as-you-type list, and register / edit / remove."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trainer_app.i18n import _
from trainer_app.services.trainee_list import TraineeList
from trainer_app.store import Store
from trainer_app.ui import counts
from trainer_app.ui.errors import show_error
from trainer_app.ui.first_paint import AfterFirstPaint
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import (
    EmptyHint,
    header_labels,
    list_view,
    plain_table,
    selected_row,
    show_row,
)
from trainer_app.ui.trainees.model import TraineeTableModel, labels

# When the search index starts being built: after the window's first paint has happened.
INDEX_DELAY_MS = 100


class TraineesPage(Retranslating, QWidget):
    changed = Signal()  # trainees were added, changed or removed

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.model = TraineeTableModel(TraineeList(store), self)
        self._index_asked = False
        self.index_task = None  # the background build of the search index, once shown

        self.search = QLineEdit(objectName="trainee_search")
        self.search.textChanged.connect(self._search_changed)
        self.count = QLabel()
        self.add_button = QPushButton(objectName="add_trainee")
        self.edit_button = QPushButton(objectName="edit_trainee")
        self.delete_button = QPushButton(objectName="delete_trainee")
        self.reveal_button = QPushButton(objectName="reveal_trainee")
        self.import_button = QPushButton(objectName="import_trainees")
        self.import_button.clicked.connect(lambda: self.import_list())
        self.export_button = QPushButton(objectName="export_trainees")
        self.export_button.clicked.connect(lambda: self.export_list())
        self.import_dialog = None
        self.setAcceptDrops(True)  # a committee's list dropped here opens the import
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.delete_button.clicked.connect(self.delete)
        self.reveal_button.clicked.connect(self.reveal)

        self.table = list_view("trainee_table")
        self.table.setModel(self.model)
        # Sorting by a header click is switched on once the list has been painted (see
        # _after_first_paint): the list comes in name order already.
        plain_table(self.table, (80, 110, 60, 120, 170, 120, 150))
        self.empty_hint = EmptyHint(self.table, lambda: _(
            "No one matches “{text}”.").format(text=self.search.text().strip())
            if self.search.text().strip() else _(
            "No trainees yet: press Register… to add the first."))
        self.table.doubleClicked.connect(lambda _index: self.edit())
        self.model.modelReset.connect(self._update_count)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button, self.reveal_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.retranslate()
        self._update_count()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(
            _("Search by name, pinyin or initials (wxm), ID or phone digits, village…")
        )
        self.add_button.setText(_("&Register…"))
        self.edit_button.setText(_("&Edit…"))
        self.delete_button.setText(_("Remove"))
        self.reveal_button.setText(_("Show/hide ID, birth date and phone"))
        self.import_button.setText(_("Import from a list…"))
        self.export_button.setText(_("Export…"))
        header_labels(self.table, labels())
        self.model.retranslate()
        self._update_count()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._index_asked:
            self._index_asked = True
            AfterFirstPaint(self, self._after_first_paint)
            # after the first paint: the search index is built by a worker, not by the first
            # keystroke in the UI thread (200 ms to 2 s at 100,000 trainees on an old PC)
            QTimer.singleShot(INDEX_DELAY_MS, self._build_index)

    def _after_first_paint(self) -> None:
        """The name column's sort arrow, sorting by a header click, the keys and the search's
        clear button: what the list's first paint does without (PySide's ``Qt`` namespace,
        QKeySequence, the style's icons; see ui/tables.py)."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeySequence, QShortcut

        # The indicator first: enabling sorting then asks the model once, in the order it has.
        self.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        QShortcut(QKeySequence.StandardKey.New, self, self.add)
        self.search.setClearButtonEnabled(True)  # its icon (~0.5 ms) shows only over a search

    def _build_index(self) -> None:
        from trainer_app.services.trainee_list import build_index
        from trainer_app.ui.tasks import store_task

        request = self.model.source.index_request()
        task = store_task(self._store.path, lambda store, _p, _c: build_index(store, request),
                          parent=self, show_after_ms=24 * 3600 * 1000, cancellable=False)
        task.succeeded.connect(self.model.source.install)
        self.index_task = task.start()

    def refresh(self) -> None:
        """Read the list again (after an import brought trainees)."""
        self.model.refresh()
        self._update_count()

    def _search_changed(self, text: str) -> None:
        self.model.set_search(text)

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count.setText(counts.trainees(n))

    def selected_id(self) -> str | None:
        return self.model.trainee_id(selected_row(self.table))

    def add(self) -> None:
        from trainer_app.ui.trainees.form import TraineeForm  # not needed to show the list

        form = TraineeForm(self._store, parent=self)
        if form.exec():
            self._after_change(form.saved_id)

    def edit(self) -> None:
        trainee_id = self.selected_id()
        if not trainee_id:
            return
        try:
            from trainer_app.ui.trainees.form import TraineeForm

            form = TraineeForm(self._store, trainee_id, parent=self)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        if form.exec():
            self._after_change(trainee_id)

    def delete(self) -> None:
        from trainer_app.ui import ask  # its dialogs are not needed to show the list

        trainee_id = self.selected_id()
        if not trainee_id:
            return
        row = self.model.row(self.table.selectionModel().selectedRows()[0].row())
        if not ask.confirm(
            self,
            _("Remove trainee"),
            _("Remove {name} ({code}) from the register? Their attendance stays in the "
              "records.").format(name=row["name"], code=row["code"]),
        ):
            return
        try:
            from trainer_app.services import trainees

            trainees.delete(self._store, trainee_id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        self._after_change(None)

    def import_list(self, path: str | None = None) -> None:
        from trainer_app.ui.trainees.import_dialog import ImportDialog

        self.import_dialog = ImportDialog(self._store, path, parent=self)
        self.import_dialog.imported.connect(lambda _outcome: self._after_change(None))
        self.import_dialog.open()

    def export_list(self, path: str | None = None, reveal: bool | None = None):
        """Save the list as shown: this search, this order (the list's own: the header shows it
        only once the list has been painted)."""
        from trainer_app.ui.trainees.export import export_list

        source = self.model.source
        return export_list(self, self._store, self.search.text(), source.sort, source.descending,
                           path, reveal)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        from trainer_app.ui.trainees.import_dialog import dropped_list

        if dropped_list(event):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        from trainer_app.ui.trainees.import_dialog import dropped_list

        path = dropped_list(event)
        if path:
            event.acceptProposedAction()
            self.import_list(str(path))

    def reveal(self) -> None:
        self.model.toggle_reveal(selected_row(self.table))

    def _after_change(self, trainee_id: str | None) -> None:
        self.model.refresh()
        self.changed.emit()
        if trainee_id:
            row = self.model.row_of(trainee_id)
            if row < 0:  # not on a loaded page, or filtered out: show it
                self.search.clear()
                row = self.model.row_of(trainee_id)
            show_row(self.table, row)
