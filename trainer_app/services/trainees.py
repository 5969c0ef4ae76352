"""Registering, changing and removing trainees."""

from __future__ import annotations

import dataclasses
import datetime as dt

from trainer_app.domain import idcard, phone
from trainer_app.domain.models import Trainee
from trainer_app.domain.search import build_key, name_sort_key, normalize_query
from trainer_app.domain.validation import validate_trainee
from trainer_app.i18n import _, format_date
from trainer_app.services.errors import ValidationError, not_found, owned_here
from trainer_app.store import Store, records
from trainer_app.store import trainees as q

CODE_PREFIX = "T"

FIELDS = (
    "name", "gender", "birth_date", "id_number", "phone", "village", "village_group",
    "poor_household", "education", "notes",
)


def _clean(t: Trainee, today: dt.date | None = None) -> Trainee:
    """``t`` with blanks trimmed, numbers normalized, and an empty birth date and gender read
    from a valid ID number (one copy: a list of 10,000 rows goes through here)."""
    id_number = idcard.normalize(t.id_number) if t.id_number else None
    birth_date, gender = t.birth_date or None, t.gender or None
    try:
        info = idcard.parse(id_number or "", today)
    except idcard.IdNumberError:
        pass
    else:
        id_number = info.number
        birth_date = birth_date or info.birth_date.isoformat()
        gender = gender or info.gender
    return Trainee(**{
        **vars(t),
        "name": t.name.strip(),
        "id_number": id_number,
        "phone": phone.normalize(t.phone) if t.phone else None,
        "village": t.village.strip(),
        "village_group": t.village_group.strip(),
        "gender": gender,
        "birth_date": birth_date,
    })


def record_values(store: Store, t: Trainee, code: str) -> dict:
    """The trainee table's columns for a cleaned trainee ``t`` with the code ``code``."""
    values = {f: getattr(t, f) for f in FIELDS}
    values["poor_household"] = int(bool(t.poor_household))
    values["gender"] = str(t.gender) if t.gender else None
    values["code"] = code
    values["search_key"] = build_key(t.name, code, t.id_number, t.phone, t.village, t.village_group)
    values["name_sort"] = name_sort_key(t.name)
    return values


def check(t: Trainee, today: dt.date | None = None) -> tuple[Trainee, dict[str, str]]:
    """``t`` cleaned, and its field errors: the rules a typed or an imported trainee meets
    (without the database's: an ID number registered twice). ``today`` defaults to today."""
    t = _clean(t, today)
    return t, validate_trainee(t, today)


def validate(store: Store, t: Trainee, trainee_id: str = "") -> Trainee:
    """Clean and check ``t``; raises :class:`ValidationError` with messages per field."""
    t, errors = check(t)
    if t.id_number and "id_number" not in errors:
        holder = q.id_number_holder(store, t.id_number, exclude_id=trainee_id)
        if holder:
            errors["id_number"] = _(
                "This ID number is already registered at this station: {name} ({code})."
            ).format(name=holder["name"], code=holder["code"])
    if errors:
        raise ValidationError(errors)
    return t


def register(store: Store, t: Trainee) -> str:
    """Save a new trainee; returns the id. A trainee code (``T000123``) is assigned."""
    with store.transaction():
        t = validate(store, t)
        code = f"{CODE_PREFIX}{q.max_code_number(store, CODE_PREFIX) + 1:06d}"
        return records.insert(store, "trainee", record_values(store, t, code))


def update(store: Store, trainee_id: str, t: Trainee) -> None:
    with store.transaction(), owned_here(store):
        current = q.by_id(store, trainee_id)
        if not current:
            raise not_found("trainee", trainee_id)
        t = validate(store, t, trainee_id)
        records.update(store, "trainee", trainee_id, record_values(store, t, current["code"]))


def delete(store: Store, trainee_id: str) -> None:
    """Remove a trainee (a tombstone, so the removal reaches the county)."""
    with store.transaction(), owned_here(store):
        try:
            records.tombstone(store, "trainee", trainee_id)
        except KeyError:
            raise not_found("trainee", trainee_id) from None


def get(store: Store, trainee_id: str) -> Trainee:
    row = q.by_id(store, trainee_id)
    if not row:
        raise not_found("trainee", trainee_id)
    return from_row(row)


def from_row(row: dict) -> Trainee:
    fields = {f.name for f in dataclasses.fields(Trainee)}
    values = {k: v for k, v in row.items() if k in fields}
    values["poor_household"] = bool(values.get("poor_household"))
    return Trainee(**values)


def search(store: Store, text: str = "", limit: int | None = None) -> list[dict]:
    return q.search(store, normalize_query(text), limit)


def villages(store: Store) -> list[str]:
    """The villages already used, most used first (the form offers them)."""
    return q.villages(store)


def find_by_code(store: Store, code: str) -> dict | None:
    """The trainee a scanner code (``T000123``, or an id) belongs to."""
    code = code.strip()
    return q.by_code(store, code.upper() if code[:1].lower() == "t" else code) if code else None


def merge_note(store: Store, trainee_id: str) -> str:
    """What the county decided about this trainee being registered twice, or ''."""
    merge = q.merge_of(store, trainee_id)
    if not merge:
        return ""
    when = format_date(merge["merged_at"])
    if merge["merged_id"] == trainee_id:
        return _("The county found this person registered at another station too (same ID "
                 "number) and merged the records on {date}; the other station's record is the "
                 "one kept.").format(date=when)
    return _("The county found this person registered at another station too (same ID number) "
             "and merged that record into this one on {date}.").format(date=when)
