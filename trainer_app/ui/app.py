"""Starting the GUI: the application object, language, database, main window."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMainWindow

from trainer_app import APP_NAME, paths
from trainer_app.i18n import app_name
from trainer_app.store import Store, StoreError
from trainer_app.ui import errors, fonts, language
from trainer_app.ui.first_paint import AfterFirstPaint


def open_store(db_path: Path | None) -> Store:
    """Open ``db_path``; without one, the user's database, created with a demo station the
    first time so that a new user sees a working program."""
    if db_path is not None:
        return Store(db_path, create=True)
    path = paths.default_db_path()
    is_new = not path.exists()
    store = Store(path, create=True)
    if is_new:
        from trainer_app.services import demo

        demo.fill(store)
    return store


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(app_name())
    fonts.install(app)
    return app


def set_icon() -> None:
    """The program's icon on its windows. Set once the main window has been painted: PySide
    builds the Python type of QIcon, its 151 theme icons included, in ~1 ms."""
    from PySide6.QtGui import QIcon

    QApplication.setWindowIcon(QIcon(str(paths.resource("icons", "trainer.png"))))


def main_window(store: Store) -> QMainWindow:
    """The program's window on ``store``, with automatic backups attached once it has been
    painted (their machinery is not needed to show the list, and their first backup starts
    seconds later anyway). ``benchmarks/window_child.py`` times this very call."""
    from trainer_app.ui.main_window import MainWindow

    window = MainWindow(store)
    AfterFirstPaint(window, lambda: _after_first_paint(window))
    return window


def _after_first_paint(window: QMainWindow) -> None:
    """What the window's first paint does without."""
    _finish_start_up()
    _attach_auto_backup(window)


def _finish_start_up() -> None:
    """The collector back on (paused for the start-up by python -m trainer_app and run_gui),
    the fallback fonts for rare characters and the program's icon: after the window's first
    paint, or before the message box that replaces the window."""
    gc.enable()
    fonts.install_fallbacks(QApplication.instance())
    set_icon()


def _attach_auto_backup(window: QMainWindow) -> None:
    from trainer_app.ui.backup.auto import AutoBackup

    AutoBackup(window)


def run_gui(db_path: Path | None, lang: str | None) -> int:
    # Start-up makes tens of thousands of objects that live as long as the program (Qt's types,
    # the window): the cyclic collector would walk them again and again for nothing (~2 ms). It
    # is back on once the window has been painted (main_window).
    gc.disable()
    app = create_app()
    errors.setup_logging()
    language.apply(lang)  # else the one chosen in the program, else the system's
    try:
        store = open_store(db_path)
    except StoreError as exc:
        from PySide6.QtWidgets import QMessageBox

        _finish_start_up()  # the path in the message may hold rare characters
        QMessageBox.critical(None, app_name(), str(exc))
        return 2
    sys.excepthook = errors.excepthook
    window = main_window(store)
    window.show()
    code = app.exec()
    from trainer_app.ui import tasks

    tasks.finish()
    store.close()
    return code
