"""Duplicate persons at the county: the same resident ID number registered at two stations.

Stations send a keyed hash of each ID number (:func:`trainer_app.sync.site.id_hash`, keyed by
the county's matching key), so the county finds duplicates without comparing numbers in clear.
The coordinator merges a duplicate into the record kept; the merge is a county-owned
``person_merge`` row, which travels back to the stations in the county's bundle.
"""

from __future__ import annotations

from itertools import groupby

from trainer_app.i18n import _
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store, records
from trainer_app.store import sync as q
from trainer_app.store.db import utc_now
from trainer_app.sync import site


def duplicates(store: Store) -> list[list[dict]]:
    """Groups of live, unmerged trainees of different stations sharing an ID-number hash; each
    member has id, name, code, village, origin, station_code and station_name."""
    rows = q.duplicate_groups(store)
    return [list(group) for _key, group in groupby(rows, key=lambda r: r["id_hash"])]


def merge(store: Store, keep_id: str, merged_id: str) -> str:
    """Record that trainee ``merged_id`` is the same person as ``keep_id`` (the record kept);
    returns the merge's id. Only at the county, and only between duplicates."""
    site.require_role(store, "county")
    if keep_id == merged_id:
        raise ServiceError(_("A person cannot be merged into themselves."))
    with store.transaction():
        keep = records.get(store, "trainee", keep_id)
        merged = records.get(store, "trainee", merged_id)
        if keep is None or merged is None:
            raise ServiceError(_("Both persons must be trainees held at the county."))
        if not keep["id_hash"] or keep["id_hash"] != merged["id_hash"]:
            raise ServiceError(
                _("{a} and {b} do not have the same ID number; they cannot be merged.").format(
                    a=keep["name"], b=merged["name"]))
        if keep["origin"] == merged["origin"]:
            raise ServiceError(
                _("{a} and {b} were registered at the same station; correct the records "
                  "there.").format(a=keep["name"], b=merged["name"]))
        taken = {m["merged_id"] for m in q.merges(store)}
        if merged_id in taken:
            raise ServiceError(_("{name} was merged already.").format(name=merged["name"]))
        if keep_id in taken:
            raise ServiceError(
                _("{name} was merged into another record; keep that one instead.").format(
                    name=keep["name"]))
        return records.insert(
            store, "person_merge",
            {"merged_id": merged_id, "into_id": keep_id, "merged_at": utc_now()},
        )
