"""Adding a lesson to a class, or moving one to another day or time."""

from __future__ import annotations

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTimeEdit,
    QWidget,
)

from trainer_app.domain.models import Lesson
from trainer_app.i18n import _
from trainer_app.services import classes
from trainer_app.store import Store
from trainer_app.ui.classes.models import day_label
from trainer_app.ui.forms import DateEdit, FieldErrors, add_row, form_dialog_layout, run_save
from trainer_app.ui.retranslate import Retranslating

ISO = "yyyy-MM-dd"
HH_MM = "HH:mm"


def date_edit(name: str) -> DateEdit:
    return DateEdit(objectName=name)


def time_edit(name: str) -> QTimeEdit:
    edit = QTimeEdit(objectName=name)
    edit.setDisplayFormat(HH_MM)
    edit.setTime(QTime(9, 0))
    return edit


def hours_edit(name: str) -> QDoubleSpinBox:
    edit = QDoubleSpinBox(objectName=name)
    edit.setRange(0, 12)
    edit.setDecimals(1)
    edit.setSingleStep(0.5)
    edit.setValue(4)
    return edit


class LessonDialog(Retranslating, QDialog):
    """``lesson`` None: add a lesson to ``class_row``. Otherwise move ``lesson`` (date and start
    time only). ``saved_id`` holds the lesson's id after Save."""

    def __init__(
        self,
        store: Store,
        class_row: dict,
        lesson: dict | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._class = class_row
        self._lesson = lesson
        self.saved_id: str | None = None
        self.errors = FieldErrors()

        self.date = date_edit("lesson_date")
        self.start_time = time_edit("lesson_start")
        self.hours = hours_edit("lesson_hours")
        self.topic = QLineEdit(objectName="lesson_topic")
        self.topic.setMaxLength(80)
        self.was = QLabel()
        self.was.setStyleSheet("color: #555;")

        self.form = QFormLayout()
        fields = [("date", self.date), ("start_time", self.start_time)]
        if lesson is None:
            fields += [("hours", self.hours), ("topic", self.topic)]
        self._labels = {
            name: add_row(self.form, self.errors, name, widget) for name, widget in fields
        }
        if lesson is not None:
            self.form.insertRow(0, "", self.was)
            self.date.setDate(QDate.fromString(lesson["date"], ISO))
            self.start_time.setTime(QTime.fromString(lesson["start_time"], HH_MM))
        else:
            self._suggest()

        self.buttons = form_dialog_layout(self, self.form, self.errors, self.save)
        self.retranslate()
        self.setMinimumWidth(380)

    def retranslate(self) -> None:
        moving = self._lesson is not None
        self.setWindowTitle(_("Move lesson") if moving else _("Add a lesson"))
        labels = {
            "date": _("New &date") if moving else _("&Date"),
            "start_time": _("New &start time") if moving else _("&Start time"),
            "hours": _("&Hours"), "topic": _("&Topic"),
        }
        for name, label in self._labels.items():
            label.setText(labels[name])
        self.hours.setSuffix(" " + _("h"))
        if self._lesson is not None:
            self.was.setText(
                _("Now: {date} {time}, {topic}").format(
                    date=day_label(self._lesson["date"]), time=self._lesson["start_time"],
                    topic=self._lesson.get("topic") or "—",
                )
            )

    def _suggest(self) -> None:
        """A new lesson: a week after the class's last lesson, at the same time and length."""
        try:
            last = classes.lessons(self._store, self._class["id"])
        except Exception:  # noqa: BLE001 - only a suggestion
            last = []
        if last:
            previous = last[-1]
            day = QDate.fromString(previous["date"], ISO).addDays(7)
            self.start_time.setTime(QTime.fromString(previous["start_time"], HH_MM))
            self.hours.setValue(previous["hours"])
        else:
            day = QDate.fromString(self._class["start_date"], ISO)
        end = QDate.fromString(self._class["end_date"], ISO)
        if end.isValid() and day > end:
            day = end
        if day.isValid():
            self.date.setDate(day)

    def lesson(self) -> Lesson:
        return Lesson(
            date=self.date.date().toString(ISO),
            start_time=self.start_time.time().toString(HH_MM),
            hours=self.hours.value(),
            topic=self.topic.text().strip(),
        )

    def save(self) -> None:
        if run_save(self, self.errors, self._save):
            self.accept()

    def _save(self) -> None:
        """The services refuse a date outside the class's period, beside the date field."""
        lesson = self.lesson()
        if self._lesson is None:
            self.saved_id = classes.add_lesson(self._store, self._class["id"], lesson)
        else:
            classes.move_lesson(self._store, self._lesson["id"], lesson.date, lesson.start_time)
            self.saved_id = self._lesson["id"]
