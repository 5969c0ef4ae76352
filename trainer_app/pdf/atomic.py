"""Writing a paper's PDF atomically: all or nothing, never half a file.

The PDF is written to a temporary file in the target's folder (so the final rename stays on one
file system), flushed to disk, checked, and renamed over the target in one step. A reader (a PDF
viewer, the printer spooler) sees the old file or the new one, never a torn one; a crash, a full
disk or a cancelled run leaves the old file as it was and no temporary file behind. After the
rename the file is read back and checked once more.

Usage::

    with atomic.pdf_target(out) as fh:   # a binary file object
        canvas = Canvas(fh, pagesize=...)
        ...
        canvas.save()
    # here ``out`` exists and holds a checked PDF

Raising inside the block (e.g. :class:`Cancelled`) removes the temporary file and leaves ``out``
untouched.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from reportlab import rl_config

from trainer_app import cancel, files
from trainer_app.files import WriteError
from trainer_app.i18n import _

TAIL = 1024  # %%EOF must be within the last bytes of a PDF


class Cancelled(cancel.Cancelled):
    """The user cancelled writing a paper; nothing was written."""


class PdfWriteError(WriteError):
    """The PDF could not be written, or what was written is not a readable PDF.

    ``str(exc)`` is a message for the user.
    """


def check(path: Path) -> None:
    """Raise :class:`PdfWriteError` unless ``path`` looks like a complete PDF file: not empty,
    starting with ``%PDF-``, with ``startxref`` and ``%%EOF`` at its end."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
            fh.seek(max(0, size - TAIL))
            tail = fh.read()
    except OSError as exc:
        raise PdfWriteError(
            _("The PDF {path} cannot be read back: {error}").format(path=path, error=exc)
        ) from exc
    if size == 0 or not head.startswith(b"%PDF-") or b"%%EOF" not in tail \
            or b"startxref" not in tail:
        raise PdfWriteError(
            _("The PDF {path} was not written completely ({size} bytes): it is damaged. "
              "Check that the disk is not full and try again.").format(path=path, size=size)
        )


@contextlib.contextmanager
def pdf_target(out: Path) -> Iterator[BinaryIO]:
    """A binary file to write a PDF into; on leaving the block the file replaces ``out``
    (:func:`trainer_app.files.atomic_writer`, the PDF checked before and after the rename).

    On an exception (including :class:`Cancelled`) the temporary file is removed, ``out`` is
    left untouched and the exception propagates. Errors of the file system become
    :class:`PdfWriteError` with a message naming the file and what to do.
    """
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with files.atomic_writer(out, check=check) as fh:
            yield fh
    except PdfWriteError:
        raise
    except OSError as exc:
        raise PdfWriteError(files.explain(exc, out), exc.errno) from exc


@contextlib.contextmanager
def binary_streams() -> Iterator[None]:
    """While open, reportlab writes compressed streams without its ASCII85 layer: files a
    quarter smaller, and its pure-Python ASCII85 encoder costs more than drawing simple pages.
    Wrap the whole life of a canvas (creation to ``save``) in it."""
    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before


def write_bytes(out: Path, data: bytes) -> Path:
    """Write a PDF held in memory to ``out`` atomically; returns ``out``."""
    with pdf_target(out) as fh:
        fh.write(data)
    return Path(out)
