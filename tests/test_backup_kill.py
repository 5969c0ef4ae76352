"""SIGKILL at random moments during a backup and during a restore, a bounded number of times:
the database is always the old or the restored one, never a mix or a damaged file, and no
broken backup is ever listed as good."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_backup import RESTORE_META, content
from trainer_app.domain.models import Trainee
from trainer_app.services import backup, demo, trainees
from trainer_app.store import Store
from trainer_app.store import backup as q

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL")

ROOT = Path(__file__).resolve().parent.parent
KILLS = 8
SKIP = RESTORE_META


# The command in a process of its own that says READY once its modules are imported, so that
# the kill falls inside the backup or restore, not during the start of Python.
RUNNER = ("import sys; from trainer_app import cli; from trainer_app.services import backup, "
          "restore; print('READY', flush=True); sys.exit(cli.main(sys.argv[1:]))")


def start(db: Path, home: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "TRAINER_APP_HOME": str(home), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, "--db", str(db), *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "READY"
    return proc


def run_and_time(db: Path, home: Path, *args: str) -> float:
    proc = start(db, home, *args)
    began = time.monotonic()
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return time.monotonic() - began


def kill_at_random(db: Path, home: Path, duration: float, rng: random.Random,
                   *args: str) -> None:
    proc = start(db, home, *args)
    time.sleep(rng.uniform(0, duration))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)


def listed_backups_are_sound(site_id: str, where: Path) -> int:
    listed = backup.list_backups(site_id, where)
    for info in listed:
        assert not info.problem, info
        q.summarize(info.path, "integrity_check")  # raises when damaged
    return len(listed)


@pytest.fixture
def station(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("TRAINER_APP_HOME", str(home))
    store = Store(tmp_path / "station.db", create=True)
    demo.fill(store, trainees=4000, seed=5)
    site_id = store.site_id
    store.close()
    return tmp_path / "station.db", home, site_id


def test_kill_during_backup(station):
    db, home, site_id = station
    rng = random.Random(11)
    before = content(db)
    duration = run_and_time(db, home, "backup", "create")
    for _ in range(KILLS):
        kill_at_random(db, home, duration, rng, "backup", "create")
        Store(db).close()
        assert content(db) == before  # a backup never changes the database
        q.summarize(db, "integrity_check")
        listed_backups_are_sound(site_id, home / "backups")
    backup.remove_leftovers(home / "backups")
    assert not [p for p in (home / "backups").iterdir() if p.name.startswith(".")]


def test_kill_during_restore(station):
    db, home, site_id = station
    rng = random.Random(12)
    store = Store(db)
    made = backup.create(store, db.parent / "kept")  # out of reach of the thinning
    backed_up = content(store, SKIP)
    trainees.register(store, Trainee(name="恢复前登记", id_number="41102519900307137X",
                                     village="王坪村"))
    store.close()
    old = content(db, SKIP)
    restored = backed_up
    duration = run_and_time(db, home, "backup", "restore", str(made.path))
    assert content(db, SKIP) == restored
    seen = set()
    for _ in range(KILLS):
        # back to the old database (restoring the backup of it made just now)
        safety = [i for i in backup.list_backups(site_id) if i.counts["trainee"] == 4001]
        if content(db, SKIP) != old:
            run_and_time(db, home, "backup", "restore", str(safety[0].path))
        assert content(db, SKIP) == old
        kill_at_random(db, home, duration, rng, "backup", "restore", str(made.path))
        Store(db).close()  # opens as usual (recovering what the killed process left)
        q.summarize(db, "integrity_check")  # never a damaged file
        now = content(db, SKIP)
        assert now in (old, restored)  # never a mix
        seen.add("old" if now == old else "restored")
        listed_backups_are_sound(site_id, home / "backups")
    # A restore after all those kills completes.
    run_and_time(db, home, "backup", "restore", str(made.path))
    assert content(db, SKIP) == restored
    assert seen  # the kills fell at various moments (which ones depends on the machine)
