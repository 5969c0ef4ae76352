"""Writing the next bundle: a station's changes (or everything) for its county, or a county's
catalog, keys, withdrawals, merges and receipts for its stations.

A bundle's number may exist outside the database as soon as its file is in place, so it is
recorded (with the file's SHA-256) *before* the rename, and :func:`settle` resolves what a crash
left between the two: the number is never given to other content.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from trainer_app import __version__
from trainer_app.files import fsync_dir, is_temp_of_ours, sha256_hex
from trainer_app.i18n import _
from trainer_app.security import keys
from trainer_app.services import certificates
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.store import sync as q
from trainer_app.store.db import utc_now
from trainer_app.sync import bundle, crypto, epochs, records, site

Progress = Callable[[int], None]


def _station_items(store: Store, after: int) -> Iterator[tuple[str, dict]]:
    key = site.dedup_key(store)
    reads = set(_county_reads(store))
    resend = set(_kinds(store, RESEND_KINDS))
    for table in (*records.STATION_TABLES,
                  *(t for t in records.LATER_STATION_TABLES if t in reads)):
        since = 0 if table in resend else after  # a kind the county has just learnt: all of it
        for row in q.changed_rows(store, table, store.site_id, since):
            if table == "trainee":
                row["id_hash"] = site.id_hash(key, row.get("id_number"))
            yield table, row


COUNTY_READS = "county_reads"  # meta: the record kinds the county's last bundle said it reads
RESEND_KINDS = "resend_kinds"  # meta: kinds the county has just learnt, sent whole next time


def remember_county_reads(store: Store, reads: object) -> None:
    """Keep what the county's bundle says its version reads (nothing said: an earlier version,
    which reads the first format's kinds only); a later kind it names for the first time is
    sent whole in the next bundle, rows written before included."""
    known = [t for t in reads if isinstance(t, str)] if isinstance(reads, list) else []
    learnt = (set(known) - set(_county_reads(store))) & set(records.LATER_STATION_TABLES)
    with store.transaction():
        store.set_meta(COUNTY_READS, json.dumps(known))
        if learnt:
            store.set_meta(RESEND_KINDS,
                           json.dumps(sorted(learnt | set(_kinds(store, RESEND_KINDS)))))


def _county_reads(store: Store) -> list[str]:
    return _kinds(store, COUNTY_READS)


def _kinds(store: Store, key: str) -> list[str]:
    try:
        found = json.loads(store.get_meta(key) or "[]")
    except ValueError:
        return []
    return [t for t in found if isinstance(t, str)] if isinstance(found, list) else []


# Rows of every origin that a county passes on to all its stations: every station's keys and
# every withdrawal, so that any certificate verifies, and verifies as withdrawn, anywhere.
SHARED_TABLES = ("site_key", "revocation")


def _county_items(store: Store) -> Iterator[tuple[str, dict]]:
    for table in records.COUNTY_TABLES:
        if table in SHARED_TABLES:
            yield from ((table, row) for row in q.all_rows(store, table))
        else:
            yield from ((table, row) for row in q.changed_rows(store, table, store.site_id, 0))
    for st in q.stations(store):
        if st["site_id"]:
            held, per_epoch = epochs.receipt_field(store, st["site_id"])
            receipt = {"station_site": st["site_id"], "station_code": st["code"], "held": held}
            if per_epoch:  # only for stations that restored: others' receipts stay as they were
                receipt["epochs"] = per_epoch
            yield records.RECEIPT, receipt


def export(store: Store, out_dir: Path, full: bool = False,
           progress: Progress | None = None) -> tuple[Path, dict]:
    """Write the next bundle into ``out_dir``; returns its path and manifest.

    A station's bundle holds its rows changed since its last bundle (everything with
    ``full``), encrypted to the county. A county's bundle holds the catalog, station register,
    keys, withdrawals, merges and receipts for all its stations (no personal data, signed)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise ServiceError(_("The folder {path} does not exist.").format(path=out_dir))
    role = site.role(store)
    if role not in ("station", "county"):
        site.require_role(store, "station")
    settle(store)
    signer = certificates.signing_key(store)
    last = q.last_out(store)
    seq = q.next_seq(store)
    to_rev = q.change_counter(store)
    epoch = epochs.current(store) if role == "station" else None
    if role == "station":
        full = epochs.before_export(store) or full
        from_rev = 0 if full or not last else last["to_rev"]
        code = store.get_meta("station_code") or ""
        items = _station_items(store, from_rev)
        recipient = site.county(store).encrypt_public
        if len(recipient) != 32:  # personal data never leaves in clear
            raise ServiceError(
                _("The county's encryption key is missing: import the county pack again."))
    else:
        from_rev, full = 0, True
        code = store.get_meta("county_code") or ""
        items = _county_items(store)
        recipient = None
    info = site.county(store)
    manifest = {
        "kind": role,
        "sender": {"site_id": store.site_id, "code": code, "role": role,
                   "name": store.get_meta("station_name" if role == "station" else "county_name")
                   or "",
                   "sign_public": crypto.b64(signer.public_raw),
                   "fingerprint": keys.fingerprint(signer.public_raw)},
        "recipient": {"county_code": info.code, "county_site_id": info.site_id},
        "seq": seq, "full": bool(full), "from_rev": from_rev, "to_rev": to_rev,
        "created_at": utc_now(), "program_version": __version__,
    }
    if epoch:
        manifest["epoch"] = epoch
    if role == "county":
        manifest["reads"] = records.county_reads()
    name = epochs.bundle_name(code, seq, full and role == "station", bundle.SUFFIX, epoch)
    path = out_dir / name

    def record(tmp: Path, written: dict) -> None:
        # The number and the file's hash are committed before the file can appear: a crash
        # after this leaves a row that :func:`settle` resolves, never a number used twice.
        with store.transaction():
            q.add_out(store, {"seq": seq, "file_name": name, "path": str(path),
                              "created_at": written["created_at"], "from_rev": from_rev,
                              "to_rev": to_rev, "full": int(bool(full)),
                              "counts": written["counts"], "sha256": written["payload_sha256"],
                              "state": "pending", "file_sha256": sha256_hex(tmp),
                              "epoch_id": epoch["id"] if epoch else None})

    manifest = bundle.write(path, manifest, items, signer, recipient or None, progress, record)
    with store.transaction():
        q.set_out_state(store, seq, "written")
        if role == "station":
            store.set_meta(RESEND_KINDS, "[]")
        if full and role == "station":
            epochs.after_export(store)
    return path, manifest


def settle(store: Store) -> list[dict]:
    """Resolve the bundles a crashed export recorded but may not have put in place: one whose
    file is where it was written (or whose complete temporary file is still beside it, then
    renamed into place: the same content, re-delivered) is ``written``; one found nowhere is
    ``lost`` and its number is never used again (the next bundle carries its changes).
    Returns the rows resolved, with their new ``state``."""
    done = []
    for row in q.unsettled_out(store):
        path = Path(row["path"])
        state = "written" if _holds(path, row["file_sha256"]) else "lost"
        if state == "lost" and not path.exists():
            for tmp in _temps_of(path):
                if _holds(tmp, row["file_sha256"]):
                    with contextlib.suppress(OSError):
                        os.replace(tmp, path)
                        fsync_dir(path.parent)
                        state = "written"
                    break
        with store.transaction():
            q.set_out_state(store, row["seq"], state)
        done.append({**row, "state": state})
    return done


def _holds(path: Path, sha256: str | None) -> bool:
    try:
        return path.is_file() and sha256_hex(path) == sha256
    except OSError:
        return False


def _temps_of(path: Path) -> list[Path]:
    try:
        return sorted(p for p in path.parent.glob(f".{glob.escape(path.name)}.*.tmp")
                      if is_temp_of_ours(p))
    except OSError:
        return []
