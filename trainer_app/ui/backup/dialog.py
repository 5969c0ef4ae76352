"""File → Backups and restore: the backups of the open database, Back up now, restoring one
after seeing what it holds, and the folder they are kept in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.i18n import _
from trainer_app.services import backup
from trainer_app.services.backup import BackupInfo
from trainer_app.services.errors import ServiceError
from trainer_app.ui.backup.folder import store_folder
from trainer_app.ui.backup.model import BackupsModel, holds_text, last_bundle_text
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import plain_table, selected_row
from trainer_app.ui.tasks import Task, store_task


def describe(info: BackupInfo) -> str:
    """What a backup holds, for the question before restoring it."""
    return _("Made: {when}\nHolds: {holds}\nLast bundle sent to the county: {bundle}").format(
        when=i18n.format_datetime(info.created_at) if info.created_at else "?",
        holds=holds_text(info), bundle=last_bundle_text(info))


class BackupsDialog(Retranslating, QDialog):
    """``restore(path)`` is called with the backup the user chose to restore, after the dialog
    closed."""

    def __init__(self, db_path: Path, site_id: str, restore: Callable[[Path], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="backups_dialog")
        self.db_path = Path(db_path)
        self.site_id = site_id
        self._restore = restore
        self.task: Task | None = None
        self.intro = QLabel(wordWrap=True)
        self.folder_label = QLabel(objectName="backup_folder", wordWrap=True)
        self.change_folder = QPushButton(objectName="change_folder")
        self.change_folder.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(self.change_folder)
        self.model = BackupsModel(self)
        self.table = QTableView(objectName="backups_table")
        self.table.setModel(self.model)
        plain_table(self.table, (170, 80, 300, 130), stretch=2)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.details = QLabel(objectName="backup_details", wordWrap=True)
        self.back_up_now = QPushButton(objectName="back_up_now")
        self.back_up_now.clicked.connect(self.make_backup)
        self.restore_button = QPushButton(objectName="restore_backup", enabled=False)
        self.restore_button.clicked.connect(self.restore_selected)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.buttons.addButton(self.back_up_now, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(folder_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.buttons)
        self.resize(860, 460)
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Backups and restore"))
        self.intro.setText(_(
            "Trainer backs up this database by itself: soon after it starts, every three hours "
            "while you work, and when it closes. Older backups are thinned: several of today, "
            "one a day for two weeks, one a week for two months, one a month for a year."))
        self.folder_label.setText(_("Backup folder: {folder}").format(folder=backup.folder()))
        self.change_folder.setText(_("Change folder…"))
        self.back_up_now.setText(_("Back up now"))
        self.restore_button.setText(_("Restore this backup…"))
        self.model.retranslate()

    # -- the list -------------------------------------------------------------------------------
    def reload(self) -> None:
        site_id = self.site_id
        task = Task(lambda _progress, _cancelled: backup.list_backups(site_id), parent=self,
                    cancellable=False)
        task.succeeded.connect(self._listed)
        task.failed.connect(lambda exc: show_error(self, exc))
        self.task = task.start()

    def _listed(self, found: list[BackupInfo]) -> None:
        self.model.set_backups(found)
        if found:
            self.table.selectRow(0)
        else:
            self.details.setText(_("No backup yet."))

    def selected(self) -> BackupInfo | None:
        return self.model.backup(selected_row(self.table))

    def _selected(self) -> None:
        info = self.selected()
        self.restore_button.setEnabled(info is not None and not info.problem)
        if info is None:
            self.details.setText("")
        elif info.problem:
            self.details.setText(_("This backup cannot be restored: {problem}").format(
                problem=info.problem))
        else:
            self.details.setText(describe(info))

    # -- actions --------------------------------------------------------------------------------
    def make_backup(self) -> Task:
        self.back_up_now.setEnabled(False)
        task = store_task(self.db_path, lambda store, progress, cancelled: backup.create(
            store, progress=progress, cancelled=cancelled), label=_("Backing up…"), parent=self)
        task.succeeded.connect(lambda _info: self.reload())
        task.failed.connect(lambda exc: show_error(self, exc))
        task.ended.connect(lambda: self.back_up_now.setEnabled(True))
        self.task = task.start()
        return task

    def restore_selected(self) -> None:
        info = self.selected()
        if info is not None and not info.problem:
            self.accept()
            self._restore(info.path)

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _("Backup folder"), str(backup.folder()))
        if chosen:
            self.set_folder(Path(chosen))

    def set_folder(self, chosen: Path | None) -> None:
        """Change the backup folder (one of the program's settings)."""
        try:
            store_folder(chosen)
        except ServiceError as exc:
            show_error(self, exc)
            return
        self.retranslate()
        self.reload()
