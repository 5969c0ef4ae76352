"""Automatic backups while the program runs: soon after start, every few hours while the
database changed, and when the window closes (which waits for it, without freezing).

Each backup is a task on the worker (:mod:`trainer_app.ui.tasks`) with its own connection;
the UI thread only looks at the database file's size and time to know whether anything changed.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLabel, QMainWindow

from trainer_app import i18n
from trainer_app.i18n import _
from trainer_app.services import backup
from trainer_app.ui.backup import folder
from trainer_app.ui.tasks import Task, store_task

log = logging.getLogger("trainer_app")

START_DELAY_MS = 5_000  # after start-up, not during it
CHECK_MS = 15 * 60_000  # how often to look whether a backup is due
INTERVAL_S = 3 * 3600  # a backup every three hours while the database changes
NO_DIALOG_MS = 24 * 3600_000  # an automatic backup never shows a progress dialog


def file_state(db_path: Path) -> tuple:
    """Size and time of the database and its ``-wal``: any write changes one of them."""
    state = []
    for path in (db_path, Path(f"{db_path}-wal")):
        try:
            st = os.stat(path)
        except OSError:
            state.append(None)
        else:
            state.append((st.st_size, st.st_mtime_ns))
    return tuple(state)


class AutoBackup(QObject):
    """Automatic backups of ``window.store``'s database. Attach one per main window."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.db_path = Path(window.store.path)
        self.task: Task | None = None
        self.last_state: tuple | None = None
        self.last_time = 0.0  # monotonic seconds of the last backup
        self.stopped = False
        self._closing = False
        self.label = QLabel(objectName="backup_status")
        window.statusBar().addPermanentWidget(self.label)
        self.timer = QTimer(self, interval=CHECK_MS)
        self.timer.timeout.connect(self.back_up_if_due)
        self.timer.start()
        QTimer.singleShot(START_DELAY_MS, self, self.back_up_if_changed)
        window.installEventFilter(self)
        window.auto_backup = self  # type: ignore[attr-defined]
        folder.migrate()
        backup.remove_leftovers()

    # -- when -----------------------------------------------------------------------------------
    def changed(self) -> bool:
        return file_state(self.db_path) != self.last_state

    def back_up_if_due(self) -> None:
        if self.changed() and time.monotonic() - self.last_time >= INTERVAL_S:
            self.back_up()

    def back_up_if_changed(self) -> None:
        if self.changed():
            self.back_up()

    def stop(self) -> None:
        """No more automatic backups for this window (it is about to be replaced)."""
        self.stopped = True
        self.timer.stop()

    # -- how ------------------------------------------------------------------------------------
    def back_up(self) -> Task | None:
        if self.stopped or (self.task is not None and self.task.is_running()):
            return None
        state = file_state(self.db_path)
        self.label.setText(_("Backing up…"))
        task = store_task(self.db_path, lambda store, progress, cancelled: backup.create(
            store, progress=progress, cancelled=cancelled), parent=self.window,
            show_after_ms=NO_DIALOG_MS)
        task.succeeded.connect(lambda info: self._done(info, state))
        task.failed.connect(self._failed)
        self.task = task
        return task.start()

    def _done(self, info: backup.BackupInfo, state: tuple) -> None:
        self.last_state = state
        self.last_time = time.monotonic()
        self.label.setText(_("Backed up: {time}").format(
            time=i18n.format_datetime(info.created_at)))
        self.label.setToolTip(str(info.path))

    def _failed(self, exc: BaseException) -> None:
        log.warning("automatic backup failed: %s", exc)
        self.label.setText(_("The automatic backup failed: {reason}").format(reason=exc))

    # -- closing --------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() == QEvent.Type.Close and not self.stopped:
            if self._closing:
                return False
            if self.task is not None and self.task.is_running():
                event.ignore()  # closes when the running backup ends
                self._closing = True
                self.task.ended.connect(self.window.close)
                return True
            if self.changed():
                task = self.back_up()
                if task is not None:
                    event.ignore()
                    self._closing = True
                    self.label.setText(_("Backing up before closing…"))
                    task.ended.connect(self.window.close)
                    return True
            self._closing = True
        return False
