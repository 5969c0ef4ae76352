"""The course catalog of a station (the county's courses, and local ones)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from trainer_app.domain.models import Course
from trainer_app.domain.search import normalize_query, text_key
from trainer_app.domain.validation import validate_course
from trainer_app.i18n import _
from trainer_app.services.errors import ServiceError, ValidationError, not_found, owned_here
from trainer_app.store import Store, records
from trainer_app.store import courses as q

FIELDS = ("code", "title", "category", "description", "hours", "min_share")
# The county's bundles name its retired courses in their manifest (docs/bundle-format.md), which
# every reader limits to 64 KiB: about 52 bytes a course, so 1,000 leave room for the rest.
MAX_RETIRED = 1000


def _checked(store: Store, c: Course, course_id: str = "") -> dict:
    c = dataclasses.replace(c, code=c.code.strip().upper(), title=c.title.strip())
    errors = validate_course(c)
    if "code" not in errors and q.by_code(store, c.code, exclude_id=course_id):
        errors["code"] = _("Another course already has the code {code}.").format(code=c.code)
    if errors:
        raise ValidationError(errors)
    return {f: getattr(c, f) for f in FIELDS}


def add(store: Store, c: Course) -> str:
    with store.transaction():
        return records.insert(store, "course", _checked(store, c))


def update(store: Store, course_id: str, c: Course) -> None:
    """Change a course of this site's (a county course is changed at the county only)."""
    with store.transaction(), owned_here(store):
        if not q.by_id(store, course_id):
            raise not_found("course", course_id)
        records.update(store, "course", course_id, _checked(store, c, course_id))


def get(store: Store, course_id: str) -> Course:
    row = q.by_id(store, course_id)
    if not row:
        raise not_found("course", course_id)
    return Course(**{f: row[f] for f in (*FIELDS, "id")})


def list_all(store: Store, include_retired: bool = True) -> list[dict]:
    """Live courses by code, each with ``retired`` (True when no longer offered)."""
    return [{**r, "retired": r["retired_on"] is not None}
            for r in q.list_all(store, include_retired)]


def offered(store: Store) -> list[dict]:
    """The courses a new class may be scheduled for: every live course not retired."""
    return list_all(store, include_retired=False)


def search(store: Store, text: str = "", include_retired: bool = False) -> list[dict]:
    """Courses whose code, title or category holds ``text`` (as typed, or as pinyin or its
    initials: ``kswd`` finds 开设网店), by code."""
    rows = list_all(store, include_retired)
    query = normalize_query(text)
    if not query:
        return rows
    return [r for r in rows if query in text_key(r["code"], r["title"], r["category"])]


def retire(store: Store, course_id: str, today: dt.date | None = None) -> None:
    """Stop offering a course of this site's: no new class may be scheduled for it; its classes,
    certificates and figures keep naming it. A county course is retired at the county."""
    with store.transaction(), owned_here(store):
        row = q.by_id(store, course_id)
        if not row:
            raise not_found("course", course_id)
        if row["retired_on"] is not None:
            raise ServiceError(_("Course {code} is retired already.").format(code=row["code"]))
        if len(q.retired_of(store, store.site_id)) >= MAX_RETIRED:
            raise ServiceError(_(
                "No more courses can be retired here: {n} are retired already, the most the "
                "sync files can carry.").format(n=MAX_RETIRED))
        day = (today or dt.date.today()).isoformat()
        records.update(store, "course", course_id, {"retired_on": day})


def restore(store: Store, course_id: str) -> None:
    """Offer a retired course of this site's again."""
    with store.transaction(), owned_here(store):
        row = q.by_id(store, course_id)
        if not row:
            raise not_found("course", course_id)
        if row["retired_on"] is None:
            raise ServiceError(_("Course {code} is not retired.").format(code=row["code"]))
        records.update(store, "course", course_id, {"retired_on": None})
