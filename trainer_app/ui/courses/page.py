"""The Courses section: the catalog, and add / edit a course."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app.i18n import _
from trainer_app.services import courses
from trainer_app.store import Store
from trainer_app.ui import counts
from trainer_app.ui.courses.form import CourseForm
from trainer_app.ui.courses.model import CourseTableModel
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import EmptyHint, configure_table, selected_row, show_row


class CoursesPage(Retranslating, QWidget):
    changed = Signal()  # a course was added or changed

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.model = CourseTableModel(self)

        self.count = QLabel()
        self.add_button = QPushButton(objectName="add_course")
        self.edit_button = QPushButton(objectName="edit_course")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)

        self.table = QTableView(objectName="course_table")
        self.table.setModel(self.model)
        configure_table(self.table, (80, 200, 110, 80, 110))
        self.empty_hint = EmptyHint(self.table, lambda: _(
            "No courses yet: press Add course…, or import the county's catalog in Sync."))
        self.table.activated.connect(lambda _index: self.edit())  # double-click or Enter

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.New, self, self.add)
        self.refresh()
        self.retranslate()

    def retranslate(self) -> None:
        self.add_button.setText(_("&Add course…"))
        self.edit_button.setText(_("&Edit…"))
        self.model.retranslate()
        self._update_count()

    def refresh(self) -> None:
        selected = self.selected_id()
        try:
            self.model.set_rows(courses.list_all(self._store))
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        self._select(selected)
        self._update_count()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count.setText(counts.courses(n))

    def selected_id(self) -> str | None:
        return self.model.row_id(selected_row(self.table))

    def _select(self, course_id: str | None) -> None:
        row = self.model.row_of(course_id)
        show_row(self.table, row)

    def add(self) -> None:
        form = CourseForm(self._store, parent=self)
        if form.exec():
            self._after_change(form.saved_id)

    def edit(self) -> None:
        course_id = self.selected_id()
        if not course_id:
            return
        try:
            form = CourseForm(self._store, course_id, parent=self)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        if form.exec():
            self._after_change(course_id)

    def _after_change(self, course_id: str | None) -> None:
        self.refresh()
        self._select(course_id)
        self.changed.emit()
