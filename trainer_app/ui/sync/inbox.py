"""Watching an inbox folder for bundles while the program runs.

A :class:`QFileSystemWatcher` says when the folder changed; a polling timer looks again every
few seconds anyway (network shares and some USB file systems send no notices). A file is
handed over only once its size and time stayed the same for a while, so a file still being
copied is not read half-written; each version of a file (path, size, time) is handed over once.
A pipe or a device named like a bundle is handed over too (once): its import reports it as
skipped, without opening it.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from trainer_app.sync import exchange

POLL_MS = 3000  # look again this often, notices or not
STABLE_S = 2.0  # a file's size and time unchanged this long: copying has finished
SETTLE_MS = 300  # after a notice, wait this long before looking (a copy makes many notices)


def _key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class InboxWatcher(QObject):
    """Emits ``arrived(paths)`` with bundle files that appeared (or changed) in the folder."""

    arrived = Signal(list)

    def __init__(self, parent: QObject | None = None, poll_ms: int = POLL_MS,
                 stable_s: float = STABLE_S) -> None:
        super().__init__(parent)
        self.folder: Path | None = None
        self.stable_s = stable_s
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _path: self._settle.start())
        self._poll = QTimer(self, interval=poll_ms)
        self._poll.timeout.connect(self.scan)
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self.scan)
        self._recheck = QTimer(self, singleShot=True)
        self._recheck.timeout.connect(self.scan)
        self._seen: dict[Path, tuple[tuple[int, int], float]] = {}  # last look: key, since
        self._handed: dict[Path, tuple[int, int]] = {}  # versions already handed over

    def set_poll_ms(self, ms: int) -> None:
        self._poll.setInterval(ms)

    def is_watching(self) -> bool:
        return self.folder is not None

    def start(self, folder: Path) -> None:
        """Watch ``folder``; the bundles already there are handed over too (they may have
        arrived while the program was closed; one imported before changes nothing)."""
        self.stop()
        self.folder = Path(folder)
        self._watcher.addPath(str(self.folder))
        self._poll.start()
        self.scan()

    def stop(self) -> None:
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        self._poll.stop()
        self._settle.stop()
        self._recheck.stop()
        self.folder = None
        self._seen.clear()
        self._handed.clear()

    def forget(self, path: Path) -> None:
        """Let ``path`` be handed over again (its import did not happen, e.g. cancelled)."""
        self._handed.pop(Path(path), None)

    def candidates(self) -> list[Path]:
        if self.folder is None:
            return []
        try:
            return exchange.bundle_files([self.folder])
        except OSError:
            return []

    def scan(self) -> list[Path]:
        """Look at the folder now; emits and returns the files ready to import."""
        if self.folder is None:
            return []
        if str(self.folder) not in self._watcher.directories() and self.folder.is_dir():
            self._watcher.addPath(str(self.folder))  # the folder came back (a share reconnected)
        now = time.monotonic()
        ready: list[Path] = []
        waiting = False
        present = set()
        for path in self.candidates():
            present.add(path)
            key = _key(path)
            if key is None or self._handed.get(path) == key:
                continue
            last = self._seen.get(path)
            if last is None or last[0] != key:
                self._seen[path] = (key, now)
                waiting = True
                continue
            if now - last[1] >= self.stable_s:
                ready.append(path)
                self._handed[path] = key
                self._seen.pop(path, None)
            else:
                waiting = True
        for gone in set(self._seen) - present:
            self._seen.pop(gone, None)
        for gone in set(self._handed) - present:
            self._handed.pop(gone, None)
        if waiting:
            self._recheck.start(int(self.stable_s * 1000) + 50)
        if ready:
            self.arrived.emit(ready)
        return ready
