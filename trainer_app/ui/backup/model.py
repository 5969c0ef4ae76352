"""The backups of the open database as a Qt table model."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from trainer_app import i18n
from trainer_app.i18n import N_, _
from trainer_app.services.backup import BackupInfo
from trainer_app.ui.classes.rows import RowTableModel
from trainer_app.ui.sync.drives import size_text


def holds_text(info: BackupInfo) -> str:
    """What a backup holds, in a few words: "trainees 60 · classes 8 · certificates 12"."""
    counts = {k: i18n.format_number(v, 0) for k, v in info.counts.items()}
    text = _("trainees {trainees} · classes {classes} · certificates {certificates}").format(
        trainees=counts.get("trainee", 0), classes=counts.get("training_class", 0),
        certificates=counts.get("certificate", 0))
    if info.counts.get("station"):
        text += _(" · stations {n}").format(n=counts["station"])
    return text


def last_bundle_text(info: BackupInfo) -> str:
    if not info.last_bundle:
        return _("none sent yet")
    return _("number {n}").format(n=info.last_bundle)


class BackupsModel(RowTableModel):
    ID_FIELD = "path"
    COLUMNS = (
        ("created_at", N_("Backed up")),
        ("size", N_("Size")),
        ("holds", N_("Holds")),
        ("last_bundle", N_("Last bundle sent")),
        ("file", N_("File")),
    )
    NUMERIC = frozenset({"size"})

    def set_backups(self, found: list[BackupInfo]) -> None:
        self.set_rows([{"info": i, "created_at": i.created_at, "size": i.size,
                        "holds": "", "last_bundle": i.last_bundle or 0, "file": i.path.name,
                        "path": str(i.path)} for i in found])

    def backup(self, row: int) -> BackupInfo | None:
        rows = self.rows()
        return rows[row]["info"] if 0 <= row < len(rows) else None

    def display(self, row: dict, field: str) -> str:
        info: BackupInfo = row["info"]
        if info.problem and field == "holds":
            return info.problem
        if field == "created_at":
            return i18n.format_datetime(info.created_at) if info.created_at else "?"
        if field == "size":
            return size_text(info.size)
        if field == "holds":
            return holds_text(info)
        if field == "last_bundle":
            return "" if info.problem else last_bundle_text(info)
        return super().display(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and row["info"].problem:
            return Qt.GlobalColor.darkRed
        if role == Qt.ItemDataRole.ToolTipRole:
            return row["path"]
        return None
