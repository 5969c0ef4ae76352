"""The Courses section: the catalog, searched as the trainees are (code, title, category, their
pinyin or initials); add / edit a course; retire one no longer offered, or offer it again."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.i18n import _, ngettext
from trainer_app.services import courses
from trainer_app.services.errors import owner_name
from trainer_app.store import Store
from trainer_app.ui import ask, counts
from trainer_app.ui.courses.form import CourseForm
from trainer_app.ui.courses.model import CourseTableModel
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import EmptyHint, configure_table, selected_row, show_row


class CoursesPage(Retranslating, QWidget):
    changed = Signal()  # a course was added, changed, retired or offered again

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._hidden = 0  # retired courses matching the search, not shown
        self.model = CourseTableModel(self)

        self.search = QLineEdit(objectName="course_search")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self.refresh())
        self.show_retired = QCheckBox(objectName="show_retired")
        self.show_retired.toggled.connect(lambda _on: self.refresh())
        self.count = QLabel(objectName="course_count")
        self.add_button = QPushButton(objectName="add_course")
        self.edit_button = QPushButton(objectName="edit_course")
        self.retire_button = QPushButton(objectName="retire_course")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.retire_button.clicked.connect(self.retire_or_restore)

        self.table = QTableView(objectName="course_table")
        self.table.setModel(self.model)
        configure_table(self.table, (80, 200, 110, 80, 110, 300))
        self.empty_hint = EmptyHint(self.table, self._empty_text)
        self.table.activated.connect(lambda _index: self.edit())  # double-click or Enter
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.show_retired)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.retire_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.New, self, self.add)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        self.refresh()
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search by code, title or category, pinyin or "
                                         "initials (kswd)…"))
        self.show_retired.setText(_("Show &retired courses"))
        self.show_retired.setToolTip(_("Courses no longer offered: their classes and "
                                       "certificates keep them, new classes cannot take them."))
        self.add_button.setText(_("&Add course…"))
        self.edit_button.setText(_("&Edit…"))
        self.model.retranslate()
        self._update_count()
        self._selection_changed()

    def _empty_text(self) -> str:
        text = self.search.text().strip()
        if text and self._hidden:
            return ngettext(
                "No course offered matches “{text}”: tick Show retired courses to see {n} "
                "retired one that does.",
                "No course offered matches “{text}”: tick Show retired courses to see {n} "
                "retired ones that do.", self._hidden).format(
                    text=text, n=i18n.format_number(self._hidden, 0))
        if text:
            return _("No course matches “{text}”.").format(text=text)
        if self._hidden:
            return _("Every course is retired: tick Show retired courses to see them.")
        return _("No courses yet: press Add course…, or import the county's catalog in Sync.")

    def refresh(self) -> None:
        selected = self.selected_id()
        retired = self.show_retired.isChecked()
        try:
            rows = courses.search(self._store, self.search.text(), include_retired=True)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        shown = rows if retired else [r for r in rows if not r["retired"]]
        self._hidden = len(rows) - len(shown)
        self.model.set_rows(shown)
        self.table.setColumnHidden(CourseTableModel.RETIRED_COLUMN, not retired)
        self._select(selected)
        self._update_count()
        self._selection_changed()
        self.empty_hint.update_hint()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        text = counts.courses(n)
        if self._hidden:
            text += _("; ") + ngettext("{n} retired not shown", "{n} retired not shown",
                                       self._hidden).format(n=i18n.format_number(self._hidden, 0))
        self.count.setText(text)

    def selected_id(self) -> str | None:
        return self.model.row_id(selected_row(self.table))

    def _selected(self) -> dict | None:
        return self.model.row(selected_row(self.table))

    def _select(self, course_id: str | None) -> None:
        show_row(self.table, self.model.row_of(course_id))

    def _selection_changed(self, _new: QItemSelection | None = None,
                           _old: QItemSelection | None = None) -> None:
        row = self._selected()
        retired = bool(row and row["retired"])
        self.retire_button.setText(_("&Offer again…") if retired else _("&Retire…"))
        own = row is not None and row["origin"] == self._store.site_id
        self.retire_button.setEnabled(own)
        if row is not None and not own:
            self.retire_button.setToolTip(_(
                "This course belongs to {owner}: it is retired or offered again there, and "
                "the sync files bring the change here.").format(
                owner=owner_name(self._store, row["origin"])))
        elif retired:
            self.retire_button.setToolTip(_("Offer this course again for new classes."))
        else:
            self.retire_button.setToolTip(
                _("Stop offering this course: new classes cannot take it; its classes, "
                  "certificates and figures keep it."))

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

    def retire_or_restore(self) -> None:
        """Retire the selected course, or offer a retired one again, after a question whose
        default answer is No."""
        row = self._selected()
        if row is None:
            return
        name = f"{row['code']} {row['title']}"
        if row["retired"]:
            question = _("Offer course {name} again? New classes can then be scheduled for "
                         "it.").format(name=name)
            title, act = _("Offer course again"), courses.restore
        else:
            question = _("Retire course {name}? It is no longer offered: new classes cannot "
                         "take it. Its classes, certificates and figures keep it, and it can "
                         "be offered again later.").format(name=name)
            title, act = _("Retire course"), courses.retire
        if not ask.confirm(self, title, question):
            return
        try:
            act(self._store, row["id"])
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        self._after_change(row["id"])

    def _after_change(self, course_id: str | None) -> None:
        self.refresh()
        self._select(course_id)
        self.changed.emit()
