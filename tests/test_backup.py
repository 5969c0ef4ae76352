"""Backups and restore on real databases and files: the online copy and its checks, the
schedule, the encrypted file for a USB stick, restoring (also on a new PC), and the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image

from trainer_app import cli, i18n
from trainer_app.domain import epoch, retention
from trainer_app.domain.models import Trainee
from trainer_app.security import keys, sealed
from trainer_app.services import (
    backup,
    certificates,
    classes,
    demo,
    restore,
    sheets,
    trainees,
)
from trainer_app.services.errors import ServiceError, ValidationError
from trainer_app.sheets import images
from trainer_app.store import Store, schema
from trainer_app.store import backup as q
from trainer_app.store import sheets as sheets_q
from trainer_app.store.db import utc_now
from trainer_app.sync import exchange, site

PASS = "correct horse 马"
RESTORE_META = ("restored_at", "restored_from", *q.COPY_META, *epoch.KEYS)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")


def content(store_or_path: Store | Path, skip_meta: tuple[str, ...] = ()) -> list:
    """Every row of every table, in a fixed order (meta without ``skip_meta``)."""
    path = store_or_path.path if isinstance(store_or_path, Store) else store_or_path
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = []
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
                if table == "meta" and row[0] in skip_meta:
                    continue
                rows.append((table, row))
        return rows
    finally:
        conn.close()


def file_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def db_state(path: Path) -> tuple:
    """The database file and its -wal, as bytes: 'nothing changed' means these are equal."""
    wal = Path(f"{path}-wal")
    return file_hash(path), file_hash(wal) if wal.exists() else None


def add_trainee(store: Store, name: str, id_number: str) -> str:
    return trainees.register(store, Trainee(name=name, id_number=id_number, village="王坪村"))


@pytest.fixture
def linked(tmp_path):
    """A county and a station linked to it, the station's key approved, demo records and
    certificates in the station."""
    county = Store(tmp_path / "county.db", create=True)
    site.setup_county(county, "XC", demo.COUNTY_NAME)
    pack = site.write_pack(county, "WP01", tmp_path / "WP01.trpack", station_name="王坪服务站")
    station = Store(tmp_path / "station.db", create=True)
    site.setup_station(station, pack)
    usb = tmp_path / "usb"
    usb.mkdir()
    first, _m = exchange.export(station, usb)
    exchange.import_file(county, first)
    exchange.approve(county, "WP01")
    demo.fill(station, trainees=40, seed=3)
    for row in classes.list_all(station):
        if row["status"] == "finished":
            try:
                certificates.issue(station, row["id"])
            except ServiceError:
                continue
    yield {"county": county, "station": station, "usb": usb, "root": tmp_path}
    county.close()
    station.close()


# -- the schedule ----------------------------------------------------------------------------
def test_retention_over_a_simulated_year():
    """Backups every three hours of the working day for a year, thinned after each."""
    policy = retention.Policy(budget=10**12)
    start = dt.datetime(2026, 1, 1, 8, 0)
    held: list[retention.Backup] = []
    now = start
    for day in range(365):
        for hour in (8, 11, 14, 17, 20):
            now = start + dt.timedelta(days=day, hours=hour - 8)
            held.append(retention.Backup(now.isoformat(), now, 1000))
            keep = retention.to_keep(held, now, policy)
            held = [b for b in held if b.key in keep]
    today = [b for b in held if b.created.date() == now.date()]
    assert len(today) == 5  # fewer than the policy's 8 were made today: all kept
    older = [b for b in held if b.created.date() < now.date()]
    days = {b.created.date() for b in older if (now.date() - b.created.date()).days < 14}
    assert len(days) == 13  # one for each of the last 13 days before today
    assert len([b for b in older if (now.date() - b.created.date()).days < 14]) == 13
    weeks = {b.created.isocalendar()[:2] for b in older
             if 14 <= (now.date() - b.created.date()).days < 56}
    assert len(weeks) >= 6
    months = {(b.created.year, b.created.month) for b in older
              if (now.date() - b.created.date()).days >= 56}
    assert len(months) >= 9
    assert min(b.created for b in held) > now - dt.timedelta(days=366)
    assert len(held) <= 5 + 13 + 9 + 12  # bounded, whatever the year


def test_retention_size_budget_thins_the_oldest_first_and_keeps_the_newest():
    now = dt.datetime(2026, 6, 30, 12)
    held = [retention.Backup(str(d), now - dt.timedelta(days=d), 100) for d in range(10)]
    keep = retention.to_keep(held, now, retention.Policy(budget=350))
    assert keep == {"0", "1", "2"}
    assert retention.to_keep(held[:1], now, retention.Policy(budget=1)) == {"0"}
    ancient = [retention.Backup("old", now - dt.timedelta(days=900), 5)]
    assert retention.to_keep(ancient, now) == {"old"}  # the only backup always stays


def test_retention_keeps_several_of_today():
    now = dt.datetime(2026, 6, 30, 23)
    held = [retention.Backup(str(h), now.replace(hour=h), 1) for h in range(12)]
    keep = retention.to_keep(held, now, retention.Policy(today=8))
    assert keep == {str(h) for h in range(4, 12)}


# -- automatic backups -----------------------------------------------------------------------
def test_backup_is_checked_named_listed_and_thinned(demo_store, tmp_path):
    where = tmp_path / "backups"
    info = backup.create(demo_store, where)
    assert info.path.parent == where
    assert info.path.name.startswith("WP01-") and info.path.suffix == ".db"
    assert dt.date.today().isoformat() in info.path.name
    assert info.counts["trainee"] == 60 and not info.problem
    assert q.summarize(info.path).schema == schema.LATEST_VERSION
    assert not list(where.glob(".*"))  # no temporary file left
    assert not Path(f"{info.path}-wal").exists()  # one self-contained file
    assert content(info.path, q.COPY_META) == content(demo_store)
    listed = backup.list_backups(demo_store.site_id, where)
    assert [i.path for i in listed] == [info.path]
    assert listed[0].as_json()["counts"]["trainee"] == 60

    # A year of backups (made with earlier times) is thinned on the schedule.
    where = tmp_path / "year"
    now = dt.datetime(2026, 12, 2, 12, 0).astimezone()  # a Wednesday
    for days in (400, 200, 100, 40, 39, 20, 3, 2, 1, 0):
        backup.create(demo_store, where, now=now - dt.timedelta(days=days))
    made = backup.list_backups(demo_store.site_id, where)
    ages = sorted((now.date() - dt.datetime.fromisoformat(i.created_at).astimezone().date()).days
                  for i in made)
    # 400 days: older than a year; 40 and 39 days: one ISO week, whose newest stays
    assert ages == [0, 1, 2, 3, 20, 39, 100, 200]
    # Another database's backups in the same folder are listed and thinned with their own.
    other = Store(tmp_path / "other.db", create=True)
    try:
        backup.create(other, where, now=now - dt.timedelta(days=500))
        assert len(backup.list_backups(other.site_id, where)) == 1
        assert len(backup.list_backups(demo_store.site_id, where)) == len(made)
    finally:
        other.close()


def test_backup_while_another_connection_writes_is_consistent(demo_store, tmp_path):
    """A writer adds a trainee and a class enrollment in one transaction, again and again,
    while backups run in small steps: every backup holds whole transactions only."""
    writer = Store(demo_store.path)
    stop = threading.Event()
    class_id = classes.list_all(writer)[0]["id"]
    made = []

    wrote = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            with writer.transaction():
                tid = add_trainee(writer, f"写入{n}", idcard_number(n))
                classes.enroll(writer, class_id, [tid])
            wrote.set()
            n += 1

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert wrote.wait(30)
        for i in range(4):
            target = tmp_path / f"b{i}.db"
            expected = q.copy_online(demo_store.conn, target, pages=8)
            made.append((target, expected))
    finally:
        stop.set()
        thread.join()
        writer.close()
    for target, expected in made:
        summary = q.summarize(target, rows=True)
        assert summary.rows == expected
        conn = sqlite3.connect(target)
        written = conn.execute("SELECT count(*) FROM trainee WHERE name LIKE '写入%'").fetchone()[0]
        enrolled = conn.execute(
            "SELECT count(*) FROM enrollment e JOIN trainee t ON t.id = e.trainee_id "
            "WHERE t.name LIKE '写入%'").fetchone()[0]
        conn.close()
        assert written == enrolled  # never a trainee without the enrollment of its transaction
    assert made[-1][1]["trainee"] > 60  # the writer did write during the backups


def idcard_number(n: int) -> str:
    from trainer_app.domain import idcard

    body = f"411025199001{n % 28 + 1:02d}{n // 28 % 1000:03d}"
    return body + idcard.check_char(body)


def test_a_cancelled_backup_leaves_nothing(demo_store, tmp_path):
    from trainer_app.cancel import Cancelled

    where = tmp_path / "backups"
    with pytest.raises(Cancelled):
        backup.create(demo_store, where, cancelled=lambda: True)
    assert list(where.iterdir()) == []


def test_a_damaged_backup_is_listed_as_such_and_never_thinned(demo_store, tmp_path):
    where = tmp_path / "backups"
    info = backup.create(demo_store, where)
    broken = where / "WP01-2020-01-01_00-00-00.db"
    data = bytearray(info.path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = b"\xff" * 4096
    broken.write_bytes(bytes(data))
    listed = {i.path.name: i for i in backup.list_backups(demo_store.site_id, where)}
    assert backup.read_info(broken, "integrity_check").problem
    backup.create(demo_store, where)
    assert broken.exists()
    with pytest.raises(ServiceError, match="damaged"):
        restore.verify(broken)
    assert listed[info.path.name].problem == ""


# -- restore ---------------------------------------------------------------------------------
def test_restore_gives_exactly_the_backed_up_content(demo_store, tmp_path):
    info = backup.create(demo_store, tmp_path / "backups")
    before = content(demo_store, RESTORE_META)
    add_trainee(demo_store, "恢复后删除", "41102519900307137X")
    path = demo_store.path
    demo_store.close()
    result = restore.restore(path, info.path)
    assert result.safety is not None and result.safety.counts["trainee"] == 61
    after = Store(path)
    try:
        assert content(after, RESTORE_META) == before
        assert after.get_meta("restored_from") == info.path.name
        assert trainees.search(after, "恢复后删除") == []
    finally:
        after.close()
    # The database it replaced is in its backup, whole.
    assert q.summarize(result.safety.path).counts["trainee"] == 61


def test_restore_refuses_while_another_connection_has_the_database_open(demo_store, tmp_path):
    info = backup.create(demo_store, tmp_path / "backups")
    demo_store.conn.execute("BEGIN")
    demo_store.conn.execute("SELECT count(*) FROM trainee").fetchone()  # a reader holds it
    state = db_state(demo_store.path)
    with pytest.raises(ServiceError, match="open in another program"):
        restore.restore(demo_store.path, info.path)
    demo_store.conn.execute("COMMIT")
    assert db_state(demo_store.path)[0] == state[0] or content(demo_store)


def test_the_kept_sheet_images_come_back_with_a_restore(linked, tmp_path, monkeypatch):
    """The signed sheets' images live in the database (sheet_image): both kinds of backup hold
    them, and a restore brings them back byte for byte."""
    station = linked["station"]
    sha = keep_a_sheet(station)
    kept = sheets.evidence_image(station, sha)
    checked = backup.create(station, tmp_path / "backups")
    stick = tmp_path / "stick"
    stick.mkdir()
    sealed_file = restore.export_sealed(station, stick, PASS)
    with station.transaction():  # the image is lost here (a damaged disk, a careless tool)
        station.conn.execute("DELETE FROM sheet_image")
    path = station.path
    station.close()
    restore.restore(path, checked.path)
    linked["station"] = back = Store(path)
    assert sheets.evidence_image(back, sha) == kept
    assert sheets.evidence_for_lesson(back, sheets_q.known_hash(back, sha)["lesson_id"])

    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "newpc"))  # and on a new PC
    new_db = tmp_path / "newpc" / "trainer.db"
    restore.restore(new_db, sealed_file.path, PASS)
    restored = Store(new_db)
    try:
        assert sheets.evidence_image(restored, sha) == kept
        assert hashlib.sha256(kept).hexdigest() == sha
    finally:
        restored.close()


def keep_a_sheet(station: Store) -> str:
    """Keep a signed sheet's page (a real JPEG) as evidence of a lesson; its SHA-256."""
    lesson = station.row("SELECT id FROM lesson WHERE deleted = 0 ORDER BY date LIMIT 1")["id"]
    ev = images.evidence(Image.linear_gradient("L").resize((600, 800)))
    with station.transaction():
        sheets_q.add(station, {"lesson_id": lesson, "page": 1, "sha256": ev.sha256,
                               "size": len(ev.jpeg), "width": ev.width, "height": ev.height,
                               "file_name": "page1.jpg", "read_at": utc_now()}, ev.jpeg)
    return ev.sha256



# -- the encrypted backup --------------------------------------------------------------------
def test_encrypted_backup_round_trip_on_a_new_pc(linked, tmp_path, monkeypatch):
    station = linked["station"]
    stick = tmp_path / "stick"
    stick.mkdir()
    info = restore.export_sealed(station, stick, PASS)
    assert info.path.parent == stick and info.path.suffix == ".trbackup"
    assert info.encrypted and info.counts["trainee"] == 40
    raw = info.path.read_bytes()
    assert b"SQLite format" not in raw and "王坪".encode() not in raw  # nothing in clear
    assert restore.verify(info.path, PASS).counts == info.counts
    old_key = keys.key_path(station.site_id).read_bytes()

    # A new PC: a new data folder, no database.
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "newpc"))
    new_db = tmp_path / "newpc" / "trainer.db"
    result = restore.restore(new_db, info.path, PASS)
    assert result.safety is None and not result.keys_missing
    assert keys.key_path(station.site_id).read_bytes() == old_key
    if os.name != "nt":
        assert keys.key_path(station.site_id).stat().st_mode & 0o077 == 0
    restored = Store(new_db)
    try:
        assert restored.site_id == station.site_id
        assert content(restored, RESTORE_META) == content(station, RESTORE_META)
        assert site.own_fingerprint(restored) == site.own_fingerprint(station)
        cert = restored.row("SELECT qr_text FROM certificate LIMIT 1")
        assert cert is not None
        assert certificates.verify(restored, cert["qr_text"]).genuine
    finally:
        restored.close()


@pytest.mark.parametrize("damage", ["wrong_passphrase", "flipped", "truncated", "cut_frame",
                                    "newer_schema", "not_ours", "empty", "extra"])
def test_encrypted_backup_refused_and_nothing_changed(linked, tmp_path, damage):
    station = linked["station"]
    info = restore.export_sealed(station, tmp_path, PASS)
    data = info.path.read_bytes()
    bad = tmp_path / f"bad-{damage}.trbackup"
    passphrase = PASS
    expected = "damaged"
    if damage == "wrong_passphrase":
        bad.write_bytes(data)
        passphrase, expected = "not the passphrase", "passphrase is wrong"
    elif damage == "flipped":
        for offset in (len(data) // 2, len(data) - 3, data.index(b"\n", 20) + 9):
            flipped = bytearray(data)
            flipped[offset] ^= 0x01
            assert_refused(station, bad, bytes(flipped), PASS, "damaged|incomplete")
        return
    elif damage == "truncated":
        for size in (len(data) - 1, len(data) // 2, 40, 10):
            assert_refused(station, bad, data[:size], PASS, "incomplete|damaged|not a Trainer")
        return
    elif damage == "cut_frame":
        bad.write_bytes(data[: data.index(b"\n", 20) + 1])
        expected = "incomplete"
    elif damage == "newer_schema":
        newer = tmp_path / "newer.db"
        q.copy_online(station.conn, newer)
        conn = sqlite3.connect(newer)
        conn.execute(f"PRAGMA user_version = {schema.LATEST_VERSION + 1}")
        conn.close()
        with bad.open("wb") as fh:
            sealed.write(fh, PASS, {}, [("database", newer)])
        expected = "newer version"
    elif damage == "not_ours":
        with bad.open("wb") as fh:
            sealed.write(fh, PASS, {}, [("database", b"hello, not a database" * 100)])
        expected = "not a Trainer database"
    elif damage == "empty":
        bad.write_bytes(b"")
        expected = "not a Trainer"
    elif damage == "extra":
        bad.write_bytes(data + b"\0\0\0\x20" + b"x" * 32)
    assert_refused(station, bad, bad.read_bytes(), passphrase, expected)


def assert_refused(station: Store, bad: Path, data: bytes, passphrase: str, expected: str):
    bad.write_bytes(data)
    state = db_state(station.path)
    keys_before = sorted(p.name for p in keys.key_dir().iterdir())
    with pytest.raises(ServiceError, match=expected):
        restore.verify(bad, passphrase)
    with pytest.raises(ServiceError, match=expected):
        restore.restore(station.path, bad, passphrase)
    assert db_state(station.path) == state
    assert sorted(p.name for p in keys.key_dir().iterdir()) == keys_before
    assert not list(bad.parent.glob(".*restoring*"))


def test_a_short_passphrase_is_refused(demo_store, tmp_path):
    with pytest.raises(ValidationError):
        restore.export_sealed(demo_store, tmp_path, "short")
    assert list(tmp_path.glob("*.trbackup")) == []


# -- the command line ------------------------------------------------------------------------
def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TRAINER_APP_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "trainer_app", "--lang", "en", *args],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def test_cli_create_list_verify_restore(linked, tmp_path, capsys):
    station = linked["station"]
    home = Path(os.environ["TRAINER_APP_HOME"])
    db = str(station.path)
    assert cli.main(["--lang", "en", "--db", db, "backup", "create"]) == 0
    made = capsys.readouterr().out.splitlines()[0]
    assert Path(made).is_file() and Path(made).parent == home / "backups"
    assert cli.main(["--lang", "en", "--db", db, "backup", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["path"] == made
    assert {"path", "created_at", "size", "counts"} <= listed[0].keys()
    assert listed[0]["counts"]["trainee"] == 40

    passfile = tmp_path / "pass.txt"
    passfile.write_text(PASS + "\n", encoding="utf-8")
    stick = tmp_path / "stick"
    stick.mkdir()
    assert cli.main(["--lang", "en", "--db", db, "backup", "create", "--out", str(stick),
                     "--passphrase-file", str(passfile)]) == 0
    sealed_path = Path(capsys.readouterr().out.splitlines()[0])
    assert sealed_path.parent == stick
    assert cli.main(["--lang", "en", "backup", "verify", str(sealed_path), "--passphrase-file",
                     str(passfile)]) == 0
    assert "trainees 40" in capsys.readouterr().out

    wrong = tmp_path / "wrong.txt"
    wrong.write_text("wrong passphrase", encoding="utf-8")
    state = db_state(station.path)
    for argv in (["backup", "verify", str(sealed_path), "--passphrase-file", str(wrong)],
                 ["--db", db, "backup", "restore", str(sealed_path), "--passphrase-file",
                  str(wrong)],
                 ["--db", db, "backup", "restore", str(passfile)]):
        assert cli.main(["--lang", "en", *argv]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and len(err.strip().splitlines()) == 1
    assert db_state(station.path) == state

    # A new PC, in a process of its own: the station with its keys, in a new data folder.
    newpc = tmp_path / "newpc"
    done = run_cli("--db", str(newpc / "new.db"), "backup", "restore", str(sealed_path),
                   "--passphrase-file", str(passfile), home=newpc)
    assert done.returncode == 0, done.stderr
    assert keys.key_path(station.site_id).name in os.listdir(newpc / "keys")
    shown = run_cli("--db", str(newpc / "new.db"), "sync", "status", "--json", home=newpc)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["fingerprint"] == site.own_fingerprint(station)


def test_a_new_epoch_jumps_past_what_the_old_one_may_have_used():
    now = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC)
    first = epoch.start({"change_counter": "120", "site_id": "s"}, last_bundle=4, max_code=340,
                        max_serial=12, now=now)
    assert first["epoch_parent"] == "" and first["epoch_base_seq"] == "4"
    assert first["epoch"] == "1" and first["epoch_base_rev"] == "120"
    assert int(first["change_counter"]) >= 120 + epoch.REV_JUMP
    assert int(first["trainee_code_floor"]) == 340 + epoch.NUMBER_JUMP
    assert int(first["serial_floor"]) == 12 + epoch.NUMBER_JUMP
    # restored again later from a backup of the first epoch: higher still, a new id
    again = epoch.start({**first, "change_counter": str(int(first["change_counter"]) + 5)},
                        last_bundle=6, max_code=341, max_serial=12,
                        now=now + dt.timedelta(hours=1))
    assert again["epoch_parent"] == first["epoch_id"]
    assert again["epoch"] == "2" and again["epoch_id"] != first["epoch_id"]
    assert int(again["change_counter"]) > int(first["change_counter"]) + 5
    assert int(again["trainee_code_floor"]) == 340 + 2 * epoch.NUMBER_JUMP


def test_leftovers_of_a_killed_backup_go_and_backups_stay(tmp_path):
    """A backup killed mid-copy may leave its temporary file with a journal, or a WAL and its
    index; all of them go, and nothing else in the folder does."""
    kept = tmp_path / "trainer-2026-12-04-0100.db"
    kept.write_bytes(b"a backup")
    partial = tmp_path / f".{kept.name}.partial"
    leftovers = [partial.with_name(partial.name + end) for end in ("", "-journal", "-wal", "-shm")]
    for path in leftovers:
        path.write_bytes(b"cut short")
    backup.remove_leftovers(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [kept.name]
