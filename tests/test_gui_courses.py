"""The Courses section driven through its real widgets."""

from __future__ import annotations

import datetime as dt
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from trainer_app import i18n
from trainer_app.services import classes, courses, demo
from trainer_app.store import Store
from trainer_app.ui.classes.form import ClassForm
from trainer_app.ui.courses.form import CourseForm
from trainer_app.ui.courses.page import CoursesPage

from .qt_input import type_text

SAVE = QDialogButtonBox.StandardButton.Save


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path))
    i18n.set_language("en")
    s = Store(tmp_path / "station.db", create=True)
    demo.fill(s, trainees=40, seed=3)
    yield s
    s.close()


@pytest.fixture
def page(qtbot, store):
    p = CoursesPage(store)
    qtbot.addWidget(p)
    p.show()
    return p


def set_spin(qtbot, spin, text: str) -> None:
    """Replace a spin box's value by typing, as a user does."""
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)


def click_save(qtbot, form) -> None:
    qtbot.mouseClick(form.buttons.button(SAVE), Qt.MouseButton.LeftButton)


def table_column(page: CoursesPage, column: int) -> list[str]:
    return [page.model.index(r, column).data() for r in range(page.model.rowCount())]


def test_add_course_through_the_dialog(qtbot, page, store, monkeypatch):
    def fill_and_save(form: CourseForm) -> int:
        qtbot.addWidget(form)
        assert form.min_share.value() == 80  # the default rule
        type_text(qtbot, form.code, "ec201")
        type_text(qtbot, form.title, "农村电商直播进阶")
        type_text(qtbot, form.category.lineEdit(), "直播电商")
        type_text(qtbot, form.description, "直播复盘与数据分析。")
        set_spin(qtbot, form.hours, "18")
        set_spin(qtbot, form.min_share, "75")
        click_save(qtbot, form)
        return form.result()

    monkeypatch.setattr(CourseForm, "exec", fill_and_save)
    before = page.model.rowCount()
    with qtbot.waitSignal(page.changed):
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)

    assert page.model.rowCount() == before + 1
    row = page.model.row_of(page.selected_id())
    assert page.model.row(row)["code"] == "EC201"  # the code is stored upper case
    shown = [page.model.index(row, c).data() for c in range(page.model.columnCount())]
    assert shown == [
        "EC201", "农村电商直播进阶", "直播电商", "18 h", "≥ 75%", "直播复盘与数据分析。", ""
    ]
    saved = courses.get(store, page.selected_id())
    assert (saved.title, saved.category, saved.hours, saved.min_share) == (
        "农村电商直播进阶", "直播电商", 18.0, 0.75
    )
    assert "8 courses" not in page.count.text() and "9 courses" in page.count.text()


def test_bad_values_show_beside_the_field_and_save_nothing(qtbot, store):
    before = courses.list_all(store)
    form = CourseForm(store)
    qtbot.addWidget(form)
    type_text(qtbot, form.code, "EC300")
    set_spin(qtbot, form.min_share, "0")
    click_save(qtbot, form)
    assert form.result() != form.DialogCode.Accepted
    assert form.errors.message("title") == "Enter the course title."
    assert "more than 0 and at most 1000" in form.errors.message("hours")
    assert "1%" in form.errors.message("min_share")
    assert form.errors.message("code") == ""
    assert courses.list_all(store) == before

    # fixing the fields clears the messages and saves
    type_text(qtbot, form.title, "电商入门")
    set_spin(qtbot, form.hours, "6")
    set_spin(qtbot, form.min_share, "90")
    click_save(qtbot, form)
    assert form.result() == form.DialogCode.Accepted
    assert courses.get(store, form.saved_id).min_share == 0.9


def test_duplicate_code_is_refused(qtbot, store):
    before = courses.list_all(store)
    form = CourseForm(store)
    qtbot.addWidget(form)
    type_text(qtbot, form.code, "ec101")
    type_text(qtbot, form.title, "另一个开设网店")
    set_spin(qtbot, form.hours, "10")
    click_save(qtbot, form)
    assert form.result() != form.DialogCode.Accepted
    assert "EC101" in form.errors.message("code")
    assert courses.list_all(store) == before


def test_edit_course_from_the_table(qtbot, page, store, monkeypatch):
    row = table_column(page, 0).index("EC104")
    page.table.selectRow(row)
    course_id = page.selected_id()

    def change_and_save(form: CourseForm) -> int:
        qtbot.addWidget(form)
        assert form.code.text() == "EC104" and form.hours.value() == 12
        assert form.windowTitle() == "Edit course"
        form.title.selectAll()
        type_text(qtbot, form.title, "快递物流、包装与售后")
        set_spin(qtbot, form.min_share, "70")
        click_save(qtbot, form)
        return form.result()

    monkeypatch.setattr(CourseForm, "exec", change_and_save)
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    saved = courses.get(store, course_id)
    assert (saved.title, saved.min_share, saved.code) == ("快递物流、包装与售后", 0.7, "EC104")
    assert page.selected_id() == course_id
    assert page.model.index(page.model.row_of(course_id), 4).data() == "≥ 70%"


def test_cancel_changes_nothing(qtbot, page, store, monkeypatch):
    before = courses.list_all(store)

    def type_then_cancel(form: CourseForm) -> int:
        qtbot.addWidget(form)
        type_text(qtbot, form.code, "EC999")
        qtbot.mouseClick(
            form.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
        )
        return form.result()

    monkeypatch.setattr(CourseForm, "exec", type_then_cancel)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert courses.list_all(store) == before


def test_sorting_by_a_column(qtbot, page):
    page.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # hours
    hours = [page.model.row(r)["hours"] for r in range(page.model.rowCount())]
    assert hours == sorted(hours, reverse=True)


def test_search_by_code_title_pinyin_or_initials(qtbot, page):
    for typed, codes in (("kswd", ["EC101"]), ("zhibo", ["EC103"]), ("ec10", None),
                         ("物流", ["EC104"]), ("neirong", ["EC102", "EC106"])):
        page.search.clear()
        type_text(qtbot, page.search, typed)
        shown = table_column(page, 0)
        assert shown == (codes if codes is not None else [f"EC10{i}" for i in range(1, 9)])
    page.search.clear()
    type_text(qtbot, page.search, "xyz")
    assert page.model.rowCount() == 0 and page.empty_hint.isVisible()
    assert page.empty_hint.text() == "No course matches “xyz”."


def retired(store, course_id: str) -> bool:
    return next(c["retired"] for c in courses.list_all(store) if c["id"] == course_id)


def answer(qtbot, button, asked: list[str], key: bool = False) -> None:
    """Answer the next message box (a real one) with ``button``, or with Enter (``key``)."""
    def reply() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        if key:
            qtbot.keyClick(box, Qt.Key.Key_Return)
        else:
            qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)

    QTimer.singleShot(50, reply)


def test_retire_asks_no_first_hides_it_from_new_classes_and_keeps_old_ones(
        qtbot, page, store):
    course = next(c for c in courses.list_all(store) if c["code"] == "EC103")
    held = [c for c in classes.list_all(store) if c["course_id"] == course["id"]]
    assert held
    page.table.selectRow(table_column(page, 0).index("EC103"))
    assert page.retire_button.text() == "&Retire…" and page.retire_button.isEnabled()
    asked: list[str] = []
    answer(qtbot, None, asked, key=True)  # Enter answers No: nothing changes
    qtbot.mouseClick(page.retire_button, Qt.MouseButton.LeftButton)
    assert asked and asked[0].startswith("Retire course EC103 直播带货?")
    assert "EC103" in table_column(page, 0) and not retired(store, course["id"])

    answer(qtbot, QMessageBox.StandardButton.Yes, asked)
    with qtbot.waitSignal(page.changed):
        qtbot.mouseClick(page.retire_button, Qt.MouseButton.LeftButton)
    assert "EC103" not in table_column(page, 0)
    assert page.count.text() == "7 courses; 1 retired not shown"
    # shown greyed, with the day, when retired courses are asked for
    qtbot.mouseClick(page.show_retired, Qt.MouseButton.LeftButton)
    assert not page.table.isColumnHidden(page.model.RETIRED_COLUMN)
    row = table_column(page, 0).index("EC103")
    assert page.model.index(row, page.model.RETIRED_COLUMN).data() == i18n.format_date(
        dt.date.today().isoformat())
    assert page.model.index(row, 1).data(Qt.ItemDataRole.ForegroundRole).color().name() == \
        "#8a8a8a"

    # a new class is not offered it ...
    form = ClassForm(store)
    qtbot.addWidget(form)
    offered = [form.course.itemData(i) for i in range(form.course.count())]
    assert course["id"] not in offered and len(offered) == 7
    # ... an existing class keeps it, and saves unchanged
    old = ClassForm(store, held[0]["id"])
    qtbot.addWidget(old)
    assert old.course.currentData() == course["id"]
    assert old.course.currentText() == "EC103  直播带货 (retired)"
    qtbot.mouseClick(old.buttons.button(SAVE), Qt.MouseButton.LeftButton)
    assert old.result() == old.DialogCode.Accepted

    # offered again, after a question as well
    page.table.selectRow(table_column(page, 0).index("EC103"))
    assert page.retire_button.text() == "&Offer again…"
    answer(qtbot, QMessageBox.StandardButton.Yes, asked)
    qtbot.mouseClick(page.retire_button, Qt.MouseButton.LeftButton)
    assert asked[-1].startswith("Offer course EC103 直播带货 again?")
    assert not retired(store, course["id"])
    form = ClassForm(store)
    qtbot.addWidget(form)
    assert form.course.findData(course["id"]) >= 0


def test_report_filters_keep_a_retired_course_and_say_so(qtbot, store):
    from trainer_app.ui.reports.filters import FilterBar

    course = next(c for c in courses.list_all(store) if c["code"] == "EC106")
    courses.retire(store, course["id"])
    bar = FilterBar(store)
    qtbot.addWidget(bar)
    labels = [bar.course.itemText(i) for i in range(bar.course.count())]
    assert "EC106 短视频制作 (retired)" in labels and "EC101 开设网店" in labels


def test_a_search_matching_only_retired_courses_says_where_they_are(qtbot, page, store):
    course = next(c for c in courses.list_all(store) if c["code"] == "EC103")
    courses.retire(store, course["id"])
    page.refresh()
    type_text(qtbot, page.search, "zhibo")
    assert page.model.rowCount() == 0 and page.empty_hint.isVisible()
    assert page.empty_hint.text() == ("No course offered matches “zhibo”: tick Show retired "
                                      "courses to see 1 retired one that does.")
    qtbot.mouseClick(page.show_retired, Qt.MouseButton.LeftButton)
    assert table_column(page, 0) == ["EC103"]


def test_a_code_typed_in_full_width_finds_the_course(qtbot, page):
    type_text(qtbot, page.search, "ＥＣ１０３")  # a Chinese input method in full-width mode
    assert table_column(page, 0) == ["EC103"]
