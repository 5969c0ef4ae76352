"""Coming back from the county with no backup: a new key for a station, and its records rebuilt.

The station's PC died and there is no backup. On a new PC the station is linked again with its
county pack (a new database, a new key) and writes its first bundle. At the county the
coordinator approves the new key for the station after typing the fingerprint the station
shows (:func:`rekey`; never the first key that happens to wait): the station keeps its site id,
its old public key stays (marked retired) so its certificates still verify. The county then
writes a rebuild file (:func:`write_rebuild`): a bundle of kind ``rebuild``, signed by the
county and encrypted to the new PC's encryption key, holding every record of the station the
county holds. The new PC applies it (:func:`apply_rebuild`) and becomes the station: its site
id, its records, bundle numbers and change numbers going on past what the county holds.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from trainer_app import __version__
from trainer_app.domain import epoch
from trainer_app.files import write_atomic_bytes
from trainer_app.i18n import _
from trainer_app.security import keys
from trainer_app.services import certificates
from trainer_app.services.errors import ServiceError
from trainer_app.services.trainees import CODE_PREFIX
from trainer_app.store import Store
from trainer_app.store import epochs as epochs_q
from trainer_app.store import sync as q
from trainer_app.store.db import utc_now
from trainer_app.sync import bundle, crypto, records, site, waiting
from trainer_app.sync import export as exporting

KIND = "rebuild"
INFO = "rebuild_info"  # the record that says whose records they are and where numbers stand
SUFFIX = ".trrebuild"


def _meta_key(site_id: str) -> str:
    return f"rekey:{site_id}"


def _station(county: Store, code: str) -> dict:
    site.require_role(county, "county")
    row = q.station_by_code(county, code.strip().upper())
    if not row or not row["site_id"] or not row["approved"]:
        raise ServiceError(_("Station {code} has no approved key to replace: approve its first "
                             "key instead.").format(code=code))
    return row


# -- at the county ---------------------------------------------------------------------------
def rekey(county: Store, code: str, fingerprint: str, first_bundle: Path | None = None) -> str:
    """Approve a new key for station ``code`` (its new PC's) when its fingerprint is
    ``fingerprint`` as typed by the coordinator from the station's screen. The key is the one
    waiting for the station with that fingerprint (:mod:`sync.waiting`), or the one in
    ``first_bundle`` (the new PC's first bundle, given as a file). Returns the new key's
    fingerprint. The station keeps its site id; its old key stays, marked retired; the new
    PC's waiting bundles are deleted (they can never be applied: the rebuild file carries what
    the county holds to the new PC instead)."""
    row = _station(county, code)
    key = None
    if first_bundle is None:
        key = waiting.find(row["code"], fingerprint)
        if key is None:
            raise ServiceError(_(
                "No key waiting for station {code} has the fingerprint typed: compare it again "
                "with the one the station shows (the new PC's first bundle must have been "
                "imported here).").format(code=row["code"]))
        first_bundle = key.files[0]
    try:
        header = bundle.read_header(Path(first_bundle))
        m = header.manifest
        claimed = crypto.unb64(m["sender"]["sign_public"])
        bundle.check_signature(header, claimed)
    except (bundle.BundleError, OSError, ValueError) as exc:
        raise ServiceError(_("{file} is not a readable bundle of the new PC: {reason}").format(
            file=Path(first_bundle).name, reason=exc)) from None
    if m.get("kind") != "station" or m["sender"]["code"] != row["code"] or \
            (m.get("recipient") or {}).get("county_site_id") != county.site_id:
        raise ServiceError(_("{file} is not a bundle of station {code} for this county.").format(
            file=Path(first_bundle).name, code=row["code"]))
    if waiting.plain(keys.fingerprint(claimed)) != waiting.plain(fingerprint):
        raise ServiceError(_("The fingerprint typed is not the one of the key in {file}: "
                             "compare it again with the one the station shows.").format(
                                 file=Path(first_bundle).name))
    if crypto.unb64(row["sign_key"]) == claimed:
        raise ServiceError(_("This key is already the station's."))
    encrypt = _encryption_key_in(county, first_bundle, header, m["sender"]["site_id"])
    with county.transaction():
        epochs_q.retire_station_key(county, row["id"], m["sender"]["sign_public"],
                                    keys.key_id(crypto.unb64(row["sign_key"])).hex())
        county.set_meta(_meta_key(row["site_id"]), json.dumps({
            "sign": m["sender"]["sign_public"], "encrypt": crypto.b64(encrypt),
            "new_site": m["sender"]["site_id"], "at": utc_now()}))
    for path in key.files if key is not None else []:
        waiting.remove(path)
    return keys.fingerprint(claimed)


def requested(county: Store, site_id: str) -> dict | None:
    """The new key approved for a station by :func:`rekey` (``sign``, ``encrypt``, ``new_site``
    and ``at``), or ``None``."""
    raw = county.get_meta(_meta_key(site_id)) if site_id else None
    return json.loads(raw) if raw else None


def rebuild_file_name(code: str) -> str:
    return f"{code.upper()}{SUFFIX}"


def _encryption_key_in(county: Store, path: Path, header: bundle.Header, sender: str) -> bytes:
    private = site.encryption_key(county)
    try:
        opener = crypto.Opener(private, crypto.unb64(header.manifest["encryption"][
            "ephemeral_public"]))
        for table, row in bundle.records(Path(path), header, opener):
            if table == "site_key" and row.get("purpose") == "encrypt" and \
                    row.get("site_id") == sender:
                return crypto.unb64(row["public_key"])
    except (bundle.BundleError, KeyError, ValueError) as exc:
        raise ServiceError(_("{file} cannot be read: {reason}").format(
            file=Path(path).name, reason=exc)) from None
    raise ServiceError(_("The new PC's bundle carries no encryption key: update Trainer there "
                         "and link it again with the county pack."))


def write_rebuild(county: Store, code: str, out: Path) -> Path:
    """The rebuild file for station ``code`` after :func:`rekey`, encrypted to the new PC."""
    row = _station(county, code)
    raw = county.get_meta(_meta_key(row["site_id"]))
    if not raw:
        raise ServiceError(_("Approve the new PC's key first ('stations rekey {code}').").format(
            code=row["code"]))
    request = json.loads(raw)
    out = Path(out)
    if out.is_dir():
        out = out / rebuild_file_name(row["code"])
    # bundles without an epoch: the rebuilt PC's new epoch starts from the last of them
    max_seq = q.highest_seq(county, row["site_id"], None)

    def items():
        yield INFO, {"site_id": row["site_id"], "code": row["code"], "name": row["name"],
                     "max_seq": max_seq,
                     "max_rev": epochs_q.max_rev(county, row["site_id"])}
        for table in records.county_tables():  # every kind of station record the county holds
            for item in q.changed_rows(county, table, row["site_id"], 0):
                if table == "trainee":
                    item.pop("id_hash", None)
                yield table, item

    signer = certificates.signing_key(county)
    manifest = {
        "kind": KIND,
        "sender": {"site_id": county.site_id, "code": county.get_meta("county_code") or "",
                   "role": "county", "name": county.get_meta("county_name") or "",
                   "sign_public": crypto.b64(signer.public_raw),
                   "fingerprint": keys.fingerprint(signer.public_raw)},
        "recipient": {"county_code": county.get_meta("county_code") or "",
                      "county_site_id": county.site_id, "station_code": row["code"],
                      "station_site_id": request["new_site"]},
        "seq": 0, "full": True, "from_rev": 0, "to_rev": q.change_counter(county),
        "created_at": utc_now(), "program_version": __version__,
        "reads": records.county_reads(),
    }
    bundle.write(out, manifest, items(), signer, base64.b64decode(request["encrypt"]))
    return out


# -- at the new PC ---------------------------------------------------------------------------
def apply_rebuild(store: Store, path: Path) -> dict:
    """Make this new station database the station of the rebuild file ``path``: its site id,
    its records as the county holds them, numbers past the county's. Returns the station's
    code, name and record counts."""
    site.require_role(store, "station")
    path = Path(path)
    try:
        header = bundle.read_header(path)
        m = header.manifest
        bundle.check_signature(header, site.county(store).sign_public)
    except bundle.BundleError as exc:
        raise ServiceError(_unreadable(path, exc.reason)) from None
    except OSError as exc:
        raise ServiceError(_("{file} cannot be read: {reason}").format(
            file=path.name, reason=exc.strerror or exc)) from None
    recipient = m.get("recipient") or {}
    code = store.get_meta("station_code") or ""
    if m.get("kind") != KIND:
        raise ServiceError(_("{file} is not a rebuild file; nothing was changed.").format(
            file=path.name))
    if recipient.get("station_code") != code:
        raise ServiceError(_("{file} is the rebuild file of station {other}, and this PC is "
                             "station {code}; nothing was changed.").format(
            file=path.name, other=recipient.get("station_code") or "?", code=code))
    if recipient.get("station_site_id") != store.site_id:
        raise ServiceError(_("{file} is encrypted to another PC's key, not to this one's "
                             "({fingerprint}); nothing was changed. Ask the county to approve "
                             "this PC's key and to write the rebuild file again.").format(
            file=path.name, fingerprint=site.own_fingerprint(store)))
    old_site = store.site_id
    rows: dict[str, list[dict]] = {}
    info: dict = {}
    try:
        opener = crypto.Opener(site.encryption_key(store), crypto.unb64(
            m["encryption"]["ephemeral_public"]))
        for table, row in bundle.records(path, header, opener):
            if table == INFO:
                info = row
            elif table in records.county_tables():
                rows.setdefault(table, []).append(row)
    except bundle.BundleError as exc:
        raise ServiceError(_unreadable(path, exc.reason)) from None
    except (KeyError, ValueError):
        raise ServiceError(_unreadable(path, "damaged")) from None
    new_site = info.get("site_id")
    if not isinstance(new_site, str) or info.get("code") != store.get_meta("station_code"):
        raise ServiceError(_("{file} is for another station; nothing was changed.").format(
            file=path.name))
    moved = _copy_keys(old_site, new_site)
    with q.foreign_keys_off(store), store.transaction():
        epochs_q.adopt_site(store, records.county_tables(), old_site, new_site)
        for table, batch in rows.items():
            names = q.columns(store, table)
            q.upsert(store, table, names, [tuple(r.get(n) for n in names) for r in batch])
        store.set_meta("site_id", new_site)
        exporting.remember_county_reads(store, m.get("reads"))
        if info.get("name"):
            store.set_meta("station_name", info["name"])
        meta = epochs_q.all_meta(store)
        meta["change_counter"] = str(max(int(meta.get("change_counter") or 0),
                                         int(info.get("max_rev") or 0)))
        max_code, max_serial = epochs_q.running_numbers(store, CODE_PREFIX)
        max_seq = int(info.get("max_seq") or 0)
        for key, value in epoch.start(meta, max_seq, max_code, max_serial).items():
            if value is None:
                epochs_q.forget_meta(store, key)
            else:
                store.set_meta(key, value)
        epochs_q.forget_bundles_out(store)
        if max_seq:  # numbers go on past what the county holds
            q.add_out(store, {"seq": max_seq, "file_name": path.name, "path": str(path),
                              "created_at": utc_now(), "from_rev": 0,
                              "to_rev": int(meta["change_counter"]), "full": 1, "counts": {},
                              "sha256": m["payload_sha256"], "acknowledged_at": utc_now()})
    for source in moved:
        source.unlink(missing_ok=True)
    return {"code": info.get("code"), "name": info.get("name", ""),
            "counts": {t: len(b) for t, b in rows.items()}}


def _unreadable(path: Path, reason: str) -> str:
    if reason == "forged":
        return _("{file} is not signed by this station's county: it is not the county's "
                 "rebuild file, or it was altered; nothing was changed.").format(file=path.name)
    return _("{file} is damaged or incomplete (a copy cut short?); nothing was changed. Copy "
             "it from the county again.").format(file=path.name)


def _copy_keys(old_site: str, new_site: str) -> list[Path]:
    """This PC's key files under the station's site id (copied before the database changes;
    the old names are removed after)."""
    moved = []
    for source in sorted(keys.key_dir().glob(f"{old_site}.*.pem")):
        target = source.with_name(new_site + source.name[len(old_site):])
        write_atomic_bytes(target, source.read_bytes(), mode=0o600)
        moved.append(source)
    return moved
