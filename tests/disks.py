"""Real small and read-only disks for tests: a command of the program run in a private mount
namespace (``unshare``) where a folder is a tiny tmpfs — full, or mounted read-only.

Nothing is faked: the program meets the kernel's ENOSPC and EROFS. Where user namespaces are
not available (not Linux, or locked down) the tests using this are skipped.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@functools.cache
def available() -> bool:
    if not sys.platform.startswith("linux") or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c",
                            "d=$(mktemp -d) && mount -t tmpfs -o size=8k tmpfs $d && umount $d"],
                           capture_output=True)
    return probe.returncode == 0


def need_mounts() -> None:
    if not available():
        pytest.skip("needs unshare and mount in a user namespace (Linux)")


@dataclass
class Run:
    code: int
    out: str
    err: str
    listing: list[str]  # the mounted folder's entries after the command


def run_on(folder: Path, args: list[str], *, copy: tuple[Path, ...] = (), size: str = "64k",
           full: bool = False, free: str = "", read_only: bool = False) -> Run:
    """Run ``python -m trainer_app ARGS`` while ``folder`` is a fresh tmpfs of ``size`` holding
    copies of ``copy``; ``full`` fills it first (but for ``free`` bytes, such as ``"40K"``),
    ``read_only`` remounts it read-only."""
    need_mounts()
    folder.mkdir(parents=True, exist_ok=True)
    listing = folder.parent / f".{folder.name}.listing"
    q = shlex.quote
    steps = [f"mount -t tmpfs -o size={size} tmpfs {q(str(folder))}"]
    steps += [f"cp {q(str(p))} {q(str(folder))}/" for p in copy]
    if full:
        steps.append(f"(cat /dev/zero > {q(str(folder / 'filler'))}) 2>/dev/null || true")
        if free:
            steps.append(f"truncate -s -{free} {q(str(folder / 'filler'))}")
    if read_only:
        steps.append(f"mount -o remount,ro {q(str(folder))}")
    command = " ".join(q(a) for a in [sys.executable, "-m", "trainer_app", *args])
    steps.append(f"{command}; rc=$?; ls -A {q(str(folder))} > {q(str(listing))}; exit $rc")
    script = " && ".join(steps[:-1]) + " || exit 99; " + steps[-1]
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[1])
    names = listing.read_text().split() if listing.exists() else []
    listing.unlink(missing_ok=True)
    return Run(done.returncode, done.stdout, done.stderr, names)


@contextlib.contextmanager
def mounted(folder: Path, *, size: str = "64k", read_only: bool = False) -> Iterator[Path]:
    """``folder`` as a tmpfs of ``size`` (read-only if asked) in this process's own mount
    namespace, for tests of the window, which runs in process. Needs to be root (CI containers
    often are); skipped otherwise."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs in process needs root on Linux")
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("mount is not allowed here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
