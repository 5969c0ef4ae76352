"""Mainland China mobile numbers."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize(number: str) -> str:
    digits = re.sub(r"[\s-]", "", number.strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def is_valid_mobile(number: str) -> bool:
    return bool(_MOBILE.match(normalize(number)))


def mask(number: str | None) -> str:
    """``13812345678`` -> ``138****5678``."""
    if not number:
        return ""
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
