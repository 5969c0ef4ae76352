"""Sync between real databases with real bundle files: three stations and their county.

The network (a county, three stations linked by county packs, each station's first bundle
approved, demo data and a second bundle written) is built once per module and copied for each
test. The helpers at the top are also used by tests/test_sync_properties.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
import random
import shlex
import shutil
import sqlite3
import struct
import subprocess
import sys
import uuid
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trainer_app import i18n
from trainer_app.domain import certificate_code, idcard, serial
from trainer_app.domain.models import Course, Trainee
from trainer_app.security import keys
from trainer_app.services import (
    attendance,
    certificates,
    classes,
    courses,
    demo,
    station,
    trainees,
)
from trainer_app.services.errors import OwnedElsewhereError, ServiceError
from trainer_app.store import Store
from trainer_app.store import sync as q
from trainer_app.store.db import utc_now
from trainer_app.sync import bundle, crypto, exchange, persons, site, waiting

TODAY = dt.date(2025, 6, 2)
SYNCED = ("course", "trainee", "training_class", "lesson", "enrollment", "attendance",
          "site_key", "certificate", "revocation", "station", "person_merge")
STATION_OWNED = ("trainee", "training_class", "lesson", "enrollment", "attendance",
                 "certificate")
SMALL_FRAME = 4096  # bundles of the test network have several frames


def digest(store: Store) -> str:
    """Everything in the database (all tables, bundle logs and meta included)."""
    h = hashlib.sha256()
    for line in q.content_digest_rows(store):
        h.update(line.encode("utf-8", "surrogatepass") + b"\n")
    return h.hexdigest()


def synced_digest(store: Store) -> str:
    """The synced tables' rows in id order (independent of the order rows were inserted)."""
    h = hashlib.sha256()
    for table in SYNCED:
        for row in store.conn.execute(f"SELECT * FROM {table} ORDER BY id"):
            h.update(f"{table}:{row!r}\n".encode())
    return h.hexdigest()


def count(store: Store, table: str, origin: str | None = None) -> int:
    if origin is None:
        return int(store.scalar(f"SELECT count(*) FROM {table}") or 0)
    return int(store.scalar(f"SELECT count(*) FROM {table} WHERE origin = ?", [origin]) or 0)


# -- the network -----------------------------------------------------------------------------
@dataclass
class Net:
    root: Path
    usb: Path
    county: Store
    stations: dict[str, Store]
    bundles: dict[str, list[Path]]  # per station code, bundle n at index n - 1
    others: list[Store] = field(default_factory=list)

    def open(self, path: Path, create: bool = False) -> Store:
        store = Store(path, create=create)
        self.others.append(store)
        return store

    def county_copy(self, name: str) -> Store:
        """A copy of the county database as it is now (same site, same keys)."""
        target = self.root / f"{name}.db"
        dst = sqlite3.connect(target)
        self.county.conn.backup(dst)
        dst.close()
        return self.open(target)

    def export(self, code: str, full: bool = False) -> tuple[Path, dict]:
        path, manifest = exchange.export(self.stations[code], self.usb, full=full)
        self.bundles[code].append(path)
        assert len(self.bundles[code]) == manifest["seq"]
        return path, manifest

    def close(self) -> None:
        for store in [self.county, *self.stations.values(), *self.others]:
            store.close()


def build(root: Path, plan: dict[str, tuple[int, int]], mp: pytest.MonkeyPatch) -> dict:
    """A county and its stations under ``root`` (with its own TRAINER_APP_HOME): each station
    linked by a county pack, its first bundle (its key) approved, then filled with demo data
    (``plan``: code -> (trainees, seed)) and its second bundle written, not yet imported."""
    i18n.set_language("en")
    mp.setenv("TRAINER_APP_HOME", str(root / "home"))
    mp.setattr(crypto, "FRAME", SMALL_FRAME)
    usb = root / "usb"
    usb.mkdir(parents=True)
    county = Store(root / "county.db", create=True)
    site.setup_county(county, "XC", demo.COUNTY_NAME)
    for code, title, category, description, hours in demo.COURSES:
        courses.add(county, Course(code, title, category, description, float(hours)))
    bundles: dict[str, list[str]] = {}
    for code, (n, seed) in plan.items():
        pack = site.write_pack(county, code, root / f"{code}.trpack", station_name=f"{code}服务站")
        st = Store(root / f"{code}.db", create=True)
        site.setup_station(st, pack)
        first, _ = exchange.export(st, usb)
        assert exchange.import_file(county, first).status == "pending"
        assert [r.status for r in exchange.approve(county, code)] == ["applied"]
        demo.fill(st, trainees=n, seed=seed, today=TODAY)
        for row in classes.list_all(st):
            if row["status"] == "finished":
                try:
                    certificates.issue(st, row["id"], today=TODAY)
                except ServiceError:  # a class no one completed
                    continue
        second, _ = exchange.export(st, usb)
        bundles[code] = [first.name, second.name]
        st.close()
    county.close()
    return {"root": root, "plan": plan, "bundles": bundles}


def open_copy(template: dict, target: Path, mp: pytest.MonkeyPatch) -> Net:
    """A private copy of a built network (databases, keys, bundles) for one test."""
    shutil.copytree(template["root"], target)
    mp.setenv("TRAINER_APP_HOME", str(target / "home"))
    i18n.set_language("en")
    stations = {code: Store(target / f"{code}.db") for code in template["plan"]}
    return Net(
        root=target, usb=target / "usb", county=Store(target / "county.db"), stations=stations,
        bundles={code: [target / "usb" / n for n in names]
                 for code, names in template["bundles"].items()},
    )


# -- hand-made bundles -------------------------------------------------------------------------
def manifest_for(station: Store, **changes) -> dict:
    """The manifest fields a station writes (before the writer adds sizes and hashes)."""
    signer = certificates.signing_key(station)
    info = site.county(station)
    m = {
        "kind": "station",
        "sender": {"site_id": station.site_id, "code": station.get_meta("station_code"),
                   "role": "station", "name": station.get_meta("station_name") or "",
                   "sign_public": crypto.b64(signer.public_raw),
                   "fingerprint": keys.fingerprint(signer.public_raw)},
        "recipient": {"county_code": info.code, "county_site_id": info.site_id},
        "seq": 90, "full": False, "from_rev": 0, "to_rev": q.change_counter(station),
        "created_at": utc_now(), "program_version": "test",
    }
    m.update(changes)
    return m


def write_raw(path: Path, manifest: dict, lines: Iterable[bytes], signer: keys.SigningKey,
              recipient_pub: bytes | None, frame: int = SMALL_FRAME,
              fix: Callable[[dict], None] | None = None, after: bytes = b"") -> Path:
    """A bundle written from docs/bundle-format.md by this test, not by the program: raw record
    lines (which may be hostile), zlib, frames sealed with ChaCha20-Poly1305, a signed manifest.
    ``fix`` may change the manifest after the sizes and hash were filled in (before signing);
    ``after`` is put after the end of the compressed stream (before framing and sealing)."""
    plain = b"".join(line.rstrip(b"\n") + b"\n" for line in lines)
    compressed = zlib.compress(plain, 9) + after
    sealer = crypto.Sealer(recipient_pub) if recipient_pub else None
    chunks = [compressed[i:i + frame] for i in range(0, len(compressed), frame)] or [b""]
    payload = b""
    for i, chunk in enumerate(chunks):
        sealed = sealer.seal(chunk, i == len(chunks) - 1) if sealer else chunk
        payload += struct.pack(">I", len(sealed)) + sealed
    counts: dict[str, int] = {}
    for line in plain.splitlines():
        try:
            table = json.loads(line)["t"]
        except (ValueError, KeyError, TypeError, RecursionError):
            table = "?"
        counts[str(table)] = counts.get(str(table), 0) + 1
    m = {**manifest, "format": "trainer-bundle", "version": 1, "counts": counts,
         "compression": "zlib", "plaintext_size": len(plain), "payload_size": len(payload),
         "payload_sha256": hashlib.sha256(payload).hexdigest(),
         "encryption": {"scheme": "x25519-chacha20poly1305",
                        "ephemeral_public": crypto.b64(sealer.ephemeral_public),
                        "recipient_key_id": crypto.key_id(recipient_pub)}
         if sealer else {"scheme": "none"}}
    if fix:
        fix(m)
    line = json.dumps(m, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bundle.MAGIC + line + b"\n" + crypto.b64(signer.sign(line)).encode() + b"\n"
                     + payload)
    return path


def record_line(table: str, row: dict) -> bytes:
    return json.dumps({"t": table, "r": row}, ensure_ascii=False).encode()


def station_bundle(station: Store, path: Path, lines: Iterable[bytes], **changes) -> Path:
    """A bundle as ``station`` would sign and encrypt it, holding ``lines``."""
    return write_raw(path, manifest_for(station, **changes), lines,
                     certificates.signing_key(station), site.county(station).encrypt_public)


def resign(source: Path, target: Path, signer: keys.SigningKey,
           change: Callable[[dict], None] | None = None) -> Path:
    """``source`` with its manifest changed by ``change`` and signed by ``signer``."""
    magic, manifest, _sig, rest = source.read_bytes().split(b"\n", 3)
    m = json.loads(manifest)
    if change:
        change(m)
    line = json.dumps(m, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    target.write_bytes(magic + b"\n" + line + b"\n" + crypto.b64(signer.sign(line)).encode()
                       + b"\n" + rest)
    return target


@dataclass
class Layout:
    """Where the parts of a bundle file are."""
    data: bytes
    manifest: int  # first byte of the manifest line
    manifest_end: int  # its newline
    signature: int
    signature_end: int
    payload: int
    frames: list[tuple[int, int, int]]  # (length prefix, first byte, end) of each frame

    @classmethod
    def of(cls, path: Path) -> Layout:
        data = path.read_bytes()
        manifest = len(bundle.MAGIC)
        manifest_end = data.index(b"\n", manifest)
        signature_end = data.index(b"\n", manifest_end + 1)
        payload = signature_end + 1
        frames, at = [], payload
        while at < len(data):
            (length,) = struct.unpack(">I", data[at:at + 4])
            frames.append((at, at + 4, at + 4 + length))
            at += 4 + length
        assert at == len(data)
        return cls(data, manifest, manifest_end, manifest_end + 1, signature_end, payload,
                   frames)

    def find(self, needle: bytes) -> int:
        at = self.data.index(needle, self.manifest, self.manifest_end)
        return at


# == tests ======================================================================================
PLAN = {"WP01": (40, 11), "ZZ02": (60, 22), "LS03": (80, 33)}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        yield build(tmp_path_factory.mktemp("template") / "net", PLAN, mp)


@pytest.fixture
def net(template, tmp_path, monkeypatch):
    n = open_copy(template, tmp_path / "net", monkeypatch)
    yield n
    n.close()


def import_all(net: Net, seq: int = 2) -> list[exchange.ImportReport]:
    reports = exchange.import_many(net.county, [b[seq - 1] for b in net.bundles.values()])
    assert [r.status for r in reports] == ["applied"] * len(reports), [r.message for r in reports]
    return reports


def a_mark(st: Store, not_trainee: str = "") -> dict:
    return st.row("SELECT a.* FROM attendance a JOIN trainee t ON t.id = a.trainee_id "
                  "WHERE a.deleted = 0 AND t.deleted = 0 AND t.id != ? ORDER BY a.id LIMIT 1",
                  [not_trainee])


def edit_station(st: Store, salt: int) -> dict:
    """The edits of the issue: a trainee edited, a trainee deleted, an attendance mark changed,
    a lesson cancelled. Returns the ids touched."""
    live = st.rows("SELECT id FROM trainee WHERE deleted = 0 ORDER BY code")
    edited, removed = live[salt % len(live)]["id"], live[(salt + 1) % len(live)]["id"]
    t = trainees.get(st, edited)
    trainees.update(st, edited, dataclasses.replace(t, name=f"改名{salt}",
                                                    phone=f"139{salt:08d}"))
    trainees.delete(st, removed)
    mark = a_mark(st, removed)
    new_status = "absent" if mark["status"] != "absent" else "present"
    attendance.mark(st, mark["lesson_id"], mark["trainee_id"], new_status)
    lesson = st.row("SELECT id FROM lesson WHERE cancelled = 0 AND deleted = 0 ORDER BY id "
                    "LIMIT 1 OFFSET ?", [salt % 3])
    classes.cancel_lesson(st, lesson["id"])
    return {"edited": edited, "removed": removed, "mark": mark["id"], "status": new_status,
            "lesson": lesson["id"]}


def row_of(store: Store, table: str, row_id: str) -> dict:
    row = store.row(f"SELECT * FROM {table} WHERE id = ?", [row_id])
    assert row is not None, (table, row_id)
    row.pop("id_hash", None)
    return row


def test_round_trip_counts_receipts_and_keys(net):
    reports = import_all(net)
    for r, code in zip(reports, net.stations, strict=True):
        assert r.sender_code == code and r.seq == 2 and r.gaps == [] and r.changed == {}
    for table in STATION_OWNED:
        total = 0
        for st in net.stations.values():
            n = count(st, table, st.site_id)
            assert n > 0 or table == "certificate"
            assert count(net.county, table, st.site_id) == n, table
            total += n
        assert count(net.county, table) == total, table
    for r, st in zip(reports, net.stations.values(), strict=True):
        assert r.new == {t: n for t in exchange.records.STATION_TABLES
                         if t != "site_key" and (n := count(st, t, st.site_id))}
    assert sum(count(st, "certificate") for st in net.stations.values()) > 0
    status = {s["code"]: s for s in exchange.status(net.county)["stations"]}
    assert {c: (s["approved"], s["last_seq"], s["gaps"]) for c, s in status.items()} == {
        c: (True, 2, []) for c in PLAN}

    county_bundle, manifest = exchange.export(net.county, net.usb)
    assert manifest["kind"] == "county" and manifest["counts"]["receipt"] == 3
    for st in net.stations.values():
        r = exchange.import_file(st, county_bundle)
        assert r.status == "applied", r.message
        assert [b["acknowledged_at"] is not None for b in exchange.status(st)["bundles"]] == [
            True, True]
        assert count(st, "station") == 3
        assert exchange.import_file(st, county_bundle).status == "duplicate"
    # every station now holds every station's key: a certificate verifies anywhere
    holder = next(st for st in net.stations.values() if count(st, "certificate"))
    cert = certificates.register(holder)[0]
    for store in (net.county, *net.stations.values()):
        assert certificates.verify(store, cert["qr_text"]).verdict == "genuine"


def test_import_again_changes_nothing(net):
    import_all(net)
    before = digest(net.county)
    everything = [p for b in net.bundles.values() for p in b]
    reports = exchange.import_many(net.county, everything)
    assert {r.status for r in reports} == {"duplicate"}
    assert digest(net.county) == before


def test_shuffled_order_gives_the_same_tables(net):
    other = net.county_copy("county-b")
    third = net.county_copy("county-c")
    for salt, code in enumerate(net.stations):
        edit_station(net.stations[code], salt)
        net.export(code)
        edit_station(net.stations[code], salt + 5)
        net.export(code)
    everything = [p for b in net.bundles.values() for p in b]
    in_order = exchange.import_many(net.county, everything)
    assert {r.status for r in in_order} == {"applied", "duplicate"}
    shuffled = everything + everything[:4]
    random.Random(4).shuffle(shuffled)
    for county, order in ((other, shuffled), (third, list(reversed(everything)))):
        reports = exchange.import_many(county, order)
        assert {r.status for r in reports} <= {"applied", "duplicate"}, [r.message for r in reports]
        assert synced_digest(county) == synced_digest(net.county)
        assert [s["gaps"] for s in exchange.status(county)["stations"]] == [[], [], []]


def test_edits_and_tombstones_reach_the_county(net):
    import_all(net)
    wp = net.stations["WP01"]
    last = q.last_out(wp)
    touched = edit_station(wp, 3)
    path, manifest = net.export("WP01")
    assert manifest["from_rev"] == last["to_rev"] and not manifest["full"]
    assert manifest["counts"] == {"trainee": 2, "attendance": 1, "lesson": 1}
    r = exchange.import_file(net.county, path)
    assert r.status == "applied", r.message
    assert r.new == {} and r.changed == {"trainee": 2, "attendance": 1, "lesson": 1}
    county = net.county
    for table, key in (("trainee", "edited"), ("trainee", "removed"), ("attendance", "mark"),
                       ("lesson", "lesson")):
        assert row_of(county, table, touched[key]) == row_of(wp, table, touched[key])
    assert row_of(county, "trainee", touched["edited"])["name"] == "改名3"
    assert row_of(county, "trainee", touched["removed"])["deleted"] == 1
    assert row_of(county, "attendance", touched["mark"])["status"] == touched["status"]
    assert row_of(county, "lesson", touched["lesson"])["cancelled"] == 1
    # the next bundle with nothing new is empty, and changes nothing
    path, manifest = net.export("WP01")
    assert manifest["counts"] == {}
    before = synced_digest(county)
    assert exchange.import_file(county, path).status == "applied"
    assert synced_digest(county) == before


def test_catalog_change_and_withdrawal_reach_a_station(net):
    import_all(net)
    county = net.county
    course = county.row("SELECT * FROM course WHERE code = 'EC101'")
    changed = courses.get(county, course["id"])
    courses.update(county, course["id"], dataclasses.replace(changed, title="开设网店（新版）",
                                                             hours=30.0))
    holder_code, holder = next((c, st) for c, st in net.stations.items()
                               if count(st, "certificate"))
    cert = certificates.register(holder)[0]
    assert certificates.verify(county, cert["qr_text"]).verdict == "genuine"
    certificates.revoke(county, cert["serial"], "重复发放", by="县中心")
    assert certificates.verify(county, cert["qr_text"]).verdict == "withdrawn"
    revocation = county.row("SELECT * FROM revocation")
    assert revocation["origin"] == county.site_id and revocation["certificate_id"] == cert["id"]
    assert certificates.verify(holder, cert["qr_text"]).verdict == "genuine"

    path, manifest = exchange.export(county, net.usb)
    assert manifest["counts"]["revocation"] == 1 and manifest["counts"]["course"] == 8
    for st in net.stations.values():
        r = exchange.import_file(st, path)
        assert r.status == "applied", r.message
        assert r.changed.get("course") == 1
        row = st.row("SELECT title, hours FROM course WHERE id = ?", [course["id"]])
        assert row == {"title": "开设网店（新版）", "hours": 30.0}
    v = certificates.verify(holder, cert["qr_text"])
    assert v.verdict == "withdrawn" and "重复发放" in v.message
    # the station's next bundle does not send the county's withdrawal back
    _, manifest = net.export(holder_code)
    assert "revocation" not in manifest["counts"]


def test_a_gap_is_reported_and_filled(net):
    wp = net.stations["WP01"]
    touched = edit_station(wp, 1)
    third, _ = net.export("WP01")
    r = exchange.import_file(net.county, third)
    assert r.status == "applied" and r.gaps == [(2, 2)]
    status = {s["code"]: s for s in exchange.status(net.county)["stations"]}
    assert status["WP01"]["gaps"] == [(2, 2)] and status["WP01"]["last_seq"] == 3
    r = exchange.import_file(net.county, net.bundles["WP01"][1])
    assert r.status == "applied" and r.gaps == []
    # the older bundle did not undo the newer edits
    for table, key in (("trainee", "edited"), ("trainee", "removed"), ("lesson", "lesson")):
        assert row_of(net.county, table, touched[key]) == row_of(wp, table, touched[key])


def test_id_numbers_swapped_at_a_station_arrive_in_any_order(net):
    """Two trainees exchange ID numbers (a mix-up corrected): in between, the county holds two
    live rows with one number, which a unique index would refuse."""
    wp = net.stations["WP01"]
    a, b = (r["id"] for r in wp.rows("SELECT id FROM trainee WHERE deleted = 0 LIMIT 2"))
    ta, tb = trainees.get(wp, a), trainees.get(wp, b)
    spare = idcard.make("411025", dt.date(1970, 1, 1), 99, "M")

    def set_number(tid, t, number):
        trainees.update(wp, tid, dataclasses.replace(t, id_number=number, birth_date=None,
                                                     gender=None))

    set_number(a, ta, spare)
    set_number(b, tb, ta.id_number)
    set_number(a, ta, tb.id_number)
    third, _ = net.export("WP01")
    other = net.county_copy("county-b")
    for county, order in ((net.county, [net.bundles["WP01"][1], third]),
                          (other, [third, net.bundles["WP01"][1]])):
        assert [exchange.import_file(county, p).status for p in order] == ["applied"] * 2
    assert synced_digest(other) == synced_digest(net.county)
    assert net.county.scalar("SELECT id_number FROM trainee WHERE id = ?", [a]) == tb.id_number


# -- rejected bundles change nothing ------------------------------------------------------------
def rejected(net: Net, path: Path, reason: str | set[str], store: Store | None = None,
             limits: bundle.Limits = bundle.DEFAULT_LIMITS) -> exchange.ImportReport:
    store = store or net.county
    before = digest(store)
    r = exchange.import_file(store, path, limits=limits)
    reasons = {reason} if isinstance(reason, str) else reason
    assert r.status == "rejected" and r.reason in reasons, (r.reason, r.message)
    assert path.name in r.message and r.new == {} and r.changed == {}
    assert digest(store) == before
    assert not exchange.pending_dir().exists() or not any(exchange.pending_dir().rglob("*.*"))
    return r


def flipped(source: Path, target: Path, offset: int) -> Path:
    data = bytearray(source.read_bytes())
    data[offset] ^= 0x01
    target.write_bytes(bytes(data))
    return target


FLIPS = {
    "magic": (lambda lay: 0, "not_a_bundle"),
    "magic version digit": (lambda lay: len(bundle.MAGIC) - 2, "unsupported_version"),
    "manifest first byte": (lambda lay: lay.manifest, "damaged"),
    "manifest sender code": (lambda lay: lay.find(b'"code":"WP01"') + 8, "forged"),
    "manifest payload hash": (lambda lay: lay.find(b'"payload_sha256":"') + 30, "forged"),
    "manifest plaintext size": (  # its last digit: still a number
        lambda lay: lay.data.index(b",", lay.find(b'"plaintext_size":')) - 1, "forged"),
    "manifest last byte": (lambda lay: lay.manifest_end - 1, "damaged"),
    "manifest newline": (lambda lay: lay.manifest_end, "damaged"),
    "signature first byte": (lambda lay: lay.signature, {"forged", "damaged"}),
    "signature middle": (lambda lay: lay.signature + 40, {"forged", "damaged"}),
    "signature padding": (lambda lay: lay.signature_end - 1, "damaged"),
    "signature newline": (lambda lay: lay.signature_end, "damaged"),
    "first frame length": (lambda lay: lay.frames[0][0] + 2, "damaged"),
    "first frame first byte": (lambda lay: lay.frames[0][1], "damaged"),
    "first frame middle": (lambda lay: (lay.frames[0][1] + lay.frames[0][2]) // 2, "damaged"),
    "first frame tag": (lambda lay: lay.frames[0][2] - 1, "damaged"),
    "last frame length": (lambda lay: lay.frames[-1][0] + 3, "damaged"),
    "last frame first byte": (lambda lay: lay.frames[-1][1], "damaged"),
    "last byte": (lambda lay: len(lay.data) - 1, "damaged"),
}


@pytest.mark.parametrize("where", FLIPS)
def test_one_byte_flipped_is_rejected(net, tmp_path, where):
    source = net.bundles["WP01"][1]
    lay = Layout.of(source)
    assert len(lay.frames) >= 3
    locate, reason = FLIPS[where]
    rejected(net, flipped(source, tmp_path / source.name, locate(lay)), reason)


def test_a_flipped_county_bundle_is_rejected_at_the_station(net, tmp_path):
    import_all(net)
    path, _ = exchange.export(net.county, net.usb)
    lay = Layout.of(path)
    wp = net.stations["WP01"]
    rejected(net, flipped(path, tmp_path / path.name, lay.frames[0][1] + 5), "damaged",
             store=wp)
    rejected(net, flipped(path, tmp_path / path.name, lay.find(b'"seq":') + 6), "forged",
             store=wp)
    assert exchange.import_file(wp, path).status == "applied"


CUTS = {
    "empty": lambda lay: 0,
    "in the magic line": lambda lay: 7,
    "after the magic line": lambda lay: lay.manifest,
    "in the manifest": lambda lay: lay.manifest + 100,
    "after the manifest": lambda lay: lay.signature,
    "in the signature": lambda lay: lay.signature + 30,
    "before the payload": lambda lay: lay.payload,
    "in a frame's length": lambda lay: lay.payload + 2,
    "in the first frame": lambda lay: lay.frames[0][1] + 100,
    "between frames": lambda lay: lay.frames[1][0],
    "in the last frame": lambda lay: lay.frames[-1][1] + 10,
    "last byte": lambda lay: len(lay.data) - 1,
}


@pytest.mark.parametrize("where", CUTS)
def test_truncated_is_rejected(net, tmp_path, where):
    source = net.bundles["WP01"][1]
    lay = Layout.of(source)
    target = tmp_path / source.name
    target.write_bytes(lay.data[:CUTS[where](lay)])
    rejected(net, target, "truncated")


def test_signed_by_another_key_is_forged(net, tmp_path):
    # an impostor linked with a second pack for WP01: its own key, WP01's code. It cannot be
    # told from a new PC of the station: it waits, changing nothing, until the coordinator
    # compares fingerprints (and re-keys the station, or discards the key)
    pack = site.write_pack(net.county, "WP01", tmp_path / "again.trpack")
    impostor = net.open(tmp_path / "impostor.db", create=True)
    site.setup_station(impostor, pack)
    demo.fill(impostor, trainees=5, seed=5, today=TODAY)
    (tmp_path / "out").mkdir()
    path, manifest = exchange.export(impostor, tmp_path / "out")
    assert manifest["sender"]["code"] == "WP01"
    before = digest(net.county)
    report = exchange.import_file(net.county, path)
    assert (report.status, report.reason) == ("pending", "new_key") and report.new == {}
    assert digest(net.county) == before
    fingerprint = site.own_fingerprint(impostor)
    assert [k.fingerprint for k in waiting.keys_of("WP01")] == [fingerprint]
    row = {s["code"]: s for s in exchange.status(net.county)["stations"]}["WP01"]
    assert row["approved"] and row["unapplied"] == 0 and len(row["waiting_keys"]) == 1
    waiting.discard("WP01", fingerprint)
    # WP01's own bundle re-signed with another key, naming WP01's key or the new one
    other = keys.SigningKey(Ed25519PrivateKey.generate())
    source = net.bundles["WP01"][1]
    rejected(net, resign(source, tmp_path / source.name, other), "forged")

    def claim(m):
        m["sender"]["sign_public"] = crypto.b64(other.public_raw)

    rejected(net, resign(source, tmp_path / source.name, other, claim), "forged")
    # and unchanged, it is fine
    assert exchange.import_file(net.county, source).status == "applied"


def test_unapproved_station_waits_and_changes_nothing(net, tmp_path):
    pack = site.write_pack(net.county, "NEW9", tmp_path / "new.trpack", station_name="新站")
    st = net.open(tmp_path / "new.db", create=True)
    site.setup_station(st, pack)
    demo.fill(st, trainees=8, seed=9, today=TODAY)
    (tmp_path / "out").mkdir()
    path, _ = exchange.export(st, tmp_path / "out")
    before = digest(net.county)
    for _ in range(2):
        r = exchange.import_file(net.county, path)
        assert (r.status, r.reason, r.ok) == ("pending", "not_approved", False)
        assert digest(net.county) == before
    assert (exchange.pending_dir() / "NEW9" / path.name).is_file()
    status = {s["code"]: s for s in exchange.status(net.county)["stations"]}
    assert status["NEW9"]["approved"] is False
    assert status["NEW9"]["pending_fingerprint"] == site.own_fingerprint(st)
    reports = exchange.approve(net.county, "NEW9")
    assert [r.status for r in reports] == ["applied"]
    assert count(net.county, "trainee", st.site_id) == 8
    assert not (exchange.pending_dir() / "NEW9" / path.name).exists()


def test_future_version_is_refused(net, tmp_path):
    source = net.bundles["WP01"][1]
    data = source.read_bytes()
    target = tmp_path / source.name
    target.write_bytes(b"TRAINER-BUNDLE 2\n" + data[len(bundle.MAGIC):])
    rejected(net, target, "unsupported_version")
    key = certificates.signing_key(net.stations["WP01"])
    rejected(net, resign(source, target, key, lambda m: m.update(version=2)),
             "unsupported_version")
    rejected(net, resign(source, target, key,
                         lambda m: m["encryption"].update(scheme="x448-aes256gcm")),
             "unsupported_version")
    rejected(net, resign(source, target, key, lambda m: m.update(compression="zstd")),
             "unsupported_version")
    # the untouched manifest re-signed by the same key is accepted (the edits were the cause)
    assert exchange.import_file(net.county, resign(source, target, key)).status == "applied"


@pytest.mark.parametrize("limits", [
    bundle.Limits(file_size=10_000), bundle.Limits(manifest_size=300),
    bundle.Limits(frame_size=1000), bundle.Limits(plaintext_size=20_000),
    bundle.Limits(line_size=100),
], ids=["file", "manifest", "frame", "plaintext", "record"])
def test_oversized_is_rejected(net, limits):
    rejected(net, net.bundles["WP01"][1], "too_large", limits=limits)


def test_decompression_bomb_is_stopped(net, tmp_path):
    """Small on disk, large once decompressed, with a manifest that lies about it: reading stops
    where the manifest's size is passed."""
    wp = net.stations["WP01"]
    rows = list(q.changed_rows(wp, "trainee", wp.site_id, 0))
    lines = []
    for i in range(600):
        row = {**rows[0], "id": str(uuid.UUID(int=i, version=4)), "code": f"B{i:07d}",
               "id_number": None, "notes": "0" * 10_000}
        lines.append(record_line("trainee", row))
    path = write_raw(tmp_path / "WP01-00090.trbundle", manifest_for(wp), lines,
                     certificates.signing_key(wp), site.county(wp).encrypt_public,
                     fix=lambda m: m.update(plaintext_size=1000))
    limit = bundle.Limits(plaintext_size=1_000_000)
    assert path.stat().st_size < 50_000 < limit.plaintext_size // 5
    r = rejected(net, path, "inconsistent", limits=limit)
    assert "decompression" in r.detail and "decompression" not in r.message
    # telling the truth, it is refused before anything is decompressed
    path = write_raw(tmp_path / "WP01-00090.trbundle", manifest_for(wp), lines,
                     certificates.signing_key(wp), site.county(wp).encrypt_public)
    r = rejected(net, path, "too_large", limits=limit)


# -- hostile records ----------------------------------------------------------------------------
@functools.cache
def _other_key() -> keys.SigningKey:
    return keys.SigningKey(Ed25519PrivateKey.generate())


def _wrong_origin(net, row):
    return [record_line("trainee", {**row, "origin": net.stations["ZZ02"].site_id})]


def _set(**values):
    return lambda net, row: [record_line("trainee", {**row, **values})]


HOSTILE = {
    "wrong origin": _wrong_origin,
    "county's origin": lambda net, row: [record_line("trainee",
                                                     {**row, "origin": net.county.site_id})],
    "unknown table": lambda net, row: [record_line("meta", {"key": "role", "value": "x"})],
    "a log table": lambda net, row: [record_line("bundle_in", {**row})],
    "a county table": lambda net, row: [record_line("station", {**row})],
    "unknown column": _set(is_admin=1),
    "rev as text": _set(rev="7"),
    "negative rev": _set(rev=-1),
    "rev too large": _set(rev=2**70),
    "deleted as boolean": _set(deleted=True),
    "name as a list": _set(name=["王", "伟"]),
    "name as an object": _set(name={"$ne": ""}),
    "name missing": _set(name=None),
    "number in a text column": _set(village=12),
    "text in an integer column": _set(poor_household="1"),
    "not a uuid": _set(id="1 OR 1=1"),
    "impossible birth date": _set(birth_date="1990-02-30"),
    "bad timestamp": _set(updated_at="yesterday"),
    "huge text": _set(notes="x" * 20_000),
    "infinite number": lambda net, row: [record_line("lesson", {
        **net.stations["WP01"].row("SELECT * FROM lesson LIMIT 1"), "hours": float("inf")})],
    "not a number": lambda net, row: [record_line("lesson", {
        **net.stations["WP01"].row("SELECT * FROM lesson LIMIT 1"), "hours": float("nan")})],
    "text hours": lambda net, row: [record_line("lesson", {
        **net.stations["WP01"].row("SELECT * FROM lesson LIMIT 1"), "hours": "abc"})],
    "reference not a uuid": lambda net, row: [record_line("enrollment", {
        **net.stations["WP01"].row("SELECT * FROM enrollment LIMIT 1"),
        "trainee_id": "../../etc/passwd"})],
    "a key of another site": lambda net, row: [record_line("site_key", {
        **net.stations["WP01"].row("SELECT * FROM site_key WHERE origin = ?",
                                   [net.stations["WP01"].site_id]),
        "id": str(uuid.UUID(int=9, version=4)), "key_id": "0badc0de",
        "label": "ZZ02服务站", "site_id": net.stations["ZZ02"].site_id})],
    "a record that is a list": lambda net, row: [b"[1, 2, 3]"],
    "a row that is a list": lambda net, row: [b'{"t": "trainee", "r": [1]}'],
    "not JSON": lambda net, row: [b"\x00\xff garbage"],
    "lone surrogate": lambda net, row: [
        record_line("trainee", {**row, "name": "@@"}).replace(b"@@", b"\\ud800")],
    "deep nesting": lambda net, row: [b'{"t": "trainee", "r": ' + b"[" * 100_000 + b"]" * 100_000
                                      + b"}"],
    "duplicate code": lambda net, row: [record_line("trainee", {
        **row, "id": str(uuid.UUID(int=7, version=4)), "id_number": None})],
    # a station's version of a row the county owns (what editing a county course at a station
    # used to send): the county's catalog row would change owner
    "a county course taken over": lambda net, row: [record_line("course", {
        **net.county.row("SELECT * FROM course ORDER BY code LIMIT 1"),
        "origin": net.stations["WP01"].site_id, "rev": 10**6, "title": "改过的课程"})],
    "a key id not of its key": lambda net, row: [record_line("site_key", {
        **net.stations["WP01"].row("SELECT * FROM site_key WHERE origin = ?",
                                   [net.stations["WP01"].site_id]),
        "id": str(uuid.UUID(int=10, version=4)), "key_id": "0badc0de"})],
    "a signing key not approved": lambda net, row: [record_line("site_key", {
        **net.stations["WP01"].row("SELECT * FROM site_key WHERE origin = ?",
                                   [net.stations["WP01"].site_id]),
        "id": str(uuid.UUID(int=11, version=4)), "key_id": _other_key().key_id.hex(),
        "public_key": _other_key().public_b64})],
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_record_rejects_the_whole_bundle(net, tmp_path, kind):
    wp = net.stations["WP01"]
    good = list(q.changed_rows(wp, "trainee", wp.site_id, 0))[:5]
    lines = [record_line("trainee", row) for row in good] + HOSTILE[kind](net, good[0])
    path = station_bundle(wp, tmp_path / "WP01-00090.trbundle", lines)
    rejected(net, path, "invalid_record")
    assert count(net.county, "trainee") == 0


def test_path_like_strings_are_just_data(net, tmp_path):
    wp = net.stations["WP01"]
    row = next(q.changed_rows(wp, "trainee", wp.site_id, 0))
    odd = {"notes": "../../../../home/evil.trbundle", "village": "C:\\Windows\\System32",
           "education": "/etc/passwd", "village_group": "%2e%2e/inbox/pending"}
    path = station_bundle(wp, tmp_path / "in" / "WP01-00090.trbundle",
                          [record_line("trainee", {**row, **odd})])
    before = sorted(p for p in tmp_path.rglob("*"))
    r = exchange.import_file(net.county, path)
    assert r.status == "applied", r.message
    held = net.county.row("SELECT * FROM trainee WHERE id = ?", [row["id"]])
    assert {k: held[k] for k in odd} == odd
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_a_bundle_for_another_county_is_refused(net, tmp_path):
    other = net.open(tmp_path / "other-county.db", create=True)
    site.setup_county(other, "YX", "另一个县")
    pack = site.write_pack(other, "WP01", tmp_path / "other.trpack")
    st = net.open(tmp_path / "other-wp01.db", create=True)
    site.setup_station(st, pack)
    demo.fill(st, trainees=3, seed=3, today=TODAY)
    (tmp_path / "out").mkdir()
    path, _ = exchange.export(st, tmp_path / "out")
    rejected(net, path, "wrong_recipient")
    # WP01's own bundle, its manifest naming our county, sealed to another county's key
    wp = net.stations["WP01"]
    rows = list(q.changed_rows(wp, "trainee", wp.site_id, 0))[:3]
    sealed = write_raw(tmp_path / "WP01-00091.trbundle", manifest_for(wp),
                       [record_line("trainee", r) for r in rows],
                       certificates.signing_key(wp), site.county(other).encrypt_public)
    rejected(net, sealed, "wrong_recipient")


def test_a_path_as_sender_code_is_refused(net, tmp_path):
    wp = net.stations["WP01"]
    sender = manifest_for(wp)["sender"]
    path = station_bundle(wp, tmp_path / "x.trbundle", [],
                          sender={**sender, "code": "../../../outside"})
    rejected(net, path, "unknown_station")
    assert not (exchange.pending_dir().parent.parent.parent / "outside").exists()


def test_a_malformed_manifest_signed_by_the_station_is_damaged(net, tmp_path):
    key = certificates.signing_key(net.stations["WP01"])
    source = net.bundles["WP01"][1]
    target = tmp_path / source.name
    for change in (lambda m: m.update(encryption="none"), lambda m: m.update(seq="2"),
                   lambda m: m.update(payload_size=None), lambda m: m.pop("counts"),
                   lambda m: m["sender"].update(sign_public=12),
                   lambda m: m["encryption"].update(ephemeral_public="AAAA")):
        rejected(net, resign(source, target, key, change), {"damaged", "forged"})


def test_a_bundle_written_from_the_documented_format_is_accepted(net, tmp_path):
    """The format description is enough to write a bundle the program accepts."""
    wp = net.stations["WP01"]
    rows = list(q.changed_rows(wp, "trainee", wp.site_id, 0))
    path = station_bundle(wp, tmp_path / "WP01-00002.trbundle",
                          [record_line("trainee", r) for r in rows], seq=2)
    r = exchange.import_file(net.county, path)
    assert r.status == "applied" and r.new == {"trainee": len(rows)}


# -- privacy and readability ---------------------------------------------------------------------
def personal_forms(value: str) -> list[bytes]:
    forms = {value, value.replace("-", ""), json.dumps(value), json.dumps(value)[1:-1]}
    out = set()
    for form in forms:
        out |= {form.encode("utf-8"), form.encode("utf-16-le"), form.encode("utf-16-be")}
    return sorted(out)


def test_personal_fields_are_never_in_clear(net):
    wp = net.stations["WP01"]
    number = idcard.make("411025", dt.date(1987, 5, 12), 42, "F")
    tid = trainees.register(wp, Trainee(name="隐私测试", id_number=number, phone="13712345678",
                                        village="王坪村"))
    assert trainees.get(wp, tid).birth_date == "1987-05-12"
    path, manifest = net.export("WP01")
    assert manifest["encryption"]["scheme"] == "x25519-chacha20poly1305"
    everyone = wp.rows("SELECT id_number, phone, birth_date FROM trainee")
    data = b"".join(p.read_bytes() for p in net.bundles["WP01"])
    for value in (number, "13712345678", "1987-05-12"):
        for form in personal_forms(value):
            assert form not in data, form
    for person in everyone:
        for value in person.values():
            if value:
                assert value.encode() not in data
    assert list(net.usb.glob(".*")) == []  # no temporary files left beside the bundles
    # the county's bundle down to stations carries no personal data either
    import_all(net)
    exchange.import_file(net.county, path)
    county_path, _ = exchange.export(net.county, net.usb)
    county_data = county_path.read_bytes()
    for value in (number, "13712345678", "1987-05-12"):
        for form in personal_forms(value):
            assert form not in county_data


def test_the_manifest_reads_without_keys(net, tmp_path, monkeypatch):
    path = net.bundles["ZZ02"][1]
    manifest = json.loads(path.read_bytes().split(b"\n")[1])  # sed -n 2p FILE
    zz = net.stations["ZZ02"]
    assert manifest["format"] == "trainer-bundle" and manifest["version"] == 1
    assert manifest["sender"]["code"] == "ZZ02" and manifest["seq"] == 2
    assert manifest["recipient"]["county_code"] == "XC"
    assert manifest["counts"]["trainee"] == count(zz, "trainee")
    assert manifest["sender"]["fingerprint"] == site.own_fingerprint(zz)
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "nobody"))  # no keys at all
    assert exchange.inspect(path) == manifest
    one_liner = ("import json,sys; f=open(sys.argv[1],'rb'); f.readline(); "
                 "print(json.dumps(json.loads(f.readline()), ensure_ascii=False, indent=2))")
    assert one_liner in (Path(__file__).parent.parent / "docs" / "bundle-format.md").read_text()
    out = subprocess.run([sys.executable, "-c", one_liner, str(path)], capture_output=True,
                         check=True).stdout
    assert json.loads(out) == manifest
    if shutil.which("sed"):
        out = subprocess.run(f"sed -n 2p {shlex.quote(str(path))} | "
                             f"{shlex.quote(sys.executable)} -m json.tool",
                             shell=True, capture_output=True, check=True, text=True).stdout
        assert json.loads(out) == manifest


# -- duplicate persons --------------------------------------------------------------------------
def test_duplicate_persons_are_found_merged_and_the_merge_travels(net):
    number = idcard.make("411025", dt.date(1979, 3, 8), 17, "M")
    wp, zz = net.stations["WP01"], net.stations["ZZ02"]
    a = trainees.register(wp, Trainee(name="张重名", id_number=number, village="王坪村"))
    b = trainees.register(zz, Trainee(name="张重名", id_number=number, village="张庄村"))
    net.export("WP01")
    net.export("ZZ02")
    county = net.county
    reports = exchange.import_many(county, [net.usb])  # a USB stick full of bundles
    assert sorted(r.status for r in reports) == ["applied"] * 5 + ["duplicate"] * 3
    key = site.dedup_key(county)
    assert county.scalar("SELECT id_hash FROM trainee WHERE id = ?", [a]) == site.id_hash(
        key, number) != number
    groups = [g for g in persons.duplicates(county) if {m["id"] for m in g} & {a, b}]
    assert len(groups) == 1
    assert {(m["id"], m["station_code"]) for m in groups[0]} == {(a, "WP01"), (b, "ZZ02")}

    with pytest.raises(ServiceError):
        persons.merge(county, a, a)
    other = county.scalar("SELECT id FROM trainee WHERE id_hash != ? AND origin = ? LIMIT 1",
                          [site.id_hash(key, number), zz.site_id])
    with pytest.raises(ServiceError):
        persons.merge(county, a, other)
    with pytest.raises(ServiceError):
        persons.merge(wp, a, b)
    merge_id = persons.merge(county, a, b)
    with pytest.raises(ServiceError):
        persons.merge(county, a, b)
    with pytest.raises(ServiceError):
        persons.merge(county, b, a)
    assert not [g for g in persons.duplicates(county) if {m["id"] for m in g} & {a, b}]
    merge = county.row("SELECT * FROM person_merge WHERE id = ?", [merge_id])
    assert (merge["origin"], merge["merged_id"], merge["into_id"]) == (county.site_id, b, a)

    path, manifest = exchange.export(county, net.usb)
    assert manifest["counts"]["person_merge"] == 1
    for st in (wp, zz):
        assert exchange.import_file(st, path).status == "applied"
        assert st.row("SELECT * FROM person_merge") == merge
    # each station's trainee record says what the county decided
    assert "merged that record into this one" in trainees.merge_note(wp, a)
    assert "the other station's record is the one kept" in trainees.merge_note(zz, b)
    unmerged = next(t["id"] for t in trainees.search(wp) if t["id"] != a)
    assert trainees.merge_note(wp, unmerged) == ""


def test_a_withdrawal_reaches_every_station(tmp_path, monkeypatch):
    """A certificate withdrawn at one station verifies as withdrawn at another station, which
    only knows it through the county."""
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    i18n.set_language("en")
    usb = tmp_path / "usb"
    usb.mkdir()
    county = Store(tmp_path / "county.db", create=True)
    site.setup_county(county, "XC", "襄城县")
    stations = {}
    for seed, code in enumerate(("WP01", "ZZ02")):
        site.write_pack(county, code, tmp_path / f"{code}.trpack")
        st = Store(tmp_path / f"{code}.db", create=True)
        site.setup_station(st, tmp_path / f"{code}.trpack")
        demo.fill(st, trainees=40, seed=seed + 11)
        stations[code] = st
    wp = stations["WP01"]
    finished = next(c for c in classes.list_all(wp) if c["status"] == "finished")
    cert = certificates.issue(wp, finished["id"]).certificates[0]
    for code, st in stations.items():
        path, _manifest = exchange.export(st, usb)
        exchange.import_file(county, path)
        exchange.approve(county, code)
    down, _manifest = exchange.export(county, usb)
    exchange.import_file(stations["ZZ02"], down)
    assert certificates.verify(stations["ZZ02"], cert["qr_text"]).verdict == "genuine"

    certificates.revoke(wp, cert["serial"], "issued by mistake")
    path, _manifest = exchange.export(wp, usb)
    assert exchange.import_file(county, path).status == "applied"
    down, _manifest = exchange.export(county, usb)
    assert exchange.import_file(stations["ZZ02"], down).status == "applied"
    result = certificates.verify(stations["ZZ02"], cert["qr_text"])
    assert result.verdict == "withdrawn" and "issued by mistake" in result.message
    for st in (county, *stations.values()):
        st.close()


# -- ownership: a row is changed only where it was created ---------------------------------------
def test_a_station_cannot_change_the_countys_course(net):
    wp = net.stations["WP01"]
    course = wp.row("SELECT * FROM course WHERE origin = ? ORDER BY code LIMIT 1",
                    [net.county.site_id])
    before = digest(wp)
    c = courses.get(wp, course["id"])
    with pytest.raises(OwnedElsewhereError) as info:
        courses.update(wp, course["id"], dataclasses.replace(c, title="改过的课程"))
    assert str(info.value) == ("This record belongs to the county center and can only be "
                               "changed there.")
    assert digest(wp) == before
    # the station's own course is its to change
    own = courses.add(wp, Course("LOC1", "本站课程", "", "", 4.0))
    courses.update(wp, own, dataclasses.replace(courses.get(wp, own), title="本站课程二"))
    assert courses.get(wp, own).title == "本站课程二"


def test_the_county_cannot_change_a_stations_records(net):
    import_all(net)
    county, wp = net.county, net.stations["WP01"]
    tid = county.scalar("SELECT id FROM trainee WHERE origin = ? AND deleted = 0 LIMIT 1",
                        [wp.site_id])
    class_id = county.scalar("SELECT id FROM training_class WHERE origin = ? LIMIT 1",
                             [wp.site_id])
    mark = county.row("SELECT * FROM attendance WHERE origin = ? AND deleted = 0 LIMIT 1",
                      [wp.site_id])
    before = digest(county)
    message = "This record belongs to station WP01 and can only be changed there."
    t = trainees.get(county, tid)
    for change in (
        lambda: trainees.update(county, tid, dataclasses.replace(t, name="县里改的")),
        lambda: trainees.delete(county, tid),
        lambda: classes.set_status(county, class_id, "cancelled"),
        lambda: attendance.mark(county, mark["lesson_id"], mark["trainee_id"],
                                "excused" if mark["status"] != "excused" else "present"),
    ):
        with pytest.raises(OwnedElsewhereError, match=message):
            change()
    assert digest(county) == before


def test_another_stations_row_in_a_bundle_is_rejected(net, tmp_path):
    """WP01 sends a row under the id of a ZZ02 trainee the county holds: refused, whatever its
    rev (taking it would make the result depend on the import order)."""
    import_all(net)
    wp, zz = net.stations["WP01"], net.stations["ZZ02"]
    theirs = next(q.changed_rows(zz, "trainee", zz.site_id, 0))
    mine = next(q.changed_rows(wp, "trainee", wp.site_id, 0))
    hostile = {**mine, "id": theirs["id"], "rev": 10**6, "code": "T999999"}
    path = station_bundle(wp, tmp_path / "WP01-00003.trbundle",
                          [record_line("trainee", hostile)], seq=3)
    r = rejected(net, path, "invalid_record")
    assert "another site" in r.detail and "another site" not in r.message


def test_one_id_with_two_origins_in_a_county_bundle_is_rejected(net, tmp_path):
    """Withdrawals of every origin travel in the county's bundle; two of one id with different
    origins are refused at the station."""
    import_all(net)
    county, wp = net.county, net.stations["WP01"]
    base = {"id": str(uuid.UUID(int=12, version=4)), "rev": 1, "updated_at": utc_now(),
            "deleted": 0, "certificate_id": str(uuid.UUID(int=13, version=4)),
            "serial": "WP01-2025-000001-0", "reason": "x", "revoked_by": "",
            "revoked_at": utc_now()}
    signer = certificates.signing_key(county)
    m = {"kind": "county",
         "sender": {"site_id": county.site_id, "code": "XC", "role": "county", "name": "",
                    "sign_public": crypto.b64(signer.public_raw),
                    "fingerprint": keys.fingerprint(signer.public_raw)},
         "recipient": {"county_code": "XC", "county_site_id": county.site_id},
         "seq": 1, "full": True, "from_rev": 0, "to_rev": 1, "created_at": utc_now(),
         "program_version": "test"}
    lines = [record_line("revocation", {**base, "origin": county.site_id}),
             record_line("revocation", {**base, "origin": net.stations["ZZ02"].site_id,
                                        "rev": 2})]
    path = write_raw(tmp_path / "XC-00001.trbundle", m, lines, signer, None)
    rejected(net, path, "invalid_record", store=wp)
    # one origin is fine
    path = write_raw(tmp_path / "XC-00001.trbundle", m, lines[:1], signer, None)
    assert exchange.import_file(wp, path).status == "applied"


# -- who may sign which certificate --------------------------------------------------------------
def signed_code(key: keys.SigningKey, serial_no: str) -> str:
    record = certificate_code.CertificateRecord(
        serial=serial_no, course_code="EC101", issued_on=TODAY, hours=24.0,
        holder_name="王五", id_number_masked="", key_id=key.key_id)
    return certificate_code.encode(record, key.sign(record.to_bytes()))


def test_a_station_key_signs_its_own_serials_only(net):
    import_all(net)
    down, _ = exchange.export(net.county, net.usb)
    wp, zz = net.stations["WP01"], net.stations["ZZ02"]
    assert exchange.import_file(zz, down).status == "applied"
    key = certificates.signing_key(wp)
    own = signed_code(key, serial.make("WP01", 2025, 999))
    in_the_name_of_zz = signed_code(key, serial.make("ZZ02", 2025, 999))
    # before it had a code from the county, a station's serials carry its provisional code
    provisional = signed_code(key, serial.make(station.default_code(wp.site_id), 2025, 1))
    for where in (net.county, wp, zz):
        assert certificates.verify(where, own).verdict == "genuine"
        assert certificates.verify(where, provisional).verdict == "genuine"
        forged = certificates.verify(where, in_the_name_of_zz)
        assert forged.verdict == "forged" and "key of another station" in forged.message


def test_the_countys_key_signs_no_certificate(net):
    code = signed_code(certificates.signing_key(net.county), serial.make("WP01", 2025, 5))
    for where in (net.county, net.stations["WP01"]):
        result = certificates.verify(where, code)
        assert result.verdict == "forged" and "county center's key" in result.message


# -- bundles waiting for approval -----------------------------------------------------------------
def new_station(net: Net, tmp_path: Path) -> tuple[Store, Path]:
    pack = site.write_pack(net.county, "NEW9", tmp_path / "new.trpack", station_name="新站")
    st = net.open(tmp_path / "new.db", create=True)
    site.setup_station(st, pack)
    demo.fill(st, trainees=8, seed=9, today=TODAY)
    (tmp_path / "out").mkdir()
    path, _ = exchange.export(st, tmp_path / "out")
    return st, path


def test_a_damaged_bundle_of_an_unapproved_station_is_not_kept(net, tmp_path):
    _st, path = new_station(net, tmp_path)
    lay = Layout.of(path)
    bad = flipped(path, tmp_path / path.name, lay.frames[0][1] + 3)
    rejected(net, bad, "damaged")
    cut = tmp_path / "cut" / path.name
    cut.parent.mkdir()
    cut.write_bytes(lay.data[:-10])
    rejected(net, cut, "truncated")
    assert not (exchange.pending_dir() / "NEW9").exists() or not any(
        (exchange.pending_dir() / "NEW9").iterdir())


def test_a_bad_waiting_copy_is_replaced_and_bad_ones_are_deleted_on_approval(net, tmp_path):
    st, path = new_station(net, tmp_path)
    folder = exchange.pending_dir() / "NEW9"
    folder.mkdir(parents=True)
    # copies kept by an earlier version: one damaged under the good file's name, one cut short
    waiting = folder / path.name
    flipped(path, waiting, Layout.of(path).frames[0][1] + 3)
    cut = folder / "NEW9-00007.trbundle"
    cut.write_bytes(path.read_bytes()[:-10])
    r = exchange.import_file(net.county, path)
    assert r.status == "pending"
    assert waiting.read_bytes() == path.read_bytes()
    assert [p.name for p in folder.iterdir()] == sorted([path.name, cut.name])  # no temp file
    reports = {r.file: r for r in exchange.approve(net.county, "NEW9")}
    assert reports[path.name].status == "applied"
    assert (reports[cut.name].status, reports[cut.name].reason) == ("rejected", "truncated")
    assert "The waiting copy was deleted." in reports[cut.name].message
    assert list(folder.iterdir()) == []
    assert count(net.county, "trainee", st.site_id) == 8


def test_copy_atomic_leaves_the_target_whole_or_untouched(tmp_path, monkeypatch):
    from trainer_app import files

    src = tmp_path / "a.bin"
    src.write_bytes(os.urandom(3_000_000))
    dst = tmp_path / "out" / "a.bin"
    dst.parent.mkdir()
    dst.write_bytes(b"old")
    assert files.copy_atomic(src, dst) == dst and files.same_content(src, dst)
    dst.write_bytes(b"old")

    def fail(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", fail)
    with pytest.raises(OSError):
        files.copy_atomic(src, dst)
    assert dst.read_bytes() == b"old" and sorted(dst.parent.iterdir()) == [dst]


# -- cancelling a batch keeps what was done ------------------------------------------------------
def test_a_cancelled_batch_keeps_the_reports_of_the_files_applied(net, tmp_path):
    county, wp = net.county, net.stations["WP01"]
    row = next(q.changed_rows(wp, "trainee", wp.site_id, 0))
    big = station_bundle(wp, tmp_path / "WP01-00003.trbundle", [
        record_line("trainee", {**row, "id": str(uuid.UUID(int=i, version=4)),
                                "code": f"B{i:07d}", "id_number": None})
        for i in range(1, 4500)], seq=3)
    files_ = [net.bundles["ZZ02"][1], big, net.bundles["LS03"][1]]
    def applied() -> int:
        return int(county.scalar("SELECT count(*) FROM bundle_in WHERE status = 'applied'"))

    first_in, asked = applied() + 1, []

    def cancelled() -> bool:  # stop once the first file is in, in the middle of the second
        asked.append(applied())
        return asked.count(first_in) > 1

    reports = exchange.import_many(county, files_, cancelled=cancelled)
    assert [r.status for r in reports] == ["applied", "cancelled"]
    stopped = reports[1]
    assert (stopped.file, stopped.reason, stopped.sender_code, stopped.new) == (
        big.name, "cancelled", "WP01", {})
    assert stopped.message == f"{big.name}: import stopped; nothing of this file was applied."
    assert not stopped.ok
    assert count(county, "trainee", net.stations["ZZ02"].site_id) > 0
    assert count(county, "trainee", wp.site_id) == 0
    assert county.scalar("PRAGMA foreign_keys") == 1


def test_foreign_keys_are_back_on_after_any_import(net, tmp_path):
    county = net.county
    with q.foreign_keys_off(county):
        assert county.scalar("PRAGMA foreign_keys") == 0
    assert county.scalar("PRAGMA foreign_keys") == 1
    rejected(net, flipped(net.bundles["WP01"][1], tmp_path / "x.trbundle",
                          Layout.of(net.bundles["WP01"][1]).frames[-1][1]), "damaged")
    assert county.scalar("PRAGMA foreign_keys") == 1
    import_all(net)
    assert county.scalar("PRAGMA foreign_keys") == 1
