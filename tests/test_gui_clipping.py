"""No text is cut off at the main window's default size, in Chinese and in English: the
current item of every combo box, every placeholder, every button, every table column's
contents in each section; and the dialogs (the enroll dialog's list without a sideways
scroll bar)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QApplication

from tests.clipping import clipped
from tests.test_gui_layout import LANGS, dialogs, store  # noqa: F401 - the station fixture
from tests.test_gui_reports import county_files, opened  # noqa: F401 - the county fixtures
from trainer_app.ui import language
from trainer_app.ui.main_window import MainWindow


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_is_clipped_at_the_default_size(qtbot, store, tmp_path, lang):  # noqa: F811
    language.apply(lang)
    try:
        window = MainWindow(store)
        qtbot.addWidget(window)
        window.show()
        found = []
        for index, name in enumerate(window.section_names()):
            window.tabs.setCurrentIndex(index)
            page = window.page(name)
            qtbot.wait(150)  # the pages read off the UI thread
            QApplication.processEvents()
            found += [f"{name}: {f}" for f in clipped(page)]
        window.close()
        opened = dialogs(store, tmp_path)
        for name, dialog in opened.items():
            qtbot.addWidget(dialog)
            dialog.show()
            QApplication.processEvents()
            found += [f"{name}: {f}" for f in clipped(dialog, sideways=True)]
            dialog.close()
        assert not found, f"clipped in {lang}: {found}"
    finally:
        language.apply("en")


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_is_clipped_in_the_county_window(qtbot, opened, lang):  # noqa: F811
    window = opened("county")
    window.resize(1100, 700)  # the window's default size (opened() makes it larger)
    language.apply(lang)
    try:
        found = []
        for name in window.section_names():
            page = window.show_section(name)
            qtbot.wait(200)  # the pages read off the UI thread
            QApplication.processEvents()
            found += [f"{name}: {f}" for f in clipped(page)]
        assert not found, f"clipped in {lang}: {found}"
    finally:
        language.apply("en")
