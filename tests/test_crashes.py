"""Crashes mid-write: ``sync export``, ``sync import`` and ``certificates issue`` killed
(``SIGKILL``, as a power cut) at random moments, and the exact moments around a bundle's rename
replayed in process. After every kill: the database passes SQLite's integrity check, an import
applied each bundle fully or not at all, no bundle number ever names two different files, no
certificate serial is on paper without its row; and the next run leaves no temporary file.

The number of kills is bounded (``KILLS`` per command) and the delays are drawn from a seeded
generator, so a failure can be replayed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from tests.test_cli_sync import approved, linked, ok
from trainer_app import files, i18n
from trainer_app.domain import idcard
from trainer_app.store import Store
from trainer_app.store import sync as q
from trainer_app.sync import exchange

KILLS = 12  # per command (the random kills are marked slow: about a minute in all)
ROOT = Path(__file__).resolve().parents[1]
TRAINEES = iter(idcard.make("110105", dt.date(1985, 5, 20), n, "F") for n in range(1, 999))
SERIAL = re.compile(r"\b[A-Z0-9]{2,12}-\d{4}-\d{6}-[0-9A-Z]\b")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    i18n.set_language("en")
    return tmp_path


def _cli(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "trainer_app", "--lang", "en", "--db", str(db), *args]


def _run(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(_cli(db, *args), capture_output=True, text=True, cwd=ROOT, timeout=120)


def _killed(db: Path, args: tuple[str, ...], delay: float,
            how: signal.Signals = signal.SIGKILL) -> bool:
    """Run a command and kill it (SIGKILL, or ``how``) after ``delay`` seconds; whether it was
    killed."""
    proc = subprocess.Popen(_cli(db, *args), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        proc.wait(delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(how)
        proc.wait()
        return True


def _timed(db: Path, *args: str) -> float:
    start = time.perf_counter()
    done = _run(db, *args)
    assert done.returncode in (0, 1), done.stderr
    return time.perf_counter() - start


def _integrity(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".tmp"))


def _add_trainee(capsys, db: Path) -> str:
    id_number = next(TRAINEES)
    ok(capsys, db, "trainees", "add", "--name", "测试学员", "--id-number", id_number,
       "--village", "王坪村")
    return id_number


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the moments around a bundle's rename, replayed in process -----------------------------------
class _Death(BaseException):
    """The process dies here (nothing after it runs, not even ``except Exception``)."""


def _station(capsys, home: Path) -> Store:
    net = linked(capsys, home, {"ST01": ""})
    return Store(net.stations["ST01"])


def test_killed_after_recording_before_the_rename_delivers_the_same_bundle(
        home, capsys, monkeypatch):
    store = _station(capsys, home)
    usb = home / "stick"
    usb.mkdir()
    real_replace = os.replace

    def dies_at_rename(src, dst, *args, **kwargs):
        if str(dst).endswith(".trbundle"):
            raise _Death
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(files.os, "replace", dies_at_rename)
    with pytest.raises(_Death):
        exchange.export(store, usb)
    monkeypatch.setattr(files.os, "replace", real_replace)
    [row] = [r for r in q.bundles_out(store) if r["seq"] == 2]
    assert row["state"] == "pending" and not Path(row["path"]).exists()
    assert len(_temps(usb)) == 1  # the complete file, not in place yet
    path, manifest = exchange.export(store, usb)
    assert manifest["seq"] == 3
    assert _sha(Path(row["path"])) == row["file_sha256"]  # bundle 2 delivered, as recorded
    assert {r["seq"]: r["state"] for r in q.bundles_out(store)} == {
        1: "written", 2: "written", 3: "written"}
    assert _temps(usb) == []
    store.close()


def test_killed_after_the_rename_never_reuses_the_number(home, capsys, monkeypatch):
    store = _station(capsys, home)
    usb = home / "stick"
    usb.mkdir()
    real = q.set_out_state

    def dies_before_noting_it(store_, seq, state):
        if state == "written":
            raise _Death
        return real(store_, seq, state)

    monkeypatch.setattr(q, "set_out_state", dies_before_noting_it)
    with pytest.raises(_Death):
        exchange.export(store, usb)
    monkeypatch.setattr(q, "set_out_state", real)
    second = usb / "ST01-00002.trbundle"
    content = _sha(second)  # it may already be on its way to the county
    _add_trainee(capsys, store.path)
    path, manifest = exchange.export(store, usb)
    assert manifest["seq"] == 3 and _sha(second) == content
    rows = {r["seq"]: r for r in q.bundles_out(store)}
    assert rows[2]["state"] == "written" and manifest["from_rev"] == rows[2]["to_rev"]
    store.close()


def test_a_recorded_bundle_found_nowhere_is_passed_over(home, capsys, monkeypatch):
    store = _station(capsys, home)
    usb = home / "stick"
    usb.mkdir()
    real_replace = os.replace
    monkeypatch.setattr(files.os, "replace", lambda src, dst, *a, **k: (_ for _ in ()).throw(
        _Death) if str(dst).endswith(".trbundle") else real_replace(src, dst, *a, **k))
    with pytest.raises(_Death):
        exchange.export(store, usb)
    monkeypatch.setattr(files.os, "replace", real_replace)
    for leftover in usb.iterdir():  # the stick was pulled out, or the file removed
        leftover.unlink()
    lost = {r["seq"]: r for r in q.bundles_out(store)}[2]
    path, manifest = exchange.export(store, usb)
    assert manifest["seq"] == 3 and not (usb / lost["file_name"]).exists()
    assert manifest["from_rev"] == lost["from_rev"]  # it carries the lost bundle's changes
    assert {r["seq"]: r["state"] for r in q.bundles_out(store)}[2] == "lost"
    store.close()


# -- random kills --------------------------------------------------------------------------------
@pytest.mark.slow
def test_sync_export_killed_at_random_moments(home, capsys):
    net = approved(capsys, linked(capsys, home, {"ST01": ""}))
    db = net.stations["ST01"]
    usb = home / "stick"
    usb.mkdir()
    rng = random.Random(7)
    seen: dict[str, str] = {}  # file name -> content: a number never names two files
    span = _timed(db, "sync", "export", "--full", "--out", str(home))
    kills = 0
    for n in range(KILLS):
        _add_trainee(capsys, db)
        how = signal.SIGTERM if n % 3 == 2 else signal.SIGKILL
        before = set(_temps(usb))
        kills += _killed(db, ("sync", "export", "--out", str(usb)), rng.uniform(0.05, span), how)
        _integrity(db)
        if how == signal.SIGTERM:  # it could clean up: nothing outlives the write on the stick
            assert set(_temps(usb)) <= before
        for path in usb.glob("*.trbundle"):
            assert seen.setdefault(path.name, _sha(path)) == _sha(path), path.name
    assert kills >= KILLS // 2
    done = _run(db, "sync", "export", "--out", str(usb))
    assert done.returncode == 0, done.stderr
    assert _temps(usb) == []
    for path in usb.glob("*.trbundle"):
        assert seen.setdefault(path.name, _sha(path)) == _sha(path), path.name
    # every bundle written reaches the county whole; the last one holds the last trainee
    assert _run(net.county, "sync", "import", str(usb)).returncode == 0
    with sqlite3.connect(net.county) as conn:
        assert conn.execute("SELECT count(*) FROM trainee WHERE name = '测试学员'").fetchone()[
            0] == KILLS


@pytest.mark.slow
def test_sync_import_killed_at_random_moments_applies_all_or_nothing(home, capsys):
    net = approved(capsys, linked(capsys, home, {"ST01": ""}))
    db, county = net.stations["ST01"], net.county
    usb = home / "stick"
    usb.mkdir()
    added = {}
    for _ in range(KILLS):
        id_number = _add_trainee(capsys, db)
        path = Path(ok(capsys, db, "sync", "export", "--out", str(usb)).splitlines()[0])
        added[path.name] = id_number
    rng = random.Random(11)
    span = _timed(net.root / "probe.db", "demo", "--trainees", "5")
    for _ in range(KILLS):
        _killed(county, ("sync", "import", str(usb)), rng.uniform(0.05, span * 2))
        _integrity(county)
        with sqlite3.connect(county) as conn:
            applied = {r[0] for r in conn.execute(
                "SELECT file_name FROM bundle_in WHERE status = 'applied'")}
            for name, id_number in added.items():
                held = conn.execute("SELECT count(*) FROM trainee WHERE id_number = ?",
                                    [id_number]).fetchone()[0]
                assert held == (name in applied), name  # a bundle applied wholly, or not
    assert _run(county, "sync", "import", str(usb)).returncode == 0
    with sqlite3.connect(county) as conn:
        assert conn.execute("SELECT count(DISTINCT file_name) FROM bundle_in WHERE status = "
                            "'applied' AND sender_code = 'ST01'").fetchone()[0] == KILLS + 1
    assert _temps(home / "home") == []


@pytest.mark.slow
def test_certificates_issue_killed_at_random_moments(home, capsys):
    db = home / "station.db"
    assert _run(db, "demo", "--trainees", "60").returncode == 0
    classes = [c for c in json.loads(_run(db, "classes", "list", "--json").stdout)
               if c["status"] == "finished"]
    out = home / "papers" / "certificates.pdf"
    out.parent.mkdir()
    rng = random.Random(5)
    span = _timed(home / "probe.db", "demo", "--trainees", "5") + 0.5
    for n in range(KILLS):
        class_id = classes[n % len(classes)]["id"]
        out.unlink(missing_ok=True)
        killed = _killed(db, ("certificates", "issue", "--class", class_id, "--out", str(out)),
                         rng.uniform(0.05, span))
        _integrity(db)
        with sqlite3.connect(db) as conn:
            serials = {r[0] for r in conn.execute("SELECT serial FROM certificate")}
        if out.exists():  # a PDF only with its serials recorded
            text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
            printed = set(SERIAL.findall(text))
            assert printed and printed <= serials, printed - serials
        elif not killed:
            pytest.fail("the command finished without writing its PDF")
    done = _run(db, "certificates", "issue", "--class", classes[0]["id"], "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert _temps(out.parent) == []


def test_a_crashed_import_leaves_no_half_copy_in_the_pending_folder(home, capsys):
    net = linked(capsys, home, {"ST01": "", "ST02": ""})
    folder = exchange.pending_dir() / "ST02"  # a station whose bundles are not imported now
    folder.mkdir(parents=True)
    leftover = folder / f".{net.first['ST01'].name}.0badc0de.tmp"  # as a killed copy leaves it
    leftover.write_bytes(net.first["ST01"].read_bytes()[:100])
    mine = folder / "notes.tmp"  # not one of ours: left alone
    mine.write_text("x")
    ok(capsys, net.county, "sync", "import", str(net.first["ST01"]))
    assert sorted(p.name for p in folder.iterdir()) == ["notes.tmp"]


def test_the_sweep_removes_dead_writers_temporary_files_only(tmp_path):
    stale = tmp_path / ".WP01-00003.trbundle.payload.tmp"  # left by a killed earlier version
    stale.write_bytes(b"x" * 10)
    old = tmp_path / ".certificates.pdf.1a2b3c4d.tmp"
    old.write_bytes(b"%PDF-")
    foreign = tmp_path / ".bashrc.tmp"  # not a kind of file Trainer writes
    foreign.write_text("x")
    with files.atomic_writer(tmp_path / "pack.trpack") as fh:
        fh.write(b"data")
        [live] = [p for p in tmp_path.iterdir() if p.name.startswith(".pack.trpack.")]
        # another process tidying the folder meanwhile leaves the live writer's file alone
        assert files.sweep(tmp_path, force=True) == []
        assert live.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".bashrc.tmp", "pack.trpack"]
    assert not stale.exists() and not old.exists()
