"""The review screen of signed sheets (issue 11): read a sheet image for a lesson, change one
proposed mark, confirm; the attendance table and the database show the marks from the sheet,
and the kept image is listed with the lesson."""

from __future__ import annotations

import hashlib
import random

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from tests import sheet_samples
from trainer_app import i18n
from trainer_app.services import demo, papers, sheets
from trainer_app.store import Store
from trainer_app.store import attendance as attendance_q
from trainer_app.store import classes as classes_q
from trainer_app.ui.attendance.page import AttendancePage
from trainer_app.ui.classes.page import ClassesPage


@pytest.fixture
def store(tmp_path):
    i18n.set_language("en")
    s = Store(tmp_path / "station.db", create=True)
    demo.fill(s, trainees=40, seed=5)
    yield s
    s.close()


def _scan(store, lesson_id, folder):
    record = papers.sign_in_sheet_record(store, lesson_id)
    page = sheet_samples.render_pages(papers.sign_in_sheet(store, lesson_id, folder / "s.pdf"))[0]
    code = sheet_samples.page_code_of(page)
    rng = random.Random(3)
    truth, _walk_ins = sheet_samples.sign_page(
        rng, page, [r.code for r in record.rows][:code.trainee_rows])
    _image, data = sheet_samples.scan(rng, page, 200)
    out = folder / "photos" / "sheet.jpg"  # a folder of the day's photos
    out.parent.mkdir()
    out.write_bytes(data)
    return out, truth


def _drop(widget, paths) -> None:
    """Drag ``paths`` from a file manager and drop them on ``widget``."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    where = QPointF(widget.rect().center())
    enter = QDragEnterEvent(where.toPoint(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(widget, QDropEvent(where, Qt.DropAction.CopyAction, mime,
                                              Qt.MouseButton.LeftButton,
                                              Qt.KeyboardModifier.NoModifier))


def test_review_change_one_mark_and_confirm(qtbot, store, tmp_path, monkeypatch):
    lesson_id = classes_q.all_lessons(store)[0]["id"]
    image, truth = _scan(store, lesson_id, tmp_path)
    page = AttendancePage(store)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    page.select_lesson(lesson_id)
    assert page.sheets_bar.evidence.text() == ""

    _drop(page, [image.parent])  # the folder dropped on the attendance section
    qtbot.waitUntil(lambda: page.sheets_bar.dialog is not None, timeout=20_000)
    dialog = page.sheets_bar.dialog
    model = dialog.model
    assert [p.code for p in model.proposals] == [t.code for t in truth]
    signed = next(i for i, t in enumerate(truth) if t.signed)
    assert model.decisions[signed].value == "present"
    dialog.table.setFocus()
    dialog.table.selectRow(signed)
    qtbot.keyClick(dialog.table, Qt.Key.Key_L)  # this one came late
    assert model.decisions[signed].value == "late"
    dialog.grab().save(str(tmp_path / "review.png"))
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted

    marks = {m["trainee_id"]: m for m in attendance_q.list_for_lesson(store, lesson_id)}
    by_code = {p.code: p.trainee_id for p in model.proposals}
    for i, t in enumerate(truth):
        decision = model.decisions[i]
        mark = marks.get(by_code[t.code])
        if decision is None:
            assert mark is None
            continue
        assert (mark["status"], mark["method"]) == (decision.value, "sheet")
        if i != signed:
            assert decision.value == ("present" if t.signed else "absent")
    assert marks[by_code[truth[signed].code]]["status"] == "late"
    shown = [page.model.index(r, c).data() for r in range(page.model.rowCount())
             for c in range(page.model.columnCount())]
    assert shown.count("Paper sheet") == len(marks)  # the table was re-read: marks from the sheet
    assert "page 1" in page.sheets_bar.evidence.text()
    kept = sheets.evidence_for_lesson(store, lesson_id)
    assert len(kept) == 1
    page.sheets_bar.evidence.linkActivated.emit(kept[0]["sha256"])  # the link clicked
    shown = page.sheets_bar.page_dialog
    assert shown is not None and shown.isVisible()
    shown_size = shown.picture.pixmap().size()  # the page's picture, filling its room
    assert max(shown_size.width() / shown.picture.width(),
               shown_size.height() / shown.picture.height()) > 0.95
    shown.grab().save(str(tmp_path / "evidence.png"))
    copy = tmp_path / "for the county.jpg"  # the county asked for this page
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(copy), ""))
    qtbot.mouseClick(shown.save_button, Qt.MouseButton.LeftButton)
    assert shown.saved_to == copy
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == kept[0]["sha256"]
    shown.close()

    from trainer_app.ui.trainees.form import TraineeForm

    form = TraineeForm(store, by_code[truth[signed].code])
    qtbot.addWidget(form)
    assert "page 1" in form.sheet_note.text() and form.sheet_note.isVisibleTo(form)
    form.sheet_note.linkActivated.emit(kept[0]["sha256"])
    assert form.page_dialog is not None and form.page_dialog.isVisible()


def test_read_signed_sheets_from_a_lesson_of_the_class(qtbot, store, tmp_path, monkeypatch):
    lesson = classes_q.all_lessons(store)[0]
    image, truth = _scan(store, lesson["id"], tmp_path)
    page = ClassesPage(store)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    page.select(lesson["class_id"])
    pane = page.detail.lessons
    pane.select(lesson["id"])
    assert pane.read_button.isEnabled()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        lambda *_args, **_kw: ([str(image)], ""))  # the operator picks the photo
    qtbot.mouseClick(pane.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.review is not None, timeout=20_000)
    proposed = {p.trainee_id: p.proposed.value for p in pane.review.model.proposals
                if p.proposed is not None}
    assert len(proposed) >= len(truth) - 1
    qtbot.mouseClick(pane.review.confirm_button, Qt.MouseButton.LeftButton)
    marks = {m["trainee_id"]: (m["status"], m["method"])
             for m in attendance_q.list_for_lesson(store, lesson["id"])}
    assert marks == {t: (status, "sheet") for t, status in proposed.items()}
    assert len(sheets.evidence_for_lesson(store, lesson["id"])) == 1
    assert pane.selected_id() == lesson["id"]  # the pane was re-read, the lesson kept
