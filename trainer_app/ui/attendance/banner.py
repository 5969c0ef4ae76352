"""The confirmation line above the sheet: green for a mark, grey for news, red for an error."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


class Tone(Enum):
    IDLE = "idle"
    OK = "ok"
    INFO = "info"
    ERROR = "error"


STYLES = {
    Tone.IDLE: "background: #f3f4f6; color: #555555; border: 1px solid #e0e0e0;",
    Tone.OK: "background: #1f8a3b; color: white; border: 1px solid #16692c;",
    Tone.INFO: "background: #e8eef7; color: #1f2d44; border: 1px solid #c5d3e8;",
    Tone.ERROR: "background: #c62828; color: white; border: 1px solid #9f1d1d;",
}


class ScanBanner(QLabel):
    """Shows the outcome of the last scan or action. The message is kept as a function so it
    can be re-read in another language when the language switches."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="scan_banner")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        self.setMinimumHeight(44)
        font = self.font()
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * 1.35)
            self.setFont(font)
        self.tone = Tone.IDLE
        self._message: Callable[[], str] = lambda: ""
        self.show_message(Tone.IDLE, lambda: "")

    def show_message(self, tone: Tone, message: Callable[[], str]) -> None:
        self.tone = tone
        self._message = message
        self.setStyleSheet(f"QLabel {{ {STYLES[tone]} border-radius: 4px; padding: 6px 10px; }}")
        self.retranslate()

    def retranslate(self) -> None:
        self.setText(self._message())
