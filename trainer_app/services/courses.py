"""The course catalog of a station (the county's courses, and local ones)."""

from __future__ import annotations

import dataclasses

from trainer_app.domain.models import Course
from trainer_app.domain.validation import validate_course
from trainer_app.i18n import _
from trainer_app.services.errors import ValidationError, not_found, owned_here
from trainer_app.store import Store, records
from trainer_app.store import courses as q

FIELDS = ("code", "title", "category", "description", "hours", "min_share")


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


def list_all(store: Store) -> list[dict]:
    return q.list_all(store)
