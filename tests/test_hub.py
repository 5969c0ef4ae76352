"""The county hub over loopback: a real aiohttp server on 127.0.0.1 in a background thread, a
county database, and stations uploading with the standard-library client."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.client
import json
import logging
import re
import socket
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trainer_app import i18n
from trainer_app.security import keys
from trainer_app.services import certificates, demo
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.store import sync as q
from trainer_app.sync import exchange, hub, site, upload, waiting


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")


def _digest(store: Store) -> str:
    return hashlib.sha256("\n".join(q.content_digest_rows(store)).encode()).hexdigest()


class Network:
    """A county, an approved station WP01 (its first bundle carried on USB) and a registered,
    not yet approved station ZZ02 (nothing received from it yet); a hub serving the county."""

    def __init__(self, root: Path, limits: hub.HubLimits | None = None) -> None:
        self.root = root
        self.usb = root / "usb"
        self.usb.mkdir()
        self.county = Store(root / "county.db", create=True)
        site.setup_county(self.county, "XC", "Xiangcheng county center")
        with self.county.transaction():
            demo._courses(self.county)
        self.stations: dict[str, Store] = {}
        for code in ("WP01", "ZZ02"):
            pack = site.write_pack(self.county, code, root / f"{code}.trpack")
            s = Store(root / f"{code}.db", create=True)
            site.setup_station(s, pack)
            self.stations[code] = s
        first, _m = exchange.export(self.stations["WP01"], self.usb)
        assert exchange.import_file(self.county, first).status == "pending"
        assert [r.status for r in exchange.approve(self.county, "WP01")] == ["applied"]
        self.inbox = root / "inbox"
        self.hub = hub.start(root / "county.db", inbox_dir=self.inbox, limits=limits)

    @property
    def station(self) -> Store:
        return self.stations["WP01"]

    def close(self) -> None:
        self.hub.stop()
        for s in (self.county, *self.stations.values()):
            s.close()


@pytest.fixture
def net(tmp_path):
    n = Network(tmp_path)
    yield n
    n.close()


def _fill_and_export(net: Network, trainees: int = 30) -> Path:
    demo.fill(net.station, trainees=trainees, seed=3)
    path, _m = exchange.export(net.station, net.usb)
    return path


def _request(url: str, method: str, path: str, body: bytes = b"",
             headers: dict | None = None) -> tuple[int, dict]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def _signed(store: Store, code: str, method: str, path: str, body: bytes = b"",
            signer: keys.SigningKey | None = None, now: float | None = None) -> dict:
    sha = hashlib.sha256(body).hexdigest()
    headers = upload.signed_headers(signer or certificates.signing_key(store), code, method,
                                    path, sha, now)
    if method == "PATCH":
        headers["X-Trainer-Content-SHA256"] = sha
    return headers


def _pending(store: Store) -> list[int]:
    return sorted(b["seq"] for b in q.bundles_out(store) if not b["uploaded_at"])


# -- tests ---------------------------------------------------------------------------------------
def test_ping_answers_without_auth(net):
    assert upload.hub_answers(net.hub.url)
    status, data = _request(net.hub.url, "GET", "/api/v1/ping")
    assert status == 200 and data["county"] == "XC" and data["name"]


def test_upload_applies_and_receipt_acknowledges(net):
    path = _fill_and_export(net)
    seen = []
    results = upload.upload_pending(net.station, net.hub.url,
                                    progress=lambda done, total: seen.append((done, total)),
                                    chunk_size=4096)
    # bundle 1 went on the USB stick already: recognised; bundle 2 is new
    assert [(r.seq, r.status) for r in results] == [(1, "duplicate"), (2, "applied")], results
    applied = results[1]
    assert applied.receipt["held"] == [1, 2] and applied.receipt["gaps"] == []
    assert applied.receipt["new"]["trainee"] == 30
    assert seen[-1][0] == seen[-1][1] > 0
    station_site = net.station.site_id
    assert net.county.scalar("SELECT count(*) FROM trainee WHERE origin = ?", [station_site]) \
        == net.station.scalar("SELECT count(*) FROM trainee") == 30
    out = {b["seq"]: b for b in q.bundles_out(net.station)}
    assert all(b["uploaded_at"] and b["acknowledged_at"] for b in out.values())
    received = net.inbox / "received" / "WP01" / path.name
    assert received.read_bytes() == path.read_bytes()  # the same code path as USB: a file
    assert not list((net.inbox / "partial").iterdir())
    assert upload.upload_pending(net.station, net.hub.url) == []  # nothing left to send


def test_duplicate_upload_changes_nothing(net, caplog):
    _fill_and_export(net)
    upload.upload_pending(net.station, net.hub.url)
    before = _digest(net.county)
    net.station.conn.execute("UPDATE bundle_out SET uploaded_at = NULL, acknowledged_at = NULL")
    caplog.set_level(logging.INFO, logger="trainer_app.sync.hub")
    caplog.clear()
    results = upload.upload_pending(net.station, net.hub.url)
    assert [r.status for r in results] == ["duplicate", "duplicate"]
    assert results[1].sent == 0  # answered from the hub's receipts, no byte sent again
    assert results[1].receipt["held"] == [1, 2]
    assert "imported before" in results[1].message
    assert _digest(net.county) == before
    assert not [r for r in caplog.records if "new upload" in r.getMessage()]
    assert _pending(net.station) == []


def test_the_receipt_gives_the_missing_bundles_as_ranges(net, capsys):
    """Bundles 2-4 never reached the county (a lost stick): the receipt of bundle 5 names them as
    one range, and the command line prints it so; they are written again and go up at once."""
    from trainer_app import cli_sync

    for _ in range(4):
        exchange.export(net.station, net.usb)
    net.station.conn.execute("UPDATE bundle_out SET uploaded_at = '2026-01-01' WHERE seq < 5")
    result, *again = upload.upload_pending(net.station, net.hub.url)
    assert (result.seq, result.status) == (5, "applied"), result.message
    assert [(r.seq, r.status, r.file) for r in again] == [
        (n, "applied", f"WP01-0000{n}-again.trbundle") for n in (2, 3, 4)]
    assert again[-1].receipt["gaps"] == []
    assert result.receipt["held"] == [1, 5] and result.receipt["gaps"] == [[2, 4]]
    cli_sync._print_upload(result)
    out = capsys.readouterr().out
    assert "the county holds bundles 1, 5" in out and "missing at the county: 2–4" in out


def _send_as(url: str, path: Path, code: str, signer: keys.SigningKey) -> dict:
    """Upload one file as station ``code`` signing (and sending) ``signer``'s key; the hub's
    receipt."""
    client = upload._Client(url, signer, code, 10)
    try:
        return upload._send(client, path, path.name, 1 << 20, 0,
                            upload.UploadResult(0, path.name, "", ""), lambda _n: None, None)
    finally:
        client.close()


def test_unauthenticated_requests_are_refused(net):
    before = _digest(net.county)
    body = json.dumps({"name": "x.trbundle", "size": 10, "sha256": "0" * 64}).encode()
    path = "/api/v1/uploads"
    stranger = keys.SigningKey(Ed25519PrivateKey.generate())
    zz = net.stations["ZZ02"]
    wp01_key = certificates.signing_key(net.station).public_b64
    no_key = _signed(zz, "ZZ02", "POST", path, body)
    del no_key["X-Trainer-Key"]
    cases = {
        "no headers": {},
        "bad signature": {**_signed(net.station, "WP01", "POST", path, body, signer=stranger),
                          "X-Trainer-Key": wp01_key},
        "signature over another body": _signed(net.station, "WP01", "POST", path, b"{}"),
        # an approved station must sign with its approved key, whatever key it sends
        "another key than the approved one": _signed(net.station, "WP01", "POST", path, body,
                                                     signer=stranger),
        "unknown station": _signed(net.station, "NOPE99", "POST", path, body),
        "unknown station, its own key": _signed(net.station, "NOPE99", "POST", path, body,
                                                signer=stranger),
        "unapproved station without its key": no_key,
        "unapproved station, signed by another key than sent": {
            **_signed(zz, "ZZ02", "POST", path, body, signer=stranger),
            "X-Trainer-Key": certificates.signing_key(zz).public_b64},
        "unreadable key": {**_signed(zz, "ZZ02", "POST", path, body), "X-Trainer-Key": "abc"},
        "clock far off": _signed(net.station, "WP01", "POST", path, body, now=1_000_000_000),
        "first contact, clock far off": _signed(zz, "ZZ02", "POST", path, body,
                                                now=1_000_000_000),
    }
    for label, headers in cases.items():
        status, data = _request(net.hub.url, "POST", path, body, headers)
        assert status == 401, label
        assert data["error"] and data["message"], label
    # a chunk for a real upload, signed by another key, is refused before it is stored
    status, data = _request(net.hub.url, "POST", path, body,
                            _signed(net.station, "WP01", "POST", path, body))
    assert status == 201
    chunk_path = f"/api/v1/uploads/{data['id']}"
    headers = _signed(net.station, "WP01", "PATCH", chunk_path, b"0123456789", signer=stranger)
    headers["Upload-Offset"] = "0"
    status, _d = _request(net.hub.url, "PATCH", chunk_path, b"0123456789", headers)
    assert status == 401
    status, data = _request(net.hub.url, "GET", chunk_path,
                            headers=_signed(net.station, "WP01", "GET", chunk_path))
    assert (status, data["offset"]) == (200, 0)
    assert (net.inbox / "partial" / f"{chunk_path.rsplit('/', 1)[1]}.part").stat().st_size == 0
    # another station may not even look at it, nor add to it
    other = _signed(zz, "ZZ02", "GET", chunk_path)
    assert _request(net.hub.url, "GET", chunk_path, headers=other)[0] == 401
    headers = {**_signed(zz, "ZZ02", "PATCH", chunk_path, b"0123456789"), "Upload-Offset": "0"}
    assert _request(net.hub.url, "PATCH", chunk_path, b"0123456789", headers)[0] == 404
    assert not list((net.inbox / "received").iterdir())
    assert _digest(net.county) == before


def test_first_bundle_of_an_unapproved_station_waits_for_approval(net):
    """A registered station not approved yet uploads its first bundle (its key) over the hub;
    the county keeps it waiting until the coordinator approves the key."""
    zz = net.stations["ZZ02"]
    demo.fill(zz, trainees=5, seed=4)
    first, _m = exchange.export(zz, net.usb)
    before = _digest(net.county)
    [result] = upload.upload_pending(zz, net.hub.url, chunk_size=4096)
    assert (result.seq, result.status) == (1, "pending"), result
    fingerprint = site.own_fingerprint(zz)
    assert result.message == (
        f"{first.name}: received. Waiting for the county to approve this station's key; "
        f"compare fingerprint {fingerprint} with the coordinator.")
    assert result.receipt["held"] == [] and result.sent == first.stat().st_size
    assert _digest(net.county) == before  # nothing applied: a file in the pending folder
    waiting = exchange.pending_dir() / "ZZ02"
    assert [p.read_bytes() for p in waiting.iterdir()] == [first.read_bytes()]
    assert not list((net.inbox / "received").rglob(f"*{first.suffix}"))
    assert not list((net.inbox / "partial").iterdir())
    stations = {s["code"]: s for s in exchange.status(net.county)["stations"]}
    assert not stations["ZZ02"]["approved"]
    assert stations["ZZ02"]["pending_fingerprint"] == fingerprint
    [out] = q.bundles_out(zz)
    assert out["uploaded_at"] and not out["acknowledged_at"]  # uploaded, not yet held
    # sent again (the station's database put back from a backup): recognised, kept once
    zz.conn.execute("UPDATE bundle_out SET uploaded_at = NULL")
    [again] = upload.upload_pending(zz, net.hub.url)
    assert (again.status, again.sent) == ("pending", 0)
    assert fingerprint in again.message
    assert len(list(waiting.iterdir())) == 1

    # the coordinator compares the fingerprints and approves: the waiting bundle is applied
    assert [r.status for r in exchange.approve(net.county, "ZZ02")] == ["applied"]
    assert net.county.scalar("SELECT count(*) FROM trainee WHERE origin = ?",
                             [zz.site_id]) == 5
    assert not list(waiting.iterdir())
    # the next bundle is applied over the hub; its receipt acknowledges the first one too
    second, _m = exchange.export(zz, net.usb)
    [result] = upload.upload_pending(zz, net.hub.url)
    assert (result.seq, result.status) == (2, "applied"), result
    assert result.receipt["held"] == [1, 2] and result.receipt["gaps"] == []
    assert all(b["acknowledged_at"] for b in q.bundles_out(zz))
    assert (net.inbox / "received" / "ZZ02" / second.name).read_bytes() == second.read_bytes()
    # the first one sent again now: a duplicate, answered without a byte
    zz.conn.execute("UPDATE bundle_out SET uploaded_at = NULL, acknowledged_at = NULL "
                    "WHERE seq = 1")
    [dup] = upload.upload_pending(zz, net.hub.url)
    assert (dup.seq, dup.status, dup.sent) == (1, "duplicate", 0)
    assert dup.receipt["held"] == [1, 2]


def test_first_contact_takes_only_the_stations_own_bundle(net):
    zz = net.stations["ZZ02"]
    first, _m = exchange.export(zz, net.usb)
    stranger = keys.SigningKey(Ed25519PrivateKey.generate())
    before = _digest(net.county)
    # ZZ02's bundle (signed with ZZ02's key) uploaded by someone else as ZZ02
    answer = _send_as(net.hub.url, first, "ZZ02", stranger)
    assert (answer["status"], answer["reason"]) == ("rejected", "wrong_sender"), answer
    # another station's bundle, uploaded with its own key under ZZ02's name
    wp_first = sorted(net.usb.glob("WP01-*"))[0]
    answer = _send_as(net.hub.url, wp_first, "ZZ02", certificates.signing_key(net.station))
    assert answer["status"] == "rejected" and answer["reason"] == "wrong_sender", answer
    # ZZ02's own key, but as WP01 (approved with another key): refused outright
    with pytest.raises(upload._Refusal) as refused:
        _send_as(net.hub.url, first, "WP01", certificates.signing_key(zz))
    assert refused.value.status == 401
    assert not (exchange.pending_dir() / "ZZ02").exists() or \
        not list((exchange.pending_dir() / "ZZ02").iterdir())
    assert not list((net.inbox / "received").rglob(f"*{first.suffix}"))
    assert _digest(net.county) == before
    stations = {s["code"]: s for s in exchange.status(net.county)["stations"]}
    assert stations["ZZ02"]["pending_fingerprint"] is None
    # A stranger who knows the code (another installation linked as ZZ02, another key) uploads
    # first: that no longer locks the station out. Both keys wait, each shown with its
    # fingerprint, when and how it came; approving must name one.
    twin = Store(net.root / "twin.db", create=True)
    try:
        site.setup_station(twin, site.write_pack(net.county, "ZZ02", net.root / "twin.trpack"))
        exchange.export(twin, net.root)
        [result] = upload.upload_pending(twin, net.hub.url)
        assert result.status == "pending", result
        twin_fp = site.own_fingerprint(twin)
    finally:
        twin.close()
    exchange.import_file(net.county, first)  # the station's own, carried on a USB stick
    assert upload.upload_pending(zz, net.hub.url)[0].status == "pending"  # and uploaded
    own_fp = site.own_fingerprint(zz)
    found = waiting.keys_of("ZZ02")
    assert [k.fingerprint for k in found] == [twin_fp, own_fp]  # oldest first
    assert found[0].via == ["upload"] and sorted(found[1].via) == ["file", "upload"]
    assert [len(k.files) for k in found] == [1, 1]  # the same file twice is kept once
    assert all(k.first_at.startswith(dt.date.today().isoformat()[:4]) for k in found)
    assert len(list((exchange.pending_dir() / "ZZ02").iterdir())) == 2  # same name, both kept
    stations = {s["code"]: s for s in exchange.status(net.county)["stations"]}
    assert [k["fingerprint"] for k in stations["ZZ02"]["waiting_keys"]] == [twin_fp, own_fp]
    with pytest.raises(waiting.ChooseKey, match="2 different keys"):
        exchange.approve(net.county, "ZZ02")
    with pytest.raises(waiting.NoSuchKey):
        exchange.approve(net.county, "ZZ02", "0000-0000")
    assert _digest(net.county) == before
    # the coordinator discards the stranger's key, then approving needs no fingerprint
    assert [p.name for p in waiting.discard("ZZ02", twin_fp).files] == [first.name]
    assert [k.fingerprint for k in waiting.keys_of("ZZ02")] == [own_fp]
    assert [r.status for r in exchange.approve(net.county, "ZZ02")] == ["applied"]
    assert not list((exchange.pending_dir() / "ZZ02").iterdir())


def test_approving_one_of_several_keys_deletes_the_others(net):
    zz = net.stations["ZZ02"]
    exchange.export(zz, net.usb)
    twin = Store(net.root / "twin.db", create=True)
    try:
        site.setup_station(twin, site.write_pack(net.county, "ZZ02", net.root / "twin.trpack"))
        (net.root / "twin").mkdir()
        twin_file, _m = exchange.export(twin, net.root / "twin")
    finally:
        twin.close()
    assert upload.upload_pending(zz, net.hub.url)[0].status == "pending"
    assert exchange.import_file(net.county, twin_file).status == "pending"
    reports = exchange.approve(net.county, "ZZ02", site.own_fingerprint(zz).lower())
    assert sorted((r.status, r.reason) for r in reports) == [("applied", ""),
                                                             ("rejected", "forged")]
    assert not list((exchange.pending_dir() / "ZZ02").iterdir())
    row = {s["code"]: s for s in exchange.status(net.county)["stations"]}["ZZ02"]
    assert row["approved"] and row["waiting_keys"] == []


def test_first_contact_cannot_fill_the_disk(tmp_path):
    net = Network(tmp_path, limits=hub.HubLimits(first_contact_uploads=2,
                                                 first_contact_pending=1))
    try:
        zz = net.stations["ZZ02"]
        stranger = keys.SigningKey(Ed25519PrivateKey.generate())
        before = _digest(net.county)
        files = [exchange.export(zz, net.usb)[0] for _i in range(2)]
        path = "/api/v1/uploads"
        ids = []
        for f in files:  # two uploads started, not finished
            body = json.dumps({"name": f.name, "size": f.stat().st_size,
                               "sha256": hashlib.sha256(f.read_bytes()).hexdigest()}).encode()
            status, data = _request(net.hub.url, "POST", path, body,
                                    _signed(zz, "ZZ02", "POST", path, body))
            assert status == 201, data
            ids.append(data["id"])
        body = json.dumps({"name": "more.trbundle", "size": 100, "sha256": "b" * 64}).encode()
        status, data = _request(net.hub.url, "POST", path, body,  # a third one: refused
                                _signed(zz, "ZZ02", "POST", path, body))
        assert (status, data["error"], data["limit"]) == (429, "too_many_uploads", 2)
        assert "not approved yet" in data["message"]
        # a stranger's key is counted apart: it cannot use up the station's uploads (nor the
        # station the stranger's)
        status, data = _request(net.hub.url, "POST", path, body,
                                _signed(zz, "ZZ02", "POST", path, body, signer=stranger))
        assert status == 201, data
        strangers = data["id"]
        # another key under the same station code cannot touch the uploads started
        chunk_path = f"{path}/{ids[0]}"
        headers = {**_signed(zz, "ZZ02", "PATCH", chunk_path, b"x", signer=stranger),
                   "Upload-Offset": "0"}
        assert _request(net.hub.url, "PATCH", chunk_path, b"x", headers)[0] == 404
        # the station finishes both; one bundle may wait, the second is refused at the end
        results = upload.upload_pending(zz, net.hub.url)
        assert [(r.seq, r.status) for r in results] == [(1, "pending"), (2, "refused")]
        assert "waiting for the coordinator to approve" in results[1].message
        assert _pending(zz) == [2]
        # and nothing new is started while one waits
        status, data = _request(net.hub.url, "POST", path, body,
                                _signed(zz, "ZZ02", "POST", path, body))
        assert (status, data["error"]) == (429, "too_many_pending") and data["message"]
        assert len(list((exchange.pending_dir() / "ZZ02").iterdir())) == 1
        assert not list((net.inbox / "received").rglob(f"*{files[0].suffix}"))
        assert sorted(p.name for p in (net.inbox / "partial").iterdir()) == [
            f"{strangers}.json", f"{strangers}.part"]  # the stranger's, unfinished
        assert _digest(net.county) == before
    finally:
        net.close()


class _CuttingProxy:
    """Forwards TCP to the hub and, once, cuts both sides after ``cut_after`` bytes have gone
    up (counted over all connections)."""

    def __init__(self, target_port: int, cut_after: int) -> None:
        self.target_port, self.cut_after = target_port, cut_after
        self.upstream = 0
        self.cut = False
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._socks: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _addr = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            self._socks += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, up: bool) -> None:
        try:
            while data := src.recv(1024):
                if up:
                    with self._lock:
                        room = self.cut_after - self.upstream
                        if not self.cut and room < len(data):
                            self.cut = True
                            dst.sendall(data[:max(room, 0)])
                            for s in (src, dst):  # shutdown: the other pump holds them too
                                s.shutdown(socket.SHUT_RDWR)
                            return
                        self.upstream += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._listener.close()
        for s in self._socks:
            s.close()


def test_interrupted_upload_resumes_at_the_hubs_offset(net, caplog):
    caplog.set_level(logging.INFO, logger="trainer_app.sync.hub")
    path = _fill_and_export(net, trainees=60)
    chunk = 4096
    assert path.stat().st_size > 4 * chunk
    net.station.conn.execute("UPDATE bundle_out SET uploaded_at = 'x' WHERE seq = 1")
    # ping + POST + one whole chunk pass; the connection dies in the middle of the second chunk
    proxy = _CuttingProxy(net.hub.port, cut_after=int(chunk * 2.2))
    try:
        results = upload.upload_pending(net.station, f"http://127.0.0.1:{proxy.port}",
                                        chunk_size=chunk)
    finally:
        proxy.close()
    assert proxy.cut
    [result] = results
    assert result.status == "applied", result
    assert result.resumed_at and result.resumed_at[0] > 0
    assert result.resumed_at[0] % chunk == 0  # the broken chunk was dropped, whole ones kept
    resumed = [r.getMessage() for r in caplog.records if "resuming upload" in r.getMessage()]
    assert resumed, [r.getMessage() for r in caplog.records]
    offset = int(re.search(r"at offset (\d+)", resumed[0]).group(1))
    assert offset == result.resumed_at[0] > 0
    received = net.inbox / "received" / "WP01" / path.name
    assert hashlib.sha256(received.read_bytes()).hexdigest() == \
        hashlib.sha256(path.read_bytes()).hexdigest()
    assert net.county.scalar("SELECT count(*) FROM trainee WHERE origin = ?",
                             [net.station.site_id]) == 60


def test_oversized_upload_is_refused(tmp_path):
    net = Network(tmp_path, limits=hub.HubLimits(bundle_size=2048, chunk_size=1024))
    try:
        before = _digest(net.county)
        _fill_and_export(net)
        path = "/api/v1/uploads"
        body = json.dumps({"name": "big.trbundle", "size": 4096, "sha256": "a" * 64}).encode()
        status, data = _request(net.hub.url, "POST", path, body,
                                _signed(net.station, "WP01", "POST", path, body))
        assert status == 413 and data["limit"] == 2048
        # a chunk above the per-request limit
        body = json.dumps({"name": "ok.trbundle", "size": 2000, "sha256": "a" * 64}).encode()
        status, data = _request(net.hub.url, "POST", path, body,
                                _signed(net.station, "WP01", "POST", path, body))
        assert status == 201
        chunk_path = f"{path}/{data['id']}"
        chunk = b"x" * 1500
        headers = {**_signed(net.station, "WP01", "PATCH", chunk_path, chunk),
                   "Upload-Offset": "0"}
        assert _request(net.hub.url, "PATCH", chunk_path, chunk, headers)[0] == 413
        # the client reports it and keeps the bundle pending
        results = upload.upload_pending(net.station, net.hub.url, chunk_size=1024)
        big = [r for r in results if r.seq == 2]
        assert big[0].status == "refused" and "larger" in big[0].message
        assert 2 in _pending(net.station)
        assert _digest(net.county) == before
    finally:
        net.close()


def test_hub_not_answering_keeps_bundles_pending(net):
    _fill_and_export(net)
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    assert not upload.hub_answers(url, timeout=1)
    with pytest.raises(ServiceError) as err:
        upload.upload_pending(net.station, url)
    assert str(err.value) == (
        f"The county hub at {url} does not answer. Your bundles stay pending; try again later "
        "or carry them on a USB stick.")
    assert _pending(net.station) == [1, 2]


def test_client_names_never_become_paths():
    assert hub.safe_name("../../etc/passwd", "x") == "passwd.trbundle"
    assert hub.safe_name("C:\\Users\\a\\WP01-00002.trbundle", "x") == "WP01-00002.trbundle"
    assert hub.safe_name("..", "WP01-upload") == "WP01-upload.trbundle"
    assert hub.safe_name("站点 1.trbundle", "x") == "1.trbundle"
    assert hub.safe_name(None, "fallback") == "fallback.trbundle"


def test_a_chunk_from_a_dead_connection_does_not_block_the_upload(net):
    """A connection that died without a word leaves a chunk half read; the station's next try
    at the same offset replaces it at once (no waiting for the read timeout)."""
    path = _fill_and_export(net)
    net.station.conn.execute("UPDATE bundle_out SET uploaded_at = 'x' WHERE seq = 1")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    body = json.dumps({"name": path.name, "size": len(data), "sha256": sha}).encode()
    status, answer = _request(net.hub.url, "POST", "/api/v1/uploads", body,
                              _signed(net.station, "WP01", "POST", "/api/v1/uploads", body))
    assert status == 201
    chunk_path = f"/api/v1/uploads/{answer['id']}"
    chunk = data[:4096]
    headers = {**_signed(net.station, "WP01", "PATCH", chunk_path, chunk), "Upload-Offset": "0",
               "Content-Length": "4096"}
    stalled = socket.create_connection(("127.0.0.1", net.hub.port))
    try:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        stalled.sendall(f"PATCH {chunk_path} HTTP/1.1\r\nHost: x\r\n{head}\r\n".encode()
                        + chunk[:1000])
        [result] = upload.upload_pending(net.station, net.hub.url, chunk_size=4096, timeout=5)
        assert result.status == "applied"
        assert result.resumed_at == []  # the hub had nothing committed: it went on from 0
    finally:
        stalled.close()
    received = net.inbox / "received" / "WP01" / path.name
    assert received.read_bytes() == data


def test_hub_needs_a_county_database(tmp_path):
    station = Store(tmp_path / "station.db", create=True)
    station.close()
    with pytest.raises(ServiceError, match="not set up as a county"):
        hub.make_app(tmp_path / "station.db", tmp_path / "inbox")


def test_a_refused_request_is_one_log_line_never_a_traceback(net, caplog):
    """A 200 KB request header is the client's fault: aiohttp answers 400, and the hub's log
    says so in one line, without a traceback (as for every request it refuses)."""
    caplog.set_level(logging.DEBUG)
    host, port = "127.0.0.1", int(net.hub.url.rsplit(":", 1)[1])
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(b"GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000
                     + b"\r\n\r\n")
        answer = sock.recv(200)
    assert answer.split(b" ")[1] == b"400", answer
    status, _data = _request(net.hub.url, "POST", "/api/v1/uploads", b"{}", {})
    assert status == 401
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "/api/v1/nothing-here")
    assert conn.getresponse().status == 404
    conn.close()
    refusals = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(": ", 1)[1] for r in refusals] == [
        "400 LineTooLong", "401 unsigned", "404"], [r.getMessage() for r in refusals]
    assert not any(r.exc_info for r in caplog.records if r.levelno >= logging.WARNING)


def _twins(net: Network, n: int) -> list[Store]:
    """``n`` more databases linked as ZZ02 (other keys: strangers with its county pack)."""
    made = []
    for i in range(n):
        twin = Store(net.root / f"twin{i}.db", create=True)
        site.setup_station(twin, site.write_pack(net.county, "ZZ02", net.root / f"t{i}.trpack"))
        (net.root / f"twin{i}").mkdir()
        exchange.export(twin, net.root / f"twin{i}")
        made.append(twin)
    return made


def test_what_strangers_leave_waiting_for_one_code_is_bounded(tmp_path):
    net = Network(tmp_path, limits=hub.HubLimits(first_contact_keys=2))
    twins = _twins(net, 3)
    try:
        assert [upload.upload_pending(t, net.hub.url)[0].status for t in twins[:2]] == [
            "pending", "pending"]
        [third] = upload.upload_pending(twins[2], net.hub.url)
        assert third.status == "refused" and "2 different keys" in third.message
        assert "USB stick" in third.message
        assert len(waiting.keys_of("ZZ02")) == 2
        # the coordinator discards a wrong key: there is room again
        waiting.discard("ZZ02", site.own_fingerprint(twins[0]))
        assert upload.upload_pending(twins[2], net.hub.url)[0].status == "pending"
    finally:
        for t in twins:
            t.close()
        net.close()


def test_the_bytes_waiting_for_one_code_are_bounded(tmp_path):
    net = Network(tmp_path, limits=hub.HubLimits(first_contact_bytes=1))
    twins = _twins(net, 2)
    try:
        assert upload.upload_pending(twins[0], net.hub.url)[0].status == "pending"
        [second] = upload.upload_pending(twins[1], net.hub.url)
        assert second.status == "refused" and "fill the space" in second.message
        assert len(waiting.keys_of("ZZ02")) == 1
    finally:
        for t in twins:
            t.close()
        net.close()


def test_a_restarted_hub_tidies_what_a_killed_one_left(tmp_path):
    net = Network(tmp_path)
    net.hub.stop()
    partial = net.inbox / "partial"
    left = [partial / "0123abcd.json.tmp", partial / ".0123abcd.json.5f5f5f5f.tmp"]
    for path in left:
        path.write_text("{")
    net.hub = hub.start(net.root / "county.db", inbox_dir=net.inbox)
    try:
        assert not any(p.exists() for p in left)
    finally:
        net.close()
