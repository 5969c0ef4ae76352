"""What a committee's cell means: the raw values a spreadsheet gives (text, numbers, dates,
booleans) turned into a trainee's fields, with a message for a cell that cannot be read.

Nothing is guessed: an ID number Excel stored as a number has lost its last digits, and is
reported as such, never completed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from trainer_app.domain.models import EDUCATION_LEVELS, Gender
from trainer_app.i18n import _

Cell = object  # str, int, float, bool, date, datetime, time, timedelta or None

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_UNUSUAL = re.compile("[\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff']")
_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_WIDE_OR_SPACE = re.compile(r"[\s\u00a0\u3000\uff01-\uff5e]")  # what NFKC and compact change
_SCIENTIFIC = re.compile(r"^[0-9](\.[0-9]+)?e\+?[0-9]+$", re.IGNORECASE)
_DATE_PARTS = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?"
                         r"(?:[ T]0{1,2}:00(?::00)?)?$")
_DATE_DIGITS = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug)

YES = {"是", "√", "✓", "✔", "y", "yes", "1", "有", "true", "对", "是的", "t"}
NO = {"否", "×", "✗", "✘", "x", "n", "no", "0", "无", "false", "不是", "没有", "f", "非"}
MALE = {"男", "m", "male", "男性", "1"}
FEMALE = {"女", "f", "female", "女性", "2"}
EDUCATION = {  # committees' words -> the levels of the trainee form
    "无": "None", "文盲": "None", "未上学": "None", "半文盲": "None",
    "小学": "Primary school",
    "初中": "Junior middle school",
    "高中": "Senior middle school",
    "中专": "Vocational school", "职高": "Vocational school", "技校": "Vocational school",
    "中职": "Vocational school",
    "大专": "College or above", "专科": "College or above", "本科": "College or above",
    "大学": "College or above", "研究生": "College or above", "硕士": "College or above",
    "博士": "College or above",
}


_LEVELS = {level.lower().replace(" ", ""): level for level in EDUCATION_LEVELS}


class CellError(ValueError):
    """A cell that cannot be read; ``str(exc)`` is the message for the operator."""


def text(value: Cell) -> str:
    """A cell as the text a person sees: a leading apostrophe (Excel's "as text" mark),
    non-breaking and full-width spaces and trailing blanks removed; ``13812345678.0`` as
    ``13812345678``; a date as ``YYYY-MM-DD``."""
    if type(value) is str and not _UNUSUAL.search(value):
        return value.strip()  # the usual cell, quickly
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if abs(value) >= 1e15:  # as Excel shows it: 15 significant digits, never more
            return str(int(Decimal(f"{value:.15g}")))
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    value = str(value).translate(_INVISIBLE).replace("\u00a0", " ").replace("\u3000", " ")
    return value.strip().removeprefix("'").strip()


def compact(value: Cell) -> str:
    """``text`` with full-width characters made ASCII and every space removed (for numbers)."""
    shown = text(value)
    if not _WIDE_OR_SPACE.search(shown):
        return shown
    return _SPACES.sub("", unicodedata.normalize("NFKC", shown))


def id_number(value: Cell) -> str:
    """The ID number of a cell, or CellError when Excel stored it as a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(_("Excel stored this ID number as a number and kept only its first 15 "
                          "digits. Format the column as text and type the number again."))
    found = compact(value)
    if _SCIENTIFIC.match(found):
        raise CellError(_("The ID number was saved as {shown}: Excel stored it as a number and "
                          "lost its last digits. Format the column as text and type the number "
                          "again.").format(shown=found))
    return found.upper()


def phone(value: Cell) -> str:
    return compact(value).replace("-", "")


def birth_date(value: Cell) -> str:
    """``YYYY-MM-DD`` from a date cell, an Excel date serial, ``1990/3/7``, ``1990.3.7``,
    ``1990年3月7日`` or ``19900307``; '' for a blank cell."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and _DATE_DIGITS.match(str(int(value))):
            return _from_parts(*_DATE_DIGITS.match(str(int(value))).groups(), shown=value)
        if 1 <= value < 2958466:  # Excel's serial range (1900-01-01 to 9999-12-31)
            return (EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()
    shown = compact(value)
    if not shown:
        return ""
    found = _DATE_PARTS.match(shown) or _DATE_DIGITS.match(shown)
    if not found:
        raise CellError(_("{shown} is not a date: write it as 1990-03-07.").format(shown=shown))
    return _from_parts(*found.groups(), shown=shown)


def _from_parts(year: str, month: str, day: str, shown: object) -> str:
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        raise CellError(_("{shown} is not a real date.").format(shown=shown)) from None


def yes_no(value: Cell) -> bool:
    """是/否, √/×, Y/N, 1/0, 有/无, a boolean cell; a blank cell is no."""
    if isinstance(value, bool):
        return value
    key = compact(value).lower()
    if not key:
        return False
    if key in YES:
        return True
    if key in NO:
        return False
    raise CellError(_("Write yes or no here (是/否, √/×, Y/N, 1/0), not {shown}.").format(
        shown=text(value)))


def gender(value: Cell) -> Gender | None:
    key = compact(value).lower()
    if not key:
        return None
    if key in MALE:
        return Gender.MALE
    if key in FEMALE:
        return Gender.FEMALE
    raise CellError(_("Write the gender as 男 or 女, not {shown}.").format(shown=text(value)))


def education(value: Cell) -> str:
    """A level of the trainee form when the committee's word names one, else the text as is."""
    shown = text(value)
    key = compact(shown)
    return EDUCATION.get(key) or _LEVELS.get(key.lower(), shown)
