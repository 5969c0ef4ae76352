"""A read-only table over rowids in display order that reads full rows a page at a time, so a
county of 100,000 trainees costs one ordered scan, not 100,000 Python objects."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, Qt

from trainer_app.ui.classes.rows import ColumnsModel, Index

PAGE = 200

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

