"""Report figures on the sync benchmark's county (100 stations, about 2.2 million rows): the
dashboard and each report next to one hand-written SQL statement computing the same figures;
the XLSX export of the ledger, of the by-village report and of a full roster next to writing
the same cells with XlsxWriter alone.

    python benchmarks/reports.py [--county PATH] [--runs 3] [--stations 100]

The county is built once by the sync benchmark's builder (``benchmarks/sync.py``: stations
filled, exported, imported at the county) and kept in ``benchmarks/out/reports-county.db``
(or ``--county``); later runs reuse it. Every report covers 2025-01-01 to 2026-12-31, all the
county's training. The hand-written statements' results are compared with the reports' before
anything is timed, so both compute the same figures.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time

import benchlib

HERE = Path(__file__).resolve().parent
DEFAULT_COUNTY = HERE / "out" / "reports-county.db"
PERIOD = ("2025-01-01", "2026-12-31")
TARGET_REPORT = 2.0
TARGET_EXPORT = 1.5
ATTENDED = "a.deleted = 0 AND a.status IN ('present', 'late')"
LIVE = "l.deleted = 0 AND l.cancelled = 0"

# -- the hand-written statements -------------------------------------------------------------------
MARKS = f"""m AS MATERIALIZED (
    SELECT c.origin, c.course_id, c.id AS class_id, t.village, t.village_group,
           substr(l.date, 1, 7) AS month, a.trainee_id, t.poor_household AS poor, t.gender,
           l.id AS lesson, l.hours, l.date
      FROM lesson l
      JOIN attendance a ON a.lesson_id = l.id AND {ATTENDED}
      JOIN training_class c ON c.id = l.class_id AND c.deleted = 0
      JOIN trainee t ON t.id = a.trainee_id AND t.deleted = 0
     WHERE {LIVE} AND l.date BETWEEN :s AND :e)"""
DONE = f"""k AS (
    SELECT class_id, sum(hours) AS scheduled, max(date) AS last FROM lesson l WHERE {LIVE}
     GROUP BY class_id HAVING max(date) BETWEEN :s AND :e),
  h AS (
    SELECT l.class_id, a.trainee_id, sum(l.hours) AS hours
      FROM k JOIN lesson l ON l.class_id = k.class_id AND {LIVE}
      JOIN attendance a ON a.lesson_id = l.id AND {ATTENDED} GROUP BY 1, 2),
  d AS MATERIALIZED (
    SELECT c.origin, c.course_id, c.id AS class_id, t.village, t.village_group,
           substr(k.last, 1, 7) AS month, t.poor_household AS poor, coalesce(h.hours, 0) AS hours,
           k.scheduled, h.hours IS NULL AS dropout,
           coalesce(h.hours, 0) + 1e-9 >= co.min_share * k.scheduled AS done
      FROM k JOIN training_class c ON c.id = k.class_id AND c.deleted = 0
      JOIN course co ON co.id = c.course_id
      JOIN enrollment e ON e.class_id = k.class_id AND e.deleted = 0
      JOIN trainee t ON t.id = e.trainee_id AND t.deleted = 0
      LEFT JOIN h ON h.class_id = e.class_id AND h.trainee_id = e.trainee_id)"""


def grouped_sql(key: str, hours: bool = True, per_class: bool = False) -> str:
    """Persons, person-times, poor, classes, hours, completed per ``key`` and in all (hours
    ``per_class``: those held of the classes the group attended)."""
    hours_cte = (f", hh AS (SELECT k, sum(hours) AS hours FROM (SELECT DISTINCT {key} AS k, "
                 f"lesson, hours FROM m) GROUP BY 1)") if hours else ""
    if per_class:
        hours_cte = (f", ch AS (SELECT class_id, sum(hours) AS hours FROM (SELECT DISTINCT "
                     f"class_id, lesson, hours FROM m) GROUP BY 1), hh AS (SELECT k, "
                     f"sum(ch.hours) AS hours FROM (SELECT DISTINCT {key} AS k, class_id "
                     f"FROM m) JOIN ch USING (class_id) GROUP BY 1)")
    hours_col = "hh.hours" if hours else "0"
    hours_join = "LEFT JOIN hh USING (k)" if hours else ""
    return f"""WITH {MARKS}, {DONE},
      g AS (SELECT {key} AS k, count(*) AS person_times, count(DISTINCT trainee_id) AS persons,
                   count(DISTINCT CASE WHEN poor THEN trainee_id END) AS poor,
                   count(DISTINCT class_id) AS classes FROM m GROUP BY 1),
      dd AS (SELECT {key} AS k, sum(done) AS completed, count(*) AS enrolled,
                    sum(poor) AS poor_enrolled, sum(poor AND done) AS poor_done
               FROM d GROUP BY 1){hours_cte}
    SELECT g.k, g.persons, g.person_times, {hours_col}, g.classes, coalesce(dd.completed, 0),
           g.poor, dd.enrolled, dd.poor_enrolled, dd.poor_done
      FROM g {hours_join} LEFT JOIN dd USING (k)
    UNION ALL
    SELECT 'total', (SELECT count(DISTINCT trainee_id) FROM m), (SELECT count(*) FROM m),
           (SELECT sum(hours) FROM (SELECT DISTINCT lesson, hours FROM m)),
           (SELECT count(DISTINCT class_id) FROM m), (SELECT sum(done) FROM d),
           (SELECT count(DISTINCT trainee_id) FROM m WHERE poor),
           (SELECT count(*) FROM d), (SELECT sum(poor) FROM d), (SELECT sum(poor AND done) FROM d)
    """


FLOORS = {
    "by-station": grouped_sql("origin"),
    "by-course": grouped_sql("course_id"),
    "by-village": grouped_sql("origin || '|' || village || '|' || village_group",
                              per_class=True),
    "by-month": grouped_sql("month"),
    "poverty": grouped_sql("origin || '|' || village", hours=False),
    "ledger": f"""WITH {MARKS}, {DONE},
      g AS (SELECT class_id, count(*) AS person_times, count(DISTINCT lesson) AS lessons
              FROM m GROUP BY 1),
      hh AS (SELECT class_id, sum(hours) AS hours FROM (SELECT DISTINCT class_id, lesson, hours
              FROM m) GROUP BY 1),
      dd AS (SELECT class_id, sum(done) AS completed FROM d GROUP BY 1)
    SELECT s.code, s.name, co.code, co.title, c.title, c.start_date, c.end_date, c.place,
           c.trainer, g.lessons, hh.hours,
           (SELECT count(*) FROM enrollment e JOIN trainee t ON t.id = e.trainee_id
             WHERE e.class_id = c.id AND e.deleted = 0 AND t.deleted = 0),
           g.person_times, coalesce(dd.completed, 0),
           (SELECT count(*) FROM certificate x WHERE x.class_id = c.id AND x.deleted = 0
               AND x.replaces IS NULL AND x.issued_on BETWEEN :s AND :e)
      FROM g JOIN hh USING (class_id) LEFT JOIN dd USING (class_id)
      JOIN training_class c ON c.id = g.class_id JOIN course co ON co.id = c.course_id
      LEFT JOIN station s ON s.site_id = c.origin AND s.deleted = 0""",
    "demographics": f"""WITH {MARKS},
      p AS (SELECT trainee_id, min(date) AS day FROM m GROUP BY 1)
    SELECT t.gender, t.education,
           CAST((CAST(replace(p.day, '-', '') AS INTEGER)
                 - CAST(replace(t.birth_date, '-', '') AS INTEGER)) / 10000 AS INTEGER) AS age,
           count(*) FROM p JOIN trainee t ON t.id = p.trainee_id GROUP BY 1, 2, 3""",
    "completion": f"""WITH {DONE}
    SELECT 'class', class_id, count(*), sum(dropout), sum(done), sum(hours), sum(scheduled)
      FROM d GROUP BY class_id
    UNION ALL
    SELECT 'course', course_id, count(*), sum(dropout), sum(done), sum(hours), sum(scheduled)
      FROM d GROUP BY course_id""",
    "certificates": """SELECT c.origin, c.course_id,
           count(*) FILTER (WHERE x.replaces IS NULL),
           count(*) FILTER (WHERE x.replaces IS NOT NULL)
      FROM certificate x JOIN training_class c ON c.id = x.class_id
     WHERE x.deleted = 0 AND x.issued_on BETWEEN :s AND :e GROUP BY 1, 2""",
    "stations": f"""WITH {MARKS},
      g AS (SELECT origin, count(DISTINCT class_id) AS classes,
                   count(DISTINCT trainee_id) AS persons, max(date) AS last FROM m GROUP BY 1)
    SELECT s.code, s.name, (SELECT max(seq) FROM bundle_in b WHERE b.sender_site = s.site_id
                              AND b.status = 'applied'),
           (SELECT max(received_at) FROM bundle_in b WHERE b.sender_site = s.site_id
              AND b.status = 'applied'), g.last, g.classes, g.persons
      FROM station s LEFT JOIN g ON g.origin = s.site_id WHERE s.deleted = 0""",
    "dashboard": f"""WITH {MARKS}, {DONE},
      first AS (SELECT trainee_id, gender, min(date) FROM m GROUP BY 1)
    SELECT 'figures', (SELECT count(DISTINCT trainee_id) FROM m), (SELECT count(*) FROM m),
           (SELECT sum(hours) FROM (SELECT DISTINCT lesson, hours FROM m)),
           (SELECT count(DISTINCT class_id) FROM m),
           (SELECT sum(done) * 1.0 / count(*) FROM d),
           (SELECT count(*) FROM certificate WHERE deleted = 0 AND replaces IS NULL
               AND issued_on BETWEEN :s AND :e),
           (SELECT count(DISTINCT trainee_id) FROM m WHERE poor),
           (SELECT count(*) FROM first WHERE gender = 'F')
    UNION ALL SELECT 'month', month, count(DISTINCT trainee_id), 0, 0, 0, 0, 0, 0
      FROM m GROUP BY month
    UNION ALL SELECT 'station', origin, count(DISTINCT trainee_id), 0, 0, 0, 0, 0, 0
      FROM m GROUP BY origin
    UNION ALL SELECT 'course', course_id, count(DISTINCT trainee_id), 0, 0, 0, 0, 0, 0
      FROM m GROUP BY course_id""",
}


def check(name: str, report, floor_rows: list[tuple]) -> None:
    """The statement's figures are the report's (so both computed the same)."""
    def fail(what: str) -> None:
        raise SystemExit(f"{name}: the hand-written statement disagrees: {what}")

    if name in ("by-station", "by-course", "by-village", "by-month"):
        total = next(r for r in floor_rows if r[0] == "total")
        mine = report.totals
        if (total[1], total[2], total[3], total[4], total[5], total[6]) != (
                mine["persons_trained"], mine["person_times"], mine["hours"], mine["classes"],
                mine["completed"], mine["poor_persons"]):
            fail(f"totals {total} vs {mine}")
        if len(floor_rows) - 1 != len(report.rows):
            fail(f"{len(floor_rows) - 1} rows vs {len(report.rows)}")
        got = sorted((r[1], r[2], r[3], r[4], r[5], r[6]) for r in floor_rows if r[0] != "total")
        want = sorted((r["persons_trained"], r["person_times"], r["hours"], r["classes"],
                       r["completed"], r["poor_persons"]) for r in report.rows)
        if got != want:
            fail("rows")
    elif name == "poverty":
        got = sorted((r[1], r[6]) for r in floor_rows if r[0] != "total")
        want = sorted((r["persons_trained"], r["poor_persons"]) for r in report.rows)
        if got != want:
            fail("rows")
    elif name == "ledger":
        got = sorted((r[4], r[9], r[10], r[11], r[12], r[13]) for r in floor_rows)
        want = sorted((r["class_name"], r["lessons"], r["hours"], r["enrolled"],
                       r["person_times"], r["completed"]) for r in report.rows)
        if got != want:
            fail("rows")
    elif name == "demographics":
        if sum(r[3] for r in floor_rows) != report.totals["persons"]:
            fail("persons")
    elif name == "completion":
        if sum(r[2] for r in floor_rows if r[0] == "class") != report.totals["enrolled"]:
            fail("enrolled")
    elif name == "stations":
        if sorted(r[6] or 0 for r in floor_rows) != sorted(r["persons_trained"]
                                                            for r in report.rows):
            fail("persons")
    elif name == "dashboard":
        fig = next(r for r in floor_rows if r[0] == "figures")
        mine = report.figures
        if (fig[1], fig[2], fig[3], fig[4], fig[6], fig[7], fig[8]) != (
                mine["persons_trained"], mine["person_times"], mine["hours"], mine["classes"],
                mine["certificates"], mine["poor_persons"], mine["women"]):
            fail(f"{fig} vs {mine}")


# -- running --------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--county", type=Path, default=DEFAULT_COUNTY,
                        help="the county database (built there when missing)")
    parser.add_argument("--stations", type=int, default=100, help="stations of a new county")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (median)")
    opts = parser.parse_args()
    if not opts.county.exists():
        build_county(opts.county, opts.stations)
    home = Path(tempfile.mkdtemp(prefix="trainer-bench-reports-"))
    os.environ["TRAINER_APP_HOME"] = str(home)
    try:
        return run(opts)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def build_county(target: Path, stations: int) -> None:
    import sync as sync_bench

    from trainer_app.store import Store
    from trainer_app.sync import exchange

    print(f"Building the county ({stations} stations) with benchmarks/sync.py's builder ...",
          flush=True)
    t0 = time.perf_counter()
    with benchlib.work_folder(None, "trainer-bench-reports-build-") as tmp:
        sync_bench.build(tmp, stations)
        county = Store(tmp / "county.db")
        for path in sorted((tmp / "usb").glob("*.trbundle")):
            report = exchange.import_file(county, path)
            if report.status != "applied":
                raise SystemExit(f"{path.name}: {report.status} {report.message}")
        county.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        sync_bench.copy_db(tmp / "county.db", target)
    print(f"   built and imported in {time.perf_counter() - t0:.0f} s: {target}", flush=True)


def timed(func, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _i in range(runs):
        t0 = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def run(opts: argparse.Namespace) -> int:
    import sqlite3

    from trainer_app import i18n
    from trainer_app.services import report_export, reports
    from trainer_app.store import Store

    i18n.set_language("zh_CN")
    store = Store(opts.county)
    raw = sqlite3.connect(opts.county)
    period = {"s": PERIOD[0], "e": PERIOD[1]}
    filters = reports.Filters(dt.date.fromisoformat(PERIOD[0]), dt.date.fromisoformat(PERIOD[1]))
    counts = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in (
        "trainee", "training_class", "lesson", "enrollment", "attendance")}
    print(sync_machine())
    print(f"County: {opts.county} — " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    print(f"Period {PERIOD[0]} to {PERIOD[1]}; median of {opts.runs} runs after one warm-up.")
    print()
    table = []
    names = ["dashboard", *[r.name for r in reports.available(store)]]
    for name in names:
        def mine(name=name):
            if name == "dashboard":
                return reports.dashboard(store, filters)
            return reports.run(store, name, filters)

        def floor(name=name):
            return raw.execute(FLOORS[name], period).fetchall()

        check(name, mine(), floor())  # also the warm-up
        t_mine, _r = timed(mine, opts.runs)
        t_floor, _f = timed(floor, opts.runs)
        ratio = t_mine / t_floor
        print(f"{name:14} report {t_mine:6.2f} s   hand-written SQL {t_floor:6.2f} s   "
              f"{ratio:4.2f} ×", flush=True)
        # Both under 10 ms (the county has no certificates): the ratio measures nothing.
        tiny = t_floor < 0.01 and t_mine < 0.01
        table.append((f"Report `{name}`" if name != "dashboard" else "Dashboard",
                      f"≤ {TARGET_REPORT} × SQL", f"{t_mine * 1000:.1f} ms vs "
                      f"{t_floor * 1000:.1f} ms (nothing to count)" if tiny else
                      f"{t_mine:.2f} s vs {t_floor:.2f} s = {ratio:.2f} ×",
                      None if tiny else ratio <= TARGET_REPORT))
    print()
    out_dir = Path(tempfile.mkdtemp(prefix="trainer-bench-xlsx-"))
    try:
        for label, make in (("ledger", lambda: reports.run(store, "ledger", filters)),
                            ("by-village", lambda: reports.run(store, "by-village", filters)),
                            ("full roster", lambda: reports.roster(store, filters))):
            report = make()
            target = out_dir / f"{label}.xlsx"
            floor_target = out_dir / f"{label}-floor.xlsx"
            t_mine, _r = timed(lambda report=report, target=target: report_export.export(
                report, target, site_name="襄城县农村电商公共服务中心"), opts.runs)
            t_floor, _f = timed(lambda report=report, t=floor_target: xlsx_floor(report, t),
                                opts.runs)
            ratio = t_mine / t_floor
            cells = len(report.rows) * len(report.columns)
            print(f"XLSX {label:12} {len(report.rows):>7,} rows, {cells:>9,} cells: export "
                  f"{t_mine:6.2f} s   XlsxWriter alone {t_floor:6.2f} s   {ratio:4.2f} ×",
                  flush=True)
            table.append((f"XLSX export, {label} ({len(report.rows):,} rows × "
                          f"{len(report.columns)} columns)", f"≤ {TARGET_EXPORT} × XlsxWriter",
                          f"{t_mine:.2f} s vs {t_floor:.2f} s = {ratio:.2f} ×",
                          ratio <= TARGET_EXPORT))
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    store.close()
    raw.close()
    print()
    print(f"Figures ({dt.date.today().isoformat()}, {sync_machine(short=True)}):")
    print()
    print("| Figure | Target | Measured | Result |")
    print("|---|---|---|---|")
    for figure, target, measured, passed in table:
        verdict = "—" if passed is None else "pass" if passed else "**fail**"
        print(f"| {figure} | {target} | {measured} | {verdict} |")
    return 0


def xlsx_floor(report, path: Path) -> None:
    """The same cells (typed, formatted) and totals with XlsxWriter alone."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("data")
    formats = {"int": book.add_format({"num_format": "#,##0"}),
               "hours": book.add_format({"num_format": "#,##0.0"}),
               "percent": book.add_format({"num_format": "0.0%"}),
               "date": book.add_format({"num_format": "yyyy-mm-dd"})}
    cols = [(c.key, c.kind, formats.get(c.kind)) for c in report.columns]
    for c, col in enumerate(report.columns):
        sheet.write_string(0, c, col.title)
    for r, row in enumerate(report.rows, start=1):
        for c, (key, kind, fmt) in enumerate(cols):
            value = row.get(key)
            if value is None or value == "":
                continue
            if kind == "text":
                sheet.write_string(r, c, value)
            elif kind == "date":
                sheet.write_datetime(r, c, dt.date.fromisoformat(value[:10]), fmt)
            else:
                sheet.write_number(r, c, value, fmt)
    last = len(report.rows) + 1
    for c, (key, _kind, fmt) in enumerate(cols):
        value = (report.totals or {}).get(key)
        if isinstance(value, int | float):
            sheet.write_number(last, c, value, fmt)
        elif value is not None:
            sheet.write_string(last, c, str(value))
    book.close()


def sync_machine(short: bool = False) -> str:
    import sync as sync_bench

    return sync_bench.machine(short=short)


if __name__ == "__main__":
    sys.exit(main())
