"""Turning the files an operator gives into page images, and page images into evidence.

JPEG, PNG, TIFF (a scanner's multi-page file) and PDF (rendered with pypdfium2 at 200 dpi),
or a folder of them. Evidence is a JPEG of the page about 200 KB large: enough to see every
signature, small enough to keep years of sheets in the station's database.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf"}
PDF_DPI = 200
EVIDENCE_LONG_SIDE = 2000  # pixels: ~170 dpi for an A4 page filling the picture
EVIDENCE_BUDGET = 220_000  # bytes


class ImageFileError(ValueError):
    """A file that is not an image or PDF we can read."""


@dataclass
class PageImage:
    path: Path
    index: int  # page of a multi-page file, from 0
    image: Image.Image


@dataclass(frozen=True)
class Evidence:
    jpeg: bytes
    sha256: str
    width: int
    height: int


def expand(paths: list[Path]) -> list[Path]:
    """Files given, with folders replaced by the image and PDF files in them (sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
        else:
            out.append(path)
    return out


def pages(path: Path) -> Iterator[PageImage]:
    """Each page image in ``path``; raises :class:`ImageFileError` when it is not readable."""
    if path.suffix.lower() == ".pdf":
        yield from _pdf_pages(path)
        return
    try:
        with Image.open(path) as image:
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                page = ImageOps.exif_transpose(frame.convert("RGB"))
                yield PageImage(path, index, page)
    except (UnidentifiedImageError, OSError) as e:
        raise ImageFileError(str(e)) from e


def _pdf_pages(path: Path) -> Iterator[PageImage]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        raise ImageFileError(str(e)) from e
    try:
        for index, page in enumerate(pdf):
            yield PageImage(path, index, page.render(scale=PDF_DPI / 72).to_pil().convert("RGB"))
    finally:
        pdf.close()


_TURNS = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180,
          270: Image.Transpose.ROTATE_270}


def evidence(image: Image.Image, turn: int = 0) -> Evidence:
    """The page as a JPEG within the budget (smaller, then coarser, until it fits), turned
    ``turn`` degrees counter-clockwise (a multiple of 90) so that it stands upright."""
    picture = image.convert("RGB")
    if turn in _TURNS:
        picture = picture.transpose(_TURNS[turn])
    picture.thumbnail((EVIDENCE_LONG_SIDE, EVIDENCE_LONG_SIDE), Image.Resampling.LANCZOS)
    quality = 75
    while True:
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=quality, optimize=True)
        data = buffer.getvalue()
        if len(data) <= EVIDENCE_BUDGET or quality <= 35:
            break
        quality -= 10
    return Evidence(data, hashlib.sha256(data).hexdigest(), picture.width, picture.height)
