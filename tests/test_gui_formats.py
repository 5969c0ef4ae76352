"""One way to show each kind of value on every screen, in Chinese and English: dates (and
date-times) in babel's medium format of the language, in the date fields of the dialogs as in
the tables and labels."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QAbstractSpinBox, QApplication, QDateEdit, QLabel

from tests.test_gui_layout import LANGS, dialogs, store  # noqa: F401 - the station fixture
from tests.test_gui_reports import county_files, opened  # noqa: F401 - the county fixtures
from trainer_app import i18n
from trainer_app.ui import language
from trainer_app.ui.main_window import MainWindow

MEDIUM = {
    "zh_CN": re.compile(r"\d{4}年\d{1,2}月\d{1,2}日"),
    "en": re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}\b"),
}
OTHER_DATES = re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")


def columns(model) -> int:
    try:
        return model.columnCount(QModelIndex())
    except TypeError:  # a list model: its columnCount is not Python's to call
        return 1


def texts_of(widget) -> list[str]:
    """What a page shows: its labels, spin boxes, and the first rows of its tables."""
    out = [label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget)]
    out += [box.text() for box in widget.findChildren(QAbstractSpinBox)]
    for view in widget.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        root = QModelIndex()
        for row in range(min(model.rowCount(root), 40)):
            for column in range(columns(model)):
                value = model.index(row, column, root).data(Qt.ItemDataRole.DisplayRole)
                if isinstance(value, str):
                    out.append(value)
    return out


def sections_shown(qtbot, window: MainWindow) -> dict[str, list[str]]:
    shown = {}
    for index, name in enumerate(window.section_names()):
        window.tabs.setCurrentIndex(index)
        page = window.page(name)
        qtbot.wait(150)  # the pages read off the UI thread
        QApplication.processEvents()
        shown[name] = texts_of(page)
    return shown


@pytest.mark.parametrize("lang", LANGS)
def test_dates_have_one_format_in_tables_labels_and_date_fields(qtbot, store, tmp_path, lang):  # noqa: F811
    language.apply(lang)
    try:
        window = MainWindow(store)
        qtbot.addWidget(window)
        window.show()
        shown = sections_shown(qtbot, window)
        found = {name: [t for t in texts if MEDIUM[lang].search(t)]
                 for name, texts in shown.items()}
        for name in ("classes", "attendance", "reports"):
            assert found[name], f"no date shown on {name} in {lang}"
        wrong = {name: [t for t in texts if OTHER_DATES.search(t)]
                 for name, texts in shown.items()}
        assert not any(wrong.values()), wrong

        fields = list(window.findChildren(QDateEdit))
        opened = dialogs(store, tmp_path)
        for name, dialog in opened.items():
            qtbot.addWidget(dialog)
            fields += [(name, edit) for edit in dialog.findChildren(QDateEdit)]
            assert not [t for t in texts_of(dialog) if OTHER_DATES.search(t)], name
        fields = [f if isinstance(f, tuple) else ("window", f) for f in fields]
        assert len(fields) >= 6  # reports' period, class dates, lesson date, birth date
        for name, edit in fields:
            if edit.date() == edit.minimumDate() and edit.specialValueText():
                continue  # a birth date not set yet
            day = edit.date().toPython()
            assert edit.text() == i18n.format_date(day), (name, edit.objectName())
            assert MEDIUM[lang].fullmatch(edit.text())
    finally:
        language.apply("en")


def test_a_date_field_follows_a_language_switch(qtbot):
    from trainer_app.ui.forms import DateEdit

    language.apply("zh_CN")
    try:
        edit = DateEdit(objectName="d")
        qtbot.addWidget(edit)
        edit.setDate(edit.date().fromString("1949-12-31", "yyyy-MM-dd"))
        assert edit.text() == "1949年12月31日"
        language.apply("en")
        assert edit.text() == "Dec 31, 1949"
    finally:
        language.apply("en")


@pytest.mark.parametrize("lang", LANGS)
def test_the_county_shows_dates_as_the_station_does(qtbot, opened, lang):  # noqa: F811
    window = opened("county")
    language.apply(lang)
    try:
        shown = sections_shown(qtbot, window)
        wrong = {name: [t for t in texts if OTHER_DATES.search(t)]
                 for name, texts in shown.items()}
        assert not any(wrong.values()), wrong
        assert any(MEDIUM[lang].search(t) for texts in shown.values() for t in texts)
    finally:
        language.apply("en")
