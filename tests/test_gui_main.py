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
    assert "30" in window.status.text()


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
    assert window.trainees.model.headerData(1, Qt.Orientation.Horizontal) == "姓名"
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
