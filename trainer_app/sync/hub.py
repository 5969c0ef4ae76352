"""The county hub: stations upload their bundles over HTTP; the hub imports them.

``python -m trainer_app --db COUNTY.db hub serve --host 127.0.0.1 --port 8470`` runs
:func:`serve`; tests and the GUI use :func:`make_app` and :func:`start` (a hub in a background
thread). The server is aiohttp (asyncio, request bodies streamed to disk).

Protocol (version 1, JSON answers, a small tus-like resumable upload)
--------------------------------------------------------------------

Every request except ``ping`` is signed by the station::

    X-Trainer-Station:   <station code>
    X-Trainer-Time:      <unix seconds>
    X-Trainer-Key:       <base64 raw Ed25519 public key of the station> (see "first contact")
    X-Trainer-Signature: <base64 Ed25519 signature over
                          "METHOD\\nPATH\\nTIME\\n<SHA-256 hex of the request body>">

A ``PATCH`` also sends the body's hash in ``X-Trainer-Content-SHA256``, so its signature is
checked before the body is read. Which key the signature is checked with:

*An approved station* (its key approved by the coordinator, see
:func:`trainer_app.sync.exchange.approve`): the approved key, always. ``X-Trainer-Key`` may be
left out; when it is sent it must be that key.

*First contact* — a station in the register whose key is not known yet (not approved, no key):
its key travels in its first bundle, which may be uploaded instead of carried on a USB stick.
The request carries ``X-Trainer-Key`` and is verified with that key (same signed text, same
clock window). Such a request may only create, append to and complete uploads (``POST
/uploads``, ``PATCH /uploads/{id}``, ``POST /uploads/{id}/complete``), and only for uploads
started with the same key. A completed upload is imported as usual and, the station not being
approved, kept waiting as a file in the pending folder (``exchange.pending_dir()/<station>``,
not in ``received/``; the database does not change); the receipt says ``pending`` with the
key's fingerprint, which the coordinator compares with the one the station shows before
approving. Approving applies the waiting bundles; from then on the station signs with the
approved key and its receipts list them in ``held``. The bundle's manifest must name the same
station and carry the same key as the request (else it is rejected, ``wrong_sender``, and not
kept). So that a station not approved yet cannot fill the county's disk, it may have at most
``HubLimits.first_contact_uploads`` unfinished uploads and
``HubLimits.first_contact_pending`` bundles waiting (3 each); past that the hub answers
``429`` (``too_many_uploads``, ``too_many_pending``). One key waits per station: while bundles
carrying another key wait for it, a first contact is refused with ``409 other_key_waiting``
(the coordinator sorts it out). A bundle already waiting is recognised (the same receipt,
nothing stored again).

The hub refuses with ``401`` when the station is not in the register, the signature does not
match, the time is more than 10 minutes off the hub's clock, an approved station sends another
``X-Trainer-Key`` than its approved one, a station not approved sends no key (or asks for
anything but an upload), or a station has a key that is not approved. Errors are JSON:
``{"error": code, "message": text}``.

``GET /api/v1/ping``
    ``{"county": code, "name": name, "protocol": 1}`` without signature: the hub answers.
``POST /api/v1/uploads`` with ``{"name": file name, "size": bytes, "sha256": hex}``
    ``201 {"id": upload id, "offset": 0}`` for a new upload; ``200 {"id", "offset"}`` when this
    station already has an unfinished upload of the same file (resume from ``offset``);
    ``200 {"receipt": {...}}`` when that file was imported before (a duplicate: nothing changes);
    ``413`` when ``size`` is above the hub's bundle limit; ``429`` past a first contact's limits.
``PATCH /api/v1/uploads/{id}`` with ``Upload-Offset: n`` and a chunk as the body
    Appends the chunk when ``n`` is the upload's current offset: ``200 {"offset": new}``;
    otherwise ``409 {"offset": current}``. A chunk is all or nothing: a broken connection, a
    chunk whose hash differs from ``X-Trainer-Content-SHA256`` (``400``), or one above the chunk
    limit or past the declared size (``413``) leaves the offset where it was. The body is
    streamed to ``INBOX/partial/<id>.part``, never held in memory.
``GET /api/v1/uploads/{id}``
    ``{"offset": n, "size": total}`` (approved stations only).
``POST /api/v1/uploads/{id}/complete``
    Checks the size and SHA-256 (``409 {"offset"}`` if bytes are missing, ``422`` and the upload
    is dropped if the hash differs), moves the file to ``INBOX/received/<station>/<name>`` (the
    name reduced to a plain ``*.trbundle`` file name), imports it with
    :func:`trainer_app.sync.exchange.import_file` — the same code path as a USB import — and
    answers with the receipt ``{"status": applied|duplicate|pending|rejected, "reason",
    "message", "file", "seq", "new", "changed", "held": [bundle numbers of this station the county
    holds], "gaps": [missing numbers]}``.

Only a station's own bundles are accepted (the manifest's sender must be the signing station;
on first contact its key must also be the request's key).
Requests are signed, not encrypted: the bundles themselves are encrypted to the county and
signed by the station; a county that wants TLS puts the hub behind a TLS reverse proxy.
Replaying a captured request within the 10 minutes changes nothing: chunks need the current
offset, and an imported bundle is recognised.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from trainer_app import paths
from trainer_app.i18n import _
from trainer_app.security import keys
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.store import sync as q
from trainer_app.sync import bundle, crypto, epochs, exchange, site

log = logging.getLogger(__name__)

PROTOCOL = 1
API = "/api/v1"
CLOCK_SKEW = 600  # seconds a station's clock may be off the hub's
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
ID_RE = re.compile(r"^[0-9a-f]{32}$")
PIECE = 64 * 1024  # bytes read from the socket at a time


@dataclass(frozen=True)
class HubLimits:
    bundle_size: int = bundle.DEFAULT_LIMITS.file_size  # one uploaded bundle (512 MiB)
    chunk_size: int = 8 * 1024 * 1024  # one PATCH body
    json_size: int = 16 * 1024  # a JSON request body
    open_uploads: int = 8  # unfinished uploads kept per station (the oldest is dropped)
    read_timeout: float = 60.0  # seconds without a byte of a chunk
    stale_after: float = 7 * 24 * 3600  # unfinished uploads older than this are dropped
    # a station not approved yet (first contact): refused (429) past these
    first_contact_uploads: int = 3  # its unfinished uploads
    first_contact_pending: int = 3  # its bundles waiting for approval in the pending folder


@dataclass
class _Upload:
    id: str
    station: str
    name: str
    size: int
    sha256: str
    created: float
    offset: int
    key: bytes = b""  # the first-contact key it was started with (b"": an approved station)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    reader: web.Request | None = field(default=None, repr=False)  # the chunk being read


@dataclass(frozen=True)
class _Caller:
    """An authenticated request: the station's register row, the key its signature was
    verified with, and whether that is a first contact (a key not approved yet)."""

    row: dict
    key: bytes
    first_contact: bool

    @property
    def code(self) -> str:
        return self.row["code"]

    def owns(self, upload: _Upload) -> bool:
        if upload.station != self.code:
            return False
        if self.first_contact:
            return upload.key == self.key
        return upload.key in (b"", self.key)


class _Refused(Exception):
    """An error answer: status, code, message and extra JSON fields."""

    def __init__(self, status: int, code: str, message: str, **extra) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def response(self) -> web.Response:
        return web.json_response({"error": self.code, "message": self.message, **self.extra},
                                 status=self.status)


def safe_name(name: object, fallback: str) -> str:
    """A plain file name ending ``.trbundle`` made of the client's name: no folders, no
    special characters, never empty or hidden."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    if text.endswith(bundle.SUFFIX):
        text = text[: -len(bundle.SUFFIX)]
    text = re.sub(r"[^A-Za-z0-9._-]", "_", text).strip("._")[:100]
    return (text or fallback) + bundle.SUFFIX


def signed_text(method: str, path: str, timestamp: str, body_sha256: str) -> bytes:
    return f"{method.upper()}\n{path}\n{timestamp}\n{body_sha256}".encode()


def default_inbox() -> Path:
    """Where :func:`serve` keeps uploads: beside the inbox of bundles waiting for approval."""
    return paths.data_dir() / "inbox"


# -- the hub's state -------------------------------------------------------------------------
class _Hub:
    def __init__(self, db_path: Path, inbox_dir: Path, limits: HubLimits) -> None:
        self.db_path = Path(db_path)
        self.inbox = Path(inbox_dir)
        self.limits = limits
        self.partial = self.inbox / "partial"
        self.received = self.inbox / "received"
        self.receipts = self.inbox / "receipts"
        for folder in (self.partial, self.received, self.receipts):
            folder.mkdir(parents=True, exist_ok=True)
        store = Store(self.db_path)
        try:
            site.require_role(store, "county")
            info = site.county(store)
        finally:
            store.close()
        self.county_code, self.county_name = info.code, info.name
        self.uploads: dict[str, _Upload] = {}
        # One thread reads the register (its own Store, kept open), one imports bundles (one at a
        # time, each with a Store opened in that thread): sqlite connections stay in their thread.
        self.lookups = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="hub-lookup")
        self.imports = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="hub-import")
        self._local = threading.local()
        self._load_partial()

    # register look-ups (in the lookup thread)
    def _store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.db_path)
        return store

    def _close_store(self) -> None:
        store = getattr(self._local, "store", None)
        if store is not None:
            store.close()
            self._local.store = None

    def _station(self, code: str) -> dict | None:
        return q.station_by_code(self._store(), code)

    def _held(self, code: str) -> list[int]:
        row = q.station_by_code(self._store(), code)
        return epochs.lineage_seqs(self._store(), row["site_id"]) if row and row["site_id"] \
            else []

    async def lookup(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.lookups, fn, *args)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.lookups, self._close_store)
        await loop.run_in_executor(None, self.lookups.shutdown)
        await loop.run_in_executor(None, self.imports.shutdown)

    # unfinished uploads (files under partial/)
    def _load_partial(self) -> None:
        now = time.time()
        for meta in self.partial.glob("*.json"):
            try:
                data = json.loads(meta.read_text("utf-8"))
                upload = _Upload(id=data["id"], station=data["station"], name=data["name"],
                                 size=int(data["size"]), sha256=data["sha256"],
                                 created=float(data["created"]), offset=0,
                                 key=crypto.unb64(data.get("key") or ""))
                part = self._part(upload.id)
                upload.offset = min(part.stat().st_size, upload.size)
            except (OSError, ValueError, KeyError, TypeError):
                self._drop_files(meta.stem)
                continue
            if now - upload.created > self.limits.stale_after or not ID_RE.match(upload.id):
                self._drop_files(upload.id)
            else:
                self.uploads[upload.id] = upload

    def _part(self, upload_id: str) -> Path:
        return self.partial / f"{upload_id}.part"

    def _drop_files(self, upload_id: str) -> None:
        for suffix in (".part", ".json"):
            with contextlib.suppress(OSError):
                (self.partial / f"{upload_id}{suffix}").unlink()

    def drop(self, upload: _Upload) -> None:
        self.uploads.pop(upload.id, None)
        self._drop_files(upload.id)

    def create(self, station: str, name: str, size: int, sha256: str,
               key: bytes = b"") -> _Upload:
        mine = sorted((u for u in self.uploads.values() if u.station == station),
                      key=lambda u: u.created)
        for old in mine[: max(0, len(mine) - self.limits.open_uploads + 1)]:
            if not old.lock.locked():
                log.info("dropping unfinished upload %s of station %s", old.id, station)
                self.drop(old)
        upload = _Upload(id=secrets.token_hex(16), station=station, name=name, size=size,
                         sha256=sha256, created=time.time(), offset=0, key=key)
        self._part(upload.id).touch()
        meta = {"id": upload.id, "station": station, "name": name, "size": size,
                "sha256": sha256, "created": upload.created, "key": crypto.b64(key)}
        tmp = self.partial / f"{upload.id}.json.tmp"
        tmp.write_text(json.dumps(meta), "utf-8")
        os.replace(tmp, self.partial / f"{upload.id}.json")
        self.uploads[upload.id] = upload
        return upload

    def find(self, caller: _Caller, sha256: str, size: int) -> _Upload | None:
        for upload in self.uploads.values():
            if caller.owns(upload) and upload.sha256 == sha256 and upload.size == size:
                return upload
        return None

    def unfinished(self, station: str) -> int:
        return sum(1 for u in self.uploads.values() if u.station == station)

    # bundles of stations not approved yet, waiting as files (see exchange.import_file)
    @staticmethod
    def pending_folder(station: str) -> Path:
        return exchange.pending_dir() / station

    def check_waiting(self, station: str, key: bytes) -> None:
        """Refuse a first contact when the station already has as many bundles waiting as
        allowed, or bundles carrying another key (one key waits per station, so the
        fingerprint the coordinator compares, and the key approving takes, is that one)."""
        folder = self.pending_folder(station)
        waiting = sorted(folder.glob(f"*{bundle.SUFFIX}")) if folder.is_dir() else []
        limit = self.limits.first_contact_pending
        if len(waiting) >= limit:
            raise _Refused(429, "too_many_pending", _(
                "{limit} bundles of station {code} are already waiting for the coordinator to "
                "approve its key: approve the station at the county before sending more."
            ).format(limit=limit, code=station), limit=limit)
        for path in waiting:
            try:
                other = _raw_key((bundle.read_header(path).manifest.get("sender") or {})
                                 .get("sign_public"))
            except (bundle.BundleError, OSError):
                continue
            if other is not None and other != key:
                raise _Refused(409, "other_key_waiting", _(
                    "A bundle with another key (fingerprint {other}) is already waiting for the "
                    "county to approve station {code}; this station's key is {mine}. Ask the "
                    "county coordinator: the bundles with the wrong key must be removed from "
                    "the county's pending folder before this station can be approved.").format(
                        other=keys.fingerprint(other), code=station,
                        mine=keys.fingerprint(key)))

    # receipts of imported files, by the file's SHA-256 (a duplicate upload is answered at once)
    def _receipt_path(self, station: str, sha256: str) -> Path:
        return self.receipts / station / f"{sha256}.json"

    def stored_receipt(self, station: str, sha256: str) -> dict | None:
        try:
            return json.loads(self._receipt_path(station, sha256).read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def store_receipt(self, station: str, sha256: str, receipt: dict) -> None:
        path = self._receipt_path(station, sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(receipt, ensure_ascii=False), "utf-8")
        os.replace(tmp, path)

    def place(self, upload: _Upload) -> Path:
        """Move a finished upload to ``received/<station>/<name>`` (never over another file,
        nor under the name of a bundle of that station waiting in the pending folder, where the
        import keeps a copy by name)."""
        folder = self.received / upload.station
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / upload.name
        stem = upload.name[: -len(bundle.SUFFIX)]
        waiting = self.pending_folder(upload.station)
        n = 1
        while target.exists() or (waiting / target.name).exists():
            n += 1
            target = folder / f"{stem}-{n}{bundle.SUFFIX}"
        os.replace(self._part(upload.id), target)
        self._drop_files(upload.id)
        self.uploads.pop(upload.id, None)
        return target

    # importing (in the import thread)
    def import_received(self, path: Path, station: str, key: bytes | None = None) -> dict:
        """Import a finished upload of ``station``; ``key`` is the request's key on a first
        contact (the station not approved when it completed the upload)."""
        store = Store(self.db_path)
        try:
            row = q.station_by_code(store, station)
            first = key is not None and row is not None and not row["approved"] \
                and not row["sign_key"]
            if first:
                try:
                    self.check_waiting(station, key)
                except _Refused:
                    _unlink(path)
                    raise
            try:
                sender = bundle.read_header(path).manifest.get("sender") or {}
            except (bundle.BundleError, OSError):
                sender = None  # import_file says what is wrong with it
            code = sender.get("code") if sender is not None else station
            if code != station:
                report = exchange.ImportReport(
                    file=path.name, status="rejected", reason="wrong_sender",
                    message=_("{file}: it is another station's bundle ({code}); each station "
                              "uploads its own.").format(file=path.name, code=code))
            elif first and sender is not None and _raw_key(sender.get("sign_public")) != key:
                report = exchange.ImportReport(
                    file=path.name, status="rejected", reason="wrong_sender",
                    message=_("{file}: it carries another key than the one station {code} "
                              "signs its upload with; each station uploads its own bundles."
                              ).format(file=path.name, code=station))
            else:
                report = exchange.import_file(store, path)
            if first and report.status == "pending":
                report.message = _(
                    "{file}: received. Waiting for the county to approve this station's key; "
                    "compare fingerprint {fingerprint} with the coordinator.").format(
                        file=path.name, fingerprint=keys.fingerprint(key))
            if first and report.status in ("pending", "rejected"):
                # kept in the pending folder (a copy) or not at all: nothing piles up here
                _unlink(path)
            row = q.station_by_code(store, station)
            # along the station's current epoch: numbers of an epoch it left are not its bundles
            held = epochs.lineage_seqs(store, row["site_id"]) if row and row["site_id"] else []
        finally:
            store.close()
        return receipt(report, held)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _raw_key(text: object) -> bytes | None:
    try:
        return crypto.unb64(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _gaps(held: list[int]) -> list[int]:
    return sorted(set(range(1, max(held) + 1)) - set(held)) if held else []


def receipt(report: exchange.ImportReport, held: list[int]) -> dict:
    """The answer to an upload: what the import did, and which bundles the county holds."""
    return {"status": report.status, "reason": report.reason, "message": report.message,
            "detail": report.detail,
            "file": report.file, "seq": report.seq, "new": report.new,
            "changed": report.changed, "held": held, "gaps": _gaps(held)}


HUB: web.AppKey[_Hub] = web.AppKey("hub", _Hub)


# -- authentication ----------------------------------------------------------------------------
async def _authenticate(request: web.Request, body_sha256: str,
                        first_contact: bool = False) -> _Caller:
    """The station that signed this request, or ``_Refused(401)``. With ``first_contact``, a
    registered station without an approved key may sign with the key it sends in
    ``X-Trainer-Key`` (uploads only: see the module's description)."""
    hub = request.app[HUB]
    code = request.headers.get("X-Trainer-Station", "").strip().upper()
    stamp = request.headers.get("X-Trainer-Time", "").strip()
    signature = request.headers.get("X-Trainer-Signature", "").strip()
    sent_key = request.headers.get("X-Trainer-Key", "").strip()
    if not (code and stamp and signature):
        raise _Refused(401, "unsigned", _("The request is not signed by a station."))
    if not (code.isascii() and code.isalnum() and len(code) <= 12):
        raise _Refused(401, "unknown_station",
                       _("Station {code} is not in the county's register.").format(code=code))
    try:
        skew = abs(time.time() - int(stamp))
        raw_signature = base64.b64decode(signature, validate=True)
    except (ValueError, binascii.Error):
        raise _Refused(401, "bad_signature",
                       _("The request's signature cannot be read.")) from None
    try:
        key = base64.b64decode(sent_key, validate=True) if sent_key else None
    except (ValueError, binascii.Error):
        key = b""
    if key is not None and len(key) != 32:
        raise _Refused(401, "bad_key", _("The station's key in the request cannot be read."))
    if skew > CLOCK_SKEW:
        raise _Refused(401, "clock", _(
            "The station's clock is more than 10 minutes off the county hub's: set the date "
            "and time on the station's computer."))
    row = await hub.lookup(hub._station, code)
    if row is None:
        raise _Refused(401, "unknown_station",
                       _("Station {code} is not in the county's register.").format(code=code))
    if row["approved"] and row["sign_key"]:
        approved = base64.b64decode(row["sign_key"])
        if key is not None and key != approved:
            raise _Refused(401, "wrong_key", _(
                "The request is signed with another key than the one the county approved for "
                "station {code}.").format(code=code))
        caller = _Caller(row, approved, first_contact=False)
    elif not row["approved"] and not row["sign_key"] and key is not None and first_contact:
        caller = _Caller(row, key, first_contact=True)
    elif key is not None and not row["approved"] and not row["sign_key"]:
        raise _Refused(401, "not_approved", _(
            "Station {code} is not approved at the county yet: until then it may only upload "
            "its bundles.").format(code=code))
    else:
        raise _Refused(401, "not_approved", _(
            "Station {code} is not approved at the county yet: its first bundle brings its key "
            "(upload it with this program's current version, or carry it on a USB stick), then "
            "the coordinator approves it.").format(code=code))
    message = signed_text(request.method, request.path, stamp, body_sha256)
    if not keys.verify(caller.key, message, raw_signature):
        raise _Refused(401, "bad_signature", _(
            "The request's signature does not match station {code}'s key.").format(code=code))
    return caller


async def _read_small(request: web.Request) -> bytes:
    limit = request.app[HUB].limits.json_size
    if (request.content_length or 0) > limit:
        raise _Refused(413, "too_large", _("The request is larger than allowed."))
    data = bytearray()
    while piece := await request.content.readany():
        data += piece
        if len(data) > limit:
            raise _Refused(413, "too_large", _("The request is larger than allowed."))
    return bytes(data)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _upload_of(request: web.Request, caller: _Caller) -> _Upload:
    hub = request.app[HUB]
    upload = hub.uploads.get(request.match_info["id"])
    if upload is None or not caller.owns(upload):
        raise _Refused(404, "no_upload", _("No such upload: start it again."))
    return upload


@web.middleware
async def _errors(request: web.Request, handler):
    try:
        return await handler(request)
    except _Refused as exc:
        if exc.status == 401:
            log.warning("refused %s %s from %s: %s", request.method, request.path,
                        request.remote, exc.code)
        return exc.response()


# -- handlers ----------------------------------------------------------------------------------
async def ping(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    return web.json_response({"county": hub.county_code, "name": hub.county_name,
                              "protocol": PROTOCOL})


async def create_upload(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    body = await _read_small(request)
    caller = await _authenticate(request, _sha(body), first_contact=True)
    code = caller.code
    try:
        data = json.loads(body)
        size, sha256 = data["size"], str(data["sha256"]).lower()
        if not (isinstance(size, int) and size > 0 and HASH_RE.match(sha256)):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise _Refused(400, "bad_request", _(
            "An upload needs a file name, its size and its SHA-256.")) from None
    if size > hub.limits.bundle_size:
        raise _Refused(413, "too_large", _(
            "The bundle ({size} bytes) is larger than the county hub accepts ({limit} bytes)."
        ).format(size=size, limit=hub.limits.bundle_size), limit=hub.limits.bundle_size)
    stored = hub.stored_receipt(code, sha256)
    if caller.first_contact:
        # the same bundle still waiting for approval: its receipt again, nothing stored again
        if stored and stored.get("status") == "pending" and \
                (hub.pending_folder(code) / Path(str(stored.get("file", ""))).name).is_file():
            log.info("station %s: %s is waiting for approval already", code, stored.get("file"))
            return web.json_response({"receipt": {**stored, "held": [], "gaps": []}})
    else:
        held = await hub.lookup(hub._held, code) if stored else []
        # (a county database put back from an older backup may no longer hold it: take it
        # again; a bundle that was waiting is held once the coordinator approved the station)
        if stored and stored.get("status") in ("applied", "duplicate", "pending") and \
                stored.get("seq") in held:
            log.info("station %s: %s was imported before", code, stored.get("file"))
            return web.json_response({"receipt": {
                **stored, "status": "duplicate", "reason": "",
                "message": _("{file} was imported before; nothing changed.").format(
                    file=stored.get("file", "")),
                "new": {}, "changed": {}, "held": held, "gaps": _gaps(held)}})
    upload = hub.find(caller, sha256, size)
    if upload is not None:
        log.info("station %s: resuming upload %s at offset %d of %d", code, upload.id,
                 upload.offset, upload.size)
        return web.json_response({"id": upload.id, "offset": upload.offset})
    if caller.first_contact:
        limit = hub.limits.first_contact_uploads
        if hub.unfinished(code) >= limit:
            raise _Refused(429, "too_many_uploads", _(
                "Station {code} already has {limit} unfinished uploads and is not approved yet: "
                "finish those first, or wait until the county approves the station."
            ).format(code=code, limit=limit), limit=limit)
        await asyncio.get_running_loop().run_in_executor(None, hub.check_waiting, code,
                                                         caller.key)
    name = safe_name(data.get("name"), f"{code}-upload")
    upload = hub.create(code, name, size, sha256, caller.key if caller.first_contact else b"")
    log.info("station %s: new upload %s (%s, %d bytes)%s", code, upload.id, name, size,
             f", first contact with key {keys.fingerprint(caller.key)}"
             if caller.first_contact else "")
    return web.json_response({"id": upload.id, "offset": 0}, status=201)


async def upload_state(request: web.Request) -> web.Response:
    caller = await _authenticate(request, _sha(b""))
    upload = _upload_of(request, caller)
    return web.json_response({"offset": upload.offset, "size": upload.size})


async def append_chunk(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    declared = request.headers.get("X-Trainer-Content-SHA256", "").strip().lower()
    if not HASH_RE.match(declared):
        # without the body's hash the signature cannot be checked before reading the body
        raise _Refused(401, "unsigned", _("The request is not signed by a station."))
    caller = await _authenticate(request, declared, first_contact=True)
    upload = _upload_of(request, caller)
    try:
        offset = int(request.headers["Upload-Offset"])
    except (KeyError, ValueError):
        raise _Refused(400, "bad_request", _("A chunk needs its Upload-Offset.")) from None
    length = request.content_length
    if length is not None and length > hub.limits.chunk_size:
        raise _Refused(413, "too_large", _("The chunk is larger than allowed."),
                       limit=hub.limits.chunk_size)
    if length is not None and offset + length > upload.size:
        raise _Refused(413, "too_large", _("The chunk goes past the upload's size."))
    if upload.lock.locked() and upload.reader is not None and offset == upload.offset:
        # The station sends one chunk at a time: a chunk still being read at the offset it
        # starts again from comes from a connection it gave up (one that died without a word).
        log.info("upload %s: a new chunk at %d replaces one still arriving", upload.id, offset)
        transport = upload.reader.transport
        if transport is not None:
            transport.close()  # its body read ends with a connection error: the chunk is dropped
    try:
        await asyncio.wait_for(upload.lock.acquire(), 10)
    except TimeoutError:
        raise _Refused(409, "busy", _("This upload is busy."), offset=upload.offset) from None
    try:
        if upload.id not in hub.uploads:
            raise _Refused(404, "no_upload", _("No such upload: start it again."))
        if offset != upload.offset:
            raise _Refused(409, "offset", _("The upload is at another offset."),
                           offset=upload.offset)
        new = await _stream_chunk(request, hub, upload, declared)
    finally:
        upload.lock.release()
    return web.json_response({"offset": new})


async def _stream_chunk(request: web.Request, hub: _Hub, upload: _Upload,
                        declared: str) -> int:
    """Append the body at the upload's offset; all of it or nothing."""
    start = upload.offset
    limit = min(hub.limits.chunk_size, upload.size - start)
    digest = hashlib.sha256()
    count = 0
    done = False
    fh = hub._part(upload.id).open("r+b")
    upload.reader = request
    try:
        fh.seek(start)
        fh.truncate()
        while True:
            piece = await asyncio.wait_for(request.content.readany(), hub.limits.read_timeout)
            if not piece:
                break
            count += len(piece)
            if count > limit:
                raise _Refused(413, "too_large", _("The chunk is larger than allowed."),
                               offset=start)
            digest.update(piece)
            fh.write(piece)
        if request.content_length is not None and count != request.content_length:
            raise _Refused(400, "incomplete", _("The chunk is incomplete."), offset=start)
        if digest.hexdigest() != declared:
            raise _Refused(400, "checksum", _("The chunk was damaged on the way."),
                           offset=start)
        fh.flush()
        await asyncio.get_running_loop().run_in_executor(None, os.fsync, fh.fileno())
        done = True
    except (TimeoutError, ConnectionError) as exc:
        log.info("upload %s: chunk at %d broken off after %d bytes (%s)", upload.id, start,
                 count, exc)
        raise _Refused(408 if isinstance(exc, TimeoutError) else 400, "incomplete",
                       _("The chunk is incomplete."), offset=start) from None
    finally:
        upload.reader = None
        if not done:
            with contextlib.suppress(OSError):
                fh.seek(start)
                fh.truncate()
        fh.close()
    upload.offset = start + count
    log.info("upload %s: %d bytes at offset %d, now %d of %d", upload.id, count, start,
             upload.offset, upload.size)
    return upload.offset


async def complete_upload(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    body = await _read_small(request)
    caller = await _authenticate(request, _sha(body), first_contact=True)
    upload = _upload_of(request, caller)
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(upload.lock.acquire(), 10)
    except TimeoutError:
        raise _Refused(409, "busy", _("This upload is busy."), offset=upload.offset) from None
    try:
        if upload.id not in hub.uploads:
            raise _Refused(404, "no_upload", _("No such upload: start it again."))
        if upload.offset != upload.size:
            raise _Refused(409, "offset", _("Part of the file has not arrived yet."),
                           offset=upload.offset)
        actual = await loop.run_in_executor(None, _file_sha256, hub._part(upload.id))
        if actual != upload.sha256:
            hub.drop(upload)
            raise _Refused(422, "checksum", _(
                "The uploaded file differs from the station's (SHA-256); it was dropped: "
                "upload it again."))
        path = hub.place(upload)
    finally:
        upload.lock.release()
    log.info("station %s: received %s, importing", upload.station, path.name)
    try:
        answer = await loop.run_in_executor(hub.imports, hub.import_received, path,
                                            upload.station,
                                            caller.key if caller.first_contact else None)
    except _Refused:
        raise
    except Exception as exc:  # the database is busy or broken: the station tries again later
        log.exception("station %s: importing %s failed", upload.station, path.name)
        raise _Refused(503, "import_failed", _(
            "The county hub could not import {file}: {error}").format(
                file=path.name, error=exc)) from None
    if answer["status"] in ("applied", "duplicate", "pending"):
        hub.store_receipt(upload.station, upload.sha256, answer)
    log.info("station %s: %s %s", upload.station, path.name, answer["status"])
    return web.json_response(answer)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


# -- the application -----------------------------------------------------------------------------
def make_app(db_path: Path, inbox_dir: Path | None = None,
             limits: HubLimits | None = None) -> web.Application:
    """The hub as an aiohttp application, for :func:`serve`, :func:`start` and tests.

    ``db_path`` is the county's database (raises :class:`ServiceError` if it is not a county);
    ``inbox_dir`` holds ``partial/``, ``received/`` and ``receipts/`` (default:
    :func:`default_inbox`)."""
    hub = _Hub(Path(db_path), Path(inbox_dir) if inbox_dir else default_inbox(),
               limits or HubLimits())
    app = web.Application(middlewares=[_errors], client_max_size=hub.limits.json_size)
    app[HUB] = hub

    async def _cleanup(_app: web.Application) -> None:
        await hub.close()

    app.on_cleanup.append(_cleanup)
    app.router.add_get(f"{API}/ping", ping)
    app.router.add_post(f"{API}/uploads", create_upload)
    app.router.add_get(f"{API}/uploads/{{id}}", upload_state)
    app.router.add_patch(f"{API}/uploads/{{id}}", append_chunk)
    app.router.add_post(f"{API}/uploads/{{id}}/complete", complete_upload)
    return app


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8470,
          inbox_dir: Path | None = None, limits: HubLimits | None = None) -> None:
    """Run the hub until Ctrl+C (``hub serve --host H --port P``)."""
    app = make_app(db_path, inbox_dir, limits)
    hub = app[HUB]
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    announce = _("County hub of {name} ({code}) at http://{host}:{port}/ — uploads are kept in "
                 "{inbox}. Press Ctrl+C to stop.").format(
        name=hub.county_name, code=hub.county_code, host=host, port=port, inbox=hub.inbox)
    web.run_app(app, host=host, port=port, print=lambda *_args: print(announce, flush=True),
                shutdown_timeout=5)


class RunningHub:
    """A hub serving in a background thread with its own event loop (GUI, tests)."""

    def __init__(self, app: web.Application, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=2)
        self._error: BaseException | None = None
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._runner.setup())
                tcp = web.TCPSite(self._runner, host, port)
                self._loop.run_until_complete(tcp.start())
                self.port = self._runner.addresses[0][1]
            except BaseException as exc:  # reported to the starting thread
                self._error = exc
                started.set()
                self._loop.run_until_complete(self._runner.cleanup())
                self._loop.close()
                return
            started.set()
            try:
                self._loop.run_forever()
            finally:
                self._loop.run_until_complete(self._runner.cleanup())
                left = asyncio.all_tasks(self._loop)
                for task in left:
                    task.cancel()
                self._loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
                self._loop.close()

        self._thread = threading.Thread(target=run, name="trainer-hub", daemon=True)
        self._thread.start()
        started.wait(30)
        if self._error is not None:
            raise ServiceError(_("The county hub cannot listen on {host}:{port}: {error}").format(
                host=host, port=port, error=self._error))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(15)


def start(db_path: Path, host: str = "127.0.0.1", port: int = 0,
          inbox_dir: Path | None = None, limits: HubLimits | None = None) -> RunningHub:
    """Serve the hub in a background thread; ``port=0`` picks a free port (see ``.url``)."""
    return RunningHub(make_app(db_path, inbox_dir, limits), host, port)
