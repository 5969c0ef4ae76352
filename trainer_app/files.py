"""Writing files that survive power cuts and pulled USB sticks: a temporary file in the same
folder, flushed to disk, renamed over the target, then read back and compared."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO


class WriteError(OSError):
    """A file could not be written, or did not read back as written."""


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
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic_bytes(path: Path, data: bytes) -> Path:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)
    if hashlib.sha256(path.read_bytes()).digest() != hashlib.sha256(data).digest():
        raise WriteError(f"{path} does not read back as written")
    return path


def _sha256_of(path: Path) -> bytes:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(1024 * 1024):
            digest.update(block)
    return digest.digest()


def same_content(a: Path, b: Path) -> bool:
    """Whether two files hold the same bytes (read in blocks, never whole)."""
    a, b = Path(a), Path(b)
    return a.stat().st_size == b.stat().st_size and _sha256_of(a) == _sha256_of(b)


def copy_atomic(src: Path, dst: Path) -> Path:
    """Copy ``src`` to ``dst`` as :func:`write_atomic_bytes` writes: a temporary file beside
    the target, flushed to disk, renamed over it, then read back and compared."""
    src, dst = Path(src), Path(dst)
    tmp = dst.with_name(f".{dst.name}.tmp")
    digest = hashlib.sha256()
    try:
        with src.open("rb") as fin, tmp.open("wb") as fout:
            while block := fin.read(1024 * 1024):
                digest.update(block)
                fout.write(block)
            fout.flush()
            os.fsync(fout.fileno())
        os.replace(tmp, dst)
        fsync_dir(dst.parent)
    finally:
        tmp.unlink(missing_ok=True)
    if _sha256_of(dst) != digest.digest():
        raise WriteError(f"{dst} does not read back as written")
    return dst
