"""Sync across restores: epochs in bundles, clones held at the county, receipts per epoch.

A station restored from a backup starts a new epoch (:mod:`trainer_app.domain.epoch`). Its
bundles then carry ``epoch`` in the manifest (stations that never restored send none, so a
county of an earlier version reads them as before); their numbers go on from the point the
epoch started (the backup's last bundle) and are told apart by the epoch's id.

At the county, the first epoch started from a point is applied; another started from the same
point (a second PC restored from the same backup) is held, its bundles kept unapplied, until the
coordinator chooses which PC is the station; the other epoch is stopped, and the county's
receipts tell it so. Receipts list the bundles held per epoch; a station whose bundle the county
confirmed before and no longer holds (a county restored from an older backup) sends everything
again in its next bundle.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from trainer_app.domain.epoch import RESEND, STOPPED
from trainer_app.files import copy_atomic, same_content
from trainer_app.i18n import _
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.store import epochs as q
from trainer_app.sync import bundle

RETAKEN = "epoch_retaken"  # meta: this epoch took its rows back after being chosen
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# -- the station -----------------------------------------------------------------------------
def current(store: Store) -> dict | None:
    """This site's epoch as the manifest carries it; ``None`` when it never restored."""
    number = int(store.get_meta("epoch") or 0)
    if number < 1:
        return None
    return {"n": number, "id": store.get_meta("epoch_id") or "",
            "parent": store.get_meta("epoch_parent") or "",
            "base_seq": int(store.get_meta("epoch_base_seq") or 0),
            "started_at": store.get_meta("epoch_started_at") or ""}


def bundle_name(code: str, seq: int, full: bool, suffix: str, epoch: dict | None) -> str:
    """``WP01-00012.trbundle``; in an epoch ``WP01-e2-00012.trbundle``, so that a file of the
    old epoch with the same number on a stick is never overwritten."""
    tag = f"-e{epoch['n']}" if epoch else ""
    return f"{code}{tag}-{seq:05d}{'-full' if full else ''}{suffix}"


def before_export(store: Store) -> bool:
    """Refuses when the county stopped this PC's epoch; whether the next bundle must hold
    everything (the county lost bundles it had confirmed)."""
    if store.get_meta(STOPPED):
        raise ServiceError(_(
            "The county chose another PC as this station (both were restored from one backup). "
            "This PC must not send bundles any more: ask the county coordinator."))
    return bool(store.get_meta(RESEND))


def after_export(store: Store) -> None:
    """Inside the export's transaction: a full bundle was written."""
    q.forget_meta(store, RESEND)


def apply_receipt(store: Store, receipt: dict) -> None:
    """Take the county's receipt for this station: confirm the bundles it holds (per epoch),
    note bundles it confirmed before and no longer holds, and whether it stopped this epoch."""
    held: dict[str | None, set[int]] = {None: _numbers(receipt.get("held"))}
    entries: dict[str, dict] = {}
    per_epoch = receipt.get("epochs")
    if isinstance(per_epoch, dict):
        for epoch_id, entry in per_epoch.items():
            if isinstance(epoch_id, str) and isinstance(entry, dict):
                held[epoch_id] = _numbers(entry.get("held"))
                entries[epoch_id] = entry
    own = store.get_meta("epoch_id") or None
    mine = entries.get(own or "", {})
    if mine.get("status") == "stopped":
        store.set_meta(STOPPED, "1")
    if mine.get("retake") is True and store.get_meta(RETAKEN) != own:
        # Chosen after another PC's bundles were applied: this PC's rows must win them back.
        top = mine.get("max_rev") if isinstance(mine.get("max_rev"), int) else 0
        rev = max(int(store.get_meta("change_counter") or 0), top) + 1
        store.set_meta("change_counter", str(rev))
        q.restamp_own_rows(store, rev)
        store.set_meta(RETAKEN, own or "")
        store.set_meta(RESEND, "1")
    lost = False
    for row in q.sent(store):
        if row["seq"] in held.get(row["epoch_id"], set()):
            continue
        if row["acknowledged_at"] and (row["epoch_id"] is None or row["epoch_id"] in held):
            lost = True  # confirmed before, not held now: the county went back in time
    for epoch_id, numbers in held.items():
        q.acknowledge(store, epoch_id, numbers)
    if lost:
        store.set_meta(RESEND, "1")


def _numbers(value: object) -> set[int]:
    if not isinstance(value, list):
        return set()
    return {s for s in value if isinstance(s, int) and 0 < s < 2**63}


# -- the county ------------------------------------------------------------------------------
def read_field(manifest: dict) -> dict | None:
    """The manifest's ``epoch``, checked; ``None`` for a station that never restored."""
    value = manifest.get("epoch")
    if value is None:
        return None
    ok = (isinstance(value, dict) and isinstance(value.get("n"), int) and value["n"] >= 1
          and isinstance(value.get("id"), str) and _UUID.fullmatch(value["id"])
          and isinstance(value.get("parent"), str)
          and (value["parent"] == "" or _UUID.fullmatch(value["parent"]))
          and isinstance(value.get("base_seq"), int) and value["base_seq"] >= 0
          and isinstance(value.get("started_at"), str) and len(value["started_at"]) <= 40)
    if not ok:
        raise bundle.BundleError("damaged", "epoch")
    return value


def admit(store: Store, manifest: dict, sender_site: str, path: Path, code: str,
          held_dir: Path) -> str | None:
    """The epoch id a station's bundle is applied under. Raises ``BundleError`` ``clone``
    (kept unapplied in ``held_dir``) when another epoch from the same point is applied, or
    ``stopped_epoch`` when the coordinator chose another PC."""
    field = read_field(manifest)
    if field is None:
        return None
    known = q.get(store, field["id"])
    if known is None:
        sibling = q.active_sibling(store, sender_site, field["parent"], field["base_seq"],
                                   field["id"])
        with store.transaction():
            q.add(store, {"epoch_id": field["id"], "site_id": sender_site,
                          "epoch": field["n"], "parent_id": field["parent"],
                          "base_seq": field["base_seq"], "started_at": field["started_at"],
                          "status": "held" if sibling else "active"})
        known = q.get(store, field["id"])
    if known["site_id"] != sender_site:
        raise bundle.BundleError("forged", "an epoch of another station")
    if known["status"] == "stopped":
        raise bundle.BundleError("stopped_epoch", field["id"])
    if known["status"] == "held":
        folder = held_dir / code
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / Path(path).name
        if not (target.exists() and same_content(path, target)):
            copy_atomic(path, target)
        raise bundle.BundleError("clone", field["id"])
    return field["id"]


def receipt_field(store: Store, site_id: str) -> tuple[list[int], dict]:
    """The receipt's ``held`` (bundles of the station's first epoch) and ``epochs`` (the
    others: held numbers and status)."""
    by_epoch = q.applied_seqs_by_epoch(store, site_id)
    epochs = {e["epoch_id"]: {"held": by_epoch.get(e["epoch_id"], []), "status": e["status"],
                              **({"retake": True, "max_rev": q.max_rev(store, site_id)}
                                 if e["retake"] else {})}
              for e in q.of_site(store, site_id)}
    return by_epoch.get(None, []), epochs


def lineage_seqs(store: Store, site_id: str) -> list[int]:
    """The numbers of a station's applied bundles along the epoch it lives in now: the
    current epoch's own, then each parent's up to the point the child started from. Gaps are
    looked for in these: bundles an earlier epoch sent after the point a restore went back to
    are not missing."""
    by_epoch = q.applied_seqs_by_epoch(store, site_id)
    active = [e for e in q.of_site(store, site_id) if e["status"] == "active"]
    if not active:
        return sorted(set(by_epoch.get(None, [])))
    parents = {e["epoch_id"]: e for e in q.of_site(store, site_id)}
    current: dict | None = max(active, key=lambda e: (e["epoch"], e["first_seen"]))
    seqs: set[int] = set()
    above = 0
    limit = None
    while current is not None:
        seqs |= {s for s in by_epoch.get(current["epoch_id"], [])
                 if s > current["base_seq"] and (limit is None or s <= limit)}
        above = current["base_seq"]
        limit = above
        current = parents.get(current["parent_id"]) if current["parent_id"] else None
    seqs |= {s for s in by_epoch.get(None, []) if s <= above}
    return sorted(seqs)


def listing(store: Store, site_id: str, held_dir: Path | None = None) -> list[dict]:
    """A station's epochs, oldest first, each with ``records``: how many records its bundles
    carry (applied ones, and held ones kept in ``held_dir``)."""
    rows = q.of_site(store, site_id)
    for row in rows:
        row["records"] = sum(sum(v for v in json.loads(c).values() if isinstance(v, int))
                             for c in q.applied_counts(store, row["epoch_id"]))
        row["held_bundles"] = 0
    held = {r["epoch_id"]: r for r in rows if r["status"] == "held"}
    if held and held_dir is not None and held_dir.is_dir():
        for path in sorted(held_dir.rglob(f"*{bundle.SUFFIX}")):
            try:
                manifest = bundle.read_header(path).manifest
            except (bundle.BundleError, OSError):
                continue
            field = manifest.get("epoch") if isinstance(manifest.get("epoch"), dict) else {}
            row = held.get(field.get("id", ""))
            if row is not None:
                row["held_bundles"] += 1
                row["records"] += sum(v for v in manifest["counts"].values()
                                      if isinstance(v, int))
    return rows


def stations_with_epochs(store: Store) -> list[dict]:
    return q.with_epochs(store)


def choose(store: Store, site_id: str, epoch_id: str) -> list[str]:
    """The coordinator chose ``epoch_id`` as the station: it is applied from now on, every
    other epoch started from the same point is stopped. Returns the stopped ids."""
    chosen = q.get(store, epoch_id)
    if chosen is None or chosen["site_id"] != site_id:
        raise ServiceError(_("This station has no epoch {epoch}.").format(epoch=epoch_id))
    stopped = []
    with store.transaction():
        for other in q.of_site(store, site_id):
            if other["epoch_id"] != epoch_id and other["parent_id"] == chosen["parent_id"] \
                    and other["base_seq"] == chosen["base_seq"]:
                q.set_status(store, other["epoch_id"], "stopped")
                stopped.append(other["epoch_id"])
        q.set_status(store, epoch_id, "active", retake=chosen["status"] == "held")
    return stopped
