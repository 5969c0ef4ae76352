"""The form to add or change a course; errors appear beside their field."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from trainer_app.domain.models import Course
from trainer_app.i18n import _
from trainer_app.services import courses
from trainer_app.store import Store
from trainer_app.ui.forms import FieldErrors, add_row, form_dialog_layout, run_save
from trainer_app.ui.retranslate import Retranslating

DEFAULT_SHARE_PERCENT = 80


class CourseForm(Retranslating, QDialog):
    """Add (``course_id`` None) or edit a course. ``saved_id`` holds the id after Save."""

    def __init__(self, store: Store, course_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._store = store
        self._course_id = course_id
        self.saved_id: str | None = None
        self.errors = FieldErrors()

        self.code = QLineEdit(objectName="code")
        self.code.setMaxLength(20)
        self.title = QLineEdit(objectName="title")
        self.title.setMaxLength(80)
        self.category = QComboBox(objectName="category")
        self.category.setEditable(True)
        self.category.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        categories = sorted({c["category"] for c in courses.list_all(store) if c["category"]})
        self.category.addItems(["", *categories])
        self.description = QPlainTextEdit(objectName="description")
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(70)
        self.hours = QDoubleSpinBox(objectName="hours")
        self.hours.setRange(0, 1000)
        self.hours.setDecimals(1)
        self.hours.setSingleStep(1)
        self.min_share = QSpinBox(objectName="min_share")
        self.min_share.setRange(0, 100)
        self.min_share.setSuffix(" %")
        self.min_share.setValue(DEFAULT_SHARE_PERCENT)
        self.share_hint = QLabel(wordWrap=True)
        self.share_hint.setStyleSheet("color: #555;")

        self.form = QFormLayout()
        self._labels = {
            name: add_row(self.form, self.errors, name, widget) for name, widget in (
                ("code", self.code), ("title", self.title), ("category", self.category),
                ("description", self.description), ("hours", self.hours),
                ("min_share", self.min_share),
            )
        }
        self.form.addRow("", self.share_hint)

        self.buttons = form_dialog_layout(self, self.form, self.errors, self.save)
        if course_id:
            self._load(courses.get(store, course_id))
        self.retranslate()
        self.setMinimumWidth(480)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Edit course") if self._course_id else _("Add a course"))
        labels = {
            "code": _("&Code *"), "title": _("&Title *"), "category": _("C&ategory"),
            "description": _("&Description"), "hours": _("Total &hours *"),
            "min_share": _("Completion &share *"),
        }
        for name, label in self._labels.items():
            label.setText(labels[name])
        self.code.setPlaceholderText(_("e.g. EC101"))
        self.hours.setSuffix(" " + _("h"))
        self.share_hint.setText(
            _("A trainee completes a class of this course after attending at least this share "
              "of all its scheduled hours. Present and late count; excused and absent do not.")
        )

    def _load(self, c: Course) -> None:
        self.code.setText(c.code)
        self.title.setText(c.title)
        self.category.setCurrentText(c.category)
        self.description.setPlainText(c.description)
        self.hours.setValue(c.hours)
        self.min_share.setValue(round(c.min_share * 100))

    def course(self) -> Course:
        return Course(
            code=self.code.text(),
            title=self.title.text(),
            category=self.category.currentText().strip(),
            description=self.description.toPlainText().strip(),
            hours=self.hours.value(),
            min_share=self.min_share.value() / 100,
        )

    def save(self) -> None:
        if run_save(self, self.errors, self._save):
            self.accept()

    def _save(self) -> None:
        if self._course_id:
            courses.update(self._store, self._course_id, self.course())
            self.saved_id = self._course_id
        else:
            self.saved_id = courses.add(self._store, self.course())
