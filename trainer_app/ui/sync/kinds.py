"""What a bundle holds, in words: the kinds of records, counted, in the user's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from trainer_app import i18n
from trainer_app.i18n import _, ngettext

# Per table of a bundle: its records counted, as a reader says it. Lambdas, so that the text
# is translated when shown and each plural pair stays extractable.
KINDS: dict[str, Callable[[int], str]] = {
    "trainee": lambda n: ngettext("{n} trainee", "{n} trainees", n),
    "training_class": lambda n: ngettext("{n} class", "{n} classes", n),
    "lesson": lambda n: ngettext("{n} lesson", "{n} lessons", n),
    "enrollment": lambda n: ngettext("{n} enrollment", "{n} enrollments", n),
    "attendance": lambda n: ngettext("{n} attendance record", "{n} attendance records", n),
    "certificate": lambda n: ngettext("{n} certificate", "{n} certificates", n),
    "revocation": lambda n: ngettext("{n} withdrawal", "{n} withdrawals", n),
    "course": lambda n: ngettext("{n} course", "{n} courses", n),
    "station": lambda n: ngettext("{n} station", "{n} stations", n),
    "site_key": lambda n: ngettext("{n} key", "{n} keys", n),
    "person_merge": lambda n: ngettext("{n} merged person", "{n} merged persons", n),
    "receipt": lambda n: ngettext("{n} receipt", "{n} receipts", n),
}
ORDER = tuple(KINDS)


def count_text(kind: str, n: int) -> str:
    words = KINDS.get(kind)
    number = i18n.format_number(n, 0)
    if words is None:
        return f"{number} {kind}"
    return words(n).format(n=number)


def counts_text(counts: Mapping[str, int] | None, empty: str | None = None) -> str:
    """``{"trainee": 20, "lesson": 3}`` → "20 trainees, 3 lessons" (the usual order)."""
    items = [(k, n) for k, n in (counts or {}).items() if n]
    if not items:
        return _("nothing") if empty is None else empty
    items.sort(key=lambda kv: (ORDER.index(kv[0]) if kv[0] in ORDER else len(ORDER), kv[0]))
    return _(", ").join(count_text(k, n) for k, n in items)

