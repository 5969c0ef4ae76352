"""Writing bundles (station to county, county to stations) and importing them.

Importing: read the manifest, find the sender and its approved key, check the signature,
recipient and version, decrypt, validate every record, and apply all of it in one transaction —
or nothing. Rows merge by (rev, origin): the newer version of a row wins, so importing the same
bundle twice, or bundles in any order, gives the same tables.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from trainer_app import __version__, cancel, paths
from trainer_app.files import copy_atomic, same_content
from trainer_app.i18n import _
from trainer_app.security import keys
from trainer_app.services import certificates
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.store import records as store_records
from trainer_app.store import sync as q
from trainer_app.store.db import utc_now
from trainer_app.sync import bundle, crypto, records, site

Progress = Callable[[int], None]
Cancelled = Callable[[], bool]


class ImportCancelled(cancel.Cancelled):
    """The user stopped an import; ``report`` (when set by :func:`import_file`) says so for
    the file that was being imported, of which nothing was applied."""

    def __init__(self, report: ImportReport | None = None) -> None:
        super().__init__()
        self.report = report


# -- export ------------------------------------------------------------------------------------
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
            yield records.RECEIPT, {"station_site": st["site_id"], "station_code": st["code"],
                                    "held": q.applied_seqs(store, st["site_id"])}


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
    signer = certificates.signing_key(store)
    last = q.last_out(store)
    seq = (last["seq"] if last else 0) + 1
    to_rev = q.change_counter(store)
    if role == "station":
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
    if role == "county":
        manifest["reads"] = records.county_reads()
    name = f"{code}-{seq:05d}{'-full' if full and role == 'station' else ''}{bundle.SUFFIX}"
    path = out_dir / name
    manifest = bundle.write(path, manifest, items, signer, recipient or None, progress)
    with store.transaction():
        q.add_out(store, {"seq": seq, "file_name": name, "path": str(path),
                          "created_at": manifest["created_at"], "from_rev": from_rev,
                          "to_rev": to_rev, "full": int(bool(full)),
                          "counts": manifest["counts"], "sha256": manifest["payload_sha256"]})
        if role == "station":
            store.set_meta(RESEND_KINDS, "[]")
    return path, manifest


def inspect(path: Path) -> dict:
    """The manifest of a bundle, read without any key."""
    return bundle.read_header(Path(path)).manifest


# -- import ------------------------------------------------------------------------------------
@dataclass
class ImportReport:
    file: str
    status: str  # applied, duplicate, pending, rejected, cancelled
    reason: str = ""  # a BundleError reason code when rejected or pending
    message: str = ""  # for the user, in their language
    detail: str = ""  # technical detail of a rejection (English, for support), may be ""
    sender_code: str = ""
    seq: int | None = None
    new: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    gaps: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("applied", "duplicate")


REASONS = {
    "damaged": lambda: _("the file is damaged (it changed after it was written)"),
    "truncated": lambda: _("the file is incomplete (copying was interrupted)"),
    "forged": lambda: _("the signature does not match the station's key: altered or forged"),
    "unknown_station": lambda: _("it comes from a station that is not in the register"),
    "not_approved": lambda: _("the station's key is waiting for approval"),
    "unsupported_version": lambda: _("it was written by a newer, unsupported format version"),
    "too_large": lambda: _("it is larger than allowed"),
    "wrong_recipient": lambda: _("it was written for another county or site"),
    "invalid_record": lambda: _("it holds a record that fails validation"),
    "not_a_bundle": lambda: _("it is not a Trainer sync file"),
    "cancelled": lambda: _("the import was stopped before this file was applied"),
}


def reason_text(code: str) -> str:
    return REASONS.get(code, lambda: code)()


def pending_dir() -> Path:
    return paths.data_dir() / "inbox" / "pending"


def import_file(
    store: Store, path: Path, progress: Progress | None = None,
    cancelled: Cancelled | None = None, limits: bundle.Limits = bundle.DEFAULT_LIMITS,
) -> ImportReport:
    """Import one bundle; never raises for a bad bundle: the report says what happened.

    Raises :class:`ImportCancelled` (with a report of status ``cancelled``) when
    ``cancelled()`` says to stop; nothing of the file is applied then."""
    path = Path(path)
    report = ImportReport(file=path.name, status="rejected")
    try:
        _import(store, path, report, progress, cancelled, limits)
    except bundle.BundleError as exc:
        report.new, report.changed, report.unchanged = {}, {}, 0
        report.status = "pending" if exc.reason == "not_approved" else "rejected"
        report.reason = exc.reason
        report.message = _("{file}: {reason}.").format(file=path.name,
                                                      reason=reason_text(exc.reason))
        if exc.reason != "not_approved":
            report.detail = exc.detail
    except ImportCancelled:
        report.new, report.changed, report.unchanged, report.gaps = {}, {}, 0, []
        report.status = report.reason = "cancelled"
        report.message = _("{file}: import stopped; nothing of this file was applied.").format(
            file=path.name)
        raise ImportCancelled(report) from None
    except OSError as exc:
        report.reason = "unreadable"
        report.message = _("{file} cannot be read: {error}").format(
            file=path.name, error=exc.strerror or exc)
    return report


def _import(store: Store, path: Path, report: ImportReport, progress: Progress | None,
            cancelled: Cancelled | None, limits: bundle.Limits) -> None:
    header = bundle.read_header(path, limits)
    m = header.manifest
    sender = m.get("sender") or {}
    sender_site = str(sender.get("site_id", ""))
    report.sender_code = str(sender.get("code", ""))
    report.seq = m.get("seq") if isinstance(m.get("seq"), int) else None
    role = site.role(store)
    opener = None
    if role == "county":
        q.relax_live_unique_indexes(store)
        try:
            claimed = crypto.unb64(sender["sign_public"])
        except ValueError:
            raise bundle.BundleError("damaged", "sender key") from None
        # The signature is checked against the key the manifest names before anything in the
        # manifest is believed; whether that key is the station's comes after.
        bundle.check_signature(header, claimed)
        if (m.get("recipient") or {}).get("county_site_id") != store.site_id:
            raise bundle.BundleError("wrong_recipient")
        station_row = q.station_by_code(store, report.sender_code)
        if station_row is None or m.get("kind") != "station":
            raise bundle.BundleError("unknown_station", report.sender_code)
        if not station_row["approved"] or not station_row["sign_key"]:
            bundle.check_payload(path, header)  # only a whole, unaltered file waits
            _keep_pending(path, station_row["code"])
            raise bundle.BundleError("not_approved", report.sender_code)
        if crypto.unb64(station_row["sign_key"]) != claimed or station_row["site_id"] != \
                sender_site:
            raise bundle.BundleError("forged", "signed by another key")
        encryption = m["encryption"]
        if encryption["scheme"] != "none":
            private = site.encryption_key(store)
            if encryption.get("recipient_key_id") not in (None, crypto.key_id(
                    crypto.raw_public(private))):
                raise bundle.BundleError("wrong_recipient", "encrypted to another key")
            try:
                opener = crypto.Opener(private, crypto.unb64(encryption["ephemeral_public"]))
            except ValueError:
                raise bundle.BundleError("damaged", "ephemeral key") from None
        allowed = (*records.STATION_TABLES, *records.LATER_STATION_TABLES)
        origin, station_key = sender_site, claimed
    elif role == "station":
        county = site.county(store)
        if m.get("kind") != "county" or sender_site != county.site_id:
            raise bundle.BundleError("unknown_station", report.sender_code)
        bundle.check_signature(header, county.sign_public)
        allowed, origin = (*records.COUNTY_TABLES, records.RECEIPT), sender_site
        station_key = None
    else:
        site.require_role(store, "station")
        return
    if q.applied_in(store, sender_site, m.get("payload_sha256", "")):
        bundle.check_payload(path, header)  # a damaged copy is reported as damaged
        report.status = "duplicate"
        report.message = _("{file} was imported before; nothing changed.").format(file=path.name)
        report.gaps = _gaps(store, sender_site)
        return
    _apply(store, path, header, opener, allowed, origin, station_key, report, progress,
           cancelled, limits)
    if role == "station":
        _remember_county_reads(store, m.get("reads"))
    report.gaps = _gaps(store, sender_site)


COUNTY_READS = "county_reads"  # meta: the record kinds the county's last bundle said it reads
RESEND_KINDS = "resend_kinds"  # meta: kinds the county has just learnt, sent whole next time


def _remember_county_reads(store: Store, reads: object) -> None:
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


def _keep_pending(path: Path, code: str) -> None:
    """Keep a bundle of a not-yet-approved station (a file, not a database change) so it can be
    applied once the coordinator approves the station's key. The copy is written atomically;
    a different copy of the same name (a damaged one kept before) is replaced."""
    folder = pending_dir() / code
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists() and same_content(path, target):
        return
    copy_atomic(path, target)


def _gaps(store: Store, sender_site: str) -> list[int]:
    held = q.applied_seqs(store, sender_site)
    return sorted(set(range(1, max(held) + 1)) - set(held)) if held else []


def _check_station_key(row: dict, sender_site: str, approved: bytes) -> None:
    """A station publishes its own keys only: the row names the sender's site, its key id is
    the key's, and a signing key is the one the coordinator approved for the station."""
    try:
        public = crypto.unb64(row.get("public_key"))  # type: ignore[arg-type]
    except (ValueError, TypeError):
        raise bundle.BundleError("invalid_record", f"site_key {row['id']}: bad key") from None
    purpose = row.get("purpose")
    if purpose == "sign":
        ok = row.get("key_id") == keys.key_id(public).hex() and public == approved
    elif purpose == "encrypt":
        ok = row.get("key_id") == crypto.key_id(public)
    else:
        ok = False
    if not ok or row.get("site_id") != sender_site:
        raise bundle.BundleError("invalid_record",
                                 f"site_key {row['id']}: not the sending station's key")


def _apply(store: Store, path: Path, header: bundle.Header, opener, allowed, origin,
           station_key: bytes | None, report: ImportReport, progress: Progress | None,
           cancelled: Cancelled | None, limits: bundle.Limits) -> None:
    m = header.manifest
    columns = {t: q.columns(store, t) for t in allowed if t != records.RECEIPT}
    types = {t: q.column_types(store, t) for t in columns}
    batches: dict[str, list[dict]] = {}
    receipts: list[dict] = []
    n = 0
    # Foreign keys are not enforced while importing: rows from bundles imported out of order
    # may refer to rows that arrive later.
    try:
        with q.foreign_keys_off(store), store.transaction():
            for table, row in bundle.records(path, header, opener, limits):
                if table not in allowed:
                    raise bundle.BundleError("invalid_record", f"table {table}")
                if table == records.RECEIPT:
                    receipts.append(row)
                    continue
                try:
                    records.check(table, row, types[table],
                                  None if m["kind"] == "county" and table in SHARED_TABLES
                                  else origin)
                except records.RecordError as exc:
                    raise bundle.BundleError("invalid_record", str(exc)) from None
                if table == "site_key" and station_key is not None:
                    _check_station_key(row, origin, station_key)
                batch = batches.setdefault(table, [])
                batch.append(row)
                if len(batch) >= 2000:
                    _flush(store, table, columns[table], batch, report)
                    batch.clear()
                n += 1
                if progress and n % 2000 == 0:
                    progress(n)
                if cancelled and n % 2000 == 0 and cancelled():
                    raise ImportCancelled
            for table, batch in batches.items():
                _flush(store, table, columns[table], batch, report)
            if receipts:
                _apply_receipts(store, receipts)
            q.add_in(store, {"sender_site": m["sender"]["site_id"],
                             "sender_code": m["sender"].get("code", ""), "seq": m.get("seq"),
                             "sha256": m["payload_sha256"], "file_name": path.name,
                             "received_at": utc_now(), "from_rev": m.get("from_rev"),
                             "to_rev": m.get("to_rev"), "counts": m.get("counts", {}),
                             "status": "applied"})
    except (sqlite3.IntegrityError, sqlite3.InterfaceError, OverflowError,
            UnicodeEncodeError) as exc:
        # constraint violations, values SQLite cannot take: the bundle is at fault
        raise bundle.BundleError("invalid_record", str(exc)) from None
    report.status = "applied"
    report.message = _("{file}: applied.").format(file=path.name)


def _flush(store: Store, table: str, names: list[str], batch: list[dict],
           report: ImportReport) -> None:
    existing = q.existing_revs(store, table, [r["id"] for r in batch])
    owners: dict[str, str] = {}
    new = changed = 0
    for row in batch:
        old = existing.get(row["id"])
        # A row has one owner for good: another site's version of it is hostile (and taking
        # it would make the result depend on the import order).
        owner = old[1] if old else owners.setdefault(row["id"], row["origin"])
        if row["origin"] != owner:
            raise bundle.BundleError("invalid_record",
                                     f"{table} {row['id']}: a row another site owns")
        if old is None:
            new += 1
        elif (row["rev"], row["origin"]) > old:
            changed += 1
        else:
            report.unchanged += 1
    if new:
        report.new[table] = report.new.get(table, 0) + new
    if changed:
        report.changed[table] = report.changed.get(table, 0) + changed
    q.upsert(store, table, names, [tuple(map(r.get, names)) for r in batch])


def _apply_receipts(store: Store, receipts: list[dict]) -> None:
    for receipt in receipts:
        if receipt.get("station_site") == store.site_id and isinstance(receipt.get("held"), list):
            q.acknowledge(store, [s for s in receipt["held"]
                                  if isinstance(s, int) and 0 < s < 2**63])


def approve(store: Store, code: str) -> list[ImportReport]:
    """Approve a station's key (after comparing fingerprints) and apply its waiting bundles."""
    site.require_role(store, "county")
    row = q.station_by_code(store, code.strip().upper())
    if not row:
        raise ServiceError(_("No station with code {code} in the register.").format(code=code))
    waiting = _waiting(row["code"])
    key, site_id = row["sign_key"], row["site_id"]
    if not key:
        sender = _waiting_sender(row["code"])
        if sender is None:
            raise ServiceError(
                _("Station {code} has not sent a bundle yet: its key is not known.").format(
                    code=row["code"]))
        key, site_id = sender["sign_public"], sender["site_id"]
    with store.transaction():
        store_records.update(store, "station", row["id"],
                             {"sign_key": key, "site_id": site_id, "approved": 1})
    reports = [import_file(store, p) for p in waiting]
    for p, r in zip(waiting, reports, strict=True):
        if r.ok:
            p.unlink()
        elif r.reason in DISCARDED:
            p.unlink(missing_ok=True)
            r.message += " " + _("The waiting copy was deleted.")
    return reports


# Waiting bundles that can never be applied: a damaged or cut copy, or one not signed by the
# key just approved (another key claiming the station's code).
DISCARDED = ("damaged", "truncated", "forged")


def _waiting(code: str) -> list[Path]:
    folder = pending_dir() / code.upper()
    return sorted(folder.glob(f"*{bundle.SUFFIX}")) if folder.exists() else []


def _waiting_sender(code: str) -> dict | None:
    """The sender (site id, signing key) of a waiting station's first readable bundle."""
    for path in _waiting(code):
        try:
            sender = bundle.read_header(path).manifest["sender"]
            crypto.unb64(sender["sign_public"])
            return sender
        except (bundle.BundleError, OSError, KeyError, ValueError):
            continue
    return None


def pending_fingerprint(store: Store, code: str) -> str | None:
    """The fingerprint of the key a waiting station's first bundle carries, to compare with
    the one shown at the station (the key :func:`approve` approves)."""
    sender = _waiting_sender(code)
    return keys.fingerprint(crypto.unb64(sender["sign_public"])) if sender else None


def import_many(store: Store, paths_: list[Path], progress: Progress | None = None,
                cancelled: Cancelled | None = None) -> list[ImportReport]:
    """Import files and the bundles inside folders (a USB stick full of them), oldest first."""
    files: list[Path] = []
    for p in map(Path, paths_):
        if p.is_dir():
            files += sorted(p.rglob(f"*{bundle.SUFFIX}"))
        else:
            files.append(p)
    out = []
    for i, f in enumerate(files):
        if cancelled and cancelled():
            break
        try:
            out.append(import_file(store, f, cancelled=cancelled))
        except ImportCancelled as exc:  # the reports of the files done before are kept
            out.append(exc.report or ImportReport(file=f.name, status="cancelled"))
            break
        if progress:
            progress(i + 1)
    return out


def status(store: Store) -> dict:
    role = site.role(store)
    result: dict = {"role": role or "unlinked", "site_id": store.site_id,
                    "fingerprint": site.own_fingerprint(store) if role else ""}
    if role == "county":
        stations = []
        for st in q.stations(store):
            stations.append({
                "code": st["code"], "name": st["name"], "approved": bool(st["approved"]),
                "last_seq": st["last_seq"], "last_at": st["last_at"],
                "gaps": _gaps(store, st["site_id"]) if st["site_id"] else [],
                "pending_fingerprint": None if st["approved"] else pending_fingerprint(
                    store, st["code"]),
            })
        result["stations"] = stations
    else:
        last = q.last_out(store)
        after = last["to_rev"] if last else 0
        result["pending_changes"] = q.change_counter(store) > after
        result["bundles"] = [
            {**b, "counts": json.loads(b["counts"])} for b in q.bundles_out(store)
        ]
    return result
