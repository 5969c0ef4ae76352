"""The few things a measured child process needs before anything else: a clock that knows when
the process was created, peak memory, and a way to hand a result back.

Deliberately tiny (``os``, ``sys`` and ``time`` only, all loaded by the interpreter anyway), so
that importing it adds nothing to the bare window's start-up floor.
"""

from __future__ import annotations

import os
import sys
import time

RESULT_PREFIX = "BENCH-RESULT "
# Typed by the memory run (window_child.py --memory) before it scrolls to the end of the list.
MEMORY_QUERIES = ("王", "王小", "wxm", "zhang", "li", "张庄", "1234", "")


def _proc_start_boottime() -> float | None:
    """This process's creation time in seconds on CLOCK_BOOTTIME, from ``/proc/self/stat``.

    Field 22 (``starttime``) counts clock ticks since boot (Linux >= 5.3 takes it from the same
    boot-time clock as ``CLOCK_BOOTTIME``). It is the moment the parent forked this process, so
    the interpreter's own start-up is inside the measured time. Resolution: one tick (10 ms at
    the usual 100 Hz), rounded down, so a figure can be up to one tick too long.
    """
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            stat = f.read()
        fields = stat[stat.rindex(")") + 2 :].split()
        return int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class ProcessClock:
    """Seconds since this process was created, by two methods.

    ``proc``: from the kernel's record of the process creation (Linux only, else ``None``);
    ``parent``: from the wall-clock timestamp the parent put in ``BENCH_T0`` right before
    ``Popen`` (any platform; includes the parent's fork/exec overhead).
    Create one first thing in a child; later readings are ``perf_counter`` offsets from it.
    """

    def __init__(self) -> None:
        self._perf0 = time.perf_counter()
        wall0 = time.time()
        start = _proc_start_boottime()
        self._proc0 = (
            time.clock_gettime(time.CLOCK_BOOTTIME) - start
            if start is not None and hasattr(time, "CLOCK_BOOTTIME")
            else None
        )
        parent_t0 = os.environ.get("BENCH_T0")
        self._parent0 = wall0 - float(parent_t0) if parent_t0 else None

    def since_start(self) -> dict[str, float | None]:
        """Seconds since process creation, now, by both methods."""
        d = time.perf_counter() - self._perf0
        return {
            "proc": None if self._proc0 is None else self._proc0 + d,
            "parent": None if self._parent0 is None else self._parent0 + d,
        }

    def best(self) -> float:
        """The kernel's figure where there is one, else the parent's timestamp."""
        s = self.since_start()
        return s["proc"] if s["proc"] is not None else float(s["parent"] or 0.0)

    def at_first_line(self) -> float:
        """How long the interpreter took to get to the clock's creation."""
        return self._proc0 if self._proc0 is not None else float(self._parent0 or 0.0)


def peak_rss_mb() -> float:
    """Peak resident set size of this process, in MiB.

    On Linux, ``VmHWM`` from ``/proc/self/status``: the peak of this program's own address
    space since it was exec'd. ``getrusage().ru_maxrss`` (see :func:`ru_maxrss_mb`) is the same
    figure except that Linux carries it over from the parent process across fork and exec, so
    a child of a big process reports the parent's peak; elsewhere ``ru_maxrss`` is used.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return ru_maxrss_mb()


def ru_maxrss_mb() -> float:
    """``getrusage(RUSAGE_SELF).ru_maxrss`` in MiB (Linux reports KiB, macOS bytes)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def emit(result: dict) -> None:
    """Print a child's result for ``benchlib.run_child``."""
    import json

    print(RESULT_PREFIX + json.dumps(result, ensure_ascii=False), flush=True)
