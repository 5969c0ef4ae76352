"""Printing papers from the Classes section: the buttons write the PDF in the background, into
the data folder's papers/ under a readable name, and open the print preview."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from trainer_app import i18n, paths
from trainer_app.pdf import fonts
from trainer_app.services import classes, demo
from trainer_app.store import Store
from trainer_app.ui import papers
from trainer_app.ui.classes.page import ClassesPage
from trainer_app.ui.pdf_view import PdfPreview

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    i18n.set_language("en")
    s = Store(tmp_path / "station.db", create=True)
    demo.fill(s, trainees=40, seed=3)
    yield s
    s.close()


@pytest.fixture
def previews(monkeypatch) -> list[dict]:
    """What each preview dialog showed; exec returns at once instead of waiting for the user
    (the dialogs themselves are not kept: they close their document when they go)."""
    opened: list[dict] = []

    def exec_(self) -> int:
        image = self.image()
        opened.append({
            "path": self.path, "pages": self.page_count(), "default_name": self.default_name,
            "title": self.windowTitle(), "rendered": image is not None and not image.isNull(),
        })
        return 0

    monkeypatch.setattr(PdfPreview, "exec", exec_)
    return opened


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: shown.append(text))
    )
    return shown


@pytest.fixture
def page(qtbot, store):
    p = ClassesPage(store)
    qtbot.addWidget(p)
    p.resize(1100, 800)
    p.show()
    return p


def printable_class(store: Store, status: str = "finished") -> dict:
    """A demo class whose enrolled names every font can print (the demo has rare ones)."""
    for c in classes.list_all(store):
        names = [t["name"] for t in classes.enrolled(store, c["id"])]
        if c["status"] == status and not any(fonts.missing_characters(n) for n in names):
            return c
    raise AssertionError("no such class in the demo")


def show_class(page: ClassesPage, class_id: str) -> None:
    page.refresh()
    page.select(class_id)
    assert page.detail.class_id() == class_id


def wait_done(qtbot, task) -> None:
    assert task is not None
    qtbot.waitUntil(lambda: bool(task.outcome), timeout=30000)


def pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(str(path))
    return len(reader.pages), "\n".join(p.extract_text() or "" for p in reader.pages)


def test_sign_in_sheet_from_the_selected_lesson(qtbot, page, store, previews, warnings):
    c = printable_class(store)
    show_class(page, c["id"])
    pane = page.detail.lessons
    lesson = classes.lessons(store, c["id"])[0]
    pane.select(lesson["id"])
    assert pane.sheet_button.isEnabled()
    assert pane.sheet_button.text().replace("&", "") == "Sign-in sheet…"

    qtbot.mouseClick(pane.sheet_button, LEFT)
    task = pane.paper_task
    wait_done(qtbot, task)
    assert task.outcome == "succeeded", task.error
    assert not warnings

    path = Path(task.result)
    assert path.parent == paths.data_dir() / "papers"
    assert path.name.startswith("Sign-in sheet ") and path.suffix == ".pdf"
    assert c["title"] in path.name and lesson["date"] in path.name
    _pages, text = pdf_text(path)
    for trainee in classes.enrolled(store, c["id"]):
        assert trainee["name"] in text

    assert len(previews) == 1  # the preview opened on the written file
    preview = previews[0]
    assert preview["path"] == path and preview["pages"] >= 1
    assert preview["default_name"] == path.name
    assert preview["title"] == "Sign-in sheet"
    assert preview["rendered"]


def test_cancelled_lesson_has_no_sheet(qtbot, page, store):
    c = printable_class(store)
    lesson = classes.lessons(store, c["id"])[0]
    classes.cancel_lesson(store, lesson["id"], True)
    show_class(page, c["id"])
    page.detail.lessons.select(lesson["id"])
    assert not page.detail.lessons.sheet_button.isEnabled()


def test_roster_and_cards_from_the_trainees_tab(qtbot, page, store, previews, warnings):
    c = printable_class(store)
    show_class(page, c["id"])
    pane = page.detail.enrolled
    enrolled = classes.enrolled(store, c["id"])

    qtbot.mouseClick(pane.roster_button, LEFT)
    wait_done(qtbot, pane.paper_task)
    assert pane.paper_task.outcome == "succeeded", pane.paper_task.error
    roster = Path(pane.paper_task.result)
    assert roster.name.startswith("Class roster ")
    _n, text = pdf_text(roster)
    assert all(t["name"] in text for t in enrolled)

    # two trainees selected: cards for those two only
    pane.table.selectRow(0)
    pane.table.selectionModel().select(
        pane.model.index(1, 0),
        pane.table.selectionModel().SelectionFlag.Select
        | pane.table.selectionModel().SelectionFlag.Rows,
    )
    chosen = pane.selected_ids()
    assert len(chosen) == 2
    assert "2 selected" in pane.cards_button.text()
    qtbot.mouseClick(pane.cards_button, LEFT)
    wait_done(qtbot, pane.paper_task)
    assert pane.paper_task.outcome == "succeeded", pane.paper_task.error
    _n, text = pdf_text(Path(pane.paper_task.result))
    names = {pane.model.row(pane.model.row_of(i))["name"] for i in chosen}
    others = {t["name"] for t in enrolled} - names
    assert all(n in text for n in names)
    assert not any(n in text for n in others if not any(n in m for m in names))
    assert len(previews) == 2 and not warnings


def test_class_summary_from_the_completion_tab(qtbot, page, store, previews, warnings):
    c = printable_class(store)
    show_class(page, c["id"])
    pane = page.detail.completion
    assert pane.summary_button.isEnabled()
    qtbot.mouseClick(pane.summary_button, LEFT)
    wait_done(qtbot, pane.paper_task)
    assert pane.paper_task.outcome == "succeeded", pane.paper_task.error
    path = Path(pane.paper_task.result)
    assert path.name.startswith("Class summary ")
    _n, text = pdf_text(path)
    assert c["title"] in text
    assert len(previews) == 1 and not warnings


def test_a_paper_that_cannot_be_printed_says_why(qtbot, store, previews, warnings):
    """A name with a character no font has: a message naming it, no file, no preview."""
    from trainer_app.domain.models import Trainee
    from trainer_app.services import trainees

    c = printable_class(store)
    number = "11010519491231002X"
    trainee_id = trainees.register(store, Trainee(name="王\U000f0001", id_number=number,
                                                  village="王坪村"))
    classes.enroll(store, c["id"], [trainee_id])
    task = papers.roster(store, c["id"])
    wait_done(qtbot, task)
    assert task.outcome == "failed"
    assert len(warnings) == 1 and "U+F0001" in warnings[0]
    assert not previews
    assert not list((paths.data_dir() / "papers").glob("*.pdf"))


def test_second_click_while_writing_is_ignored(qtbot, store, previews):
    c = printable_class(store)
    first = papers.roster(store, c["id"])
    second = papers.roster(store, c["id"])
    assert first is not None and second is None
    wait_done(qtbot, first)
    assert len(previews) == 1
