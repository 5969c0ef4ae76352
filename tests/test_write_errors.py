"""Errors a user can act on: a full disk, a read-only medium, a refused address. Real disks
(see :mod:`tests.disks`), real databases, the command line as a user runs it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.disks import run_on
from tests.test_cli_sync import approved, linked, ok, refused


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    return tmp_path


def _bundles(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT seq, state FROM bundle_out ORDER BY seq").fetchall()


def test_export_to_a_full_disk_says_so_and_changes_nothing(home, capsys):
    net = linked(capsys, home, {"ST01": "王坪村服务站"})
    db = net.stations["ST01"]
    ok(capsys, db, "trainees", "add", "--name", "李四", "--id-number", "11010519491231002X",
       "--village", "王坪村")
    before = _bundles(db)
    stick = home / "stick"
    run = run_on(stick, ["--lang", "en", "--db", str(db), "sync", "export", "--out", str(stick)],
                 size="16k", full=True)
    assert run.code == 2, run.err
    assert run.err.count("\n") == 1 and "Traceback" not in run.err
    assert "is full" in run.err and "Free some space" in run.err
    assert "Unexpected error" not in run.err
    assert run.listing == ["filler"]  # no temporary file left on the stick
    assert _bundles(db) == before


def test_export_to_a_read_only_stick_says_so(home, capsys):
    net = linked(capsys, home, {"ST01": ""})
    db = net.stations["ST01"]
    stick = home / "stick"
    run = run_on(stick, ["--lang", "zh_CN", "--db", str(db), "sync", "export", "--out",
                         str(stick)], read_only=True)
    assert run.code == 2 and "Traceback" not in run.err
    assert "只读" in run.err, run.err
    assert run.listing == []


def test_a_database_on_a_read_only_medium_opens_for_reading(home, capsys):
    net = approved(capsys, linked(capsys, home, {"ST01": ""}))
    db = net.stations["ST01"]
    ok(capsys, db, "trainees", "list")  # the WAL files exist beside it, as after any use
    cd = home / "cd"
    args = ["--lang", "en", "--db", str(cd / db.name)]
    listed = run_on(cd, [*args, "trainees", "list", "--json"], copy=(db,), size="4m",
                    read_only=True)
    assert listed.code == 0, listed.err
    assert listed.out.count('"name"') == 30
    assert listed.listing == [db.name]  # no -wal or -shm made on the medium
    status = run_on(cd, [*args, "sync", "status"], copy=(db,), size="4m", read_only=True)
    assert status.code == 0, status.err
    added = run_on(cd, [*args, "trainees", "add", "--name", "李四", "--id-number",
                        "11010519491231002X", "--village", "王坪村"], copy=(db,), size="4m",
                   read_only=True)
    assert added.code == 2 and "Traceback" not in added.err
    assert "read-only medium" in added.err and "copy it" in added.err


def test_upload_to_an_address_that_is_not_http(home, capsys):
    net = linked(capsys, home, {"ST01": ""})
    line = refused(capsys, net.stations["ST01"], "sync", "upload", "--hub", "ftp://10.0.0.1:21")
    assert "not an http:// or https:// address" in line
