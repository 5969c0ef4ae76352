"""The sheet's table view: keys mark the selected rows, other typing goes to the search box."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QTableView, QWidget

from trainer_app.domain.models import AttendanceStatus
from trainer_app.ui.tables import plain_table

STATUS_KEYS: dict[int, AttendanceStatus] = {
    Qt.Key.Key_P: AttendanceStatus.PRESENT,
    Qt.Key.Key_1: AttendanceStatus.PRESENT,
    Qt.Key.Key_L: AttendanceStatus.LATE,
    Qt.Key.Key_2: AttendanceStatus.LATE,
    Qt.Key.Key_E: AttendanceStatus.EXCUSED,
    Qt.Key.Key_3: AttendanceStatus.EXCUSED,
    Qt.Key.Key_A: AttendanceStatus.ABSENT,
    Qt.Key.Key_4: AttendanceStatus.ABSENT,
}
_PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)


class SheetView(QTableView):
    status_key = Signal(object)  # an AttendanceStatus for the selected rows
    cycle_key = Signal()  # Space: the next status
    typed = Signal(str)  # any other text: continue in the search box (a scanner's "T…")
    leave = Signal()  # Escape: back to the search box
    clear_key = Signal()  # Delete or 0: back to "not marked yet"

    def __init__(self, parent: QWidget | None = None, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        plain_table(self, (90, 120, 150, 110, 100), multi=True, row_height=28)
        self.setAlternatingRowColors(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = modifiers == Qt.KeyboardModifier.NoModifier
        key = event.key()
        if plain and key in STATUS_KEYS:
            self.status_key.emit(STATUS_KEYS[Qt.Key(key)])
        elif plain and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_0):
            self.clear_key.emit()
        elif plain and key == Qt.Key.Key_Space:
            self.cycle_key.emit()
        elif plain and key == Qt.Key.Key_Escape:
            self.leave.emit()
        elif (
            not modifiers & ~Qt.KeyboardModifier.ShiftModifier
            and event.text()
            and event.text().isprintable()
        ):
            self.typed.emit(event.text())
        else:
            super().keyPressEvent(event)
            return
        event.accept()
