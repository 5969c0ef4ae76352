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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from trainer_app import __version__, paths
from trainer_app.domain.epoch import RESEND
from trainer_app.files import fsync_dir, is_temp_of_ours, sha256_hex
from trainer_app.i18n import _
from trainer_app.security import keys
from trainer_app.services import certificates
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.store import epochs as q_epochs
from trainer_app.store import sync as q
from trainer_app.store.db import utc_now
from trainer_app.sync import bundle, courses, crypto, epochs, records, site

Progress = Callable[[int], None]


def _station_items(store: Store, after: int, upto: int | None = None
                   ) -> Iterator[tuple[str, dict]]:
    key = site.dedup_key(store)
    reads = set(site.county_reads(store))
    # a kind the county has just learnt to read goes whole in the next bundle (not in one
    # written again, which holds its own range)
    resend = set(site.meta_names(store, RESEND_KINDS)) if upto is None else set()
    for table in (*records.STATION_TABLES,
                  *(t for t in records.LATER_STATION_TABLES if t in reads)):
        since = 0 if table in resend else after
        for row in q.changed_rows(store, table, store.site_id, since, upto_rev=upto):
            if table == "trainee":
                row["id_hash"] = site.id_hash(key, row.get("id_number"))
            elif table == "course":
                row = courses.station_row(row, reads)
            yield table, row


RESEND_KINDS = "resend_kinds"  # meta: kinds the county has just learnt, sent whole next time


def remember_county_reads(store: Store, reads: object) -> None:
    """Keep what the county's latest word (a bundle, pack, rebuild file or hub answer) says its
    version reads (nothing said: an earlier version, which reads the first format only), and
    act on what it has just learnt to read: a later kind of record is sent whole in the next
    bundle, rows written before included; a later column is sent again with the rows."""
    known = [t for t in reads if isinstance(t, str)] if isinstance(reads, list) else []
    before = set(site.county_reads(store))
    learnt = (set(known) - before) & set(records.LATER_STATION_TABLES)
    with store.transaction():
        courses.county_learnt(store, before, set(known))
        store.set_meta(site.COUNTY_READS, json.dumps(known))
        if learnt:
            resend = learnt | set(site.meta_names(store, RESEND_KINDS))
            store.set_meta(RESEND_KINDS, json.dumps(sorted(resend)))


# Rows of every origin that a county passes on to all its stations: every station's keys and
# every withdrawal, so that any certificate verifies, and verifies as withdrawn, anywhere.
SHARED_TABLES = ("site_key", "revocation")


def _county_items(store: Store) -> Iterator[tuple[str, dict]]:
    for table in records.COUNTY_TABLES:
        if table in SHARED_TABLES:
            yield from ((table, row) for row in q.all_rows(store, table))
        elif table == "course":  # retired ones are named in the manifest (sync/courses.py)
            yield from ((table, courses.without_column(row))
                        for row in q.changed_rows(store, table, store.site_id, 0))
        else:
            yield from ((table, row) for row in q.changed_rows(store, table, store.site_id, 0))
    for st in q.stations(store):
        if st["site_id"]:
            held, per_epoch = epochs.receipt_field(store, st["site_id"])
            receipt = {"station_site": st["site_id"], "station_code": st["code"], "held": held}
            if per_epoch:  # only for stations that restored: others' receipts stay as they were
                receipt["epochs"] = per_epoch
            yield records.RECEIPT, receipt


class Exported(tuple):
    """``(path, manifest)`` of the bundle written, with ``again``: the ``(path, manifest)`` of
    the bundles written again before it (the county had lost them)."""

    again: list[tuple[Path, dict]]

    def __new__(cls, path: Path, manifest: dict, again: list[tuple[Path, dict]]) -> Exported:
        self = super().__new__(cls, (path, manifest))
        self.again = again
        return self


def outbox_dir() -> Path:
    """Where bundles to upload are written when no folder was chosen (the data folder)."""
    return paths.data_dir() / "outbox"


def export(store: Store, out_dir: Path, full: bool = False,
           progress: Progress | None = None) -> Exported:
    """Write the next bundle into ``out_dir``; returns its path and manifest.

    A station's bundle holds its rows changed since its last bundle (everything with
    ``full``), encrypted to the county; the bundles the county lost are written again first
    (:func:`write_again`). A county's bundle holds the catalog, station register, keys,
    withdrawals, merges and receipts for all its stations (no personal data, signed)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise ServiceError(_("The folder {path} does not exist.").format(path=out_dir))
    role = site.role(store)
    if role not in ("station", "county"):
        site.require_role(store, "station")
    settle(store)
    last = q.last_out(store)
    to_rev = q.change_counter(store)
    if role == "station":
        epochs.refuse_if_stopped(store)
        again = write_again(store, out_dir)
        full = epochs.must_send_all(store) or full
        epoch, seq = epochs.numbering(store)
        from_rev = 0 if full or not last else last["to_rev"]
        items = _station_items(store, from_rev)
    else:
        again, epoch, seq = [], None, q.next_seq(store, None)
        from_rev, full = 0, True
        items = _county_items(store)
    path, manifest = _write(store, out_dir, {"seq": seq, "full": bool(full),
                                             "from_rev": from_rev, "to_rev": to_rev}, epoch,
                            items, progress)
    return Exported(path, manifest, again)


def write_again(store: Store, out_dir: Path) -> list[tuple[Path, dict]]:
    """Write again, into ``out_dir``, the bundles the county's receipts say it lost: each with
    its number, epoch and change numbers, holding the station's rows whose change number is in
    its range as they are now (a row changed since is in a later bundle, held or written again
    too), so the county ends with exactly this station's records. Bundles recorded before the
    epoch field was kept (an earlier version) make the next bundle a full one instead."""
    done = []
    for row in q_epochs.to_write_again(store):
        if row["epoch_id"] is not None and row["epoch"] is None:
            with store.transaction():
                store.set_meta(RESEND, "1")
                q.rewrite_out(store, row["id"], {"again": 0})
            continue
        epoch = json.loads(row["epoch"]) if row["epoch"] else None
        done.append(_write(store, out_dir, {"seq": row["seq"], "full": bool(row["full"]),
                                            "from_rev": row["from_rev"],
                                            "to_rev": row["to_rev"], "again": True}, epoch,
                           _station_items(store, row["from_rev"], row["to_rev"]), None,
                           row["id"]))
    return done


def _write(store: Store, out_dir: Path, numbers: dict, epoch: dict | None,
           items: Iterable[tuple[str, dict]], progress: Progress | None,
           row_id: int | None = None) -> tuple[Path, dict]:
    """Write one bundle (``numbers``: its seq, full, from_rev, to_rev and, written again,
    ``again``), recorded as a new row of the log, or as row ``row_id`` written again."""
    role = site.role(store)
    signer = certificates.signing_key(store)
    info = site.county(store)
    if role == "station":
        code = store.get_meta("station_code") or ""
        recipient: bytes | None = info.encrypt_public
        if len(recipient) != 32:  # personal data never leaves in clear
            raise ServiceError(
                _("The county's encryption key is missing: import the county pack again."))
    else:
        code = store.get_meta("county_code") or ""
        recipient = None
    manifest = {
        "kind": role,
        "sender": {"site_id": store.site_id, "code": code, "role": role,
                   "name": store.get_meta("station_name" if role == "station" else "county_name")
                   or "",
                   "sign_public": crypto.b64(signer.public_raw),
                   "fingerprint": keys.fingerprint(signer.public_raw)},
        "recipient": {"county_code": info.code, "county_site_id": info.site_id},
        **numbers, "created_at": utc_now(), "program_version": __version__,
    }
    if epoch:
        manifest["epoch"] = epoch
    if role == "county":
        manifest["reads"] = records.county_reads()
        manifest[courses.MANIFEST_FIELD] = courses.manifest_field(store)
    seq, full = numbers["seq"], numbers["full"]
    name = epochs.bundle_name(code, seq, full and role == "station", bundle.SUFFIX, epoch,
                              again=row_id is not None)
    path = out_dir / name
    ids: list[int] = []

    def record(tmp: Path, written: dict) -> None:
        # The number and the file's hash are committed before the file can appear: a crash
        # after this leaves a row that :func:`settle` resolves, never a number used twice.
        row = {"file_name": name, "path": str(path), "created_at": written["created_at"],
               "counts": written["counts"], "sha256": written["payload_sha256"],
               "state": "pending", "file_sha256": sha256_hex(tmp)}
        with store.transaction():
            if row_id is None:
                ids.append(q.add_out(store, {
                    **row, "seq": seq, "from_rev": numbers["from_rev"],
                    "to_rev": numbers["to_rev"], "full": int(bool(full)),
                    "epoch_id": epoch["id"] if epoch else None,
                    "epoch": json.dumps(epoch, sort_keys=True) if epoch else None}))
            else:
                q.rewrite_out(store, row_id, row)
                ids.append(row_id)

    manifest = bundle.write(path, manifest, items, signer, recipient, progress, record)
    with store.transaction():
        q.set_out_state(store, ids[0], "written")
        if row_id is not None:
            q.rewrite_out(store, row_id, {"again": 0})
        elif role == "station":
            store.set_meta(RESEND_KINDS, "[]")
            if full:
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
        # A bundle being written again was written once: it stays marked to be written again
        state = "written" if row["again"] or _holds(path, row["file_sha256"]) else "lost"
        if state == "lost" and not path.exists():
            for tmp in _temps_of(path):
                if _holds(tmp, row["file_sha256"]):
                    with contextlib.suppress(OSError):
                        os.replace(tmp, path)
                        fsync_dir(path.parent)
                        state = "written"
                    break
        with store.transaction():
            q.set_out_state(store, row["id"], state)
            if row["again"] and _holds(path, row["file_sha256"]):
                q.rewrite_out(store, row["id"], {"again": 0})
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
