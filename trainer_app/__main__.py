"""``python -m trainer_app``: the program window, or a command (see ``--help``).

Opening the window is the common case and should be quick: when the command line holds nothing
but ``--db PATH`` and ``--lang zh_CN|en``, the window opens without loading the command line's
parser and services. Anything else (a command, ``--help``, a bad option) goes to the full CLI.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

GUI_OPTIONS = {"--db": None, "--lang": ("zh_CN", "en")}


def window_options(argv: list[str]) -> dict[str, str] | None:
    """``{"--db": ..., "--lang": ...}`` when ``argv`` only opens the window, else None."""
    found: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        name, eq, value = arg.partition("=")
        if name not in GUI_OPTIONS or name in found:
            return None
        if not eq:
            value = next(args, "")
        choices = GUI_OPTIONS[name]
        if not value or (choices and value not in choices):
            return None
        found[name] = value
    return found


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    options = window_options(argv)
    if options is not None:
        # The window's start-up runs without the cyclic collector, its imports included: see
        # run_gui, which pauses it too and switches it back on once the window is painted.
        gc.disable()
        from trainer_app.ui.app import run_gui

        db = options.get("--db")
        return run_gui(Path(db) if db else None, options.get("--lang"))
    from trainer_app.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
