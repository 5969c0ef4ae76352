"""The PyInstaller build works: build.spec is built into a temporary folder and the frozen
program is run headless, so packaging never breaks silently.

Marked slow (the build takes ~15 s on a 2-core Linux machine, more on Windows), but it runs in
`python3 dev.py test` like every other test; skip it while working with `-m "not slow"`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trainer_app import __version__

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")
WANG_XIAOMING_ID = "41102519900307137X"  # a valid resident ID number (check digit X)


@pytest.fixture(scope="module")
def frozen(tmp_path_factory, request) -> Path:
    """Build build.spec once for this module; the path of the frozen executable."""
    out = tmp_path_factory.mktemp("pyinstaller")
    started = time.monotonic()
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(out / "dist"),
         "--workpath", str(out / "work"), str(ROOT / "build.spec")],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )
    took = time.monotonic() - started
    if build.returncode != 0:
        output = (build.stdout + build.stderr)[-6000:]
        pytest.fail(f"PyInstaller failed ({build.returncode}):\n{output}")
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\n[packaging] PyInstaller build took {took:.0f} s")
    exe = program(out / "dist" / "trainer", "trainer-cli")
    assert exe.is_file(), f"no executable at {exe}"
    return exe


def program(folder: Path, name: str) -> Path:
    return folder / (f"{name}.exe" if os.name == "nt" else name)


@pytest.fixture(scope="module")
def frozen_window(frozen) -> Path:
    """The windowed twin of ``frozen`` (the console program), in the same folder."""
    return program(frozen.parent, "trainer")


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", TRAINER_APP_HOME=str(tmp_path / "home"),
                COLUMNS="100")


def run(cmd: list[object], env: dict[str, str], expect: int | None = 0):
    result = subprocess.run([str(c) for c in cmd], env=env, capture_output=True,
                            encoding="utf-8", timeout=300, cwd=ROOT)
    if expect is not None:
        assert result.returncode == expect, (
            f"{cmd} exited {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
        )
    return result


def bundle_root(exe: Path) -> Path:
    """What sys._MEIPASS is in the frozen program (PyInstaller 6 puts it in `_internal/`)."""
    contents = exe.parent / "_internal"
    return contents if contents.is_dir() else exe.parent


def test_version(frozen, env):
    result = run([frozen, "--version"], env)
    assert __version__ in result.stdout


def test_a_windowed_program_and_a_console_twin_share_one_folder(frozen, frozen_window):
    assert frozen_window.is_file() and frozen_window.parent == frozen.parent
    assert len(list(frozen.parent.glob("_internal"))) == 1  # one set of libraries for both
    if os.name == "nt":  # the PE header's subsystem: 2 = a window program, 3 = a console one
        def subsystem(exe: Path) -> int:
            data = exe.read_bytes()
            pe = int.from_bytes(data[0x3C:0x40], "little")
            return int.from_bytes(data[pe + 0x5C:pe + 0x5E], "little")

        assert (subsystem(frozen_window), subsystem(frozen)) == (2, 3)


def test_demo_then_list_as_json(frozen, env, tmp_path):
    db = tmp_path / "x.db"
    run([frozen, "--db", db, "demo", "--trainees", "20"], env)
    rows = json.loads(run([frozen, "--db", db, "trainees", "list", "--json"], env).stdout)
    assert isinstance(rows, list) and len(rows) == 20
    assert all(isinstance(row, dict) and row.get("id") for row in rows)
    assert len({row["id"] for row in rows}) == 20
    assert all(CJK.search(row["name"]) for row in rows)


def test_pinyin_search_works_frozen(frozen, env, tmp_path):
    """pypinyin loads its dictionaries lazily from data files: they must be in the bundle."""
    db = tmp_path / "x.db"
    run([frozen, "--db", db, "demo", "--trainees", "5"], env)
    run([frozen, "--db", db, "trainees", "add", "--name", "王小明",
         "--id-number", WANG_XIAOMING_ID, "--village", "王坪村"], env)
    for query in ("wxm", "wangxiaoming", "小明"):
        out = run([frozen, "--db", db, "trainees", "list", "--search", query, "--json"], env)
        assert "王小明" in [row["name"] for row in json.loads(out.stdout)], query


def test_refusal_is_one_line_and_exit_2(frozen, env, tmp_path):
    result = run([frozen, "--db", tmp_path / "missing.db", "trainees", "list"], env, expect=2)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not (ROOT / "translations" / "zh_CN.po").exists(),
                    reason="no translations/zh_CN.po yet")
def test_chinese_catalog_is_bundled(frozen, env, tmp_path):
    """The frozen program speaks Chinese exactly as the program run from source does."""
    bundled = bundle_root(frozen) / "translations" / "zh_CN" / "LC_MESSAGES"
    bundled /= "trainer_app.messages"
    assert bundled.is_file()
    missing = tmp_path / "missing.db"
    chinese = ""
    for args, code in ((["--help"], 0), (["--db", missing, "trainees", "list"], 2)):
        cmd = ["--lang", "zh_CN", *args]
        frozen_run = run([frozen, *cmd], env, expect=code)
        source_run = run([sys.executable, "-m", "trainer_app", *cmd], env, expect=code)
        assert (frozen_run.stdout, frozen_run.stderr) == (source_run.stdout, source_run.stderr)
        chinese += frozen_run.stdout + frozen_run.stderr
    if not CJK.search(chinese):
        pytest.skip("zh_CN.po does not translate --help or the missing-database message yet")
    assert run([frozen, "--lang", "en", "--help"], env).stdout not in chinese


def test_resources_and_qt_translations_bundled(frozen):
    root = bundle_root(frozen)
    for source in (ROOT / "resources").rglob("*"):
        if source.is_file():
            assert (root / source.relative_to(ROOT)).is_file(), source
    # Qt's own dialog buttons in Chinese: trainer_app.ui.language loads qtbase_zh_CN.qm from
    # QLibraryInfo's TranslationsPath, which in the bundle is PySide6/Qt/translations.
    assert list(root.rglob("qtbase_zh_CN.qm")), "Qt's Chinese translations are missing"


def test_every_module_of_the_program_is_bundled(frozen):
    """The main window imports each section's page by name when it is first shown: a module
    PyInstaller did not see fails only when the operator opens that section."""
    import pkgutil

    from PyInstaller.archive.readers import CArchiveReader

    import trainer_app

    bundled = set(CArchiveReader(str(frozen)).open_embedded_archive("PYZ.pyz").toc)
    ours = {m.name for m in pkgutil.walk_packages(trainer_app.__path__, "trainer_app.")}
    assert ours - bundled == set()
    assert "pypdfium2" in bundled  # the PDF preview's renderer, imported by a section's page


@pytest.mark.parametrize("which", ["window", "console"])
def test_gui_starts_headless(frozen, frozen_window, env, tmp_path, which):
    """The program window starts (offscreen) and keeps running from either program: Qt and its
    plugins are there."""
    exe = frozen_window if which == "window" else frozen
    proc = subprocess.Popen([str(exe), "--db", str(tmp_path / "gui.db")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        code = proc.wait(timeout=8)
    except subprocess.TimeoutExpired:
        code = None  # still running after 8 s: it started
        proc.terminate()
    _, err = proc.communicate(timeout=30)
    message = err.decode("utf-8", errors="replace")
    assert code is None, f"the program window exited at once ({code}): {message}"
    assert "Traceback" not in message, message
    log = Path(env["TRAINER_APP_HOME"]) / "trainer.log"  # where the window logs its errors
    logged = log.read_text(encoding="utf-8") if log.exists() else ""
    assert " ERROR " not in logged, logged


def test_every_section_is_bundled(frozen):
    """The window imports each section's page by name when first shown; the bundle holds them
    all (the analysis alone does not see them), for a station and for a county."""
    from trainer_app.ui import sections

    listing = subprocess.run(
        [sys.executable, "-m", "PyInstaller.utils.cliutils.archive_viewer", "-r", "-b",
         str(frozen)], capture_output=True, text=True, timeout=300, check=True).stdout
    bundled = set(listing.split())
    missing = [m for m in sections.page_modules() if m not in bundled]
    assert not missing, missing


def test_certificates_and_papers_frozen(frozen, env, tmp_path):
    """Fonts, QR encoding, signing keys and the PDF renderer all work in the bundle."""
    from pypdf import PdfReader

    db = tmp_path / "x.db"
    run([frozen, "--db", db, "demo", "--trainees", "60"], env)
    classes = json.loads(run([frozen, "--db", db, "classes", "list", "--json"], env).stdout)
    finished = next(c for c in classes if c["status"] == "finished")
    out = tmp_path / "certificates.pdf"
    serials = run([frozen, "--db", db, "certificates", "issue", "--class", finished["id"],
                   "--out", out], env).stdout.split()
    assert serials and len(PdfReader(out).pages) == len(serials)
    listed = json.loads(run([frozen, "--db", db, "certificates", "list", "--json"], env).stdout)
    run([frozen, "--db", db, "certificates", "verify", listed[0]["qr_text"]], env)
    lessons = json.loads(run([frozen, "--db", db, "lessons", "list", "--class", finished["id"],
                              "--json"], env).stdout)
    sheet = tmp_path / "sheet.pdf"
    run([frozen, "--db", db, "papers", "sign-in-sheet", "--lesson", lessons[0]["id"],
         "--out", sheet], env)
    assert CJK.search(PdfReader(sheet).pages[0].extract_text())

    # the sheet read back (zxing-cpp, Pillow, pypdfium2 in the bundle): the PDF and a JPEG
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(sheet))
    photo = tmp_path / "page1.jpg"
    pdf[0].render(scale=200 / 72).to_pil().convert("RGB").save(photo, quality=80)
    pdf.close()
    for given in (sheet, photo):
        rows = json.loads(run([frozen, "--db", db, "attendance", "read-sheet", given,
                               "--lesson", lessons[0]["id"], "--json"], env).stdout)
        assert rows and all(r["signed"] is False and r["trainee_id"] for r in rows)


def test_sync_round_trip_frozen(frozen, env, tmp_path):
    county, station = tmp_path / "county.db", tmp_path / "station.db"
    pack, usb = tmp_path / "WP01.trpack", tmp_path / "usb"
    usb.mkdir()
    run([frozen, "--db", county, "setup", "county", "--code", "XC", "--name", "襄城县"], env)
    run([frozen, "--db", county, "county", "pack", "--station-code", "WP01", "--out", pack], env)
    run([frozen, "--db", station, "setup", "station", "--pack", pack], env)
    run([frozen, "--db", station, "demo", "--trainees", "10"], env)
    bundle = run([frozen, "--db", station, "sync", "export", "--out", usb],
                 env).stdout.splitlines()[0].strip()
    manifest = json.loads(run([frozen, "sync", "inspect", bundle], env).stdout)
    assert manifest["counts"]["trainee"] == 10


def test_reports_export_frozen(frozen, env, tmp_path):
    """XlsxWriter, the CSV writer and reportlab's charts work in the bundle."""
    import zipfile

    from pypdf import PdfReader

    db = tmp_path / "r.db"
    run([frozen, "--db", db, "demo", "--trainees", "60"], env)
    period = ["--from", "2000-01-01", "--to", "2099-12-31"]
    shown = json.loads(run([frozen, "--db", db, "reports", "show", "by-month", *period,
                            "--json"], env).stdout)
    assert shown and all(row["persons_trained"] >= 0 for row in shown)
    for suffix in ("xlsx", "csv", "pdf"):
        out = tmp_path / f"by-month.{suffix}"
        run([frozen, "--db", db, "--lang", "zh_CN", "reports", "export", "by-month", "--out",
             out, *period], env)
        assert out.stat().st_size > 0
    with zipfile.ZipFile(tmp_path / "by-month.xlsx") as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())
    assert (tmp_path / "by-month.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "按月份" in PdfReader(tmp_path / "by-month.pdf").pages[0].extract_text()


def test_trainee_import_frozen(frozen, env, tmp_path):
    """python-calamine (a compiled extension) reads .xls and .xlsx, XlsxWriter writes the
    workbooks, in the bundle."""
    db = tmp_path / "x.db"
    run([frozen, "--db", db, "demo", "--trainees", "5"], env)
    data = ROOT / "tests" / "data"
    report = json.loads(run([frozen, "--db", db, "trainees", "import", data / "committee.xls",
                             "--json"], env).stdout)
    assert report["new"] == 4 and report["problems"] == []
    template = tmp_path / "template.xlsx"
    run([frozen, "--db", db, "trainees", "template", "--out", template], env)
    rejects = tmp_path / "back.xlsx"
    result = run([frozen, "--db", db, "trainees", "import", data / "committee_gbk.csv",
                  "--rejects", rejects, "--json"], env, expect=1)
    assert json.loads(result.stdout)["invalid"] == 1 and rejects.stat().st_size > 0
    report = json.loads(run([frozen, "--db", db, "trainees", "import", template, "--json",
                             "--dry-run"], env, expect=0).stdout)
    assert report["unchanged"] == 1  # the template's example is 王小明 of committee.xls
