"""The county hub's request handlers: authenticating a station's signed request, and the
upload endpoints (see :mod:`trainer_app.sync.hub` for the protocol)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import AsyncIterator

from aiohttp import web

from trainer_app.files import sha256_hex
from trainer_app.i18n import _
from trainer_app.security import keys
from trainer_app.sync import epochs, waiting
from trainer_app.sync.hub_state import (
    Caller,
    HubState,
    Refused,
    Upload,
    safe_name,
)

log = logging.getLogger("trainer_app.sync.hub")

PROTOCOL = 1
API = "/api/v1"
CLOCK_SKEW = 600  # seconds a station's clock may be off the hub's
HASH_RE = re.compile(r"^[0-9a-f]{64}$")


def signed_text(method: str, path: str, timestamp: str, body_sha256: str) -> bytes:
    return f"{method.upper()}\n{path}\n{timestamp}\n{body_sha256}".encode()


HUB: web.AppKey[HubState] = web.AppKey("hub", HubState)


# -- authentication ----------------------------------------------------------------------------
async def _authenticate(request: web.Request, body_sha256: str,
                        first_contact: bool = False) -> Caller:
    """The station that signed this request, or ``Refused(401)``. With ``first_contact``, a
    registered station without an approved key may sign with the key it sends in
    ``X-Trainer-Key`` (uploads only: see the module's description)."""
    hub = request.app[HUB]
    code = request.headers.get("X-Trainer-Station", "").strip().upper()
    stamp = request.headers.get("X-Trainer-Time", "").strip()
    signature = request.headers.get("X-Trainer-Signature", "").strip()
    sent_key = request.headers.get("X-Trainer-Key", "").strip()
    if not (code and stamp and signature):
        raise Refused(401, "unsigned", _("The request is not signed by a station."))
    if not (code.isascii() and code.isalnum() and len(code) <= 12):
        raise Refused(401, "unknown_station",
                       _("Station {code} is not in the county's register.").format(code=code))
    try:
        skew = abs(time.time() - int(stamp))
        raw_signature = base64.b64decode(signature, validate=True)
    except (ValueError, binascii.Error):
        raise Refused(401, "bad_signature",
                       _("The request's signature cannot be read.")) from None
    try:
        key = base64.b64decode(sent_key, validate=True) if sent_key else None
    except (ValueError, binascii.Error):
        key = b""
    if key is not None and len(key) != 32:
        raise Refused(401, "bad_key", _("The station's key in the request cannot be read."))
    if skew > CLOCK_SKEW:
        raise Refused(401, "clock", _(
            "The station's clock is more than 10 minutes off the county hub's: set the date "
            "and time on the station's computer."))
    row = await hub.lookup(hub._station, code)
    if row is None:
        raise Refused(401, "unknown_station",
                       _("Station {code} is not in the county's register.").format(code=code))
    if row["approved"] and row["sign_key"]:
        approved = base64.b64decode(row["sign_key"])
        if key is not None and key != approved:
            raise Refused(401, "wrong_key", _(
                "The request is signed with another key than the one the county approved for "
                "station {code}.").format(code=code))
        caller = Caller(row, approved, first_contact=False)
    elif not row["approved"] and not row["sign_key"] and key is not None and first_contact:
        caller = Caller(row, key, first_contact=True)
    elif key is not None and not row["approved"] and not row["sign_key"]:
        raise Refused(401, "not_approved", _(
            "Station {code} is not approved at the county yet: until then it may only upload "
            "its bundles.").format(code=code))
    else:
        raise Refused(401, "not_approved", _(
            "Station {code} is not approved at the county yet: its first bundle brings its key "
            "(upload it with this program's current version, or carry it on a USB stick), then "
            "the coordinator approves it.").format(code=code))
    message = signed_text(request.method, request.path, stamp, body_sha256)
    if not keys.verify(caller.key, message, raw_signature):
        raise Refused(401, "bad_signature", _(
            "The request's signature does not match station {code}'s key.").format(code=code))
    return caller


async def _read_small(request: web.Request) -> bytes:
    limit = request.app[HUB].limits.json_size
    if (request.content_length or 0) > limit:
        raise Refused(413, "too_large", _("The request is larger than allowed."))
    data = bytearray()
    while piece := await request.content.readany():
        data += piece
        if len(data) > limit:
            raise Refused(413, "too_large", _("The request is larger than allowed."))
    return bytes(data)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _upload_of(request: web.Request, caller: Caller) -> Upload:
    hub = request.app[HUB]
    upload = hub.uploads.get(request.match_info["id"])
    if upload is None or not caller.owns(upload):
        raise Refused(404, "no_upload", _("No such upload: start it again."))
    return upload


@web.middleware
async def errors_middleware(request: web.Request, handler):
    """One log line per refused request (the reason's code), and the JSON answer."""
    try:
        return await handler(request)
    except Refused as exc:
        log.warning("refused %s %s from %s: %d %s", request.method, request.path,
                    request.remote, exc.status, exc.code)
        return exc.response()
    except web.HTTPException as exc:  # no such address, method not allowed, body too large
        if exc.status >= 400:
            log.warning("refused %s %s from %s: %d", request.method, request.path,
                        request.remote, exc.status)
        raise


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
        raise Refused(400, "bad_request", _(
            "An upload needs a file name, its size and its SHA-256.")) from None
    if size > hub.limits.bundle_size:
        raise Refused(413, "too_large", _(
            "The bundle ({size} bytes) is larger than the county hub accepts ({limit} bytes)."
        ).format(size=size, limit=hub.limits.bundle_size), limit=hub.limits.bundle_size)
    stored = hub.stored_receipt(code, sha256)
    if caller.first_contact:
        # the same bundle still waiting for approval: its receipt again, nothing stored again
        if stored and stored.get("status") == "pending" and \
                waiting.holds(code, str(stored.get("file", "")), caller.key):
            log.info("station %s: %s is waiting for approval already", code, stored.get("file"))
            return web.json_response({"receipt": {**stored, "held": [], "gaps": []}})
    else:
        held = await hub.lookup(hub._held, code) if stored else {}
        # (a county database put back from an older backup may no longer hold it: take it
        # again; a bundle that was waiting is held once the coordinator approved the station)
        if stored and stored.get("status") in ("applied", "duplicate", "pending") and \
                epochs.holds(held, stored.get("epoch"), stored.get("seq")):
            log.info("station %s: %s was imported before", code, stored.get("file"))
            return web.json_response({"receipt": {
                **stored, "status": "duplicate", "reason": "",
                "message": _("{file} was imported before; nothing changed.").format(
                    file=stored.get("file", "")),
                "new": {}, "changed": {}, **held}})
    upload = hub.find(caller, sha256, size)
    if upload is not None:
        log.info("station %s: resuming upload %s at offset %d of %d", code, upload.id,
                 upload.offset, upload.size)
        return web.json_response({"id": upload.id, "offset": upload.offset})
    if caller.first_contact:
        limit = hub.limits.first_contact_uploads
        if hub.unfinished(code, caller.key) >= limit:
            raise Refused(429, "too_many_uploads", _(
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


@contextlib.asynccontextmanager
async def _holding(hub: HubState, upload: Upload) -> AsyncIterator[None]:
    """Hold an upload's lock (one request at a time writes it) while it is still open."""
    try:
        await asyncio.wait_for(upload.lock.acquire(), 10)
    except TimeoutError:
        raise Refused(409, "busy", _("This upload is busy."), offset=upload.offset) from None
    try:
        if upload.id not in hub.uploads:
            raise Refused(404, "no_upload", _("No such upload: start it again."))
        yield
    finally:
        upload.lock.release()


async def append_chunk(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    declared = request.headers.get("X-Trainer-Content-SHA256", "").strip().lower()
    if not HASH_RE.match(declared):
        # without the body's hash the signature cannot be checked before reading the body
        raise Refused(401, "unsigned", _("The request is not signed by a station."))
    caller = await _authenticate(request, declared, first_contact=True)
    upload = _upload_of(request, caller)
    try:
        offset = int(request.headers["Upload-Offset"])
    except (KeyError, ValueError):
        raise Refused(400, "bad_request", _("A chunk needs its Upload-Offset.")) from None
    length = request.content_length
    if length is not None and length > hub.limits.chunk_size:
        raise Refused(413, "too_large", _("The chunk is larger than allowed."),
                       limit=hub.limits.chunk_size)
    if length is not None and offset + length > upload.size:
        raise Refused(413, "too_large", _("The chunk goes past the upload's size."))
    if upload.lock.locked() and upload.reader is not None and offset == upload.offset:
        # The station sends one chunk at a time: a chunk still being read at the offset it
        # starts again from comes from a connection it gave up (one that died without a word).
        log.info("upload %s: a new chunk at %d replaces one still arriving", upload.id, offset)
        transport = upload.reader.transport
        if transport is not None:
            transport.close()  # its body read ends with a connection error: the chunk is dropped
    async with _holding(hub, upload):
        if offset != upload.offset:
            raise Refused(409, "offset", _("The upload is at another offset."),
                           offset=upload.offset)
        new = await _stream_chunk(request, hub, upload, declared)
    return web.json_response({"offset": new})


async def _stream_chunk(request: web.Request, hub: HubState, upload: Upload,
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
                raise Refused(413, "too_large", _("The chunk is larger than allowed."),
                               offset=start)
            digest.update(piece)
            fh.write(piece)
        if request.content_length is not None and count != request.content_length:
            raise Refused(400, "incomplete", _("The chunk is incomplete."), offset=start)
        if digest.hexdigest() != declared:
            raise Refused(400, "checksum", _("The chunk was damaged on the way."),
                           offset=start)
        fh.flush()
        await asyncio.get_running_loop().run_in_executor(None, os.fsync, fh.fileno())
        done = True
    except (TimeoutError, ConnectionError) as exc:
        log.info("upload %s: chunk at %d broken off after %d bytes (%s)", upload.id, start,
                 count, exc)
        raise Refused(408 if isinstance(exc, TimeoutError) else 400, "incomplete",
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
    async with _holding(hub, upload):
        if upload.offset != upload.size:
            raise Refused(409, "offset", _("Part of the file has not arrived yet."),
                           offset=upload.offset)
        actual = await loop.run_in_executor(None, sha256_hex, hub._part(upload.id))
        if actual != upload.sha256:
            hub.drop(upload)
            raise Refused(422, "checksum", _(
                "The uploaded file differs from the station's (SHA-256); it was dropped: "
                "upload it again."))
        path = hub.place(upload)
    log.info("station %s: received %s, importing", upload.station, path.name)
    try:
        answer = await loop.run_in_executor(hub.imports, hub.import_received, path,
                                            upload.station,
                                            caller.key if caller.first_contact else None)
    except Refused:
        raise
    except Exception as exc:  # the database is busy or broken: the station tries again later
        log.exception("station %s: importing %s failed", upload.station, path.name)
        raise Refused(503, "import_failed", _(
            "The county hub could not import {file}: {error}").format(
                file=path.name, error=exc)) from None
    if answer["status"] in ("applied", "duplicate", "pending"):
        hub.store_receipt(upload.station, upload.sha256, answer)
    log.info("station %s: %s %s", upload.station, path.name, answer["status"])
    return web.json_response(answer)
