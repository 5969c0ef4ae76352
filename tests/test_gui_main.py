"""The main window as a whole: sections, status line, live language switch."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from trainer_app import i18n, paths
from trainer_app.services import demo
from trainer_app.store import Store
from trainer_app.ui import language
from trainer_app.ui.app import open_store
from trainer_app.ui.main_window import MainWindow
from trainer_app.ui.trainees.form import TraineeForm

needs_catalog = pytest.mark.skipif(
    not (paths.translations_dir() / "zh_CN.po").exists(), reason="no zh_CN catalog yet"
)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path))
    language.apply("en")
    store = Store(tmp_path / "station.db", create=True)
    demo.fill(store, trainees=30, seed=4)
    w = MainWindow(store)
    w.show()
    yield w
    language.apply("en")
    w.close()
    w.deleteLater()
    qtbot.wait(1)  # the window is gone before its database closes
    store.close()


def test_sections_and_status_line(window):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Trainees", "Courses", "Classes", "Attendance", "Certificates", "Reports",
                      "Sync"]
    assert window.trainees.model.rowCount() == 30
    assert demo.STATION_NAME in window.status.text()
    # the count is said once, on the page (where it follows the search), not in the status line
    assert window.trainees.count.text() == "30 trainees" and "trainees" not in window.status.text()


@needs_catalog
def test_title_names_the_station_once_and_the_program_in_the_language(window, qtbot):
    from PySide6.QtWidgets import QApplication

    from trainer_app.ui.app import create_app

    create_app()
    # Qt appends " — <display name>" itself: the title must not carry the program's name too
    assert window.windowTitle() == f"{demo.STATION_NAME} (demo, practice records)"
    assert QApplication.applicationDisplayName() == "Trainer"
    assert "demo" in window.status.text()  # the icon: tests/test_startup.py
    window.language_actions["zh_CN"].trigger()
    assert QApplication.applicationDisplayName() == "培训通"
    assert window.windowTitle() == f"{demo.STATION_NAME}（演示，练习记录）"
    assert window.about_action.text().startswith("关于培训通")


@needs_catalog
def test_language_switches_live_from_the_menu(window, qtbot):
    form = TraineeForm(window.store, parent=window)
    qtbot.addWidget(form)
    window.language_actions["zh_CN"].trigger()
    assert i18n.language() == "zh_CN"
    assert [window.tabs.tabText(i) for i in range(4)] == ["学员", "课程", "培训班", "考勤"]
    assert window.language_menu.title().startswith("语言")
    # an open dialog follows, Qt's own buttons included
    assert form.windowTitle() == "登记学员"
    assert form.buttons.button(QDialogButtonBox.StandardButton.Save).text().startswith("保存")
    header = window.trainees.table.horizontalHeader()  # what the operator reads
    assert header.model().headerData(1, Qt.Orientation.Horizontal) == "姓名"
    window.language_actions["en"].trigger()
    assert window.tabs.tabText(0) == "Trainees"
    assert form.buttons.button(QDialogButtonBox.StandardButton.Save).text() == "Save"


def test_first_start_creates_a_demo_station(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    store = open_store(None)
    try:
        assert store.path == paths.default_db_path()
        assert store.path.is_relative_to(tmp_path)
        assert store.scalar("SELECT count(*) FROM trainee") > 0
    finally:
        store.close()


@needs_catalog
def test_help_has_a_manual_with_pictures_in_both_languages_and_about(window, qtbot):
    import re

    from PySide6.QtCore import QTimer, QUrl
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QApplication

    import trainer_app
    from trainer_app.ui.help import HelpDialog, manual_path

    shown: list[tuple[str, str, int]] = []

    def read_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, HelpDialog)
        pictures = re.findall(r'<img src="([^"]+)"', manual_path().read_text(encoding="utf-8"))
        loaded = [dialog.browser.loadResource(QTextDocument.ResourceType.ImageResource,
                                              QUrl(src)) for src in pictures]
        drawn = sum(1 for image in loaded if image is not None and not image.isNull())
        shown.append((dialog.windowTitle(), dialog.browser.toPlainText(), drawn))
        dialog.reject()

    for lang, heading in (("zh_CN", "培训通 使用手册"), ("en", "Trainer manual")):
        window.language_actions[lang].trigger()
        QTimer.singleShot(50, read_and_close)
        window.manual_action.trigger()  # F1
        _title, text, pictures = shown[-1]
        assert heading in text and pictures == 5, (lang, pictures)
    QTimer.singleShot(50, read_and_close)
    window.about_action.trigger()
    title, text, _pictures = shown[-1]
    assert title == "About Trainer"
    for expected in (trainer_app.__version__, str(paths.data_dir()), "backups",
                     "WenQuanYi Micro Hei", "Apache-2.0", "LGPL-3.0", str(window.store.path)):
        assert expected in text, expected
