"""The county's Trainees, Classes and Certificates sections: every station's records with a
station column and a station filter, searched as at a station (pinyin and initials included),
read-only. A station's records are changed at that station and reach the county with its next
bundle, so no action that changes them is offered here.

Each list is read when its section is first shown, and again after a search or a filter change
(a short pause after typing) or after an import.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app.i18n import _
from trainer_app.services import certificates, county
from trainer_app.store import Store
from trainer_app.ui import counts
from trainer_app.ui.certificates.model import status_label as certificate_status
from trainer_app.ui.certificates.page import fill_class_filter
from trainer_app.ui.county.paged import PagedTableModel
from trainer_app.ui.county.record_models import (
    CountyCertificateModel,
    CountyClassModel,
    CountyTraineeModel,
)
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import EmptyHint, configure_table, widen_to_contents
from trainer_app.ui.when_shown import ReadsWhenShown


class RecordView(ReadsWhenShown, Retranslating, QWidget):
    """A search line, a station filter, a read-only table and a count (or, when the table is
    empty, what to do about it)."""

    WIDTHS: tuple[int, ...] = ()
    STRETCH: int | None = None
    NAME = ""

    def __init__(self, store: Store, model: PagedTableModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._store = store
        self.model = model
        model.setParent(self)

        self.search = QLineEdit(objectName=f"county_{self.NAME}_search")
        self.search.setClearButtonEnabled(True)
        self._timer = QTimer(self, singleShot=True, interval=200)
        self._timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.search.returnPressed.connect(self.apply_filter)
        self.station = QComboBox(objectName=f"county_{self.NAME}_station")
        self.station.setMinimumContentsLength(14)
        self.station.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.station.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.count = QLabel(objectName=f"county_{self.NAME}_count")
        self.note = QLabel(objectName=f"county_{self.NAME}_note", wordWrap=True)
        self.note.setStyleSheet("color: #555;")

        self.table = QTableView(objectName=f"county_{self.NAME}_table")
        self.table.setModel(model)
        configure_table(self.table, self.WIDTHS, stretch=self.STRETCH)
        model.modelReset.connect(self._update_count)
        model.modelReset.connect(lambda: widen_to_contents(self.table))
        self.empty_hint = EmptyHint(self.table, self._empty_text)

        self.top = QHBoxLayout()
        self.top.addWidget(self.search, 1)
        self.top.addWidget(self.station)
        self.top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(self.top)
        layout.addWidget(self.table, 1)
        self.bottom = QHBoxLayout()
        self.bottom.addStretch(1)
        layout.addLayout(self.bottom)

    def retranslate(self) -> None:
        self.note.setText(_(
            "The records of all stations, as their bundles brought them. They are read-only "
            "here: a station's records are changed at that station and reach the county with "
            "its next bundle."))
        current = self.station.currentData()
        self.station.blockSignals(True)
        if self.station.count():
            self.station.setItemText(0, _("All stations"))
        else:
            self.station.addItem(_("All stations"), None)
        self.station.setCurrentIndex(max(0, self.station.findData(current)))
        self.station.blockSignals(False)
        self.model.retranslate()
        self._update_count()

    def _fill_stations(self) -> None:
        current = self.station.currentData()
        self.station.blockSignals(True)
        self.station.clear()
        self.station.addItem(_("All stations"), None)
        try:
            choices = county.station_choices(self._store)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            choices = []
        for st in choices:
            self.station.addItem(f"{st['code']} {st['name']}".strip(), st["site_id"])
        self.station.setCurrentIndex(max(0, self.station.findData(current)))
        self.station.blockSignals(False)

    def load(self) -> None:
        self._dirty = False
        self.model.invalidate()
        self._fill_stations()
        self.apply_filter()

    def apply_filter(self) -> None:
        self._reading(lambda: self.model.filter(self.search.text(), self.station.currentData()))

    def _reading(self, work) -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)

    def _update_count(self) -> None:
        self.count.setText(self.count_text(self.model.rowCount()) if self.model.loaded else "")

    def _empty_text(self) -> str:
        if not self.model.loaded:
            return ""
        if self.filtered():
            return _("Nothing matches the search and the station chosen.")
        return _("No station's records yet. They arrive with the stations' bundles: import "
                 "them in the Imports section, and approve a new station in Stations.")

    def filtered(self) -> bool:
        return bool(self.search.text().strip()) or self.station.currentData() is not None

    def count_text(self, n: int) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


class TraineesView(RecordView):
    NAME = "trainees"
    WIDTHS = (70, 80, 100, 60, 110, 160, 150, 110)
    STRETCH = 8

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, CountyTraineeModel(store), parent)
        self.table.horizontalHeader().setSortIndicator(2, Qt.SortOrder.AscendingOrder)
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(
            _("Search by name, pinyin or initials (wxm), ID or phone digits, village…"))
        super().retranslate()

    def count_text(self, n: int) -> str:
        return counts.trainees(n)


class ClassesView(RecordView):
    NAME = "classes"
    WIDTHS = (64, 170, 160, 70, 180, 70, 70, 80, 140)
    STRETCH = 2

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, CountyClassModel(store), parent)
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search by course, class, trainer, place or station…"))
        super().retranslate()

    def count_text(self, n: int) -> str:
        return counts.classes(n)


class CertificatesView(RecordView):
    """Every station's certificates by status, and checking one someone shows."""

    NAME = "certificates"
    WIDTHS = (70, 170, 90, 160, 170, 70, 120, 90, 200)
    STRETCH = 8

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        self.status = QComboBox(objectName="county_certificates_status")
        # A station's classes, once a station is chosen (a county holds thousands of classes)
        self.class_filter = QComboBox(objectName="county_certificates_class")
        self._classes_of: str | None = ""  # the station whose classes the box holds
        super().__init__(store, CountyCertificateModel(store), parent)
        self.status.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.class_filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.top.insertWidget(self.top.indexOf(self.count), self.class_filter)
        self.top.insertWidget(self.top.indexOf(self.count), self.status)
        self.verify_button = QPushButton(objectName="county_verify")
        self.verify_button.clicked.connect(self.verify)
        self.bottom.addWidget(self.verify_button)
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search by serial or name…"))
        current = self.status.currentData()
        self.status.blockSignals(True)
        self.status.clear()
        self.status.addItem(_("All certificates"), None)
        for status in county.CertificateList.STATUSES:
            self.status.addItem(certificate_status(status), status)
        self.status.setCurrentIndex(max(0, self.status.findData(current)))
        self.status.blockSignals(False)
        if self._classes_of != "":  # filled: again, in the new language
            self._fill_classes(self._classes_of)
        self._class_tip()
        if hasattr(self, "verify_button"):
            self.verify_button.setText(_("&Verify certificate…"))
            self.verify_button.setToolTip(
                _("Check a certificate someone shows: genuine, forged or withdrawn. Works "
                  "offline with the keys of all stations."))
        super().retranslate()

    def load(self) -> None:
        self._classes_of = ""  # the records changed: read the station's classes again
        super().load()

    def apply_filter(self) -> None:
        station = self.station.currentData()
        if station != self._classes_of:
            self._reading(lambda: self._fill_classes(station))
        self._reading(lambda: self.model.filter(
            self.search.text(), station, self.status.currentData(),
            self.class_filter.currentData()))

    def _fill_classes(self, station: str | None) -> None:
        """The chosen station's classes that have certificates (none for all stations)."""
        self._classes_of = station
        fill_class_filter(self.class_filter,
                          certificates.register_classes(self._store, station) if station else [])
        self.class_filter.setEnabled(station is not None)
        self._class_tip()

    def _class_tip(self) -> None:
        self.class_filter.setToolTip("" if self.class_filter.isEnabled() else _(
            "Choose a station first to choose one of its classes."))

    def filtered(self) -> bool:
        return (super().filtered() or self.status.currentData() is not None
                or self.class_filter.currentData() is not None)

    def count_text(self, n: int) -> str:
        return counts.certificates(n)

    def verify(self) -> None:
        from trainer_app.ui.verify_dialog import VerifyDialog

        try:
            dialog = VerifyDialog(self._store, self)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        dialog.exec()
