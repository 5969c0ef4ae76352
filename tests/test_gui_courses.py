"""The Courses section driven through its real widgets."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from trainer_app import i18n
from trainer_app.services import courses, demo
from trainer_app.store import Store
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
