"""One way to say how many records a section's list shows (共 300 名学员 / 300 trainees), in one
place on every section, the right end of its top bar; the county's status line says it the
same way. Station and county windows, in Chinese and English."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QTableView

from tests.clipping import clipped
from tests.test_gui_layout import LANGS, store  # noqa: F401 - the station fixture
from tests.test_gui_reports import county_files, opened  # noqa: F401 - the county fixtures
from trainer_app.ui import language
from trainer_app.ui.main_window import MainWindow

COUNT = {
    "zh_CN": re.compile(r"共 [\d,]+ (名学员|门课程|个培训班|份证书|个服务站|组|行)"),
    "en": re.compile(r"[\d,]+ (trainees?|courses?|class(es)?|certificates?|stations?|groups?"
                     r"|rows?)"),
}
STATION_LISTS = ("trainees", "courses", "classes", "attendance", "certificates", "reports")
MARKS = {"zh_CN": re.compile(r"出勤 \d+ 人  ·  .*未考勤 \d+ 人"),
         "en": re.compile(r"\d+ present  ·  .*\d+ not marked")}  # a lesson's marks
COUNTY_LISTS = ("stations", "trainees", "classes", "certificates", "duplicates", "reports",
                "courses")


def check_counts(qtbot, window: MainWindow, lang: str, lists: tuple[str, ...]) -> list[str]:
    """The sections of ``lists`` shown one by one: what is wrong with their counts."""
    wrong = []
    for name in lists:
        page = window.show_section(name)
        if name == "reports":
            qtbot.waitUntil(lambda page=page: bool(page.count.text()), timeout=20_000)
        qtbot.wait(200)  # the lists read off the UI thread
        QApplication.processEvents()
        count: QLabel = page.counts if name == "attendance" else page.count
        said = MARKS[lang] if name == "attendance" else COUNT[lang]
        text = count.text() if name == "attendance" else count.text().split(" · ")[0]
        if not (count.isVisible() and said.fullmatch(text)):
            wrong.append(f"{name}: {count.text()!r}")
            continue
        # where the text ends: a left-aligned label wider than its text ends with its text
        text_width = count.fontMetrics().horizontalAdvance(count.text())
        flush_right = bool(count.alignment() & Qt.AlignmentFlag.AlignRight)
        right = count.width() if flush_right else min(count.width(), text_width + 8)
        where = count.mapTo(page, QPoint(right, 0))
        tables = [t for t in page.findChildren(QTableView) if t.isVisible()]
        first_table = min(t.mapTo(page, QPoint(0, 0)).y() for t in tables)
        if where.x() < page.width() - 30 or where.y() > first_table:
            wrong.append(f"{name}: at {where.toTuple()} of {page.size().toTuple()}, "
                         f"tables from y={first_table}")
        wrong += [f"{name}: {f}" for f in clipped(page)]
    return wrong


@pytest.mark.parametrize("lang", LANGS)
def test_station_sections_count_their_lists_alike(qtbot, store, lang):  # noqa: F811
    language.apply(lang)
    try:
        window = MainWindow(store)
        qtbot.addWidget(window)
        window.show()
        assert not check_counts(qtbot, window, lang, STATION_LISTS)
        assert not COUNT[lang].search(window.status.text())  # counts are on the pages
    finally:
        language.apply("en")


@pytest.mark.parametrize("lang", LANGS)
def test_county_sections_and_status_line_count_alike(qtbot, opened, lang):  # noqa: F811
    window = opened("county")
    language.apply(lang)
    try:
        assert not check_counts(qtbot, window, lang, COUNTY_LISTS)
        parts = window.status.text().split("   ·   ")
        assert COUNT[lang].fullmatch(parts[1]) and COUNT[lang].fullmatch(parts[2]), parts
    finally:
        language.apply("en")
