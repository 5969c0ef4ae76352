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
approved, kept waiting as a file in the pending folder (:mod:`trainer_app.sync.waiting`;
the database does not change); the receipt says ``pending`` with the key's fingerprint, which
the coordinator compares with the one the station shows before approving. Approving applies the
waiting bundles; from then on the station signs with the approved key and its receipts list
them in ``held``. The bundle's manifest must name the same station and carry the same key as
the request (else it is rejected, ``wrong_sender``, and not kept). Anyone who knows a station's
code can make a first contact, so several keys may wait for one code: another key waiting is no
reason to refuse (one stranger cannot lock a station out), the coordinator sees every waiting
key and approves the station's own (the others' bundles are deleted) or discards a wrong one.
So that strangers cannot fill the county's disk, what may wait is bounded
(:class:`HubLimits`): per key ``first_contact_uploads`` unfinished uploads and
``first_contact_pending`` bundles (3 each), per station code ``first_contact_keys`` keys (5) and
``first_contact_bytes`` bytes (64 MiB); past that the hub answers ``429``
(``too_many_uploads``, ``too_many_pending``, ``too_many_keys``, ``too_much_waiting``) and a
station can still carry its bundle on a USB stick. A bundle already waiting is recognised (the
same receipt, nothing stored again).

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
    "message", "file", "seq", "epoch", "new", "changed", "held": [bundle numbers of this station
    the county holds along its current epoch], "gaps": [[first, last] of each range of missing
    numbers], "county_receipt": {the receipt the county's bundles carry for the station, per
    epoch}, "reads": [what the county's version reads]}`` (docs/bundle-format.md, Epochs).

Only a station's own bundles are accepted (the manifest's sender must be the signing station;
on first contact its key must also be the request's key).
Requests are signed, not encrypted: the bundles themselves are encrypted to the county and
signed by the station; a county that wants TLS puts the hub behind a TLS reverse proxy.
Replaying a captured request within the 10 minutes changes nothing: chunks need the current
offset, and an imported bundle is recognised.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from pathlib import Path

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from trainer_app.i18n import _
from trainer_app.services.errors import ServiceError
from trainer_app.sync.hub_handlers import (
    API,
    HUB,
    PROTOCOL,
    append_chunk,
    complete_upload,
    create_upload,
    errors_middleware,
    ping,
    signed_text,
    upload_state,
)
from trainer_app.sync.hub_state import HubLimits, HubState, default_inbox, safe_name

__all__ = ["API", "PROTOCOL", "HubLimits", "RunningHub", "make_app", "safe_name", "serve",
           "signed_text", "start"]

log = logging.getLogger(__name__)

# -- the application -----------------------------------------------------------------------------
class _ServerLog(logging.LoggerAdapter):
    """aiohttp's server log: a request the client got wrong before any handler saw it (a header
    line of 200 KB, a malformed request line: its 4xx answer is sent) is one line, never a
    traceback; anything else keeps its traceback."""

    def exception(self, msg, *args, exc_info=True, **kwargs) -> None:  # type: ignore[override]
        exc = exc_info if isinstance(exc_info, BaseException) else sys.exc_info()[1]
        if isinstance(exc, HttpProcessingError) and 400 <= (exc.code or 0) < 500:
            self.warning("refused a bad request from %s: %d %s", args[0] if args else "?",
                         exc.code, type(exc).__name__)
            return
        self.error(msg, *args, exc_info=exc_info, **kwargs)


# aiohttp's request handler takes it as its ``logger``; its access log is off: the hub logs what
# it did with each upload, and one line per refused request.
SERVER_OPTIONS = {"logger": _ServerLog(logging.getLogger("trainer_app.sync.hub"), {}),
                  "access_log": None}


def make_app(db_path: Path, inbox_dir: Path | None = None,
             limits: HubLimits | None = None) -> web.Application:
    """The hub as an aiohttp application, for :func:`serve`, :func:`start` and tests.

    ``db_path`` is the county's database (raises :class:`ServiceError` if it is not a county);
    ``inbox_dir`` holds ``partial/``, ``received/`` and ``receipts/`` (default:
    :func:`default_inbox`)."""
    hub = HubState(Path(db_path), Path(inbox_dir) if inbox_dir else default_inbox(),
               limits or HubLimits())
    app = web.Application(middlewares=[errors_middleware], client_max_size=hub.limits.json_size)
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
                **SERVER_OPTIONS,
                shutdown_timeout=5)


class RunningHub:
    """A hub serving in a background thread with its own event loop (GUI, tests)."""

    def __init__(self, app: web.Application, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=2,
                                     **SERVER_OPTIONS)
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
