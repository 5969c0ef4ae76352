"""The File menu's backup actions, and restoring: the window closes its database, the backup
replaces it (the current one backed up first), and a new window opens on the restored data.

:func:`install` adds the actions to a main window's File menu, when it first opens (see
``MainWindow.backup_actions``). What the actions do is imported when one is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from trainer_app import i18n
from trainer_app.i18n import _
from trainer_app.ui.errors import show_error

if TYPE_CHECKING:
    from trainer_app.services import restore
    from trainer_app.services.backup import BackupInfo
    from trainer_app.ui.backup.dialog import BackupsDialog
    from trainer_app.ui.tasks import Task


class BackupActions(QObject):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.task: Task | None = None
        self.backups_action = QAction(window, objectName="backups_action")
        self.backups_action.triggered.connect(self.open_backups)
        self.usb_action = QAction(window, objectName="backup_usb_action")
        self.usb_action.triggered.connect(self.back_up_to_usb)
        self.restore_file_action = QAction(window, objectName="restore_file_action")
        self.restore_file_action.triggered.connect(self.restore_from_file)
        self.epochs_action = QAction(window, objectName="epochs_action")
        self.epochs_action.triggered.connect(self.open_epochs)
        self.epochs_action.setVisible(window.store.get_meta("role") == "county")
        window.installEventFilter(self)
        self.retranslate()

    def actions(self) -> list[QAction]:
        return [self.backups_action, self.usb_action, self.restore_file_action,
                self.epochs_action]

    def retranslate(self) -> None:
        self.backups_action.setText(_("&Backups and restore…"))
        self.usb_action.setText(_("Back up to a USB stick or folder…"))
        self.restore_file_action.setText(_("Restore from a backup file…"))
        self.epochs_action.setText(_("Stations restored from backups…"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False

    @property
    def db_path(self) -> Path:
        return Path(self.window.store.path)

    # -- the dialog -----------------------------------------------------------------------------
    def open_backups(self) -> BackupsDialog:
        from trainer_app.ui.backup.dialog import BackupsDialog

        dialog = BackupsDialog(self.db_path, self.window.store.site_id,
                               lambda path: self.restore_checked(path, None), self.window)
        dialog.open()
        return dialog

    def open_epochs(self):
        from trainer_app.ui.backup.epochs import EpochsDialog

        dialog = EpochsDialog(self.db_path, self.window)
        dialog.open()
        return dialog

    # -- to a stick -----------------------------------------------------------------------------
    def back_up_to_usb(self) -> None:
        from trainer_app.ui.backup import passphrase
        from trainer_app.ui.sync.drives import removable_drives

        drives = removable_drives()
        start = drives[0].root if drives else str(Path.home())
        folder = QFileDialog.getExistingDirectory(
            self.window, _("Where to write the encrypted backup"), start)
        if folder:
            secret = passphrase.ask(self.window, choose=True)
            if secret:
                self.write_sealed(Path(folder), secret)

    def write_sealed(self, folder: Path, secret: str) -> Task:
        from trainer_app.services import restore
        from trainer_app.ui.tasks import store_task

        task = store_task(self.db_path, lambda store, progress, cancelled: restore.export_sealed(
            store, folder, secret, progress, cancelled),
            label=_("Writing the encrypted backup…"), parent=self.window)
        task.succeeded.connect(self._sealed_written)
        task.failed.connect(lambda exc: show_error(self.window, exc))
        self.task = task.start()
        return task

    def _sealed_written(self, info: BackupInfo) -> None:
        from trainer_app.ui.backup.dialog import describe

        QMessageBox.information(self.window, i18n.app_name(), _(
            "The encrypted backup was written and read back:\n{path}\n\n{holds}\n\nKeep the "
            "passphrase apart from the stick: without it the backup cannot be opened.").format(
                path=info.path, holds=describe(info)))

    # -- restoring ------------------------------------------------------------------------------
    def restore_from_file(self) -> None:
        from trainer_app.services import restore
        from trainer_app.ui.backup import passphrase

        chosen, _filter = QFileDialog.getOpenFileName(
            self.window, _("Restore from a backup file"), str(Path.home()),
            _("Trainer backups (*.trbackup *.db)"))
        if not chosen:
            return
        secret = None
        if restore.is_sealed(Path(chosen)):
            secret = passphrase.ask(self.window, choose=False)
            if secret is None:
                return
        self.restore_checked(Path(chosen), secret)

    def restore_checked(self, source: Path, secret: str | None) -> Task:
        """Check the backup (off the UI thread), show what it holds, restore when confirmed."""
        from trainer_app.services import restore
        from trainer_app.ui.tasks import Task

        db_path = self.db_path

        def check(_progress, _cancelled) -> tuple[BackupInfo, str]:
            info = restore.verify(source, secret)
            return info, restore.loss_text(db_path, info)

        task = Task(check, label=_("Checking the backup…"), parent=self.window,
                    cancellable=False)
        task.succeeded.connect(lambda found: self._confirm(source, secret, *found))
        task.failed.connect(lambda exc: show_error(self.window, exc))
        self.task = task.start()
        return task

    def _confirm(self, source: Path, secret: str | None, info: BackupInfo, loss: str) -> None:
        from trainer_app.ui.backup.dialog import describe

        answer = QMessageBox.question(
            self.window, _("Restore this backup?"),
            _("{what}\n\nThe database will be replaced by this backup; the current one is "
              "backed up first. Work done after this backup is no longer in the program, "
              "and what of it has not reached the county is lost.").format(what=describe(info))
            + (f"\n\n{loss}" if loss else ""),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            self.restore_now(source, secret)

    def restore_now(self, source: Path, secret: str | None) -> Task:
        """Close the window's database, restore, then open a new window on the result (on the
        old database again when the restore failed: it was not changed)."""
        from trainer_app.services import restore
        from trainer_app.ui.tasks import Task, pool

        window, db_path = self.window, self.db_path
        auto = getattr(window, "auto_backup", None)
        if auto is not None:
            auto.stop()
        window.hide()
        pool().waitForDone()  # background work holds connections to the database
        window.store.close()
        task = Task(lambda progress, cancelled: restore.restore(
            db_path, source, secret, progress, cancelled), label=_("Restoring…"),
            cancellable=False)
        task.succeeded.connect(lambda result: self._restored(result))
        task.failed.connect(lambda exc: self._reopen_after_failure(exc))
        self.task = task.start()
        return task

    def _restored(self, result: restore.RestoreResult) -> None:
        from trainer_app.ui.backup.dialog import describe

        new = reopen(self.window, self.db_path)
        text = _("Restored. The window now shows the restored data.\n\n{what}").format(
            what=describe(result.restored))
        if result.safety is not None:
            text += "\n\n" + _("The database it replaced was backed up to:\n{path}").format(
                path=result.safety.path)
        if result.keys_missing:
            text += "\n\n" + _("This data folder holds no key of the restored site: restore "
                               "its encrypted backup, which holds the keys.")
        QMessageBox.information(new, i18n.app_name(), text)

    def _reopen_after_failure(self, exc: BaseException) -> None:
        new = reopen(self.window, self.db_path)
        show_error(new, exc)


def reopen(old: QMainWindow, db_path: Path) -> QMainWindow:
    """A new main window on ``db_path`` in place of ``old`` (shown before ``old`` closes, so
    the program does not quit), with automatic backups when ``old`` had them."""
    from trainer_app.store import Store
    from trainer_app.ui.backup.auto import AutoBackup
    from trainer_app.ui.main_window import MainWindow

    new = MainWindow(Store(db_path))
    if getattr(old, "auto_backup", None) is not None:
        AutoBackup(new)
    new.setGeometry(old.geometry())
    new.show()
    old.close()
    old.deleteLater()
    return new


def install(window: QMainWindow) -> BackupActions:
    """Add the backup actions at the top of the window's File menu."""
    actions = BackupActions(window)
    first = window.file_menu.actions()[0] if window.file_menu.actions() else None
    window.file_menu.insertActions(first, actions.actions())
    window.file_menu.insertSeparator(first)
    return actions
