"""The county's station register: every station with its approval, key fingerprint, last bundle
and missing bundle numbers; adding a station (:mod:`.add_station`), making its county pack,
approving its key after comparing fingerprints with the station operator (:mod:`.approve`), and
re-keying a station whose PC was lost with no backup (:mod:`.rekey`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.domain import bundle_numbers
from trainer_app.i18n import N_, _, ngettext
from trainer_app.services import county
from trainer_app.store import Store
from trainer_app.sync import exchange, site, waiting
from trainer_app.ui import ask, counts, tasks
from trainer_app.ui.certificates.model import mono_font
from trainer_app.ui.classes.rows import RowTableModel
from trainer_app.ui.county.add_station import AddStationDialog
from trainer_app.ui.county.approve import ApprovedDialog, ApproveDialog
from trainer_app.ui.county.rekey import Rekeying
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import configure_table, selected_row, show_row, widen_to_contents

RED = "#b91c1c"
# state -> (background, text)
STATE_COLORS = {
    "approved": ("#dcf3e1", "#14532d"),
    "waiting": ("#fdecd3", "#7c2d12"),
    "new_key": ("#fde2e2", "#7f1d1d"),
    "new": ("#ececec", "#555555"),
}


def state_label(state: str) -> str:
    return {
        "approved": _("Approved"),
        "waiting": _("Waiting for approval"),
        "new_key": _("Approved; a new key waits"),
        "new": _("Nothing received yet"),
    }.get(state, state)


def gaps_text(gaps: list[bundle_numbers.Range]) -> str:
    if not gaps:
        return ""
    return _("{numbers} missing").format(numbers=bundle_numbers.text(gaps))


class StationsModel(RowTableModel):
    COLUMNS = (
        ("code", N_("Code")),
        ("name", N_("Station")),
        ("place", N_("Township / village")),
        ("state", N_("Approval")),
        ("fingerprint", N_("Key fingerprint")),
        ("last_seq", N_("Last bundle")),
        ("gaps", N_("Missing bundles")),
        ("trainees", N_("Trainees")),
    )
    NUMERIC = frozenset({"trainees"})
    ID_FIELD = "code"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._mono = mono_font()

    def display(self, row: dict, field: str) -> str:
        if field == "place":
            return " ".join(p for p in (row["township"], row["village"]) if p)
        if field == "state":
            return state_label(row["state"])
        if field == "last_seq":
            if not row["last_seq"]:
                return ""
            return _("No. {seq} · {date}").format(
                seq=row["last_seq"], date=i18n.format_datetime(row["last_at"]))
        if field == "gaps":
            return gaps_text(row["gaps"])
        if field == "fingerprint" and len(row.get("waiting_keys") or []) > 1:
            return ngettext("{n} key waiting", "{n} keys waiting",
                            len(row["waiting_keys"])).format(n=len(row["waiting_keys"]))
        if field == "trainees":
            return i18n.format_number(row["trainees"], 0) if row["trainees"] else ""
        return super().display(row, field)

    def sort_key(self, row: dict, field: str) -> Any:
        if field == "gaps":
            return (not row["gaps"], -bundle_numbers.count(row["gaps"]))
        if field == "state":
            return ("waiting", "new_key", "new", "approved").index(row["state"])
        if field == "place":
            return super().sort_key({"place": self.display(row, field)}, "place")
        return super().sort_key(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if field == "state":
            background, foreground = STATE_COLORS.get(row["state"], ("#fff", "#000"))
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(background))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(foreground))
        if field == "gaps" and role == Qt.ItemDataRole.ForegroundRole and row["gaps"]:
            return QBrush(QColor(RED))
        if field == "fingerprint":
            if role == Qt.ItemDataRole.FontRole:
                return self._mono
            if role == Qt.ItemDataRole.ForegroundRole and row["state"] == "waiting":
                return QBrush(QColor(STATE_COLORS["waiting"][1]))
        if role == Qt.ItemDataRole.ToolTipRole:
            if field == "gaps" and row["gaps"]:
                return _("Bundles {numbers} of this station never arrived.").format(
                    numbers=bundle_numbers.text(row["gaps"]))
            if field == "name" and row.get("contact"):
                return row["contact"]
            if field == "fingerprint" and row["state"] == "waiting":
                if len(row.get("waiting_keys") or []) > 1:
                    return "\n".join(k["fingerprint"] for k in row["waiting_keys"])
                return _("The fingerprint of the key in the station's first bundle, waiting "
                         "for approval.")
        return None


class StationsPanel(Retranslating, QWidget):
    changed = Signal()  # a station was added or approved

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.task: tasks.Task | None = None
        self.last_reports: list[exchange.ImportReport] = []
        self.model = StationsModel(self)

        self.intro = QLabel(objectName="stations_intro", wordWrap=True)
        self.intro.setStyleSheet("color: #555;")
        self.table = QTableView(objectName="stations_table")
        self.table.setModel(self.model)
        configure_table(self.table, (64, 200, 130, 140, 215, 160, 120, 70), stretch=1)
        self.model.modelReset.connect(lambda: widen_to_contents(self.table))
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self._default_action())
        self.hint = QLabel(objectName="stations_hint", wordWrap=True)
        self.count = QLabel(objectName="stations_count")

        self.add_button = QPushButton(objectName="add_station")
        self.pack_button = QPushButton(objectName="make_pack")
        self.approve_button = QPushButton(objectName="approve_station")
        self.rekeying = Rekeying(store, self)
        self.rekeying.done.connect(self._rekeyed)
        self.rekeying.discard_asked.connect(self.discard)
        self.add_button.clicked.connect(self.add)
        self.pack_button.clicked.connect(self.make_pack)
        self.approve_button.clicked.connect(self.approve)

        buttons = QHBoxLayout()
        for b in (self.add_button, self.pack_button, self.approve_button, self.rekeying.button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.intro.setText(_(
            "Every station of the county. A new station gets a county pack; its first bundle "
            "carries its key, which you approve after comparing fingerprints with the station "
            "operator."))
        self.add_button.setText(_("&Add station…"))
        self.pack_button.setText(_("Make county &pack…"))
        self.approve_button.setText(_("A&pprove…"))
        self.pack_button.setToolTip(
            _("Save the county pack of the selected station, to carry to the station."))
        self.approve_button.setToolTip(
            _("Approve the key of the selected station after comparing fingerprints."))
        self.rekeying.retranslate()
        self.model.retranslate()
        self._update_count()
        self._selection_changed()

    # -- reading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        keep = self.selected_code()
        try:
            rows = county.stations(self._store)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            rows = []
        self.model.set_rows(rows)
        if keep:
            self.select(keep)
        self._update_count()
        self._selection_changed()

    def _update_count(self) -> None:
        rows = self.model.rows()
        n = len(rows)
        text = counts.stations(n)
        waiting = sum(r["state"] == "waiting" for r in rows)
        if waiting:
            text += " · " + ngettext("{n} waiting for approval", "{n} waiting for approval",
                                     waiting).format(n=waiting)
        self.count.setText(text)

    def selected(self) -> dict | None:
        return self.model.row(selected_row(self.table))

    def selected_code(self) -> str | None:
        row = self.selected()
        return row["code"] if row else None

    def select(self, code: str) -> None:
        row = self.model.row_of(code)
        show_row(self.table, row)

    def _selection_changed(
        self, _selected: QItemSelection | None = None, _deselected: QItemSelection | None = None
    ) -> None:
        row = self.selected()
        self.pack_button.setEnabled(row is not None)
        self.approve_button.setEnabled(row is not None and (
            row["state"] == "waiting" or bool(row.get("unapplied"))))
        self.rekeying.select(row)
        self.hint.setText(self._hint(row) if row else "")
        self.hint.setStyleSheet(f"color: {RED};" if row and row["gaps"] else "color: #444;")

    @staticmethod
    def _hint(row: dict) -> str:
        if row["state"] == "new":
            return _("Station {code} has sent nothing yet. Make its county pack and carry it "
                     "to the station; its first bundle then brings its key.").format(
                code=row["code"])
        if row.get("unapplied"):
            return ngettext(
                "Approving station {code} was interrupted: {n} of its bundles were not applied "
                "yet. Press Approve… to apply them.",
                "Approving station {code} was interrupted: {n} of its bundles were not applied "
                "yet. Press Approve… to apply them.", row["unapplied"]).format(
                    code=row["code"], n=row["unapplied"])
        if row["state"] == "waiting" and len(row.get("waiting_keys") or []) > 1:
            return _("{n} different keys are waiting for station {code}: only one is the "
                     "station's. Press Approve…, compare the fingerprints with the station "
                     "operator, approve the right key and discard the others.").format(
                n=len(row["waiting_keys"]), code=row["code"])
        if row["state"] == "waiting":
            return _("Station {code} sent its first bundle. Press Approve… and compare the "
                     "fingerprint with the station operator.").format(code=row["code"])
        if row["state"] == "new_key":
            return _("A bundle with a new key came for station {code}, which is approved. If "
                     "the station's PC was lost with no backup, press New PC…, compare the "
                     "fingerprint with the station operator and approve the new key; otherwise "
                     "discard it there.").format(code=row["code"])
        if row.get("rekeyed"):
            return _("Station {code} has a new key. Press New PC… to write its rebuild file "
                     "again if it did not reach the station.").format(code=row["code"])
        if row["gaps"]:
            return _("Bundles {numbers} of station {code} never arrived. Ask the station to "
                     "send them again, or to send a full bundle.").format(
                numbers=bundle_numbers.text(row["gaps"]), code=row["code"])
        if row["last_seq"]:
            return _("Station {code} is approved; its bundles 1 to {seq} have arrived.").format(
                code=row["code"], seq=row["last_seq"])
        return _("Station {code} is approved.").format(code=row["code"])

    def _default_action(self) -> None:
        row = self.selected()
        if row and row["state"] == "waiting":
            self.approve()

    # -- actions ----------------------------------------------------------------------------
    def add(self) -> None:
        dialog = AddStationDialog(self._store, self)
        if not dialog.exec() or not dialog.saved:
            return
        self.refresh()
        self.select(dialog.saved["code"])
        self.changed.emit()

    def make_pack(self) -> None:
        row = self.selected()
        if row is None:
            return
        name, _filter = QFileDialog.getSaveFileName(
            self, _("Save the county pack of station {code}").format(code=row["code"]),
            str(Path.home() / county.pack_file_name(row["code"])),
            _("County packs (*{suffix})").format(suffix=site.PACK_SUFFIX),
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() != site.PACK_SUFFIX:
            path = path.with_name(path.name + site.PACK_SUFFIX)
        try:
            written = site.write_pack(self._store, row["code"], path, station_name=row["name"])
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        QMessageBox.information(
            self, _("County pack saved"),
            _("The county pack of station {code} is saved as\n{path}\n\nCarry this file to the "
              "station (on a USB stick, for example) and import it there to link the station "
              "to the county. It holds the county's public keys, the station's code and the "
              "course catalog; no personal data.").format(code=row["code"], path=written),
        )

    def approve(self) -> None:
        row = self.selected()
        if row is None or self.task is not None:
            return
        code, fingerprint = row["code"], None
        if row["state"] == "waiting":
            dialog = ApproveDialog(row, self)
            if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.chosen:
                return
            fingerprint = dialog.chosen
            if dialog.action == "discard":
                self.discard(code, fingerprint)
                return
        elif not row.get("unapplied"):
            return  # approved, nothing left to apply (the key was compared before)
        task = tasks.store_task(
            self._store.path,
            lambda store, _progress, _cancelled: exchange.approve(store, code, fingerprint),
            label=_("Approving station {code} and applying its bundles…").format(code=code),
            parent=self, cancellable=False,
        )
        task.succeeded.connect(lambda reports: self._approved(code, reports))
        task.failed.connect(lambda exc: show_error(self, exc))
        task.ended.connect(self._task_ended)
        self.task = task
        self.approve_button.setEnabled(False)
        task.start()

    def discard(self, code: str, fingerprint: str) -> None:
        """Delete the bundles of a key waiting for ``code`` that is not the station's, once the
        coordinator has said yes (No is the default)."""
        if not ask.confirm(self, _("Discard a waiting key"), _(
                "Discard the key {fingerprint} waiting for station {code}? The bundles it sent "
                "are deleted and can never be applied.").format(fingerprint=fingerprint,
                                                                 code=code)):
            return
        try:
            key = waiting.discard(code, fingerprint)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        self.refresh()
        self.changed.emit()
        self.hint.setText(ngettext(
            "The key {fingerprint} was discarded: {n} waiting bundle deleted.",
            "The key {fingerprint} was discarded: {n} waiting bundles deleted.",
            len(key.files)).format(fingerprint=key.fingerprint, n=len(key.files)))

    def _rekeyed(self, code: str) -> None:
        self.refresh()
        self.select(code)
        self.changed.emit()

    def _task_ended(self) -> None:
        self.task = None
        self.refresh()

    def _approved(self, code: str, reports: list[exchange.ImportReport]) -> None:
        self.last_reports = list(reports)
        self.refresh()
        self.changed.emit()
        ApprovedDialog(code, self.last_reports, self).exec()
