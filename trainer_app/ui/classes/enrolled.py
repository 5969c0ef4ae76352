"""The trainees enrolled in one class: enroll several at once with the trainee search, unenroll."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.domain.models import ClassStatus
from trainer_app.i18n import _, ngettext
from trainer_app.services import classes
from trainer_app.store import Store
from trainer_app.ui import ask, papers
from trainer_app.ui.classes.models import EnrolledTableModel
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import configure_table
from trainer_app.ui.trainee_picker import TraineePicker, name_list


class EnrolledPane(Retranslating, QWidget):
    changed = Signal()  # trainees were enrolled or unenrolled

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._class: dict | None = None
        self.model = EnrolledTableModel(self)

        self.table = QTableView(objectName="enrolled_table")
        self.table.setModel(self.model)
        configure_table(self.table, (90, 120, 70, 200, 130), stretch=3, multi=True)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)

        self.enroll_button = QPushButton(objectName="enroll")
        self.unenroll_button = QPushButton(objectName="unenroll")
        self.enroll_button.clicked.connect(self.enroll)
        self.unenroll_button.clicked.connect(self.unenroll)
        self.cards_button = QPushButton(objectName="trainee_cards")
        self.roster_button = QPushButton(objectName="class_roster")
        self.cards_button.clicked.connect(self.print_cards)
        self.roster_button.clicked.connect(self.print_roster)
        self.export_button = QPushButton(objectName="export_roster")
        self.export_button.clicked.connect(lambda: self.export_roster())
        self.paper_task = None  # the last paper written in the background
        self.count = QLabel(objectName="enrolled_count")
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.table, self.unenroll)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)  # only while the list has focus

        buttons = QHBoxLayout()
        buttons.addWidget(self.enroll_button)
        buttons.addWidget(self.unenroll_button)
        buttons.addWidget(self.cards_button)
        buttons.addWidget(self.roster_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.enroll_button.setText(_("&Enroll trainees…"))
        self.unenroll_button.setText(_("&Unenroll"))
        self.roster_button.setText(_("Class &roster…"))
        self.roster_button.setToolTip(_("Print the list of the trainees enrolled in this class"))
        self.export_button.setText(_("Export…"))
        self.export_button.setToolTip(_("Save the trainees enrolled in this class as .xlsx or "
                                        ".csv"))
        self.model.retranslate()
        self._update_buttons()

    def set_class(self, class_row: dict | None) -> None:
        self._class = class_row
        rows: list[dict] = []
        if class_row:
            try:
                rows = classes.enrolled(self._store, class_row["id"])
            except Exception as exc:  # noqa: BLE001 - shown to the user
                show_error(self, exc)
        self.model.set_rows(rows)

    def selected_ids(self) -> list[str]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [i for i in (self.model.row_id(r) for r in rows) if i]

    def _update_buttons(self) -> None:
        open_class = self._class is not None and self._class["status"] != ClassStatus.CANCELLED
        self.enroll_button.setEnabled(open_class)
        self.enroll_button.setToolTip(
            "" if open_class or self._class is None
            else _("This class is cancelled; no one can be enrolled.")
        )
        self.unenroll_button.setEnabled(bool(self.selected_ids()))
        chosen = len(self.selected_ids())
        has_rows = self.model.rowCount() > 0
        self.cards_button.setEnabled(has_rows)
        self.roster_button.setEnabled(has_rows)
        self.export_button.setEnabled(has_rows)
        self.cards_button.setText(
            ngettext("Trainee car&ds for {n} selected…", "Trainee car&ds for {n} selected…",
                     chosen).format(n=i18n.format_number(chosen, 0))
            if chosen else _("Trainee car&ds…")
        )
        self.cards_button.setToolTip(
            _("Print cards to cut out, with each trainee's QR code for the attendance scanner: "
              "for the selected trainees, or for everyone enrolled when none is selected")
        )
        n = self.model.rowCount()
        self.count.setText(
            ngettext("{n} trainee enrolled", "{n} trainees enrolled", n).format(
                n=i18n.format_number(n, 0)
            ) if self._class else ""
        )

    # -- actions ----------------------------------------------------------------------------
    def picker(self) -> TraineePicker:
        """The dialog to choose whom to enroll (the already enrolled are ticked and greyed)."""
        assert self._class is not None
        return TraineePicker(
            self._store,
            locked={r["id"] for r in self.model.rows()},
            parent=self,
            title=_("Enroll trainees in {title}").format(title=self._class["title"]),
            confirm=_("Enroll"),
        )

    def enroll(self) -> None:
        if self._class is None:
            return
        picker = self.picker()
        if not picker.exec() or not picker.chosen_ids():
            return
        try:
            classes.enroll(self._store, self._class["id"], picker.chosen_ids())
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        self.changed.emit()

    def print_cards(self) -> None:
        if self._class is None:
            return
        chosen = self.selected_ids() or None  # none selected: everyone enrolled
        self.paper_task = papers.trainee_cards(
            self._store, self._class["id"], parent=self, trainee_ids=chosen
        )

    def print_roster(self) -> None:
        if self._class is None:
            return
        self.paper_task = papers.roster(self._store, self._class["id"], parent=self)

    def export_roster(self, path: str | None = None, reveal: bool | None = None):
        from trainer_app.ui.trainees.export import export_roster

        if self._class is not None:
            return export_roster(self, self._store, self._class["id"],
                                 self._class["title"] or _("roster"), path, reveal)
        return None

    def unenroll(self) -> None:
        ids = self.selected_ids()
        if self._class is None or not ids:
            return
        names = [self.model.row(self.model.row_of(i))["name"] for i in ids]
        if not ask.confirm(
            self,
            _("Unenroll"),
            ngettext(
                "Unenroll {names} from this class? Attendance already taken stays in the "
                "records.",
                "Unenroll these {n} trainees ({names}) from this class? Attendance already "
                "taken stays in the records.",
                len(ids),
            ).format(n=len(ids), names=name_list(names)),
        ):
            return
        try:
            classes.unenroll(self._store, self._class["id"], ids)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        self.changed.emit()
