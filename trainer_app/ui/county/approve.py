"""Approving a station's key at the county: every key waiting for the station (fingerprint,
when and how it came), the chosen one's fingerprint large to compare with what the station
operator reads out, Approve or Discard; and what applying its waiting bundles brought."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableView, QVBoxLayout, QWidget

from trainer_app import i18n
from trainer_app.i18n import N_, _, ngettext
from trainer_app.sync import exchange, waiting
from trainer_app.ui.certificates.model import mono_font
from trainer_app.ui.classes.rows import RowTableModel
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.sync.fingerprint import fingerprint_groups
from trainer_app.ui.sync.report_view import ReportView
from trainer_app.ui.tables import configure_table, selected_row, show_row


class WaitingKeysModel(RowTableModel):
    """The keys waiting for one station: fingerprint, when the first bundle came, how."""

    COLUMNS = (
        ("fingerprint", N_("Key fingerprint")),
        ("first_at", N_("First came")),
        ("via", N_("How it came")),
        ("bundles", N_("Bundles")),
    )
    NUMERIC = frozenset({"bundles"})
    ID_FIELD = "fingerprint"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._mono = mono_font()

    def display(self, row: dict, field: str) -> str:
        if field == "first_at":
            return i18n.format_datetime(row["first_at"]) if row["first_at"] else ""
        if field == "via":
            return ", ".join(waiting.via_label(v) for v in row["via"])
        return super().display(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if field == "fingerprint" and role == Qt.ItemDataRole.FontRole:
            return self._mono
        return None


class ApproveDialog(Retranslating, QDialog):
    """Every key waiting for the station (fingerprint, when and how it came); the chosen one's
    fingerprint large, beside what to do with it: Approve it, Discard it, or Cancel.

    After ``exec``, ``action`` is ``"approve"`` or ``"discard"`` and ``chosen`` the chosen
    key's fingerprint."""

    def __init__(self, station: dict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.action = ""
        self.heading = QLabel(objectName="approve_heading", wordWrap=True)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.heading.setFont(font)
        self.instruction = QLabel(objectName="approve_instruction", wordWrap=True)
        self.keys_model = WaitingKeysModel(self)
        self.keys_model.set_rows(list(station.get("waiting_keys") or [
            {"fingerprint": station["fingerprint"], "first_at": "", "via": [], "bundles": 0}]))
        self.keys_table = QTableView(objectName="approve_keys")
        self.keys_table.setModel(self.keys_model)
        configure_table(self.keys_table, (215, 150, 200, 60), stretch=2)
        self.keys_table.setMaximumHeight(150)
        self.keys_table.selectionModel().selectionChanged.connect(self._chosen_changed)
        self.fingerprint = QLabel(objectName="approve_fingerprint")
        big = QFont(mono_font())
        big.setPointSizeF(max(16.0, self.font().pointSizeF() * 2.0))
        big.setBold(True)
        self.fingerprint.setFont(big)
        self.fingerprint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setStyleSheet(
            "background: #fff7ed; border: 1px solid #fdba74; border-radius: 6px; "
            "padding: 14px; color: #7c2d12;")
        self.after = QLabel(objectName="approve_after", wordWrap=True)
        self.after.setStyleSheet("color: #555;")
        self.buttons = QDialogButtonBox()
        self.approve_button = self.buttons.addButton(
            "", QDialogButtonBox.ButtonRole.AcceptRole)
        self.approve_button.setObjectName("approve_confirm")
        self.discard_button = self.buttons.addButton(
            "", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.discard_button.setObjectName("approve_discard")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)  # approving is a decision, not an Enter press
        self.approve_button.clicked.connect(lambda: self._finish("approve"))
        self.discard_button.clicked.connect(lambda: self._finish("discard"))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self.heading)
        layout.addWidget(self.instruction)
        layout.addWidget(self.keys_table)
        layout.addWidget(self.fingerprint)
        layout.addWidget(self.after)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(640)
        show_row(self.keys_table, 0)
        self.keys_table.setVisible(self.keys_model.rowCount() > 1)
        self.retranslate()

    @property
    def chosen(self) -> str:
        row = self.keys_model.row(selected_row(self.keys_table))
        return row["fingerprint"] if row else ""

    def choose(self, fingerprint: str) -> None:
        show_row(self.keys_table, self.keys_model.row_of(fingerprint))

    def _chosen_changed(self, *_args: object) -> None:
        self.fingerprint.setText(fingerprint_groups(self.chosen))
        self.approve_button.setEnabled(bool(self.chosen))
        self.discard_button.setEnabled(bool(self.chosen))

    def _finish(self, action: str) -> None:
        if self.chosen:
            self.action = action
            self.accept()

    def retranslate(self) -> None:
        st = self.station
        n = self.keys_model.rowCount()
        self.setWindowTitle(_("Approve station {code}").format(code=st["code"]))
        if n > 1:
            self.heading.setText(ngettext(
                "{n} different key is waiting for station {code} {name}.",
                "{n} different keys are waiting for station {code} {name}.", n).format(
                    n=n, code=st["code"], name=st["name"]))
            self.instruction.setText(_(
                "Only one is the station's: anyone who knows the station's code can send a "
                "bundle. Ask the station operator to read out the fingerprint on their screen; "
                "choose the key with the same fingerprint and approve it, or choose a wrong one "
                "and discard it."))
        else:
            self.heading.setText(_("Station {code} {name} sent its first bundle.").format(
                code=st["code"], name=st["name"]))
            self.instruction.setText(_(
                "Ask the station operator to read out the fingerprint on their screen; approve "
                "only if it is the same."))
        self.after.setText(_(
            "Once approved, the station's waiting bundles are applied and its later bundles are "
            "accepted (bundles of other keys are deleted). If the fingerprints differ, press "
            "Discard: the bundle does not come from that station."))
        self.approve_button.setText(_("&Approve"))
        self.discard_button.setText(_("&Discard this key"))
        self.keys_model.retranslate()
        self._chosen_changed()


class ApprovedDialog(Retranslating, QDialog):
    """After an approval: the station's waiting bundles and what applying them brought."""

    def __init__(self, code: str, reports: list[exchange.ImportReport],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.message = QLabel(objectName="approved_message", wordWrap=True)
        font = self.message.font()
        font.setBold(True)
        self.message.setFont(font)
        self.report = ReportView(self, name="approve_report")
        self.report.show_reports(list(reports))
        self.report.setVisible(bool(reports))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)
        self.resize(820, 360 if reports else 140)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Station approved"))
        if self.report.reports():
            self.message.setText(_("Station {code} is approved. Its waiting bundles were "
                                   "imported:").format(code=self.code))
        else:
            self.message.setText(_("Station {code} is approved. No bundle of it was waiting; "
                                   "its next bundles are accepted.").format(code=self.code))
