"""The Attendance section driven through its real widgets: keys, buttons and a scanner's input."""

from __future__ import annotations

import datetime as dt
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from trainer_app import i18n
from trainer_app.domain import idcard
from trainer_app.domain.models import Lesson, Trainee, TrainingClass
from trainer_app.domain.search import pinyin_forms
from trainer_app.services import attendance, classes, courses, demo, trainees
from trainer_app.store import Store
from trainer_app.ui.attendance.banner import Tone
from trainer_app.ui.attendance.page import AttendancePage

TODAY = dt.date.today()


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path))
    i18n.set_language("en")
    s = Store(tmp_path / "station.db", create=True)
    demo.fill(s, trainees=40, seed=5)
    yield s
    s.close()


@pytest.fixture
def setup(store):
    """Our own class with a lesson today at 07:00 (before any demo lesson) and 12 enrolled:
    10 demo trainees and 欧阳娜娜, whose pinyin initials no demo name shares."""
    course_id = courses.list_all(store)[0]["id"]
    class_id = classes.create(
        store,
        TrainingClass(
            course_id=course_id, title="测试班", trainer="刘老师", place="服务站",
            start_date=(TODAY - dt.timedelta(days=2)).isoformat(),
            end_date=(TODAY + dt.timedelta(days=2)).isoformat(), status="running",
            lessons=[
                Lesson(date=(TODAY - dt.timedelta(days=2)).isoformat(), start_time="07:00",
                       hours=3, topic="开店准备"),
                Lesson(date=TODAY.isoformat(), start_time="07:00", hours=3, topic="拍摄实操"),
            ],
        ),
    )
    today_lesson = next(
        lesson["id"] for lesson in classes.lessons(store, class_id)
        if lesson["date"] == TODAY.isoformat()
    )
    ouyang = trainees.register(
        store,
        Trainee(name="欧阳娜娜", id_number=idcard.make("411025", dt.date(1988, 5, 4), 7, "F"),
                village="王坪村"),
    )
    everyone = trainees.search(store)
    enrolled = [t["id"] for t in everyone if t["id"] != ouyang][:10] + [ouyang]
    classes.enroll(store, class_id, enrolled)
    outsider = next(t for t in everyone if t["id"] not in enrolled)
    return {"class_id": class_id, "lesson_id": today_lesson, "enrolled": enrolled,
            "ouyang": ouyang, "outsider": outsider}


@pytest.fixture
def page(qtbot, store, setup):
    p = AttendancePage(store)
    p.clock = lambda: dt.datetime.combine(TODAY, dt.time(7, 5))  # 5 minutes after the start
    qtbot.addWidget(p)
    p.resize(1000, 600)
    p.show()
    qtbot.waitExposed(p)
    return p


@pytest.fixture
def beeps(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: calls.append(1)))
    return calls


def marks(store, lesson_id) -> dict[str, tuple[str | None, str | None]]:
    return {r["trainee_id"]: (r["status"], r["method"]) for r in attendance.sheet(store, lesson_id)}


def scan(qtbot, page, text: str) -> None:
    """Type like a scanner (or an operator) into the box, then Enter."""
    if text.isascii():
        qtbot.keyClicks(page.search, text)
    else:  # QTest cannot type Chinese characters; an input method would insert them
        page.search.insert(text)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)


def test_todays_lesson_is_preselected_with_one_row_per_enrolled(qtbot, page, store, setup):
    assert page.lesson_id() == setup["lesson_id"]
    assert attendance.default_lesson(store)["id"] == setup["lesson_id"]
    assert "拍摄实操" in page.lesson_combo.currentText()
    assert page.lesson_combo.count() == len(attendance.lessons(store))
    assert page.model.rowCount() == len(setup["enrolled"]) == 11
    statuses = {page.model.index(r, 3).data() for r in range(page.model.rowCount())}
    assert statuses == {"Not marked"}
    assert "11 not marked" in page.counts.text()
    qtbot.waitUntil(lambda: page.focusWidget() is page.search)


def test_scanning_an_enrolled_code_marks_present_with_confirmation(qtbot, page, store, setup,
                                                                   beeps):
    who = trainees.get(store, setup["enrolled"][3])
    with qtbot.waitSignal(page.changed):
        scan(qtbot, page, who.code)
    assert marks(store, setup["lesson_id"])[who.id] == ("present", "scan")
    assert who.name in page.banner.text() and who.code in page.banner.text()
    assert page.banner.tone is Tone.OK
    assert beeps == [1]
    assert page.search.text() == "" and page.focusWidget() is page.search
    row = page.model.row_of(who.id)
    assert page.model.index(row, 3).data() == "Present"
    assert page.model.index(row, 4).data() == "Scan"
    assert page.model.is_flashed(who.id)
    assert "1 present" in page.counts.text()

    # the same card again: a neutral message, nothing changes
    before = marks(store, setup["lesson_id"])
    scan(qtbot, page, who.code.lower())
    assert page.banner.tone is Tone.INFO and "already" in page.banner.text()
    assert marks(store, setup["lesson_id"]) == before


def test_unknown_code_shows_an_error_and_changes_nothing(qtbot, page, store, setup, beeps):
    before = marks(store, setup["lesson_id"])
    scan(qtbot, page, "T999999")
    assert page.banner.tone is Tone.ERROR
    assert "Unknown code" in page.banner.text() and "T999999" in page.banner.text()
    assert beeps  # audible as well
    assert marks(store, setup["lesson_id"]) == before
    assert page.search.text() == "" and page.model.rowCount() == 11


def test_a_truncated_code_never_marks_the_only_match(qtbot, page, store, setup, beeps):
    """A misread card ("T00001" of "T000012") must not mark whoever the search finds."""
    who = trainees.get(store, setup["enrolled"][0])
    partial = who.code[:-1]
    page.search.setText(partial)
    assert page.model.rowCount() >= 1
    before = marks(store, setup["lesson_id"])
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.banner.tone is Tone.ERROR and "Unknown code" in page.banner.text()
    assert marks(store, setup["lesson_id"]) == before


def test_a_name_nobody_enrolled_has_is_an_error(qtbot, page, store, setup, beeps):
    before = marks(store, setup["lesson_id"])
    scan(qtbot, page, "zzzq")
    assert page.banner.tone is Tone.ERROR and "zzzq" in page.banner.text()
    assert marks(store, setup["lesson_id"]) == before and len(beeps) >= 1


def test_walk_in_is_enrolled_and_marked_when_accepted(qtbot, page, store, setup, monkeypatch):
    outsider = setup["outsider"]
    asked: list[dict] = []
    monkeypatch.setattr(page, "confirm_walk_in", lambda t: asked.append(t) or True)
    scan(qtbot, page, outsider["code"])
    assert [t["id"] for t in asked] == [outsider["id"]]
    assert outsider["id"] in {t["id"] for t in classes.enrolled(store, setup["class_id"])}
    assert marks(store, setup["lesson_id"])[outsider["id"]] == ("present", "scan")
    assert page.model.rowCount() == 12
    assert "walk-in" in page.banner.text() and outsider["name"] in page.banner.text()


def test_walk_in_declined_changes_nothing(qtbot, page, store, setup, monkeypatch):
    outsider = setup["outsider"]
    monkeypatch.setattr(page, "confirm_walk_in", lambda t: False)
    scan(qtbot, page, outsider["code"])
    assert outsider["id"] not in {t["id"] for t in classes.enrolled(store, setup["class_id"])}
    assert outsider["id"] not in marks(store, setup["lesson_id"])
    assert page.banner.tone is Tone.INFO


def test_walk_in_question_uses_a_message_box(qtbot, page, setup, monkeypatch):
    seen: list[str] = []

    def question(parent, title, text, *args):
        seen.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    assert page.confirm_walk_in(setup["outsider"]) is False
    assert setup["outsider"]["code"] in seen[0]


def test_keys_mark_the_selected_row_and_move_on(qtbot, page, store, setup):
    first, second = page.model.trainee_id(0), page.model.trainee_id(1)
    page.table.setFocus()
    page.select_row(0)
    qtbot.keyClick(page.table, Qt.Key.Key_L)
    assert marks(store, setup["lesson_id"])[first] == ("late", "manual")
    assert page.table.selectionModel().selectedRows()[0].row() == 1
    qtbot.keyClick(page.table, Qt.Key.Key_4)
    assert marks(store, setup["lesson_id"])[second][0] == "absent"
    # Space cycles the selected row without moving
    page.select_row(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Space)
    assert marks(store, setup["lesson_id"])[first][0] == "excused"
    qtbot.keyClick(page.table, Qt.Key.Key_Space)
    assert marks(store, setup["lesson_id"])[first][0] == "absent"
    assert page.table.selectionModel().selectedRows()[0].row() == 0
    assert page.model.index(0, 3).data() == "Absent"
    # Escape goes back to the scan box; typing on the sheet continues there too
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)
    assert page.focusWidget() is page.search
    page.table.setFocus()
    qtbot.keyClick(page.table, "T")  # a scanner's code starts with T: it lands in the box
    assert page.search.text() == "T" and page.focusWidget() is page.search


def test_buttons_mark_several_selected_rows(qtbot, page, store, setup):
    page.table.selectRow(2)
    page.table.selectionModel().select(
        page.model.index(4, 0),
        page.table.selectionModel().SelectionFlag.Select
        | page.table.selectionModel().SelectionFlag.Rows,
    )
    chosen = {page.model.trainee_id(2), page.model.trainee_id(4)}
    qtbot.mouseClick(page.status_buttons["excused"], Qt.MouseButton.LeftButton)
    now = marks(store, setup["lesson_id"])
    assert {t for t, (s, _m) in now.items() if s == "excused"} == chosen


def answer(qtbot, button: QMessageBox.StandardButton, asked: list[str]) -> None:
    """Answer the next message box with ``button`` once it is open (a real box, clicked)."""
    def click() -> None:
        box = QApplication.activeModalWidget()
        asked.append(box.text())
        qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)

    QTimer.singleShot(50, click)


def test_all_present_keeps_the_exceptions_asks_first_and_can_be_undone(qtbot, page, store,
                                                                       setup):
    page.select_row(0)
    exception = page.model.trainee_id(0)
    qtbot.keyClick(page.table, Qt.Key.Key_A)
    assert "except" in page.all_present_button.toolTip()
    asked: list[str] = []
    answer(qtbot, QMessageBox.StandardButton.No, asked)  # asked first: No changes nothing
    qtbot.mouseClick(page.all_present_button, Qt.MouseButton.LeftButton)
    assert asked == ["Mark the 10 trainees without a mark present?"]
    assert [t for t, (status, _m) in marks(store, setup["lesson_id"]).items() if status] == [
        exception]
    answer(qtbot, QMessageBox.StandardButton.Yes, asked)
    with qtbot.waitSignal(page.changed):
        qtbot.mouseClick(page.all_present_button, Qt.MouseButton.LeftButton)
    now = marks(store, setup["lesson_id"])
    assert now[exception][0] == "absent"
    assert all(s == "present" for t, (s, _m) in now.items() if t != exception)
    assert "10 present" in page.counts.text() and "1 absent" in page.counts.text()
    assert "0 not marked" in page.counts.text()
    assert "10 trainees marked present" in page.banner.text()
    # undone: the ten are unmarked again, the exception keeps its mark
    assert page.undo_button.isVisible()
    with qtbot.waitSignal(page.changed):
        qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    assert {t: m[0] for t, m in marks(store, setup["lesson_id"]).items() if m[0]} == {
        exception: "absent"}
    assert "10 not marked" in page.counts.text() and not page.undo_button.isVisible()


def test_delete_sets_a_mark_back_to_not_marked(qtbot, page, store, setup):
    first = page.model.trainee_id(0)
    page.table.setFocus()
    page.select_row(0)
    qtbot.keyClick(page.table, Qt.Key.Key_E)
    assert marks(store, setup["lesson_id"])[first][0] == "excused"
    page.select_row(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert marks(store, setup["lesson_id"])[first] == (None, None)
    assert page.model.index(0, 3).data() != "Excused"


def test_a_scan_long_after_the_start_is_late(qtbot, page, store, setup):
    who = trainees.get(store, setup["enrolled"][2])
    page.clock = lambda: dt.datetime.combine(TODAY, dt.time(11, 30))  # 4.5 h after 07:00
    with qtbot.waitSignal(page.changed):
        scan(qtbot, page, who.code)
    assert marks(store, setup["lesson_id"])[who.id] == ("late", "scan")
    assert "late" in page.banner.text()
    # the threshold is the station's setting: 240 minutes makes the same scan present
    attendance.set_late_after(store, 240)
    other = trainees.get(store, setup["enrolled"][3])
    page.clock = lambda: dt.datetime.combine(TODAY, dt.time(10, 59))
    scan(qtbot, page, other.code)
    assert marks(store, setup["lesson_id"])[other.id] == ("present", "scan")


def test_escape_empties_the_scan_box_and_manual_marks_clear_the_scan_message(qtbot, page,
                                                                             store, setup):
    scan(qtbot, page, "T999999")  # unknown: a red banner
    assert page.banner.tone is Tone.ERROR
    page.table.setFocus()
    page.select_row(0)
    qtbot.keyClick(page.table, Qt.Key.Key_P)  # a mark by hand: the old message goes
    assert page.banner.tone is Tone.IDLE
    page.search.setFocus()
    qtbot.keyClicks(page.search, "wang")
    qtbot.keyClick(page.search, Qt.Key.Key_Escape)
    assert page.search.text() == ""


def test_search_by_pinyin_initials_narrows_the_sheet(qtbot, page, store, setup):
    target = trainees.get(store, setup["enrolled"][0])
    initials = pinyin_forms(target.name)[1]
    qtbot.keyClicks(page.search, initials)
    shown = {page.model.trainee_id(r) for r in range(page.model.rowCount())}
    assert target.id in shown and len(shown) < 11
    expected = {t["id"] for t in trainees.search(store, initials)} & set(setup["enrolled"])
    assert shown == expected
    assert "showing" in page.counts.text()
    page.search.clear()
    assert page.model.rowCount() == 11


def test_enter_on_a_search_with_one_match_marks_that_trainee(qtbot, page, store, setup):
    scan(qtbot, page, "oyn")
    assert marks(store, setup["lesson_id"])[setup["ouyang"]] == ("present", "manual")
    assert "欧阳娜娜" in page.banner.text() and page.banner.tone is Tone.OK
    assert page.search.text() == "" and page.model.rowCount() == 11


def test_enter_on_a_search_with_several_matches_moves_into_the_sheet(qtbot, page, store, setup):
    before = marks(store, setup["lesson_id"])
    scan(qtbot, page, "村")  # every village
    assert page.model.rowCount() == 11
    assert page.banner.tone is Tone.INFO
    assert page.focusWidget() is page.table
    assert marks(store, setup["lesson_id"]) == before
    qtbot.keyClick(page.table, Qt.Key.Key_P)
    assert marks(store, setup["lesson_id"])[page.model.trainee_id(0)][0] == "present"


def test_another_lesson_and_refresh_keep_the_choice(qtbot, page, store, setup):
    other = next(lesson for lesson in attendance.lessons(store)
                 if lesson["id"] != setup["lesson_id"] and lesson["date"] < TODAY.isoformat())
    page.select_lesson(other["id"])
    assert page.model.rowCount() == len(attendance.sheet(store, other["id"]))
    page.refresh()
    assert page.lesson_id() == other["id"]


def test_language_switch_re_reads_the_strings(qtbot, page, store, setup, monkeypatch):
    monkeypatch.setattr(page, "confirm_walk_in", lambda t: True)
    scan(qtbot, page, setup["outsider"]["code"])
    before = page.banner.text()
    monkeypatch.setattr(i18n, "_translations", _Marked())
    QCoreApplication.sendEvent(page, QEvent(QEvent.Type.LanguageChange))  # as language.apply
    after = page.banner.text()
    assert after != before and "»" in after and setup["outsider"]["name"] in after
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "»Code"
    assert page.model.index(0, 3).data().startswith("»")
    assert page.counts.text().startswith("»")
    assert page.all_present_button.text().startswith("»")
    assert "»" in page.lesson_combo.currentText()  # "Today, …" is re-read too


class _Marked:
    """A stand-in catalog that marks every message, to see what is re-read."""

    def gettext(self, message: str) -> str:
        return "»" + message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return "»" + (singular if n == 1 else plural)


def test_the_scan_highlight_fades(qtbot, page, store, setup, monkeypatch):
    from trainer_app.ui.attendance import model

    monkeypatch.setattr(model, "FLASH_MS", 20)
    who = trainees.get(store, setup["enrolled"][1])
    scan(qtbot, page, who.code)
    assert page.model.is_flashed(who.id)
    qtbot.waitUntil(lambda: not page.model.is_flashed(who.id), timeout=2000)


def test_an_empty_station_shows_an_empty_sheet_and_nothing_to_press(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path))
    i18n.set_language("en")
    empty = Store(tmp_path / "empty.db", create=True)
    try:
        page = AttendancePage(empty)
        qtbot.addWidget(page)
        assert page.lesson_id() == "" and not page.lesson_combo.isEnabled()
        assert page.model.rowCount() == 0
        assert not page.all_present_button.isEnabled()
        assert not any(b.isEnabled() for b in page.status_buttons.values())
        scan(qtbot, page, "T000001")
        assert page.banner.tone is Tone.ERROR
    finally:
        empty.close()


def test_recorded_times_use_the_tables_date_format(qtbot, page, store, setup):
    from trainer_app.ui.attendance.model import when_label

    who = trainees.get(store, setup["enrolled"][1])
    scan(qtbot, page, who.code)
    row = page.model.row(page.model.row_of(who.id))
    shown = when_label(row["recorded_at"])
    assert shown.startswith(i18n.format_date(dt.date.today())) and shown[-3] == ":"
