"""Writing files that survive power cuts, full disks and pulled USB sticks.

One helper serves every writer of the program (bundles, county packs, papers, certificates,
receipts, copies of a PDF): :func:`atomic_writer` writes into a hidden temporary file beside the
target (``.NAME.<8 hex>.tmp``, so the final rename stays on one file system), flushes it to
disk, checks it, renames it over the target in one step and reads the result back. A reader
sees the old file or the new one, never half of one.

What a crash leaves behind: a temporary file whose writer was killed (a power cut, ``kill -9``)
cannot remove itself. The next writer into that folder removes it (:func:`sweep`); a temporary
file still being written by a live process is locked by it and left alone. Any other error (a
full disk, a read-only stick, a refused permission) removes the temporary file at once and
becomes a :class:`WriteError` whose message says, in the user's language, what went wrong and
what to do.

Inside :func:`deferred_replace`, writers stop short of the rename: the temporary files are
complete and checked, and are put in place only when the block ends without error — so a
database transaction can be committed *before* the file it describes appears (a certificate
serial or a bundle number never exists on paper or on a stick without its row).
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from trainer_app.i18n import _

# Temporary files of ours: ".NAME.tmp", ".NAME.payload.tmp" (earlier versions) and
# ".NAME.<8 hex>.tmp"; only names of the kinds of file Trainer writes are ever removed.
TEMP_RE = re.compile(r"^\.(?P<name>.+?)(?:\.[0-9a-f]{8})?(?:\.payload)?\.tmp$")
OUR_SUFFIXES = (".trbundle", ".trpack", ".pdf", ".json", ".xlsx", ".csv", ".pem", ".arrival",
                ".png")


class WriteError(OSError):
    """A file could not be written, or did not read back as written; ``str(exc)`` is a message
    for the user (what went wrong and what to do). ``errno`` is the system's error, if any."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


def explain(exc: OSError, path: Path) -> str:
    """What an error of the file system means for the user, and what to do about it."""
    path = Path(path)
    folder = path.parent
    code = exc.errno
    if isinstance(exc, WriteError):
        return exc.message
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return _("The disk holding {folder} is full, so {file} was not written. Free some space "
                 "there, or choose another drive, and try again.").format(
                     folder=folder, file=path.name)
    if code == errno.EROFS:
        return _("{folder} is on a read-only medium (a write-protected USB stick, a CD), so "
                 "{file} was not written. Slide the stick's lock switch off, or choose another "
                 "drive, and try again.").format(folder=folder, file=path.name)
    if code in (errno.EACCES, errno.EPERM):
        return _("You are not allowed to write {file} in {folder}. Choose a folder of your own "
                 "(Documents, a USB stick), or close the program that has the file open, and "
                 "try again.").format(folder=folder, file=path.name)
    if code == errno.ENOENT:
        return _("The folder {folder} does not exist (was the USB stick pulled out?), so {file} "
                 "was not written. Check the drive and try again.").format(
                     folder=folder, file=path.name)
    if code == errno.EIO:
        return _("The drive holding {folder} could not be written (it may have been pulled "
                 "out, or be failing), so {file} was not written. Check the drive and try "
                 "again.").format(folder=folder, file=path.name)
    return _("{file} could not be written in {folder}: {error}").format(
        file=path.name, folder=folder, error=exc.strerror or exc)


def write_error(exc: OSError, path: Path) -> WriteError:
    return exc if isinstance(exc, WriteError) else WriteError(explain(exc, path), exc.errno)


class NotRegularFile(OSError):
    """A path names a pipe, a device, a socket or a folder where a file was expected."""


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file. Reading a pipe (a FIFO) named
    like one of our files would wait forever for a writer, and a device may never end; the
    file is opened without waiting and checked again once open, so it cannot be swapped for a
    pipe in between."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise NotRegularFile(f"{path} is not a regular file")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(f"{path} is not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no directory handles for this)."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temp_path(target: Path) -> Path:
    """A fresh temporary name beside ``target``: hidden, unique and recognised by :func:`sweep`."""
    target = Path(target)
    return target.parent / f".{target.name}.{os.urandom(4).hex()}.tmp"


def is_temp_of_ours(path: Path) -> bool:
    match = TEMP_RE.match(Path(path).name)
    return bool(match) and match["name"].lower().endswith(OUR_SUFFIXES)


def _lock(fh: BinaryIO) -> bool:
    """Take the writer's lock on an open temporary file (POSIX ``flock``; on Windows an open
    file cannot be removed anyway). False when another live process holds it."""
    try:
        import fcntl
    except ImportError:
        return True
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


_swept: set[Path] = set()


def sweep(folder: Path, force: bool = False) -> list[Path]:
    """Remove the temporary files a crashed writer left in ``folder`` (once per folder and
    process unless ``force``); returns what was removed. Files still locked by their writer,
    and files that are not ours, are left alone."""
    try:
        folder = Path(folder).resolve()
    except OSError:
        return []
    if folder in _swept and not force:
        return []
    _swept.add(folder)
    removed = []
    try:
        candidates = [p for p in folder.iterdir() if is_temp_of_ours(p)]
    except OSError:
        return []
    for path in candidates:
        try:
            with path.open("rb") as fh:
                if not _lock(fh):
                    continue  # being written right now
                path.unlink()
            removed.append(path)
        except OSError:
            continue
    return removed


def _sha256_of(path: Path) -> bytes:
    import hashlib  # here: OpenSSL's loading is not for the window's start-up

    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(1024 * 1024):
            digest.update(block)
    return digest.digest()


def sha256_hex(path: Path) -> str:
    return _sha256_of(path).hex()


def same_content(a: Path, b: Path) -> bool:
    """Whether two files hold the same bytes (read in blocks, never whole)."""
    a, b = Path(a), Path(b)
    return a.stat().st_size == b.stat().st_size and _sha256_of(a) == _sha256_of(b)


class _Finish:
    """The last steps of an atomic write: rename, fsync the folder, read back."""

    def __init__(self, tmp: Path, target: Path, digest: bytes,
                 check: Callable[[Path], None] | None) -> None:
        self.tmp, self.target, self.digest, self.check = tmp, target, digest, check

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)

    def __call__(self) -> None:
        try:
            os.replace(self.tmp, self.target)
        except OSError as exc:
            self.discard()
            raise write_error(exc, self.target) from exc
        fsync_dir(self.target.parent)
        try:
            same = _sha256_of(self.target) == self.digest
        except OSError as exc:
            raise write_error(exc, self.target) from exc
        if not same:
            raise WriteError(_("{path} does not read back as it was written: the drive may be "
                               "failing. Write it again, to another drive if you can.").format(
                                   path=self.target))
        if self.check:
            self.check(self.target)


# -- deferring renames until a transaction is committed ------------------------------------------
_deferred: contextvars.ContextVar[list[_Finish] | None] = contextvars.ContextVar(
    "deferred_replaces", default=None)


@contextlib.contextmanager
def deferred_replace() -> Iterator[None]:
    """Writers inside the block leave their checked temporary files unrenamed; they are put in
    place when the block ends without error, and removed when it raises."""
    if _deferred.get() is not None:  # nested: the outer block decides
        yield
        return
    pending: list[_Finish] = []
    token = _deferred.set(pending)
    try:
        yield
    except BaseException:
        _deferred.reset(token)
        for finish in pending:
            with contextlib.suppress(Exception):
                finish.discard()
        raise
    _deferred.reset(token)
    for i, finish in enumerate(pending):
        try:
            finish()
        except BaseException:
            for rest in pending[i + 1:]:
                with contextlib.suppress(Exception):
                    rest.discard()
            raise


@contextlib.contextmanager
def atomic_writer(path: Path, *, check: Callable[[Path], None] | None = None,
                  before_replace: Callable[[Path], None] | None = None,
                  mode: int = 0o666) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through; on leaving the block it replaces ``path``.

    ``check(file)`` validates the complete temporary file (and the final one after the rename);
    ``before_replace(tmp)`` runs last before the rename (e.g. to commit what the file
    describes). An exception in the block, in ``check`` or in ``before_replace`` removes the
    temporary file and leaves ``path`` as it was; errors of the file system become
    :class:`WriteError`. Inside :func:`deferred_replace` the rename waits for the end of that
    block."""
    path = Path(path)
    sweep(path.parent)
    tmp = temp_path(path)
    try:
        # 0o666 less the umask, as for any document the user saves (mkstemp would make 0600)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     mode)
    except OSError as exc:
        raise write_error(exc, path) from exc
    fh = os.fdopen(fd, "wb")
    finish: _Finish | None = None
    try:
        try:
            _lock(fh)
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fh.close()
        if check:
            check(tmp)
        finish = _Finish(tmp, path, _sha256_of(tmp), check)
        if before_replace:
            before_replace(tmp)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise write_error(exc, path) from exc
        raise
    pending = _deferred.get()
    if pending is not None:
        pending.append(finish)
    else:
        finish()


def write_atomic_bytes(path: Path, data: bytes, mode: int = 0o666) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_writer`); returns ``path``."""
    with atomic_writer(path, mode=mode) as fh:
        fh.write(data)
    return Path(path)


def copy_atomic(src: Path, dst: Path) -> Path:
    """Copy ``src`` to ``dst`` atomically (see :func:`atomic_writer`); returns ``dst``."""
    with Path(src).open("rb") as fin, atomic_writer(dst) as fh:
        shutil.copyfileobj(fin, fh, 1024 * 1024)
    return Path(dst)
