"""Retired courses in bundles, read by counties and stations of earlier versions as before.

A reader refuses a record with a column its own schema lacks (``invalid_record``), so the
``retired_on`` column of a course (schema ``_v10_course_retire``) travels where each reader
accepts it:

- **County to stations.** One county bundle serves every station, of whatever version. Its
  course records leave the column out, and its manifest names the county's retired courses
  (``course_retired``: course id -> the day it was retired). Readers ignore manifest fields they
  do not know, so an earlier station reads the bundle as before (its courses stay offered
  there); a station of this version takes the list from the newest county bundle it holds (a
  county bundle is a full snapshot of the catalog). An upgraded station learns of courses
  retired while it ran the earlier version from the next county bundle, since the list does
  not depend on which rows are new.
- **Station to county.** A station's local course records carry the column only once its
  county's bundles list ``course.retired_on`` in their ``reads``; when the county first does,
  the station's retired courses are changed again (a new ``rev``), so that its next bundle
  carries them with the column.
"""

from __future__ import annotations

import re

from trainer_app.domain.validation import parse_date
from trainer_app.store import Store, records
from trainer_app.store import courses as q
from trainer_app.store import sync as sync_q
from trainer_app.sync import bundle

COLUMN = "retired_on"
MANIFEST_FIELD = "course_retired"
CAPABILITY = "course.retired_on"  # in a county's "reads": it accepts the column from stations

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def without_column(row: dict) -> dict:
    """A course record as a reader of an earlier version accepts it."""
    row.pop(COLUMN, None)
    return row


def manifest_field(store: Store) -> dict[str, str]:
    """The county's retired courses, for its bundle's manifest."""
    return q.retired_of(store, store.site_id)  # at most courses.MAX_RETIRED: 52 KB at most


def station_row(row: dict, county_reads: set[str]) -> dict:
    """A station's course record, with the column only for a county that reads it."""
    return row if CAPABILITY in county_reads else without_column(row)


def _checked(field: object) -> dict[str, str]:
    if not isinstance(field, dict):
        raise bundle.BundleError("damaged", f"manifest: {MANIFEST_FIELD}")
    for course_id, day in field.items():
        try:
            ok = bool(_UUID.match(course_id)) and isinstance(day, str) and bool(parse_date(day))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise bundle.BundleError("damaged", f"manifest: {MANIFEST_FIELD} {course_id}")
    return field


def apply_county_manifest(store: Store, manifest: dict) -> None:
    """At a station, inside the import's transaction (after the merge, before the bundle is
    recorded): the county's courses are retired as the newest county bundle says. A bundle
    without the field comes from a county of an earlier version, which retires nothing; an
    older bundle than one held says less than the newer one did, and is not followed.

    Older is told by the change number a bundle reaches (``to_rev``), not by its number: a
    county restored from an older backup numbers its bundles again from the backup's, while its
    change numbers jump past everything it wrote before (:func:`trainer_app.domain.epoch.start`).
    """
    if manifest.get("kind") != "county" or MANIFEST_FIELD not in manifest:
        return
    retired = _checked(manifest[MANIFEST_FIELD])
    county_site = manifest["sender"]["site_id"]
    to_rev = manifest.get("to_rev")
    if type(to_rev) is not int:
        raise bundle.BundleError("damaged", "manifest: to_rev")
    if to_rev < sync_q.highest_to_rev(store, county_site):
        return
    q.set_retired_of(store, county_site, retired)


def county_learnt(store: Store, before: set[str], after: set[str]) -> None:
    """At a station whose county has just started to read the column: its retired courses are
    changed again, so the next bundle carries them whole (the county holds them at their
    current ``rev`` without it). Call inside a transaction."""
    if CAPABILITY in after and CAPABILITY not in before:
        for course_id in q.own_retired_ids(store):
            records.update(store, "course", course_id, {})
