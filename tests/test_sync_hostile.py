"""Hostile bundles: what a station whose key was stolen, or whose program is broken, can send.

Every bundle here is signed with the approved station's own key (and encrypted to the county,
unless said otherwise), so the signature and approval checks pass: what stops it is what the
county checks after them. Each refusal leaves the county's database exactly as it was.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
import zlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests import test_sync
from tests.test_sync import (
    count,
    digest,
    import_all,
    manifest_for,
    record_line,
    rejected,
    station_bundle,
    write_raw,
)
from trainer_app.domain import bundle_numbers
from trainer_app.security import keys
from trainer_app.services import certificates
from trainer_app.services import county as county_service
from trainer_app.services.errors import ServiceError
from trainer_app.store import sync as q
from trainer_app.sync import bundle, crypto, exchange, site

template, net = test_sync.template, test_sync.net  # the network of tests/test_sync.py, built here


def trainee_rows(net, n: int) -> list[dict]:
    """``n`` distinct, valid trainee rows of WP01 (its first one, with new ids and codes)."""
    wp = net.stations["WP01"]
    row = next(q.changed_rows(wp, "trainee", wp.site_id, 0))
    return [{**row, "id": str(uuid.UUID(int=i + 1, version=4)), "code": f"H{i:07d}",
             "id_number": None} for i in range(n)]


def empty_bundle(net, tmp_path: Path, seq: int) -> Path:
    return station_bundle(net.stations["WP01"], tmp_path / f"WP01-{seq}.trbundle", [], seq=seq)


# -- bundle numbers -----------------------------------------------------------------------------
def test_gaps_are_ranges_that_cost_what_the_bundles_held_cost(net, tmp_path, capsys):
    """A station may open a gap of at most 10,000 numbers at a time; gaps are reported as
    ranges, so the report and the station list stay small however far the numbers go."""
    wp = net.stations["WP01"].site_id
    far = 1 + bundle_numbers.MAX_AHEAD
    farther = far + bundle_numbers.MAX_AHEAD
    for seq, gaps in ((far, [(2, far - 1)]), (farther, [(2, far - 1), (far + 1, farther - 1)])):
        r = exchange.import_file(net.county, empty_bundle(net, tmp_path, seq))
        assert (r.status, r.gaps) == ("applied", gaps), r.message
        assert len(json.dumps(r.gaps)) < 100
    status = {s["code"]: s for s in exchange.status(net.county)["stations"]}
    assert status["WP01"]["gaps"] == gaps and status["WP01"]["last_seq"] == farther
    assert len(json.dumps(status)) < 5000
    listed = {s["code"]: s for s in county_service.stations(net.county)}
    assert listed["WP01"]["gaps"] == gaps
    assert q.highest_seq(net.county, wp) == farther


@pytest.mark.parametrize("seq", [0, -1, -(2**40), 2 + bundle_numbers.MAX_AHEAD, 2**33, 2**70])
def test_an_impossible_bundle_number_is_refused(net, tmp_path, seq):
    """Numbers start at 1, and the county holds WP01's bundle 1: the next may be at most
    1 + 10,000."""
    r = rejected(net, empty_bundle(net, tmp_path, seq), "bad_seq")
    assert "bundle number" in r.message


def test_the_limit_follows_the_highest_bundle_held(net, tmp_path):
    import_all(net)  # bundle 2 of each station
    limit = 2 + bundle_numbers.MAX_AHEAD
    rejected(net, empty_bundle(net, tmp_path, limit + 1), "bad_seq")
    assert exchange.import_file(net.county, empty_bundle(net, tmp_path, limit)).status == \
        "applied"


def test_a_database_holding_a_huge_number_still_lists_its_gaps(net):
    """A county that an earlier version let take bundle number 2**33 (one number past every
    limit since) lists the gap as one range, at once."""
    wp = net.stations["WP01"].site_id
    with net.county.transaction():
        q.add_in(net.county, {"sender_site": wp, "sender_code": "WP01", "seq": 2**33,
                              "sha256": "0" * 64, "received_at": "2026-01-01T00:00:00+00:00",
                              "status": "applied"})
    status = {s["code"]: s for s in exchange.status(net.county)["stations"]}
    assert status["WP01"]["gaps"] == [(2, 2**33 - 1)]
    assert bundle_numbers.text(status["WP01"]["gaps"]) == f"2–{2**33 - 1}"
    assert bundle_numbers.gaps([2**62, 5, 1, 2**62, 0, -3]) == [(2, 4), (6, 2**62 - 1)]


# -- encryption ---------------------------------------------------------------------------------
def test_a_station_bundle_in_clear_is_refused(net, tmp_path):
    wp = net.stations["WP01"]
    lines = [record_line("trainee", row) for row in trainee_rows(net, 3)]
    path = write_raw(tmp_path / "WP01-00002.trbundle", manifest_for(wp, seq=2), lines,
                     certificates.signing_key(wp), None)
    assert bundle.read_header(path).manifest["encryption"] == {"scheme": "none"}
    rejected(net, path, "not_encrypted")
    assert count(net.county, "trainee") == 0


def test_county_bundles_in_clear_still_reach_the_stations(net):
    import_all(net)
    path, manifest = exchange.export(net.county, net.usb)
    assert manifest["encryption"] == {"scheme": "none"}
    for st in net.stations.values():
        assert exchange.import_file(st, path).status == "applied"


# -- the manifest against the content -----------------------------------------------------------
def _counts(change):
    return lambda m: change(m["counts"])


LIES = {
    "one record more counted": _counts(lambda c: c.update(trainee=c["trainee"] + 1)),
    "one record fewer counted": _counts(lambda c: c.update(trainee=c["trainee"] - 1)),
    "a table counted that is not there": _counts(lambda c: c.update(lesson=2)),
    "a table not counted": _counts(lambda c: c.pop("trainee")),
    "plaintext one byte more": lambda m: m.update(plaintext_size=m["plaintext_size"] + 1),
    "plaintext one byte less": lambda m: m.update(plaintext_size=m["plaintext_size"] - 1),
}


@pytest.mark.parametrize("lie", LIES)
def test_counts_and_plaintext_size_must_match_the_content(net, tmp_path, lie):
    wp = net.stations["WP01"]
    lines = [record_line("trainee", row) for row in trainee_rows(net, 30)]
    path = write_raw(tmp_path / "WP01-00002.trbundle", manifest_for(wp, seq=2), lines,
                     certificates.signing_key(wp), site.county(wp).encrypt_public, fix=LIES[lie])
    rejected(net, path, "inconsistent")
    # the same records with a true manifest are fine
    path = station_bundle(wp, tmp_path / "WP01-00002.trbundle", lines, seq=2)
    assert exchange.import_file(net.county, path).status == "applied"


@pytest.mark.parametrize("after", [b"", b"\x00", b"trailing garbage"], ids=["stream", "byte",
                                                                             "text"])
def test_data_after_the_compressed_stream_is_refused(net, tmp_path, after):
    """A second zlib stream (holding more records), or any byte, after the end of the first."""
    wp = net.stations["WP01"]
    rows = trainee_rows(net, 6)
    first = [record_line("trainee", row) for row in rows[:3]]
    second = zlib.compress(b"".join(record_line("trainee", r) + b"\n" for r in rows[3:]))
    path = write_raw(tmp_path / "WP01-00002.trbundle", manifest_for(wp, seq=2), first,
                     certificates.signing_key(wp), site.county(wp).encrypt_public,
                     after=after or second)
    rejected(net, path, "inconsistent")


def test_a_table_the_sender_may_not_send_cannot_even_be_counted(net, tmp_path):
    wp = net.stations["WP01"]
    path = write_raw(tmp_path / "WP01-00002.trbundle", manifest_for(wp, seq=2), [],
                     certificates.signing_key(wp), site.county(wp).encrypt_public,
                     fix=_counts(lambda c: c.update(meta=1)))
    r = rejected(net, path, "invalid_record")
    assert "meta" in r.detail


# -- work bounded by the manifest, repeated records, the write lock -------------------------------
def test_copies_of_one_record_are_refused_at_the_second(net, tmp_path):
    """The attack of the issue, scaled down: many copies of one valid row, a small file."""
    row = trainee_rows(net, 1)[0]
    read = []
    path = station_bundle(net.stations["WP01"], tmp_path / "WP01-00002.trbundle",
                          [record_line("trainee", row)] * 20_000, seq=2)
    assert bundle.read_header(path).manifest["plaintext_size"] > 100 * path.stat().st_size
    before = digest(net.county)
    r = exchange.import_file(net.county, path, progress=read.append)
    assert (r.status, r.reason) == ("rejected", "invalid_record")
    assert "comes twice" in r.detail and read == []  # stopped before 2,000 records were read
    assert digest(net.county) == before


def test_the_same_id_in_two_tables_is_not_a_repeat(net, tmp_path):
    wp = net.stations["WP01"]
    trainee = trainee_rows(net, 1)[0]
    lesson = {**wp.row("SELECT * FROM lesson LIMIT 1"), "id": trainee["id"]}
    path = station_bundle(wp, tmp_path / "WP01-00002.trbundle",
                          [record_line("trainee", trainee), record_line("lesson", lesson)], seq=2)
    assert exchange.import_file(net.county, path).status == "applied"


def test_reading_stops_where_the_manifest_counts_end(net, tmp_path):
    wp = net.stations["WP01"]
    lines = [record_line("trainee", row) for row in trainee_rows(net, 10_000)]
    path = write_raw(tmp_path / "WP01-00002.trbundle", manifest_for(wp, seq=2), lines,
                     certificates.signing_key(wp), site.county(wp).encrypt_public,
                     fix=_counts(lambda c: c.update(trainee=5)))
    read: list[int] = []
    before = digest(net.county)
    r = exchange.import_file(net.county, path, progress=read.append)
    assert (r.status, r.reason) == ("rejected", "inconsistent") and read == []
    assert digest(net.county) == before


def test_other_writers_are_not_held_up_while_a_bundle_is_checked(net, tmp_path):
    """Decrypting, reading and checking every record happen before the write lock: another
    connection (the hub, a second window) writes meanwhile without waiting."""
    rows = trainee_rows(net, 6000)
    path = station_bundle(net.stations["WP01"], tmp_path / "WP01-00002.trbundle",
                          [record_line("trainee", row) for row in rows], seq=2)
    other = sqlite3.connect(net.county.path, isolation_level=None, timeout=0)
    writes = []

    def write_meanwhile(n: int) -> None:
        other.execute("BEGIN IMMEDIATE")  # "database is locked" at once if the lock is held
        other.execute("UPDATE meta SET value = value WHERE key = 'site_id'")
        other.execute("COMMIT")
        writes.append(n)

    r = exchange.import_file(net.county, path, progress=write_meanwhile)
    other.close()
    assert r.status == "applied" and r.new == {"trainee": 6000}, r.message
    assert writes == [2000, 4000, 6000]


def test_a_refused_bundle_leaves_no_staging_behind(net, tmp_path):
    row = trainee_rows(net, 1)[0]
    path = station_bundle(net.stations["WP01"], tmp_path / "WP01-00002.trbundle",
                          [record_line("trainee", row)] * 2, seq=2)
    rejected(net, path, "invalid_record")
    assert net.county.conn.execute(
        "SELECT name FROM temp.sqlite_master WHERE type = 'table'").fetchall() == []
    import_all(net)
    assert not net.county.conn.in_transaction


# -- things that are not files --------------------------------------------------------------------
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def not_blocking(fifo: Path, work, timeout: float = 20):
    """Run ``work()``; if it is still running after ``timeout`` (blocked opening the pipe), open
    the pipe's other end so it returns, and fail."""
    result: list = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # re-raised below, in the test's thread
            result.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(5)
        pytest.fail(f"blocked on the pipe {fifo.name}")
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


@needs_fifo
def test_a_pipe_named_like_a_bundle_in_a_folder_is_skipped(net, tmp_path):
    usb = tmp_path / "stick"
    (usb / "sub").mkdir(parents=True)
    fifo = usb / "sub" / "AA01-00001.trbundle"
    os.mkfifo(fifo)
    (usb / "folder.trbundle").mkdir()  # a folder so named is searched, not imported
    good = net.bundles["WP01"][1]
    (usb / good.name).write_bytes(good.read_bytes())
    reports = not_blocking(fifo, lambda: exchange.import_many(net.county, [usb]))
    by_file = {r.file: r for r in reports}
    assert set(by_file) == {fifo.name, good.name}
    skipped = by_file[fifo.name]
    assert (skipped.status, skipped.reason) == ("rejected", "not_a_file")
    assert "skipped" in skipped.message
    assert by_file[good.name].status == "applied"


@needs_fifo
def test_a_pipe_given_on_the_command_line_is_skipped(net, tmp_path):
    fifo = tmp_path / "x.trbundle"
    os.mkfifo(fifo)
    good = net.bundles["WP01"][1]
    net.county.close()
    env = {**os.environ, "TRAINER_APP_HOME": str(net.root / "home")}

    def run():
        return subprocess.run(
            [sys.executable, "-m", "trainer_app", "--lang", "en", "--db",
             str(net.root / "county.db"), "sync", "import", str(fifo), str(good)],
            capture_output=True, text=True, env=env, timeout=60)

    proc = not_blocking(fifo, run, timeout=90)
    assert proc.returncode == 1, proc.stderr
    assert "x.trbundle: it is not a regular file" in proc.stdout and "skipped" in proc.stdout
    assert f"{good.name}: applied." in proc.stdout and "Traceback" not in proc.stderr


@needs_fifo
def test_a_pipe_is_never_opened_by_the_bundle_reader(tmp_path):
    fifo = tmp_path / "x.trbundle"
    os.mkfifo(fifo)
    with pytest.raises(bundle.BundleError) as caught:
        not_blocking(fifo, lambda: bundle.read_header(fifo))
    assert caught.value.reason == "not_a_file"
    # a path given to the inspector: the same
    with pytest.raises(bundle.BundleError):
        not_blocking(fifo, lambda: exchange.inspect(fifo))


def test_a_device_named_like_a_bundle_is_skipped(net, tmp_path):
    if not Path(os.devnull).exists() or os.name == "nt":
        pytest.skip("no device file to link to")
    link = tmp_path / "zero.trbundle"
    link.symlink_to("/dev/zero" if Path("/dev/zero").exists() else os.devnull)
    r = exchange.import_file(net.county, link)
    assert (r.status, r.reason) == ("rejected", "not_a_file")


# -- county packs ---------------------------------------------------------------------------------
def _pack_parts(path: Path) -> dict:
    return json.loads(base64.b64decode(json.loads(path.read_bytes())["pack"]))


def _signed_pack(path: Path, body: dict, signer) -> Path:
    data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    path.write_text(json.dumps({"pack": base64.b64encode(data).decode(),
                                "signature": crypto.b64(signer.sign(data))}))
    return path


@needs_fifo
def test_a_pipe_named_like_a_pack_is_refused(tmp_path):
    fifo = tmp_path / "WP01.trpack"
    os.mkfifo(fifo)
    with pytest.raises(ServiceError, match="not a county pack"):
        not_blocking(fifo, lambda: site.read_pack(fifo))


def test_a_pack_larger_than_any_county_writes_is_refused(net, tmp_path, monkeypatch):
    pack = site.write_pack(net.county, "NEW1", tmp_path / "NEW1.trpack")
    monkeypatch.setattr(site, "PACK_MAX", pack.stat().st_size - 1)
    with pytest.raises(ServiceError, match="not a county pack"):
        site.read_pack(pack)


@pytest.mark.parametrize("bad", ["a course of another origin", "a course with a text rev",
                                 "courses not a list", "a key that is a list"])
def test_a_pack_with_bad_rows_changes_nothing(net, tmp_path, bad):
    """A pack signed by the county key it names is still checked like any synced row."""
    body = _pack_parts(site.write_pack(net.county, "NEW1", tmp_path / "NEW1.trpack"))
    course = body["courses"][0]
    body.update({
        "a course of another origin": {"courses": [{**course, "origin": "x"}]},
        "a course with a text rev": {"courses": [{**course, "rev": "1"}]},
        "courses not a list": {"courses": {"a": 1}},
        "a key that is a list": {"site_keys": [[1, 2]]},
    }[bad])
    pack = _signed_pack(tmp_path / "bad.trpack", body, certificates.signing_key(net.county))
    station = net.open(tmp_path / "new.db", create=True)
    before = digest(station)
    with pytest.raises(ServiceError, match="not a county pack"):
        site.setup_station(station, pack)
    assert digest(station) == before and site.role(station) == ""


def test_a_linked_station_takes_packs_signed_by_its_county_only(net, tmp_path):
    """Anyone can sign a pack with a key of their own and the county's identity: a station
    linked already keeps its county's key."""
    wp = net.stations["WP01"]
    body = _pack_parts(site.write_pack(net.county, "WP01", tmp_path / "again.trpack"))
    impostor = keys.SigningKey(Ed25519PrivateKey.generate())
    body["county"]["sign_public"] = crypto.b64(impostor.public_raw)
    forged = _signed_pack(tmp_path / "forged.trpack", body, impostor)
    before = digest(wp)
    with pytest.raises(ServiceError, match="not signed with the key of the county"):
        site.setup_station(wp, forged)
    assert digest(wp) == before
    # the county's own pack links again
    site.setup_station(wp, tmp_path / "again.trpack")
