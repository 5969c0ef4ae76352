"""The form to schedule a new class (with its lessons) or change a class; errors beside fields."""

from __future__ import annotations

import re

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from trainer_app.domain import validation
from trainer_app.domain.models import ClassStatus, TrainingClass
from trainer_app.domain.validation import validate_class
from trainer_app.i18n import _, ngettext
from trainer_app.services import classes, courses
from trainer_app.services.errors import ValidationError
from trainer_app.store import Store
from trainer_app.ui.classes.drafts import LessonsEditor
from trainer_app.ui.classes.lesson_dialog import ISO, date_edit
from trainer_app.ui.forms import FieldErrors, add_row, form_dialog_layout, run_save
from trainer_app.ui.retranslate import Retranslating

_LESSON_KEY = re.compile(r"^lessons\[(\d+)\]$")


def lesson_errors(errors: dict[str, str]) -> dict[str, str]:
    """``lessons[2]: message`` from the service becomes one "lessons" message naming the row."""
    found: dict[str, str] = {}
    for key, message in errors.items():
        match = _LESSON_KEY.match(key)
        if match:
            line = _("Lesson {n}: {message}").format(n=int(match.group(1)) + 1, message=message)
            found["lessons"] = f"{found['lessons']}\n{line}" if "lessons" in found else line
        else:
            found[key] = message
    return found


def _completer(words: set[str], parent: QWidget) -> QCompleter:
    completer = QCompleter(sorted(w for w in words if w), parent)
    completer.setFilterMode(completer.filterMode().MatchContains)
    return completer


class ClassForm(Retranslating, QDialog):
    """New class (``class_id`` None, with a lesson list) or edit one. ``saved_id`` after Save."""

    def __init__(self, store: Store, class_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._store = store
        self._class_id = class_id
        self._existing: TrainingClass | None = classes.get(store, class_id) if class_id else None
        self.saved_id: str | None = None
        self.errors = FieldErrors()
        # Retired courses are not offered, except the one a class being changed already has.
        self._courses = {c["id"]: c for c in courses.list_all(store) if not c["retired"] or (
            self._existing is not None and c["id"] == self._existing.course_id)}
        self._auto_title = ""  # the title filled in from the course, until the user edits it
        known = classes.list_all(store)

        self.course = QComboBox(objectName="course")
        for course in self._courses.values():
            label = f"{course['code']}  {course['title']}"
            if course["retired"]:  # the course of the class being changed
                label = _("{course} (retired)").format(course=label)
            self.course.addItem(label, course["id"])
        self.course.setCurrentIndex(-1)
        self.course.currentIndexChanged.connect(self._course_chosen)
        self.title = QLineEdit(objectName="title")
        self.title.setMaxLength(80)
        self.trainer = QLineEdit(objectName="trainer")
        self.trainer.setCompleter(_completer({c["trainer"] for c in known}, self))
        self.place = QLineEdit(objectName="place")
        self.place.setCompleter(_completer({c["place"] for c in known}, self))
        self.start_date = date_edit("start_date")
        self.end_date = date_edit("end_date")
        self.start_date.dateChanged.connect(self._start_changed)
        self.lessons: LessonsEditor | None = None

        fields: list[tuple[str, QWidget]] = [
            ("course_id", self.course), ("title", self.title), ("trainer", self.trainer),
            ("place", self.place), ("start_date", self.start_date), ("end_date", self.end_date),
        ]
        if class_id is None:
            self.lessons = LessonsEditor(self)
            self.lessons.generated.connect(self._lessons_generated)
            fields.append(("lessons", self.lessons))
        self.form = QFormLayout()
        self._labels = {
            name: add_row(self.form, self.errors, name, widget) for name, widget in fields
        }

        self.buttons = form_dialog_layout(self, self.form, self.errors, self.save)
        if self._existing is not None:
            self._load(self._existing)
        self.retranslate()
        self.setMinimumWidth(620 if self.lessons else 460)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Edit class") if self._class_id else _("Schedule a class"))
        labels = {
            "course_id": _("&Course *"), "title": _("&Title"), "trainer": _("T&rainer"),
            "place": _("&Place"), "start_date": _("&Start date *"), "end_date": _("&End date *"),
            "lessons": _("Lessons"),
        }
        for name, label in self._labels.items():
            label.setText(labels[name])
        self.course.setPlaceholderText(
            _("Choose a course") if self._courses
            else _("No course is offered: add one in the Courses section first")
        )
        self.title.setPlaceholderText(_("The course title, unless you give another"))
        self.trainer.setPlaceholderText(_("Who teaches"))
        self.place.setPlaceholderText(_("e.g. the station's training room"))
        if self.lessons is not None:
            self.lessons.retranslate()

    def _load(self, c: TrainingClass) -> None:
        self.course.setCurrentIndex(self.course.findData(c.course_id))
        self.title.setText(c.title)
        self.trainer.setText(c.trainer)
        self.place.setText(c.place)
        self.start_date.setDate(QDate.fromString(c.start_date, ISO))
        self.end_date.setDate(QDate.fromString(c.end_date, ISO))

    def _course_chosen(self) -> None:
        course = self._courses.get(self.course.currentData())
        if course is None:
            return
        if not self.title.text().strip() or self.title.text() == self._auto_title:
            self._auto_title = (classes.numbered_title(self._store, course["id"], course["title"])
                                if self._class_id is None else course["title"])
            self.title.setText(self._auto_title)
        if self.lessons is not None:
            self.lessons.set_course_hours(course["hours"])

    def _start_changed(self, day: QDate) -> None:
        if self.end_date.date() < day:
            self.end_date.setDate(day)
        if self.lessons is not None and not self.lessons.lessons():
            self.lessons.first.setDate(day)

    def _lessons_generated(self, first: str, last: str) -> None:
        self.start_date.setDate(QDate.fromString(first, ISO))
        self.end_date.setDate(QDate.fromString(last, ISO))

    def training_class(self) -> TrainingClass:
        status = self._existing.status if self._existing else ClassStatus.PLANNED
        return TrainingClass(
            course_id=self.course.currentData() or "",
            title=self.title.text().strip(),
            trainer=self.trainer.text().strip(),
            place=self.place.text().strip(),
            start_date=self.start_date.date().toString(ISO),
            end_date=self.end_date.date().toString(ISO),
            status=status,
            lessons=self.lessons.lessons() if self.lessons is not None else [],
        )

    def _check_lesson_dates(self, c: TrainingClass) -> dict[str, str]:
        """The new class's lesson rows outside its dates, in one message under the table (an
        edited class's own lessons are checked by :func:`classes.update`)."""
        if self.lessons is None:
            return {}
        outside = validation.lesson_date_errors(
            c.start_date, c.end_date, [x.date for x in c.lessons]
        )
        if not outside:
            return {}
        return {"lessons": ngettext(
            "Lesson {rows}: {message}", "Lessons {rows}: {message}", len(outside)
        ).format(
            rows=", ".join(str(i + 1) for i in outside),
            message=validation.outside_message(c.start_date, c.end_date),
        )}

    def save(self) -> None:
        if run_save(self, self.errors, self._save, lesson_errors):
            self.accept()

    def _save(self) -> None:
        c = self.training_class()
        date_errors = self._check_lesson_dates(c)
        if date_errors:  # with the other messages, so that all show at once
            raise ValidationError({**validate_class(c), **date_errors})
        if self._class_id:
            classes.update(self._store, self._class_id, c)
            self.saved_id = self._class_id
        else:
            self.saved_id = classes.create(self._store, c)
