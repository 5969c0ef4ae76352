"""County-wide views: the trainees, classes and certificates of every station, read-only.

Rows belong to the station that recorded them and are changed only there, so nothing here is
editable. Each table is a paged model: the ordered rowids are read once (when the tab is first
shown, or after a search), and full rows only for the page on screen, so a county of 100,000
trainees stays quick.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.domain import idcard
from trainer_app.domain.models import Gender
from trainer_app.i18n import N_, _, ngettext
from trainer_app.services import county
from trainer_app.services.trainee_list import SORT_FIELDS as TRAINEE_SORTS
from trainer_app.store import Store
from trainer_app.ui.certificates.model import STATUS_COLORS as CERTIFICATE_COLORS
from trainer_app.ui.certificates.model import mono_font
from trainer_app.ui.certificates.model import status_label as certificate_status
from trainer_app.ui.classes.models import STATUS_COLORS as CLASS_COLORS
from trainer_app.ui.classes.models import period_label
from trainer_app.ui.classes.models import status_label as class_status
from trainer_app.ui.classes.rows import ColumnsModel, Index
from trainer_app.ui.courses.model import hours_label
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import configure_table

PAGE = 200
GREY = "#8a8a8a"


class PagedTableModel(ColumnsModel):
    """A read-only table over rowids in display order, reading full rows a page at a time.

    Subclasses say how the rowids are found (:meth:`fetch_rowids`), how a page of rows is read
    (:meth:`fetch_rows`) and how a cell is shown. Nothing is read until :meth:`reload`.
    """

    SORTABLE: frozenset[str] = frozenset()  # fields the source can order by

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rowids: list[int] = []
        self._cache: dict[int, dict] = {}
        self.loaded = False

    # -- what subclasses give ----------------------------------------------------------------
    def fetch_rowids(self) -> list[int]:  # pragma: no cover - overridden
        raise NotImplementedError

    def fetch_rows(self, rowids: list[int]) -> dict[int, dict]:  # pragma: no cover
        raise NotImplementedError

    def set_source_sort(self, field: str, descending: bool) -> None:  # pragma: no cover
        raise NotImplementedError

    # -- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rowids)

    def flags(self, index: Index) -> Qt.ItemFlag:
        # Station-owned rows: selectable, never editable at the county.
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        field = self.COLUMNS[column][0]
        if field not in self.SORTABLE:
            return
        self.set_source_sort(field, order == Qt.SortOrder.DescendingOrder)
        if self.loaded:
            self.reload()

    # -- ours -------------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Forget what the source cached: the records changed (after an import)."""

    def reload(self) -> None:
        self.beginResetModel()
        self._rowids = self.fetch_rowids()
        self._cache.clear()
        self.loaded = True
        self.endResetModel()

    def row(self, row: int) -> dict | None:
        if not 0 <= row < len(self._rowids):
            return None
        rowid = self._rowids[row]
        found = self._cache.get(rowid)
        if found is None:
            if len(self._cache) > 20 * PAGE:  # scrolled far: keep memory flat
                self._cache.clear()
            start = row - row % PAGE
            self._cache.update(self.fetch_rows(self._rowids[start : start + PAGE]))
            found = self._cache.get(rowid)
        return found

    def rows(self) -> list[dict]:
        """Every row (for tests and small lists; a big county reads them page by page)."""
        return [r for r in (self.row(i) for i in range(len(self._rowids))) if r is not None]


# -- the three models ------------------------------------------------------------------------
class CountyTraineeModel(PagedTableModel):
    COLUMNS = (
        ("station_code", N_("Station")),
        ("code", N_("Code")),
        ("name", N_("Name")),
        ("gender", N_("Gender")),
        ("birth_date", N_("Birth date")),
        ("id_number", N_("ID number")),
        ("village", N_("Village")),
        ("poor_household", N_("Poor household")),
        ("note", N_("Note")),
    )
    SORTABLE = frozenset(TRAINEE_SORTS)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = county.CountyTraineeList(store)
        self.search = ""

    def fetch_rowids(self) -> list[int]:
        return self.source.find(self.search)

    def fetch_rows(self, rowids: list[int]) -> dict[int, dict]:
        return self.source.rows(rowids)

    def set_source_sort(self, field: str, descending: bool) -> None:
        self.source.set_sort(field, descending)

    def invalidate(self) -> None:
        self.source.invalidate()

    def filter(self, search: str, station: str | None) -> None:
        self.search = search
        self.source.set_station(station)
        self.reload()  # the search keys stay cached until the records change

    def display(self, row: dict, field: str) -> str:
        value = row.get(field)
        if field == "gender":
            return Gender(value).label if value else ""
        if field == "birth_date":
            return i18n.format_date(value) if value else ""
        if field == "id_number":
            return idcard.mask(value)
        if field == "village":
            return f"{row['village']} {row['village_group']}".strip()
        if field == "poor_household":
            return _("Yes") if value else ""
        if field == "note":
            if row.get("merged_into_code"):
                return _("Same person as {code} ({station})").format(
                    code=row["merged_into_code"], station=row["merged_into_station"])
            return ""
        return super().display(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and row.get("merged_into_code"):
            return QBrush(QColor(GREY))
        if role == Qt.ItemDataRole.ToolTipRole and field == "station_code":
            return row.get("station_name") or None
        return None


class CountyClassModel(PagedTableModel):
    COLUMNS = (
        ("station_code", N_("Station")),
        ("course_title", N_("Course")),
        ("title", N_("Class")),
        ("trainer", N_("Trainer")),
        ("start_date", N_("Dates")),
        ("status", N_("Status")),
        ("enrolled", N_("Enrolled")),
        ("hours", N_("Lessons")),
        ("attended", N_("Attendance")),
    )
    SORTABLE = frozenset(county.ClassList.SORTS)
    NUMERIC = frozenset({"enrolled", "hours", "attended"})

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = county.ClassList(store)

    def fetch_rowids(self) -> list[int]:
        return self.source.rowids()

    def fetch_rows(self, rowids: list[int]) -> dict[int, dict]:
        return self.source.rows(rowids)

    def set_source_sort(self, field: str, descending: bool) -> None:
        self.source.set_sort(field, descending)

    def filter(self, search: str, station: str | None) -> None:
        self.source.search, self.source.station = search, station
        self.reload()

    def display(self, row: dict, field: str) -> str:
        if field == "course_title":
            return f"{row['course_code']} {row['course_title']}".strip()
        if field == "start_date":
            return period_label(row["start_date"], row["end_date"])
        if field == "status":
            return class_status(row["status"])
        if field == "hours":
            return _("{lessons} · {hours}").format(lessons=row["lessons"],
                                                  hours=hours_label(row["hours"]))
        if field == "attended":
            if not row["marks"]:
                return ""
            return _("{attended} of {marks} present").format(
                attended=i18n.format_number(row["attended"], 0),
                marks=i18n.format_number(row["marks"], 0))
        return super().display(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if field == "status" and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(CLASS_COLORS.get(row["status"], GREY)))
        if role == Qt.ItemDataRole.ToolTipRole:
            if field in ("course_title", "title"):
                return self.display(row, field) or None
            if field == "attended" and row["marks"]:
                return _("Attendance marks of this class: present or late, of all marks "
                         "taken.")
        return None


class CountyCertificateModel(PagedTableModel):
    COLUMNS = (
        ("station_code", N_("Station")),
        ("serial", N_("Serial")),
        ("trainee_name", N_("Name")),
        ("course_title", N_("Course")),
        ("hours", N_("Hours")),
        ("issued_on", N_("Issued on")),
        ("status", N_("Status")),
        ("note", N_("Note")),
    )
    SORTABLE = frozenset(county.CertificateList.SORTS)
    NUMERIC = frozenset({"hours"})

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = county.CertificateList(store)
        self._mono = mono_font()

    def fetch_rowids(self) -> list[int]:
        return self.source.rowids()

    def fetch_rows(self, rowids: list[int]) -> dict[int, dict]:
        return self.source.rows(rowids)

    def set_source_sort(self, field: str, descending: bool) -> None:
        self.source.set_sort(field, descending)

    def filter(self, search: str, station: str | None, status: str | None = None) -> None:
        self.source.search, self.source.station, self.source.status = search, station, status
        self.reload()

    def display(self, row: dict, field: str) -> str:
        if field == "hours":
            return hours_label(row["hours"])
        if field == "issued_on":
            return i18n.format_date(row["issued_on"])
        if field == "status":
            return certificate_status(row["status"])
        if field == "note":
            if row["status"] == "replaced":
                return _("Replaced by {serial}").format(serial=row["replaced_by"])
            if row["status"] == "withdrawn":
                return _("Withdrawn: {reason}").format(reason=row.get("revoked_reason") or "")
            return ""
        return super().display(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if field == "status":
            background, foreground = CERTIFICATE_COLORS.get(row["status"], ("#fff", "#000"))
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(background))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(foreground))
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
        if field == "serial" and role == Qt.ItemDataRole.FontRole:
            return self._mono
        if role == Qt.ItemDataRole.ToolTipRole and field in ("note", "course_title"):
            return self.display(row, field) or None
        return None


# -- the views ---------------------------------------------------------------------------------
class RecordView(Retranslating, QWidget):
    """A search line, a station filter, a count and a read-only table; loaded when first
    shown, and again after a search or a filter change (a short pause after typing)."""

    WIDTHS: tuple[int, ...] = ()
    STRETCH: int | None = None
    NAME = ""

    def __init__(self, store: Store, model: PagedTableModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._store = store
        self.model = model
        model.setParent(self)
        self._dirty = True

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

        self.table = QTableView(objectName=f"county_{self.NAME}_table")
        self.table.setModel(model)
        configure_table(self.table, self.WIDTHS, stretch=self.STRETCH)
        model.modelReset.connect(self._update_count)

        self.top = QHBoxLayout()
        self.top.addWidget(self.search, 1)
        self.top.addWidget(self.station)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(self.top)
        layout.addWidget(self.table, 1)
        self.bottom = QHBoxLayout()
        self.bottom.addWidget(self.count)
        self.bottom.addStretch(1)
        layout.addLayout(self.bottom)

    def retranslate(self) -> None:
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

    def refresh(self) -> None:
        """Re-read (after imports or merges); a hidden view waits until it is shown."""
        self._dirty = True
        if self.isVisible():
            self.load()

    def load(self) -> None:
        self._dirty = False
        self.model.invalidate()
        self._fill_stations()
        self.apply_filter()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._dirty:
            self.load()

    def apply_filter(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _reading(self, work) -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)

    def _update_count(self) -> None:
        if not self.model.loaded:
            self.count.clear()
            return
        n = self.model.rowCount()
        self.count.setText(self.count_text(n))

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

    def apply_filter(self) -> None:
        self._reading(lambda: self.model.filter(self.search.text(), self.station.currentData()))

    def count_text(self, n: int) -> str:
        return ngettext("{n} trainee", "{n} trainees", n).format(n=i18n.format_number(n, 0))


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

    def apply_filter(self) -> None:
        self._reading(lambda: self.model.filter(self.search.text(), self.station.currentData()))

    def count_text(self, n: int) -> str:
        return ngettext("{n} class", "{n} classes", n).format(n=i18n.format_number(n, 0))


class CertificatesView(RecordView):
    NAME = "certificates"
    WIDTHS = (70, 170, 100, 200, 70, 120, 90, 200)
    STRETCH = 7

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        self.status = QComboBox(objectName="county_certificates_status")
        super().__init__(store, CountyCertificateModel(store), parent)
        self.status.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.top.addWidget(self.status)
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
        super().retranslate()

    def apply_filter(self) -> None:
        self._reading(lambda: self.model.filter(
            self.search.text(), self.station.currentData(), self.status.currentData()))

    def count_text(self, n: int) -> str:
        return ngettext("{n} certificate", "{n} certificates", n).format(
            n=i18n.format_number(n, 0))


class CountyViews(Retranslating, QWidget):
    """Every station's trainees, classes and certificates, and checking a certificate."""

    verified = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.trainees = TraineesView(store)
        self.classes = ClassesView(store)
        self.certificates = CertificatesView(store)
        self.tabs = QTabWidget(objectName="county_view_tabs")
        self.tabs.setDocumentMode(True)
        for view in (self.trainees, self.classes, self.certificates):
            self.tabs.addTab(view, "")
        self.note = QLabel(objectName="county_views_note", wordWrap=True)
        self.note.setStyleSheet("color: #555;")
        self.verify_button = QPushButton(objectName="county_verify")
        self.verify_button.clicked.connect(self.verify)
        self.verify_button.setVisible(verify_dialog_class() is not None)

        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        top.addWidget(self.verify_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.tabs.setTabText(0, _("Trainees"))
        self.tabs.setTabText(1, _("Classes"))
        self.tabs.setTabText(2, _("Certificates"))
        self.note.setText(_(
            "The records of all stations, as their bundles brought them. They are read-only "
            "here: a station's records are changed at that station and reach the county with "
            "its next bundle."))
        self.verify_button.setText(_("&Verify certificate…"))
        self.verify_button.setToolTip(
            _("Check a certificate someone shows: genuine, forged or withdrawn. Works offline "
              "with the keys of all stations."))

    def refresh(self) -> None:
        for view in (self.trainees, self.classes, self.certificates):
            view.refresh()

    def verify(self) -> None:
        dialog_class = verify_dialog_class()
        if dialog_class is None:
            return
        try:
            dialog = dialog_class(self._store, self)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        dialog.exec()
        self.verified.emit()


def verify_dialog_class():
    """:class:`trainer_app.ui.verify_dialog.VerifyDialog`, when this build has it."""
    try:
        from trainer_app.ui.verify_dialog import VerifyDialog
    except ImportError:
        return None
    return VerifyDialog
