"""The search box that is also the scanner's input, as a part of the attendance page.

A USB barcode scanner types a trainee code and Enter. Typing filters the sheet; Enter scans:
the trainee is marked present with a green banner and a beep, an unknown code gives a red
banner and two beeps and changes nothing, and a trainee who is not enrolled can be enrolled on
the spot (walk-in) after :meth:`ScanBox.confirm_walk_in` (tests replace it). Enter on text that
is no code marks the one enrolled trainee the search found. Afterwards the box is empty and
keeps the focus, so the next card can be scanned at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from trainer_app import i18n
from trainer_app.domain.models import AttendanceStatus, RecordedBy
from trainer_app.i18n import _
from trainer_app.services import attendance
from trainer_app.services.attendance import ScanOutcome
from trainer_app.ui.attendance.banner import ScanBanner, Tone
from trainer_app.ui.attendance.model import SheetModel, status_of
from trainer_app.ui.attendance.view import SheetView
from trainer_app.ui.errors import show_error

CODE_SHAPE = re.compile(r"[Tt]\d+")


def looks_like_code(text: str) -> bool:
    """A trainee code (or a truncated scan of one): never matched as a search on Enter, so a
    misread card cannot mark whoever happens to be the only match."""
    return bool(CODE_SHAPE.fullmatch(text))


def who(trainee: dict) -> str:
    return f"{trainee['name']} ({trainee['code']})"


def beep(times: int = 1) -> None:
    """The audible confirmation: one beep for a mark, two for an error."""
    QApplication.beep()
    for i in range(1, times):
        QTimer.singleShot(180 * i, lambda: QApplication.beep())


class ScanBox:
    """Mixin for :class:`~trainer_app.ui.attendance.page.AttendancePage` (listed before the Qt
    class). Uses the page's ``search``, ``table``, ``model``, ``banner``, ``lesson_id()``,
    ``select_row()``, ``_write()``, ``_load_sheet()``, ``_idle_message()`` and ``changed``."""

    search: QLineEdit
    # The time a scan happens (late or present); a test sets the lesson day's hour.
    clock: Callable[[], dt.datetime] = staticmethod(dt.datetime.now)
    table: SheetView
    model: SheetModel
    banner: ScanBanner

    # -- the search / scan box -------------------------------------------------------------
    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
        QTimer.singleShot(0, self, self._focus_if_visible)

    def _focus_if_visible(self) -> None:
        if self.isVisible():
            self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down arrow in the search box moves into the sheet; Escape empties the box."""
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            if event.key() == Qt.Key.Key_Down and self.model.rowCount():
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                self.select_row(0)
                return True
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                self.banner.show_message(Tone.IDLE, self._idle_message)
                return True
        return super().eventFilter(watched, event)

    def _typed_in_table(self, text: str) -> None:
        """Typing (or a scanner) while the sheet has the focus continues in the search box."""
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.search.insert(text)

    def confirm_walk_in(self, trainee: dict) -> bool:
        """Ask whether to enroll a scanned trainee who is not in this class (tests replace it)."""
        answer = QMessageBox.question(
            self,
            _("Walk-in"),
            _("{who} is not enrolled in this class. Enroll as a walk-in and mark present?").format(
                who=who(trainee)
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def enter(self) -> None:
        """Enter in the box: a scanned code, or a search that found exactly one trainee."""
        text = self.search.text().strip()
        if not text:
            return
        lesson_id = self.lesson_id()
        if not lesson_id:
            self._error(lambda: _("Choose a lesson first."))
            self._clear_search()
            return
        walk_in = False
        try:
            result = attendance.scan(self._store, lesson_id, text, now=self.clock())
            if result.outcome is ScanOutcome.NOT_ENROLLED:
                trainee = result.trainee or {}
                self.banner.show_message(Tone.IDLE, self._idle_message)  # no stale message
                if not self.confirm_walk_in(trainee):
                    self._clear_search()
                    self.banner.show_message(
                        Tone.INFO,
                        lambda: _("{who} is not enrolled; nothing was marked.").format(
                            who=who(trainee)
                        ),
                    )
                    return
                result = attendance.scan(self._store, lesson_id, text, enroll_walk_in=True,
                                         now=self.clock())
                walk_in = True
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            self._clear_search()
            return
        if result.outcome is ScanOutcome.UNKNOWN:
            self._enter_search(text)
            return
        self._clear_search()
        trainee = result.trainee or {}
        if result.outcome is ScanOutcome.MARKED:
            self._load_sheet()
            self.changed.emit()
            self._confirm_marked(trainee, walk_in, result.status)
        else:
            self._load_sheet()
            self._already(trainee)

    def _enter_search(self, text: str) -> None:
        """Enter on text that is no trainee code: act on the search's matches."""
        shown = 0 if looks_like_code(text) else self.model.rowCount()
        if shown == 1:
            row = self.model.row(0) or {}
            trainee = {"id": row["trainee_id"], "name": row["name"], "code": row["code"]}
            self._clear_search()
            if row.get("status") in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
                self._already(trainee)
                return
            if self._write(lambda: attendance.mark(
                self._store, self.lesson_id(), trainee["id"], AttendanceStatus.PRESENT,
                RecordedBy.MANUAL,
            )):
                self._confirm_marked(trainee, False)
            return
        if shown > 1:
            self.banner.show_message(
                Tone.INFO,
                lambda: _("{n} trainees match “{text}”: choose one with the arrow keys and "
                          "press P.").format(n=i18n.format_number(shown, 0), text=text),
            )
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            self.select_row(0)
            return
        self._clear_search()
        if looks_like_code(text):
            self._error(lambda: _("Unknown code “{text}”: no trainee has this code. Nothing was "
                                  "marked.").format(text=text))
        else:
            self._error(lambda: _("No one enrolled in this class matches “{text}”. Nothing was "
                                  "marked.").format(text=text))

    def _confirm_marked(
        self, trainee: dict, walk_in: bool, status: AttendanceStatus | None = None,
    ) -> None:
        self._show_row(trainee.get("id", ""), flash=True)
        late = status is AttendanceStatus.LATE

        def message() -> str:
            if walk_in:
                text = (_("{who} enrolled as a walk-in and marked late") if late
                        else _("{who} enrolled as a walk-in and marked present"))
            else:
                text = _("{who} late") if late else _("{who} present")
            return "✔ " + text.format(who=who(trainee))

        self.banner.show_message(Tone.OK, message)
        beep()

    def _already(self, trainee: dict) -> None:
        """A second scan of someone already present or late: say so, change nothing."""
        self._show_row(trainee.get("id", ""))
        row = self.model.row(self.model.row_of(trainee.get("id", ""))) or {}
        status = status_of(row) or AttendanceStatus.PRESENT
        self.banner.show_message(
            Tone.INFO,
            lambda: _("{who} was already marked: {status}. Nothing changed.").format(
                who=who(trainee), status=status.label
            ),
        )

    def _error(self, message: Callable[[], str]) -> None:
        self.banner.show_message(Tone.ERROR, lambda: "✖ " + message())
        beep(2)

    def _show_row(self, trainee_id: str, flash: bool = False) -> None:
        row = self.model.row_of(trainee_id)
        if row < 0:
            return
        self.table.clearSelection()  # a selected row would hide the highlight
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
        )
        self.table.scrollTo(self.model.index(row, 0))
        if flash:
            self.model.flash(trainee_id)

    def _clear_search(self) -> None:
        self.search.clear()
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
