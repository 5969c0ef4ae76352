"""The review screen: every trainee row read from the sheets, with the picture of its
signature cell, what was read, the mark already recorded and the mark that will be recorded.

P, L, E, A (or 1-4) set the selected rows' mark, 0 or Delete leaves them unmarked; Confirm
records the marks "from the sheet" and keeps the pages as evidence, in one transaction. A mark
already recorded is kept unless the operator sets another one here.
"""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, Qt
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.domain.models import AttendanceStatus
from trainer_app.i18n import _, pgettext
from trainer_app.services import sheets
from trainer_app.store import Store
from trainer_app.ui.errors import show_error
from trainer_app.ui.tables import configure_table

KEYS = {
    "P": AttendanceStatus.PRESENT, "1": AttendanceStatus.PRESENT,
    "L": AttendanceStatus.LATE, "2": AttendanceStatus.LATE,
    "E": AttendanceStatus.EXCUSED, "3": AttendanceStatus.EXCUSED,
    "A": AttendanceStatus.ABSENT, "4": AttendanceStatus.ABSENT,
}
CELL_H = 60  # pixels of the signature picture in the table


def pixmap(image: Image.Image, height: int = CELL_H) -> QPixmap:
    picture = image.convert("RGB")
    picture = picture.resize((max(1, picture.width * height // picture.height), height))
    data = picture.tobytes()
    q = QImage(data, picture.width, picture.height, 3 * picture.width, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(q.copy())


class ReviewModel(QAbstractTableModel):
    ROW, NAME, SIGNATURE, READ, CURRENT, RECORD = range(6)

    def __init__(self, batch: sheets.SheetBatch) -> None:
        super().__init__()
        self.proposals = [p for p in batch.proposals if p.trainee_id]
        self.decisions: list[AttendanceStatus | None] = [
            p.proposed if p.current is None else None for p in self.proposals]
        self._pixmaps: dict[int, QPixmap] = {}

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.proposals)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 6

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (pgettext("sheet row", "Row"), _("Trainee"), _("Signature"), _("Read as"),
                _("Already recorded"), _("Will record"))[section]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        p = self.proposals[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DecorationRole and column == self.SIGNATURE:
            if index.row() not in self._pixmaps:
                self._pixmaps[index.row()] = pixmap(p.cell)
            return self._pixmaps[index.row()]
        if role == Qt.ItemDataRole.SizeHintRole and column == self.SIGNATURE:
            return QSize(CELL_H * p.cell.width // max(1, p.cell.height), CELL_H)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == self.ROW:
            return str(p.row)
        if column == self.NAME:
            if p.by_place:  # its own code was not read: the sheet's list says who is there
                return _("{name} ({code}), known by the row").format(name=p.name, code=p.code)
            return f"{p.name} ({p.code})"
        if column == self.READ:
            read = {True: _("signed"), False: _("not signed"), None: _("uncertain")}[p.signed]
            return f"{read} {i18n.format_percent(p.confidence)}"
        if column == self.CURRENT:
            return AttendanceStatus(p.current).label if p.current else ""
        if column == self.RECORD:
            decision = self.decisions[index.row()]
            return decision.label if decision else pgettext("no mark", "—")
        return None

    def set_decision(self, rows: list[int], status: AttendanceStatus | None) -> None:
        for row in rows:
            self.decisions[row] = status
            cell = self.index(row, self.RECORD)
            self.dataChanged.emit(cell, cell)

    def chosen(self) -> dict[tuple[str, str], AttendanceStatus]:
        return {(p.lesson_id, p.trainee_id): d
                for p, d in zip(self.proposals, self.decisions, strict=True) if d is not None}


class ReviewDialog(QDialog):
    def __init__(self, store: Store, batch: sheets.SheetBatch, parent: QWidget | None = None):
        super().__init__(parent, objectName="sheet_review")
        self._store = store
        self.batch = batch
        self.written = 0
        self.setWindowTitle(_("Review the marks read from the sheets"))
        self.model = ReviewModel(batch)
        self.table = QTableView(objectName="review_table")
        self.table.setModel(self.model)
        configure_table(self.table)
        self.table.verticalHeader().setDefaultSectionSize(CELL_H + 6)
        self.table.resizeColumnsToContents()
        self.notes = QLabel(self._notes(), objectName="review_notes", wordWrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.confirm_button = buttons.addButton(_("Confirm and record"),
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm_button.setObjectName("confirm")
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("P, L, E or A (1-4) sets the mark of the selected rows; 0 "
                                  "leaves them unmarked. A mark already recorded is kept "
                                  "unless you set another one."), wordWrap=True))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notes)
        layout.addWidget(buttons)
        for key, status in KEYS.items():
            QShortcut(QKeySequence(key), self.table, lambda s=status: self._set(s))
        for key in ("0", "Delete"):
            QShortcut(QKeySequence(key), self.table, lambda: self._set(None))
        self.resize(900, 600)
        if self.model.rowCount():
            self.table.selectRow(0)

    def _notes(self) -> str:
        lines = [f"{p.file.name}: {p.message}" for p in self.batch.pages if p.problem]
        lines += [_("Row {row}: handwritten row, not read; enter it by hand.").format(row=h.row)
                  for h in self.batch.handwritten]
        lines += [_("Row {row}: the trainee code could not be read.").format(row=r)
                  for p in self.batch.pages for r in p.unread_rows]
        return "\n".join(lines)

    def _set(self, status: AttendanceStatus | None) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        self.model.set_decision(rows, status)

    def confirm(self) -> None:
        try:
            self.written = sheets.apply(self._store, self.batch, self.model.chosen())
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        self.accept()
