"""The county hub's state: unfinished uploads on disk, what first contacts may leave waiting,
receipts of imported files, and importing a finished upload (see :mod:`trainer_app.sync.hub`
for the protocol)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
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
from trainer_app.files import sweep, write_atomic_bytes
from trainer_app.i18n import _
from trainer_app.security import keys
from trainer_app.store import Store
from trainer_app.store import sync as q
from trainer_app.sync import bundle, crypto, epochs, exchange, site, waiting

log = logging.getLogger("trainer_app.sync.hub")

ID_RE = re.compile(r"^[0-9a-f]{32}$")


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
    first_contact_pending: int = 3  # bundles of one key waiting for approval
    first_contact_keys: int = 5  # different keys waiting for one station code
    first_contact_bytes: int = 64 * 1024 * 1024  # bytes waiting for one station code in all


@dataclass
class Upload:
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
class Caller:
    """An authenticated request: the station's register row, the key its signature was
    verified with, and whether that is a first contact (a key not approved yet)."""

    row: dict
    key: bytes
    first_contact: bool

    @property
    def code(self) -> str:
        return self.row["code"]

    def owns(self, upload: Upload) -> bool:
        if upload.station != self.code:
            return False
        if self.first_contact:
            return upload.key == self.key
        return upload.key in (b"", self.key)


class Refused(Exception):
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


def default_inbox() -> Path:
    """Where :func:`serve` keeps uploads: beside the inbox of bundles waiting for approval."""
    return paths.data_dir() / "inbox"


# -- the hub's state -------------------------------------------------------------------------
class HubState:
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
        self.uploads: dict[str, Upload] = {}
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

    def _held(self, code: str) -> dict:
        row = q.station_by_code(self._store(), code)
        return epochs.holdings(self._store(), row["site_id"] if row else None)

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
        sweep(self.partial, force=True)  # what a killed hub left half-written
        for old in self.partial.glob("*.json.tmp"):  # ... or an earlier version of it
            _unlink(old)
        for meta in self.partial.glob("*.json"):
            try:
                data = json.loads(meta.read_text("utf-8"))
                upload = Upload(id=data["id"], station=data["station"], name=data["name"],
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

    def drop(self, upload: Upload) -> None:
        self.uploads.pop(upload.id, None)
        self._drop_files(upload.id)

    def create(self, station: str, name: str, size: int, sha256: str,
               key: bytes = b"") -> Upload:
        mine = sorted((u for u in self.uploads.values() if u.station == station),
                      key=lambda u: u.created)
        for old in mine[: max(0, len(mine) - self.limits.open_uploads + 1)]:
            if not old.lock.locked():
                log.info("dropping unfinished upload %s of station %s", old.id, station)
                self.drop(old)
        upload = Upload(id=secrets.token_hex(16), station=station, name=name, size=size,
                         sha256=sha256, created=time.time(), offset=0, key=key)
        self._part(upload.id).touch()
        meta = {"id": upload.id, "station": station, "name": name, "size": size,
                "sha256": sha256, "created": upload.created, "key": crypto.b64(key)}
        write_atomic_bytes(self.partial / f"{upload.id}.json", json.dumps(meta).encode())
        self.uploads[upload.id] = upload
        return upload

    def find(self, caller: Caller, sha256: str, size: int) -> Upload | None:
        for upload in self.uploads.values():
            if caller.owns(upload) and upload.sha256 == sha256 and upload.size == size:
                return upload
        return None

    def unfinished(self, station: str, key: bytes) -> int:
        """Unfinished uploads of a station started with ``key`` (a first contact's)."""
        return sum(1 for u in self.uploads.values() if u.station == station and u.key == key)

    # bundles of stations not approved yet, waiting as files (see sync.waiting)
    def check_waiting(self, station: str, key: bytes) -> None:
        """Refuse a first contact past the limits of what may wait for one station: bundles of
        this key, different keys, bytes in all. Another key waiting is no reason to refuse:
        the coordinator sees every key and approves the station's own."""
        found = waiting.keys_of(station)
        mine = next((k for k in found if _raw_key(k.sign_public) == key), None)
        limit = self.limits.first_contact_pending
        if mine is not None and len(mine.files) >= limit:
            raise Refused(429, "too_many_pending", _(
                "{limit} bundles of station {code} are already waiting for the coordinator to "
                "approve its key: approve the station at the county before sending more."
            ).format(limit=limit, code=station), limit=limit)
        keys_limit = self.limits.first_contact_keys
        if mine is None and len(found) >= keys_limit:
            raise Refused(429, "too_many_keys", _(
                "{limit} different keys are already waiting for the county to approve station "
                "{code}. Carry this station's bundle to the county on a USB stick, and ask the "
                "coordinator to discard the keys that are not the station's.").format(
                    limit=keys_limit, code=station), limit=keys_limit)
        size = sum(k.size for k in found)
        if size >= self.limits.first_contact_bytes:
            raise Refused(429, "too_much_waiting", _(
                "The bundles waiting for the county to approve station {code} already fill the "
                "space the hub keeps for them. Carry this station's bundle to the county on a "
                "USB stick, or ask the coordinator to approve the station.").format(
                    code=station), limit=self.limits.first_contact_bytes)

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
        write_atomic_bytes(path, json.dumps(receipt, ensure_ascii=False).encode())

    def place(self, upload: Upload) -> Path:
        """Move a finished upload to ``received/<station>/<name>`` (never over another file,
        nor under the name of a bundle of that station waiting in the pending folder, where the
        import keeps a copy by name)."""
        folder = self.received / upload.station
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / upload.name
        stem = upload.name[: -len(bundle.SUFFIX)]
        pending = waiting.folder_of(upload.station)
        n = 1
        while target.exists() or (pending / target.name).exists():
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
                except Refused:
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
                report = exchange.import_file(store, path, via=waiting.VIA_UPLOAD)
            if first and report.status == "pending":
                report.message = _(
                    "{file}: received. Waiting for the county to approve this station's key; "
                    "compare fingerprint {fingerprint} with the coordinator.").format(
                        file=path.name, fingerprint=keys.fingerprint(key))
            if first and report.status in ("pending", "rejected"):
                # kept in the pending folder (a copy) or not at all: nothing piles up here
                _unlink(path)
            row = q.station_by_code(store, station)
            held = epochs.holdings(store, row["site_id"] if row else None)
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


def receipt(report: exchange.ImportReport, held: dict) -> dict:
    """The answer to an upload: what the import did, and which bundles the county holds
    (``held``: :func:`trainer_app.sync.epochs.holdings`)."""
    return {"status": report.status, "reason": report.reason, "message": report.message,
            "detail": report.detail, "file": report.file, "seq": report.seq,
            "epoch": report.epoch_id, "new": report.new, "changed": report.changed, **held}
