"""Bringing in a committee's list of trainees: a preview that says what each row will do, then
the chosen rows applied in one transaction (optionally enrolled in a class in the same step).

Each row is judged by the rules a trainee typed into the form meets (:func:`trainees.check`),
so an imported trainee is never one the form would refuse. A row is one of:

- ``new``: a trainee not registered here yet;
- ``updated``: the ID number is registered here; the fields the list fills and that differ are
  changed (a blank cell never erases what the station has);
- ``unchanged``: registered here with the same details;
- ``duplicate``: the same ID number as an earlier row of the list;
- ``invalid``: a reason on each bad cell.

The mapping of columns to fields the operator last imported with is remembered in the
database's ``meta`` table, with the import.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from trainer_app import cancel
from trainer_app.domain import import_cells as cells
from trainer_app.domain.ids import uuid7
from trainer_app.domain.import_headers import (
    FIELDS,
    field_label,
    find_header_row,
    match_columns,
    normalize_header,
)
from trainer_app.domain.models import Trainee
from trainer_app.i18n import _, join_words
from trainer_app.services import classes, trainees
from trainer_app.services.errors import ServiceError, owner_name
from trainer_app.services.sheet_reader import Sheet, Workbook, open_workbook
from trainer_app.services.trainee_import_plan import Kind, Outcome, Preview, Row
from trainer_app.store import Store, records
from trainer_app.store import trainee_import as q
from trainer_app.store import trainees as trainees_q

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

MAPPING_KEY = "trainee_import_mapping"
PROGRESS_EVERY = 500
REQUIRED = ("name", "id_number")


# -- reading and mapping ---------------------------------------------------------------------------
def open_list(path: str | Path) -> Workbook:
    return open_workbook(path)


def header_index(sheet: Sheet) -> int:
    return find_header_row(sheet.rows)


def suggested_mapping(store: Store, headers: Sequence[object]) -> list[str | None]:
    """The field of each column: the operator's last choice for a header of that name, else the
    header's own meaning."""
    remembered = _remembered(store)
    mapping = match_columns(headers)
    for i, header in enumerate(headers):
        key = normalize_header(header)
        if key and key in remembered:
            mapping[i] = remembered[key] or None
    return _unique(mapping)


def _remembered(store: Store) -> dict[str, str]:
    try:
        value = json.loads(store.get_meta(MAPPING_KEY) or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in value.items() if v == "" or v in FIELDS} if isinstance(
        value, dict) else {}


def _unique(mapping: list[str | None]) -> list[str | None]:
    seen: set[str] = set()
    result: list[str | None] = []
    for f in mapping:
        result.append(f if f and f not in seen else None)
        if f:
            seen.add(f)
    return result


# -- the preview ---------------------------------------------------------------------------------
_CONVERT: dict[str, Callable[[cells.Cell], object]] = {
    "name": cells.text,
    "gender": cells.gender,
    "id_number": cells.id_number,
    "birth_date": cells.birth_date,
    "phone": cells.phone,
    "village": cells.text,
    "village_group": cells.text,
    "poor_household": cells.yes_no,
    "education": cells.education,
    "notes": cells.text,
}


_UNIQUE = {"name", "id_number", "phone", "birth_date", "notes"}  # not worth a memo


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (also as a decorator): a list of 100,000 rows
    makes a million small objects without cycles, which it would otherwise walk again and again
    (~15% of a preview)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_no_cycle_collection()
def preview(
    store: Store,
    sheet: Sheet,
    mapping: Sequence[str | None] | None = None,
    header: int | None = None,
    path: Path | str = "",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Preview:
    """What importing ``sheet`` would do, row by row; writes nothing."""
    header = header_index(sheet) if header is None else header
    if not sheet.rows or header >= len(sheet.rows):
        raise ServiceError(_("The sheet {sheet} is empty.").format(sheet=sheet.name))
    headers = [cells.text(v) for v in sheet.rows[header]]
    mapping = list(suggested_mapping(store, headers) if mapping is None else mapping)
    mapping += [None] * (len(headers) - len(mapping))
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        raise ServiceError(_("Choose the columns that hold: {fields}.").format(
            fields=join_words([field_label(f) for f in missing])))
    columns = {f: i for i, f in enumerate(mapping) if f}
    body = sheet.rows[header + 1:]
    parsed: list[tuple[int, list, dict, dict[int, str]]] = []
    converters = [(name, col, _CONVERT[name], None if name in _UNIQUE else {})
                  for name, col in columns.items()]
    for offset, raw in enumerate(body):
        if cancelled and offset % PROGRESS_EVERY == 0 and cancelled():
            raise cancel.Cancelled()
        values, problems = _read_row(raw, converters)
        if values or problems:
            parsed.append((header + 2 + offset, raw, values, problems))
    if not parsed:
        raise ServiceError(_("The sheet {sheet} has no trainees below its headers.").format(
            sheet=sheet.name))
    existing = q.live_by_id_number(store, (p[2]["id_number"] for p in parsed
                                           if p[2].get("id_number")))
    site, today = store.site_id, dt.date.today()
    first_of: dict[str, int] = {}
    rows: list[Row] = []
    total = len(parsed)
    for n, (number, raw, values, problems) in enumerate(parsed):
        if progress and n % PROGRESS_EVERY == 0:
            progress(n, total)
        row = _judge(store, number, raw, values, problems, columns, existing, site, today)
        if row.trainee and row.trainee.id_number:
            earlier = first_of.setdefault(row.trainee.id_number, number)
            if earlier != number:
                row = Row(number, raw, Kind.DUPLICATE, problems={
                    columns["id_number"]: _("The same ID number as row {n} of this list.").format(
                        n=earlier)})
        rows.append(row)
    if progress:
        progress(total, total)
    return Preview(Path(path), sheet.name, header + 1, headers, mapping, rows)


def _read_row(
    raw: list, columns: list[tuple[str, int, Callable, dict]],
) -> tuple[dict, dict[int, str]]:
    """The row's converted values and its cell problems. Each column keeps a memo of its
    conversions (villages, groups, yes/no and genders repeat on every row)."""
    values: dict[str, object] = {}
    problems: dict[int, str] = {}
    width = len(raw)
    for name, col, convert, memo in columns:
        value = raw[col] if col < width else None
        if value is None or (value.__class__ is str and (not value or value.isspace())):
            continue
        found = memo.get(value) if memo is not None else None
        if found is None:
            try:
                found = (True, convert(value))
            except cells.CellError as exc:
                found = (False, str(exc))
            if memo is not None:
                memo[value] = found
        if found[0]:
            values[name] = found[1]
        else:
            problems[col] = found[1]
    return values, problems


def _filled(raw: list, columns: dict[str, int]) -> set[str]:
    """The fields a row gives a value (an update changes only those)."""
    width = len(raw)
    return {name for name, col in columns.items()
            if col < width and raw[col] is not None and cells.text(raw[col]) != ""}


def _judge(
    store: Store, number: int, raw: list, values: dict, problems: dict[int, str],
    columns: dict[str, int], existing: dict[str, dict], site: str, today: dt.date,
) -> Row:
    current = existing.get(values.get("id_number") or "")
    if current is not None:
        base = trainees.from_row(current)
        proposed = dataclasses.replace(base, **values)
    else:
        base = None
        proposed = Trainee(**{"name": "", **values})
    cleaned, errors = trainees.check(proposed, today)
    for name, message in errors.items():
        col = columns.get(name, -1)
        problems.setdefault(col, message)
    if problems:
        return Row(number, raw, Kind.INVALID, problems=problems)
    if base is None:
        return Row(number, raw, Kind.NEW, cleaned)
    if current["origin"] != site:
        return Row(number, raw, Kind.INVALID, problems={columns["id_number"]: _(
            "This person is registered by {owner}; their record can only be changed "
            "there.").format(owner=owner_name(store, current["origin"]))})
    filled = _filled(raw, columns)
    changed = tuple(f for f in FIELDS if f in filled and getattr(cleaned, f) != getattr(base, f))
    kind = Kind.UPDATED if changed else Kind.UNCHANGED
    return Row(number, raw, kind, cleaned, existing_id=current["id"], changes=changed)


# -- applying ------------------------------------------------------------------------------------
def apply(
    store: Store,
    plan: Preview,
    class_id: str | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Outcome:
    """Write the chosen rows of ``plan`` in one transaction (with ``class_id``, enroll them and
    the unchanged ones); a cancel or an error writes nothing."""
    chosen = [r for r in plan.rows if r.imported]
    total = len(chosen)
    ids: list[str] = []
    added = updated = 0
    with store.transaction():
        _still_new(store, [r for r in chosen if r.kind is Kind.NEW])
        next_code = trainees_q.max_code_number(store, trainees.CODE_PREFIX) + 1
        batch: list[dict] = []
        for n, row in enumerate(chosen):
            if n % PROGRESS_EVERY == 0:
                if cancelled and cancelled():
                    raise cancel.Cancelled()
                if progress:
                    progress(n, total)
            assert row.trainee is not None
            if row.kind is Kind.NEW:
                code = f"{trainees.CODE_PREFIX}{next_code:06d}"
                next_code += 1
                values = trainees.record_values(store, row.trainee, code)
                values["id"] = uuid7()
                batch.append(values)
                ids.append(values["id"])
                added += 1
            else:
                current = trainees_q.by_id(store, row.existing_id)
                if current is None:
                    raise _changed_since()
                values = trainees.record_values(store, row.trainee, current["code"])
                records.update(store, "trainee", row.existing_id, values)
                ids.append(row.existing_id)
                updated += 1
        if batch:
            records.insert_many(store, "trainee", batch)
        enrolled = 0
        if class_id:
            if cancelled and cancelled():
                raise cancel.Cancelled()
            unchanged = [r.existing_id for r in plan.rows
                         if r.include and r.kind is Kind.UNCHANGED]
            enrolled = classes.enroll(store, class_id, ids + unchanged)
        store.set_meta(MAPPING_KEY, json.dumps(_mapping_to_remember(store, plan),
                                               ensure_ascii=False))
        if cancelled and cancelled():
            raise cancel.Cancelled()
    if progress:
        progress(total, total)
    return Outcome(added, updated, enrolled, tuple(ids))


def _still_new(store: Store, rows: list[Row]) -> None:
    """The list was previewed a while ago: no ID number of a new row may have been registered
    since (then the preview is out of date and nothing is written)."""
    numbers = [r.trainee.id_number for r in rows if r.trainee and r.trainee.id_number]
    if q.live_by_id_number(store, numbers):
        raise _changed_since()


def _changed_since() -> ServiceError:
    return ServiceError(_("Trainees were registered or changed since the preview; nothing was "
                          "imported. Open the list again to see the new preview."))


def _mapping_to_remember(store: Store, plan: Preview) -> dict[str, str]:
    remembered = _remembered(store)
    for header, name in zip(plan.headers, plan.mapping, strict=False):
        key = normalize_header(header)
        if key:
            remembered[key] = name or ""
    return remembered
