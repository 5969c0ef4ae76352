"""Which column of a committee's list holds which trainee field: header matching in Chinese and
English, and finding the header row below a title."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from trainer_app.i18n import _

# The fields a list can fill, in the order of the template's columns.
FIELDS = (
    "name", "gender", "id_number", "birth_date", "phone", "village", "village_group",
    "poor_household", "education", "notes",
)

# Header texts as committees write them, normalized by :func:`normalize_header`.
VARIANTS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "学员姓名", "学员", "name", "fullname", "traineename"),
    "gender": ("性别", "gender", "sex"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "证件号",
                  "居民身份证号码", "idnumber", "idno", "id", "idcard", "residentidnumber",
                  "idcardnumber"),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "生日", "birthdate", "dateofbirth",
                   "birthday", "dob"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话", "电话号码", "联系方式", "phone",
              "mobile", "mobilephone", "telephone", "tel", "phonenumber"),
    "village": ("村", "行政村", "所在村", "村名", "村庄", "village"),
    "village_group": ("组", "村民小组", "小组", "组别", "所在组", "group", "villagegroup"),
    "poor_household": ("贫困户", "建档立卡", "是否建档立卡贫困户", "脱贫户", "是否贫困户",
                       "建档立卡贫困户", "是否脱贫户", "poorhousehold",
                       "registeredpoorhousehold", "poor"),
    "education": ("文化程度", "学历", "education", "schooling"),
    "notes": ("备注", "notes", "note", "remarks", "remark", "comments"),
}

_LOOKUP = {variant: field for field, variants in VARIANTS.items() for variant in variants}
_BRACKETS = re.compile(r"[(\[（【].*?[)\]）】]")
_NOISE = re.compile(r"[\s*:：_\-./]+")

HEADER_SEARCH_ROWS = 20  # the header row is among the first rows that hold anything


def field_label(field: str) -> str:
    """The column header for ``field`` in the active language (the template's, the mapping's)."""
    return {
        "name": _("Name"),
        "gender": _("Gender"),
        "id_number": _("ID number"),
        "birth_date": _("Birth date"),
        "phone": _("Mobile"),
        "village": _("Village"),
        "village_group": _("Group"),
        "poor_household": _("Registered poor household"),
        "education": _("Education"),
        "notes": _("Notes"),
    }[field]


def normalize_header(text: object) -> str:
    """``"身份证号码（必填）*"`` -> ``"身份证号码"``; ``"ID No."`` -> ``"idno"``."""
    value = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    value = _BRACKETS.sub("", value)
    return _NOISE.sub("", value)


def match_header(text: object) -> str | None:
    """The field a header names, or None."""
    key = normalize_header(text)
    if key in _LOOKUP:
        return _LOOKUP[key]
    for field in FIELDS:  # this language's own label also counts ("手机" as we write it)
        if key == normalize_header(field_label(field)):
            return field
    return None


def match_columns(headers: Sequence[object]) -> list[str | None]:
    """A field (or None) per column; a field already taken by an earlier column is not given
    twice."""
    taken: set[str] = set()
    fields: list[str | None] = []
    for header in headers:
        field = match_header(header)
        if field in taken:
            field = None
        if field:
            taken.add(field)
        fields.append(field)
    return fields


def find_header_row(rows: Sequence[Sequence[object]]) -> int:
    """Index of the header row: among the first rows that hold anything, the first that names at
    least two fields (a title such as "王坪村电商培训报名表" names none); else the first row that
    holds anything."""
    first = None
    seen = 0
    for i, row in enumerate(rows):
        if not any(str(v).strip() for v in row if v is not None):
            continue
        first = i if first is None else first
        if sum(1 for f in match_columns(row) if f) >= 2:
            return i
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    return first if first is not None else 0
