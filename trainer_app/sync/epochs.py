"""Sync across restores: epochs in bundles, clones held at the county, receipts per epoch.

A station restored from a backup starts a new epoch (:mod:`trainer_app.domain.epoch`). Its
bundles then carry ``epoch`` in the manifest (stations that never restored send none, so a
county of an earlier version reads them as before). A bundle is its (epoch, number): within a
new epoch the numbers restart at 1 when the station's county reads restarted numbers (its
bundles, packs and hub answers list ``records.EPOCH_NUMBERS`` in ``reads``); a county that does
not (an earlier version) gets numbers that go on from the point the epoch started, as before.
The first bundle of an epoch decides, once.

At the county, the first epoch started from a point is applied; another started from the same
point (a second PC restored from the same backup) is held, its bundles kept unapplied, until the
coordinator chooses which PC is the station; the other epoch is stopped, and the county's
receipts tell it so. Receipts list the bundles held per epoch; a station whose bundle the county
confirmed before and no longer holds (a county restored from an older backup), or one missing
below a bundle the county holds, writes those bundles again (:func:`take_receipt`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from trainer_app.domain import bundle_numbers
from trainer_app.domain.epoch import RESEND, RESTART, STOPPED
from trainer_app.files import copy_atomic, same_content
from trainer_app.i18n import _
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.store import epochs as q
from trainer_app.store import sync as sync_q
from trainer_app.sync import bundle, records, site

RETAKEN = "epoch_retaken"  # meta: this epoch took its rows back after being chosen
SEEN_AT = "county_bundle_at"  # meta: creation time of the newest county bundle taken
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# -- the station -----------------------------------------------------------------------------
def current(store: Store) -> dict | None:
    """This site's epoch as the manifest carries it; ``None`` when it never restored."""
    number = int(store.get_meta("epoch") or 0)
    if number < 1:
        return None
    field = {"n": number, "id": store.get_meta("epoch_id") or "",
             "parent": store.get_meta("epoch_parent") or "",
             "base_seq": int(store.get_meta("epoch_base_seq") or 0),
             "started_at": store.get_meta("epoch_started_at") or ""}
    if store.get_meta(RESTART) == "1":
        field["restart"] = True
    return field


def numbering(store: Store) -> tuple[dict | None, int]:
    """The ``epoch`` field and the number of the next bundle. An epoch's first bundle decides,
    once, whether its numbers restart (the county reads restarted numbers) or go on from the
    point the epoch started."""
    epoch = current(store)
    if epoch is None:
        return None, sync_q.next_seq(store, None)
    if store.get_meta(RESTART) is None:
        with store.transaction():
            restart = records.EPOCH_NUMBERS in site.county_reads(store)
            store.set_meta(RESTART, "1" if restart else "0")
        epoch = current(store)
        assert epoch is not None
    if epoch.get("restart"):
        return epoch, sync_q.next_seq(store, epoch["id"])
    return epoch, sync_q.next_seq(store, epoch["id"], epoch["base_seq"])


def bundle_name(code: str, seq: int, full: bool, suffix: str, epoch: dict | None,
                again: bool = False) -> str:
    """``WP01-00012.trbundle``; in an epoch ``WP01-e2-00012.trbundle``, so that a file of the
    old epoch with the same number on a stick is never overwritten; ``-again`` for a bundle
    written again because the county lost it."""
    tag = f"-e{epoch['n']}" if epoch else ""
    return f"{code}{tag}-{seq:05d}{'-full' if full else ''}{'-again' if again else ''}{suffix}"


def refuse_if_stopped(store: Store) -> None:
    """Refuses to write bundles when the county stopped this PC's epoch."""
    if store.get_meta(STOPPED):
        raise ServiceError(_(
            "The county chose another PC as this station (both were restored from one backup). "
            "This PC must not send bundles any more: ask the county coordinator."))


def must_send_all(store: Store) -> bool:
    """Whether the next bundle must hold everything (its rows were restamped to win back their
    place, see ``retake``; or bundles of an earlier version were lost at the county)."""
    return bool(store.get_meta(RESEND))


def after_export(store: Store) -> None:
    """Inside the export's transaction: a full bundle was written."""
    q.forget_meta(store, RESEND)


def take_county_bundle(store: Store, manifest: dict, receipts: list[dict],
                       fingerprint: str) -> str:
    """Inside the import's transaction of a county bundle, once what its version reads is kept:
    take its receipt for this station (``receipts``: those addressed to it). Returns a
    notice for the operator ("" when there is nothing to say).

    A county bundle older than one taken before (a file found late on a stick) confirms what
    it lists, and is not believed about what is missing."""
    made = str(manifest.get("created_at") or "")
    fresh = made >= (store.get_meta(SEEN_AT) or "")
    if fresh:
        store.set_meta(SEEN_AT, made)
    mine = next((r for r in receipts if isinstance(r.get("held"), list)), None)
    if mine is not None:
        return again_text(take_receipt(store, mine, fresh))
    if not fresh or not any(r["acknowledged_at"] for r in q.sent(store)):
        return ""  # not approved yet: the county has nothing to confirm
    # The county confirmed bundles of this station before and now has no receipt for it: its
    # database went back to before it approved this station (or registered it).
    again = take_receipt(store, {"held": []}, fresh)
    return _(
        "The county no longer knows this station: its database was put back to a backup older "
        "than its approval of this station. Ask the coordinator to approve this station again "
        "(adding it to the register again if it is missing there), comparing the key "
        "fingerprint {fingerprint}. This station's bundles ({count}) are written again and wait "
        "at the county until then.").format(fingerprint=fingerprint, count=len(again))


def again_text(again: list[dict]) -> str:
    if not again:
        return ""
    numbers = bundle_numbers.text(bundle_numbers.runs(r["seq"] for r in again))
    return _("The county no longer holds bundles {numbers} of this station (its database was "
             "put back to an older backup, or they never arrived): they are written again "
             "with the next bundle.").format(numbers=numbers)


def take_receipt(store: Store, receipt: dict, fresh: bool = True) -> list[dict]:
    """Take the county's receipt for this station: confirm the bundles it holds (per epoch),
    stop this PC when the county chose another, and mark for writing again the bundles it does
    not hold although it confirmed them before (it went back to an older backup: then every
    bundle it does not hold) or holds a later one of the same epoch. Returns those bundles.

    A county that reads restarted numbers speaks for every epoch: one its receipt does not name
    holds none of its bundles. An earlier county's receipt speaks for the epochs it names."""
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
    aware = records.EPOCH_NUMBERS in site.county_reads(store)

    def missing(row: dict) -> bool:
        epoch_id = row["epoch_id"]
        spoken_for = epoch_id is None or epoch_id in held or aware
        waits = entries.get(epoch_id or "", {}).get("status") in ("held", "stopped")
        return spoken_for and not waits and row["seq"] not in held.get(epoch_id, set())

    sent = q.sent(store)
    went_back = any(r["acknowledged_at"] and missing(r) for r in sent)
    top = {epoch_id: max(numbers, default=0) for epoch_id, numbers in held.items()}
    again = [r for r in sent if fresh and missing(r)
             and (went_back or r["seq"] < top.get(r["epoch_id"], 0))]
    for epoch_id, numbers in held.items():
        q.acknowledge(store, epoch_id, numbers)
    q.mark_again(store, [r["id"] for r in again])
    return again


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
          and isinstance(value.get("started_at"), str) and len(value["started_at"]) <= 40
          and type(value.get("restart", False)) is bool)
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
                          "status": "held" if sibling else "active",
                          "restart": field.get("restart", False)})
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


def highest_held(store: Store, sender_site: str, field: dict | None) -> int:
    """The base of the numbers a station's bundle of epoch ``field`` may have
    (:func:`bundle_numbers.acceptable`): the highest held of that epoch, and for an epoch whose
    numbers go on, at least the point it started from."""
    top = sync_q.highest_seq(store, sender_site, field["id"] if field else None)
    return top if field is None or field.get("restart") else max(top, field["base_seq"])


def lineage_seqs(store: Store, site_id: str) -> list[int]:
    """The numbers of a station's applied bundles along the epoch it lives in now
    (:func:`bundle_numbers.lineage`): gaps are looked for in these."""
    return bundle_numbers.lineage(q.of_site(store, site_id),
                                  q.applied_seqs_by_epoch(store, site_id))


def holdings(store: Store, site_id: str | None) -> dict:
    """What a county hub's answer says the county holds of a station: ``held`` (the numbers
    along the epoch it lives in now, which stations of earlier versions read) and its ``gaps``,
    ``county_receipt`` (the receipt of the county's bundles, per epoch) and what the county's
    version ``reads``."""
    if not site_id:
        return {"held": [], "gaps": [], "reads": records.county_reads()}
    line = lineage_seqs(store, site_id)
    held, per_epoch = receipt_field(store, site_id)
    return {"held": line, "gaps": bundle_numbers.gaps(line), "reads": records.county_reads(),
            "county_receipt": {"held": held, **({"epochs": per_epoch} if per_epoch else {})}}


def holds(holding: dict, epoch_id: object, seq: object) -> bool:
    """Whether :func:`holdings` says the county holds bundle ``seq`` of epoch ``epoch_id``."""
    receipt = holding.get("county_receipt") or {}
    if epoch_id is None:
        return seq in (receipt.get("held") or [])
    return seq in ((receipt.get("epochs") or {}).get(epoch_id) or {}).get("held", [])


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
