"""Who this site is in the sync network: a county (keys, station register, county packs) or a
station linked to its county by a county pack."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from trainer_app.files import deferred_replace, open_regular, write_atomic_bytes
from trainer_app.i18n import _
from trainer_app.security import keys
from trainer_app.services import certificates
from trainer_app.services.errors import ServiceError, ValidationError
from trainer_app.store import Store, records
from trainer_app.store import site as site_q
from trainer_app.store import sync as q
from trainer_app.sync import crypto
from trainer_app.sync import records as rules

PACK_FORMAT = "trainer-county-pack"
PACK_VERSION = 1
PACK_SUFFIX = ".trpack"


class DemoDataError(ServiceError):
    """Linking refused: the database holds the demo station's practice records. Linking again
    with ``discard_demo=True`` removes them first."""

    def __init__(self) -> None:
        super().__init__(_(
            "This database holds the demo station's practice records, which must not reach the "
            "county. Linking it to the county removes them."))


@dataclass(frozen=True)
class County:
    site_id: str
    code: str
    name: str
    sign_public: bytes
    encrypt_public: bytes


def role(store: Store) -> str:
    """``county``, ``station`` (linked to a county) or ``""`` (a station not linked yet)."""
    return store.get_meta("role") or ""


def require_role(store: Store, wanted: str) -> None:
    if role(store) != wanted:
        if wanted == "county":
            raise ServiceError(_("This database is not set up as a county center."))
        raise ServiceError(
            _("This station is not linked to a county yet: import the county pack first.")
        )


def holds_demo(store: Store) -> bool:
    """Whether this database holds the demo station's practice records (made by ``demo``
    before it was linked to a county)."""
    return site_q.is_demo(store)


def _check_demo(store: Store, discard_demo: bool) -> None:
    if holds_demo(store) and not discard_demo:
        raise DemoDataError()


def _discard_demo(store: Store) -> bool:
    """Remove the demo station's records, names and code, and the demo mark; the site's keys
    stay. Returns whether there was anything to remove. Call inside the linking's
    transaction: the rows never left this PC, so they go without tombstones."""
    from trainer_app.services import demo  # the generator is only needed here

    if not holds_demo(store):
        return False
    site_q.discard_records(store)
    for key, value in (("station_name", demo.STATION_NAME), ("county_name", demo.COUNTY_NAME),
                       ("station_code", demo.STATION_CODE)):
        site_q.delete_meta_if(store, key, value)
    site_q.clear_demo_mark(store)
    return True


def _relabel_own_keys(store: Store, label: str) -> None:
    """This site's keys made while it was the demo station carry the demo station's name: give
    them ``label`` (the keys themselves stay)."""
    from trainer_app.services import demo

    if label == demo.STATION_NAME:
        return
    for key_row in site_q.own_key_ids(store, demo.STATION_NAME):
        records.update(store, "site_key", key_row, {"label": label})


def encryption_key(store: Store):
    return crypto.load_or_create(keys.key_dir(), store.site_id)


def dedup_key(store: Store) -> bytes:
    value = store.get_meta("dedup_key")
    if not value:
        raise ServiceError(_("No duplicate-matching key: link to the county first."))
    return base64.b64decode(value)


def id_hash(key: bytes, id_number: str | None) -> str | None:
    """A keyed hash of an ID number: equal numbers match at the county, the number itself is
    never compared in clear."""
    if not id_number:
        return None
    return hmac.new(key, id_number.upper().encode(), hashlib.sha256).hexdigest()


def county(store: Store) -> County:
    return County(
        site_id=store.get_meta("county_site_id") or "",
        code=store.get_meta("county_code") or "",
        name=store.get_meta("county_name") or "",
        sign_public=base64.b64decode(store.get_meta("county_sign_key") or ""),
        encrypt_public=base64.b64decode(store.get_meta("county_encrypt_key") or ""),
    )


COUNTY_READS = "county_reads"  # meta: what the county's latest word said its version reads


def county_reads(store: Store) -> list[str]:
    """What the county's latest word (a bundle, pack, rebuild file or hub answer) said its
    version reads beyond the first format (``records.county_reads``); nothing said: an
    earlier version, which reads the first format only."""
    return meta_names(store, COUNTY_READS)


def meta_names(store: Store, key: str) -> list[str]:
    """The list of names kept as JSON in the meta entry ``key`` (anything else: none)."""
    try:
        found = json.loads(store.get_meta(key) or "[]")
    except ValueError:
        return []
    return [t for t in found if isinstance(t, str)] if isinstance(found, list) else []


def _record_key(store: Store, site_id: str, public: bytes, purpose: str, label: str) -> None:
    kid = keys.key_id(public).hex() if purpose == "sign" else crypto.key_id(public)
    if q.has_key(store, kid):
        return
    records.insert(
        store, "site_key",
        {"site_id": site_id, "key_id": kid, "public_key": crypto.b64(public),
         "purpose": purpose, "label": label},
    )


def setup_county(store: Store, code: str, name: str, discard_demo: bool = False) -> County:
    """Make this database a county center: its keys, its code and name.

    A database holding the demo station's practice records is refused with
    :class:`DemoDataError`; with ``discard_demo`` they are removed in the same transaction."""
    code = code.strip().upper()
    if not (2 <= len(code) <= 12 and code.isascii() and code.isalnum()):
        raise ValidationError({"code": _("A county code has 2 to 12 letters or digits.")})
    if not name.strip():
        raise ValidationError({"name": _("Enter the county center's name.")})
    if role(store) == "station":
        raise ServiceError(_("This database is a station's; a county needs its own database."))
    _check_demo(store, discard_demo)
    enc = encryption_key(store)
    with store.transaction():
        if _discard_demo(store):
            _relabel_own_keys(store, name.strip())
        signer = certificates.signing_key(store)
        store.set_meta("role", "county")
        store.set_meta("county_code", code)
        store.set_meta("county_name", name.strip())
        store.set_meta("county_site_id", store.site_id)
        store.set_meta("county_sign_key", crypto.b64(signer.public_raw))
        store.set_meta("county_encrypt_key", crypto.b64(crypto.raw_public(enc)))
        if not store.get_meta("dedup_key"):
            store.set_meta("dedup_key", crypto.b64(os.urandom(32)))
        _record_key(store, store.site_id, crypto.raw_public(enc), "encrypt", name.strip())
        q.relax_live_unique_indexes(store)
    return county(store)


def add_station(store: Store, code: str, name: str = "", township: str = "",
                village: str = "", contact: str = "") -> dict:
    require_role(store, "county")
    code = code.strip().upper()
    if not (2 <= len(code) <= 12 and code.isascii() and code.isalnum()):
        raise ValidationError({"station_code": _("A station code has 2 to 12 letters or digits.")})
    with store.transaction():
        existing = q.station_by_code(store, code)
        if existing:
            return existing
        records.insert(
            store, "station",
            {"code": code, "name": name, "township": township, "village": village,
             "contact": contact, "approved": 0},
        )
    return q.station_by_code(store, code)  # type: ignore[return-value]


def write_pack(store: Store, station_code: str, out: Path, station_name: str = "") -> Path:
    """A county pack for one station: county identity and public keys, the station's code,
    the matching key for duplicates and the course catalog; signed by the county."""
    require_role(store, "county")
    # The station is registered only if its pack was written, and the pack appears only once
    # the station is registered (committed first, then renamed into place).
    with deferred_replace(), store.transaction():
        return _write_pack(store, station_code, Path(out), station_name)


def _write_pack(store: Store, station_code: str, out: Path, station_name: str) -> Path:
    entry = add_station(store, station_code, station_name)
    signer = certificates.signing_key(store)
    info = county(store)
    courses = [
        {k: v for k, v in row.items()}
        for row in q.changed_rows(store, "course", store.site_id, 0)
    ]
    body = {
        "format": PACK_FORMAT, "version": PACK_VERSION,
        "county": {"site_id": info.site_id, "code": info.code, "name": info.name,
                   "sign_public": crypto.b64(info.sign_public),
                   "encrypt_public": crypto.b64(info.encrypt_public)},
        "station": {"code": entry["code"], "name": entry["name"]},
        "dedup_key": store.get_meta("dedup_key"),
        "courses": courses,
        "site_keys": list(q.changed_rows(store, "site_key", store.site_id, 0)),
        "reads": rules.county_reads(),
    }
    data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    signed = json.dumps(
        {"pack": base64.b64encode(data).decode(), "signature": crypto.b64(signer.sign(data))}
    ).encode()
    return write_atomic_bytes(out, signed)


PACK_MAX = 16 * 1024 * 1024  # bytes; a pack holds the catalog and keys, a few KB


def read_pack(path: Path) -> dict:
    """A county pack's content, signed by the county key it names and well-formed: the county's
    fields, and course and key rows of the county that pass the checks of every synced row.
    Only a regular file of at most :data:`PACK_MAX` bytes is read (a pipe so named would
    block)."""
    name = Path(path).name
    try:
        with open_regular(Path(path)) as fh:
            raw = fh.read(PACK_MAX + 1)
        if len(raw) > PACK_MAX:
            raise ValueError("too large")
        outer = json.loads(raw)
        data = base64.b64decode(outer["pack"])
        body = json.loads(data)
        public = crypto.unb64(body["county"]["sign_public"])
        signature = crypto.unb64(outer["signature"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        raise ServiceError(
            _("{file} is not a county pack, or it is damaged.").format(file=name)) from None
    if body.get("format") != PACK_FORMAT or body.get("version") != PACK_VERSION:
        raise ServiceError(_("{file} is a county pack of an unsupported version.").format(
            file=name))
    if not keys.verify(public, data, signature):
        raise ServiceError(_("The county pack's signature does not match: it was altered."))
    if not _well_formed(body):
        raise ServiceError(
            _("{file} is not a county pack, or it is damaged.").format(file=name))
    return body


def _well_formed(body: dict) -> bool:
    county_ = body.get("county")
    station = body.get("station")
    return (isinstance(county_, dict)
            and all(isinstance(county_.get(k), str)
                    for k in ("site_id", "code", "name", "sign_public", "encrypt_public"))
            and isinstance(station, dict) and isinstance(station.get("code"), str)
            and isinstance(body.get("dedup_key"), str)
            and all(isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
                    for rows in (body.get("courses"), body.get("site_keys"))))


def _check_pack_rows(store: Store, body: dict, file: str) -> None:
    """The pack's courses and keys pass the checks of every synced row: the county's own rows,
    with the types of this database's columns (columns a newer county has and this station
    does not are left out, as they always were)."""
    try:
        for table, rows in (("course", body["courses"]), ("site_key", body["site_keys"])):
            types = q.column_types(store, table)
            for row in rows:
                rules.check(table, {k: v for k, v in row.items() if k in types}, types,
                            body["county"]["site_id"])
    except rules.RecordError:
        raise ServiceError(
            _("{file} is not a county pack, or it is damaged.").format(file=file)) from None


def setup_station(store: Store, pack_path: Path, discard_demo: bool = False) -> County:
    """Link this station to its county with the pack the county gave it.

    A database holding the demo station's practice records is refused with
    :class:`DemoDataError`; with ``discard_demo`` they are removed in the same transaction.
    When first linked, the station takes its name from the pack (when the pack has one)."""
    if role(store) == "county":
        raise ServiceError(_("This database is a county center's, not a station's."))
    body = read_pack(pack_path)
    _check_pack_rows(store, body, Path(pack_path).name)
    c = body["county"]
    current = store.get_meta("county_site_id")
    if current and current != c["site_id"]:
        raise ServiceError(_("This station is already linked to another county."))
    if current and store.get_meta("county_sign_key") != c["sign_public"]:
        # anyone can sign a pack with a key of their own: once linked, only the county's key
        raise ServiceError(_("This county pack is not signed with the key of the county this "
                             "station is linked to: it was forged or altered."))
    _check_demo(store, discard_demo)
    first_link = role(store) == ""
    pack_name = (body["station"].get("name") or "").strip()
    with store.transaction():
        discarded = _discard_demo(store)
        store.set_meta("role", "station")
        store.set_meta("county_site_id", c["site_id"])
        store.set_meta("county_code", c["code"])
        store.set_meta("county_name", c["name"])
        store.set_meta("county_sign_key", c["sign_public"])
        store.set_meta("county_encrypt_key", c["encrypt_public"])
        store.set_meta("dedup_key", body["dedup_key"])
        store.set_meta("station_code", body["station"]["code"])
        if first_link:  # afterwards the county's bundles say what its version reads
            from trainer_app.sync.export import remember_county_reads  # export imports site
            remember_county_reads(store, body.get("reads"))
        if pack_name and (first_link or not store.get_meta("station_name")):
            store.set_meta("station_name", pack_name)
        if discarded:
            _relabel_own_keys(store, store.get_meta("station_name") or "")
        for table, rows in (("course", body["courses"]), ("site_key", body["site_keys"])):
            names = q.columns(store, table)
            q.upsert(store, table, names, [tuple(r.get(n) for n in names) for r in rows])
        certificates.signing_key(store)
        # The county encrypts a rebuild file to this key if this PC must be rebuilt one day.
        _record_key(store, store.site_id, crypto.raw_public(encryption_key(store)), "encrypt",
                    store.get_meta("station_name") or "")
    return county(store)


def own_fingerprint(store: Store) -> str:
    return keys.fingerprint(certificates.signing_key(store).public_raw)
