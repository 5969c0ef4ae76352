"""Build a demo station database: ``python benchmarks/build_db.py PATH [--trainees 100000]``.

``trainer_app.services.demo.fill(Store(PATH, create=True), trainees=N)``, timed. station.py runs
this in a child process so that its own process stays small: on Linux a child inherits its
parent's peak RSS in ``ru_maxrss``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import time

import benchclock


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--trainees", type=int, default=100_000)
    opts = parser.parse_args()

    from trainer_app.services import demo
    from trainer_app.store import Store

    t0 = time.perf_counter()
    store = Store(opts.db, create=True)
    counts = demo.fill(store, trainees=opts.trainees)
    store.close()
    seconds = time.perf_counter() - t0
    print(f"{opts.db}: {counts} in {seconds:.1f} s")
    benchclock.emit({"seconds": seconds, "counts": counts})
    return 0


if __name__ == "__main__":
    sys.exit(main())
