"""Figures computed off the UI thread, the newest request winning: a request while one runs
stops that one and runs once it ended, so quick changes of filters never pile up work and only
the result of the last request is shown. The Overview and the Reports section share it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from trainer_app.store import Store
from trainer_app.ui import tasks


class NewestRun(QObject):
    """``succeeded(result)`` or ``failed(exception)`` for the newest request only;
    ``stopped`` when the user cancelled it."""

    succeeded = Signal(object)
    failed = Signal(object)
    stopped = Signal()

    def __init__(self, store: Store, label: str, parent: QWidget) -> None:
        super().__init__(parent)
        self._path = store.path
        self._widget = parent
        self.label = label
        self.task: tasks.Task | None = None
        self._next: tasks.StoreWork | None = None

    def request(self, work: tasks.StoreWork) -> None:
        if self.task is not None:
            self._next = work
            self.task.cancel()
            return
        task = tasks.store_task(self._path, work, label=self.label, parent=self._widget)
        task.succeeded.connect(self._succeeded)
        task.failed.connect(self._failed)
        task.cancelled.connect(self._cancelled)
        task.ended.connect(self._ended)
        self.task = task
        task.start()

    def is_busy(self) -> bool:
        return self.task is not None

    # an outcome counts only when no newer request waits for this one to end
    def _succeeded(self, result: object) -> None:
        if self._next is None:
            self.succeeded.emit(result)

    def _failed(self, exc: BaseException) -> None:
        if self._next is None:
            self.failed.emit(exc)

    def _cancelled(self) -> None:
        if self._next is None:
            self.stopped.emit()

    def _ended(self) -> None:
        self.task = None
        work, self._next = self._next, None
        if work is not None:
            self.request(work)


class RunsWhenShown:
    """A section whose figures are run again when records changed elsewhere: at once when it
    is shown, or else the next time it is. It has ``filters`` (a FilterBar), ``run()`` (which
    clears ``_dirty``) and is mixed in before its QWidget."""

    _dirty = True

    def refresh(self) -> None:
        """Records changed elsewhere: read the choices again, and the figures when shown."""
        self._dirty = True
        self.filters.reload_choices()
        if self.isVisible():
            self.run()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._dirty:
            self.run()
