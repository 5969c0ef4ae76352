"""Mainland China mobile numbers."""

from __future__ import annotations

# re and unicodedata are imported where used: the trainee list's first paint only masks numbers.
_MOBILE = r"1[3-9][0-9]{9}"  # ASCII digits only (``\d`` also matches ``١``)


def normalize(number: str) -> str:
    """Drop spaces, dashes and a ``+86`` prefix; full-width digits (a Chinese IME) become ASCII."""
    if number.isascii() and number.isdigit():
        return number  # already plain (most numbers)
    import re
    import unicodedata

    digits = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", number).strip())
    digits = digits.removeprefix("+86")
    return digits


def is_valid_mobile(number: str) -> bool:
    import re

    return re.fullmatch(_MOBILE, normalize(number)) is not None


def mask(number: str | None) -> str:
    """``13812345678`` -> ``138****5678``; a short number shows at most its last four."""
    if not number:
        return ""
    if len(number) < 8:
        return "*" * len(number)
    head = 3 if len(number) >= 11 else 0
    return number[:head] + "*" * (len(number) - head - 4) + number[-4:]
