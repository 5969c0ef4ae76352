"""Importing bundles (writing them is :mod:`trainer_app.sync.export`, re-exported here).

Importing: read the manifest, find the sender and its approved key, check the signature,
recipient, version and bundle number, then decrypt, validate and stage every record without the
write lock (:mod:`trainer_app.sync.staging`), and apply all of it in one short transaction — or
nothing. Rows merge by (rev, origin): the newer version of a row wins, so importing the same
bundle twice, or bundles in any order, gives the same tables.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from trainer_app import cancel, i18n, paths
from trainer_app.domain import bundle_numbers
from trainer_app.i18n import _
from trainer_app.security import keys
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.store import records as store_records
from trainer_app.store import sync as q
from trainer_app.store.db import utc_now
from trainer_app.sync import bundle, courses, crypto, epochs, records, site, staging, waiting
from trainer_app.sync import export as exporting
from trainer_app.sync.export import SHARED_TABLES, export, settle  # noqa: F401 (the API)
from trainer_app.sync.waiting import pending_dir  # noqa: F401 (where hub and tests look)

Progress = Callable[[int], None]
Cancelled = Callable[[], bool]


class ImportCancelled(cancel.Cancelled):
    """The user stopped an import; ``report`` (when set by :func:`import_file`) says so for
    the file that was being imported, of which nothing was applied."""

    def __init__(self, report: ImportReport | None = None) -> None:
        super().__init__()
        self.report = report


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
    gaps: list[bundle_numbers.Range] = field(default_factory=list)  # missing, as ranges
    epoch_id: str | None = None  # the epoch of a station's bundle (None: it never restored)

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
    "not_a_file": lambda: _("it is not a regular file (a pipe, a device or a folder), so it "
                            "was skipped"),
    "not_encrypted": lambda: _("a station's sync file must be encrypted, and this one is not"),
    "bad_seq": lambda: _("its bundle number is impossible (0 or less, or more than {n} past "
                         "the highest one received from that station)").format(
        n=i18n.format_number(bundle_numbers.MAX_AHEAD, 0)),
    "inconsistent": lambda: _("its content does not match what its signed description says "
                              "(a faulty or tampered program wrote it)"),
    "cancelled": lambda: _("the import was stopped before this file was applied"),
    "clone": lambda: _("it comes from a second PC restored from the same backup as the "
                       "station; it is held until the coordinator chooses which PC is the "
                       "station"),
    "stopped_epoch": lambda: _("it comes from a PC the coordinator chose not to keep as the "
                               "station"),
    "new_key": lambda: _("it carries a new key for a station already approved; it waits until "
                         "the coordinator re-keys the station (a new PC) after comparing "
                         "fingerprints, or discards the key"),
}


def reason_text(code: str) -> str:
    return REASONS.get(code, lambda: code)()


def import_file(
    store: Store, path: Path, progress: Progress | None = None,
    cancelled: Cancelled | None = None, limits: bundle.Limits = bundle.DEFAULT_LIMITS,
    via: str = waiting.VIA_FILE,
) -> ImportReport:
    """Import one bundle; never raises for a bad bundle: the report says what happened.
    ``via`` says how it came (kept with a bundle that waits for its station's approval).

    Raises :class:`ImportCancelled` (with a report of status ``cancelled``) when
    ``cancelled()`` says to stop; nothing of the file is applied then."""
    path = Path(path)
    report = ImportReport(file=path.name, status="rejected")
    try:
        _import(store, path, report, progress, cancelled, limits, via)
    except bundle.BundleError as exc:
        report.new, report.changed, report.unchanged = {}, {}, 0
        report.status = "pending" if exc.reason in WAITS else "rejected"
        report.reason = exc.reason
        report.message = _("{file}: {reason}.").format(file=path.name,
                                                      reason=reason_text(exc.reason))
        if exc.reason not in ("not_approved", "new_key"):
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
            cancelled: Cancelled | None, limits: bundle.Limits, via: str) -> None:
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
        encryption = m["encryption"]
        if encryption["scheme"] == "none":  # personal data never travels in clear
            raise bundle.BundleError("not_encrypted")
        field = epochs.read_field(m)
        report.epoch_id = field["id"] if field else None
        _check_seq(store, sender_site, m["seq"], field)
        if not station_row["approved"] or not station_row["sign_key"]:
            bundle.check_payload(path, header)  # only a whole, unaltered file waits
            waiting.keep(path, station_row["code"], via)
            raise bundle.BundleError("not_approved", report.sender_code)
        if crypto.unb64(station_row["sign_key"]) != claimed or station_row["site_id"] != \
                sender_site:
            if not q.known_site_or_key(store, sender_site, sender["sign_public"]) and \
                    not waiting.is_copy(path, station_row["code"]):
                # A new PC of the station (its PC died with no backup), or someone else using
                # its code: it waits, for the coordinator to re-key the station after comparing
                # fingerprints (sync.rebuild) or to discard it. A copy already waiting is not
                # kept again: approving another key judges it as forged.
                bundle.check_payload(path, header)
                waiting.keep(path, station_row["code"], via)
                raise bundle.BundleError("new_key", report.sender_code)
            raise bundle.BundleError("forged", "signed by another key")
        private = site.encryption_key(store)
        if encryption.get("recipient_key_id") not in (None, crypto.key_id(
                crypto.raw_public(private))):
            raise bundle.BundleError("wrong_recipient", "encrypted to another key")
        try:
            opener = crypto.Opener(private, crypto.unb64(encryption["ephemeral_public"]))
        except ValueError:
            raise bundle.BundleError("damaged", "ephemeral key") from None
        rules = staging.Sender((*records.STATION_TABLES, *records.LATER_STATION_TABLES),
                               sender_site, claimed)
        epochs.admit(store, m, sender_site, path, station_row["code"], held_dir())
    elif role == "station":
        county = site.county(store)
        if m.get("kind") != "county" or sender_site != county.site_id or \
                report.sender_code != county.code:
            raise bundle.BundleError("unknown_station", report.sender_code)
        bundle.check_signature(header, county.sign_public)
        if sender["sign_public"] != crypto.b64(county.sign_public):
            raise bundle.BundleError("forged", "names another key than the county's")
        if (m.get("recipient") or {}).get("county_site_id") != county.site_id:
            raise bundle.BundleError("wrong_recipient")
        _check_seq(store, sender_site, m["seq"], None)
        rules = staging.Sender((*records.COUNTY_TABLES, records.RECEIPT), sender_site, None,
                               shared=SHARED_TABLES)
    else:
        site.require_role(store, "station")
        return
    if q.applied_in(store, sender_site, m.get("payload_sha256", "")):
        bundle.check_payload(path, header)  # a damaged copy is reported as damaged
        if role == "station":  # the same records: a station updated since reads them anew
            with store.transaction():
                courses.apply_county_manifest(store, m)
        report.status = "duplicate"
        report.message = _("{file} was imported before; nothing changed.").format(file=path.name)
        report.gaps = _gaps(store, sender_site)
        return
    staging.check_counts(m, rules)
    _apply(store, path, header, opener, rules, report, progress, cancelled, limits)
    report.gaps = _gaps(store, sender_site)


# Reasons a bundle waits instead of being refused: a key not approved yet, a new key of an
# approved station, a clone's epoch.
WAITS = ("not_approved", "new_key", "clone")


def _check_seq(store: Store, sender_site: str, seq: int, field: dict | None) -> None:
    """A bundle number is at most :data:`bundle_numbers.MAX_AHEAD` past the highest one held
    from its sender in the same epoch (``field``, the manifest's ``epoch``), so that the gaps
    a sender can open stay few and small."""
    highest = epochs.highest_held(store, sender_site, field)
    if not bundle_numbers.acceptable(seq, highest):
        raise bundle.BundleError("bad_seq", f"bundle number {seq}, the highest held is "
                                            f"{highest}")


def _gaps(store: Store, sender_site: str) -> list[bundle_numbers.Range]:
    return bundle_numbers.gaps(epochs.lineage_seqs(store, sender_site))


def held_dir() -> Path:
    """Bundles of a second PC restored from the same backup as a station (a clone)."""
    return paths.data_dir() / "inbox" / "held"


def import_held(store: Store, code: str) -> list[ImportReport]:
    """Import the bundles held as a clone's, after the coordinator chose the station's epoch:
    those of the chosen epoch are applied, those of a stopped one deleted."""
    folder = held_dir() / code.strip().upper()
    reports = []
    for path in sorted(folder.glob(f"*{bundle.SUFFIX}")) if folder.exists() else []:
        report = import_file(store, path)
        if report.status != "pending":
            path.unlink(missing_ok=True)
        reports.append(report)
    return reports


def _apply(store: Store, path: Path, header: bundle.Header, opener: crypto.Opener | None,
           sender: staging.Sender, report: ImportReport, progress: Progress | None,
           cancelled: Cancelled | None, limits: bundle.Limits) -> None:
    m = header.manifest
    notice = ""

    def check_cancel() -> None:
        if cancelled and cancelled():
            raise ImportCancelled

    try:
        with staging.staging(store) as staged:
            staging.stage(store, staged, path, header, opener, sender, limits, progress,
                          check_cancel)
            # Foreign keys are not enforced while importing: rows from bundles imported out
            # of order may refer to rows that arrive later.
            with q.foreign_keys_off(store), store.transaction():
                merged = staging.merge(store, staged)
                courses.apply_county_manifest(store, m)  # a county's bundle: its retired courses
                if m.get("kind") == "county":
                    exporting.remember_county_reads(store, m.get("reads"))
                    notice = epochs.take_county_bundle(store, m, staged.receipts,
                                                       site.own_fingerprint(store))
                q.add_in(store, {"sender_site": m["sender"]["site_id"],
                                 "sender_code": m["sender"].get("code", ""), "seq": m["seq"],
                                 "sha256": m["payload_sha256"], "file_name": path.name,
                                 "received_at": utc_now(), "from_rev": m.get("from_rev"),
                                 "to_rev": m.get("to_rev"), "counts": m["counts"],
                                 "status": "applied",
                                 "epoch_id": (epochs.read_field(m) or {}).get("id")})
    except (sqlite3.IntegrityError, sqlite3.InterfaceError, OverflowError,
            UnicodeEncodeError) as exc:
        # constraint violations, values SQLite cannot take: the bundle is at fault
        raise bundle.BundleError("invalid_record", str(exc)) from None
    report.new, report.changed, report.unchanged = merged.new, merged.changed, merged.unchanged
    report.status = "applied"
    report.message = _("{file}: applied.").format(file=path.name)
    if notice:
        report.message += " " + notice


def approve(store: Store, code: str, fingerprint: str | None = None) -> list[ImportReport]:
    """Approve a station's key (after comparing fingerprints) and apply its waiting bundles.

    The key is the one waiting with ``fingerprint``; without it, the only key waiting
    (:class:`waiting.ChooseKey` when several wait). Bundles of other keys waiting for the
    station can then never be applied: they are reported and deleted."""
    site.require_role(store, "county")
    row = q.station_by_code(store, code.strip().upper())
    if not row:
        raise ServiceError(_("No station with code {code} in the register.").format(code=code))
    code = row["code"]
    key, site_id = row["sign_key"], row["site_id"]
    if not key:
        if fingerprint:
            chosen = waiting.find(code, fingerprint)
            if chosen is None:
                raise waiting.NoSuchKey(code, fingerprint)
        else:
            candidates = waiting.keys_of(code)
            if not candidates:
                raise ServiceError(_(
                    "Station {code} has not sent a bundle yet: its key is not known.").format(
                        code=code))
            if len(candidates) > 1:
                raise waiting.ChooseKey(code, candidates)
            chosen = candidates[0]
        key, site_id = chosen.sign_public, chosen.site_id
    elif fingerprint and approved_fingerprint(key) != fingerprint.strip().upper():
        raise ServiceError(_(
            "Station {code} is approved already, with the key {found}, not {wanted}.").format(
                code=code, found=approved_fingerprint(key), wanted=fingerprint))
    with store.transaction():
        store_records.update(store, "station", row["id"],
                             {"sign_key": key, "site_id": site_id, "approved": 1})
    # Each copy is removed once applied (or found useless): approving again after a crash
    # here applies what is left.
    reports = []
    for path in waiting.bundles(code):
        report = import_file(store, path)
        if report.ok:
            waiting.remove(path)
        elif report.reason in DISCARDED:
            waiting.remove(path)
            report.message += " " + _("The waiting copy was deleted.")
        reports.append(report)
    return reports


# Waiting bundles that can never be applied: a damaged or cut copy, or one not signed by the
# key just approved (another key claiming the station's code), or one whose content can never
# pass (it contradicts its own manifest, holds an invalid record, or travels in clear).
DISCARDED = ("damaged", "truncated", "forged", "inconsistent", "invalid_record", "not_encrypted")


def approved_fingerprint(sign_key: str | None) -> str:
    """The fingerprint of a station's approved key (base64 in the register), or ""."""
    try:
        return keys.fingerprint(crypto.unb64(sign_key)) if sign_key else ""
    except ValueError:
        return ""


def bundle_files(paths_: list[Path]) -> list[Path]:
    """The files to import among ``paths_``: files as given, folders searched for names ending
    in the bundle suffix (oldest first by name; hidden ones, such as the ``._`` copies some
    systems leave on USB sticks, skipped), each once. Whatever is not a folder is listed, a
    pipe or a device too: importing it reports it as skipped (``not_a_file``) instead of
    leaving it out without a word."""
    out: list[Path] = []
    seen: set[Path] = set()
    for p in map(Path, paths_):
        if p.is_dir():
            found = sorted(f for f in p.rglob(f"*{bundle.SUFFIX}")
                           if not any(part.startswith(".") for part in f.relative_to(p).parts)
                           and not f.is_dir())
        else:
            found = [p]
        for f in found:
            if f not in seen:
                seen.add(f)
                out.append(f)
    return out


def import_many(store: Store, paths_: list[Path], progress: Progress | None = None,
                cancelled: Cancelled | None = None) -> list[ImportReport]:
    """Import files and the bundles inside folders (a USB stick full of them), oldest first."""
    waiting.tidy()
    files = bundle_files(paths_)
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
            found = waiting.keys_of(st["code"])
            # an approved station's own key waiting: approving was interrupted; another key: a
            # new PC to re-key, or a stranger
            waits = [k.as_dict() for k in found if k.sign_public != st["sign_key"]]
            stations.append({
                "code": st["code"], "name": st["name"], "approved": bool(st["approved"]),
                "last_seq": st["last_seq"], "last_at": st["last_at"],
                "gaps": _gaps(store, st["site_id"]) if st["site_id"] else [],
                "pending_fingerprint": waits[0]["fingerprint"] if waits else None,
                "waiting_keys": waits,
                # bundles still waiting for an approved station: approving was interrupted
                # (the program stopped while applying them); approving again applies them
                "unapplied": len(waiting.bundles(st["code"])) - sum(
                    w["bundles"] for w in waits) if st["approved"] else 0,
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
