"""Long work off the UI thread: a small task object that reports back by signals.

As in Anki, a background operation is a callable run on a worker thread; it is given a
``progress(done, total)`` callback and a ``cancelled()`` question, and it never touches a widget.
Its progress, result or error come back as signals, delivered on the UI thread. A progress
dialog with a Cancel button appears only when the work lasts longer than a short delay, so quick
work does not flash a window.

Database work opens its own :class:`Store` on the same file (an SQLite connection belongs to the
thread that uses it): give :func:`store_task` the database *path*, never the UI's store.

    task = store_task(store.path, lambda s, progress, cancelled: work(s, progress, cancelled),
                      label=_("Writing certificates…"), parent=self)
    task.succeeded.connect(self._written)
    task.failed.connect(lambda exc: show_error(self, exc))
    task.start()
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from trainer_app import cancel, i18n
from trainer_app.i18n import _
from trainer_app.store import Store

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
Work = Callable[[Progress, Cancelled], Any]
StoreWork = Callable[[Store, Progress, Cancelled], Any]

SHOW_AFTER_MS = 400  # a progress dialog only for work that lasts longer than this

_pool: QThreadPool | None = None


def finish() -> None:
    """Let the work still running end before the program does (at quit, while Python is whole:
    a worker left running at interpreter exit would hang it)."""
    if _pool is not None:
        _pool.waitForDone()


def pool() -> QThreadPool:
    """The workers' pool: one thread, so background writes to the database never race."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
        _pool.setExpiryTimeout(-1)
    return _pool


class _Bridge(QObject):
    """Emitted from the worker thread; Qt queues the signals to the task on the UI thread."""

    progressed = Signal(int, int)
    returned = Signal(object)
    raised = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, work: Work, bridge: _Bridge, flag: threading.Event) -> None:
        super().__init__()
        self._work = work
        self._bridge = bridge  # kept alive here as long as the worker may emit
        self._flag = flag

    def run(self) -> None:
        def progress(done: int, total: int) -> None:
            self._bridge.progressed.emit(int(done), int(total))

        try:
            result = self._work(progress, self._flag.is_set)
        except BaseException as exc:  # noqa: BLE001 - every error goes back to the UI thread
            self._bridge.raised.emit(exc)
        else:
            self._bridge.returned.emit(result)


class Task(QObject):
    """One background operation. Connect to its signals, then :meth:`start` it.

    Exactly one of ``succeeded(result)``, ``failed(exception)`` or ``cancelled()`` is emitted,
    then ``ended()``. A task cancelled by the user whose work stops by raising (e.g.
    ``trainer_app.pdf.atomic.Cancelled``) reports ``cancelled``, not ``failed``; work that
    completes despite a late cancel still reports its result.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    ended = Signal()

    def __init__(
        self,
        work: Work,
        label: str = "",
        parent: QWidget | None = None,
        show_after_ms: int = SHOW_AFTER_MS,
        cancellable: bool = True,
    ) -> None:
        super().__init__(parent)
        self._work = work
        self._label = label
        self._widget = parent
        self._cancellable = cancellable
        self._flag = threading.Event()
        self._running = False
        self._progress: tuple[int, int] = (0, 0)
        self.dialog: QProgressDialog | None = None
        self.outcome: str = ""  # "succeeded", "failed" or "cancelled" once ended
        self.result: Any = None
        self.error: BaseException | None = None
        self._bridge = _Bridge()
        self._bridge.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._bridge.returned.connect(self._on_returned, Qt.ConnectionType.QueuedConnection)
        self._bridge.raised.connect(self._on_raised, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self, singleShot=True, interval=max(0, show_after_ms))
        self._timer.timeout.connect(self._show_dialog)

    # -- control ---------------------------------------------------------------------------
    def start(self) -> Task:
        if self._running or self.outcome:
            raise RuntimeError("a task runs once")
        self._running = True
        _alive.add(self)
        self._timer.start()
        pool().start(_Runnable(self._work, self._bridge, self._flag))
        return self

    def cancel(self) -> None:
        """Ask the work to stop; it notices the next time it checks ``cancelled()``."""
        if self._running:
            self._flag.set()
            if self.dialog is not None:
                self.dialog.setLabelText(_("Stopping…"))
                for button in self.dialog.findChildren(QPushButton):
                    button.setEnabled(False)  # not removed: it may be the one being clicked

    def is_running(self) -> bool:
        return self._running

    def is_cancelled(self) -> bool:
        return self._flag.is_set()

    def progress(self) -> tuple[int, int]:
        """The last ``(done, total)`` reported by the work."""
        return self._progress

    # -- the progress dialog -----------------------------------------------------------------
    def _show_dialog(self) -> None:
        if not self._running or self.dialog is not None:
            return
        dialog = QProgressDialog(self._widget, objectName="task_progress")
        dialog.setWindowTitle(i18n.app_name())
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.setMinimumWidth(380)
        if self._cancellable:
            dialog.setCancelButtonText(_("Cancel"))
            dialog.canceled.connect(self.cancel)
        else:
            dialog.setCancelButton(None)  # type: ignore[arg-type]
        self.dialog = dialog
        self._update_dialog()
        dialog.show()

    def _update_dialog(self) -> None:
        dialog = self.dialog
        if dialog is None or self._flag.is_set():
            return
        done, total = self._progress
        if total > 0:
            dialog.setRange(0, total)
            dialog.setValue(min(done, total))
            dialog.setLabelText(
                _("{label}\n{done} of {total}").format(
                    label=self._label,
                    done=i18n.format_number(done, 0),
                    total=i18n.format_number(total, 0),
                )
            )
        else:
            dialog.setRange(0, 0)  # busy, no known end
            dialog.setLabelText(self._label)

    # -- from the worker (on the UI thread) ----------------------------------------------------
    def _on_progress(self, done: int, total: int) -> None:
        if not self._running:
            return
        self._progress = (done, total)
        self._update_dialog()
        self.progressed.emit(done, total)

    def _on_returned(self, result: object) -> None:
        self.result = result
        self._end("succeeded")
        self.succeeded.emit(result)
        self.ended.emit()

    def _on_raised(self, exc: BaseException) -> None:
        # After Cancel, only the work's own way of stopping counts as cancelled; a real error
        # (a full disk, a locked file) is still shown.
        if self._flag.is_set() and isinstance(exc, cancel.Cancelled | KeyboardInterrupt):
            self._end("cancelled")
            self.cancelled.emit()
        else:
            self.error = exc
            self._end("failed")
            self.failed.emit(exc)
        self.ended.emit()

    def _end(self, outcome: str) -> None:
        self._running = False
        self.outcome = outcome
        self._timer.stop()
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        _alive.discard(self)


_alive: set[Task] = set()  # running tasks stay referenced until they end


def store_task(
    db_path: str | Path,
    work: StoreWork,
    label: str = "",
    parent: QWidget | None = None,
    show_after_ms: int = SHOW_AFTER_MS,
    cancellable: bool = True,
) -> Task:
    """A task whose work gets its own :class:`Store` opened on ``db_path`` in the worker."""
    path = Path(db_path)

    def run(progress: Progress, cancelled: Cancelled) -> Any:
        store = Store(path)
        try:
            return work(store, progress, cancelled)
        finally:
            store.close()

    return Task(run, label, parent, show_after_ms, cancellable)
