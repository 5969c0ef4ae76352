"""Figures computed off the UI thread, the newest request winning: a request while one runs
stops that one and runs once it ended, so quick changes of filters never pile up work and only
the result of the last request is shown. The Overview and the Reports section share it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from trainer_app.store import Store
from trainer_app.ui import tasks
from trainer_app.ui.when_shown import ReadsWhenShown


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



class RunsWhenShown(ReadsWhenShown):
    """A figures section (Overview, Reports) with ``filters`` (a FilterBar) and ``run()``: its
    filter choices are read again with its figures."""

    def refresh(self) -> None:
        self._dirty = True
        self.filters.reload_choices()
        super().refresh()

    def load(self) -> None:
        self.run()
