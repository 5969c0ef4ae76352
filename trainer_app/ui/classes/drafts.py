"""The lessons of a class not saved yet: an editable table, rows added one by one or generated
("6 lessons, every 7 days, from 3 June at 09:00, 4 h each")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.domain.models import Lesson
from trainer_app.i18n import N_, _, ngettext
from trainer_app.services import class_views
from trainer_app.ui.classes.lesson_dialog import HH_MM, ISO, date_edit, hours_edit, time_edit
from trainer_app.ui.classes.models import day_label
from trainer_app.ui.classes.rows import RIGHT
from trainer_app.ui.courses.model import hours_label

Index = QModelIndex | QPersistentModelIndex
COLUMNS = (("date", N_("Date")), ("start_time", N_("Start")), ("hours", N_("Hours")),
           ("topic", N_("Topic")))


class LessonDraftModel(QAbstractTableModel):
    """Editable rows of :class:`Lesson`; dates and times are edited as QDate and QTime."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lessons: list[Lesson] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lessons)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return _(COLUMNS[section][1])
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lessons):
            return None
        lesson = self._lessons[index.row()]
        field = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if field == "date":
                return day_label(lesson.date)
            if field == "hours":
                return hours_label(lesson.hours)
            return getattr(lesson, field)
        if role == Qt.ItemDataRole.EditRole:
            if field == "date":
                return QDate.fromString(lesson.date, ISO)
            if field == "start_time":
                return QTime.fromString(lesson.start_time, HH_MM)
            return getattr(lesson, field)
        if role == Qt.ItemDataRole.TextAlignmentRole and field == "hours":
            return RIGHT
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        lesson = self._lessons[index.row()]
        field = COLUMNS[index.column()][0]
        if field == "date" and isinstance(value, QDate):
            lesson.date = value.toString(ISO)
        elif field == "start_time" and isinstance(value, QTime):
            lesson.start_time = value.toString(HH_MM)
        elif field == "hours":
            lesson.hours = float(value)
        elif field == "topic":
            lesson.topic = str(value).strip()
        else:
            return False
        self.dataChanged.emit(index, index)
        return True

    # -- ours -------------------------------------------------------------------------------
    def lessons(self) -> list[Lesson]:
        return [Lesson(date=x.date, start_time=x.start_time, hours=x.hours, topic=x.topic)
                for x in self._lessons]

    def set_lessons(self, lessons: list[Lesson]) -> None:
        self.beginResetModel()
        self._lessons = list(lessons)
        self.endResetModel()

    def append(self, lesson: Lesson) -> int:
        row = len(self._lessons)
        self.beginInsertRows(QModelIndex(), row, row)
        self._lessons.append(lesson)
        self.endInsertRows()
        return row

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._lessons):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._lessons[row]
            self.endRemoveRows()

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._lessons:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._lessons) - 1, 3))


class LessonDraftDelegate(QStyledItemDelegate):
    """The same editors as the lesson dialog: a calendar date, HH:MM, hours by half hours."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> QWidget:
        field = COLUMNS[index.column()][0]
        editor: QWidget
        if field == "date":
            editor = date_edit("draft_date")
        elif field == "start_time":
            editor = time_edit("draft_start")
        elif field == "hours":
            editor = hours_edit("draft_hours")
            editor.setMinimum(0.5)
        else:
            editor = QLineEdit(objectName="draft_topic")
            editor.setMaxLength(80)
        editor.setParent(parent)
        editor.setAutoFillBackground(True)
        return editor


class LessonsEditor(QWidget):
    """The new class's lesson list, with a generator; ``lessons()`` gives what is shown."""

    generated = Signal(str, str)  # first and last date of generated lessons (ISO)
    lessons_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.course_hours = 0.0
        self.model = LessonDraftModel(self)
        self.table = QTableView(objectName="draft_lessons")
        self.table.setModel(self.model)
        self.table.setItemDelegate(LessonDraftDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, as everywhere in the form
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((170, 70, 70)):
            self.table.setColumnWidth(column, width)
        self.table.setMinimumHeight(150)

        self.add_button = QPushButton(objectName="draft_add")
        self.remove_button = QPushButton(objectName="draft_remove")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_row)
        self.summary = QLabel(objectName="draft_summary")

        self.generator = QGroupBox()
        self.count = QSpinBox(objectName="gen_count")
        self.count.setRange(1, 100)
        self.count.setValue(6)
        self.every = QSpinBox(objectName="gen_every")
        self.every.setRange(1, 60)
        self.every.setValue(7)
        self.first = date_edit("gen_first")
        self.time = time_edit("gen_time")
        self.hours = hours_edit("gen_hours")
        self.hours.setMinimum(0.5)
        self.generate_button = QPushButton(objectName="generate")
        self.generate_button.clicked.connect(self.generate)
        self._gen_labels: list[tuple[QLabel, str]] = []
        grid = QGridLayout(self.generator)
        for i, (msgid, widget) in enumerate((
            (N_("&Lessons"), self.count), (N_("E&very"), self.every),
            (N_("&First lesson"), self.first), (N_("Start t&ime"), self.time),
            (N_("H&ours each"), self.hours),
        )):
            label = QLabel()
            label.setBuddy(widget)
            self._gen_labels.append((label, msgid))
            grid.addWidget(label, i // 3, (i % 3) * 2)
            grid.addWidget(widget, i // 3, (i % 3) * 2 + 1)
        grid.addWidget(self.generate_button, 1, 4, 1, 2)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.generator)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset,
                       self.model.dataChanged):
            signal.connect(self._changed)
        self.retranslate()

    def retranslate(self) -> None:
        self.generator.setTitle(_("Generate lessons (replaces the list below)"))
        for label, msgid in self._gen_labels:
            label.setText(_(msgid))
        self.every.setSuffix(" " + _("days"))
        self.hours.setSuffix(" " + _("h"))
        self.generate_button.setText(_("&Generate"))
        self.add_button.setText(_("Add ro&w"))
        self.remove_button.setText(_("Re&move row"))
        self.model.retranslate()
        self._update_summary()

    def lessons(self) -> list[Lesson]:
        return self.model.lessons()

    def set_course_hours(self, hours: float) -> None:
        """Suggest as many lessons as the course's hours need."""
        self.course_hours = hours or 0.0
        if hours and self.hours.value():
            self.count.setValue(max(1, round(hours / self.hours.value())))
        self._update_summary()

    def generate(self) -> None:
        first = self.first.date().toPython()
        assert isinstance(first, dt.date)
        lessons = class_views.plan_lessons(
            first, self.count.value(), self.every.value(),
            self.time.time().toString(HH_MM), self.hours.value(),
        )
        self.model.set_lessons(lessons)
        if lessons:
            self.generated.emit(lessons[0].date, lessons[-1].date)

    def add_row(self) -> None:
        """A row a week after the last one (or on the first lesson's date), same time and hours."""
        existing = self.model.lessons()
        if existing:
            last = existing[-1]
            day = QDate.fromString(last.date, ISO).addDays(self.every.value())
            lesson = Lesson(day.toString(ISO), last.start_time, last.hours)
        else:
            lesson = Lesson(self.first.date().toString(ISO), self.time.time().toString(HH_MM),
                            self.hours.value())
        row = self.model.append(lesson)
        self.table.setFocus()
        self.table.setCurrentIndex(self.model.index(row, 3))

    def remove_row(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.model.remove(index.row())

    def _changed(self, *_args: object) -> None:
        self._update_summary()
        self.lessons_changed.emit()

    def _update_summary(self) -> None:
        lessons = self.model.lessons()
        total = sum(x.hours for x in lessons)
        text = ngettext("{n} lesson, {hours}", "{n} lessons, {hours}", len(lessons)).format(
            n=i18n.format_number(len(lessons), 0), hours=hours_label(total)
        )
        if self.course_hours:
            text += " " + _("(the course has {hours})").format(hours=hours_label(self.course_hours))
        self.summary.setText(text)
        self.remove_button.setEnabled(bool(lessons))
