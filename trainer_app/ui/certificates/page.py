"""The Certificates section: the station's register of every certificate issued, searchable by
serial or name, with reprint, reissue and withdraw."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.i18n import _, ngettext
from trainer_app.services import certificates
from trainer_app.store import Store
from trainer_app.ui import ask, counts
from trainer_app.ui.certificates.issue_dialog import CertificatePrinter
from trainer_app.ui.certificates.model import RegisterModel, status_label
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import EmptyHint, configure_table, show_row

STATUSES = ("valid", "withdrawn", "replaced")


class CertificatesPage(Retranslating, QWidget):
    changed = Signal()  # a certificate was reissued or withdrawn

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._all: list[dict] = []
        self._classes: list[dict] = []  # the classes of the register's certificates
        self.model = RegisterModel(self)
        self.printer = CertificatePrinter(store, self)

        self.search = QLineEdit(objectName="certificate_search")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.refresh)
        self.filter_label = QLabel()
        self.filter = QComboBox(objectName="certificate_filter")
        self.filter_label.setBuddy(self.filter)
        self.filter.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.class_filter = QComboBox(objectName="certificate_class")
        self.class_filter.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.count = QLabel(objectName="certificate_count")

        self.table = QTableView(objectName="certificate_table")
        self.table.setModel(self.model)
        configure_table(self.table, (170, 90, 160, 180, 70, 130, 90, 220), stretch=7,
                        multi=True)
        self.empty_hint = EmptyHint(self.table, lambda: _(
            "No certificates here yet: they are issued from a finished class, in Classes → "
            "Completion → Issue certificates."))
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.activated.connect(lambda _index: self.reprint())
        self.details = QLabel(objectName="certificate_details", wordWrap=True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setStyleSheet("color: #444;")

        self.reprint_button = QPushButton(objectName="reprint_certificate")
        self.reissue_button = QPushButton(objectName="reissue_certificate")
        self.withdraw_button = QPushButton(objectName="withdraw_certificate")
        self.reprint_button.clicked.connect(self.reprint)
        self.reissue_button.clicked.connect(self.reissue)
        self.withdraw_button.clicked.connect(self.withdraw)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.filter_label)
        top.addWidget(self.class_filter)
        top.addWidget(self.filter)
        top.addWidget(self.count)
        buttons = QHBoxLayout()
        for b in (self.reprint_button, self.reissue_button, self.withdraw_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        QShortcut(QKeySequence.StandardKey.Print, self, self.reprint)

        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search by serial or name…"))
        self.filter_label.setText(_("Sho&w:"))
        current = self.filter.currentData()
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItem(_("All certificates"), None)
        for status in STATUSES:
            self.filter.addItem(status_label(status), status)
        self.filter.setCurrentIndex(max(0, self.filter.findData(current)))
        self.filter.blockSignals(False)
        self._fill_classes(self._classes)
        self.reprint_button.setText(_("Re&print"))
        self.reissue_button.setText(_("Re&issue…"))
        self.withdraw_button.setText(_("&Withdraw…"))
        self.reprint_button.setToolTip(
            _("Print the selected certificates again, with the same serials.")
        )
        self.reissue_button.setToolTip(
            _("Issue a new certificate with corrected details; the old one is withdrawn.")
        )
        self.withdraw_button.setToolTip(_("Withdraw a certificate issued by mistake."))
        self.model.retranslate()
        self._update_count()
        self._selection_changed()

    # -- reading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the register (after certificates were issued or changed elsewhere)."""
        try:
            self._all = certificates.register(self._store, self.search.text())
            choices = certificates.register_classes(self._store)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            self._all, choices = [], []
        self._classes = choices
        self._fill_classes(choices)
        self._apply_filter()

    def _fill_classes(self, choices: list[dict]) -> None:
        fill_class_filter(self.class_filter, choices)

    def _apply_filter(self, select: list[str] | None = None) -> None:
        keep = select if select is not None else self.selected_serials()
        status = self.filter.currentData()
        class_id = self.class_filter.currentData()
        self.model.set_rows([r for r in self._all if status in (None, r["status"])
                             and class_id in (None, r["class_id"])])
        selection = self.table.selectionModel()
        for serial in keep:
            row = self.model.row_of(serial)
            if row >= 0:
                selection.select(
                    self.model.index(row, 0),
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )
                self.table.scrollTo(self.model.index(row, 0))
        self._update_count()
        self._selection_changed()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count.setText(counts.certificates(n))

    def selected_rows(self) -> list[dict]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [r for r in (self.model.row(i) for i in rows) if r is not None]

    def selected_serials(self) -> list[str]:
        return [r["serial"] for r in self.selected_rows()]

    def select(self, serial: str) -> None:
        self.table.clearSelection()
        row = self.model.row_of(serial)
        if row < 0 and (self.search.text() or self.filter.currentIndex()
                        or self.class_filter.currentIndex()):
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.filter.setCurrentIndex(0)
            self.class_filter.setCurrentIndex(0)
            self.refresh()
            row = self.model.row_of(serial)
        show_row(self.table, row)

    def _selection_changed(
        self, _selected: QItemSelection | None = None, _deselected: QItemSelection | None = None
    ) -> None:
        rows = self.selected_rows()
        valid = [r for r in rows if r["status"] == "valid"]
        self.reprint_button.setEnabled(bool(rows) and len(valid) == len(rows))
        one_valid = len(rows) == 1 and len(valid) == 1
        self.reissue_button.setEnabled(one_valid)
        self.withdraw_button.setEnabled(one_valid)
        self.details.setText(self._details(rows[0]) if len(rows) == 1 else "")

    @staticmethod
    def _details(row: dict) -> str:
        parts = [
            _("{name}, ID number {id_number}").format(
                name=row["trainee_name"], id_number=row["id_number_masked"]
            ),
            _("{code} {title}, {start} – {end}").format(
                code=row["course_code"], title=row["course_title"],
                start=i18n.format_date(row["start_date"]), end=i18n.format_date(row["end_date"]),
            ),
        ]
        note = RegisterModel.note(row)
        if note:
            parts.append(note)
        return "   ·   ".join(parts)

    # -- actions ----------------------------------------------------------------------------
    def reprint(self) -> None:
        """Print the selected certificates again: the same serials, the same codes."""
        rows = self.selected_rows()
        if not rows:
            return
        invalid = [r["serial"] for r in rows if r["status"] != "valid"]
        if invalid:
            QMessageBox.information(
                self, _("Reprint"),
                _("Only valid certificates can be printed. Withdrawn or replaced: {serials}")
                .format(serials=_(", ").join(invalid)),
            )
            return
        title = rows[0]["trainee_name"] if len(rows) == 1 else ngettext(
            "{n} certificate", "{n} certificates", len(rows)
        ).format(n=i18n.format_number(len(rows), 0))
        serials = [r["serial"] for r in rows]
        try:  # issued with an earlier code format: signed again in the current one first
            result = certificates.reprint(self._store, serials)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        if result.reformatted:
            self.refresh()
            self._apply_filter(select=serials)
            self.changed.emit()
        self.printer.print_rows(
            result.certificates, _("Certificates – {title}").format(title=title))

    def reissue(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1 or rows[0]["status"] != "valid":
            return
        row = rows[0]
        reason = ask.text(self, _("Reissue certificate"),
                          reissue_question(row["serial"], row["trainee_name"]))
        if reason is None:
            return
        try:
            new = certificates.reissue(self._store, row["serial"], reason)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        self._after_change(new["serial"])
        self.printer.print_rows([new], _("Certificates – {title}").format(
            title=new["trainee_name"]
        ))

    def withdraw(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1 or rows[0]["status"] != "valid":
            return
        row = rows[0]
        reason = ask.text(
            self, _("Withdraw certificate"),
            _("Withdraw certificate {serial} of {name}.\n\nReason for withdrawing (it is shown "
              "to anyone who checks this certificate):").format(
                serial=row["serial"], name=row["trainee_name"]
            ),
        )
        if reason is None:
            return
        if not reason:
            QMessageBox.warning(
                self, _("Withdraw certificate"),
                _("Give the reason for withdrawing the certificate."),
            )
            return
        if not ask.confirm(
            self, _("Withdraw certificate"),
            _("Withdraw certificate {serial} of {name}? From now on it verifies as withdrawn. "
              "This cannot be undone.").format(serial=row["serial"], name=row["trainee_name"]),
        ):
            return
        try:
            certificates.revoke(self._store, row["serial"], reason)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        self._after_change(row["serial"])

    def _after_change(self, serial: str) -> None:
        self.refresh()
        self.select(serial)
        self.changed.emit()


# The widest a class filter grows: a class title with its date fits, the search keeps room.
CLASS_FILTER_WIDTH = 420


def fill_class_filter(box: QComboBox, choices: list[dict]) -> None:
    """"All classes", then ``choices`` (classes with certificates, the latest first) named with
    their first day; the class chosen stays chosen. The box is as wide as its longest name (up
    to :data:`CLASS_FILTER_WIDTH`, the list always as wide), so a name is not cut short."""
    current = box.currentData()
    box.blockSignals(True)
    box.clear()
    box.addItem(_("All classes"), None)
    for c in choices:
        box.addItem(_("{title} ({start})").format(
            title=c["title"], start=i18n.format_date(c["start_date"])), c["id"])
    box.setCurrentIndex(max(0, box.findData(current)))
    box.blockSignals(False)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    box.setMaximumWidth(CLASS_FILTER_WIDTH)
    box.view().setMinimumWidth(box.view().sizeHintForColumn(0) + 24)


def reissue_question(serial: str, name: str) -> str:
    return _("Reissue certificate {serial} of {name}.\n\n"
             "The new certificate gets a new serial and is printed with the trainee's details "
             "as they are now in the register. If a name or an ID number on it was wrong, "
             "close this, correct the trainee's record in the Trainees section first, then "
             "reissue. The old certificate is withdrawn and marked as replaced.\n\n"
             "Reason for reissuing:").format(serial=serial, name=name)
