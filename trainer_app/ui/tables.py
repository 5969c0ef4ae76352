"""How the app's read-only tables are set up: whole rows, no editing, no row numbers."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def plain_table(
    table: QTableView,
    widths: Sequence[int] = (),
    stretch: int | None = None,
    multi: bool = False,
    row_height: int = 26,
) -> None:
    """Select whole rows (one, or several if ``multi``), no editing, no row numbers, columns
    the user can resize from ``widths``, column ``stretch`` (else the last) taking the spare
    width."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multi
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(row_height)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def configure_table(
    table: QTableView,
    widths: Sequence[int] = (),
    stretch: int | None = None,
    sortable: bool = True,
    multi: bool = False,
) -> None:
    """The look and keys the sections' list tables share: a :func:`plain_table` with striped
    rows that do not wrap, sorting by a header click (the model's own order until then)."""
    plain_table(table, widths, stretch, multi)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    if sortable:
        table.setSortingEnabled(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # keep the service's order


def selected_row(table: QTableView) -> int:
    """The first selected row of ``table``, or -1."""
    rows = table.selectionModel().selectedRows()
    return rows[0].row() if rows else -1


def show_row(table: QTableView, row: int) -> None:
    """Select ``row`` and scroll to it; nothing if there is no such row (-1)."""
    if 0 <= row < table.model().rowCount():
        table.selectRow(row)
        table.scrollTo(table.model().index(row, 0))
