"""The county center's settings (Tools → Settings…): where its backups go. The county's name and
code are set once, when it is set up; the station's papers have their own settings dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QVBoxLayout, QWidget

from trainer_app.i18n import _
from trainer_app.services.errors import ServiceError
from trainer_app.ui.backup.folder import BackupFolderField
from trainer_app.ui.forms import FieldErrors, save_cancel_buttons
from trainer_app.ui.retranslate import Retranslating


class CountySettingsDialog(Retranslating, QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="county_settings")
        self.errors = FieldErrors()
        self.backup_folder = BackupFolderField()
        self.folder_label = QLabel()
        form = QFormLayout()
        form.addRow(self.folder_label, self.errors.wrap("backup_folder", self.backup_folder))
        self.buttons = save_cancel_buttons()
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Settings"))
        self.folder_label.setText(_("Backup folder"))

    def save(self) -> None:
        self.errors.clear()
        try:
            self.backup_folder.save()
        except ServiceError as exc:
            self.errors.show({"backup_folder": str(exc)})
            return
        self.accept()
