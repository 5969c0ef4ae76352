"""The Attendance section: choose a lesson, then mark trainees by key, by button or by scanning.

Keys on the sheet (P / L / E / A, 1-4, Space) are read by :mod:`.view`; the scan box's
behaviour lives in :mod:`.scan`; the counts line in :mod:`.summary`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.domain.models import AttendanceStatus
from trainer_app.i18n import _, ngettext
from trainer_app.services import attendance, attendance_views
from trainer_app.store import Store
from trainer_app.ui.attendance.banner import ScanBanner, Tone
from trainer_app.ui.attendance.lessons import grouped, initial_lesson, lesson_label
from trainer_app.ui.attendance.model import SheetModel, status_of
from trainer_app.ui.attendance.scan import ScanBox
from trainer_app.ui.attendance.summary import counts_line
from trainer_app.ui.attendance.view import SheetView
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.sheets.bar import SheetsBar, dropped_sheets
from trainer_app.ui.tables import show_row

CYCLE = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ABSENT,
)
STATUS_KEY_HINTS = {
    AttendanceStatus.PRESENT: "P",
    AttendanceStatus.LATE: "L",
    AttendanceStatus.EXCUSED: "E",
    AttendanceStatus.ABSENT: "A",
}


class AttendancePage(ScanBox, Retranslating, QWidget):
    changed = Signal()  # attendance (or a walk-in's enrollment) was written

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._lessons: list[dict] = []

        self.lesson_label = QLabel()
        self.lesson_combo = QComboBox(objectName="lesson_chooser")
        self.lesson_combo.setMinimumContentsLength(40)
        self.lesson_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.lesson_label.setBuddy(self.lesson_combo)
        self.lesson_combo.currentIndexChanged.connect(self._lesson_chosen)

        self.model = SheetModel(self)
        self.search = QLineEdit(objectName="attendance_search")
        self.search.setClearButtonEnabled(True)
        font = self.search.font()
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * 1.25)
            self.search.setFont(font)
        self.search.textChanged.connect(self.model.set_filter)
        self.search.textChanged.connect(self._update_counts)
        self.search.returnPressed.connect(self.enter)
        self.search.installEventFilter(self)
        self.banner = ScanBanner()
        self.counts = QLabel(objectName="attendance_counts")

        self.table = SheetView(objectName="attendance_table")
        self.table.setModel(self.model)
        self.table.status_key.connect(lambda s: self.mark_selected(s, or_current=True))
        self.table.cycle_key.connect(self.cycle_selected)
        self.table.typed.connect(self._typed_in_table)
        self.table.leave.connect(self.focus_search)
        self.table.clear_key.connect(lambda: self.unmark_selected(or_current=True))
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)

        self.status_buttons: dict[AttendanceStatus, QPushButton] = {}
        for status in AttendanceStatus:
            button = QPushButton(objectName=f"mark_{status}")
            button.clicked.connect(lambda _checked=False, s=status: self.mark_selected(s))
            self.status_buttons[status] = button
        self.unmark_button = QPushButton(objectName="unmark")
        self.unmark_button.clicked.connect(lambda: self.unmark_selected())
        self.all_present_button = QPushButton(objectName="all_present")
        self.all_present_button.clicked.connect(self.all_present)
        self.undo_button = QPushButton(objectName="undo_all_present")
        self.undo_button.clicked.connect(self.undo_all_present)
        self.undo_button.hide()
        self._undo: tuple[str, list[str]] | None = None  # lesson, trainees "all present" marked
        self.sheets_bar = SheetsBar(store, self.lesson_id, self._sheets_recorded)
        self.setAcceptDrops(True)  # photos or scans of a signed sheet dropped here are read

        self._layout()
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        self.retranslate()
        self.refresh()

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.lesson_label)
        top.addWidget(self.lesson_combo, 1)
        scan = QHBoxLayout()
        scan.addWidget(self.search, 1)
        buttons = QHBoxLayout()
        for button in self.status_buttons.values():
            buttons.addWidget(button)
        buttons.addWidget(self.unmark_button)
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.all_present_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(scan)
        layout.addWidget(self.banner)
        # the counts where every section has its list's count: the right end above the list
        layout.addWidget(self.counts, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.sheets_bar)

    # -- language --------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.lesson_label.setText(_("Lesso&n:"))
        self.search.setPlaceholderText(
            _("Scan a trainee card, or type a name, pinyin initials (wxm) or code, then Enter")
        )
        for status, button in self.status_buttons.items():
            button.setText(
                _("{status} ({key})").format(status=status.label, key=STATUS_KEY_HINTS[status])
            )
            button.setToolTip(_("Mark the selected trainees; then the next row is selected."))
        self.unmark_button.setText(_("Not marked (Del)"))
        self.unmark_button.setToolTip(_("Take the selected trainees' marks back."))
        self.undo_button.setText(_("&Undo “all present”"))
        self.all_present_button.setText(_("All unmarked → present"))
        self.all_present_button.setToolTip(
            _("Everyone without a mark yet becomes present; marks already given (late, "
              "excused, absent…) are kept. For \"all present except…\", mark the exceptions "
              "first, then press this.")
        )
        self.table.setToolTip(
            _("P present · L late · E excused · A absent (or 1-4) · Del not marked · Space "
              "cycles · Esc back to the search box")
        )
        self.model.retranslate()
        self.banner.retranslate()
        self.sheets_bar.retranslate()
        self._relabel_lessons()
        self._update_counts()

    def _relabel_lessons(self) -> None:
        by_id = {lesson["id"]: lesson for lesson in self._lessons}
        for i in range(self.lesson_combo.count()):
            lesson = by_id.get(self.lesson_combo.itemData(i))
            if lesson is not None:
                self.lesson_combo.setItemText(
                    i, "    " + lesson_label(lesson, with_class=False))
        if not self._lessons and self.lesson_combo.count():
            self.lesson_combo.setItemText(0, _("No lessons scheduled — create a class first"))

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the lessons (keeping the chosen one) and the sheet."""
        try:
            lessons = attendance.lessons(self._store)
            current = self.lesson_id() or None
            if not any(lesson["id"] == current for lesson in lessons):
                today = attendance.default_lesson(self._store)
                current = initial_lesson(lessons, today["id"] if today else None)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        self._lessons = lessons
        self.lesson_combo.blockSignals(True)
        self.lesson_combo.clear()
        model = self.lesson_combo.model()
        for title, items in grouped(lessons):  # a heading per class, then its lessons
            self.lesson_combo.addItem(title, "")
            heading = model.item(self.lesson_combo.count() - 1)
            heading.setEnabled(False)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            for lesson in items:
                self.lesson_combo.addItem("    " + lesson_label(lesson, with_class=False),
                                          lesson["id"])
        if not lessons:
            self.lesson_combo.addItem(_("No lessons scheduled — create a class first"), "")
        self.lesson_combo.setCurrentIndex(max(0, self.lesson_combo.findData(current)))
        self.lesson_combo.setEnabled(bool(lessons))
        self.lesson_combo.blockSignals(False)
        self._load_sheet()

    def lesson_id(self) -> str:
        return self.lesson_combo.currentData() or ""

    def select_lesson(self, lesson_id: str) -> None:
        index = self.lesson_combo.findData(lesson_id)
        if index >= 0:
            self.lesson_combo.setCurrentIndex(index)

    def _lesson_chosen(self, _index: int) -> None:
        self._set_undo(None)
        self.search.clear()
        self.banner.show_message(Tone.IDLE, self._idle_message)
        self._load_sheet()

    def _load_sheet(self) -> None:
        lesson_id = self.lesson_id()
        try:
            rows = attendance.sheet(self._store, lesson_id) if lesson_id else []
            keys = attendance_views.search_keys(self._store, lesson_id) if lesson_id else {}
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            rows, keys = [], {}
        self.model.set_rows(rows, keys)
        if self.banner.tone is Tone.IDLE:
            self.banner.show_message(Tone.IDLE, self._idle_message)
        self._update_counts()
        self._update_buttons()
        self.sheets_bar.refresh()

    def _idle_message(self) -> str:
        if not self._lessons:
            return _("No lesson to take attendance for yet.")
        return _("Ready: scan a trainee card, or type a name and press Enter.")

    def _update_counts(self, *_args: object) -> None:
        if not self.lesson_id():
            self.counts.setText("")
            return
        if not self.model.all_rows():
            self.counts.setText(
                _("No one is enrolled in this class yet: enroll trainees in Classes, or scan a "
                  "card to enroll a walk-in.")
            )
            return
        self.counts.setText(
            counts_line(self.model.counts(), self.model.rowCount(), len(self.model.all_rows()))
        )

    def _update_buttons(self, *_args: object) -> None:
        has_rows = bool(self._selected_rows())
        for button in (*self.status_buttons.values(), self.unmark_button):
            button.setEnabled(has_rows)
        self.all_present_button.setEnabled(bool(self.model.all_rows()))

    # -- marking by hand -------------------------------------------------------------------
    def _selected_rows(self, or_current: bool = False) -> list[int]:
        """Selected rows; with ``or_current``, the current row when none is selected (a key
        pressed on the sheet right after a scan acts on the scanned row)."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows and or_current and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        return rows

    def mark_selected(self, status: AttendanceStatus, or_current: bool = False) -> None:
        """Give the selected rows ``status`` and select the row after them."""
        rows = self._selected_rows(or_current)
        ids = [tid for tid in (self.model.trainee_id(r) for r in rows) if tid]
        if not ids or not self._write(lambda: attendance_views.mark_many(
            self._store, self.lesson_id(), ids, status
        )):
            return
        self.select_row(min(rows[-1] + 1, self.model.rowCount() - 1))

    def cycle_selected(self) -> None:
        """Space: the next status (present, late, excused, absent, present…); the row stays."""
        rows = self._selected_rows(or_current=True)
        if not rows:
            return
        current = status_of(self.model.row(self.table.currentIndex().row()) or
                            self.model.row(rows[0]) or {})
        status = CYCLE[(CYCLE.index(current) + 1) % len(CYCLE)] if current else CYCLE[0]
        ids = [tid for tid in (self.model.trainee_id(r) for r in rows) if tid]
        self._write(lambda: attendance_views.mark_many(self._store, self.lesson_id(), ids, status))

    def unmark_selected(self, or_current: bool = False) -> None:
        """Delete (or the button): the selected rows go back to "not marked yet"."""
        rows = self._selected_rows(or_current)
        ids = [tid for tid in (self.model.trainee_id(r) for r in rows) if tid]
        if ids:
            self._write(lambda: attendance.unmark(self._store, self.lesson_id(), ids))

    def all_present(self) -> None:
        lesson_id = self.lesson_id()
        if not lesson_id:
            return
        try:
            ids = attendance.unmarked(self._store, lesson_id)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        kept = len(self.model.all_rows()) - len(ids)
        if not ids:
            self.banner.show_message(Tone.INFO, lambda: _("Everyone has a mark already."))
            return
        answer = QMessageBox.question(
            self, _("All unmarked → present"),
            ngettext("Mark the {n} trainee without a mark present?",
                     "Mark the {n} trainees without a mark present?", len(ids)).format(
                n=i18n.format_number(len(ids), 0)),
        )
        if answer != QMessageBox.StandardButton.Yes or not self._write(
            lambda: attendance_views.mark_many(
                self._store, lesson_id, ids, AttendanceStatus.PRESENT)
        ):
            return
        self._set_undo((lesson_id, ids))
        count = len(ids)

        def message() -> str:
            text = ngettext(
                "{n} trainee marked present.", "{n} trainees marked present.", count
            ).format(n=i18n.format_number(count, 0))
            if kept:
                text += " " + ngettext(
                    "{k} mark given before was kept.", "{k} marks given before were kept.", kept
                ).format(k=i18n.format_number(kept, 0))
            return text

        self.banner.show_message(Tone.OK, message)

    def undo_all_present(self) -> None:
        if self._undo is None:
            return
        lesson_id, ids = self._undo
        if self._write(lambda: attendance.unmark(self._store, lesson_id, ids)):
            self._set_undo(None)
            self.banner.show_message(Tone.INFO, lambda: ngettext(
                "{n} mark taken back.", "{n} marks taken back.", len(ids)).format(
                    n=i18n.format_number(len(ids), 0)))

    def _set_undo(self, undo: tuple[str, list[str]] | None) -> None:
        self._undo = undo
        self.undo_button.setVisible(undo is not None)

    def _write(self, action: Callable[[], object]) -> bool:
        """Run a write, re-read the sheet, tell the other sections; False when it failed."""
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            self._load_sheet()
            return False
        self._set_undo(None)
        self._load_sheet()
        self.banner.show_message(Tone.IDLE, self._idle_message)  # no earlier scan's message
        self.changed.emit()
        return True

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if dropped_sheets(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        files = dropped_sheets(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.sheets_bar.read(files)

    def _sheets_recorded(self) -> None:
        self._load_sheet()
        self.changed.emit()

    def select_row(self, row: int) -> None:
        show_row(self.table, row)
