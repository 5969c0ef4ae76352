"""The trainee table: a Qt model over :class:`TraineeList`, reading rows a page at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex

from trainer_app import i18n
from trainer_app.domain import idcard, phone
from trainer_app.domain.codes import Gender  # not .models: no record dataclass is needed
from trainer_app.i18n import N_, _
from trainer_app.services.trainee_list import TraineeList

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

Index = QModelIndex | QPersistentModelIndex

# (field, header) in display order; the field is also the sort key.
COLUMNS = (
    ("code", N_("Code")),
    ("name", N_("Name")),
    ("gender", N_("Gender")),
    ("birth_date", N_("Birth date")),
    ("id_number", N_("ID number")),
    ("phone", N_("Phone")),
    ("village", N_("Village")),
    ("poor_household", N_("Poor household")),
)
PAGE = 64  # rows read at a time: about two screens (the first paint reads one page)
# Qt's roles and alignment flags as the integers they are (tests/test_startup.py checks them):
# the first use of the ``Qt`` namespace makes PySide build all its 93 Python enums (~12 ms), and
# the list's first paint does without them.
_DISPLAY = 0  # Qt.ItemDataRole.DisplayRole
_ALIGNMENT = 7  # Qt.ItemDataRole.TextAlignmentRole
_RIGHT = 0x82  # Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
_RIGHT_ALIGNED = frozenset(("birth_date", "id_number", "phone"))


def labels() -> list[str]:
    """The columns' headers, in the language now in use. The model has no ``headerData``: the
    table's header reads these from a model of their own (see
    :func:`~trainer_app.ui.tables.header_labels`), and Qt would ask a Python one even so."""
    return [_(header) for _field, header in COLUMNS]


class TraineeTableModel(QAbstractTableModel):
    def __init__(self, source: TraineeList, parent=None) -> None:
        super().__init__(parent)
        self._source = source
        self._search = ""
        # Until someone scrolls past the first page, searches or sorts, only that page's rowids
        # are read (``_partial``); start-up need not read 100,000 of them.
        self._rowids: list[int] = source.head(PAGE)
        self._count = source.count()
        self._partial = self._count > len(self._rowids)
        self._cache: dict[int, dict] = {}
        self._revealed: set[str] = set()

    # -- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = _DISPLAY):
        # The view asks each visible cell for seven roles: the ones without an answer leave
        # first, before any other Qt call (the first paint asks ~1,500 times).
        if role != _DISPLAY and role != _ALIGNMENT or not index.isValid():
            return None
        if role == _DISPLAY:
            row = self.row(index.row())
            return self._display(row, COLUMNS[index.column()][0]) if row else None
        return _RIGHT if COLUMNS[index.column()][0] in _RIGHT_ALIGNED else None

    def sort(self, column: int, order: Qt.SortOrder) -> None:
        from PySide6.QtCore import Qt  # called once sorting is on: after the first paint

        wanted = (COLUMNS[column][0], order == Qt.SortOrder.DescendingOrder)
        if wanted == (self._source.sort, self._source.descending):
            return  # already in this order (the view asks once when sorting is enabled)
        self._source.set_sort(*wanted)
        self._reload()

    # -- ours -------------------------------------------------------------------------------
    def set_search(self, text: str) -> None:
        self._search = text
        self._reload()

    @property
    def source(self) -> TraineeList:
        return self._source

    def total(self) -> int:
        """All live trainees, whatever the search."""
        return self._source.count()

    def refresh(self) -> None:
        """Re-read after trainees were added, changed or removed."""
        self._source.invalidate()
        self._reload()

    def retranslate(self) -> None:
        if self._count:
            last = self.index(self._count - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def row(self, row: int) -> dict | None:
        if not 0 <= row < self._count:
            return None
        if row >= len(self._rowids):
            self._load_all()
        rowid = self._rowids[row]
        found = self._cache.get(rowid)
        if found is None:
            start = row - row % PAGE
            self._cache.update(self._source.rows(self._rowids[start : start + PAGE]))
            found = self._cache.get(rowid)
        return found

    def trainee_id(self, row: int) -> str | None:
        found = self.row(row)
        return found["id"] if found else None

    def row_of(self, trainee_id: str) -> int:
        """The row showing ``trainee_id``, or -1 when it is filtered out."""
        self._load_all()
        rowid = self._source.rowid(trainee_id)
        try:
            return self._rowids.index(rowid)
        except ValueError:
            return -1

    def toggle_reveal(self, row: int) -> None:
        """Show (or hide again) the full ID number and phone of one trainee."""
        trainee_id = self.trainee_id(row)
        if trainee_id:
            self._revealed ^= {trainee_id}
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _load_all(self) -> None:
        if self._partial:
            self._rowids = self._source.find(self._search)
            self._partial = False

    def _reload(self) -> None:
        self.beginResetModel()
        self._rowids = self._source.find(self._search)
        self._count = len(self._rowids)
        self._partial = False
        self._cache.clear()
        self.endResetModel()

    def _display(self, row: dict, field: str) -> str:
        value = row.get(field)
        revealed = row["id"] in self._revealed
        if field == "gender":
            return Gender(value).label if value else ""
        if field == "birth_date":
            return (i18n.format_date(value) if value else "") if revealed else \
                idcard.mask_birth_date(value)
        if field == "id_number":
            return (value or "") if revealed else idcard.mask(value)
        if field == "phone":
            return (value or "") if revealed else phone.mask(value)
        if field == "village":
            return f"{row['village']} {row['village_group']}".strip()
        if field == "poor_household":
            return _("Yes") if value else ""
        return "" if value is None else str(value)
