"""One fresh process that shows a window, for the start-up and memory figures of station.py.

    python benchmarks/window_child.py bare [--memory]
    python benchmarks/window_child.py app --db PATH [--lang zh_CN] [--memory] [--time-pages]
    python benchmarks/window_child.py page --db PATH ...    # stand-in: the TraineesPage alone
    python benchmarks/window_child.py entry --db PATH ...   # the real `python -m trainer_app`

``bare``: a PySide6 QApplication and QMainWindow of the program's window size, nothing else: the
floor.
``table``: the bare window holding a QTableView over the least Python table model that shows
100,000 rows of Chinese text (no database, no program code): what any PySide program showing
such a list pays, for reference.
``app``: what ``python -m trainer_app`` and ``trainer_app.ui.app.run_gui`` do, step by step, so
each step can be timed: the collector paused, the window's modules imported, create_app,
setup_logging, language.apply, open_store, main_window(store) (the window run_gui shows), show.
``page``: a QMainWindow holding only the TraineesPage, for when the main window's other pages
do not import; station.py says so loudly when it uses it.
``entry``: ``python -m trainer_app --db PATH --lang L`` itself (run with runpy, command line
parsing included); the only hook is a wrapper around ``trainer_app.ui.app.main_window`` that
watches for the window's first paint.

"Shown" is the end of the window's first paint pass: an event filter on the window sees its
first QEvent.Paint, and a zero-timer queued from there fires once that whole pass (the window
and its children, the trainee table included) has been painted and flushed. The child then
checks the trainee model (every row there, row 0 read) and, with ``--memory``, types a few
searches and scrolls to the end of the table before reading its peak RSS. It prints one JSON
line (see benchclock.emit) and quits.

Argument parsing is by hand, without argparse, so the bare floor imports nothing it need not.
"""

from __future__ import annotations

import gc
import os
import sys
import time

# Only modules the interpreter has loaded anyway come before the clock (no pathlib: it would
# add its import, and that of re and fnmatch, to the bare floor).
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchclock  # noqa: E402 - before anything else: the clock starts here

CLOCK = benchclock.ProcessClock()
sys.path.insert(0, os.path.dirname(HERE))  # the project root

WINDOW_SIZE = (1100, 700)  # what MainWindow asks for; the bare window gets the same


def options(argv: list[str]) -> dict:
    opts: dict = {"kind": argv[0], "db": None, "lang": None, "expect_rows": None,
                  "memory": False, "time_pages": False}
    rest = iter(argv[1:])
    for arg in rest:
        if arg in ("--memory", "--time-pages"):
            opts[arg[2:].replace("-", "_")] = True
        elif arg in ("--db", "--lang", "--expect-rows"):
            opts[arg[2:].replace("-", "_")] = next(rest)
        else:
            raise SystemExit(f"unknown argument {arg}")
    if opts["kind"] not in ("bare", "table", "app", "page", "entry"):
        raise SystemExit(f"unknown window {opts['kind']}")
    return opts


def main() -> int:
    opts = options(sys.argv[1:])
    phases: list[tuple[str, float]] = [("interpreter up", CLOCK.at_first_line())]
    result: dict = {"kind": opts["kind"], "phases": phases}

    def mark(name: str) -> None:
        phases.append((name, CLOCK.best()))

    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        """Calls ``shown`` once the watched window's first paint pass is over."""

        def __init__(self, window, shown) -> None:
            super().__init__()
            self.window, self.shown, self.seen = window, shown, False

        def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
            if not self.seen and obj is self.window and event.type() == QEvent.Type.Paint:
                self.seen = True
                mark("first paint event")
                QTimer.singleShot(0, self.shown)
            return False

    state: dict = {}

    def shown() -> None:
        mark("first paint done (shown)")
        app, page = state["app"], state.get("page")
        result["shown_s"] = CLOCK.since_start()
        result["cpu_at_shown_s"] = time.process_time()  # this process's CPU time, all threads
        result["rss_at_shown_mb"] = benchclock.peak_rss_mb()
        result["ok"] = True
        if page is not None:
            model = page.model
            # Looked at before model.row(0), which would itself read the first page.
            cache = getattr(model, "_cache", None)  # the model's page cache, if it still has one
            result["first_page_read_by_paint"] = None if cache is None else bool(cache)
            result["rows"] = model.rowCount()
            result["row0"] = model.row(0) is not None
            expect = opts["expect_rows"]
            result["ok"] = result["row0"] and (expect is None or result["rows"] == int(expect))
        if opts["memory"]:
            QTimer.singleShot(0, workload)
        else:
            app.quit()

    def workload() -> None:
        """A few searches, then down the full list the way a dragged scroll bar goes, painting
        at each step, to the last row."""
        app, page = state["app"], state.get("page")
        t0 = time.perf_counter()
        if page is not None:
            for text in benchclock.MEMORY_QUERIES:
                page.search.setText(text)
                app.processEvents()
            bar = page.table.verticalScrollBar()
            for step in range(1, 11):
                bar.setValue(bar.maximum() * step // 10)
                app.processEvents()
            page.table.scrollToBottom()
            app.processEvents()
            result["last_row_read"] = page.model.row(page.model.rowCount() - 1) is not None
        result["workload_s"] = time.perf_counter() - t0
        result["rss_now_mb"] = benchclock.current_rss_mb()
        app.quit()

    if opts["kind"] == "entry":
        code = run_entry(opts, state, mark, lambda window: FirstPaint(window, shown))
    else:
        code = run_window(opts, state, mark, lambda window: FirstPaint(window, shown))
    result["peak_rss_mb"] = benchclock.peak_rss_mb()
    result["ru_maxrss_mb"] = benchclock.ru_maxrss_mb()
    result["exit_code"] = code
    if "page_s" in state:
        result["page_s"] = state["page_s"]
    result.setdefault("ok", False)
    benchclock.emit(result)
    return 0


def run_window(opts: dict, state: dict, mark, watch) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    mark("import PySide6")
    store = None
    if opts["kind"] in ("bare", "table"):
        app = QApplication(sys.argv[:1])
        mark("QApplication")
        window = QMainWindow()
        window.resize(*WINDOW_SIZE)
        if opts["kind"] == "table":
            window.setCentralWidget(least_table())
        mark("window built")
    else:
        from pathlib import Path

        if opts["kind"] == "app":  # the stand-in never reaches main_window, which resumes it
            gc.disable()  # as python -m trainer_app does before the window's imports
        from trainer_app.ui import app as ui_app
        from trainer_app.ui import errors, language

        mark("import trainer_app.ui.app")
        app = ui_app.create_app()
        mark("create_app (QApplication, fonts)")
        errors.setup_logging()
        language.apply(opts["lang"])
        mark("logging, language")
        store = ui_app.open_store(Path(opts["db"]))
        mark("open_store")
        if opts["kind"] == "app":
            from trainer_app.ui import main_window

            mark("import main_window")
            if opts["time_pages"]:
                state["page_s"] = time_pages(main_window)
            sys.excepthook = errors.excepthook
            window = ui_app.main_window(store)
            state["page"] = window.trainees
        else:
            from trainer_app.ui.trainees.page import TraineesPage

            mark("import trainees.page")
            window = QMainWindow()
            state["page"] = TraineesPage(store)
            window.setCentralWidget(state["page"])
            window.resize(*WINDOW_SIZE)
        mark("main_window(store)" if opts["kind"] == "app" else "window built")
    state["app"] = app
    spy = watch(window)
    window.installEventFilter(spy)
    window.show()
    mark("show() returned")
    code = app.exec()
    if store is not None:
        from trainer_app.ui import tasks

        tasks.finish()  # as run_gui does: no worker may outlive the interpreter
        store.close()
    return code


def least_table():
    """A QTableView over 100,000 rows × 8 columns of Chinese text from a minimal Python model."""
    from PySide6.QtCore import QAbstractTableModel, Qt
    from PySide6.QtWidgets import QTableView

    display = Qt.ItemDataRole.DisplayRole
    names = ("王小明", "李秀兰", "张伟", "白宝丹", "陈嘉怡")

    class Model(QAbstractTableModel):
        def rowCount(self, parent=None):  # noqa: N802 - Qt's name
            return 100_000

        def columnCount(self, parent=None):  # noqa: N802 - Qt's name
            return 8

        def data(self, index, role=display):
            return f"{names[index.row() % 5]} {index.column()}" if role == display else None

        def headerData(self, section, orientation, role=display):  # noqa: N802 - Qt's name
            return "姓名" if role == display and orientation == Qt.Orientation.Horizontal else None

    table = QTableView()
    table.setModel(Model(table))
    return table


def run_entry(opts: dict, state: dict, mark, watch) -> int:
    """``python -m trainer_app --db PATH --lang L``, watching for the main window's first paint
    through a wrapper around ``trainer_app.ui.app.main_window`` (the call ``run_gui`` makes to
    build the window; nothing else is hooked, so no Python code runs per Qt event)."""
    import runpy

    from trainer_app.ui import app as ui_app

    original = ui_app.main_window

    def main_window(store):
        window = original(store)
        state["app"] = ui_app.QApplication.instance()
        state["page"] = getattr(window, "trainees", None)
        state["spy"] = spy = watch(window)
        window.installEventFilter(spy)
        return window

    ui_app.main_window = main_window
    sys.argv = ["trainer_app", "--db", opts["db"], *(["--lang", opts["lang"]] if opts["lang"]
                                                      else [])]
    try:
        runpy.run_module("trainer_app", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def time_pages(main_window) -> dict[str, float]:
    """Wrap the constructors of the pages MainWindow builds, to time each one (explain mode)."""
    found: dict[str, float] = {}
    for name, cls in vars(main_window).items():
        if isinstance(cls, type) and name.endswith("Page"):
            original = cls.__init__

            def timed(self, *args, _original=original, _name=name, **kwargs):
                t0 = time.perf_counter()
                _original(self, *args, **kwargs)
                found[_name] = time.perf_counter() - t0

            cls.__init__ = timed
    return found


if __name__ == "__main__":
    sys.exit(main())
