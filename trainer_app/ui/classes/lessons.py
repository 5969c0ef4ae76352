"""The lessons of one class: add, move, cancel and restore; print a lesson's sign-in sheet and
read it back signed (photos or scans: see :mod:`trainer_app.ui.sheets`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.i18n import _, ngettext
from trainer_app.services import class_views, classes
from trainer_app.store import Store
from trainer_app.ui import ask, papers
from trainer_app.ui.classes.lesson_dialog import LessonDialog
from trainer_app.ui.classes.models import LessonTableModel, day_label
from trainer_app.ui.courses.model import hours_label
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.sheets.flow import choose_files, read_sheets
from trainer_app.ui.sheets.review import ReviewDialog
from trainer_app.ui.tables import configure_table, selected_row, show_row


class LessonsPane(Retranslating, QWidget):
    changed = Signal()  # a lesson was added, moved, cancelled or restored

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._class: dict | None = None
        self.model = LessonTableModel(self)

        self.table = QTableView(objectName="lesson_table")
        self.table.setModel(self.model)
        configure_table(self.table, (170, 60, 70, 220, 90, 130), stretch=3, sortable=False)
        self.table.activated.connect(lambda _index: self.move())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)

        self.add_button = QPushButton(objectName="add_lesson")
        self.move_button = QPushButton(objectName="move_lesson")
        self.cancel_button = QPushButton(objectName="cancel_lesson")
        self.add_button.clicked.connect(self.add)
        self.move_button.clicked.connect(self.move)
        self.cancel_button.clicked.connect(self.toggle_cancelled)
        self.sheet_button = QPushButton(objectName="sign_in_sheet")
        self.sheet_button.clicked.connect(self.print_sign_in_sheet)
        self.paper_task = None  # the last paper written in the background
        self.read_button = QPushButton(objectName="read_sheets")
        self.read_button.clicked.connect(lambda: self.read_sheets(choose_files(self)))
        self.review: ReviewDialog | None = None  # the last signed sheets' review
        self.summary = QLabel(objectName="lesson_summary")

        buttons = QHBoxLayout()
        for button in (self.add_button, self.move_button, self.cancel_button, self.sheet_button,
                       self.read_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.add_button.setText(_("&Add lesson…"))
        self.move_button.setText(_("&Move…"))
        self.sheet_button.setText(_("Sign-&in sheet…"))
        self.read_button.setText(_("Read signed sheets…"))
        self.model.retranslate()
        self._update_buttons()
        self._update_summary()

    def set_class(self, class_row: dict | None) -> None:
        selected = self.selected_id()
        self._class = class_row
        rows: list[dict] = []
        marks: dict[str, int] = {}
        if class_row:
            try:
                rows = classes.lessons(self._store, class_row["id"])
                marks = class_views.lesson_mark_counts(self._store, class_row["id"])
            except Exception as exc:  # noqa: BLE001 - shown to the user
                show_error(self, exc)
        self.model.set_lessons(rows, marks, class_row["enrolled"] if class_row else 0)
        self.select(selected if self.model.row_of(selected) >= 0 else self._next_lesson())
        self._update_summary()

    def selected_row(self) -> int:
        return selected_row(self.table)

    def selected_id(self) -> str | None:
        return self.model.row_id(self.selected_row())

    def select(self, lesson_id: str | None) -> None:
        row = self.model.row_of(lesson_id)
        show_row(self.table, row)

    def _next_lesson(self) -> str | None:
        """Today's or the next lesson to come (else the last one): the likely one to act on."""
        rows = self.model.rows()
        today = self.model.today().isoformat()
        coming = [r for r in rows if not r["cancelled"] and r["date"] >= today]
        found = coming[0] if coming else (rows[-1] if rows else None)
        return found["id"] if found else None

    def _update_buttons(self) -> None:
        row = self.selected_row()
        has_class = self._class is not None
        self.add_button.setEnabled(has_class)
        self.move_button.setEnabled(row >= 0)
        self.cancel_button.setEnabled(row >= 0)
        self.cancel_button.setText(
            _("&Restore lesson") if self.model.is_cancelled(row) else _("&Cancel lesson")
        )
        self.sheet_button.setEnabled(row >= 0 and not self.model.is_cancelled(row))
        self.read_button.setEnabled(row >= 0 and not self.model.is_cancelled(row))
        self.read_button.setToolTip(_("Photos or scans of the selected lesson's signed sign-in "
                                      "sheet: Trainer proposes every mark for you to confirm."))
        self.sheet_button.setToolTip(
            _("Print the sign-in sheet of the selected lesson: enrolled names, a QR code for "
              "each and a column to sign")
        )

    def _update_summary(self) -> None:
        rows = self.model.rows()
        held = [r for r in rows if not r["cancelled"]]
        text = ngettext("{n} lesson, {hours} scheduled", "{n} lessons, {hours} scheduled",
                        len(held)).format(
            n=i18n.format_number(len(held), 0), hours=hours_label(sum(r["hours"] for r in held))
        )
        cancelled = len(rows) - len(held)
        if cancelled:
            text += " · " + ngettext("{n} cancelled", "{n} cancelled", cancelled).format(
                n=i18n.format_number(cancelled, 0)
            )
        self.summary.setText(text if self._class else "")

    # -- actions ----------------------------------------------------------------------------
    def add(self) -> None:
        if self._class is None:
            return
        dialog = LessonDialog(self._store, self._class, parent=self)
        if dialog.exec():
            self._after_change(dialog.saved_id)

    def move(self) -> None:
        lesson = self.model.row(self.selected_row())
        if self._class is None or lesson is None:
            return
        dialog = LessonDialog(self._store, self._class, lesson, parent=self)
        if dialog.exec():
            self._after_change(lesson["id"])

    def toggle_cancelled(self) -> None:
        row = self.selected_row()
        lesson = self.model.row(row)
        if lesson is None:
            return
        cancel = not lesson["cancelled"]
        marked = self.model.marks(row)
        if cancel and marked and not ask.confirm(
            self,
            _("Cancel lesson"),
            ngettext(
                "Attendance was already taken for {n} trainee at the lesson of {date}. "
                "Cancel it anyway? Its hours will no longer count for anyone.",
                "Attendance was already taken for {n} trainees at the lesson of {date}. "
                "Cancel it anyway? Its hours will no longer count for anyone.",
                marked,
            ).format(n=marked, date=day_label(lesson["date"])),
        ):
            return
        try:
            classes.cancel_lesson(self._store, lesson["id"], cancel)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        self._after_change(lesson["id"])

    def print_sign_in_sheet(self) -> None:
        lesson = self.model.row(self.selected_row())
        if lesson is None or lesson["cancelled"]:
            return
        self.paper_task = papers.sign_in_sheet(self._store, lesson["id"], parent=self)

    def read_sheets(self, files: list[Path]) -> None:
        """Read the selected lesson's signed sheets from ``files``, then open the review."""
        lesson_id = self.selected_id()
        if files and lesson_id:
            read_sheets(self, self._store, files, lesson_id,
                        lambda dialog: self._reviewing(dialog, lesson_id))

    def _reviewing(self, dialog: ReviewDialog | None, lesson_id: str) -> None:
        self.review = dialog
        if dialog is not None:  # the lesson's marks column counts the marks recorded
            dialog.accepted.connect(lambda: self._after_change(lesson_id))

    def _after_change(self, lesson_id: str | None) -> None:
        self.changed.emit()  # the page re-reads the class and calls set_class again
        self.select(lesson_id)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
