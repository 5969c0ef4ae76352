"""Uploading a station's pending bundles to the county hub (``sync upload --hub URL``).

Standard library only (``http.client``). The protocol is described in
:mod:`trainer_app.sync.hub`: every request is signed with the station's key and carries its
public half (``X-Trainer-Key``), so a station the county has not approved yet can upload its
first bundle (first contact) instead of carrying it on a USB stick: the hub keeps it waiting
until the coordinator approves the key (comparing fingerprints). A bundle goes up in chunks,
and after a broken connection the upload goes on from the offset the hub reports. A bundle the
hub has imported (or keeps waiting for the station's approval) is marked uploaded; the bundle
numbers the hub's receipt says the county holds are marked acknowledged (a waiting bundle once
the station is approved: the receipt of a later upload lists it).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from trainer_app.files import sha256_hex
from trainer_app.i18n import _
from trainer_app.security import keys
from trainer_app.services import certificates
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.store import epochs as epochs_q
from trainer_app.store import sync as q
from trainer_app.sync import epochs, exchange, site
from trainer_app.sync import export as exporting

API = "/api/v1"
CHUNK = 1024 * 1024
BACKOFF = (0.5, 1.0, 2.0, 4.0)  # seconds before the 1st, 2nd, 3rd, later retries
MAX_ANSWER = 1024 * 1024  # bytes of a hub's answer read at most

UploadProgress = Callable[[int, int], None]  # (bytes sent, bytes to send) over all bundles
Cancelled = Callable[[], bool]


@dataclass
class UploadResult:
    """What happened to one bundle. ``status``: applied, duplicate, pending (kept at the county
    until the station is approved), rejected (the receipt says why), refused (the hub would
    not take it, e.g. too large) or missing (the file is gone)."""

    seq: int
    file: str
    status: str
    message: str
    receipt: dict = field(default_factory=dict)
    sent: int = 0  # bytes sent in this run
    resumed_at: list[int] = field(default_factory=list)  # offsets the hub resumed from

    @property
    def ok(self) -> bool:
        return self.status in ("applied", "duplicate", "pending")


class HubUnavailable(ServiceError):
    """The hub does not answer (or stopped answering); ``results`` holds the bundles done."""

    def __init__(self, message: str, results: list[UploadResult] | None = None) -> None:
        super().__init__(message)
        self.results = results or []


class HubRefused(ServiceError):
    """The hub refuses this station (unknown, another key than the approved one, bad
    signature, clock)."""

    def __init__(self, message: str, results: list[UploadResult] | None = None) -> None:
        super().__init__(message)
        self.results = results or []


class _Transient(Exception):
    """A broken connection, a timeout or a 5xx answer: worth trying again."""


def not_answering(url: str) -> str:
    return _("The county hub at {url} does not answer. Your bundles stay pending; try again "
             "later or carry them on a USB stick.").format(url=url)


def signed_headers(signer: keys.SigningKey, station_code: str, method: str, path: str,
                   body_sha256: str, now: float | None = None) -> dict[str, str]:
    """The headers that authenticate a request (see :mod:`trainer_app.sync.hub`), with the
    station's public key: an approved station's must be the approved one; a station not
    approved yet uploads with it (first contact)."""
    stamp = str(int(time.time() if now is None else now))
    text = f"{method.upper()}\n{path}\n{stamp}\n{body_sha256}".encode()
    return {"X-Trainer-Station": station_code, "X-Trainer-Time": stamp,
            "X-Trainer-Key": signer.public_b64,
            "X-Trainer-Signature": base64.b64encode(signer.sign(text)).decode()}


def _split(url: str) -> tuple[str, str, int | None, str]:
    parts = urllib.parse.urlsplit(url.strip() if "://" in url else f"http://{url.strip()}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServiceError(_(
            "{url} is not an http:// or https:// address; the county hub's address looks like "
            "http://192.168.1.10:8470.").format(url=url))
    return parts.scheme, parts.hostname, parts.port, parts.path.rstrip("/")


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    scheme, host, port, prefix = _split(url)
    cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    return cls(host, port, timeout=timeout), prefix


def hub_answers(url: str, timeout: float = 3) -> bool:
    """Whether a county hub answers at ``url`` (``GET /api/v1/ping``)."""
    try:
        conn, prefix = _connection(url, timeout)
    except ServiceError:
        return False
    try:
        conn.request("GET", f"{prefix}{API}/ping")
        response = conn.getresponse()
        data = json.loads(response.read(MAX_ANSWER) or b"{}")
        return response.status == 200 and isinstance(data, dict) and "county" in data
    except (OSError, http.client.HTTPException, ValueError):
        return False
    finally:
        conn.close()


class _Client:
    """Signed requests to one hub over a kept-alive connection, opened again after an error."""

    def __init__(self, url: str, signer: keys.SigningKey, code: str, timeout: float) -> None:
        self.url, self.signer, self.code, self.timeout = url, signer, code, timeout
        _split(url)
        self._conn: http.client.HTTPConnection | None = None
        self._prefix = ""

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def call(self, method: str, path: str, body: bytes = b"",
             headers: dict[str, str] | None = None) -> tuple[int, dict]:
        if self._conn is None:
            self._conn, self._prefix = _connection(self.url, self.timeout)
        full = f"{self._prefix}{API}{path}"
        sha = hashlib.sha256(body).hexdigest()
        all_headers = {**signed_headers(self.signer, self.code, method, full, sha),
                       "Content-Length": str(len(body)), **(headers or {})}
        if method == "PATCH":
            all_headers["X-Trainer-Content-SHA256"] = sha
        try:
            self._conn.request(method, full, body=body, headers=all_headers)
            response = self._conn.getresponse()
            raw = response.read(MAX_ANSWER)
            if response.will_close:
                self.close()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise _Transient(f"{exc.__class__.__name__}: {exc}") from None
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if response.status >= 500:
            self.close()
            raise _Transient(data.get("message") or f"HTTP {response.status}")
        return response.status, data


def _wait(seconds: float, cancelled: Cancelled | None) -> None:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if cancelled and cancelled():
            return
        time.sleep(min(left, 0.1))


class _Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _refuse(status: int, data: dict) -> _Refusal:
    return _Refusal(status, str(data.get("message") or f"HTTP {status}"))


def _send(client: _Client, path: Path, name: str, chunk_size: int, retries: int,
          result: UploadResult, on_sent: Callable[[int], None],
          cancelled: Cancelled | None) -> dict | None:
    """Upload one file; the hub's receipt, or None when cancelled. Raises _Refusal, or
    _Transient after ``retries`` failures in a row."""
    size = path.stat().st_size
    sha = sha256_hex(path)
    failures = 0
    upload_id: str | None = None
    offset = 0
    with path.open("rb") as fh:
        while True:
            try:
                if upload_id is None:  # start, or learn where the hub is after an error
                    status, data = client.call("POST", "/uploads", json.dumps(
                        {"name": name, "size": size, "sha256": sha}).encode(),
                        {"Content-Type": "application/json"})
                    if status == 200 and isinstance(data.get("receipt"), dict):
                        return data["receipt"]
                    if status not in (200, 201) or "id" not in data:
                        raise _refuse(status, data)
                    upload_id, offset = str(data["id"]), int(data.get("offset", 0))
                    if offset:
                        result.resumed_at.append(offset)
                while offset < size:
                    if cancelled and cancelled():
                        return None
                    fh.seek(offset)
                    chunk = fh.read(min(chunk_size, size - offset))
                    status, data = client.call(
                        "PATCH", f"/uploads/{upload_id}", chunk,
                        {"Upload-Offset": str(offset),
                         "Content-Type": "application/offset+octet-stream"})
                    if status == 200:
                        new = int(data["offset"])
                        on_sent(new - offset)
                        result.sent += new - offset
                        offset, failures = new, 0
                    elif status == 409 and "offset" in data and int(data["offset"]) != offset:
                        offset = int(data["offset"])
                    elif status in (404, 409):
                        upload_id = None  # gone, or busy: ask again after a pause
                        raise _Transient(str(data.get("message", status)))
                    elif status == 400 and data.get("error") in ("checksum", "incomplete"):
                        raise _Transient(str(data.get("message")))  # damaged on the way
                    else:
                        raise _refuse(status, data)
                status, data = client.call("POST", f"/uploads/{upload_id}/complete")
                if status == 200:
                    return data
                if status == 409 and "offset" in data:
                    offset = int(data["offset"])
                    continue
                if status in (404, 422):  # dropped at the hub: send it again from the start
                    upload_id = None
                    raise _Transient(str(data.get("message", status)))
                raise _refuse(status, data)
            except _Transient:
                failures += 1
                if failures > retries:
                    raise
                _wait(BACKOFF[min(failures, len(BACKOFF)) - 1], cancelled)
                if cancelled and cancelled():
                    return None
                upload_id = None  # POST again: the hub answers with this upload's offset


def upload_pending(store: Store, hub_url: str, progress: UploadProgress | None = None,
                   cancelled: Cancelled | None = None, retries: int = 5, *,
                   chunk_size: int = CHUNK, timeout: float = 30.0) -> list[UploadResult]:
    """Upload every bundle of this station not uploaded yet (oldest first) to the hub at
    ``hub_url`` (``http://HOST:PORT``) and return one result per bundle.

    ``progress(sent, total)`` reports bytes over all bundles; ``cancelled()`` is asked between
    chunks (the bundles not done stay pending). A broken connection, a timeout or a server error
    is retried up to ``retries`` times in a row, after 0.5, 1, 2 and then 4 seconds, resuming at
    the hub's offset. Raises :class:`HubUnavailable` (a :class:`ServiceError`) when the hub does
    not answer, and :class:`HubRefused` when it refuses this station; the bundles stay pending.
    """
    site.require_role(store, "station")
    code = store.get_meta("station_code") or ""
    signer = certificates.signing_key(store)
    _split(hub_url)  # an address that is not http(s) is said so, not "does not answer"
    if not hub_answers(hub_url, timeout=min(timeout, 5.0)):
        raise HubUnavailable(not_answering(hub_url))
    exchange.settle(store)
    sent = total = 0

    def on_sent(n: int) -> None:
        nonlocal sent
        sent += n
        if progress:
            progress(sent, total)

    client = _Client(hub_url, signer, code, timeout)
    results: list[UploadResult] = []
    try:
        # A receipt may say the county lost bundles (put back to an older backup): they are
        # written again and go up in a second pass.
        for _pass in range(2):
            todo = _todo(store)
            total += sum(Path(b["path"]).stat().st_size for b in todo
                         if Path(b["path"]).is_file())
            for row in todo:
                if cancelled and cancelled():
                    break
                path = Path(row["path"])
                result = UploadResult(seq=row["seq"], file=row["file_name"], status="missing",
                                      message="")
                if not path.is_file():
                    result.message = _(
                        "Bundle {seq} ({file}) is no longer at {path}. Find the file and put it "
                        "back, or write a full bundle with 'Send to county'.").format(
                            seq=row["seq"], file=row["file_name"], path=path)
                    results.append(result)
                    continue
                try:
                    answer = _send(client, path, row["file_name"], chunk_size, retries, result,
                                   on_sent, cancelled)
                except _Transient as exc:
                    raise HubUnavailable(
                        not_answering(hub_url) + " " + _("(Last error: {error})").format(error=exc),
                        results) from None
                except _Refusal as exc:
                    if exc.status == 401:
                        raise HubRefused(_(
                            "The county hub refused this station: {reason} Your bundles stay "
                            "pending.").format(reason=exc), results) from None
                    result.status = "refused"
                    result.message = _("The county hub did not take {file}: {reason}").format(
                        file=row["file_name"], reason=exc)
                    results.append(result)
                    continue
                except OSError as exc:
                    result.message = _("{file} cannot be read: {error}").format(
                        file=row["file_name"], error=exc.strerror or exc)
                    results.append(result)
                    continue
                if answer is None:  # cancelled
                    break
                _record(store, row["id"], answer, result)
                results.append(result)
            if cancelled and cancelled() or not epochs_q.to_write_again(store):
                break
    finally:
        client.close()
    return results


def _todo(store: Store) -> list[dict]:
    """The bundles to upload, oldest first; those the county lost are written again first."""
    if epochs_q.to_write_again(store):
        epochs.refuse_if_stopped(store)
        folder = exporting.outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        exporting.write_again(store, folder)
    return [b for b in sorted(q.bundles_out(store), key=lambda b: b["id"])
            if b["state"] == "written" and not b["uploaded_at"] and not b["acknowledged_at"]]


def _record(store: Store, row_id: int, answer: dict, result: UploadResult) -> None:
    result.receipt = answer
    result.status = str(answer.get("status", "rejected"))
    result.message = str(answer.get("message", ""))
    if not result.ok:
        return
    with store.transaction():
        q.mark_uploaded(store, row_id)  # pending too: the county keeps it until it approves
        if result.status not in ("applied", "duplicate"):
            return
        county_receipt = answer.get("county_receipt")
        if isinstance(county_receipt, dict) and isinstance(county_receipt.get("held"), list):
            # the hub answers with the county's receipt per epoch, as its bundles carry it
            exporting.remember_county_reads(store, answer.get("reads"))
            notice = epochs.again_text(epochs.take_receipt(store, county_receipt))
            if notice:
                result.message = f"{result.message} {notice}".strip()
        else:  # a hub of an earlier version: numbers along the station's epoch
            q.acknowledge(store, [s for s in answer.get("held") or [] if isinstance(s, int)])
