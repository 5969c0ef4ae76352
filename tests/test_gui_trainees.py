"""The Trainees section driven through its real widgets."""

from __future__ import annotations

import datetime as dt
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QPoint, Qt

from trainer_app import i18n
from trainer_app.domain import idcard
from trainer_app.domain.models import Trainee
from trainer_app.services import demo, trainees
from trainer_app.services.errors import ValidationError
from trainer_app.store import Store, records
from trainer_app.ui.trainees.form import TraineeForm
from trainer_app.ui.trainees.page import TraineesPage

from .qt_input import type_text

ID_NUMBER = idcard.make("411025", dt.date(1990, 3, 7), 12, "M")


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path))
    i18n.set_language("en")
    s = Store(tmp_path / "station.db", create=True)
    demo.fill(s, trainees=50, seed=2)
    yield s
    s.close()


def fill_form(qtbot, form: TraineeForm, name: str, id_number: str, phone: str = "") -> None:
    type_text(qtbot, form.name, name)
    type_text(qtbot, form.id_number, id_number)
    if phone:
        type_text(qtbot, form.phone, phone)
    type_text(qtbot, form.village, "王坪村")
    type_text(qtbot, form.village_group, "三组")


def test_register_through_form_then_find_by_initials(qtbot, store):
    page = TraineesPage(store)
    qtbot.addWidget(page)
    form = TraineeForm(store, parent=page)
    qtbot.addWidget(form)
    fill_form(qtbot, form, "王小明", ID_NUMBER, "13812345678")
    # birth date and gender are read from the ID number as it is typed
    assert form.birth_date.date().toString("yyyy-MM-dd") == "1990-03-07"
    assert form.gender.currentData() == "M"
    qtbot.mouseClick(form.buttons.button(form.buttons.StandardButton.Save), Qt.LeftButton)
    assert form.result() == form.DialogCode.Accepted
    saved = trainees.get(store, form.saved_id)
    assert (saved.name, saved.id_number, saved.phone) == ("王小明", ID_NUMBER, "13812345678")

    page.model.refresh()
    qtbot.keyClicks(page.search, "wxm")
    names = [page.model.row(r)["name"] for r in range(page.model.rowCount())]
    assert "王小明" in names
    page.search.clear()
    qtbot.keyClicks(page.search, "wangxiaoming")
    assert [page.model.row(r)["name"] for r in range(page.model.rowCount())] == ["王小明"]
    # masked in the list until revealed
    row = 0
    id_cell = page.model.index(row, 4).data()
    assert id_cell == idcard.mask(ID_NUMBER) and ID_NUMBER not in id_cell
    # and the birth date, which is what the mask hides
    assert page.model.index(row, 3).data() == "****-**-**"
    page.table.selectRow(row)
    qtbot.mouseClick(page.reveal_button, Qt.LeftButton)
    assert page.model.index(row, 4).data() == ID_NUMBER
    assert page.model.index(row, 5).data() == "13812345678"
    assert page.model.index(row, 3).data() == i18n.format_date(saved.birth_date)
    qtbot.mouseClick(page.reveal_button, Qt.LeftButton)  # hidden again
    assert page.model.index(row, 3).data() == "****-**-**"


def test_invalid_form_shows_errors_beside_fields_and_saves_nothing(qtbot, store):
    before = trainees.search(store)
    form = TraineeForm(store)
    qtbot.addWidget(form)
    qtbot.keyClicks(form.id_number, ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"))
    qtbot.keyClicks(form.phone, "12345")
    qtbot.mouseClick(form.buttons.button(form.buttons.StandardButton.Save), Qt.LeftButton)
    assert form.result() != form.DialogCode.Accepted
    assert "name" in form.errors.message("name").lower()
    assert "check character" in form.errors.message("id_number")
    assert "11 digits" in form.errors.message("phone")
    assert form.errors.message("village")
    assert trainees.search(store) == before


def test_duplicate_id_number_is_refused_with_holder_named(qtbot, store):
    existing = trainees.search(store)[0]
    form = TraineeForm(store)
    qtbot.addWidget(form)
    fill_form(qtbot, form, "李四", existing["id_number"])
    qtbot.mouseClick(form.buttons.button(form.buttons.StandardButton.Save), Qt.LeftButton)
    assert existing["name"] in form.errors.message("id_number")
    assert len(trainees.search(store, existing["id_number"])) == 1


def test_edit_and_remove(qtbot, store, monkeypatch):
    trainee_id = trainees.register(
        store, Trainee(name="赵六", id_number=ID_NUMBER, village="张庄村")
    )
    page = TraineesPage(store)
    qtbot.addWidget(page)
    page.model.refresh()
    qtbot.keyClicks(page.search, "zhaoliu")
    assert page.model.rowCount() == 1
    page.table.selectRow(0)
    form = TraineeForm(store, trainee_id, parent=page)
    qtbot.addWidget(form)
    assert form.name.text() == "赵六"
    form.village_group.setText("五组")
    form.save()
    assert trainees.get(store, trainee_id).village_group == "五组"

    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(page.delete_button, Qt.LeftButton)
    assert page.model.rowCount() == 0
    assert trainees.search(store, "zhaoliu") == []


def test_sorting_by_column_uses_the_whole_list(qtbot, store):
    page = TraineesPage(store)
    qtbot.addWidget(page)
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    codes = [page.model.row(r)["code"] for r in range(page.model.rowCount())]
    assert codes == sorted(codes, reverse=True) and len(codes) == 50


def test_a_header_click_sorts_once_the_list_has_been_painted(qtbot, store):
    page = TraineesPage(store)
    qtbot.addWidget(page)
    page.show()
    header = page.table.horizontalHeader()
    qtbot.waitUntil(page.table.isSortingEnabled, timeout=3_000)  # after the first paint
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        1, Qt.SortOrder.AscendingOrder)  # the list's own order, by name
    names = [page.model.row(r)["name"] for r in range(3)]
    code_x = header.sectionViewportPosition(0) + 5
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(code_x, 5))
    assert header.sortIndicatorSection() == 0
    codes = [page.model.row(r)["code"] for r in range(page.model.rowCount())]
    assert codes == sorted(codes) and len(codes) == 50
    assert [page.model.row(r)["name"] for r in range(3)] != names
    assert header.model().headerData(0, Qt.Orientation.Horizontal) == i18n._("Code")


def test_form_tells_when_the_county_merged_the_person(qtbot, store):
    trainee_id = trainees.register(
        store, Trainee(name="钱多多", id_number=ID_NUMBER, village="张庄村")
    )
    form = TraineeForm(store, trainee_id)
    qtbot.addWidget(form)
    assert form.merge_note.isHidden()
    with store.transaction():
        records.insert(store, "person_merge", {
            "merged_id": "01a00000-0000-7000-8000-000000000001", "into_id": trainee_id,
            "merged_at": "2026-11-20T08:00:00+00:00"})
    form = TraineeForm(store, trainee_id)
    qtbot.addWidget(form)
    assert not form.merge_note.isHidden()
    assert "merged that record into this one" in form.merge_note.text()


def leave(field) -> None:
    """The operator tabs out of ``field``: the focus-out event Qt sends it then (offscreen, a
    test's window is not always the active one, so Tab alone may move no focus)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QFocusEvent
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(field, QFocusEvent(QEvent.Type.FocusIn, Qt.FocusReason.TabFocusReason))
    QApplication.sendEvent(field, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason))


def test_a_field_is_checked_when_left_and_its_error_goes_when_it_is_right(qtbot, store):
    form = TraineeForm(store)
    qtbot.addWidget(form)
    form.show()
    type_text(qtbot, form.name, "123")
    assert form.errors.message("name") == ""  # not while typing
    leave(form.name)
    assert form.errors.message("name") == "A name has at least one letter or Chinese character."
    form.name.clear()
    type_text(qtbot, form.name, "王小明")  # right now: the message goes at once
    assert form.errors.message("name") == ""

    type_text(qtbot, form.id_number, ID_NUMBER[:-1] + "5")  # a wrong check character
    leave(form.id_number)
    assert "check character" in form.errors.message("id_number")
    qtbot.keyClick(form.id_number, Qt.Key.Key_Backspace)
    type_text(qtbot, form.id_number, ID_NUMBER[-1])
    assert form.errors.message("id_number") == ""

    # Save shows what is still missing; filling it clears the message before Save again
    qtbot.mouseClick(form.buttons.button(form.buttons.StandardButton.Save), Qt.LeftButton)
    assert form.errors.message("village") == "Enter the village."
    type_text(qtbot, form.village, "王坪村")
    assert form.errors.message("village") == ""
    assert trainees.search(store, "王小明") == []  # nothing saved yet


def test_a_name_without_any_letter_is_refused(store):
    with pytest.raises(ValidationError) as caught:
        trainees.register(store, Trainee(name="123", id_number=ID_NUMBER, village="王坪村"))
    assert "name" in caught.value.errors


def test_the_list_sorts_names_by_surname_syllable_first(qtbot, tmp_path):
    s = Store(tmp_path / "names.db", create=True)
    names = ["林怡胜", "廖小红", "李秀兰", "梁伟", "李民丽"]
    for i, name in enumerate(names):
        trainees.register(s, Trainee(name=name, village="王坪村", id_number=idcard.make(
            "411025", dt.date(1980 + i, 1, 1), 10 + i, "F")))
    page = TraineesPage(s)
    qtbot.addWidget(page)
    page.model.refresh()
    shown = [page.model.row(r)["name"] for r in range(page.model.rowCount())]
    assert shown == ["李民丽", "李秀兰", "梁伟", "廖小红", "林怡胜"]
    page.close()
    s.close()


def test_the_village_is_chosen_from_the_villages_already_used(qtbot, store):
    used = {t["village"] for t in trainees.search(store)}
    form = TraineeForm(store)
    qtbot.addWidget(form)
    form.show()
    completer = form.village.completer()
    offered = [completer.model().index(i, 0).data() for i in range(completer.model().rowCount())]
    assert set(offered) == used
    village = offered[0]
    type_text(qtbot, form.village, village[:1])
    assert completer.completionCount() >= 1
    assert village in [completer.completionModel().index(i, 0).data()
                       for i in range(completer.completionCount())]
    form.village.clear()
    type_text(qtbot, form.village, "新建村")  # a new village can still be typed
    assert form.trainee().village == "新建村"


def test_the_form_shows_the_code_and_what_the_trainee_did(qtbot, store):
    from trainer_app.services import classes

    finished = next(c for c in classes.list_all(store) if c["status"] == "finished")
    someone = classes.enrolled(store, finished["id"])[0]
    done = trainees.activity(store, someone["id"])
    assert done["classes"] >= 1 and done["lessons"] >= 1
    form = TraineeForm(store, someone["id"])
    qtbot.addWidget(form)
    form.show()
    text = form.activity.text()
    assert form.activity.isVisible() and text.startswith(someone["code"])
    assert f"{done['lessons']} lesson" in text and "certificate" in text
    new = TraineeForm(store)
    qtbot.addWidget(new)
    assert new.activity.isHidden()


def test_the_search_index_is_built_off_the_ui_thread_after_the_first_paint(qtbot, store):
    from trainer_app.services.trainee_list import build_index

    page = TraineesPage(store)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.index_task is not None and page.index_task.outcome != "")
    assert page.index_task.outcome == "succeeded"
    source = page.model.source
    assert source.install(page.index_task.result)  # taken (again: the same index)
    # the first keystroke only searches: the blob is the one the worker built
    blob = source._blob
    qtbot.keyClicks(page.search, "T0000")
    assert source._blob is blob and page.model.rowCount() >= 1
    # an index of a list that changed since it was asked for is refused
    stale = build_index(store, source.index_request())
    page.refresh()
    assert not source.install(stale)


def test_a_duplicate_id_number_offers_to_open_the_trainee_who_has_it(qtbot, store):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    existing = trainees.search(store)[0]
    holder = trainees.get(store, existing["id"])
    form = TraineeForm(store)
    qtbot.addWidget(form)
    form.show()
    fill_form(qtbot, form, "王小明", holder.id_number)
    qtbot.mouseClick(form.buttons.button(form.buttons.StandardButton.Save), Qt.LeftButton)
    assert "already registered" in form.errors.message("id_number")
    assert form.open_existing.isVisible() and holder.code in form.open_existing.text()
    opened: list[str] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        opened.append(dialog.name.text())
        dialog.reject()

    QTimer.singleShot(50, look)
    qtbot.mouseClick(form.open_existing, Qt.LeftButton)
    assert opened == [holder.name] and form.result() == form.DialogCode.Rejected
