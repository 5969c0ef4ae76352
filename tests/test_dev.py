"""dev.py on a new machine: the window's system packages are listed in the README, and `start`
says in plain words what stops the window from opening, instead of Qt's plugin error."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import dev  # noqa: E402


def test_readme_lists_every_package_the_window_needs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"sudo apt-get install (python3-venv[^`]+)```", readme).group(1)
    listed = set(block.replace("\\", " ").split())
    assert set(dev.WINDOW_PACKAGES.values()) <= listed
    assert {"libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0"} <= listed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 only")
def test_start_says_what_is_missing_in_plain_words(monkeypatch):
    python = Path(sys.executable)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    assert "no X display" in dev.window_problem(python, ["--db", "x.db"])
    assert dev.window_problem(python, ["trainees", "list"]) == ""  # a command needs no window
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert dev.window_problem(python, []) == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 only")
def test_every_library_qt_links_to_and_lacks_is_named_by_its_package():
    """Whatever ldd reports missing here is turned into a package name, never a file name."""
    for package in dev.missing_window_packages(Path(sys.executable)):
        assert package in dev.WINDOW_PACKAGES.values(), package
