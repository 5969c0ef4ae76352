"""Read signed sheets: choose the files, read them off the UI thread, then review."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from trainer_app.i18n import _
from trainer_app.services import sheets
from trainer_app.store import Store
from trainer_app.ui.errors import show_error
from trainer_app.ui.sheets.review import ReviewDialog
from trainer_app.ui.tasks import Task, store_task


def choose_files(parent: QWidget) -> list[Path]:
    files, _filter = QFileDialog.getOpenFileNames(
        parent, _("Read signed sheets"), "",
        _("Photos, scans and PDFs") + " (*.jpg *.jpeg *.png *.tif *.tiff *.pdf)")
    return [Path(f) for f in files]


def read_sheets(parent: QWidget, store: Store, files: list[Path], lesson_id: str | None,
                done: Callable[[ReviewDialog | None], None]) -> Task:
    """Read ``files`` in the background, then open the review (``done`` gets it once shown,
    or None when nothing could be read)."""
    task = store_task(store.path, lambda s, progress, cancelled: sheets.read(
        s, files, lesson_id, progress, cancelled), label=_("Reading the sheets…"), parent=parent)

    def review(batch: sheets.SheetBatch) -> None:
        if not batch.kept:
            QMessageBox.information(parent, _("Read signed sheets"), "\n".join(
                f"{p.file.name}: {p.message}" for p in batch.pages) or _("No files."))
            done(None)
            return
        dialog = ReviewDialog(store, batch, parent)
        dialog.open()
        done(dialog)

    task.succeeded.connect(review)
    task.failed.connect(lambda exc: show_error(parent, exc))
    return task.start()
