"""Importing bundles in the background, one batch after another.

A batch is a list of files and folders (folders are searched for bundles, as on a USB stick
full of them). The work runs on the tasks' worker with its own database connection, with
progress per file and cancel; batches asked for while one runs wait their turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from trainer_app.i18n import _
from trainer_app.store import Store
from trainer_app.sync import exchange
from trainer_app.sync.bundle import SUFFIX
from trainer_app.ui.tasks import SHOW_AFTER_MS, Task, store_task

QUIET_MS = 2**31 - 1  # a batch nobody asked for in the foreground: no progress dialog


def is_importable(path: Path) -> bool:
    """A dropped or chosen item worth importing: a folder, or anything named like a bundle (a
    pipe or a device so named is reported as skipped, never opened)."""
    return path.is_dir() or path.name.lower().endswith(SUFFIX)


@dataclass
class Batch:
    paths: list[Path]
    source: str  # files, folder, drop, inbox, county
    quiet: bool = False  # no progress dialog (the inbox's: it runs while the user works)
    files: list[Path] = field(default_factory=list)  # filled in when it ran
    reports: list[exchange.ImportReport] = field(default_factory=list)
    stopped: bool = False  # cancelled: ``reports`` holds the files done before


class Importer(QObject):
    """Runs batches; ``finished(batch)`` after each, ``failed(batch, error)`` when one broke."""

    started = Signal(object)
    progressed = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object, object)

    def __init__(self, store: Store, widget: QWidget) -> None:
        super().__init__(widget)
        self._store = store
        self._widget = widget
        self._queue: list[Batch] = []
        self.task: Task | None = None
        self.batch: Batch | None = None

    def busy(self) -> bool:
        return self.task is not None

    def waiting(self) -> int:
        return len(self._queue)

    def run(self, batch: Batch) -> None:
        self._queue.append(batch)
        self._next()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _next(self) -> None:
        if self.task is not None or not self._queue:
            return
        batch = self.batch = self._queue.pop(0)

        def work(store: Store, progress, cancelled):
            files = exchange.bundle_files(batch.paths)
            progress(0, len(files))
            reports = exchange.import_many(
                store, files, progress=lambda n: progress(n, len(files)), cancelled=cancelled)
            return files, reports

        task = store_task(self._store.path, work, label=_("Importing bundles…"),
                          parent=self._widget,
                          show_after_ms=QUIET_MS if batch.quiet else SHOW_AFTER_MS)
        task.progressed.connect(self.progressed)
        task.succeeded.connect(lambda result: self._done(batch, result, False))
        task.cancelled.connect(lambda: self._done(batch, None, True))
        task.failed.connect(lambda exc: self._failed(batch, exc))
        task.ended.connect(self._ended)
        self.task = task
        self.started.emit(batch)
        task.start()

    def _done(self, batch: Batch, result, stopped: bool) -> None:
        if result is not None:
            batch.files, batch.reports = result
        batch.stopped = stopped or (self.task is not None and self.task.is_cancelled())
        self.finished.emit(batch)

    def _failed(self, batch: Batch, exc: BaseException) -> None:
        self.failed.emit(batch, exc)

    def _ended(self) -> None:
        self.task = None
        self.batch = None
        self._next()
