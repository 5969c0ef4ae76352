"""The models of the county's read-only lists: every station's trainees, classes and
certificates, each row with its station's code.

Rows belong to the station that recorded them and are changed only there, so nothing here is
editable.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor

from trainer_app import i18n
from trainer_app.domain import idcard
from trainer_app.domain.models import Gender
from trainer_app.i18n import N_, _
from trainer_app.services import county
from trainer_app.services.trainee_list import SORT_FIELDS as TRAINEE_SORTS
from trainer_app.store import Store
from trainer_app.ui.certificates.model import CertificateCells, RegisterModel
from trainer_app.ui.classes.models import STATUS_COLORS as CLASS_COLORS
from trainer_app.ui.classes.models import period_label
from trainer_app.ui.classes.models import status_label as class_status
from trainer_app.ui.county.paged import PagedTableModel
from trainer_app.ui.courses.model import hours_label

GREY = "#8a8a8a"


class StationRecordsModel(PagedTableModel):
    """A county list read page by page through its service object (``SOURCE``)."""

    SOURCE: Any  # a county list class, built from the store

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = self.SOURCE(store)

    def fetch_rowids(self) -> list[int]:
        return self.source.rowids()

    def fetch_rows(self, rowids: list[int]) -> dict[int, dict]:
        return self.source.rows(rowids)

    def set_source_sort(self, field: str, descending: bool) -> None:
        self.source.set_sort(field, descending)


class CountyTraineeModel(StationRecordsModel):
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
    SOURCE = county.CountyTraineeList

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(store, parent)
        self.search = ""

    def fetch_rowids(self) -> list[int]:
        return self.source.find(self.search)

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
            return idcard.mask_birth_date(value)
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


class CountyClassModel(StationRecordsModel):
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
    SOURCE = county.ClassList

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


class CountyCertificateModel(CertificateCells, StationRecordsModel):
    COLUMNS = (("station_code", N_("Station")), *RegisterModel.COLUMNS)
    SORTABLE = frozenset(county.CertificateList.SORTS)
    NUMERIC = RegisterModel.NUMERIC
    SOURCE = county.CertificateList

    def filter(self, search: str, station: str | None, status: str | None = None,
               class_id: str | None = None) -> None:
        self.source.search, self.source.station, self.source.status = search, station, status
        self.source.class_id = class_id
        self.reload()
