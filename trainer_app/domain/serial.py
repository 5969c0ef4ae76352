"""Certificate serial numbers: ``<station code>-<year>-<running number>-<check>``.

Example ``WP01-2026-000123-K``. The check character (ISO 7064 MOD 37,36 over the other
characters) catches a mistyped or misread serial before any lookup. Only characters of the QR
alphanumeric set are used, so the serial costs little space inside a QR code.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SERIAL = re.compile(r"^([A-Z0-9]{2,12})-(\d{4})-(\d{6})-([0-9A-Z])$")


def check_char(body: str) -> str:
    """ISO 7064 MOD 37,36 check character for the alphanumeric characters of ``body``."""
    m = 36
    p = m
    for ch in body:
        if ch == "-":
            continue
        p = (p + ALPHABET.index(ch)) % m or m
        p = (2 * p) % (m + 1)
    return ALPHABET[(m + 1 - p) % m]


def make(station_code: str, year: int, number: int) -> str:
    body = f"{station_code.upper()}-{year:04d}-{number:06d}"
    return f"{body}-{check_char(body)}"


def normalize(text: str) -> str:
    return text.strip().upper().replace(" ", "")


def is_valid(text: str) -> bool:
    text = normalize(text)
    match = _SERIAL.match(text)
    return bool(match) and check_char(text[: text.rindex("-")]) == match.group(4)


def parse(text: str) -> tuple[str, int, int]:
    """``(station code, year, running number)``; raises ValueError for an invalid serial."""
    text = normalize(text)
    if not is_valid(text):
        raise ValueError(text)
    station, year, number, _check = _SERIAL.match(text).groups()  # type: ignore[union-attr]
    return station, int(year), int(number)
