"""The backup folder as one of the program's settings: stored with the others
(:mod:`trainer_app.ui.settings`, read by the command line through
:mod:`trainer_app.settings_file`), chosen in the settings dialogs and in Backups and restore.

A folder chosen by an earlier version (``backup.json`` in the data folder) is moved into the
settings when the window starts (:func:`migrate`); until then the command line still honours it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from trainer_app.i18n import _
from trainer_app.services import backup
from trainer_app.settings_file import BACKUP_FOLDER
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.settings import settings

UNCHANGED = object()  # a folder the user did not touch


def store_folder(chosen: Path | None) -> Path:
    """Make ``chosen`` (``None``: the default) the backup folder, once backups can be written
    there (:class:`ServiceError` otherwise, the setting unchanged). Returns the folder."""
    target = backup.check_folder(chosen)
    s = settings()
    s.setValue(BACKUP_FOLDER, str(chosen) if chosen else "")
    s.sync()
    backup.forget_legacy_folder()
    return target


def migrate() -> None:
    """The folder kept in ``backup.json`` by an earlier version, moved into the settings (a
    folder already in the settings wins)."""
    legacy = backup.legacy_folder()
    if legacy is None:
        return
    s = settings()
    if not s.contains(BACKUP_FOLDER):
        s.setValue(BACKUP_FOLDER, legacy)
        s.sync()
    backup.forget_legacy_folder()


class BackupFolderField(Retranslating, QWidget):
    """The backup folder with Change… and Use the default; nothing is stored until
    :meth:`save`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pending: object = UNCHANGED  # UNCHANGED, a Path, or None (the default)
        self.path_label = QLabel(objectName="backup_folder_path", wordWrap=True)
        self.hint = QLabel(objectName="backup_folder_hint", wordWrap=True)
        self.hint.setStyleSheet("color: #555;")
        self.change_button = QPushButton(objectName="change_backup_folder")
        self.default_button = QPushButton(objectName="default_backup_folder")
        self.change_button.clicked.connect(self.choose)
        self.default_button.clicked.connect(lambda: self.set_pending(None))
        buttons = QHBoxLayout()
        buttons.addWidget(self.change_button)
        buttons.addWidget(self.default_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.path_label)
        layout.addLayout(buttons)
        layout.addWidget(self.hint)
        self.retranslate()

    def shown(self) -> Path:
        if self.pending is UNCHANGED:
            return backup.folder()
        return self.pending or backup.default_folder()  # type: ignore[return-value]

    def changed(self) -> bool:
        return self.pending is not UNCHANGED

    def set_pending(self, chosen: Path | None) -> None:
        self.pending = chosen
        self._show()

    def choose(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _("Backup folder"), str(self.shown()))
        if chosen:
            self.set_pending(Path(chosen))

    def check(self) -> None:
        """:class:`ServiceError` when backups cannot go to the folder chosen; nothing stored."""
        if self.changed():
            backup.check_folder(self.pending)  # type: ignore[arg-type]

    def save(self) -> None:
        """Store the folder chosen (:class:`ServiceError` when backups cannot go there)."""
        if self.changed():
            store_folder(self.pending)  # type: ignore[arg-type]
            self.pending = UNCHANGED
            self._show()

    def retranslate(self) -> None:
        self.change_button.setText(_("Change…"))
        self.default_button.setText(_("Use the default"))
        self.hint.setText(_(
            "Automatic backups and Back up now go here; the default is the backups folder in the "
            "user data folder. A folder on another disk keeps them when this one fails."))
        self._show()

    def _show(self) -> None:
        self.path_label.setText(str(self.shown()))
        self.default_button.setEnabled(self.shown() != backup.default_folder())
