"""Resident identity card numbers (GB 11643-1999): check digit, birth date and gender."""

from __future__ import annotations

import datetime as dt
import functools
from typing import NamedTuple

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class IdNumberError(ValueError):
    """Why an ID number is invalid.

    ``code`` is one of ``length``, ``chars``, ``date``, ``check``.
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# A NamedTuple, not a dataclass: this module is read before the window's first paint, where
# building a dataclass costs ~0.5 ms and importing ``dataclasses`` ~1.4 ms (README, Figures).
class IdInfo(NamedTuple):
    number: str
    region: str
    birth_date: dt.date
    gender: str  # "M" or "F"


def normalize(number: str) -> str:
    """Strip spaces and upper-case ``x``; full-width digits (a Chinese IME) become ASCII."""
    if number.isascii() and number.isalnum():
        return number.upper()  # already plain (most numbers): nothing for NFKC to do
    import unicodedata  # a library of its own (~0.4 ms), not needed to show the list

    return "".join(unicodedata.normalize("NFKC", number).split()).upper()


def check_char(first17: str) -> str:
    """The 18th character for the first 17 digits (ISO 7064 MOD 11-2)."""
    if len(first17) != len(WEIGHTS):
        raise ValueError(first17)
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def parse(number: str, today: dt.date | None = None) -> IdInfo:
    """Validate an 18-character ID number and read the birth date and gender from it."""
    return _parse(normalize(number), today or dt.date.today())


@functools.lru_cache(maxsize=4096)  # a number is checked when cleaned and again when validated
def _parse(number: str, today: dt.date) -> IdInfo:
    if len(number) != 18:
        raise IdNumberError("length")
    body, last = number[:17], number[17]
    # ASCII only: str.isdigit() is also true for digits such as "١" or "²"
    if not body.isascii() or not body.isdigit() or last not in "0123456789X":
        raise IdNumberError("chars")
    try:
        birth = dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise IdNumberError("date") from None
    if birth > today or birth.year < 1900:
        raise IdNumberError("date")
    if check_char(body) != last:
        raise IdNumberError("check")
    gender = "M" if int(body[16]) % 2 == 1 else "F"
    return IdInfo(number=number, region=body[:6], birth_date=birth, gender=gender)


def make(region: str, birth: dt.date, sequence: int, gender: str) -> str:
    """Build a valid number (for demo data and tests): ``sequence`` 0-99, gender sets the parity."""
    seq_digit = (sequence % 5) * 2 + (1 if gender == "M" else 0)
    body = f"{region}{birth:%Y%m%d}{sequence % 100:02d}{seq_digit}"
    return body + check_char(body)


def mask_birth_date(value: str | None) -> str:
    """A birth date as lists show it beside a masked ID number: hidden whole. The mask hides
    the ID number's birth date (and two region digits the county's own region nearly always
    gives), so a birth date shown next to it would give the whole number away."""
    return "****-**-**" if value else ""


def mask(number: str | None) -> str:
    """``410102199003071234`` -> ``4101**********1234``: region prefix and last four shown."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
