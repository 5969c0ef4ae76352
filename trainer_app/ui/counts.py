"""How a section says how many records its list shows: one pattern for every kind (共 300 名学员,
300 trainees), counting what the search and filters leave, and always in one place, the right
end of the section's top bar (beside the search, as on the Trainees section)."""

from __future__ import annotations

from trainer_app import i18n
from trainer_app.i18n import npgettext


def _shown(text: str, n: int) -> str:
    return text.format(n=i18n.format_number(n, 0))


def trainees(n: int) -> str:
    return _shown(npgettext("list count", "{n} trainee", "{n} trainees", n), n)


def courses(n: int) -> str:
    return _shown(npgettext("list count", "{n} course", "{n} courses", n), n)


def classes(n: int) -> str:
    return _shown(npgettext("list count", "{n} class", "{n} classes", n), n)


def certificates(n: int) -> str:
    return _shown(npgettext("list count", "{n} certificate", "{n} certificates", n), n)


def stations(n: int) -> str:
    return _shown(npgettext("list count", "{n} station", "{n} stations", n), n)


def groups(n: int) -> str:
    return _shown(npgettext("list count", "{n} group", "{n} groups", n), n)


def rows(n: int) -> str:
    return _shown(npgettext("list count", "{n} row", "{n} rows", n), n)
