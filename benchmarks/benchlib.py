"""Helpers for the benchmark scripts: statistics and child processes (and, re-exported from
``benchclock``, the clock, memory and result helpers a child needs).

Nothing here imports Qt or the program, so the parent process of ``station.py`` stays light and
its own start-up never mixes into a child's figures.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from benchclock import (
    MEMORY_QUERIES,
    RESULT_PREFIX,
    ProcessClock,
    current_rss_mb,
    emit,
    peak_rss_mb,
    ru_maxrss_mb,
)

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent

__all__ = [
    "MEMORY_QUERIES", "RESULT_PREFIX", "ProcessClock", "current_rss_mb", "emit", "peak_rss_mb",
    "ru_maxrss_mb",
]


# -- statistics ---------------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); the plain definition, no interpolation."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "median": statistics.median(values) if values else float("nan"),
        "p90": percentile(values, 90),
        "max": max(values) if values else float("nan"),
        "min": min(values) if values else float("nan"),
    }


# -- children -----------------------------------------------------------------------------------
def child_env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["TRAINER_APP_HOME"] = str(home)
    env.pop("PYTHONSTARTUP", None)
    env.update(extra)
    return env


def run_child(args: list[str], env: dict[str, str], timeout: float = 300) -> dict:
    """Run ``python <args>`` and return the JSON its ``BENCH-RESULT`` line carries.

    ``BENCH_T0`` is the wall-clock time taken right before ``Popen``.
    """
    env = dict(env)
    env["BENCH_T0"] = repr(time.time())
    proc = subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result = json.loads(line[len(RESULT_PREFIX) :])
            result["returncode"] = proc.returncode
            return result
    raise RuntimeError(
        f"child {args} gave no result (exit {proc.returncode}):\n"
        f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    )


@contextlib.contextmanager
def work_folder(keep: Path | None, prefix: str, must_be_empty: bool = False) -> Iterator[Path]:
    """The folder a benchmark builds its data in, with ``TRAINER_APP_HOME`` inside it (set
    before anything reads it): ``keep`` when given (and kept), else a temporary one removed at
    the end."""
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        if must_be_empty and any(keep.iterdir()):
            raise SystemExit(f"{keep} is not empty")
        folder = keep
    else:
        folder = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["TRAINER_APP_HOME"] = str(folder / "home")
    try:
        yield folder
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
