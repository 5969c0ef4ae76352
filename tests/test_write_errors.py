"""Errors a user can act on: a full disk, a read-only medium, a refused address. Real disks
(see :mod:`tests.disks`), real databases, the command line and the window as a user runs
them."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.disks import run_on
from tests.test_cli_sync import approved, linked, ok, refused
from trainer_app.store import sync as q


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


def test_the_window_says_the_stick_is_read_only(qtbot, home, capsys, monkeypatch):
    from tests.disks import mounted
    from tests.test_gui_sync import choose_folder, no_drives, open_page
    from trainer_app.store import Store

    net = linked(capsys, home, {"ST01": ""})
    store = Store(net.stations["ST01"])
    shown: list[tuple[str, str]] = []
    for kind in ("warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind, lambda _p, _t, text, *a, kind=kind, **k:
                            shown.append((kind, text)) or QMessageBox.StandardButton.Ok)
    try:
        no_drives(monkeypatch)
        page = open_page(qtbot, store)
        with mounted(home / "stick", read_only=True) as stick:
            choose_folder(monkeypatch, stick)
            qtbot.mouseClick(page.station.send_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: page.station.export_task is None, timeout=30_000)
            assert list(stick.iterdir()) == []
        [(kind, text)] = shown
        assert kind == "warning" and "read-only medium" in text and "ST01-00002" in text
        assert page.station.send_result.text() == "No bundle was written."
        assert [b["seq"] for b in q.bundles_out(store)] == [1]
    finally:
        store.close()


def test_a_database_on_a_full_disk_says_so_and_keeps_what_it_had(home, capsys):
    net = linked(capsys, home, {"ST01": ""})
    db = net.stations["ST01"]
    ok(capsys, db, "trainees", "list")
    disk = home / "disk"
    args = ["--lang", "en", "--db", str(disk / db.name)]
    script = [*args, "trainees", "add", "--name", "李四", "--id-number", "11010519491231002X",
              "--village", "王坪村"]
    added = run_on(disk, script, copy=(db,), size="4m", full=True)
    assert added.code == 2 and "Traceback" not in added.err, added.err
    assert "the disk holding it is full" in added.err and "Free some space" in added.err
    # a little room left: the database opens, the change does not fit, nothing is saved
    added = run_on(disk, script, copy=(db,), size="4m", full=True, free="40K")
    assert added.code == 2 and "Traceback" not in added.err, added.err
    assert "is full: nothing was saved" in added.err


def test_a_database_is_not_created_on_a_read_only_medium(home):
    cd = home / "cd"
    made = run_on(cd, ["--lang", "en", "--db", str(cd / "new.db"), "setup", "county", "--code",
                       "XC", "--name", "县中心"], read_only=True)
    assert made.code == 2 and "Traceback" not in made.err
    assert "cannot be created" in made.err and "read-only medium" in made.err, made.err


def test_the_window_opens_a_database_on_a_read_only_medium(qtbot, home, monkeypatch):
    from tests.disks import mounted
    from trainer_app.services import demo
    from trainer_app.store import Store
    from trainer_app.ui.main_window import MainWindow

    source = Store(home / "station.db", create=True)
    demo.fill(source, trainees=12, seed=4)
    source.close()
    shown: list[str] = []
    for kind in ("warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind, lambda _p, _t, text, *a, **k:
                            shown.append(text) or QMessageBox.StandardButton.Ok)
    cd = home / "cd"
    with mounted(cd, size="8m"):
        import shutil

        shutil.copy(home / "station.db", cd / "station.db")
        subprocess.run(["mount", "-o", "remount,ro", str(cd)], check=True)
        store = Store(cd / "station.db")
        try:
            assert store.read_only
            window = MainWindow(store)
            qtbot.addWidget(window)
            window.show()
            qtbot.wait(50)
            assert window.trainees.model.rowCount() == 12 and shown == []
            window.close()
        finally:
            store.close()
        assert sorted(p.name for p in cd.iterdir()) == ["station.db"]
