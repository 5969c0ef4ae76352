"""One class in detail: its facts and status, then tabs for lessons, trainees and completion."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QStackedLayout,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain.models import ClassStatus
from trainer_app.i18n import _
from trainer_app.services import class_views, classes
from trainer_app.store import Store
from trainer_app.ui import ask
from trainer_app.ui.classes.completion import CompletionPane
from trainer_app.ui.classes.enrolled import EnrolledPane
from trainer_app.ui.classes.lessons import LessonsPane
from trainer_app.ui.classes.models import STATUS_COLORS, period_label
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating


class ClassDetail(Retranslating, QWidget):
    changed = Signal()  # something of the class was written

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._class: dict | None = None

        self.heading = QLabel(objectName="class_heading")
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.facts = QLabel(objectName="class_facts", wordWrap=True)
        self.status_label = QLabel()
        self.status = QComboBox(objectName="class_status")
        self.status_label.setBuddy(self.status)
        self.status.activated.connect(self._status_chosen)
        self.certificates_button = QPushButton(objectName="issue_certificates")
        self.certificates_button.clicked.connect(self.issue_certificates)

        self.lessons = LessonsPane(store)
        self.enrolled = EnrolledPane(store)
        self.completion = CompletionPane(store)
        self.tabs = QTabWidget(objectName="class_tabs")
        for pane in (self.lessons, self.enrolled, self.completion):
            self.tabs.addTab(pane, "")
            pane_changed = getattr(pane, "changed", None)
            if pane_changed is not None:
                pane_changed.connect(self._pane_changed)

        head = QGridLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.heading, 0, 0)
        head.addWidget(self.status_label, 0, 1)
        head.addWidget(self.status, 0, 2)
        head.addWidget(self.certificates_button, 0, 3)
        head.addWidget(self.facts, 1, 0, 1, 4)
        head.setColumnStretch(0, 1)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(head)
        body_layout.addWidget(self.tabs, 1)
        self.empty = QLabel(objectName="class_empty", wordWrap=True)
        self.empty.setStyleSheet("color: #777;")
        self.stack = QStackedLayout(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(body)
        self.retranslate()

    def retranslate(self) -> None:
        for i, title in enumerate((_("Less&ons"), _("&Trainees"), _("Com&pletion"))):
            self.tabs.setTabText(i, title)
        self.status_label.setText(_("&Status:"))
        self.certificates_button.setText(_("Issue &certificates…"))
        self.empty.setText(_("Choose a class in the list above, or schedule a new one."))
        self.status.blockSignals(True)
        self.status.clear()
        for status in ClassStatus:
            self.status.addItem(status.label, str(status))
        self.status.blockSignals(False)
        self._show_facts()

    # -- ours -------------------------------------------------------------------------------
    def class_id(self) -> str | None:
        return self._class["id"] if self._class else None

    def class_row(self) -> dict | None:
        return self._class

    def set_class(self, class_id: str | None) -> None:
        """Show ``class_id`` (None: nothing chosen), reading everything afresh."""
        row = None
        if class_id:
            try:
                row = class_views.summary(self._store, class_id)
            except Exception as exc:  # noqa: BLE001 - shown to the user
                show_error(self, exc)
        self._class = row
        self.lessons.set_class(row)
        self.enrolled.set_class(row)
        self.completion.set_class(row)
        self.stack.setCurrentIndex(1 if row else 0)
        self._show_facts()

    def reload(self) -> None:
        self.set_class(self.class_id())

    def _show_facts(self) -> None:
        c = self._class
        if not c:
            self.heading.clear()
            self.facts.clear()
            return
        self.heading.setText(c["title"])
        parts = [
            _("Course: {code} {title}").format(code=c["course_code"], title=c["course_title"]),
            period_label(c["start_date"], c["end_date"]),
        ]
        if c["trainer"]:
            parts.append(_("Trainer: {name}").format(name=c["trainer"]))
        if c["place"]:
            parts.append(_("Place: {place}").format(place=c["place"]))
        self.facts.setText("   ·   ".join(parts))
        index = self.status.findData(c["status"])
        self.status.setCurrentIndex(index)
        color = STATUS_COLORS.get(c["status"], "#000")
        self.status.setStyleSheet(f"QComboBox {{ color: {color}; }}")

    def _status_chosen(self, index: int) -> None:
        c = self._class
        status = self.status.itemData(index)
        if c is None or status == c["status"]:
            return
        if status == ClassStatus.CANCELLED and not ask.confirm(
            self,
            _("Cancel class"),
            _("Cancel the class {title}? No one can be enrolled in a cancelled class, and "
              "its lessons leave the attendance list.").format(title=c["title"]),
        ):
            self._show_facts()
            return
        self.change_status(status)

    def change_status(self, status: ClassStatus | str) -> None:
        if self._class is None:
            return
        try:
            classes.set_status(self._store, self._class["id"], status)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
        self._pane_changed()

    def issue_certificates(self) -> None:
        """Open the certificates dialog for this class (who is eligible, issue and print)."""
        if self._class is None:
            return
        from trainer_app.ui.certificates.issue_dialog import IssueDialog

        try:
            dialog = IssueDialog(self._store, self._class["id"], parent=self)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        dialog.exec()
        dialog.deleteLater()

    def _pane_changed(self) -> None:
        self.reload()
        self.changed.emit()
