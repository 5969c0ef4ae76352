"""Writing files that survive power cuts and pulled USB sticks: a temporary file in the same
folder, flushed to disk, renamed over the target, then read back and compared."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


class WriteError(OSError):
    """A file could not be written, or did not read back as written."""


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
