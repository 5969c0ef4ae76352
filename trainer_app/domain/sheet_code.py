"""The page code printed at the top right of every sign-in sheet page.

It tells a reader of a photographed sheet which lesson and page it shows and where the page's
table starts (the first page's heading has a varying height). Only digits and capitals, so the
QR code uses its compact alphanumeric mode: 49 characters, a version 3 symbol::

    S1                prefix and format version
    lesson            32 hex digits: the lesson's UUID without dashes
    page              2 digits, from 1
    table top         4 digits: the top of the first row, in tenths of a millimetre from the
                      page's bottom edge
    first row         3 digits: the sheet's number of the page's first row, from 1
    trainee rows      2 digits: rows printed with a trainee (the rest of the page is blank rows)
    rows              2 digits: all rows on the page
    trainees          6 characters: a digest of the page's trainee codes in row order (base 36),
                      so a row whose own code cannot be read in a photo is still known by its
                      place, as long as the lesson's sheet still lists the same trainees there
    check             2 characters: SHA-256 of everything before, base 36, so that a damaged or
                      foreign code starting with S2 is not taken for a page

Sheets printed before the digest was added carry format S1 (the same without "trainees"): they
are still read, their rows known by their own codes only.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass

from trainer_app.domain.sheet_layout import MM

PREFIX = "S2"
_DIGITS36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FIELDS = r"([0-9A-F]{32})(\d{2})(\d{4})(\d{3})(\d{2})(\d{2})"
_FORMS = {
    "S2": re.compile(rf"S2{_FIELDS}([0-9A-Z]{{6}})[0-9A-Z]{{2}}"),
    "S1": re.compile(rf"S1{_FIELDS}()[0-9A-Z]{{2}}"),  # without the trainees' digest
}


@dataclass(frozen=True)
class PageCode:
    lesson_id: str
    page: int
    table_top: float  # points from the page's bottom edge
    first_row: int
    trainee_rows: int
    rows: int
    trainees: str  # digest of the page's trainee codes (see rows_digest); "" on S1 sheets


def encode(code: PageCode) -> str:
    body = (
        f"{PREFIX}{uuid.UUID(code.lesson_id).hex.upper()}{code.page:02d}"
        f"{round(code.table_top / MM * 10):04d}{code.first_row:03d}{code.trainee_rows:02d}"
        f"{code.rows:02d}{code.trainees}"
    )
    return body + _check(body)


def decode(text: str) -> PageCode | None:
    """The page code in ``text``, or None when it is not one (any other QR code)."""
    form = _FORMS.get(text[:2])
    m = form.fullmatch(text) if form else None
    if not m or _check(text[:-2]) != text[-2:]:
        return None
    lesson, page, top, first, trainees, rows, digest = m.groups()
    return PageCode(
        lesson_id=str(uuid.UUID(hex=lesson)), page=int(page), table_top=int(top) / 10 * MM,
        first_row=int(first), trainee_rows=int(trainees), rows=int(rows), trainees=digest,
    )


def rows_digest(codes: list[str]) -> str:
    """Six base-36 characters (31 bits) of SHA-256 over the page's trainee codes in row order."""
    n = int.from_bytes(hashlib.sha256("\n".join(codes).encode()).digest()[:4], "big")
    return _base36(n % 36**6, 6)


def _check(body: str) -> str:
    n = int.from_bytes(hashlib.sha256(body.encode()).digest()[:4], "big") % (36 * 36)
    return _base36(n, 2)


def _base36(n: int, width: int) -> str:
    digits = ""
    for _ in range(width):
        n, d = divmod(n, 36)
        digits = _DIGITS36[d] + digits
    return digits
