"""What a hostile station (a stolen key, a broken program) can make a county do, measured.

    python benchmarks/hostile_bundles.py [--copies-mib 64] [--keep DIR]

Builds a county and one approved station (``TRAINER_APP_HOME`` in the work folder), then signs
and encrypts bundles with the station's own key, as its program would, and imports them at the
county while another connection keeps trying to write (as the hub or a second window would):

(a) a small file holding ``--copies-mib`` MiB of copies of one valid trainee row: time to the
    report, and the longest time the other writer waited for the database's write lock;
(b) a legitimate bundle of as many distinct rows as (a) has copies, for comparison: the work a
    bundle may cause follows what it holds and declares;
(c) sequence numbers: the import report and ``sync status`` of a station whose bundles 1, 2
    and then the highest number the county accepts (10,000 past the highest held) arrived.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import dataclasses
import json
import sqlite3
import threading
import time
import uuid

import benchlib


@dataclasses.dataclass
class WriterProbe:
    """Another connection that writes a row of its own every few milliseconds; records the
    longest wait for the write lock."""

    db: Path
    longest: float = 0.0
    writes: int = 0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WriterProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        conn = sqlite3.connect(self.db, isolation_level=None, timeout=3600)
        conn.execute("CREATE TABLE IF NOT EXISTS temp.probe (n)")
        while not self._stop.is_set():
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            self.longest = max(self.longest, time.perf_counter() - t0)
            conn.execute("UPDATE meta SET value = value WHERE key = 'site_id'")
            conn.execute("COMMIT")
            self.writes += 1
            time.sleep(0.005)
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies-mib", type=int, default=64,
                        help="MiB of copies of one row in bundle (a) (default 64)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="work in this folder and keep it (default: a temporary folder)")
    opts = parser.parse_args()
    with benchlib.work_folder(opts.keep, "hostile-bundles-") as tmp:
        return run(opts, tmp)


def run(opts: argparse.Namespace, tmp: Path) -> int:
    from trainer_app import i18n
    from trainer_app.domain.models import Course
    from trainer_app.services import certificates, courses, demo
    from trainer_app.store import Store
    from trainer_app.store import sync as q
    from trainer_app.sync import bundle, exchange, site

    i18n.set_language("en")
    usb = tmp / "usb"
    usb.mkdir(parents=True, exist_ok=True)
    county = Store(tmp / "county.db", create=True)
    site.setup_county(county, "XC", demo.COUNTY_NAME)
    for code, title, category, description, hours in demo.COURSES:
        courses.add(county, Course(code, title, category, description, float(hours)))
    pack = site.write_pack(county, "WP01", tmp / "WP01.trpack", station_name="王坪服务站")
    station = Store(tmp / "station.db", create=True)
    site.setup_station(station, pack)
    first, _ = exchange.export(station, usb)
    exchange.import_file(county, first)
    exchange.approve(county, "WP01")
    demo.fill(station, trainees=30, seed=7)
    second, _ = exchange.export(station, usb)
    assert exchange.import_file(county, second).status == "applied"
    signer = certificates.signing_key(station)
    recipient = site.county(station).encrypt_public
    row = next(q.changed_rows(station, "trainee", station.site_id, 0))
    row["id_hash"] = None
    line_size = len(json.dumps({"t": "trainee", "r": row}, ensure_ascii=False,
                               separators=(",", ":")).encode()) + 1
    copies = opts.copies_mib * 1024 * 1024 // line_size

    def manifest(seq: int) -> dict:
        m = json.loads(bundle.read_header(second).manifest_bytes)
        for name in ("counts", "plaintext_size", "payload_size", "payload_sha256",
                     "encryption", "format", "version", "compression"):
            m.pop(name)
        return {**m, "seq": seq}

    def timed_import(path: Path) -> tuple[exchange.ImportReport, float, float, int]:
        with WriterProbe(tmp / "county.db") as probe:
            t0 = time.perf_counter()
            report = exchange.import_file(county, path)
            seconds = time.perf_counter() - t0
        return report, seconds, probe.longest, probe.writes

    print(benchlib_machine())
    print()
    # (a) copies of one row ------------------------------------------------------------------
    path = usb / "WP01-00003.trbundle"
    written = bundle.write(path, manifest(3), (("trainee", row) for _ in range(copies)),
                           signer, recipient)
    report, seconds, waited, writes = timed_import(path)
    print(f"(a) {copies:,} copies of one trainee row: {path.stat().st_size / 1000:,.0f} KB on "
          f"disk, {written['plaintext_size'] / 2**20:,.0f} MiB of records")
    print(f"    import: {report.status} ({report.reason}: {report.detail}) in {seconds:.2f} s; "
          f"longest wait of another writer {waited * 1000:.0f} ms ({writes} writes meanwhile)")
    path.unlink()
    # (b) as many distinct rows --------------------------------------------------------------
    path = usb / "WP01-00003.trbundle"

    def distinct():
        for i in range(copies):
            yield "trainee", {**row, "id": str(uuid.UUID(int=i + 1, version=4)),
                              "code": f"H{i:08d}", "id_number": None}

    written = bundle.write(path, manifest(3), distinct(), signer, recipient)
    report, seconds, waited, writes = timed_import(path)
    print(f"(b) {copies:,} distinct trainee rows: {path.stat().st_size / 1e6:,.1f} MB on disk, "
          f"{written['plaintext_size'] / 2**20:,.0f} MiB of records")
    print(f"    import: {report.status} {report.reason} in {seconds:.2f} s "
          f"({copies / seconds:,.0f} rows/s); longest wait of another writer "
          f"{waited * 1000:.0f} ms ({writes} writes meanwhile)")
    # (c) sequence numbers -------------------------------------------------------------------
    last = max(q.applied_seqs(county, station.site_id))
    for seq in (last + 10_000, last + 10_000 + 10_001, 2**33):
        path = usb / f"WP01-{seq}.trbundle"
        bundle.write(path, manifest(seq), [], signer, recipient)
        t0 = time.perf_counter()
        report = exchange.import_file(county, path)
        seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        status = json.dumps(exchange.status(county), default=str)
        status_s = time.perf_counter() - t1
        size = len(json.dumps(dataclasses.asdict(report), default=str))
        print(f"(c) seq {seq:,}: {report.status} {report.reason} in {seconds * 1000:.0f} ms, "
              f"report {size:,} bytes, {len(report.gaps):,} gap entries; sync status "
              f"{len(status):,} bytes in {status_s * 1000:.0f} ms")
    county.close()
    station.close()
    return 0


def benchlib_machine() -> str:
    import platform

    return (f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"{platform.machine()}, load average {open('/proc/loadavg').read().split()[:3]}"
            if Path("/proc/loadavg").exists() else f"Python {platform.python_version()}")


if __name__ == "__main__":
    raise SystemExit(main())
