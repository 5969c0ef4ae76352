"""The command line's sync: a county and two stations linked, filled and synced through the CLI
only (``main([...])`` in process), USB bundles both ways, approval by fingerprint, duplicate
persons, and every refusal one line with exit 2 and the database unchanged."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from trainer_app import i18n
from trainer_app.cli import main
from trainer_app.domain import idcard
from trainer_app.services import demo

SHARED_ID = idcard.make("110105", dt.date(1985, 5, 20), 33, "F")  # not the demo's region


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    return tmp_path


# -- helpers ---------------------------------------------------------------------------------------
def run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", "--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, db: Path, *args: str) -> str:
    code, out, err = run(capsys, db, *args)
    assert (code, err) == (0, ""), err
    return out


def as_json(capsys, db: Path, *args: str):
    return json.loads(ok(capsys, db, *args, "--json"))


def refused(capsys, db: Path, *args: str) -> str:
    code, out, err = run(capsys, db, *args)
    assert (code, out) == (2, ""), (out, err)
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    return err.strip()


def digest(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(con.iterdump()).encode()).hexdigest()
    finally:
        con.close()


def scalar(path: Path, sql: str, params: tuple = ()):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchone()[0]
    finally:
        con.close()


def column(path: Path, sql: str, params: tuple = ()) -> list:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute(sql, params)]
    finally:
        con.close()


def fingerprint_in(out: str) -> str:
    line = next(x for x in out.splitlines() if x.startswith("Key fingerprint: "))
    return line.partition(": ")[2].strip()


def export(capsys, db: Path, folder: Path, *more: str) -> Path:
    """``sync export``: the bundle's path is alone on the first line."""
    out = ok(capsys, db, "sync", "export", "--out", str(folder), *more)
    path = Path(out.splitlines()[0])
    assert path.is_file() and path.parent == folder
    return path


def flip_last_byte(source: Path, target: Path) -> Path:
    data = bytearray(source.read_bytes())
    data[-5] ^= 0x01
    target.write_bytes(bytes(data))
    return target


@dataclass
class Net:
    root: Path
    usb: Path
    county: Path
    stations: dict[str, Path]
    fingerprints: dict[str, str]  # as `setup station` printed them
    first: dict[str, Path]  # each station's first bundle


def linked(capsys, root: Path, names: dict[str, str]) -> Net:
    """A county with the demo's course catalog and one station per code in ``names`` (station
    name, '' for none), each set up from its county pack and filled with ``demo --trainees 30``,
    its first bundle written to the USB folder but not imported yet."""
    county = root / "county.db"
    out = ok(capsys, county, "setup", "county", "--code", "XC", "--name", "襄城县电商中心")
    assert "XC" in out and fingerprint_in(out)
    for code, title, category, description, hours in demo.COURSES:
        ok(capsys, county, "courses", "add", "--code", code, "--title", title, "--category",
           category, "--description", description, "--hours", str(hours))
    usb = root / "usb"
    usb.mkdir()
    stations, fingerprints, first = {}, {}, {}
    for n, (code, name) in enumerate(names.items()):
        pack = root / f"{code}.trpack"
        more = ["--station-name", name] if name else []
        assert ok(capsys, county, "county", "pack", "--station-code", code.lower(), "--out",
                  str(pack), *more).strip() == str(pack)
        db = root / f"{code}.db"
        out = ok(capsys, db, "setup", "station", "--pack", str(pack))
        assert "襄城县电商中心" in out and code in out
        fingerprints[code] = fingerprint_in(out)
        ok(capsys, db, "demo", "--trainees", "30", "--seed", str(n + 3))
        stations[code] = db
        first[code] = export(capsys, db, usb)
    return Net(root, usb, county, stations, fingerprints, first)


@pytest.fixture
def net(home, capsys) -> Net:
    return linked(capsys, home, {"ST01": "王坪村服务站", "ST02": "张庄村服务站"})


def approved(capsys, net: Net) -> Net:
    """``net`` with the first bundles imported and both stations approved."""
    ok(capsys, net.county, "sync", "import", str(net.usb))
    for code in net.stations:
        ok(capsys, net.county, "stations", "approve", code)
    return net


# -- the USB flow ----------------------------------------------------------------------------------
def test_usb_flow_through_the_command_line(net, capsys):
    county, usb = net.county, net.usb
    assert net.first["ST01"].name == "ST01-00001.trbundle"

    # The first bundles wait for approval: not an error, but said so.
    code, out, err = run(capsys, county, "sync", "import", str(usb))
    assert (code, err) == (0, "")
    assert out.count("waiting for approval") >= 2 and "not an error" in out
    assert "stations approve ST01" in out
    assert as_json(capsys, county, "trainees", "list") == []

    # The county sees the fingerprint each station showed when it was set up.
    rows = {r["code"]: r for r in as_json(capsys, county, "stations", "list")}
    assert set(rows) == {"ST01", "ST02"}
    for st, row in rows.items():
        assert row["id"] and row["approved"] is False and row["waiting"] is True
        assert row["fingerprint"] == net.fingerprints[st]
    assert net.fingerprints["ST01"] in ok(capsys, county, "stations", "list")

    for st in ("ST01", "ST02"):
        out = ok(capsys, county, "stations", "approve", st)
        first_line, *rest = out.splitlines()
        assert net.fingerprints[st] in first_line
        assert f"{st}-00001.trbundle: applied." in rest
        assert any("trainees 30" in line for line in rest)
    rows = {r["code"]: r for r in as_json(capsys, county, "stations", "list")}
    assert all(r["approved"] and r["last_seq"] == 1 and r["gaps"] == [] for r in rows.values())
    assert rows["ST02"]["fingerprint"] == net.fingerprints["ST02"]

    # The county's trainees are the stations' trainees.
    at_stations = sum(len(as_json(capsys, db, "trainees", "list"))
                      for db in net.stations.values())
    assert at_stations == 60
    assert len(as_json(capsys, county, "trainees", "list")) == at_stations

    # Importing again changes nothing and is not an error.
    before = digest(county)
    code, out, err = run(capsys, county, "sync", "import", *map(str, net.first.values()))
    assert (code, err) == (0, "")
    assert out.count("was imported before; nothing changed") == 2
    assert digest(county) == before

    # A damaged copy of a new bundle is rejected with its reason; the county is unchanged.
    st1 = net.stations["ST01"]
    ok(capsys, st1, "trainees", "add", "--name", "新学员", "--id-number", SHARED_ID,
       "--village", "王坪村")
    second = export(capsys, st1, usb)
    tampered = flip_last_byte(second, net.root / "tampered.trbundle")
    code, out, err = run(capsys, county, "sync", "import", str(tampered))
    assert (code, err) == (1, "")
    assert "tampered.trbundle: the file is damaged" in out and "reason: damaged" in out
    assert "rejected" in out
    assert digest(county) == before

    # The genuine one applies; the manifest can be read without keys.
    out = ok(capsys, county, "sync", "import", str(second))
    assert "ST01-00002.trbundle: applied." in out and "trainees 1" in out
    manifest = json.loads(ok(capsys, county, "sync", "inspect", str(second)))
    assert manifest["sender"]["code"] == "ST01" and manifest["seq"] == 2
    assert manifest["counts"]["trainee"] == 1
    first = json.loads(ok(capsys, net.root / "no-database.db", "sync", "inspect",
                          str(net.first["ST02"])))
    assert first["counts"]["trainee"] == 30 and first["kind"] == "station"
    assert not (net.root / "no-database.db").exists()

    # The county's bundle goes back down: the station learns which bundles arrived.
    down = net.root / "down"
    down.mkdir()
    county_bundle = export(capsys, county, down)
    assert county_bundle.name == "XC-00001.trbundle"
    out = ok(capsys, st1, "sync", "import", str(down))
    assert "XC-00001.trbundle: applied." in out
    status = as_json(capsys, st1, "sync", "status")
    assert status["role"] == "station" and status["station_code"] == "ST01"
    assert status["fingerprint"] == net.fingerprints["ST01"]
    bundles = {b["seq"]: b for b in status["bundles"]}
    assert set(bundles) == {1, 2} and all(b["id"] for b in bundles.values())
    assert bundles[1]["acknowledged_at"] and bundles[2]["acknowledged_at"]
    assert bundles[2]["counts"]["trainee"] == 1
    text = ok(capsys, st1, "sync", "status")
    assert "ST01-00002.trbundle" in text and net.fingerprints["ST01"] in text

    county_status = as_json(capsys, county, "sync", "status")
    assert county_status["role"] == "county"
    assert {s["code"]: s["last_seq"] for s in county_status["stations"]} == {"ST01": 2,
                                                                            "ST02": 1}


def test_export_prints_the_path_first_and_the_counts_after(net, capsys):
    out = ok(capsys, net.stations["ST02"], "sync", "export", "--out", str(net.usb), "--full")
    path, summary, *_rest = out.splitlines()
    assert Path(path).name == "ST02-00002-full.trbundle"
    assert "Bundle 2 (full)" in summary and "trainees 30" in summary


def test_a_missing_bundle_is_reported_as_a_gap(net, capsys):
    approved(capsys, net)
    st2 = net.stations["ST02"]
    export(capsys, st2, net.usb)
    ok(capsys, st2, "trainees", "add", "--name", "李四", "--id-number", SHARED_ID, "--village",
       "张庄村")
    third = export(capsys, st2, net.usb)
    out = ok(capsys, net.county, "sync", "import", str(third))
    assert "ST02-00003.trbundle: applied." in out and "missing bundles of ST02: 2" in out
    rows = {r["code"]: r for r in as_json(capsys, net.county, "stations", "list")}
    assert rows["ST02"]["gaps"] == [[2, 2]] and rows["ST02"]["last_seq"] == 3


def test_demo_on_a_linked_station_belongs_to_the_station(net, capsys):
    county_site = as_json(capsys, net.county, "station", "show")["id"]
    for db in net.stations.values():
        station_site = as_json(capsys, db, "station", "show")["id"]
        for table in ("trainee", "training_class", "lesson", "enrollment", "attendance"):
            assert column(db, f"SELECT DISTINCT origin FROM {table}") == [station_site], table
        # The courses are the county's, from its pack: none was made again at the station.
        assert column(db, "SELECT DISTINCT origin FROM course") == [county_site]
        assert scalar(db, "SELECT count(*) FROM course") == len(demo.COURSES)
        codes = {c["code"] for c in as_json(capsys, db, "courses", "list")}
        assert codes == {c[0] for c in demo.COURSES}
        assert as_json(capsys, db, "station", "show")["station_code"] in net.stations
    approved(capsys, net)
    assert scalar(net.county, "SELECT count(*) FROM course") == len(demo.COURSES)
    assert scalar(net.county, "SELECT count(*) FROM training_class") == 8


def test_demo_keeps_the_county_of_the_pack(home, capsys):
    net = linked(capsys, home, {"ST01": "王坪村服务站"})
    info = as_json(capsys, net.stations["ST01"], "station", "show")
    assert info["county_name"] == "襄城县电商中心"
    assert info["station_name"] == "王坪村服务站"


def test_demo_keeps_the_county_of_the_pack_when_the_station_has_no_name(home, capsys):
    net = linked(capsys, home, {"ST01": ""})
    info = as_json(capsys, net.stations["ST01"], "station", "show")
    assert info["county_name"] == "襄城县电商中心"


# -- the demo station's records never reach the county ------------------------------------------
LOCAL_TABLES = ("trainee", "training_class", "lesson", "enrollment", "attendance", "certificate",
                "revocation")


def test_a_demo_database_is_linked_only_with_discard_demo(net, capsys):
    from trainer_app.sync import exchange

    db = net.root / "first-start.db"  # what the program's first start leaves
    ok(capsys, db, "demo", "--trainees", "25", "--seed", "9")
    # the operator tried the program on it: their own record goes with the demo's
    ok(capsys, db, "trainees", "add", "--name", "张晓燕", "--id-number", SHARED_ID,
       "--village", "王坪村")
    pack = net.root / "WP05.trpack"
    ok(capsys, net.county, "county", "pack", "--station-code", "WP05", "--out", str(pack),
       "--station-name", "王坪村电商站")
    before = digest(db)
    err = refused(capsys, db, "setup", "station", "--pack", str(pack))
    assert "demo station's practice records" in err and "--discard-demo" in err
    assert digest(db) == before
    err = refused(capsys, db, "setup", "county", "--code", "YX", "--name", "另一个县")
    assert "--discard-demo" in err and digest(db) == before

    out = ok(capsys, db, "setup", "station", "--pack", str(pack), "--discard-demo")
    assert "practice records were removed" in out and "WP05" in out
    for table in LOCAL_TABLES:
        assert scalar(db, f"SELECT count(*) FROM {table}") == 0, table
    county_site = as_json(capsys, net.county, "station", "show")["id"]
    assert column(db, "SELECT DISTINCT origin FROM course") == [county_site]
    assert {c["code"] for c in as_json(capsys, db, "courses", "list")} == {
        c[0] for c in demo.COURSES}
    info = as_json(capsys, db, "station", "show")
    assert (info["station_name"], info["station_code"], info["county_name"]) == (
        "王坪村电商站", "WP05", "襄城县电商中心")
    assert scalar(db, "SELECT count(*) FROM meta WHERE key = 'demo'") == 0

    # the first bundle holds the station's key and nothing of the demo
    first = export(capsys, db, net.usb)
    counts = {k: n for k, n in exchange.inspect(first)["counts"].items() if n}
    assert counts == {"site_key": 2}  # its signing key, and the key a rebuild is encrypted to
    ok(capsys, net.county, "sync", "import", str(first))
    ok(capsys, net.county, "stations", "approve", "WP05")
    station_site = info["id"]
    assert scalar(net.county, "SELECT count(*) FROM trainee WHERE origin = ?",
                  (station_site,)) == 0
    assert scalar(net.county, "SELECT count(*) FROM site_key WHERE label = ?",
                  (demo.STATION_NAME,)) == 0
    # linking again with the same pack (a catalog refresh) needs no flag
    ok(capsys, db, "setup", "station", "--pack", str(pack))


def test_a_demo_database_becomes_a_county_only_with_discard_demo(home, capsys):
    db = home / "county.db"
    ok(capsys, db, "demo", "--trainees", "5")
    before = digest(db)
    err = refused(capsys, db, "setup", "county", "--code", "XC", "--name", "襄城县")
    assert "--discard-demo" in err and digest(db) == before
    out = ok(capsys, db, "setup", "county", "--code", "XC", "--name", "襄城县", "--discard-demo")
    assert "practice records were removed" in out and "XC" in out
    for table in (*LOCAL_TABLES, "course"):
        assert scalar(db, f"SELECT count(*) FROM {table}") == 0, table
    assert as_json(capsys, db, "stations", "list") == []


def test_a_real_station_links_without_the_flag(net, capsys):
    from trainer_app.domain.models import Trainee
    from trainer_app.services import trainees
    from trainer_app.store import Store

    db = net.root / "real.db"
    store = Store(db, create=True)
    try:
        trainees.register(store, Trainee(name="张晓燕", id_number=SHARED_ID, village="王坪村"))
    finally:
        store.close()
    ok(capsys, net.county, "county", "pack", "--station-code", "RL01", "--out",
       str(net.root / "RL01.trpack"))
    out = ok(capsys, db, "setup", "station", "--pack", str(net.root / "RL01.trpack"))
    assert "removed" not in out and "RL01" in out
    assert column(db, "SELECT name FROM trainee") == ["张晓燕"]


def test_station_code_and_county_are_locked_once_linked(net, capsys):
    st1 = net.stations["ST01"]
    before = digest(st1)
    for args in (("--code", "ZZ01"), ("--county", "另一个县"), ("--name", "x", "--code", "ZZ01")):
        err = refused(capsys, st1, "station", "set", *args)
        assert "Set by the county pack; it cannot be changed here." in err, err
        assert digest(st1) == before
    ok(capsys, st1, "station", "set", "--name", "王坪村服务站（新）", "--code", "st01")
    info = as_json(capsys, st1, "station", "show")
    assert (info["station_name"], info["station_code"]) == ("王坪村服务站（新）", "ST01")
    err = refused(capsys, net.county, "station", "set", "--county", "改名")
    assert "Set by the county pack" in err


# -- duplicates ------------------------------------------------------------------------------------
def test_duplicate_persons_are_listed_and_merged(net, capsys):
    approved(capsys, net)
    ids = {}
    for code, name in (("ST01", "王秀英"), ("ST02", "王秀英")):
        ids[code] = ok(capsys, net.stations[code], "trainees", "add", "--name", name,
                       "--id-number", SHARED_ID, "--village", "王坪村").strip()
        ok(capsys, net.county, "sync", "import", str(export(capsys, net.stations[code],
                                                             net.usb)))
    groups = as_json(capsys, net.county, "duplicates", "list")
    assert len(groups) == 1 and groups[0]["group"] == 1
    members = {m["station_code"]: m for m in groups[0]["trainees"]}
    assert {c: m["id"] for c, m in members.items()} == ids
    assert SHARED_ID not in json.dumps(groups)  # matched on a keyed hash, never shown
    # nor the hash: its key is in every county pack, so a hash lets one search the number
    with sqlite3.connect(net.county) as db:
        (hashed,) = db.execute("SELECT DISTINCT id_hash FROM trainee WHERE id_hash IS NOT NULL"
                               ).fetchone()
    assert hashed not in json.dumps(groups)
    assert "王秀英" in ok(capsys, net.county, "duplicates", "list")

    out = ok(capsys, net.county, "duplicates", "merge", ids["ST01"], ids["ST02"])
    assert "merged into" in out
    assert as_json(capsys, net.county, "duplicates", "list") == []
    before = digest(net.county)
    assert "merged already" in refused(capsys, net.county, "duplicates", "merge", ids["ST01"],
                                       ids["ST02"])
    refused(capsys, net.county, "duplicates", "merge", ids["ST01"], "no-such-id")
    assert digest(net.county) == before

    # The merge travels down in the county's bundle.
    down = net.root / "down"
    down.mkdir()
    bundle = export(capsys, net.county, down)
    assert json.loads(ok(capsys, net.county, "sync", "inspect", str(bundle)))["counts"][
        "person_merge"] == 1
    out = ok(capsys, net.stations["ST02"], "sync", "import", str(bundle))
    assert "merged persons 1" in out


# -- upload ----------------------------------------------------------------------------------------
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_upload_to_a_hub_that_does_not_answer(net, capsys):
    st1 = net.stations["ST01"]
    before = digest(st1)
    url = f"http://127.0.0.1:{closed_port()}"
    err = refused(capsys, st1, "sync", "upload", "--hub", url)
    assert f"The county hub at {url} does not answer" in err
    assert "stay pending" in err
    assert digest(st1) == before
    assert [b["uploaded_at"] for b in as_json(capsys, st1, "sync", "status")["bundles"]] == [
        None]


# -- refusals --------------------------------------------------------------------------------------
def test_refusals_leave_the_database_unchanged(net, capsys):
    county, st1 = net.county, net.stations["ST01"]
    plain = net.root / "plain.db"
    ok(capsys, plain, "demo", "--trainees", "3")
    ok(capsys, county, "sync", "import", str(net.first["ST01"]))  # waiting for approval
    cases = [
        (st1, ("stations", "list"), "not set up as a county center"),
        (st1, ("stations", "approve", "ST01"), "not set up as a county center"),
        (st1, ("county", "pack", "--station-code", "ST09", "--out",
               str(net.root / "x.trpack")), "not set up as a county center"),
        (st1, ("duplicates", "list"), "not set up as a county center"),
        (st1, ("hub", "serve", "--port", str(closed_port())), "not set up as a county center"),
        (plain, ("sync", "export", "--out", str(net.usb)), "not linked to a county"),
        (plain, ("sync", "import", str(net.usb)), "not linked to a county"),
        (plain, ("sync", "upload", "--hub", "http://127.0.0.1:1"), "not linked to a county"),
        (county, ("stations", "approve", "ZZ99"), "No station with code ZZ99"),
        (county, ("stations", "approve", "ST01", "--fingerprint", "0000-0000"),
         "nothing was approved"),
        (county, ("county", "pack", "--station-code", "ST09", "--out",
                  str(net.root / "nowhere" / "x.trpack")), "does not exist"),
        (county, ("county", "pack", "--station-code", "S 9", "--out",
                  str(net.root / "x.trpack")), "--station-code"),
        (county, ("setup", "county", "--code", "OTHER", "--name", "x"), "cannot change"),
        (county, ("setup", "station", "--pack", str(net.root / "ST01.trpack")),
         "county center's"),
        (st1, ("setup", "station", "--pack", str(net.root / "ST02.trpack")),
         "linked as ST01"),
        (st1, ("setup", "county", "--code", "XX", "--name", "x"), "station's"),
        (st1, ("sync", "export", "--out", str(net.root / "nowhere")), "does not exist"),
        (county, ("sync", "import", str(net.root / "nowhere")), "does not exist"),
    ]
    for db, args, expected in cases:
        before = digest(db)
        err = refused(capsys, db, *args)
        assert expected in err, (args, err)
        assert digest(db) == before, args
    assert not (net.root / "x.trpack").exists()
    assert "ST09" not in ok(capsys, county, "stations", "list")


def test_a_bad_pack_or_bundle_is_one_line(net, capsys):
    garbage = net.root / "garbage.trpack"
    garbage.write_text("not a pack")
    new = net.root / "new.db"
    assert "not a county pack" in refused(capsys, new, "setup", "station", "--pack",
                                          str(garbage))
    assert "does not exist" in refused(capsys, new, "setup", "station", "--pack",
                                       str(net.root / "missing.trpack"))
    assert "--code" in refused(capsys, new, "setup", "county", "--code", "X", "--name", "n")
    assert not list(net.root.glob("new.db*"))  # a refused setup creates no database

    # a pack altered after the county signed it
    pack = net.root / "ST01.trpack"
    outer = json.loads(pack.read_text())
    outer["signature"] = outer["signature"][:-4] + ("AAA=" if outer["signature"][-4:] != "AAA="
                                                    else "BBB=")
    forged = net.root / "forged.trpack"
    forged.write_text(json.dumps(outer))
    refused(capsys, new, "setup", "station", "--pack", str(forged))
    assert not list(net.root.glob("new.db*"))

    assert "not a Trainer sync file" in refused(capsys, net.county, "sync", "inspect",
                                                str(pack))
    assert "does not exist" in refused(capsys, net.county, "sync", "inspect",
                                       str(net.root / "missing.trbundle"))


def test_approve_with_the_fingerprint_shown_at_the_station(net, capsys):
    ok(capsys, net.county, "sync", "import", str(net.first["ST01"]))
    out = ok(capsys, net.county, "stations", "approve", "st01", "--fingerprint",
             net.fingerprints["ST01"].lower())
    assert "Station ST01 approved" in out and "applied" in out
    out = ok(capsys, net.county, "stations", "approve", "ST01")
    assert "approved already" in out
    assert "has not sent a bundle yet" in refused(capsys, net.county, "stations", "approve",
                                                  "ST02")


def test_help_lists_the_sync_commands(home, capsys):
    assert main(["--lang", "en", "--help"]) == 0
    out = capsys.readouterr().out
    for name in ("setup", "county", "stations", "sync", "hub", "duplicates"):
        assert name in out
    assert main(["--lang", "en", "sync", "--help"]) == 0
    out = capsys.readouterr().out
    for name in ("export", "import", "status", "inspect", "upload"):
        assert name in out
