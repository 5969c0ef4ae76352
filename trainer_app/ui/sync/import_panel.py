"""The county's import side: bundles from chosen files, a folder (a USB stick full of them),
files dropped onto the page, or an inbox folder watched while the program runs; the report of
each import: one row per file, a summary, and the bundles still missing per station."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.i18n import _, ngettext
from trainer_app.store import Store
from trainer_app.sync.bundle import SUFFIX
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.sync import prefs
from trainer_app.ui.sync.importer import Batch, Importer, is_importable
from trainer_app.ui.sync.inbox import InboxWatcher
from trainer_app.ui.sync.report_view import ReportView


def bundle_filter() -> str:
    return _("Trainer sync files (*{suffix});;All files (*)").format(suffix=SUFFIX)


def dropped_paths(mime: QMimeData | None) -> list[Path]:
    """The bundle files and folders among dragged items (local files only)."""
    if mime is None or not mime.hasUrls():
        return []
    out = []
    for url in mime.urls():
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if is_importable(path):
                out.append(path)
    return out


def _now() -> str:
    return i18n.format_datetime(dt.datetime.now())


class ImportPanel(Retranslating, QWidget):
    changed = Signal()  # bundles were applied: the county's records changed
    imported = Signal(object)  # a Batch, after its report is shown

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._last_source = ""  # where the report's bundles came from (inbox ones add up)
        self.importer = Importer(store, self)
        self.importer.started.connect(self._started)
        self.importer.progressed.connect(self._progressed)
        self.importer.finished.connect(self._finished)
        self.importer.failed.connect(self._failed)
        self.watcher = InboxWatcher(self)
        self.watcher.arrived.connect(self._arrived)

        self.box = QGroupBox()
        self.intro = QLabel(wordWrap=True)
        self.files_button = QPushButton(objectName="import_files")
        self.folder_button = QPushButton(objectName="import_folder")
        self.files_button.clicked.connect(self.choose_files)
        self.folder_button.clicked.connect(self.choose_folder)
        self.drop_hint = QLabel(objectName="drop_hint", wordWrap=True)
        self.drop_hint.setStyleSheet("color: #555;")

        self.watch_check = QCheckBox(objectName="watch_inbox")
        self.inbox_edit = QLineEdit(objectName="inbox_folder", readOnly=True)
        self.inbox_button = QPushButton(objectName="choose_inbox")
        self.watch_status = QLabel(objectName="watch_status", wordWrap=True)
        self.watch_status.setStyleSheet("color: #555;")
        self.inbox_edit.setText(prefs.get(prefs.INBOX_DIR))
        self.watch_check.toggled.connect(self._watch_toggled)
        self.inbox_button.clicked.connect(self.choose_inbox)

        self.progress = QProgressBar(objectName="import_progress")
        self.progress_label = QLabel(objectName="import_progress_label")
        self.stop_button = QPushButton(objectName="stop_import")
        self.stop_button.clicked.connect(self.importer.cancel)

        self.report = ReportView(self)

        buttons = QHBoxLayout()
        buttons.addWidget(self.files_button)
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.drop_hint, 1)
        watch = QHBoxLayout()
        watch.addWidget(self.watch_check)
        watch.addWidget(self.inbox_edit, 1)
        watch.addWidget(self.inbox_button)
        progress = QHBoxLayout()
        progress.addWidget(self.progress_label)
        progress.addWidget(self.progress, 1)
        progress.addWidget(self.stop_button)
        self.progress_row = QWidget()
        self.progress_row.setLayout(progress)
        progress.setContentsMargins(0, 0, 0, 0)
        self.progress_row.hide()

        inner = QVBoxLayout(self.box)
        inner.addWidget(self.intro)
        inner.addLayout(buttons)
        inner.addLayout(watch)
        inner.addWidget(self.watch_status)
        inner.addWidget(self.progress_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addWidget(self.report, 1)

        self.retranslate()
        folder = prefs.get(prefs.INBOX_DIR)
        if prefs.get_bool(prefs.INBOX_WATCH) and folder and Path(folder).is_dir():
            self.watch_check.setChecked(True)  # watching goes on where it was left

    def retranslate(self) -> None:
        self.box.setTitle(_("Import bundles from stations"))
        self.intro.setText(_(
            "Each bundle is checked (signature, known and approved station, format) before "
            "anything in it is applied; a bundle imported before changes nothing."))
        self.files_button.setText(_("Import &bundles…"))
        self.files_button.setToolTip(_("Choose one or more bundle files ({suffix}).").format(
            suffix=SUFFIX))
        self.folder_button.setText(_("Import a &folder…"))
        self.folder_button.setToolTip(
            _("Import every bundle in a folder and its subfolders, e.g. a USB stick."))
        self.drop_hint.setText(_("Or drop bundle files or folders onto this page."))
        self.watch_check.setText(_("&Watch inbox folder:"))
        self.watch_check.setToolTip(_(
            "While the program runs, bundles that appear in this folder are imported as soon "
            "as they are completely copied."))
        self.inbox_edit.setPlaceholderText(_("no folder chosen"))
        self.inbox_button.setText(_("Choose…"))
        self.stop_button.setText(_("Stop"))
        self._update_watch_status()
        self.report.retranslate()

    # -- asking for imports ----------------------------------------------------------------
    def choose_files(self) -> None:
        start = prefs.get(prefs.IMPORT_DIR)
        names, _filter = QFileDialog.getOpenFileNames(
            self, _("Import bundles"), start, bundle_filter())
        if names:
            prefs.put(prefs.IMPORT_DIR, str(Path(names[0]).parent))
            self.import_paths([Path(n) for n in names], "files")

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, _("Import every bundle in a folder"), prefs.get(prefs.IMPORT_DIR))
        if folder:
            prefs.put(prefs.IMPORT_DIR, folder)
            self.import_paths([Path(folder)], "folder")

    def import_paths(self, paths: list[Path], source: str) -> None:
        """Import files and folders in the background; the report follows."""
        if not paths:
            return
        self.importer.run(Batch([Path(p) for p in paths], source, quiet=source == "inbox"))

    def drop(self, mime: QMimeData | None) -> bool:
        paths = dropped_paths(mime)
        if paths:
            self.import_paths(paths, "drop")
        return bool(paths)

    # -- the inbox -------------------------------------------------------------------------
    def choose_inbox(self) -> bool:
        folder = QFileDialog.getExistingDirectory(
            self, _("Inbox folder to watch"), self.inbox_edit.text() or prefs.get(
                prefs.IMPORT_DIR))
        if not folder:
            return False
        self.inbox_edit.setText(folder)
        prefs.put(prefs.INBOX_DIR, folder)
        if self.watch_check.isChecked():
            self.watcher.start(Path(folder))
            self._update_watch_status()
        else:
            self.watch_check.setChecked(True)
        return True

    def _watch_toggled(self, on: bool) -> None:
        if on:
            folder = self.inbox_edit.text()
            if not folder or not Path(folder).is_dir():
                self.watch_check.blockSignals(True)
                self.watch_check.setChecked(False)
                self.watch_check.blockSignals(False)
                if not self.choose_inbox():
                    return
                return  # choose_inbox ticked the box, which started watching
            self.watcher.start(Path(folder))
        else:
            self.watcher.stop()
        prefs.put(prefs.INBOX_WATCH, on)
        self._update_watch_status()

    def _update_watch_status(self) -> None:
        if self.watcher.is_watching():
            self.watch_status.setText(_(
                "Watching {folder}: new bundles there are imported while the program runs."
            ).format(folder=self.watcher.folder))
        else:
            self.watch_status.setText(_("The inbox folder is not watched."))

    def _arrived(self, paths: list[Path]) -> None:
        self.import_paths(paths, "inbox")

    # -- progress and report ---------------------------------------------------------------
    def _started(self, batch: Batch) -> None:
        self.progress.setRange(0, 0)
        self.progress_label.setText(_("Importing from the inbox folder…") if batch.quiet
                                    else _("Importing bundles…"))
        self.stop_button.setEnabled(True)
        self.progress_row.show()

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(_("{done} of {total} files").format(done=done, total=total))

    def _finished(self, batch: Batch) -> None:
        self.progress_row.hide()
        title = self._title(batch)
        append = batch.source == "inbox" and self._last_source == "inbox"
        self._last_source = batch.source
        self.report.show_reports(batch.reports, title, append=append)
        if batch.stopped and batch.source == "inbox":
            done = sum(r.status != "cancelled" for r in batch.reports)
            for path in batch.files[done:]:
                self.watcher.forget(path)
            self.watch_check.setChecked(False)  # cancelled: the user wants it to stop
        if any(r.status == "applied" for r in batch.reports):
            self.changed.emit()
        self.imported.emit(batch)

    def _failed(self, batch: Batch, exc: BaseException) -> None:
        self.progress_row.hide()
        show_error(self, exc)

    def _title(self, batch: Batch):
        at = _now()
        n = len(batch.reports)
        stopped = batch.stopped
        files_total = len(batch.files)

        def title() -> str:
            if batch.source == "inbox":
                text = _("Imported from the inbox folder {folder} (last at {time})").format(
                    folder=self.watcher.folder or self.inbox_edit.text(), time=at)
            elif batch.source == "folder":
                text = _("Imported from {folder} at {time}").format(
                    folder=batch.paths[0], time=at)
            elif batch.source == "drop":
                text = _("Imported what was dropped on the page at {time}").format(time=at)
            else:
                text = ngettext("Imported {n} chosen file at {time}",
                                "Imported {n} chosen files at {time}", n).format(n=n, time=at)
            if stopped:
                text += " " + _("— stopped after {done} of {total} files.").format(
                    done=n, total=files_total)
            return text

        return title

    def is_busy(self) -> bool:
        return self.importer.busy()

