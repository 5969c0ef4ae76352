"""The import dialog driven as the operator does: a list dropped onto the Trainees section,
one column fixed in the mapping step, the preview's counts, a row left out, import, the new
trainees found by pinyin; a cancelled import writes nothing; the rows to correct read back."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from tests.qt_input import type_text
from tests.sheets import committee_xlsx, db_digest
from trainer_app.domain import idcard
from trainer_app.services import trainees
from trainer_app.ui.trainees.import_dialog import MAPPING, PREVIEW, ImportDialog
from trainer_app.ui.trainees.page import TraineesPage


@pytest.fixture
def page(qtbot, demo_store):
    widget = TraineesPage(demo_store)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []

    def warning(parent, title, text, *args):
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


def drop(widget, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(widget.rect().center(), action, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(widget.rect().center()), action, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def wait_idle(qtbot, dialog: ImportDialog) -> None:
    qtbot.waitUntil(lambda: dialog.task is not None and not dialog.task.is_running(),
                    timeout=20000)


def to_preview(qtbot, page: TraineesPage, path: Path) -> ImportDialog:
    drop(page, path)
    dialog = page.import_dialog
    assert isinstance(dialog, ImportDialog)
    wait_idle(qtbot, dialog)
    assert dialog.stack.currentIndex() == MAPPING
    column = dialog.sheet.rows[dialog.header].index("住址")
    assert dialog.mapping_step.mapping()[column] is None  # a header the importer does not know
    combo = dialog.mapping_step.combos[column]
    combo.setCurrentIndex(combo.findData("village"))
    combo.activated.emit(combo.currentIndex())
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert dialog.stack.currentIndex() == PREVIEW
    return dialog


def test_drop_map_preview_leave_out_import_and_find_by_pinyin(qtbot, page, demo_store,
                                                              tmp_path, warnings):
    path = committee_xlsx(tmp_path / "王坪村报名表.xlsx", extra=[
        [5, "王小明", "", "41102519900307137X", "", "", "王坪村", "", "", "", "重复"],
        [6, "钱多", "", "410102199901011234", "", "", "王坪村", "", "", "", ""],
    ])
    before = trainees.search(demo_store, "")
    dialog = to_preview(qtbot, page, path)
    assert dialog.plan.counts() == {"new": 4, "updated": 0, "unchanged": 0, "duplicate": 1,
                                    "invalid": 1}
    assert "4" in dialog.counts.text()
    assert dialog.model.rowCount() == 6
    dialog.problems_only.click()
    assert dialog.proxy.rowCount() == 2
    dialog.problems_only.click()
    # leave 张伟 (row 6 of the sheet) out by unticking the row's box
    index = dialog.model.index(2, 0)
    assert dialog.model.data(index, Qt.ItemDataRole.DisplayRole) == "6"
    dialog.model.setData(index, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert "3" in dialog.counts.text()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert dialog.outcome is not None and dialog.outcome.added == 3
    names = {r["name"] for r in trainees.search(demo_store, "")} - {r["name"] for r in before}
    assert {"王小明", "李秀英", "赵丽"} <= names and "张伟" not in names
    type_text(qtbot, page.search, "wxm")
    found = [page.model.row(i)["name"] for i in range(page.model.rowCount())]
    assert "王小明" in found
    wang = trainees.search(demo_store, "41102519900307137X")[0]
    assert (wang["village"], wang["birth_date"], wang["gender"]) == ("王坪村", "1990-03-07", "M")


def test_cancelled_import_writes_nothing(qtbot, page, demo_store, tmp_path):
    people = []
    for i in range(1500):
        number = idcard.make("410102", dt.date(1960, 1, 1) + dt.timedelta(days=i), i, "F")
        people.append((f"学员{i}", number, None, None, "王坪村", "", "", ""))
    path = committee_xlsx(tmp_path / "big.xlsx", people=people)
    dialog = to_preview(qtbot, page, path)
    before = db_digest(demo_store.path)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    dialog.task.cancel()
    wait_idle(qtbot, dialog)
    assert dialog.task.outcome == "cancelled"
    assert dialog.outcome is None
    assert "nothing was saved" in dialog.status.text()
    assert db_digest(demo_store.path) == before


def test_rows_to_correct_after_a_warning_read_back(qtbot, page, tmp_path, warnings,
                                                   monkeypatch):
    path = committee_xlsx(tmp_path / "list.xlsx", extra=[
        [5, "孙强", "", 411025199003071370, "", "", "王坪村", "", "", "", ""],
    ])
    dialog = to_preview(qtbot, page, path)
    out = tmp_path / "back.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    qtbot.mouseClick(dialog.rejects_button, Qt.MouseButton.LeftButton)
    assert warnings and "in full" in warnings[0]
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "姓名", "性别", "公民身份号码")
    assert rows[1][1] == "孙强" and "Row 8" in rows[1][-1] and "number" in rows[1][-1]


def test_a_wps_file_is_explained(qtbot, demo_store, tmp_path, warnings):
    path = tmp_path / "名单.et"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    dialog = ImportDialog(demo_store, path)
    qtbot.addWidget(dialog)
    wait_idle(qtbot, dialog)
    assert warnings and ".xlsx" in warnings[0] and "WPS" in warnings[0]


def test_template_saved_from_the_dialog(qtbot, demo_store, tmp_path):
    dialog = ImportDialog(demo_store)
    qtbot.addWidget(dialog)
    saved = dialog.save_template(str(tmp_path / "blank"))
    assert saved == tmp_path / "blank.xlsx"
    book = openpyxl.load_workbook(saved)
    assert book.sheetnames == ["Trainee list", "How to fill in"]
    assert book.active["C2"].value == "41102519900307137X"


def test_pick_a_sheet_then_drop_another_list_on_the_dialog(qtbot, demo_store, warnings):
    data = Path(__file__).resolve().parent / "data"
    dialog = ImportDialog(demo_store, data / "committee.xls")
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, dialog)
    assert [dialog.sheet_combo.itemText(i) for i in range(dialog.sheet_combo.count())] == [
        "报名表", "说明"]
    dialog.back()
    dialog.sheet_combo.setCurrentIndex(1)
    dialog.sheet_combo.activated.emit(1)
    wait_idle(qtbot, dialog)
    assert dialog.sheet.name == "说明" and dialog.mapping_step.mapping() == [None]
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)  # nothing mapped
    wait_idle(qtbot, dialog)
    assert "Choose the columns" in warnings[-1] and dialog.stack.currentIndex() == MAPPING
    drop(dialog, data / "committee.ods")
    wait_idle(qtbot, dialog)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert dialog.plan.counts()["new"] == 4
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert dialog.outcome.added == 4 and not dialog.import_button.isEnabled()
    assert "4 new" in dialog.status.text()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_rows_problems_read_as_the_language_writes_them(qtbot, page, tmp_path, lang):
    from trainer_app import i18n
    from trainer_app.ui import language
    from trainer_app.ui.trainees.import_model import PROBLEMS

    language.apply(lang)
    try:
        path = committee_xlsx(tmp_path / "list.xlsx", extra=[
            [5, "123", "", "410102199901011235", "", "12345", "王坪村", "", "", "", ""],
        ])
        dialog = to_preview(qtbot, page, path)
        shown = dialog.model.index(dialog.model.rowCount() - 1, PROBLEMS).data()
        reasons = dialog.plan.reasons(dialog.plan.rows[-1])
        assert len(reasons) >= 2 and shown == i18n.join_sentences(reasons)
        if lang == "zh_CN":
            assert "；" in shown and not re.search(r"。[;；]|; ", shown)
            assert shown.count("。") <= 1 and shown.endswith("。")
        else:
            assert not re.search(r"\.;|。", shown)
    finally:
        language.apply("en")


def test_sentences_and_words_are_joined_per_language():
    from trainer_app import i18n

    before = i18n.language()
    try:
        i18n.set_language("zh_CN")
        assert i18n.join_sentences(["身份证号的校验码不对。", "手机号应为 11 位。"]) == \
            "身份证号的校验码不对；手机号应为 11 位。"
        assert i18n.join_sentences(["只有一句。", ""]) == "只有一句。"
        assert i18n.join_words(["姓名", "村"]) == "姓名、村"
        i18n.set_language("en")
        assert i18n.join_sentences(["The ID is wrong.", "The phone has 5 digits."]) == \
            "The ID is wrong. The phone has 5 digits."
        assert i18n.join_sentences(["no name", "no village"]) == "no name; no village"
        assert i18n.join_words(["Name", "Village"]) == "Name, Village"
    finally:
        i18n.set_language(before)
