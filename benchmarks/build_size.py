"""The size of the frozen one-folder build, by part, as a folder and as a zip (what a station
downloads): builds build.spec with PyInstaller into a temporary folder (or measures an existing
`dist/trainer` given with `--dist`) and prints a table.

    python benchmarks/build_size.py                 # build, measure, remove the build
    python benchmarks/build_size.py --dist dist/trainer

The build also bundles the packages of requirements.txt that the program does not import yet
(`--with`, default XlsxWriter and python-calamine, which reports and imports are adopting), so
that the figure holds once they are used.

Targets (issue 12): at most 200 MB as a folder, at most 100 MB as a zip. On Linux PyInstaller
links a few libraries into `_internal/` from `PySide6/Qt/lib/` with symbolic links: they are
counted once and stored as links, as `zip -ry` does (a Windows build has no links; `zip -r`
without `-y` would store ICU's 31 MB twice).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
FOLDER_TARGET, ZIP_TARGET = 200 * MB, 100 * MB

# part name -> what a file's path (inside _internal/, "/"-separated) starts with or contains
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ICU data (Qt's Unicode tables)", ("PySide6/Qt/lib/libicu",)),
    ("Qt libraries", ("PySide6/Qt/lib/",)),
    ("Qt plugins and translations", ("PySide6/Qt/",)),
    ("PySide6 bindings", ("PySide6/", "shiboken6/", "libpyside6", "libshiboken6")),
    ("fonts (resources/)", ("resources/",)),
    ("libpython and the standard library", ("libpython", "python3", "base_library.zip")),
    ("cryptography", ("cryptography", "libcrypto", "libssl")),
    ("Pillow", ("PIL/", "pillow.libs/")),
    ("reportlab", ("reportlab",)),
    ("pypdfium2 (PDF preview)", ("pypdfium2",)),
    ("zxing-cpp (QR codes)", ("zxingcpp",)),
    ("aiohttp and its helpers (hub)", ("aiohttp", "multidict", "yarl", "frozenlist", "propcache",
                                       "_cffi", "aiohappyeyeballs", "aiosignal")),
    ("workbooks (XlsxWriter, calamine)", ("xlsxwriter", "python_calamine")),
    ("pypinyin dictionaries", ("pypinyin",)),
    ("babel locale data", ("babel",)),
    ("the program (trainer_app, catalogs, executables)", ("translations/", "trainer")),
    ("system libraries (X11, GL, glib, ...)", ("lib",)),
)


def part_of(relative: str) -> str:
    for name, starts in PARTS:
        if any(relative.startswith(s) or f"/{s}" in f"/{relative}" for s in starts):
            return name
    return "other"


def build(out: Path, extra: list[str]) -> Path:
    """build.spec with ``extra`` modules added to its hidden imports (a copy of the spec next
    to it, as the spec finds the project by its own folder)."""
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert "hiddenimports=HIDDEN," in spec
    copy = ROOT / f"build-size-{out.name}.spec"
    copy.write_text(spec.replace("hiddenimports=HIDDEN,", f"hiddenimports=HIDDEN + {extra!r},"),
                    encoding="utf-8")
    started = time.monotonic()
    try:
        subprocess.run(
            [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
             "--distpath", str(out / "dist"), "--workpath", str(out / "work"), str(copy)],
            cwd=ROOT, check=True,
        )
    finally:
        copy.unlink()
    print(f"built in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return out / "dist" / "trainer"


def measure(folder: Path, zip_path: Path) -> dict[str, list[int]]:
    """part -> [bytes in the folder, bytes in the zip]; also writes the zip (deflate, level 9,
    as `zip -9` and Windows' "Send to compressed folder" do)."""
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            relative = path.relative_to(folder).as_posix()
            inner = relative.removeprefix("_internal/")
            archive.write(path, f"{folder.name}/{relative}")
            info = archive.getinfo(f"{folder.name}/{relative}")
            entry = sizes[part_of(inner)]
            entry[0] += info.file_size
            entry[1] += info.compress_size
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, help="an existing dist/trainer folder to measure")
    parser.add_argument("--with", dest="extra", default="xlsxwriter,python_calamine",
                        help="modules to bundle although the program does not import them yet")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trainer-build-") as tmp:
        extra = [m for m in args.extra.split(",") if m]
        folder = args.dist or build(Path(tmp), extra)
        zip_path = Path(tmp) / "trainer.zip"
        sizes = measure(folder, zip_path)
        folder_total = sum(s[0] for s in sizes.values())
        zip_total = zip_path.stat().st_size
    print(f"zlib {zlib.ZLIB_VERSION}, Python {sys.version.split()[0]}, {sys.platform}\n")
    print("| Part | Folder | Zipped |")
    print("|---|---:|---:|")
    for name, (raw, packed) in sorted(sizes.items(), key=lambda kv: -kv[1][0]):
        print(f"| {name} | {raw / MB:.1f} MB | {packed / MB:.1f} MB |")
    print(f"| **total** | **{folder_total / MB:.1f} MB** | **{zip_total / MB:.1f} MB** |\n")
    for label, value, target in (("folder", folder_total, FOLDER_TARGET),
                                 ("zip", zip_total, ZIP_TARGET)):
        verdict = "pass" if value <= target else "FAIL"
        print(f"{label}: {value / MB:.1f} MB (target ≤ {target / MB:.0f} MB): {verdict}")


if __name__ == "__main__":
    main()
