"""Bringing in a committee's list: choose (or drop) the file and the sheet, check what each
column means, see what every row will do, leave rows out, import with progress and cancel, and
save the rows to correct or a blank template.

Reading the file, the preview and the import run off the UI thread (:mod:`trainer_app.ui.tasks`);
nothing is written before the operator presses Import, and a cancelled import writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.domain.import_cells import text
from trainer_app.i18n import _, ngettext
from trainer_app.services import classes
from trainer_app.services import trainee_import as ti
from trainer_app.services.sheet_reader import SUFFIXES, Sheet, Workbook
from trainer_app.services.trainee_import_files import write_rejects, write_template
from trainer_app.store import Store
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import configure_table
from trainer_app.ui.tasks import Task, store_task
from trainer_app.ui.trainees.import_mapping import MappingStep
from trainer_app.ui.trainees.import_model import PreviewModel, ProblemFilter

CHOOSE, MAPPING, PREVIEW = range(3)
COLUMN_WIDTHS = (64, 110, 300)  # row, what happens, problems; the list's own columns fit


def dropped_list(event: QDragEnterEvent | QDropEvent) -> Path | None:
    """The one local file a drag carries, if it is a list this dialog reads (or an .et, which
    it explains)."""
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    files = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
    if len(files) == 1 and files[0].suffix.lower() in (*SUFFIXES, ".et"):
        return files[0]
    return None


class ImportDialog(Retranslating, QDialog):
    imported = Signal(object)  # the Outcome, after trainees were written

    def __init__(self, store: Store, path: str | Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainee_import")
        self.setAcceptDrops(True)
        self.resize(980, 640)
        self._store = store
        self.book: Workbook | None = None
        self.sheet: Sheet | None = None
        self.header = 0
        self.plan: ti.Preview | None = None
        self.model: PreviewModel | None = None
        self.task: Task | None = None
        self.outcome: ti.Outcome | None = None

        # step 1: the file and the sheet
        self.intro = QLabel(wordWrap=True)
        self.file_label = QLabel(objectName="import_file")
        self.choose_button = QPushButton(objectName="import_choose")
        self.choose_button.clicked.connect(self.choose_file)
        self.sheet_label = QLabel()
        self.sheet_combo = QComboBox(objectName="import_sheet")
        self.sheet_combo.activated.connect(lambda _i: self.read_sheet())
        self.template_button = QPushButton(objectName="import_template")
        self.template_button.clicked.connect(lambda: self.save_template())
        choose = QWidget()
        grid = QGridLayout(choose)
        grid.addWidget(self.intro, 0, 0, 1, 3)
        grid.addWidget(self.file_label, 1, 0, 1, 2)
        grid.addWidget(self.choose_button, 1, 2)
        grid.addWidget(self.sheet_label, 2, 0)
        grid.addWidget(self.sheet_combo, 2, 1, 1, 2)
        grid.addWidget(self.template_button, 3, 2)
        grid.setRowStretch(4, 1)
        grid.setColumnStretch(1, 1)

        # step 2: what each column holds
        self.mapping_step = MappingStep()

        # step 3: the preview
        self.counts = QLabel(objectName="import_counts", wordWrap=True)
        self.problems_only = QCheckBox(objectName="import_problems_only")
        self.problems_only.toggled.connect(self._filter_problems)
        self.proxy = ProblemFilter(self)
        self.table = QTableView(objectName="import_preview")
        self.table.setModel(self.proxy)
        configure_table(self.table, sortable=False)
        self.class_label = QLabel()
        self.class_combo = QComboBox(objectName="import_class")
        self.rejects_button = QPushButton(objectName="import_rejects")
        self.rejects_button.clicked.connect(lambda: self.save_rejects())
        preview = QWidget()
        box = QVBoxLayout(preview)
        top = QHBoxLayout()
        top.addWidget(self.counts, 1)
        top.addWidget(self.problems_only)
        box.addLayout(top)
        box.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.class_label)
        bottom.addWidget(self.class_combo, 1)
        bottom.addWidget(self.rejects_button)
        box.addLayout(bottom)

        self.stack = QStackedWidget()
        for page in (choose, self.mapping_step, preview):
            self.stack.addWidget(page)
        self.status = QLabel(objectName="import_status", wordWrap=True)
        self.back_button = QPushButton(objectName="import_back")
        self.next_button = QPushButton(objectName="import_next")
        self.import_button = QPushButton(objectName="import_apply")
        self.close_button = QPushButton(objectName="import_close")
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next_step)
        self.import_button.clicked.connect(self.start_import)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.back_button, self.next_button, self.import_button,
                       self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self.retranslate()
        self._update_buttons()
        if path:
            self.open_file(path)

    # -- texts -----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(_("Import trainees from a list"))
        self.intro.setText(_("Choose the list the village committee made in Excel or WPS "
                             "(.xlsx, .xls, .ods or .csv), or drop it here. Nothing is saved "
                             "before you have seen what each row will do."))
        if self.book is None:
            self.file_label.setText(_("No file chosen."))
        self.choose_button.setText(_("Choose file…"))
        self.sheet_label.setText(_("Sheet:"))
        self.template_button.setText(_("Save a blank template…"))
        self.problems_only.setText(_("Only rows with problems"))
        self.class_label.setText(_("Also enroll in class:"))
        self.rejects_button.setText(_("Save rows to correct…"))
        self.back_button.setText(_("< &Back"))
        self.import_button.setText(_("&Import"))
        self.close_button.setText(_("Close"))
        self.mapping_step.retranslate()
        self._update_counts()

    # -- step 1 ----------------------------------------------------------------------------------
    def choose_file(self) -> None:
        patterns = " ".join(f"*{s}" for s in SUFFIXES)
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Choose a list of trainees"), "",
            _("Lists ({patterns});;All files (*)").format(patterns=patterns))
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> None:
        """Read the file's sheets (off the UI thread), then the first sheet."""
        path = Path(path)
        self.file_label.setText(str(path))
        self.stack.setCurrentIndex(CHOOSE)
        self.outcome = None  # a new list can be imported

        def work(progress, cancelled) -> tuple[Workbook, Sheet]:
            book = ti.open_list(path)
            return book, book.sheet()

        self._run(Task(work, _("Reading {file}…").format(file=path.name), self),
                  self._file_read)

    def _file_read(self, result: tuple[Workbook, Sheet]) -> None:
        self.book, sheet = result
        self.sheet_combo.clear()
        self.sheet_combo.addItems(self.book.sheet_names)
        self._sheet_read(sheet)

    def read_sheet(self) -> None:
        if self.book is None:
            return
        book, name = self.book, self.sheet_combo.currentText()
        self._run(Task(lambda p, c: book.sheet(name), _("Reading {sheet}…").format(sheet=name),
                       self), self._sheet_read)

    def _sheet_read(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.plan = None
        self.header = ti.header_index(sheet)
        headers = [text(v) for v in sheet.rows[self.header]] if sheet.rows else []
        self.mapping_step.show_sheet(sheet, self.header,
                                     ti.suggested_mapping(self._store, headers))
        self.stack.setCurrentIndex(MAPPING)
        self._update_buttons()

    # -- step 3 ----------------------------------------------------------------------------------
    def make_preview(self) -> None:
        if self.sheet is None:
            return
        sheet, mapping, header = self.sheet, self.mapping_step.mapping(), self.header
        path = self.book.path if self.book else ""
        task = store_task(self._store.path, lambda s, progress, cancelled: ti.preview(
            s, sheet, mapping, header, path, progress, cancelled),
            _("Checking every row…"), self)
        self._run(task, self._previewed)

    def _previewed(self, plan: ti.Preview) -> None:
        self.plan = plan
        self.model = PreviewModel(plan, self)
        self.model.choice_changed.connect(self._update_counts)
        self.proxy.setSourceModel(self.model)
        self.table.resizeColumnsToContents()  # the first 1,000 rows are measured
        for column, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(column, width)
        self._fill_classes()
        self.stack.setCurrentIndex(PREVIEW)
        self.status.clear()
        self._update_counts()
        self._update_buttons()

    def _fill_classes(self) -> None:
        current = self.class_combo.currentData()
        self.class_combo.clear()
        self.class_combo.addItem(_("(none)"), None)
        for row in classes.list_all(self._store):
            if row["status"] in ("planned", "running"):
                self.class_combo.addItem(f"{row['title']} ({row['start_date']})", row["id"])
        self.class_combo.setCurrentIndex(max(0, self.class_combo.findData(current)))

    def _filter_problems(self, on: bool) -> None:
        self.proxy.set_problems_only(on)

    def leave_out(self, number: int, leave: bool = True) -> None:
        """Leave the row with spreadsheet row ``number`` out (or take it back in)."""
        assert self.model is not None and self.plan is not None
        row = next(i for i, r in enumerate(self.plan.rows) if r.number == number)
        state = Qt.CheckState.Unchecked if leave else Qt.CheckState.Checked
        self.model.setData(self.model.index(row, 0), state, Qt.ItemDataRole.CheckStateRole)

    def _update_counts(self) -> None:
        if self.plan is None:
            self.counts.clear()
            return
        counts = self.plan.counts()
        number = i18n.format_number
        parts = [f"{ti.Kind(k).label}: {number(n, 0)}" for k, n in counts.items()]
        chosen = sum(1 for r in self.plan.rows if r.imported)
        self.counts.setText(" · ".join(parts) + "<br>" + ngettext(
            "<b>{n} row will be imported.</b>", "<b>{n} rows will be imported.</b>",
            chosen).format(n=number(chosen, 0)))
        self._update_buttons()

    # -- importing -------------------------------------------------------------------------------
    def start_import(self) -> None:
        if self.plan is None or self._busy():
            return
        plan, class_id = self.plan, self.class_combo.currentData()
        task = store_task(self._store.path, lambda s, progress, cancelled: ti.apply(
            s, plan, class_id, progress, cancelled), _("Importing trainees…"), self)
        task.cancelled.connect(lambda: self.status.setText(
            _("Import cancelled; nothing was saved.")))
        self._run(task, self._done)

    def _done(self, outcome: ti.Outcome) -> None:
        self.outcome = outcome
        message = _("Imported: {added} new, {updated} updated.").format(
            added=outcome.added, updated=outcome.updated)
        if outcome.enrolled:
            message += " " + ngettext("{n} enrolled in the class.", "{n} enrolled in the class.",
                                      outcome.enrolled).format(n=outcome.enrolled)
        self.status.setText(message)
        self.imported.emit(outcome)
        self._update_buttons()

    # -- files written ---------------------------------------------------------------------------
    def save_rejects(self, path: str | None = None) -> Path | None:
        """After a warning about the full numbers it holds, write the rows not imported."""
        if self.plan is None:
            return None
        if path is None:
            answer = QMessageBox.warning(
                self, _("Rows to correct"),
                _("This workbook holds the ID and phone numbers of these people in full, so "
                  "that the committee can correct them. Keep it on this computer or hand it to "
                  "the committee in person, not on a shared USB stick or in a chat group, and "
                  "delete it once the corrected list is back."),
                QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Ok:
                return None
            suggested = self.plan.path.with_name(self.plan.path.stem + _("-to-correct") + ".xlsx")
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Save rows to correct"), str(suggested), _("Excel workbook (*.xlsx)"))
            if not path:
                return None
        return self._write(lambda p: write_rejects(self.plan, p), path)

    def save_template(self, path: str | None = None) -> Path | None:
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Save a blank template"), _("trainee-list") + ".xlsx",
                _("Excel workbook (*.xlsx)"))
            if not path:
                return None
        return self._write(write_template, path)

    def _write(self, write, path: str) -> Path | None:
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        try:
            write(target)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return None
        self.status.setText(_("Saved {path}.").format(path=target))
        return target

    # -- navigation and tasks --------------------------------------------------------------------
    def next_step(self) -> None:
        if self.stack.currentIndex() == CHOOSE:
            self.read_sheet()
        else:
            self.make_preview()

    def back(self) -> None:
        self.stack.setCurrentIndex(max(CHOOSE, self.stack.currentIndex() - 1))
        self._update_buttons()

    def _busy(self) -> bool:
        return self.task is not None and self.task.is_running()

    def _run(self, task: Task, done) -> None:
        if self._busy():
            return
        self.task = task
        task.succeeded.connect(done)
        task.failed.connect(self._failed)
        task.ended.connect(self._update_buttons)
        self.status.clear()
        task.start()
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(str(exc))
        show_error(self, exc)

    def _update_buttons(self) -> None:
        page, busy = self.stack.currentIndex(), self._busy()
        self.back_button.setEnabled(page != CHOOSE and not busy)
        self.next_button.setVisible(page != PREVIEW)
        self.next_button.setEnabled(not busy and (page == MAPPING or self.book is not None))
        self.next_button.setText(_("&Preview >") if page == MAPPING else _("&Next >"))
        self.import_button.setVisible(page == PREVIEW)
        ready = page == PREVIEW and not busy and self.outcome is None and self.plan is not None
        self.import_button.setEnabled(ready and any(r.imported for r in self.plan.rows))
        self.rejects_button.setEnabled(self.plan is not None and bool(self.plan.left_out()))

    # -- dropping a file -------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if dropped_list(event) and not self._busy():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        path = dropped_list(event)
        if path and not self._busy():
            event.acceptProposedAction()
            self.open_file(path)
