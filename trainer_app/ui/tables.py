"""How the app's read-only tables are set up: whole rows, no editing, no row numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView

# No ``Qt`` here at import time (nor in what the trainee list calls before its first paint): the
# first use of that namespace makes PySide build all its 93 Python enums (~12 ms). The functions
# that need it import it.


def list_view(object_name: str) -> QTableView:
    """A table view for a long list: its row numbers (hidden by :func:`plain_table` anyway)
    are hidden before any model is set, so setting one does not ask it for a header per row
    of its first page (800 calls into Python for the trainee list)."""
    table = QTableView(objectName=object_name)
    table.verticalHeader().setVisible(False)
    return table


def header_labels(table: QTableView, labels: Sequence[str]) -> None:
    """Show ``labels`` over ``table``'s columns (again after a change of language), read by
    its header from a small C++ model of their own instead of the table's model: Qt calls a
    Python ``headerData`` with a ``Qt.Orientation``, and the first one PySide hands over builds
    the whole ``Qt`` namespace. The table's model must have as many columns, fixed."""
    header = table.horizontalHeader()
    own = header.model()
    if not isinstance(own, QStandardItemModel) or own is table.model():
        own = QStandardItemModel(0, len(labels), table)
        header.setModel(own)
    own.setHorizontalHeaderLabels(list(labels))


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
        from PySide6.QtCore import Qt

        table.setSortingEnabled(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # keep the service's order


def widen_to_contents(table: QTableView) -> None:
    """Widen every column whose shown rows need more room than it has (Qt's own measure of
    the rows in view, so cheap on a paged list of 100,000); never narrows one the user set."""
    header = table.horizontalHeader()
    for column in range(header.count()):
        if header.sectionResizeMode(column) == QHeaderView.ResizeMode.Interactive:
            needed = table.sizeHintForColumn(column)
            if needed > table.columnWidth(column):
                table.setColumnWidth(column, needed)


def selected_row(table: QTableView) -> int:
    """The first selected row of ``table``, or -1."""
    rows = table.selectionModel().selectedRows()
    return rows[0].row() if rows else -1


def show_row(table: QTableView, row: int) -> None:
    """Select ``row`` and scroll to it; nothing if there is no such row (-1)."""
    if 0 <= row < table.model().rowCount():
        table.selectRow(row)
        table.scrollTo(table.model().index(row, 0))


class EmptyHint(QLabel):
    """What to do, written across an empty table instead of a blank rectangle; ``text`` is
    called each time it is shown, so it follows the language and the search."""

    def __init__(self, table: QTableView, text: Callable[[], str]) -> None:
        # On the table, hidden, until the table is first empty: only then is it moved onto the
        # viewport (see _cover_viewport).
        super().__init__(table, objectName=f"{table.objectName()}_empty")
        self.hide()
        self._table, self._text = table, text
        self.setWordWrap(True)
        model = table.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                       model.layoutChanged):
            signal.connect(self.update_hint)
        self.update_hint()

    def update_hint(self, *_args: object) -> None:
        empty = self._table.model().rowCount() == 0
        if empty:
            self.setText(self._text())
            self._cover_viewport()
        self.setVisible(empty)

    def _cover_viewport(self) -> None:
        # PySide's first wrapping of a viewport costs ~10 ms once per process, a widget's first
        # style sheet ~2 ms, and the ``Qt`` namespace ~12 ms: a window that opens on a full
        # table (the trainees at start-up) does not ask for any of them before it is shown.
        viewport = self._table.viewport()
        if self.parent() is not viewport:
            from PySide6.QtCore import Qt  # see the top of this module

            self.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            self.setStyleSheet("color: #6b7280; font-size: 14px; padding: 24px;")
            self.setParent(viewport)
            viewport.installEventFilter(self)
        self.setGeometry(viewport.rect())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.update_hint()
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.setGeometry(self._table.viewport().rect())
        return False
