"""Translations and locale formatting.

Every user-visible string goes through :func:`_` or :func:`ngettext` imported from here (never
installed into builtins). The active language can change at run time; ``_`` looks it up on each
call, so a widget that re-reads its strings after a switch shows the new language.
"""

from __future__ import annotations

import datetime as dt
import gettext
import marshal
import os
from pathlib import Path

from trainer_app import paths

DOMAIN = "trainer_app"
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES: dict[str, str] = {"zh_CN": "简体中文", "en": "English"}

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A string whose meaning needs a context: "Trainer" the program, "Trainer" the teacher."""
    return _translations.pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return _translations.npgettext(context, singular, plural, n)


def app_name() -> str:
    return pgettext("program name", "Trainer")


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later with ``_``."""
    return message


def NP_(context: str, message: str) -> str:  # noqa: N802 (gettext's naming)
    """Mark a string with a context for extraction; translate it later with ``pgettext``."""
    return message


def language() -> str:
    return _language


def normalize(lang: str | None) -> str | None:
    """Map a locale name (``zh_CN.UTF-8``, ``zh-Hans``, ``en_US``) to one of :data:`LANGUAGES`."""
    if not lang:
        return None
    lang = lang.split(".")[0].replace("-", "_")
    low = lang.lower()
    if low.startswith("zh"):
        return "zh_CN"
    if low.startswith("en"):
        return "en"
    return None


def system_language() -> str:
    """The language the system asks for: Chinese or English, else Simplified Chinese.

    A locale variable that is set but names neither (``C.UTF-8``, ``fr_FR``) means Chinese; the
    C library's locale is asked only when no variable is set (Windows), as Python maps ``C`` to
    ``en_US`` there.
    """
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            found = normalize(value.split(":")[0])
            if found:
                return found
            if var != "LANGUAGE":
                return DEFAULT_LANGUAGE
    import locale  # only here: the variables above answer on most systems

    try:
        found = normalize(locale.getlocale()[0])
    except ValueError:
        found = None
    return found or DEFAULT_LANGUAGE


def saved_language() -> str | None:
    """The language chosen in the program's menu (kept in the settings file), if any; the
    command line reads it too, so that papers follow the program's language, not the shell's."""
    from trainer_app import settings_file

    return normalize(settings_file.read(settings_file.LANGUAGE))


class Messages(gettext.NullTranslations):
    """A compiled catalog: the table gettext's ``GNUTranslations`` builds from a ``.mo`` file
    (``"context\x04msgid"`` with a context, ``(msgid, n)`` for a plural form), kept marshalled
    in a ``.messages`` file, which loads in a quarter of the time a ``.mo`` takes to parse (~0.5
    against ~2 ms for 1,700 entries, at every start)."""

    FORMAT = 1

    def __init__(self, table: dict, plural: str) -> None:
        super().__init__()
        self._table, self._plural_expr = table, plural
        self._plural = gettext.c2py(plural)

    @classmethod
    def from_po(cls, po_path: os.PathLike) -> Messages:
        from babel.messages.pofile import read_po

        with open(po_path, "rb") as fh:
            return cls.from_catalog(read_po(fh))

    @classmethod
    def from_catalog(cls, catalog) -> Messages:  # a babel Catalog
        """Compile as babel's ``write_mo`` does: fuzzy and untranslated entries left out, a
        missing plural form replaced by the source text."""
        table: dict = {}
        for m in list(catalog)[1:]:  # the first is the header
            if not m.string or m.fuzzy:
                continue
            ids = m.id if isinstance(m.id, list | tuple) else None
            key = ids[0] if ids else m.id
            if m.context:
                key = f"{m.context}\x04{key}"
            if ids:
                for n, text in enumerate(m.string):
                    table[(key, n)] = text or ids[min(n, 1)]
            else:
                table[key] = m.string
        return cls(table, catalog.plural_expr)

    def dumps(self) -> bytes:
        return marshal.dumps((self.FORMAT, self._plural_expr, self._table))

    @classmethod
    def loads(cls, data: bytes) -> Messages:
        version, plural, table = marshal.loads(data)
        if version != cls.FORMAT:
            raise ValueError(f"catalog format {version}")
        return cls(table, plural)

    def gettext(self, message: str) -> str:
        return self._table.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        found = self._table.get((msgid1, self._plural(n)))
        return found if found is not None else (msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return self._table.get(f"{context}\x04{message}", message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        found = self._table.get((f"{context}\x04{msgid1}", self._plural(n)))
        return found if found is not None else (msgid1 if n == 1 else msgid2)


def compiled_path(lang: str) -> Path:
    """Where ``dev.py compile`` writes the compiled catalog of ``lang``."""
    return paths.translations_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.messages"


def _load_catalog(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    compiled = compiled_path(lang)
    po = paths.translations_dir() / f"{lang}.po"
    # From source the .po may be newer than the last compiled catalog: compile it in memory then.
    if compiled.exists() and not (po.exists() and po.stat().st_mtime > compiled.stat().st_mtime):
        try:
            return Messages.loads(compiled.read_bytes())
        except (ValueError, EOFError, TypeError):  # damaged, or another format: the .po
            pass
    if po.exists():
        return Messages.from_po(po)
    return gettext.NullTranslations()


def set_language(lang: str | None) -> str:
    """Activate ``lang`` (or the one chosen in the program, else the system's); returns the
    code."""
    global _translations, _language
    lang = normalize(lang) or saved_language() or system_language()
    _translations = _load_catalog(lang)
    _language = lang
    return lang


def babel_locale() -> str:
    return "zh_Hans_CN" if _language == "zh_CN" else "en_US"


def format_date(value: dt.date | str | None, fmt: str = "medium") -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format=fmt, locale=babel_locale())


def format_day(value: dt.date | str | None) -> str:
    """A day with its weekday, as the lesson tables and the sign-in sheet show it
    (``2026年12月3日 周四``, ``Dec 3, 2026 Thu``)."""
    return f"{format_date(value)} {format_date(value, 'EEE')}" if value else ""


def format_date_in(value: dt.date | str | None, lang: str, fmt: str = "long") -> str:
    """A date in a given language, whatever the screen's (papers printed in Chinese)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format=fmt, locale="zh_Hans_CN" if lang == "zh_CN" else "en_US")


def format_datetime(value: dt.datetime | str | None) -> str:
    """A moment as the tables show dates (``2026年12月3日 18:35``, ``Dec 3, 2026 18:35``): one
    date format on every screen, whether or not a time goes with it."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone()  # stored in UTC, shown in local time
    return f"{format_date(value.date())} {value:%H:%M}"


def join_sentences(parts: list[str]) -> str:
    """Messages one after another as the language writes them: in Chinese 甲；乙。 (the full
    stop of each but the last becomes a semicolon), in English "A. B." (phrases without a
    full stop joined by "; ")."""
    parts = [p.strip() for p in parts if p and p.strip()]
    if _language == "zh_CN":
        return "；".join([p.rstrip("。；;") for p in parts[:-1]] + parts[-1:])
    out = ""
    for part in parts:
        out += (" " if out.endswith((".", "!", "?")) else "; ") + part if out else part
    return out


def join_words(words: list[str]) -> str:
    """A list of names or words: 甲、乙 in Chinese, "a, b" in English."""
    return ("、" if _language == "zh_CN" else ", ").join(w for w in words if w)


# A whole number is grouped by threes with the locale's group sign in both languages (what
# babel's "#,##0" gives); written here so the first page's count does not wait for babel's
# import and locale data (~25 ms on an old PC). tests/test_i18n.py checks them against babel.
INTEGER_SIGNS: dict[str, tuple[str, str]] = {"zh_CN": (",", "-"), "en": (",", "-")}  # group, minus


def format_number(value: float | int, digits: int = 1) -> str:
    if type(value) is int and _language in INTEGER_SIGNS:
        group, minus = INTEGER_SIGNS[_language]
        text = f"{abs(value):,}".replace(",", group)
        return minus + text if value < 0 else text
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=babel_locale())


def format_percent(value: float) -> str:
    from babel.numbers import format_percent as babel_format_percent

    return babel_format_percent(value, locale=babel_locale())
