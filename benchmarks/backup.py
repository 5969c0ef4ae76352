"""Backup figures: a checked backup of the 100,000-trainee database and of the sync benchmark's
county, next to a plain file copy of the same database in the same run; and the longest time
the window's UI thread is blocked while an automatic backup runs.

    python benchmarks/backup.py [--db PATH] [--trainees 100000] [--county PATH] [--runs 3]

``--db`` is reused when it exists (else built there and kept; without it, built in a temporary
folder). ``--county`` is a county database made by ``python benchmarks/sync.py --keep DIR``
(``DIR/county.db``); without it that figure is skipped. See README.md here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import shutil
import statistics
import subprocess
import time

import benchlib

TARGET_RATIO = 3.0
TARGET_BLOCK_MS = 50.0
HERE = Path(__file__).resolve()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="the 100,000-trainee database (built if missing)")
    parser.add_argument("--trainees", type=int, default=100_000)
    parser.add_argument("--county", type=Path, help="county.db kept by benchmarks/sync.py --keep")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=("ui",), help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child == "ui":
        return child_ui(opts)
    with benchlib.work_folder(None, "trainer-bench-backup-") as tmp:
        return run(opts, tmp)


def run(opts: argparse.Namespace, tmp: Path) -> int:
    db = opts.db or tmp / "station.db"
    if not db.exists():
        print(f"0. Building a {opts.trainees:,}-trainee database ...", flush=True)
        subprocess.run([sys.executable, str(HERE.parent / "build_db.py"), str(db),
                        "--trainees", str(opts.trainees)], check=True,
                       env=benchlib.child_env(tmp / "home"))
    rows = []
    for label, path in (("100,000-trainee station database", db), ("sync benchmark's county",
                                                                   opts.county)):
        if path is None or not Path(path).exists():
            print(f"(skipped: {label}, no database given)")
            continue
        rows.append(measure_copy(label, Path(path), tmp, opts.runs))
    block = measure_ui(db, tmp)
    print()
    print("| Figure | Target | Measured | Result |")
    print("|---|---|---|---|")
    for row in rows:
        ratio = row["backup"] / row["copy"]
        verdict = "pass" if ratio <= TARGET_RATIO else "**fail**"
        print(f"| Backup of the {row['label']} ({row['size_mb']:.0f} MB), checks included, vs a "
              f"plain file copy | ≤ {TARGET_RATIO:.0f} × | {row['backup']:.2f} s vs "
              f"{row['copy']:.2f} s = {ratio:.2f} × | {verdict} |")
        print("| … of which online copy / quick check / counts, fsync, thinning and the rest "
              f"| — | {row['online']:.2f} s / {row['check']:.2f} s / "
              f"{row['backup'] - row['online'] - row['check']:.2f} s | — |")
        print(f"| … the same in this process's processor time (user + system, all threads; less "
              f"disturbed by other work on the machine) | — | {row['cpu_backup']:.2f} s vs "
              f"{row['cpu_copy']:.2f} s = {row['cpu_backup'] / row['cpu_copy']:.2f} × | — |")
    print(f"| Longest UI-thread block during an automatic backup of the 100,000-trainee "
          f"database | ≤ {TARGET_BLOCK_MS:.0f} ms | {block['max_ms']:.1f} ms (p99 "
          f"{block['p99_ms']:.1f} ms over {block['seconds']:.1f} s; idle window: "
          f"{block['idle_max_ms']:.1f} ms) | "
          f"{'pass' if block['max_ms'] <= TARGET_BLOCK_MS else '**fail**'} |")
    return 0


def measure_copy(label: str, db: Path, tmp: Path, runs: int) -> dict:
    from trainer_app.services import backup
    from trainer_app.store import Store
    from trainer_app.store import backup as q

    store = Store(db)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file alone holds everything
    size = db.stat().st_size
    print(f"\n{label}: {db} ({size / 2**20:.0f} MB), {runs} runs each, alternating", flush=True)
    copies, backups, onlines, checks, cpu_copies, cpu_backups = [], [], [], [], [], []
    where = tmp / "bench-backups"
    for i in range(runs + 1):  # the first round warms the OS cache and is not counted
        target = tmp / "plain-copy.db"
        t0, c0 = time.perf_counter(), time.process_time()
        shutil.copyfile(db, target)
        with target.open("rb+") as fh:
            os.fsync(fh.fileno())
        t_copy, c_copy = time.perf_counter() - t0, time.process_time() - c0
        target.unlink()

        t0, c0 = time.perf_counter(), time.process_time()
        info = backup.create(store, where)
        t_backup, c_backup = time.perf_counter() - t0, time.process_time() - c0
        assert not info.problem and info.counts == q.live_counts(store.conn)

        partial = tmp / "phase.db"
        t0 = time.perf_counter()
        q.copy_online(store.conn, partial)
        t_online = time.perf_counter() - t0
        t0 = time.perf_counter()
        q.summarize(partial, "quick_check")
        t_check = time.perf_counter() - t0
        partial.unlink()
        if i:
            copies.append(t_copy)
            backups.append(t_backup)
            onlines.append(t_online)
            checks.append(t_check)
            cpu_copies.append(c_copy)
            cpu_backups.append(c_backup)
        print(f"  run {i}{' (warm-up)' if not i else ''}: copy {t_copy:.2f} s, backup "
              f"{t_backup:.2f} s (online copy {t_online:.2f} s, quick check "
              f"{t_check:.2f} s)", flush=True)
    store.close()
    shutil.rmtree(where)  # kept until now: each backup also thinned the ones before it
    return {"label": label, "size_mb": size / 2**20, "copy": statistics.median(copies),
            "backup": statistics.median(backups), "online": statistics.median(onlines),
            "check": statistics.median(checks), "cpu_copy": statistics.median(cpu_copies),
            "cpu_backup": statistics.median(cpu_backups)}


def measure_ui(db: Path, tmp: Path) -> dict:
    print("\nUI thread during an automatic backup (child process, offscreen window) ...",
          flush=True)
    env = benchlib.child_env(tmp / "home", QT_QPA_PLATFORM="offscreen")
    return benchlib.run_child([str(HERE), "--child", "ui", "--db", str(db)], env)


def child_ui(opts: argparse.Namespace) -> int:
    """The main window on the database and an automatic backup started from it; a 1 ms timer
    on the UI thread measures every gap between its ticks while the backup runs."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    from trainer_app.store import Store
    from trainer_app.ui import fonts, language
    from trainer_app.ui.app import create_app
    from trainer_app.ui.backup.auto import AutoBackup
    from trainer_app.ui.main_window import MainWindow

    app = create_app()
    fonts.install_fallbacks(app)  # as the program has them once its window is painted
    language.apply("zh_CN")
    window = MainWindow(Store(opts.db))
    window.show()
    auto = AutoBackup(window)
    clock = QElapsedTimer()
    gaps: list[float] = []
    state = {"last": 0, "phase": "idle", "idle": []}

    def tick() -> None:
        now = clock.nsecsElapsed()
        if state["last"]:
            (gaps if state["phase"] == "backup" else state["idle"]).append(
                (now - state["last"]) / 1e6)
        state["last"] = now

    timer = QTimer(interval=1)
    timer.timeout.connect(tick)
    clock.start()
    timer.start()

    def start_backup() -> None:
        state["phase"] = "backup"
        state["began"] = time.perf_counter()
        task = auto.back_up()
        task.ended.connect(lambda: finish(task))

    def finish(task) -> None:
        state["seconds"] = time.perf_counter() - state["began"]
        state["outcome"] = task.outcome
        app.quit()

    QTimer.singleShot(1500, start_backup)  # after the window settled: 1.5 s of idle ticks
    app.exec()
    gaps.sort()
    benchlib.emit({
        "max_ms": gaps[-1], "p99_ms": gaps[int(len(gaps) * 0.99)], "seconds": state["seconds"],
        "idle_max_ms": max(state["idle"][50:]), "outcome": state["outcome"]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
