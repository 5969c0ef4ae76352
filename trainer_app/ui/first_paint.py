"""Work a widget's first paint does not need, run once that paint is over."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class AfterFirstPaint(QObject):
    """Calls ``callback`` once, from the event loop, when ``widget``'s first paint pass is over,
    or after ``latest_ms`` if it has not been painted by then (a window started minimized).

    For work the first paint does not need: a zero timer from the constructor would run before
    the paint, since the window system's expose event comes after the timers already queued.
    """

    def __init__(self, widget: QWidget, callback: Callable[[], None],
                 latest_ms: int = 2_000) -> None:
        super().__init__(widget)
        self._widget, self._callback = widget, callback
        widget.installEventFilter(self)
        QTimer.singleShot(latest_ms, self, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            QTimer.singleShot(0, self, self._run)  # once the paint pass under way is done
        return False

    def _run(self) -> None:
        if self._callback is not None:
            callback, self._callback = self._callback, None
            self._widget.removeEventFilter(self)
            callback()
