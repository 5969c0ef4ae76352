"""Search keys: one lowercase string per trainee that a typed fragment is matched against.

The key holds the name, its full pinyin and pinyin initials (``王小明`` -> ``wangxiaoming wxm``),
the trainee code, ID number, phone and village, so one substring test answers every kind of
search the operator types. Surnames with two readings (单 shan/dan) get both.
"""

from __future__ import annotations


def pinyin_forms(name: str) -> tuple[str, str]:
    """Full pinyin and initials of ``name``; characters without pinyin are kept as they are."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="default", v_to_u=False)
    syllables = [s.lower() for s in syllables if s.strip()]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s and s[0].isascii() and s[0].isalpha())
    return full, initials


def surname_variants(name: str) -> list[str]:
    """Other readings of the first character (polyphonic surnames such as 单, 曾, 解)."""
    if not name:
        return []
    from pypinyin import Style, pinyin

    readings = pinyin(name[0], style=Style.NORMAL, heteronym=True)[0]
    return [r for r in readings if r.isascii()]


def build_key(name: str, *extra: str | None) -> str:
    full, initials = pinyin_forms(name)
    parts: list[str] = [name, full, initials]
    variants = surname_variants(name)
    if len(variants) > 1:
        # Every reading of the surname, not only the ones after the first: the reading pypinyin
        # picks for the whole name (from a phrase such as 单于 chanyu) need not be the first one.
        rest_full, rest_initials = pinyin_forms(name[1:]) if len(name) > 1 else ("", "")
        for reading in variants:
            parts.append(reading + rest_full)
            parts.append(reading[0] + rest_initials)
    parts.extend(e for e in extra if e)
    return " ".join(dict.fromkeys(p.lower() for p in parts))


def normalize_query(text: str) -> str:
    return "".join(text.split()).lower()


def matches(key: str, query: str) -> bool:
    return normalize_query(query) in key
