"""Sync figures for a county of 100 stations (about 2.2 million rows): export time per station,
county import throughput next to a plain sqlite3 executemany of the same rows, peak memory.

    python benchmarks/sync.py [--stations 100 | --quick] [--keep DIR] [--profile]

Run from the project root (or anywhere: the project root is put on ``sys.path``). This process
builds the county and its stations (``TRAINER_APP_HOME`` in a temporary folder: the keys go
there) and times each station's export; the county import and the sqlite3 floor each run in a
fresh child process. See README.md here for what each figure means.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import datetime as dt
import platform
import random
import sqlite3
import statistics
import time

import benchlib

TARGET_RATIO = 0.5  # import throughput at least half the plain executemany's
TARGET_MEMORY_MB = 300.0
TRAINEES = 1000  # per station
CLASSES = 20
LESSONS = 20  # per class, of 4 hours
MEMBERS = 50  # per class: CLASSES x LESSONS x MEMBERS = 20,000 attendance rows a station
TODAY = dt.date(2026, 6, 30)
COUNTY_CODE = "XC"
HERE = Path(__file__).resolve()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=100, help="stations (default 100)")
    parser.add_argument("--quick", action="store_true", help="10 stations, to try it fast")
    parser.add_argument("--keep", type=Path, default=None,
                        help="work in this (new or empty) folder and keep it: databases, keys, "
                             "bundles; default: a temporary folder removed afterwards")
    parser.add_argument("--profile", action="store_true",
                        help="also import the first 3 bundles under cProfile (in another child, "
                             "into a copy of the county as it was before the import)")
    parser.add_argument("--child", choices=("import", "floor", "profile"), help=argparse.SUPPRESS)
    parser.add_argument("--county", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bundles", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        return {"import": child_import, "floor": child_floor, "profile": child_profile}[
            opts.child](opts)
    if opts.quick:
        opts.stations = 10

    with benchlib.work_folder(opts.keep, "trainer-bench-sync-", must_be_empty=True) as tmp:
        return run(opts, tmp)


def run(opts: argparse.Namespace, tmp: Path) -> int:
    t_start = time.perf_counter()
    env = benchlib.child_env(tmp / "home")
    n = opts.stations
    print(machine())
    print()

    # 0. Build the county and its stations, (a) export each ----------------------------------------
    per_station = TRAINEES + CLASSES + CLASSES * LESSONS + CLASSES * MEMBERS \
        + CLASSES * LESSONS * MEMBERS
    print(f"0. Building a county and {n} stations, each {TRAINEES:,} trainees, {CLASSES} "
          f"classes, {CLASSES * LESSONS} lessons, {CLASSES * MEMBERS:,} enrollments, "
          f"{CLASSES * LESSONS * MEMBERS:,} attendance rows (~{per_station * n / 1e6:.2f} "
          f"million rows in all) ...", flush=True)
    built = build(tmp, n)
    exports = built["export_s"]
    ex = benchlib.summary(exports)
    bundle_mb = [s / 1e6 for s in built["bundle_bytes"]]
    print(f"   built in {built['build_s']:.0f} s (station set-up, county pack, first bundle "
          f"approved: {built['link_s']:.0f} s; filling: {built['fill_s']:.0f} s)")
    print(f"(a) Export, one full bundle per station (exchange.export): median "
          f"{ex['median']:.2f} s, max {ex['max']:.2f} s, total {sum(exports):.0f} s; "
          f"{built['rows']:,} rows, {statistics.median(built['rows_each']):,.0f} a station; "
          f"bundles {statistics.median(bundle_mb):.2f} MB each, {sum(bundle_mb):.0f} MB in all")
    print()

    # (b) Import at the county, in a child ---------------------------------------------------------
    county_db, bundles = tmp / "county.db", tmp / "usb"
    if opts.profile:  # the profile imports into a copy of the county as it is now
        before = tmp / "county-profile.db"
        copy_db(county_db, before)
    print(f"(b) County import of the {n} bundles (exchange.import_file each, in a fresh child "
          f"process) ...", flush=True)
    imp = benchlib.run_child(
        [str(HERE), "--child", "import", "--county", str(county_db), "--bundles", str(bundles)],
        env, timeout=4 * 3600)
    bad = [b for b in imp["bundles"] if b["status"] != "applied"]
    if bad:
        raise SystemExit(f"bundles not applied: {bad[:3]}")
    import_s = sum(b["seconds"] for b in imp["bundles"])
    import_rows = sum(b["rows"] for b in imp["bundles"])
    if import_rows != built["rows"]:
        raise SystemExit(f"imported {import_rows} rows, exported {built['rows']}")
    import_rate = import_rows / import_s
    each = benchlib.summary([b["seconds"] for b in imp["bundles"]])
    held = count_station_rows(county_db, built["county_site"])
    if held != built["rows"]:
        raise SystemExit(f"the county holds {held} station rows, the stations sent "
                         f"{built['rows']}")
    print(f"    {import_rows:,} rows in {import_s:.1f} s = {import_rate:,.0f} rows/s "
          f"(per bundle: median {each['median']:.2f} s, max {each['max']:.2f} s); the county "
          f"now holds {held:,} station rows")
    print(f"    peak memory (VmHWM) {imp['peak_mb']:.0f} MB; before the first import "
          f"{imp['before_mb']:.0f} MB (interpreter, program, county open), after the first "
          f"bundle {imp['after_first_mb']:.0f} MB; RSS at the end {imp['rss_end_mb']:.0f} MB; "
          f"largest bundle {max(bundle_mb):.1f} MB, all {sum(bundle_mb):.0f} MB")
    print()

    # (c) The floor: plain sqlite3 executemany of the same rows, in a child ------------------------
    floor_db = tmp / "floor.db"
    print("(c) Floor: the same rows with sqlite3 executemany into a fresh database of the same "
          "schema, one transaction per station (fresh child process) ...", flush=True)
    flo = benchlib.run_child(
        [str(HERE), "--child", "floor", "--county", str(county_db), "--floor", str(floor_db)],
        env, timeout=4 * 3600)
    if flo["rows"] != import_rows:
        raise SystemExit(f"floor inserted {flo['rows']} rows, import {import_rows}")
    floor_rate = flo["rows"] / flo["seconds"]
    ratio = import_rate / floor_rate
    print(f"    {flo['rows']:,} rows in {flo['seconds']:.1f} s = {floor_rate:,.0f} rows/s")
    print(f"    import / floor: {ratio:.2f} (target >= {TARGET_RATIO}); the import costs "
          f"{import_s / flo['seconds']:.1f} × the plain inserts")
    print()

    if opts.profile:
        profile_import(before, bundles, env)

    total_s = time.perf_counter() - t_start
    table = [
        (f"Export per station ({statistics.median(built['rows_each']):,.0f} rows, full bundle)",
         "—", f"median {ex['median']:.2f} s, max {ex['max']:.2f} s", None),
        (f"County import, {n} bundles, {import_rows:,} rows (verify, decrypt, validate, merge)",
         f"≥ {TARGET_RATIO} × floor", f"{import_rate:,.0f} rows/s vs {floor_rate:,.0f} rows/s "
         f"= {ratio:.2f} ×", ratio >= TARGET_RATIO),
        ("Peak memory during the import (VmHWM of the importing process)",
         f"≤ {TARGET_MEMORY_MB:.0f} MB", f"{imp['peak_mb']:.0f} MB",
         imp["peak_mb"] <= TARGET_MEMORY_MB),
        (f"Building the county ({n} stations, not a target)", "—",
         f"{built['build_s']:.0f} s", None),
    ]
    print(f"Whole run: {total_s:.0f} s ({total_s / 60:.1f} min). Load average at the end: "
          f"{load()}")
    print()
    print(f"Figures ({dt.date.today().isoformat()}, {machine(short=True)}):")
    print()
    print("| Figure | Target | Measured | Result |")
    print("|---|---|---|---|")
    for figure, target, measured, passed in table:
        verdict = "—" if passed is None else "pass" if passed else "**fail**"
        print(f"| {figure} | {target} | {measured} | {verdict} |")
    return 0


# -- building -------------------------------------------------------------------------------------
def build(tmp: Path, n: int) -> dict:
    """The county (keys, the demo course catalog) and ``n`` stations linked by county packs.

    Per station: the pack is written at the county and read at the station, the station's
    first (empty) bundle goes to the county, waits (pending) and is applied by approving the
    station; then the station is filled with synthetic rows in one transaction and its full
    bundle is exported (timed) into ``usb/``. Station databases are removed once exported.
    """
    from trainer_app import i18n
    from trainer_app.domain.models import Course
    from trainer_app.services import courses, demo
    from trainer_app.store import Store
    from trainer_app.sync import exchange, site

    i18n.set_language("en")
    t_build = time.perf_counter()
    for folder in ("usb", "first", "packs", "stations"):
        (tmp / folder).mkdir()
    county = Store(tmp / "county.db", create=True)
    site.setup_county(county, COUNTY_CODE, demo.COUNTY_NAME)
    for code, title, category, description, hours in demo.COURSES:
        courses.add(county, Course(code, title, category, description, float(hours)))
    out: dict = {"export_s": [], "bundle_bytes": [], "rows_each": [], "link_s": 0.0,
                 "fill_s": 0.0, "county_site": county.site_id}
    for i in range(n):
        code = f"S{i + 1:03d}"
        t0 = time.perf_counter()
        pack = site.write_pack(county, code, tmp / "packs" / f"{code}.trpack",
                               station_name=f"第{i + 1}村电商服务站")
        st = Store(tmp / "stations" / f"{code}.db", create=True)
        site.setup_station(st, pack)
        first, _m = exchange.export(st, tmp / "first")
        report = exchange.import_file(county, first)
        if report.status != "pending":
            raise SystemExit(f"{code}: first bundle {report.status}: {report.message}")
        approved = exchange.approve(county, code)
        if [r.status for r in approved] != ["applied"]:
            raise SystemExit(f"{code}: approval: {[r.message for r in approved]}")
        t1 = time.perf_counter()
        fill_station(st, random.Random(1000 + i))
        t2 = time.perf_counter()
        path, manifest = exchange.export(st, tmp / "usb", full=True)
        t3 = time.perf_counter()
        st.close()
        (tmp / "stations" / f"{code}.db").unlink()
        for extra in ("-wal", "-shm"):
            (tmp / "stations" / f"{code}.db{extra}").unlink(missing_ok=True)
        out["link_s"] += t1 - t0
        out["fill_s"] += t2 - t1
        out["export_s"].append(t3 - t2)
        out["bundle_bytes"].append(path.stat().st_size)
        out["rows_each"].append(sum(manifest["counts"].values()))
        if (i + 1) % 10 == 0 or i + 1 == n:
            print(f"   {i + 1:>4} stations, {time.perf_counter() - t_build:5.0f} s", flush=True)
    county.close()
    out["rows"] = sum(out["rows_each"])
    out["build_s"] = time.perf_counter() - t_build
    return out


_BASE_KEYS: dict[str, tuple[str, str]] = {}


def _name_keys(name: str) -> tuple[str, str]:
    """``build_key(name)`` and the pinyin sort form, once per distinct name."""
    from trainer_app.domain.search import build_key, pinyin_forms

    found = _BASE_KEYS.get(name)
    if found is None:
        found = _BASE_KEYS[name] = (build_key(name), pinyin_forms(name)[0] + " " + name)
    return found


def search_key(name: str, *extra: str | None) -> str:
    """The same string as ``build_key(name, *extra)``, with the name's pinyin cached."""
    base = _name_keys(name)[0].split(" ")
    return " ".join(dict.fromkeys([*base, *(e.lower() for e in extra if e)]))


def fill_station(st, rng: random.Random) -> None:
    """Synthetic rows in one transaction: trainees (valid ID numbers, search keys as the program
    computes them), classes of the county's courses, lessons, enrollments, attendance."""
    from trainer_app.domain import idcard
    from trainer_app.domain.ids import uuid7
    from trainer_app.services import demo
    from trainer_app.services.trainees import CODE_PREFIX
    from trainer_app.store import records
    from trainer_app.store.db import utc_now

    course_rows = st.rows("SELECT id, code FROM course WHERE deleted = 0 ORDER BY code")
    taken: set[str] = set()
    trainees: list[dict] = []
    for k in range(TRAINEES):
        gender = rng.choice("MF")
        while True:
            birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 45))
            number = idcard.make(demo.REGION, birth, rng.randrange(100), gender)
            if number not in taken:
                taken.add(number)
                break
        name = demo._name(rng)
        code = f"{CODE_PREFIX}{k + 1:06d}"
        phone = "1" + rng.choice("3456789") + "".join(rng.choices("0123456789", k=9))
        phone = phone if rng.random() < 0.9 else None
        village, group = rng.choice(demo.VILLAGES), rng.choice(demo.GROUPS)
        trainees.append({
            "id": uuid7(), "code": code, "name": name, "gender": gender,
            "birth_date": birth.isoformat(), "id_number": number, "phone": phone,
            "village": village, "village_group": group,
            "poor_household": int(rng.random() < 0.18), "education": rng.choice(demo.EDUCATION),
            "notes": "", "search_key": search_key(name, code, number, phone, village, group),
            "name_sort": _name_keys(name)[1],
        })
    classes, lessons, enrollments, marks = [], [], [], []
    now = utc_now()
    for c in range(CLASSES):
        course = course_rows[c % len(course_rows)]
        first = TODAY - dt.timedelta(days=400 - 18 * c)
        days = [first + dt.timedelta(days=2 * j) for j in range(LESSONS)]
        class_id = uuid7()
        classes.append({
            "id": class_id, "course_id": course["id"], "title": f"{course['code']} 第{c + 1}期",
            "trainer": rng.choice(demo.TRAINERS), "place": rng.choice(demo.PLACES),
            "start_date": days[0].isoformat(), "end_date": days[-1].isoformat(),
            "status": "finished",
        })
        members = [t["id"] for t in trainees[c * MEMBERS : (c + 1) * MEMBERS]]
        enrollments += [{"class_id": class_id, "trainee_id": t} for t in members]
        for j, day in enumerate(days):
            lesson_id = uuid7()
            lessons.append({
                "id": lesson_id, "class_id": class_id, "date": day.isoformat(),
                "start_time": "09:00", "hours": 4.0, "topic": demo.TOPICS[j % len(demo.TOPICS)],
                "cancelled": 0,
            })
            for t in members:
                r = rng.random()
                status = ("present" if r < 0.8 else "late" if r < 0.88
                          else "excused" if r < 0.93 else "absent")
                marks.append({"lesson_id": lesson_id, "trainee_id": t, "status": status,
                              "recorded_at": now, "method": rng.choice(("manual", "scan",
                                                                        "sheet"))})
    with st.transaction():
        for table, rows in (("trainee", trainees), ("training_class", classes),
                            ("lesson", lessons), ("enrollment", enrollments),
                            ("attendance", marks)):
            records.insert_many(st, table, rows)


# -- children --------------------------------------------------------------------------------------
def child_import(opts: argparse.Namespace) -> int:
    """Import every bundle of ``--bundles`` into ``--county``, one ``import_file`` call each."""
    from trainer_app import i18n
    from trainer_app.store import Store
    from trainer_app.sync import exchange

    i18n.set_language("en")
    files = sorted(opts.bundles.glob("*.trbundle"))
    if opts.limit:
        files = files[: opts.limit]
    county = Store(opts.county)
    before = benchlib.peak_rss_mb()
    after_first = None
    results = []
    for path in files:
        t0 = time.perf_counter()
        report = exchange.import_file(county, path)
        seconds = time.perf_counter() - t0
        rows = sum(report.new.values()) + sum(report.changed.values()) + report.unchanged
        results.append({"file": path.name, "status": report.status, "message": report.message,
                        "seconds": seconds, "rows": rows, "bytes": path.stat().st_size})
        if after_first is None:
            after_first = benchlib.peak_rss_mb()
    county.close()
    benchlib.emit({"bundles": results, "before_mb": before, "after_first_mb": after_first,
                   "peak_mb": benchlib.peak_rss_mb(),
                   "rss_end_mb": benchlib.current_rss_mb() or 0.0,
                   "ru_maxrss_mb": benchlib.ru_maxrss_mb()})
    return 0


def child_profile(opts: argparse.Namespace) -> int:
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    child_import(opts)
    prof.disable()
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats(order).print_stats(25)
        body = text.getvalue().split("ncalls", 1)
        print(f"    by {order}:")
        print(indent("ncalls" + body[1] if len(body) > 1 else text.getvalue(), "      "))
    return 0


def child_floor(opts: argparse.Namespace) -> int:
    """The rows the county now holds from each station, inserted with plain executemany into a
    fresh database of the same schema, one transaction per station. Only the inserts and the
    commit are timed; the rows are read from the county database beforehand, station by
    station."""
    from trainer_app.store import Store
    from trainer_app.sync import records

    Store(opts.floor, create=True).close()
    source = sqlite3.connect(f"file:{opts.county}?mode=ro", uri=True)
    origins = [r[0] for r in source.execute(
        "SELECT site_id FROM station WHERE deleted = 0 AND site_id IS NOT NULL ORDER BY code")]
    conn = sqlite3.connect(opts.floor, isolation_level=None)
    # the same settings as the program's own connection (trainer_app.store.db.Store), with
    # foreign keys off as during an import
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = OFF")
    seconds = 0.0
    rows_total = 0
    for origin in origins:
        data = []
        for table in records.STATION_TABLES:
            names = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
            rows = source.execute(
                f"SELECT {', '.join(names)} FROM {table} WHERE origin = ?", [origin]).fetchall()
            if rows:
                sql = (f"INSERT INTO {table} ({', '.join(names)}) "
                       f"VALUES ({', '.join('?' * len(names))})")
                data.append((sql, rows))
                rows_total += len(rows)
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        for sql, rows in data:
            conn.executemany(sql, rows)
        conn.execute("COMMIT")
        seconds += time.perf_counter() - t0
    conn.close()
    source.close()
    benchlib.emit({"rows": rows_total, "seconds": seconds, "stations": len(origins)})
    return 0


def profile_import(county_before: Path, bundles: Path, env: dict[str, str]) -> None:
    import subprocess

    print("Where the import's time goes: cProfile over the first 3 bundles (a copy of the county "
          "as it was before the import; profiling slows it)", flush=True)
    proc = subprocess.run(
        [sys.executable, str(HERE), "--child", "profile", "--county", str(county_before),
         "--bundles", str(bundles), "--limit", "3"],
        env=env, cwd=benchlib.ROOT, capture_output=True, text=True, check=False)
    text = "\n".join(line for line in proc.stdout.splitlines()
                     if not line.startswith(benchlib.RESULT_PREFIX))
    print(text or proc.stderr[-3000:])
    print()


# -- helpers ---------------------------------------------------------------------------------------
def copy_db(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    dst.close()
    src.close()


def count_station_rows(db: Path, county_site: str) -> int:
    from trainer_app.sync import records

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return sum(conn.execute(f"SELECT count(*) FROM {t} WHERE origin != ?",
                                [county_site]).fetchone()[0] for t in records.STATION_TABLES)


def indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def machine(short: bool = False) -> str:
    import importlib.metadata as md

    try:
        crypto = md.version("cryptography")
    except md.PackageNotFoundError:
        crypto = "?"
    libs = f"SQLite {sqlite3.sqlite_version}, cryptography {crypto}"
    if short:
        return f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {libs}"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"Machine: {platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}); "
            f"Python {platform.python_version()}, {libs}; load average {load()}")


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "?"


if __name__ == "__main__":
    sys.exit(main())
