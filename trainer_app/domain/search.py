"""Search keys: one lowercase string per trainee that a typed fragment is matched against.

The key holds the name, its full pinyin and pinyin initials (``王小明`` -> ``wangxiaoming wxm``),
the trainee code, ID number, phone and village, so one substring test answers every kind of
search the operator types. Surnames with two readings (单 shan/dan) get both.
"""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=8192)  # a name is read for its sort key and its search key
def pinyin_forms(name: str) -> tuple[str, str]:
    """Full pinyin and initials of ``name``; characters without pinyin are kept as they are."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="default", v_to_u=False)
    syllables = [s.lower() for s in syllables if s.strip()]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s and s[0].isascii() and s[0].isalpha())
    return full, initials


def name_sort_key(name: str) -> str:
    """The key the trainee list sorts names by, as Chinese rosters do: syllable by syllable,
    the surname's first (李民丽, 李秀兰, 林怡胜; 黎 and 李 before 梁 and 廖), then the characters
    themselves. Syllables are separated by a space, which sorts before every letter, and the
    characters follow a tab, so that a shorter name sorts before a longer one."""
    from pypinyin import Style, lazy_pinyin

    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="default",
                                                v_to_u=False) if s.strip()]
    if syllables and name[:1] in POLYPHONIC_SURNAMES:  # 曾 sorts as zeng, not ceng
        syllables[0] = POLYPHONIC_SURNAMES[name[0]][0]
    return " ".join(syllables) + "\t" + name


# Surnames read differently from the character's everyday reading, with every reading an
# operator may type (the surname reading first). Only these get extra forms: taking every reading
# pypinyin knows for the first character would make 沈 match "chen" (陈) and 王 match "yu".
POLYPHONIC_SURNAMES: dict[str, tuple[str, ...]] = {
    "单": ("shan", "dan"), "曾": ("zeng", "ceng"), "解": ("xie", "jie"), "仇": ("qiu", "chou"),
    "区": ("ou", "qu"), "查": ("zha", "cha"), "朴": ("piao", "pu"), "盖": ("ge", "gai"),
    "乐": ("yue", "le"), "覃": ("qin", "tan"), "员": ("yun", "yuan"), "种": ("chong", "zhong"),
    "重": ("chong", "zhong"), "秘": ("bi", "mi"), "黑": ("he", "hei"), "繁": ("po", "fan"),
    "便": ("pian", "bian"), "折": ("she", "zhe"), "句": ("gou", "ju"), "能": ("nai", "neng"),
    "召": ("shao", "zhao"), "祭": ("zhai", "ji"), "翟": ("zhai", "di"), "都": ("du", "dou"),
    "藏": ("zang", "cang"), "粘": ("nian", "zhan"), "隗": ("wei", "kui"), "殷": ("yin", "yan"),
    "车": ("che", "ju"), "缪": ("miao", "mou", "miu"), "尉": ("wei", "yu"), "万": ("wan", "mo"),
    "长": ("chang", "zhang"), "柏": ("bai", "bo"), "朝": ("chao", "zhao"), "角": ("jue", "jiao"),
    "谌": ("chen", "shen"), "莘": ("shen", "xin"), "盛": ("sheng", "cheng"), "谷": ("gu", "yu"),
    "贲": ("ben", "bi"), "佴": ("nai", "er"), "阚": ("kan",), "蕃": ("pi", "fan"),
}


def surname_variants(name: str) -> list[str]:
    """Readings of a polyphonic surname (单 shan/dan, 曾 zeng/ceng, 解 xie/jie); else none."""
    if not name:
        return []
    return list(POLYPHONIC_SURNAMES.get(name[0], ()))


def build_key(name: str, *extra: str | None) -> str:
    full, initials = pinyin_forms(name)
    parts: list[str] = [name, full, initials]
    variants = surname_variants(name)
    if variants:
        # Every reading of the surname: the one pypinyin picks for the whole name (from a phrase
        # such as 单于 chanyu, or 曾 read ceng) need not be among them.
        rest_full, rest_initials = pinyin_forms(name[1:]) if len(name) > 1 else ("", "")
        for reading in variants:
            parts.append(reading + rest_full)
            parts.append(reading[0] + rest_initials)
    parts.extend(e for e in extra if e)
    return " ".join(dict.fromkeys(p.lower() for p in parts))


# Full-width ASCII (a Chinese input method's full-width mode types ＥＣ１０３) as ASCII. Not NFKC,
# which would also change the compatibility ideographs a rare name may be written with.
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def normalize_query(text: str) -> str:
    """What is typed, as keys hold it: without spaces, lower case, full-width letters and
    digits as ASCII ones."""
    return "".join(text.translate(_FULL_WIDTH).split()).lower()


def matches(key: str, query: str) -> bool:
    return normalize_query(query) in key


def text_key(*texts: str | None) -> str:
    """A search key for short texts such as a course's code, title and category: each text with
    its full pinyin and pinyin initials (``开设网店`` -> ``开设网店 kaisheswangdian kswd``)."""
    parts: list[str] = []
    for text in texts:
        if text:
            parts.append(text)
            if not text.isascii():
                parts.extend(pinyin_forms(text))
    return " ".join(dict.fromkeys(p.lower() for p in parts))
