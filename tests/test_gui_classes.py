"""The Classes section driven through its real widgets: schedule a class with lessons, enroll
through the trainee picker (the picker itself: test_gui_picker.py), move and cancel lessons, see
who completed."""

from __future__ import annotations

import datetime as dt
import gettext
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QDate, QEvent, Qt, QTime
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QMessageBox

from trainer_app import i18n
from trainer_app.domain import validation
from trainer_app.domain.models import Lesson, TrainingClass
from trainer_app.services import attendance, classes, courses, demo, trainees
from trainer_app.store import Store
from trainer_app.ui.classes.form import ClassForm
from trainer_app.ui.classes.lesson_dialog import LessonDialog
from trainer_app.ui.classes.page import ClassesPage
from trainer_app.ui.trainee_picker import TraineePicker

from .qt_input import type_text
from .trainee_data import register_wang_xiaoming

SAVE = QDialogButtonBox.StandardButton.Save
LEFT = Qt.MouseButton.LeftButton


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
    p = ClassesPage(store)
    qtbot.addWidget(p)
    p.resize(1100, 800)
    p.show()
    return p


def course_id(store: Store, code: str) -> str:
    return next(c["id"] for c in courses.list_all(store) if c["code"] == code)


def new_class(store: Store, hours: tuple[float, ...] = (4, 4, 2), status: str = "running") -> str:
    """A class of EC101 (rule 80%) with a lesson every other day from 2030-03-04."""
    first = dt.date(2030, 3, 4)
    lessons = [
        Lesson(date=(first + dt.timedelta(days=2 * i)).isoformat(), start_time="09:00", hours=h,
               topic=f"第{i + 1}课")
        for i, h in enumerate(hours)
    ]
    return classes.create(store, TrainingClass(
        course_id=course_id(store, "EC101"), title="开设网店（测试班）", trainer="刘建华",
        place="村委会会议室", start_date="2030-03-04", end_date="2030-03-31", status=status,
        lessons=lessons,
    ))


def show_class(page: ClassesPage, class_id: str) -> None:
    page.refresh()
    page.select(class_id)
    assert page.detail.class_id() == class_id


# -- scheduling a class ---------------------------------------------------------------------


def test_create_class_with_generated_lessons(qtbot, store):
    form = ClassForm(store)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.course, "EC104")  # keyboard search in the course list
    assert form.course.currentData() == course_id(store, "EC104")
    assert form.title.text() == "快递物流与包装 (run 2)"  # the course title, numbered
    assert form.lessons.count.value() == 3  # 12 course hours / 4 h a lesson
    type_text(qtbot, form.trainer, "陈晓燕")
    type_text(qtbot, form.place, "王洛镇文化站")

    editor = form.lessons
    editor.first.setDate(QDate(2030, 4, 1))
    editor.every.selectAll()
    qtbot.keyClicks(editor.every, "3")
    editor.time.setTime(QTime(14, 30))
    qtbot.mouseClick(editor.generate_button, LEFT)
    assert editor.model.rowCount() == 3
    # the class's dates follow the generated lessons
    assert form.start_date.date() == QDate(2030, 4, 1)
    assert form.end_date.date() == QDate(2030, 4, 7)

    # type a topic into the first row, as a user does: F2, text, Enter
    editor.table.setFocus()
    editor.table.setCurrentIndex(editor.model.index(0, 3))
    qtbot.keyClick(editor.table, Qt.Key.Key_F2)
    topic_editor = editor.table.findChild(QLineEdit, "draft_topic")
    assert topic_editor is not None and topic_editor.isVisible()
    type_text(qtbot, topic_editor, "包装材料")
    qtbot.keyClick(topic_editor, Qt.Key.Key_Return)  # the view commits it on the next event
    qtbot.waitUntil(lambda: editor.model.index(0, 3).data() == "包装材料", timeout=2000)

    qtbot.mouseClick(editor.add_button, LEFT)  # one more, three days after the last
    assert editor.model.rowCount() == 4
    form.end_date.setDate(QDate(2030, 4, 10))

    qtbot.mouseClick(form.buttons.button(SAVE), LEFT)
    assert form.result() == form.DialogCode.Accepted, form.errors._labels["form"].text()
    saved = classes.get(store, form.saved_id)
    assert (saved.title, saved.trainer, saved.place, saved.status) == (
        "快递物流与包装 (run 2)", "陈晓燕", "王洛镇文化站", "planned"
    )
    assert (saved.start_date, saved.end_date) == ("2030-04-01", "2030-04-10")
    assert [(x.date, x.start_time, x.hours, x.topic) for x in saved.lessons] == [
        ("2030-04-01", "14:30", 4.0, "包装材料"),
        ("2030-04-04", "14:30", 4.0, ""),
        ("2030-04-07", "14:30", 4.0, ""),
        ("2030-04-10", "14:30", 4.0, ""),
    ]


def test_class_form_errors_beside_fields_and_nothing_saved(qtbot, store):
    before = classes.list_all(store)
    form = ClassForm(store)
    qtbot.addWidget(form)
    form.start_date.setDate(QDate(2030, 5, 1))
    form.end_date.setDate(QDate(2030, 5, 10))
    form.lessons.first.setDate(QDate(2030, 5, 1))
    qtbot.mouseClick(form.lessons.add_button, LEFT)
    form.lessons.model.setData(form.lessons.model.index(0, 0), QDate(2030, 6, 1))
    qtbot.mouseClick(form.buttons.button(SAVE), LEFT)
    assert form.result() != form.DialogCode.Accepted
    assert form.errors.message("course_id") == "Choose a course."
    assert form.errors.message("lessons").startswith("Lesson 1:")
    assert "lessons must fall within those dates" in form.errors.message("lessons")
    assert classes.list_all(store) == before


def test_new_class_from_the_page_is_selected_and_shown(qtbot, page, store, monkeypatch):
    def fill_and_save(form: ClassForm) -> int:
        qtbot.addWidget(form)
        form.course.setCurrentIndex(form.course.findData(course_id(store, "EC108")))
        form.start_date.setDate(QDate(2031, 1, 5))
        form.lessons.first.setDate(QDate(2031, 1, 5))
        form.lessons.count.setValue(2)
        qtbot.mouseClick(form.lessons.generate_button, LEFT)
        qtbot.mouseClick(form.buttons.button(SAVE), LEFT)
        return form.result()

    monkeypatch.setattr(ClassForm, "exec", fill_and_save)
    before = page.model.rowCount()
    with qtbot.waitSignal(page.changed):
        qtbot.mouseClick(page.new_button, LEFT)
    assert page.model.rowCount() == before + 1
    row = page.model.row(page.model.row_of(page.selected_id()))
    assert row["course_code"] == "EC108" and row["lessons"] == 2 and row["hours"] == 8
    assert page.detail.heading.text() == "电商财务与税务基础"
    assert page.detail.lessons.model.rowCount() == 2
    assert page.model.index(page.model.row_of(row["id"]), 7).data() == "2 · 8 h"


def test_edit_class_refuses_dates_that_leave_out_lessons(qtbot, store):
    class_id = new_class(store)
    form = ClassForm(store, class_id)
    qtbot.addWidget(form)
    assert form.lessons is None  # lessons are changed in the class's Lessons tab
    assert form.title.text() == "开设网店（测试班）"
    form.end_date.setDate(QDate(2030, 3, 5))
    qtbot.mouseClick(form.buttons.button(SAVE), LEFT)
    assert "its dates must include them" in form.errors.message("end_date")
    assert classes.get(store, class_id).end_date == "2030-03-31"
    form.end_date.setDate(QDate(2030, 3, 20))
    form.trainer.selectAll()
    type_text(qtbot, form.trainer, "孙丽娟")
    qtbot.mouseClick(form.buttons.button(SAVE), LEFT)
    saved = classes.get(store, class_id)
    assert (saved.end_date, saved.trainer, saved.status) == ("2030-03-20", "孙丽娟", "running")


# -- enrolling ------------------------------------------------------------------------------


def test_enroll_through_the_picker_by_pinyin_initials(qtbot, page, store, monkeypatch):
    wang = register_wang_xiaoming(store)
    class_id = new_class(store, status="planned")
    other = trainees.search(store)[5]
    show_class(page, class_id)
    page.detail.tabs.setCurrentWidget(page.detail.enrolled)
    pane = page.detail.enrolled

    def choose(picker: TraineePicker) -> int:
        qtbot.addWidget(picker)
        assert not picker.ok_button.isEnabled()  # nobody chosen yet
        qtbot.keyClicks(picker.search, "wxm")
        names = [picker.model.trainee(r)["name"] for r in range(picker.model.rowCount())]
        assert "王小明" in names
        picker.table.setCurrentIndex(picker.model.index(names.index("王小明"), 0))
        qtbot.keyClick(picker.search, Qt.Key.Key_Return)  # ticks, does not close the dialog
        assert picker.result() == 0  # Enter in the search box ticks; it does not confirm
        assert picker.chosen_ids() == [wang]
        # a second search keeps the first tick
        picker.search.clear()
        qtbot.keyClicks(picker.search, other["code"])
        assert picker.model.rowCount() == 1
        qtbot.keyClick(picker.search, Qt.Key.Key_Return)
        assert picker.chosen_ids() == [wang, other["id"]]
        assert "王小明" in picker.chosen_label.text() and "2 chosen" in picker.chosen_label.text()
        qtbot.mouseClick(picker.ok_button, LEFT)
        return picker.result()

    monkeypatch.setattr(TraineePicker, "exec", choose)
    with qtbot.waitSignal(page.changed):
        qtbot.mouseClick(pane.enroll_button, LEFT)

    assert {t["id"] for t in classes.enrolled(store, class_id)} == {wang, other["id"]}
    assert sorted(r["name"] for r in pane.model.rows()) == sorted(["王小明", other["name"]])
    assert pane.count.text() == "2 trainees enrolled"
    assert page.model.row(page.model.row_of(class_id))["enrolled"] == 2
    assert page.model.index(page.model.row_of(class_id), 6).data() == "2"


def test_unenroll_selected_trainees(qtbot, page, store, monkeypatch):
    class_id = new_class(store)
    people = trainees.search(store)[:3]
    classes.enroll(store, class_id, [t["id"] for t in people])
    show_class(page, class_id)
    pane = page.detail.enrolled
    row = pane.model.row_of(people[1]["id"])
    pane.table.selectRow(row)
    asked = []
    monkeypatch.setattr(
        QMessageBox, "question",
        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes,
    )
    qtbot.mouseClick(pane.unenroll_button, LEFT)
    assert people[1]["name"] in asked[0]
    assert {t["id"] for t in classes.enrolled(store, class_id)} == {
        people[0]["id"], people[2]["id"]
    }
    assert pane.model.rowCount() == 2


# -- lessons --------------------------------------------------------------------------------


def test_move_a_lesson(qtbot, page, store, monkeypatch):
    class_id = new_class(store)
    show_class(page, class_id)
    pane = page.detail.lessons
    pane.table.selectRow(1)
    lesson_id = pane.selected_id()

    def move(dialog: LessonDialog) -> int:
        qtbot.addWidget(dialog)
        assert dialog.windowTitle() == "Move lesson"
        assert dialog.date.date() == QDate(2030, 3, 6)
        dialog.date.setDate(QDate(2030, 3, 12))
        dialog.start_time.setTime(QTime(19, 0))
        qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
        return dialog.result()

    monkeypatch.setattr(LessonDialog, "exec", move)
    qtbot.mouseClick(pane.move_button, LEFT)
    moved = next(x for x in classes.lessons(store, class_id) if x["id"] == lesson_id)
    assert (moved["date"], moved["start_time"], moved["hours"]) == ("2030-03-12", "19:00", 4)
    # the table is in date order and keeps the moved lesson selected
    assert pane.selected_id() == lesson_id
    assert pane.model.row_of(lesson_id) == 2
    assert pane.model.index(2, 1).data() == "19:00"


def test_move_outside_the_class_dates_is_refused(qtbot, store):
    class_id = new_class(store)
    row = next(c for c in classes.list_all(store) if c["id"] == class_id)
    lesson = classes.lessons(store, class_id)[0]
    dialog = LessonDialog(store, row, lesson)
    qtbot.addWidget(dialog)
    dialog.date.setDate(QDate(2030, 4, 2))
    qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "lessons must fall within those dates" in dialog.errors.message("date")
    assert classes.lessons(store, class_id)[0]["date"] == "2030-03-04"


def test_add_a_lesson(qtbot, page, store, monkeypatch):
    class_id = new_class(store)
    show_class(page, class_id)
    pane = page.detail.lessons

    def add(dialog: LessonDialog) -> int:
        qtbot.addWidget(dialog)
        # suggested: a week after the last lesson, same time and hours
        assert dialog.date.date() == QDate(2030, 3, 15)
        assert dialog.hours.value() == 2
        dialog.hours.selectAll()
        qtbot.keyClicks(dialog.hours, "3")
        type_text(qtbot, dialog.topic, "实操考核")
        qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
        return dialog.result()

    monkeypatch.setattr(LessonDialog, "exec", add)
    qtbot.mouseClick(pane.add_button, LEFT)
    added = classes.lessons(store, class_id)[-1]
    assert (added["date"], added["hours"], added["topic"]) == ("2030-03-15", 3, "实操考核")
    assert pane.model.rowCount() == 4
    assert "4 lessons, 13 h scheduled" in pane.summary.text()
    assert page.model.row(page.model.row_of(class_id))["hours"] == 13


def test_cancel_and_restore_a_lesson(qtbot, page, store, monkeypatch):
    class_id = new_class(store)
    show_class(page, class_id)
    pane = page.detail.lessons
    pane.table.selectRow(0)
    lesson_id = pane.selected_id()
    assert pane.cancel_button.text() == "&Cancel lesson"
    qtbot.mouseClick(pane.cancel_button, LEFT)  # no attendance taken: no question asked
    assert classes.lessons(store, class_id)[0]["cancelled"] == 1
    assert pane.selected_id() == lesson_id
    assert pane.model.index(0, 4).data() == "Cancelled"
    assert pane.cancel_button.text() == "&Restore lesson"
    assert "2 lessons, 6 h scheduled · 1 cancelled" in pane.summary.text()
    qtbot.mouseClick(pane.cancel_button, LEFT)
    assert classes.lessons(store, class_id)[0]["cancelled"] == 0
    assert pane.cancel_button.text() == "&Cancel lesson"


def test_cancelling_a_lesson_with_attendance_asks_first(qtbot, page, store, monkeypatch):
    class_id = new_class(store)
    person = trainees.search(store)[0]
    classes.enroll(store, class_id, [person["id"]])
    first = classes.lessons(store, class_id)[0]
    attendance.mark(store, first["id"], person["id"], "present")
    show_class(page, class_id)
    pane = page.detail.lessons
    pane.table.selectRow(0)
    assert pane.model.index(0, 5).data() == "1 of 1"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    qtbot.mouseClick(pane.cancel_button, LEFT)
    assert classes.lessons(store, class_id)[0]["cancelled"] == 0


# -- completion and status ------------------------------------------------------------------


def completion_cells(page: ClassesPage, trainee_id: str) -> list[str]:
    model = page.detail.completion.model
    row = model.row_of(trainee_id)
    return [model.index(row, c).data() for c in range(2, model.columnCount())]


def test_completion_view_after_marking_attendance(qtbot, page, store):
    class_id = new_class(store, hours=(4, 4, 2))  # 10 h scheduled; EC101 needs 80%: 8 h
    a, b, c = (t["id"] for t in trainees.search(store)[:3])
    classes.enroll(store, class_id, [a, b, c])
    lessons = classes.lessons(store, class_id)
    for lesson, status in zip(lessons, ("present", "late", "absent"), strict=True):
        attendance.mark(store, lesson["id"], a, status)
    attendance.mark(store, lessons[0]["id"], b, "present")
    attendance.mark(store, lessons[1]["id"], b, "excused")  # excused does not count
    # c: nothing marked yet: later lessons still count as scheduled hours

    show_class(page, class_id)
    pane = page.detail.completion
    assert "Present and late count; excused and absent do not" in pane.rule.text()
    assert "including lessons still to come" in pane.rule.text()
    assert "80%" in pane.rule.text()
    assert completion_cells(page, a) == ["8 h", "10 h", "80%", "8 h", "Yes"]
    # while lessons have no mark yet, say who can still complete and who cannot any more
    assert completion_cells(page, b) == ["4 h", "10 h", "40%", "8 h", "Cannot complete any more"]
    assert completion_cells(page, c) == ["0 h", "10 h", "0%", "8 h", "Can still complete"]
    assert pane.summary.text().startswith(
        "Lessons without attendance remain: 1 of 3 trainees completed so far, 1 can still "
        "complete")
    # every lesson marked: a plain yes or no
    for lesson in lessons:
        attendance.mark(store, lesson["id"], c, "absent")
    attendance.mark(store, lessons[2]["id"], b, "present")
    show_class(page, class_id)
    assert completion_cells(page, c)[-1] == "No" and completion_cells(page, b)[-1] == "No"
    assert pane.summary.text().startswith("1 of 3 trainees completed")



def test_completion_follows_a_cancelled_lesson(qtbot, page, store, monkeypatch):
    class_id = new_class(store, hours=(4, 4, 2))
    a, b = (t["id"] for t in trainees.search(store)[:2])
    classes.enroll(store, class_id, [a, b])
    lessons = classes.lessons(store, class_id)
    attendance.mark(store, lessons[0]["id"], a, "present")
    attendance.mark(store, lessons[1]["id"], a, "late")
    attendance.mark(store, lessons[2]["id"], a, "absent")
    attendance.mark(store, lessons[0]["id"], b, "present")
    show_class(page, class_id)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    lessons_pane = page.detail.lessons
    lessons_pane.table.selectRow(lessons_pane.model.row_of(lessons[2]["id"]))
    with qtbot.waitSignal(page.changed):
        qtbot.mouseClick(lessons_pane.cancel_button, LEFT)
    assert completion_cells(page, a) == ["8 h", "8 h", "100%", "6.4 h", "Yes"]
    assert completion_cells(page, b) == ["4 h", "8 h", "50%", "6.4 h", "Can still complete"]


def test_status_change_by_keyboard_and_cancel_asks(qtbot, page, store, monkeypatch):
    class_id = new_class(store, status="planned")
    show_class(page, class_id)
    combo = page.detail.status
    assert combo.currentData() == "planned"
    with qtbot.waitSignal(page.changed):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert classes.get(store, class_id).status == "running"
    assert page.model.index(page.model.row_of(class_id), 5).data() == "Running"

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    combo.setCurrentIndex(combo.findData("cancelled"))
    combo.activated.emit(combo.currentIndex())
    assert classes.get(store, class_id).status == "running"
    assert combo.currentData() == "running"

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    combo.setCurrentIndex(combo.findData("cancelled"))
    combo.activated.emit(combo.currentIndex())
    assert classes.get(store, class_id).status == "cancelled"
    assert not page.detail.enrolled.enroll_button.isEnabled()


def test_filter_by_status(qtbot, page, store):
    statuses = {c["status"] for c in classes.list_all(store)}
    assert {"finished", "running", "planned"} <= statuses
    page.filter.setCurrentIndex(page.filter.findData("finished"))
    shown = [page.model.row(r)["status"] for r in range(page.model.rowCount())]
    assert shown and set(shown) == {"finished"}
    assert page.detail.class_row()["status"] == "finished"
    page.filter.setCurrentIndex(0)
    assert page.model.rowCount() == len(classes.list_all(store))


def test_page_starts_on_a_running_class_with_every_tab_filled(qtbot, page, store):
    assert page.model.rowCount() == len(classes.list_all(store))
    c = page.detail.class_row()
    assert c is not None and c["status"] == "running"
    assert page.detail.lessons.model.rowCount() == c["lessons"]
    assert page.detail.enrolled.model.rowCount() == c["enrolled"]
    assert page.detail.completion.model.rowCount() == c["enrolled"]


class FakeChinese(gettext.NullTranslations):
    """A stand-in catalog (the real zh_CN one is written separately)."""

    WORDS = {
        "&New class…": "新建培训班(&N)…", "Less&ons": "课次(&O)", "Completed": "结业",
        "Running": "进行中", "Planned": "计划中", "Class": "培训班",
        "&Add lesson…": "添加课次(&A)…",
        "{n} trainee enrolled": "已报名 {n} 人", "{n} trainees enrolled": "已报名 {n} 人",
    }

    def gettext(self, message: str) -> str:
        return self.WORDS.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.WORDS.get(singular if n == 1 else plural, singular if n == 1 else plural)


def test_language_switch_retranslates_live(qtbot, page, store, monkeypatch):
    class_id = new_class(store)
    classes.enroll(store, class_id, [t["id"] for t in trainees.search(store)[:2]])
    show_class(page, class_id)
    monkeypatch.setattr(i18n, "_translations", FakeChinese())
    QApplication.sendEvent(page, QEvent(QEvent.Type.LanguageChange))
    assert page.new_button.text() == "新建培训班(&N)…"
    assert page.detail.tabs.tabText(0) == "课次(&O)"
    assert page.detail.lessons.add_button.text() == "添加课次(&A)…"
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "培训班"
    assert page.detail.completion.model.headerData(6, Qt.Orientation.Horizontal) == "结业"
    assert page.detail.status.currentText() == "进行中"  # rebuilt, still the class's status
    assert page.detail.enrolled.count.text() == "已报名 2 人"
    assert page.detail.class_id() == class_id and page.selected_id() == class_id


def test_sorting_the_class_list_keeps_the_chosen_class(qtbot, page):
    chosen = page.detail.class_id()
    page.table.sortByColumn(6, Qt.SortOrder.AscendingOrder)  # enrolled
    counts = [page.model.row(r)["enrolled"] for r in range(page.model.rowCount())]
    assert counts == sorted(counts)
    assert page.selected_id() == chosen and page.detail.class_id() == chosen
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # title, by pinyin
    assert page.selected_id() == chosen


# -- the helpers behind these screens (no Qt) -------------------------------------------------


def test_plan_lessons_and_date_check():
    from trainer_app.services import class_views

    plan = class_views.plan_lessons(dt.date(2030, 1, 30), 3, 2, "8:30", 3.5, ["a"])
    assert [(x.date, x.start_time, x.hours, x.topic) for x in plan] == [
        ("2030-01-30", "8:30", 3.5, "a"), ("2030-02-01", "8:30", 3.5, ""),
        ("2030-02-03", "8:30", 3.5, ""),
    ]
    dates = [x.date for x in plan]
    assert validation.lesson_date_errors("2030-01-30", "2030-02-02", dates) == [2]
    assert validation.lesson_date_errors("2030-01-31", "2030-02-03", dates) == [0]
    assert validation.lesson_date_errors("not a date", "2030-02-03", dates) == []


def test_lesson_mark_counts_only_count_enrolled_trainees(store):
    from trainer_app.services import class_views

    class_id = new_class(store)
    a, b = (t["id"] for t in trainees.search(store)[:2])
    classes.enroll(store, class_id, [a, b])
    first, second, _third = classes.lessons(store, class_id)
    attendance.mark(store, first["id"], a, "present")
    attendance.mark(store, first["id"], b, "absent")
    attendance.mark(store, second["id"], b, "late")
    assert class_views.lesson_mark_counts(store, class_id) == {first["id"]: 2, second["id"]: 1}
    classes.unenroll(store, class_id, [b])
    assert class_views.lesson_mark_counts(store, class_id) == {first["id"]: 1}


def test_a_new_class_of_a_course_already_run_is_numbered(qtbot, store):
    from trainer_app.ui.classes.form import ClassForm

    course = courses.list_all(store)[0]
    held = sum(1 for c in classes.list_all(store) if c["course_id"] == course["id"])
    assert held >= 1
    form = ClassForm(store)
    qtbot.addWidget(form)
    form.course.setCurrentIndex(form.course.findData(course["id"]))
    assert form.title.text() == f"{course['title']} (run {held + 1})"
    i18n.set_language("zh_CN")
    try:
        title = classes.numbered_title(store, course["id"], "开设网店")
        assert title == f"开设网店（第{held + 1}期）"
    finally:
        i18n.set_language("en")


def test_a_running_class_offers_no_certificates_yet(qtbot, page, store):
    running = next(c for c in classes.list_all(store) if c["status"] == "running")
    show_class(page, running["id"])
    button = page.detail.certificates_button
    assert not button.isEnabled() and "once the class has finished" in button.toolTip()
    finished = next(c for c in classes.list_all(store) if c["status"] == "finished")
    show_class(page, finished["id"])
    assert button.isEnabled()
