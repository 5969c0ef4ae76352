"""File → Stations restored from backups (county): each such station's epochs, and choosing
which PC is the station when two were restored from one backup."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.i18n import N_, _
from trainer_app.sync import epochs, exchange
from trainer_app.ui.classes.rows import RowTableModel
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import plain_table, selected_row
from trainer_app.ui.tasks import Task, store_task


def _status(code: str) -> str:
    return {"active": _("applied"), "held": _("held: a second PC from the same backup"),
            "stopped": _("stopped")}.get(code, code)


class EpochsModel(RowTableModel):
    ID_FIELD = "epoch_id"
    COLUMNS = (
        ("code", N_("Station")),
        ("started_at", N_("Restored")),
        ("base_seq", N_("From bundle")),
        ("bundles", N_("Bundles applied")),
        ("held_bundles", N_("Bundles held")),
        ("records", N_("Records")),
        ("status", N_("Status")),
    )
    NUMERIC = frozenset({"base_seq", "bundles", "held_bundles", "records"})

    def display(self, row: dict, field: str) -> str:
        if field == "started_at":
            return i18n.format_datetime(row["started_at"]) if row["started_at"] \
                else _("never restored")
        if field == "status":
            return _status(row["status"])
        if field in ("bundles", "held_bundles", "records"):
            return i18n.format_number(row[field] or 0, 0)
        return super().display(row, field)

    def cell_role(self, row: dict, field: str, role: int):
        if role == Qt.ItemDataRole.ToolTipRole and field == "status":
            return _status(row["status"])
        return None


def load(store) -> list[dict]:
    rows = []
    for station in epochs.stations_with_epochs(store):
        for row in epochs.listing(store, station["site_id"], exchange.held_dir()):
            rows.append({**row, "code": station["code"]})
    return rows


class EpochsDialog(Retranslating, QDialog):
    def __init__(self, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="epochs_dialog")
        self.db_path = Path(db_path)
        self.task: Task | None = None
        self.intro = QLabel(wordWrap=True)
        self.model = EpochsModel(self)
        self.table = QTableView(objectName="epochs_table")
        self.table.setModel(self.model)
        plain_table(self.table, (80, 170, 90, 110, 100, 90), stretch=6)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.choose_button = QPushButton(objectName="choose_epoch", enabled=False)
        self.choose_button.clicked.connect(self.choose_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.choose_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(960, 360)
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Stations restored from backups"))
        self.intro.setText(_(
            "A station restored from a backup starts a new epoch. When two PCs were restored "
            "from the same backup, the bundles of the second are held until you choose which "
            "PC is the station; the other one is told to stop."))
        self.choose_button.setText(_("Keep this PC as the station"))
        self.model.retranslate()

    def reload(self) -> None:
        task = store_task(self.db_path, lambda store, _p, _c: load(store), parent=self,
                          cancellable=False)
        task.succeeded.connect(self.model.set_rows)
        task.failed.connect(lambda exc: show_error(self, exc))
        self.task = task.start()

    def selected(self) -> dict | None:
        row = selected_row(self.table)
        rows = self.model.rows()
        return rows[row] if 0 <= row < len(rows) else None

    def _selected(self) -> None:
        row = self.selected()
        self.choose_button.setEnabled(row is not None and row["status"] == "held")

    def choose_selected(self) -> Task | None:
        row = self.selected()
        if row is None:
            return None

        def work(store, _progress, _cancelled):
            epochs.choose(store, row["site_id"], row["epoch_id"])
            return exchange.import_held(store, row["code"])

        self.choose_button.setEnabled(False)
        task = store_task(self.db_path, work, label=_("Applying the chosen PC's bundles…"),
                          parent=self)
        task.succeeded.connect(lambda _reports: self.reload())
        task.failed.connect(lambda exc: show_error(self, exc))
        self.task = task.start()
        return task
