"""Duplicate persons: the same resident ID number registered at more than one station.

Stations send a keyed hash of each ID number, so the county matches them without comparing
numbers in clear. The coordinator picks the record to keep in a group and merges the others
into it; the merge is a county record that reaches the stations with the next county bundle.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.domain.models import Gender
from trainer_app.i18n import N_, _
from trainer_app.services import county
from trainer_app.store import Store
from trainer_app.ui import ask, counts
from trainer_app.ui.classes.rows import RowTableModel
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import configure_table, selected_row
from trainer_app.ui.when_shown import ReadsWhenShown


class GroupsModel(RowTableModel):
    """One row per group of records that share an ID number."""

    COLUMNS = (
        ("names", N_("Name")),
        ("stations", N_("Stations")),
        ("size", N_("Records")),
    )
    NUMERIC = frozenset({"size"})
    ID_FIELD = "key"

    @staticmethod
    def group_row(members: list[dict]) -> dict:
        names = list(dict.fromkeys(m["name"] for m in members))
        stations = list(dict.fromkeys(m["station_code"] or "?" for m in members))
        return {"key": members[0]["id_hash"], "names": " / ".join(names),
                "stations": ", ".join(stations), "size": len(members), "members": members}


class MembersModel(RowTableModel):
    """The records of one group; the selected one is kept."""

    COLUMNS = (
        ("name", N_("Name")),
        ("station_code", N_("Station")),
        ("code", N_("Code")),
        ("gender", N_("Gender")),
        ("birth_date", N_("Birth date")),
        ("village", N_("Village")),
        ("classes", N_("Classes")),
        ("certificates", N_("Certificates")),
        ("updated_at", N_("Last changed")),
    )
    NUMERIC = frozenset({"classes", "certificates"})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.keep_id: str | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    def set_keep(self, trainee_id: str | None) -> None:
        self.keep_id = trainee_id
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self.rowCount() - 1, len(self.COLUMNS) - 1))

    def display(self, row: dict, field: str) -> str:
        value = row.get(field)
        if field == "station_code":
            return f"{row['station_code']} {row['station_name']}".strip()
        if field == "gender":
            return Gender(value).label if value else ""
        if field == "birth_date":
            return i18n.format_date(value) if value else ""
        if field == "village":
            return f"{value or ''} {row.get('village_group') or ''}".strip()
        if field == "updated_at":
            return i18n.format_datetime(value) if value else ""
        return super().display(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if self.keep_id is None:
            return None
        if role == Qt.ItemDataRole.FontRole and row["id"] == self.keep_id:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and row["id"] != self.keep_id:
            return QBrush(QColor("#6b7280"))
        return None


class DuplicatesPanel(ReadsWhenShown, Retranslating, QWidget):
    changed = Signal()  # a group was merged

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.groups = GroupsModel(self)
        self.members = MembersModel(self)

        self.intro = QLabel(objectName="duplicates_intro", wordWrap=True)
        self.intro.setStyleSheet("color: #555;")
        self.count = QLabel(objectName="duplicates_count")
        self.group_table = QTableView(objectName="duplicate_groups")
        self.group_table.setModel(self.groups)
        configure_table(self.group_table, (220, 260, 80), stretch=1)
        self.group_table.selectionModel().selectionChanged.connect(self._group_changed)
        self.member_table = QTableView(objectName="duplicate_members")
        self.member_table.setModel(self.members)
        configure_table(self.member_table, (110, 200, 80, 60, 110, 140, 70, 90, 150),
                        stretch=1, sortable=False)
        self.member_table.selectionModel().selectionChanged.connect(self._member_changed)
        self.member_label = QLabel(objectName="duplicates_pick", wordWrap=True)
        self.merge_button = QPushButton(objectName="merge_duplicates")
        self.merge_button.clicked.connect(self.merge)
        self.done = QLabel(objectName="duplicates_done", wordWrap=True)
        self.done.setStyleSheet("color: #15803d;")

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.member_label)
        lower_layout.addWidget(self.member_table, 1)
        merge_row = QHBoxLayout()
        merge_row.addWidget(self.merge_button)
        merge_row.addStretch(1)
        lower_layout.addLayout(merge_row)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.group_table)
        splitter.addWidget(lower)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([220, 200])

        top = QHBoxLayout()
        top.addWidget(self.intro, 1)
        top.addWidget(self.count, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.done)
        self.retranslate()

    def retranslate(self) -> None:
        self.intro.setText(_(
            "The same ID number registered at more than one station. Numbers are matched by a "
            "keyed hash, never compared in clear. Choose a group, select the record to keep, "
            "and merge: the other records are marked as the same person. The merge travels to "
            "the stations with the next county bundle."))
        self._update_pick_label()
        self.merge_button.setText(_("&Merge into the selected record"))
        self.groups.retranslate()
        self.members.retranslate()
        self._update_count()

    # -- reading ----------------------------------------------------------------------------
    def load(self) -> None:
        self._dirty = False
        keep = self.selected_group_key()
        try:
            found = county.duplicate_groups(self._store)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            found = []
        self.groups.set_rows([GroupsModel.group_row(g) for g in found])
        row = self.groups.row_of(keep) if keep else -1
        if row < 0 and self.groups.rowCount():
            row = 0
        if row >= 0:
            self.group_table.selectRow(row)
        else:
            self._group_changed()
        self._update_count()

    def group_count(self) -> int:
        return self.groups.rowCount()

    def _update_count(self) -> None:
        n = self.groups.rowCount()
        self.count.setText(counts.groups(n))

    def selected_group(self) -> dict | None:
        return self.groups.row(selected_row(self.group_table))

    def selected_group_key(self) -> str | None:
        group = self.selected_group()
        return group["key"] if group else None

    def selected_member(self) -> dict | None:
        return self.members.row(selected_row(self.member_table))

    def select_member(self, trainee_id: str) -> None:
        row = self.members.row_of(trainee_id)
        if row >= 0:
            self.member_table.selectRow(row)

    def _group_changed(
        self, _selected: QItemSelection | None = None, _deselected: QItemSelection | None = None
    ) -> None:
        group = self.selected_group()
        self.members.set_keep(None)
        self.members.set_rows(group["members"] if group else [])
        self._update_pick_label()
        self._member_changed()

    def _update_pick_label(self) -> None:
        if self.selected_group() is not None:
            self.member_label.setText(_("Select the record to keep:"))
        elif self.groups.rowCount():
            self.member_label.setText(_("Choose a group above."))
        else:
            self.member_label.setText(_(
                "Nothing to merge: no ID number is registered at two stations. A group appears "
                "here when an import brings a person already registered at another station."))

    def _member_changed(
        self, _selected: QItemSelection | None = None, _deselected: QItemSelection | None = None
    ) -> None:
        member = self.selected_member()
        self.members.set_keep(member["id"] if member else None)
        self.merge_button.setEnabled(member is not None)

    # -- merging ----------------------------------------------------------------------------
    def merge(self) -> None:
        group, keep = self.selected_group(), self.selected_member()
        if group is None or keep is None:
            return
        others = [m for m in group["members"] if m["id"] != keep["id"]]
        if not ask.confirm(
            self, _("Merge duplicate persons"),
            _("Keep {name} ({code}, station {station}) and mark {others} as the same person?\n\n"
              "The merge is sent to the stations with the next county bundle.").format(
                name=keep["name"], code=keep["code"], station=keep["station_code"],
                others=_(", ").join(f"{m['code']} ({m['station_code']})" for m in others)),
        ):
            return
        try:
            county.merge_group(self._store, keep["id"], [m["id"] for m in others])
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        self.done.setText(_(
            "Merged into {name} ({code}). The merge travels to the stations with the next "
            "county bundle.").format(name=keep["name"], code=keep["code"]))
        self.load()
        self.changed.emit()
