"""A small horizontal bar chart drawn with QPainter: one bar per category, the label on the left
(Chinese station and course names are long, so bars run across), the value at the bar's end,
and a click on a bar reported by its index.

Why not QtCharts: PySide6-Essentials, which the program ships, has no QtCharts; PySide6-Addons
would add well over 100 MB to the frozen build for a few bar charts. Exported workbooks carry
native Excel charts and the PDF draws its own, so the screen only needs this.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from trainer_app import i18n

BAR = QColor("#2563eb")
BAR_HOVER = QColor("#1d4ed8")
TRACK = QColor("#eef2f7")
TEXT = QColor("#1f2937")
MUTED = QColor("#6b7280")


def whole_number(value: float) -> str:
    return i18n.format_number(value, 0)


class BarChart(QWidget):
    """Bars of ``(label, value)``; ``bar_clicked(index)`` when a bar (or its label) is
    clicked."""

    bar_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = ""
        self.empty_text = ""
        self.bars: list[tuple[str, float]] = []
        self._value_text: Callable[[float], str] = whole_number
        self._hover = -1
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    # -- data -----------------------------------------------------------------------------------
    def set_bars(self, bars: Sequence[tuple[str, float]],
                 value_text: Callable[[float], str] = whole_number) -> None:
        self.bars = [(str(label), float(value)) for label, value in bars]
        self._value_text = value_text
        self._hover = -1
        self.updateGeometry()
        self.update()

    def set_title(self, title: str) -> None:
        self.title = title
        self.update()

    def set_empty_text(self, text: str) -> None:
        self.empty_text = text
        self.update()

    # -- geometry -------------------------------------------------------------------------------
    def _row_height(self) -> int:
        return max(22, QFontMetrics(self.font()).height() + 8)

    def _top(self) -> int:
        return QFontMetrics(self.font()).height() + 10 if self.title else 4

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        rows = max(len(self.bars), 2)
        return QSize(380, self._top() + rows * self._row_height() + 6)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(240, self.sizeHint().height())

    def _label_width(self) -> int:
        metrics = QFontMetrics(self.font())
        widest = max((metrics.horizontalAdvance(label) for label, _v in self.bars), default=0)
        return min(widest + 12, int(self.width() * 0.4))

    def bar_rect(self, index: int) -> QRectF:
        """Where bar ``index`` may reach (its full track)."""
        row = self._row_height()
        left = self._label_width()
        value_room = QFontMetrics(self.font()).horizontalAdvance(" 000,000.0 ")
        width = max(10, self.width() - left - value_room - 4)
        return QRectF(left, self._top() + index * row + 3, width, row - 6)

    def index_at(self, y: float) -> int:
        index = int((y - self._top()) // self._row_height())
        return index if 0 <= index < len(self.bars) and y >= self._top() else -1

    # -- drawing --------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        if self.title:
            bold = self.font()
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(TEXT)
            painter.drawText(QRectF(0, 0, self.width(), self._top() - 4),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             QFontMetrics(bold).elidedText(
                                 self.title, Qt.TextElideMode.ElideRight, self.width()))
            painter.setFont(self.font())
        if not self.bars:
            painter.setPen(MUTED)
            painter.drawText(QRectF(0, self._top(), self.width(), self.height() - self._top()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                             | Qt.TextFlag.TextWordWrap, self.empty_text)
            return
        top = max((v for _l, v in self.bars), default=0) or 1.0
        label_width = self._label_width()
        for i, (label, value) in enumerate(self.bars):
            track = self.bar_rect(i)
            painter.setPen(TEXT)
            painter.drawText(QRectF(0, track.top() - 3, label_width - 8, track.height() + 6),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(label, Qt.TextElideMode.ElideMiddle,
                                                label_width - 8))
            painter.fillRect(track, TRACK)
            bar = QRectF(track.left(), track.top(), track.width() * max(value, 0) / top,
                         track.height())
            painter.fillRect(bar, BAR_HOVER if i == self._hover else BAR)
            painter.setPen(TEXT)
            painter.drawText(QRectF(bar.right() + 4, track.top() - 3, self.width(),
                                    track.height() + 6),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self._value_text(value))

    # -- the mouse --------------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        index = self.index_at(event.position().y())
        if index != self._hover:
            self._hover = index
            self.setCursor(Qt.CursorShape.PointingHandCursor if index >= 0
                           else Qt.CursorShape.ArrowCursor)
            self.update()
            if index >= 0:
                label, value = self.bars[index]
                QToolTip.showText(event.globalPosition().toPoint(),
                                  f"{label}: {self._value_text(value)}", self)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._hover = -1
        self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            index = self.index_at(event.position().y())
            if index >= 0:
                self.bar_clicked.emit(index)
        super().mouseReleaseEvent(event)
