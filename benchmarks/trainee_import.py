"""Trainee import figures: the preview of a committee's list next to reading the same file with
python-calamine alone (the reader library) in the same run, and the import of its rows.

    python benchmarks/trainee_import.py [--rows 5000 10000 50000] [--runs 3] [--keep DIR]

Each list is an .xlsx written with XlsxWriter (Chinese names, valid ID numbers, phone numbers,
villages and groups, dates, yes/no marks: what a committee types), imported into a new station
database of 300 demo trainees. The preview reads the file, finds the header row, converts and
checks every cell and looks the ID numbers up; the import writes the rows in one transaction.
Figures are the best of ``--runs`` (each on a fresh database; the machine is shared, and the
best run is the one least disturbed by other work).
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
import shutil
import time

import benchlib

PREVIEW_RATIO = 3.0  # preview at most 3 x reading the file with calamine alone
IMPORT_EXTRA_S = 1.0  # import at most 1 s more than the preview
HEADERS = ["序号", "姓名", "性别", "身份证号码", "出生日期", "联系电话", "所在村", "村民小组",
           "是否建档立卡贫困户", "文化程度", "备注"]


def write_list(path: Path, rows: int, seed: int = 7) -> None:
    import xlsxwriter

    from trainer_app.domain import idcard
    from trainer_app.services import demo

    rng = random.Random(seed)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("报名表")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_string(0, 0, "王坪村电商培训报名表")
    sheet.write_row(2, 0, HEADERS)
    day0 = dt.date(1955, 1, 1)
    for i in range(rows):
        gender = rng.choice("MF")
        birth = day0 + dt.timedelta(days=i % 18000)
        number = idcard.make(f"4101{i // 18000 % 100:02d}", birth, i // 180 % 100, gender)
        r = 3 + i
        sheet.write_number(r, 0, i + 1)
        sheet.write_string(r, 1, rng.choice(demo.SURNAMES) + rng.choice(demo.GIVEN)
                           + rng.choice(demo.GIVEN))
        sheet.write_string(r, 2, "男" if gender == "M" else "女")
        sheet.write_string(r, 3, number)
        sheet.write_datetime(r, 4, dt.datetime.combine(birth, dt.time()), date)
        sheet.write_string(r, 5, f"1{rng.choice('3578')}{rng.randrange(10**9):09d}")
        sheet.write_string(r, 6, rng.choice(demo.VILLAGES))
        sheet.write_string(r, 7, rng.choice(demo.GROUPS))
        sheet.write_string(r, 8, rng.choice("是否否否"))
        sheet.write_string(r, 9, rng.choice(["小学", "初中", "初中", "高中", "中专", "大专"]))
    book.close()


class Clock:
    """Wall time and this process's CPU time of a block (the CPU time is what other work on a
    shared machine disturbs least)."""

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def calamine_alone(path: Path) -> Clock:
    from python_calamine import CalamineWorkbook

    with Clock() as clock:
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
    assert len(rows) > 3
    return clock


def one_run(tmp: Path, path: Path, rows: int) -> dict[str, float]:
    from trainer_app.services import demo
    from trainer_app.services import trainee_import as ti
    from trainer_app.store import Store

    db = tmp / f"station-{rows}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = Store(db, create=True)
    demo.fill(store, trainees=300, seed=1)
    floor = calamine_alone(path)
    with Clock() as preview:
        book = ti.open_list(path)
        plan = ti.preview(store, book.sheet(), path=path)
    assert plan.counts()["new"] == rows, plan.counts()
    with Clock() as applied:
        outcome = ti.apply(store, plan)
    assert outcome.added == rows
    store.close()
    return {"floor": floor.wall, "preview": preview.wall, "import": applied.wall,
            "floor_cpu": floor.cpu, "preview_cpu": preview.cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[5000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the lists and databases in DIR")
    opts = parser.parse_args()
    with benchlib.work_folder(opts.keep, "trainer-bench-import-") as tmp:
        from trainer_app import i18n

        i18n.set_language("zh_CN")
        print(f"Python {platform.python_version()}, {platform.machine()}, "
              f"{os.cpu_count()} CPUs")
        print("| Rows | calamine alone | Preview | Ratio (≤ 3 ×) | CPU-time ratio | Import | "
              "Import − preview (≤ 1 s) |")
        print("|---|---|---|---|---|---|---|")
        for rows in opts.rows:
            path = tmp / f"list-{rows}.xlsx"
            write_list(path, rows)
            runs = [one_run(tmp, path, rows) for _ in range(opts.runs)]
            med = {k: min(r[k] for r in runs) for k in runs[0]}  # best of: the machine is shared
            ratio = med["preview"] / med["floor"]
            cpu_ratio = med["preview_cpu"] / med["floor_cpu"]
            extra = med["import"] - med["preview"]
            print(f"| {rows:,} | {med['floor']:.3f} s | {med['preview']:.3f} s | {ratio:.2f} × "
                  f"{'pass' if ratio <= PREVIEW_RATIO else 'fail'} | {cpu_ratio:.2f} × | "
                  f"{med['import']:.3f} s | "
                  f"{extra:+.3f} s {'pass' if extra <= IMPORT_EXTRA_S else 'fail'} |",
                  flush=True)
        if opts.keep:
            shutil.copy(__file__, tmp)  # what made these files
    return 0


if __name__ == "__main__":
    sys.exit(main())
