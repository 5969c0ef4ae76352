#!/usr/bin/env python3
"""Set up, run, test and package Trainer with nothing but Python 3.11+ (standard library only).

    python3 dev.py start [ARGS...]   set up, then run `python -m trainer_app ARGS` (the program)
    python3 dev.py test [PYTEST...]  set up, then `ruff check` and every test (Qt offscreen)
    python3 dev.py build             set up, then the PyInstaller one-folder build: dist/trainer/
    python3 dev.py extract           set up, then refresh trainer_app.pot and the .po files

"Set up" means: `.venv` in the project folder with requirements-dev.txt installed (made again
when missing, broken, or when a requirements file changed: their hash is kept in
`.venv/requirements.sha256`), then translations/<lang>.po compiled to
translations/<lang>/LC_MESSAGES/trainer_app.messages. pip uses the package index the machine is
configured with. (On Windows: `py dev.py ...`.)
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ("requirements.txt", "requirements-dev.txt")
STAMP = VENV / "requirements.sha256"
TRANSLATIONS = ROOT / "translations"
DOMAIN = "trainer_app"
POT = TRANSLATIONS / f"{DOMAIN}.pot"


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def run(*cmd: object, env: dict[str, str] | None = None, check: bool = True) -> int:
    args = [str(c) for c in cmd]
    print("+", " ".join(args), flush=True)
    code = subprocess.run(args, cwd=ROOT, env=env).returncode
    if check and code:
        sys.exit(code)
    return code


def requirements_hash() -> str:
    digest = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    for name in REQUIREMENTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def venv_works() -> bool:
    python = venv_python()
    return python.exists() and subprocess.run(
        [str(python), "-c", "import sys"], capture_output=True
    ).returncode == 0


def setup() -> Path:
    """Make sure `.venv` exists with requirements-dev.txt installed and the catalogs compiled."""
    wanted = requirements_hash()
    current = STAMP.read_text().strip() if STAMP.exists() else None
    if current != wanted or not venv_works():
        if VENV.exists():
            print(f"Requirements changed or {VENV.name} is unusable: making it again", flush=True)
            shutil.rmtree(VENV)
        print(f"Creating {VENV} with Python {sys.version.split()[0]}", flush=True)
        venv.EnvBuilder(with_pip=True, symlinks=os.name != "nt").create(VENV)
        run(venv_python(), "-m", "pip", "install", "--disable-pip-version-check",
            "-r", ROOT / "requirements-dev.txt")
        STAMP.write_text(wanted + "\n")
    run(venv_python(), ROOT / "dev.py", "compile")
    return venv_python()


# What Qt's window (the xcb platform plugin, QtGui and QtWidgets) links to on Linux, by library
# file, and the Debian/Ubuntu package that holds it. README.md lists the same packages.
WINDOW_PACKAGES = {
    "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1", "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3", "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0", "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1", "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0", "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0", "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1", "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}


def missing_window_packages(python: Path) -> list[str]:
    """The packages whose libraries Qt's X11 window needs but this Linux machine lacks."""
    found = subprocess.run(
        [str(python), "-c", "import PySide6, os; print(os.path.dirname(PySide6.__file__))"],
        capture_output=True, text=True,
    ).stdout.strip()
    if not found or not shutil.which("ldd"):
        return []
    qt = Path(found) / "Qt"
    missing: set[str] = set()
    for lib in (qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6",
                qt / "lib" / "libQt6Gui.so.6", qt / "lib" / "libQt6Widgets.so.6"):
        if not lib.exists():
            continue
        out = subprocess.run(["ldd", str(lib)], capture_output=True, text=True).stdout
        missing.update(line.split()[0] for line in out.splitlines() if "not found" in line)
    return sorted({WINDOW_PACKAGES.get(name, name) for name in missing})


def window_problem(python: Path, args: list[str]) -> str:
    """What stops the program's window from opening on this machine, in plain words ("" if
    nothing does, or if ``args`` run a command rather than open the window)."""
    sys.path.insert(0, str(ROOT))
    from trainer_app.__main__ import window_options  # standard library only

    platform = os.environ.get("QT_QPA_PLATFORM", "xcb")
    if not sys.platform.startswith("linux") or window_options(args) is None or platform != "xcb":
        return ""
    if not os.environ.get("DISPLAY"):
        return ("There is no X display to open the window on (DISPLAY is not set). Start it "
                "from a desktop session, or run a command instead, e.g.\n"
                "  python3 dev.py start --help")
    packages = missing_window_packages(python)
    if packages:
        return ("The program's window needs these system packages, which are not installed: "
                f"{', '.join(packages)}.\nInstall them (Debian or Ubuntu) with:\n"
                f"  sudo apt-get install {' '.join(packages)}\nthen run python3 dev.py start "
                "again. The command line works without them (python3 dev.py start --help).")
    return ""


def compile_catalogs() -> list[Path]:
    """translations/<lang>.po -> translations/<lang>/LC_MESSAGES/trainer_app.messages (needs
    babel): the table trainer_app.i18n loads at every start (fuzzy entries are left out)."""
    from babel.messages.pofile import read_po

    from trainer_app.i18n import Messages, compiled_path

    written = []
    for po in sorted(TRANSLATIONS.glob("*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.stem)
        for message, errors in catalog.check():
            for error in errors:
                print(f"{po.name}: {message.lineno}: {error}", file=sys.stderr)
        out = compiled_path(po.stem)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        tmp.write_bytes(Messages.from_catalog(catalog).dumps())
        tmp.replace(out)
        written.append(out)
        print(f"compiled {po.relative_to(ROOT)} -> {out.relative_to(ROOT)}")
    if not written:
        print("no translations/*.po yet: nothing to compile")
    return written


def pybabel(python: Path, *args: object) -> None:
    run(python, "-m", "babel.messages.frontend", *args)


def cmd_extract(python: Path) -> None:
    """Paths relative to the project, so that the catalogs' `#:` locations are too."""
    init = (ROOT / DOMAIN / "__init__.py").read_text(encoding="utf-8")
    version = re.search(r"__version__ = [\"'](.+?)[\"']", init).group(1)
    pot = POT.relative_to(ROOT)
    pybabel(python, "extract", "-F", TRANSLATIONS.relative_to(ROOT) / "babel.cfg", "-o", pot,
            "-k", "_", "-k", "ngettext:1,2", "-k", "N_", "-k", "pgettext:1c,2", "-k", "NP_:1c,2",
            "-k", "npgettext:1c,2,3",
            "--add-comments=TRANSLATORS:",
            "--project=Trainer", f"--version={version}", DOMAIN)
    for po in sorted(TRANSLATIONS.glob("*.po")):
        pybabel(python, "update", "-i", pot, "-o", po.relative_to(ROOT), "-l", po.stem)


def main(argv: list[str]) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (a fresh machine may have an older one)
        sys.exit("Trainer needs Python 3.11 or newer")
    command, args = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "compile":  # runs inside .venv (it needs babel); setup() calls it
        compile_catalogs()
        return
    if command not in ("start", "test", "build", "extract"):
        print(__doc__)
        sys.exit(0 if command in ("help", "-h", "--help") else 2)
    python = setup()
    if command == "start":
        problem = window_problem(python, args)
        if problem:
            sys.exit(problem)
        sys.exit(run(python, "-m", DOMAIN, *args, check=False))
    if command == "test":
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        lint = run(python, "-m", "ruff", "check", ".", check=False)
        tests = run(python, "-m", "pytest", *args, env=env, check=False)
        sys.exit(tests or lint)  # pytest's exit code; ruff's when every test passed
    if command == "build":
        run(python, "-m", "PyInstaller", "--noconfirm", "--distpath", ROOT / "dist",
            "--workpath", ROOT / "build", ROOT / "build.spec")
        print(f"built {ROOT / 'dist' / 'trainer'}")
    if command == "extract":
        cmd_extract(python)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except KeyboardInterrupt:
        sys.exit(130)
