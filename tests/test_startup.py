"""What the window's start-up may do without: the modules it must not import, and the cheap
paths that stand in for babel on the first page (the speed itself is measured by
benchmarks/station.py, never here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.numbers import format_decimal

from trainer_app import i18n
from trainer_app.services import demo
from trainer_app.store import Store

ROOT = Path(__file__).resolve().parent.parent

# Imported by what the operator opens later (papers, reports, sync, backups, imports), never
# before the first window is painted.
NOT_AT_START = (
    "reportlab", "zxingcpp", "PIL", "cryptography", "xlsxwriter", "python_calamine", "pypdf",
    "pypdfium2", "aiohttp", "openpyxl", "babel", "trainer_app.sync", "trainer_app.pdf",
    "trainer_app.services.county", "trainer_app.services.reports", "trainer_app.services.restore",
    "trainer_app.services.certificates", "trainer_app.ui.backup.dialog",
    # attached once the window has been painted
    "trainer_app.ui.backup.auto", "trainer_app.services.backup", "trainer_app.ui.tasks",
    # what a dialog or a write needs, not the list: message boxes, atomic files, settings
    # (the language is given, as the benchmark gives it)
    "trainer_app.ui.ask", "trainer_app.files", "trainer_app.ui.settings", "configparser",
)

# A fresh interpreter opens the window as `python -m trainer_app` does (ui.app.main_window),
# notes what was there at its first paint, then waits until what comes after the first paint
# (the automatic backups) is there.
CHILD = """
import gc, json, sys
from pathlib import Path
gc.disable()  # as python -m trainer_app does for the window
import PySide6.QtCore, PySide6.QtGui
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QFontDatabase, QFontMetrics, QTextLayout
from trainer_app.ui import app as ui_app, errors, language

def fonts_now():
    layout = QTextLayout("王\U00020000", app.font())  # Extension B: HanaMinB has it
    layout.beginLayout(); layout.createLine(); layout.endLayout()
    return {"height": QFontMetrics(app.font()).height(),
            "rare": {"HanaMinA", "HanaMinB"} <= set(QFontDatabase.families()),
            "drawn_with": sorted(r.rawFont().familyName() for r in layout.glyphRuns()),
            "all_families": QFontDatabase.families()}

app = ui_app.create_app()
errors.setup_logging()
language.apply(sys.argv[2])
store = ui_app.open_store(Path(sys.argv[1]))
window = ui_app.main_window(store)
found = {}

def after():
    if getattr(window, "auto_backup", None) is None and len(found.setdefault("waits", [])) < 500:
        found["waits"].append(1)
        QTimer.singleShot(10, after)
        return
    found["auto_backup"] = getattr(window, "auto_backup", None) is not None
    found["sorting_after"] = window.trainees.table.isSortingEnabled()
    found["icon_after"] = not app.windowIcon().isNull()
    found["gc_after"] = gc.isenabled()
    found["fonts_after"] = fonts_now()
    # the first row (a name with an Extension B character) as the screen shows it once the
    # repaints asked for are done, and as a paint now draws it
    app.processEvents()
    view = window.trainees.table.viewport()
    shown = window.screen().grabWindow(window.winId()).toImage()
    top = view.mapTo(window, view.rect().topLeft())
    row = shown.copy(top.x(), top.y(), view.width(), 26)
    found["row_as_drawn_now"] = row == view.grab().toImage().copy(
        0, 0, view.width(), 26).convertToFormat(row.format())
    found["keys_after"] = [window.verify_action.shortcut().toString(),
                           sorted(s.key().isEmpty() for s in window.trainees.findChildren(
                               PySide6.QtGui.QShortcut))]
    app.quit()

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if obj is window and event.type() == QEvent.Type.Paint and not found:
            found["modules"] = sorted(sys.modules)
            found["rows"] = window.trainees.model.rowCount()
            found["count"] = window.trainees.count.text()
            found["auto_backup_at_paint"] = getattr(window, "auto_backup", None) is not None
            found["fonts_at_paint"] = len(app.font().families())
            found["main_font"] = PySide6.QtGui.QFontInfo(app.font()).family()
            found["fonts_paint"] = fonts_now()
            found["gc_at_paint"] = gc.isenabled()
            # PySide builds its lazily loaded Qt namespace (93 enums) on first use
            found["qt_namespace_at_paint"] = "Qt" in vars(PySide6.QtCore)
            found["gui_types_at_paint"] = [
                name for name in ("QIcon", "QKeySequence") if name in vars(PySide6.QtGui)]
            from PySide6.QtCore import Qt

            header = window.trainees.table.horizontalHeader()
            found["header"] = [header.model().headerData(c, Qt.Orientation.Horizontal)
                               for c in range(header.count())]
            QTimer.singleShot(0, after)
        return False

spy = FirstPaint()
window.installEventFilter(spy)
window.show()
app.exec()
from trainer_app.ui import tasks
tasks.finish()
store.close()
print("RESULT " + json.dumps(found))
"""


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_first_paint_imports_none_of_the_heavy_modules(tmp_path, lang):
    db = tmp_path / "station.db"
    store = Store(db, create=True)
    demo.fill(store, trainees=120)
    with store.transaction():  # the first row's name, with an Extension B character
        store.conn.execute("UPDATE trainee SET name = '王\U00020000明' WHERE rowid = (SELECT rowid "
                           "FROM trainee WHERE deleted = 0 ORDER BY name_sort, rowid LIMIT 1)")
    store.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TRAINER_APP_HOME=str(tmp_path / "home"))
    proc = subprocess.run([sys.executable, "-c", CHILD, str(db), lang], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.split("RESULT ", 1)[1])
    assert found["rows"] == 120
    assert "120" in found["count"]
    loaded = [m for m in found["modules"]
              if any(m == heavy or m.startswith(heavy + ".") for heavy in NOT_AT_START)]
    assert loaded == []
    # the automatic backups come right after the first paint
    assert not found["auto_backup_at_paint"] and found["auto_backup"]
    # The application font lists the fallbacks for rare characters behind the main font, which
    # stays the font the system gave (a fallback first would set the line height); the
    # fallbacks (three large files) are registered after the first paint, and the line height
    # does not move.
    assert found["fonts_at_paint"] == 4  # the main font and the three fallbacks
    assert found["main_font"] not in ("HanaMinA", "HanaMinB", "HanaMinB2")
    painted, after = found["fonts_paint"], found["fonts_after"]
    assert not painted["rare"] and after["rare"]
    assert not {"HanaMinA", "HanaMinB"} & set(painted["all_families"])
    assert after["height"] == painted["height"]
    assert "HanaMinB" in after["drawn_with"] and "HanaMinB" not in painted["drawn_with"]
    assert found["row_as_drawn_now"]  # and the screen was drawn again with them
    # Nothing before the first paint names PySide's Qt namespace (its first use builds 93
    # Python enums, ~12 ms): the header reads its labels from a C++ model, sorting by a header
    # click is switched on after the paint.
    assert not found["qt_namespace_at_paint"]
    assert found["header"][:2] == (["编号", "姓名"] if lang == "zh_CN" else ["Code", "Name"])
    assert found["sorting_after"]
    assert found["icon_after"]  # the program's icon, set after the paint (QIcon's type costs)
    assert (found["gc_at_paint"], found["gc_after"]) == (False, True)  # the collector is back
    # nor the Python types of QIcon and QKeySequence (~1.5 ms): the icon and the keys come after
    assert found["gui_types_at_paint"] == []
    assert found["keys_after"] == ["Ctrl+Shift+V", [False, False]]  # Find, New on the list


def test_the_trainee_models_integers_are_qts_roles_and_alignment():
    from PySide6.QtCore import Qt

    from trainer_app.ui.trainees import model

    assert Qt.ItemDataRole.DisplayRole.value == model._DISPLAY
    assert Qt.ItemDataRole.TextAlignmentRole.value == model._ALIGNMENT
    assert (Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight).value == model._RIGHT


@pytest.mark.parametrize("lang", sorted(i18n.LANGUAGES))
def test_whole_numbers_are_written_as_babel_writes_them(lang):
    values = [0, 1, 7, -1, 12, 999, 1000, -1000, 1234, 99_999, 100_000, 123_456, -123_456,
              1_000_000, 987_654_321, 10**15 + 7, *range(-2100, 2100, 7)]
    previous = i18n.language()
    i18n.set_language(lang)
    try:
        for value in values:
            for digits in (0, 1, 2):
                pattern = "#,##0" + ("." + "#" * digits if digits else "")
                expected = format_decimal(value, format=pattern, locale=i18n.babel_locale())
                assert i18n.format_number(value, digits) == expected, (value, digits)
        # anything but a whole number still goes to babel
        assert i18n.format_number(1234.5) == format_decimal(
            1234.5, format="#,##0.#", locale=i18n.babel_locale())
    finally:
        i18n.set_language(previous)


def test_the_trainee_count_leaves_out_removed_trainees_after_an_upgrade(tmp_path):
    from trainer_app.services import trainees
    from trainer_app.store import schema
    from trainer_app.store import trainees as q

    version = schema.MIGRATIONS.index(schema._v12_live_trainees)  # the version before it
    old = Store(tmp_path / "old.db", create=True, upgrade_to=version)
    demo.fill(old, trainees=40)
    for row in q.search(old, limit=3):
        trainees.delete(old, row["id"])
    old.close()
    store = Store(tmp_path / "old.db")
    try:
        assert store.version == schema.LATEST_VERSION
        plan = " ".join(str(row[-1]) for row in store.conn.execute(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM trainee WHERE deleted = 0"))
        assert "trainee_live" in plan  # what the backup's check and the search index read
        live = store.scalar("SELECT count(*) FROM trainee NOT INDEXED WHERE deleted = 0")
        assert q.count(store) == live == 37
    finally:
        store.close()


def test_uuid7_is_written_as_the_uuid_module_writes_it():
    import uuid

    from trainer_app.domain.ids import uuid7

    for _ in range(200):
        text = uuid7()
        assert str(uuid.UUID(text)) == text and uuid.UUID(text).version == 7


def test_a_window_never_painted_still_gets_its_automatic_backups(qtbot, store):
    """Started minimized, the window is not painted until restored: the backups do not wait."""
    from trainer_app.ui import app as ui_app

    window = ui_app.main_window(store)
    qtbot.addWidget(window)
    assert getattr(window, "auto_backup", None) is None
    qtbot.waitUntil(lambda: getattr(window, "auto_backup", None) is not None, timeout=5_000)


def test_the_fallback_fonts_are_named_as_their_files_name_them(qapp):
    from PySide6.QtGui import QFontDatabase

    from trainer_app import paths
    from trainer_app.ui import fonts

    for filename, family in fonts.FALLBACK_FONTS:
        font_id = QFontDatabase.addApplicationFont(str(paths.resource("fonts", filename)))
        assert QFontDatabase.applicationFontFamilies(font_id) == [family]


ERROR_CHILD = """
import gc, json, sys
from pathlib import Path
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox
from trainer_app.ui import app as ui_app

seen = {}

def critical(parent, title, text):
    seen.update(text=text, gc=gc.isenabled(), icon=not QApplication.windowIcon().isNull(),
                fonts="HanaMinB" in QFontDatabase.families())

QMessageBox.critical = critical
gc.disable()  # as python -m trainer_app does
code = ui_app.run_gui(Path(sys.argv[1]), "zh_CN")
print("RESULT " + json.dumps({"code": code, **seen}))
"""


def test_the_message_box_that_replaces_the_window_has_the_fallback_fonts(tmp_path):
    """A database that cannot be opened is said in a message box instead of the window: the
    fonts, the icon and the collector the first paint would have brought are there for it (the
    path may hold a rare character)."""
    folder = tmp_path / "王\U00020000"
    folder.mkdir()
    bad = folder / "station.db"
    bad.write_bytes(b"not a database, " * 64)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TRAINER_APP_HOME=str(tmp_path / "home"))
    proc = subprocess.run([sys.executable, "-c", ERROR_CHILD, str(bad)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.split("RESULT ", 1)[1])
    assert found["code"] == 2 and "\U00020000" in found["text"]
    assert found["fonts"] and found["icon"] and found["gc"]
