"""Typing into real widgets as a user would, including Chinese text.

QTest.keyClicks only knows ASCII keys; Chinese arrives from an input method as a committed
string, so non-ASCII text is sent as a QInputMethodEvent, exactly what an IME delivers.
"""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def type_text(qtbot, widget: QWidget, text: str) -> None:
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
