"""A station whose PC was lost with no backup, back from the county: the coordinator picks the
new PC's key among those waiting for the station, types its fingerprint as the station operator
reads it out (required: never the first key that happens to wait), approves it, and saves the
rebuild file, encrypted to the new PC, that gives the station its records back."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app.i18n import _
from trainer_app.store import Store
from trainer_app.sync import rebuild, waiting
from trainer_app.ui import tasks
from trainer_app.ui.certificates.model import mono_font
from trainer_app.ui.county.approve import WaitingKeysModel
from trainer_app.ui.errors import show_error
from trainer_app.ui.forms import grow_to_fit
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import configure_table, selected_row, show_row, widen_to_contents

RED, GREEN = "#b91c1c", "#166534"


class RekeyDialog(Retranslating, QDialog):
    """The keys waiting for an approved station; the fingerprint typed chooses one. After
    ``exec``, ``action`` is ``"rekey"`` (``chosen``: the typed key's fingerprint) or
    ``"discard"`` (``chosen``: the selected key's)."""

    def __init__(self, station: dict, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="rekey_dialog")
        self.station = station
        self.action = ""
        self.chosen = ""
        self.heading = QLabel(objectName="rekey_heading", wordWrap=True)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.heading.setFont(font)
        self.instruction = QLabel(objectName="rekey_instruction", wordWrap=True)
        self.keys_model = WaitingKeysModel(self)
        self.keys_model.set_rows(list(station.get("waiting_keys") or []))
        self.keys_table = QTableView(objectName="rekey_keys")
        self.keys_table.setModel(self.keys_model)
        configure_table(self.keys_table, (215, 150, 110, 90), stretch=3)
        self.keys_table.setMaximumHeight(140)
        widen_to_contents(self.keys_table)  # a whole fingerprint, in the fixed-width font
        self.typed_label = QLabel(objectName="rekey_typed_label", wordWrap=True)
        self.typed = QLineEdit(objectName="rekey_fingerprint")
        big = mono_font()
        big.setPointSizeF(max(14.0, self.font().pointSizeF() * 1.6))
        self.typed.setFont(big)
        self.typed.textChanged.connect(self._typed_changed)
        self.typed_label.setBuddy(self.typed)
        self.match = QLabel(objectName="rekey_match", wordWrap=True)
        self.after = QLabel(objectName="rekey_after", wordWrap=True)
        self.after.setStyleSheet("color: #555;")
        self.buttons = QDialogButtonBox()
        self.rekey_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.rekey_button.setObjectName("rekey_confirm")
        self.discard_button = self.buttons.addButton(
            "", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.discard_button.setObjectName("rekey_discard")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setDefault(True)  # approving a new key is a decision, not an Enter press
        self.rekey_button.clicked.connect(self._rekey)
        self.discard_button.clicked.connect(self._discard)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        for widget in (self.heading, self.instruction, self.keys_table, self.typed_label,
                       self.typed, self.match, self.after, self.buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(720)
        show_row(self.keys_table, 0)
        self.retranslate()

    def typed_key(self) -> dict | None:
        """The waiting key whose fingerprint is the one typed, in full."""
        wanted = waiting.plain(self.typed.text())
        return next((k for k in self.keys_model.rows() if wanted and
                     waiting.plain(k["fingerprint"]) == wanted), None)

    def _typed_changed(self, *_args: object) -> None:
        key = self.typed_key()
        if key is not None:
            show_row(self.keys_table, self.keys_model.row_of(key["fingerprint"]))
            self.match.setText(_("The fingerprint typed is the one of the key {fingerprint}, "
                                 "which first came {when}.").format(
                fingerprint=key["fingerprint"],
                when=self.keys_model.display(key, "first_at") or "?"))
            self.match.setStyleSheet(f"color: {GREEN};")
        elif self.typed.text().strip():
            self.match.setText(_("No key waiting for this station has this fingerprint (yet): "
                                 "type all of it, as the station operator reads it out."))
            self.match.setStyleSheet(f"color: {RED};")
        else:
            self.match.setText("")
        self.rekey_button.setEnabled(key is not None)
        grow_to_fit(self)

    def _rekey(self) -> None:
        key = self.typed_key()
        if key is not None:
            self.action, self.chosen = "rekey", key["fingerprint"]
            self.accept()

    def _discard(self) -> None:
        row = self.keys_model.row(selected_row(self.keys_table))
        if row is not None:
            self.action, self.chosen = "discard", row["fingerprint"]
            self.accept()

    def retranslate(self) -> None:
        st = self.station
        self.setWindowTitle(_("New PC for station {code}").format(code=st["code"]))
        self.heading.setText(_("A new key is waiting for station {code} {name}, which is "
                               "approved already.").format(code=st["code"], name=st["name"]))
        self.instruction.setText(_(
            "Approve it only if the station's PC was lost with no backup and a new PC was linked "
            "with the county pack: that PC sent a bundle with its new key. Anyone who knows the "
            "station's code can send one, so ask the station operator to read out the "
            "fingerprint shown in the new PC's Sync section, and type it below."))
        self.typed_label.setText(_("&Fingerprint as the station operator reads it out:"))
        self.typed.setPlaceholderText(_("e.g. 3F2A-91C0-7B4D-…"))
        self.after.setText(_(
            "Once approved, the station keeps its code and its records here; its old key is kept "
            "(retired) so the certificates it signed still verify. You then save its rebuild "
            "file, which only the new PC can open. A key that is not the station's: select it "
            "and press Discard."))
        self.rekey_button.setText(_("&Approve the new key"))
        self.discard_button.setText(_("&Discard the selected key"))
        self.keys_model.retranslate()
        self._typed_changed()


class Rekeying(QObject):
    """The Stations section's "New PC…" button and what it does: re-key (for a station with a
    new key waiting), then write the rebuild file (also later, while the new PC has not sent
    anything since). ``done(code)`` after a re-key or a rebuild file written;
    ``discard_asked(code, fingerprint)`` for a key chosen to be discarded (the Stations section
    discards it as it does from Approve…)."""

    done = Signal(str)
    discard_asked = Signal(str, str)

    def __init__(self, store: Store, parent: QWidget) -> None:
        super().__init__(parent)
        self._store = store
        self.widget = parent
        self.row: dict | None = None
        self.task: tasks.Task | None = None
        self.last_written: Path | None = None
        self.button = QPushButton(objectName="rekey_station")
        self.button.clicked.connect(self.start)
        self.select(None)

    def retranslate(self) -> None:
        self.button.setText(_("&New PC…"))
        self.button.setToolTip(_(
            "A station whose PC was lost with no backup: approve the new PC's key after "
            "comparing fingerprints, and write the rebuild file that gives it its records."))

    def select(self, row: dict | None) -> None:
        self.row = row
        self.button.setEnabled(row is not None and self.task is None and (
            row["state"] == "new_key" or bool(row.get("rekeyed"))))

    def start(self) -> None:
        row = self.row
        if row is None:
            return
        if row["state"] != "new_key":
            self.write_file(row["code"])
            return
        dialog = RekeyDialog(row, self.widget)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        if dialog.action == "discard":
            self.discard_asked.emit(row["code"], dialog.chosen)
            return
        self.rekey(row["code"], dialog.chosen)

    def rekey(self, code: str, fingerprint: str) -> None:
        try:
            approved = rebuild.rekey(self._store, code, fingerprint)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self.widget, exc)
            return
        self.done.emit(code)
        QMessageBox.information(self.widget, _("New key approved"), _(
            "The key {fingerprint} is station {code}'s now; its old key is kept, retired. Now "
            "save the station's rebuild file and carry it to the new PC.").format(
                fingerprint=approved, code=code))
        self.write_file(code)

    def ask_file(self, code: str) -> Path | None:
        from trainer_app.ui.sync.drives import removable_drives

        drives = removable_drives()
        start = Path(drives[0].root) if drives else Path.home()
        name, _filter = QFileDialog.getSaveFileName(
            self.widget, _("Save the rebuild file of station {code}").format(code=code),
            str(start / rebuild.rebuild_file_name(code)),
            _("Rebuild files (*{suffix})").format(suffix=rebuild.SUFFIX))
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == rebuild.SUFFIX else path.with_name(
            path.name + rebuild.SUFFIX)

    def write_file(self, code: str, path: Path | None = None) -> tasks.Task | None:
        """Write the rebuild file (off the UI thread; atomic, read back before it is kept)."""
        path = path or self.ask_file(code)
        if path is None or self.task is not None:
            return None
        task = tasks.store_task(
            self._store.path, lambda store, _progress, _cancelled: rebuild.write_rebuild(
                store, code, path),
            label=_("Writing the rebuild file of station {code}…").format(code=code),
            parent=self.widget, cancellable=False)
        task.succeeded.connect(lambda written: self._written(code, written))
        task.failed.connect(lambda exc: show_error(self.widget, exc))
        task.ended.connect(self._ended)
        self.task = task
        self.button.setEnabled(False)
        return task.start()

    def _ended(self) -> None:
        self.task = None
        self.select(self.row)

    def _written(self, code: str, written: Path) -> None:
        self.last_written = Path(written)
        self.done.emit(code)
        QMessageBox.information(self.widget, _("Rebuild file saved"), _(
            "The rebuild file of station {code} is saved and was read back:\n{path}\n\nIt holds "
            "the station's records as the county holds them, encrypted to the new PC's key: only "
            "that PC can open it. Carry it to the station (on a USB stick, for example). There, "
            "in the Sync section, press \"Rebuild this station from the county's file…\" and "
            "open it. The station then sends its bundles as before.").format(
                code=code, path=written))
