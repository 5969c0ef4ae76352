"""Which records travel in which direction, and the strict checks every incoming record passes.

A station sends the rows it owns (``origin`` = its site id); the county sends the rows it owns
(catalog, station register, keys, withdrawals, merges) plus receipts. Nothing else is accepted:
a record of another table, of another origin, with unknown columns or wrong types is refused,
and with it the whole bundle.
"""

from __future__ import annotations

import math
import re

from trainer_app.domain.validation import parse_date

STATION_TABLES = (
    "course", "trainee", "training_class", "lesson", "enrollment", "attendance",
    "site_key", "certificate", "revocation",
)
COUNTY_TABLES = ("course", "station", "site_key", "revocation", "person_merge")
# Kinds of station records newer than the first sync format. A county of an earlier version
# refuses a bundle with a kind it does not know, so a station sends these only to a county whose
# own bundles list them in their manifest's "reads" (see docs/bundle-format.md).
LATER_STATION_TABLES = ("sheet_evidence",)
# Columns of station records newer than the first sync format, under the same rule (a county of
# an earlier version refuses a record with a column it does not know).
LATER_STATION_COLUMNS = ("course.retired_on",)
# The county knows a station's bundle by (epoch, number): a restored station's numbers may
# restart within its new epoch (docs/bundle-format.md, Epochs).
EPOCH_NUMBERS = "epoch_numbers"


def county_tables() -> tuple[str, ...]:
    """Every kind of station record this version's county holds."""
    return (*STATION_TABLES, *LATER_STATION_TABLES)


def county_reads() -> list[str]:
    """What this version reads from stations beyond the first format, announced in its county
    bundles, packs, rebuild files and hub answers."""
    return [*county_tables(), *LATER_STATION_COLUMNS, EPOCH_NUMBERS]


RECEIPT = "receipt"  # pseudo-table in county bundles: bundle numbers the county holds

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(\+00:00|Z)?$")
MAX_TEXT = 10_000

# Per table: columns holding dates (checked strictly) and ids that must look like UUIDs.
DATES = {
    "course": ("retired_on",),
    "training_class": ("start_date", "end_date"),
    "lesson": ("date",),
    "certificate": ("start_date", "end_date", "issued_on"),
    "trainee": ("birth_date",),
}
ID_COLUMNS = {
    "training_class": ("course_id",),
    "lesson": ("class_id",),
    "enrollment": ("class_id", "trainee_id"),
    "attendance": ("lesson_id", "trainee_id"),
    "certificate": ("trainee_id", "class_id"),
    "revocation": ("certificate_id",),
    "person_merge": ("merged_id", "into_id"),
}


class RecordError(ValueError):
    pass


def check(table: str, row: dict, columns: set[str] | dict[str, str],
          origin: str | None) -> None:
    """Raise :class:`RecordError` unless ``row`` is a well-formed row of ``table``.

    ``columns`` is the table's column names, or a mapping of names to declared SQL types
    (``TEXT``, ``INTEGER``, ``REAL``), in which case every value must have its column's type.
    ``origin`` (when given) is the only origin the sender may write.
    """
    unknown = set(row) - set(columns)
    if unknown:
        raise RecordError(f"{table}: unknown columns {sorted(unknown)}")
    for name in ("id", "origin", "rev", "updated_at", "deleted"):
        if name not in row:
            raise RecordError(f"{table}: missing {name}")
    if not isinstance(row["id"], str) or not _UUID.match(row["id"]):
        raise RecordError(f"{table}: bad id")
    if not isinstance(row["origin"], str) or not row["origin"]:
        raise RecordError(f"{table} {row['id']}: bad origin")
    if origin is not None and row["origin"] != origin:
        raise RecordError(f"{table} {row['id']}: origin is not the sender")
    if not isinstance(row["rev"], int) or isinstance(row["rev"], bool) or row["rev"] < 0:
        raise RecordError(f"{table} {row['id']}: bad rev")
    if row["deleted"] not in (0, 1) or isinstance(row["deleted"], bool):
        raise RecordError(f"{table} {row['id']}: bad deleted flag")
    if not isinstance(row["updated_at"], str) or not _TIMESTAMP.match(row["updated_at"]):
        raise RecordError(f"{table} {row['id']}: bad updated_at")
    types = columns if isinstance(columns, dict) else {}
    texts = []
    for name, value in row.items():  # the hot loop of an import: exact type tests, one pass
        kind = type(value)
        declared = types.get(name, "")
        if kind is str:
            if len(value) > MAX_TEXT:
                raise RecordError(f"{table} {row['id']}: {name} too long")
            texts.append(value)
            fits = declared in ("", "TEXT")
        elif kind is int:
            if not -(2**63) <= value < 2**63:
                raise RecordError(f"{table} {row['id']}: {name} is out of range")
            fits = declared in ("", "INTEGER", "REAL")
        elif kind is float:
            if not math.isfinite(value):
                raise RecordError(f"{table} {row['id']}: {name} is not a finite number")
            fits = declared in ("", "REAL")
        elif value is None:
            continue
        else:
            raise RecordError(f"{table} {row['id']}: {name} has a bad type")
        if not fits:
            raise RecordError(f"{table} {row['id']}: {name} is not of type {declared}")
    try:
        "\x00".join(texts).encode("utf-8")
    except UnicodeEncodeError:
        raise RecordError(f"{table} {row['id']}: a text is not valid text") from None
    for name in DATES.get(table, ()):
        value = row.get(name)
        if value is not None:
            try:
                parse_date(value)
            except (ValueError, TypeError):
                raise RecordError(f"{table} {row['id']}: bad date in {name}") from None
    for name in ID_COLUMNS.get(table, ()):
        value = row.get(name)
        if value is not None and (not isinstance(value, str) or not _UUID.match(value)):
            raise RecordError(f"{table} {row['id']}: bad reference in {name}")
    if table == "site_key" and origin is not None and row.get("site_id") != origin:
        # a site publishes its own keys only
        raise RecordError(f"{table} {row['id']}: a key of another site")
