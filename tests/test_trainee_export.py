"""The trainee list and a class's roster as .xlsx and .csv: masked unless revealed, in the
list's order and search, read back with openpyxl and the csv module."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.qt_input import type_text
from trainer_app import i18n
from trainer_app.cli import main
from trainer_app.services import classes, trainee_export, trainees
from trainer_app.services.errors import ServiceError
from trainer_app.ui.trainees.page import TraineesPage


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def test_masked_by_default_and_in_full_when_revealed(demo_store, tmp_path):
    rows = list(trainee_export.listed(demo_store, "wang"))
    assert rows and [r["code"] for r in rows] == [
        r["code"] for r in trainees.search(demo_store, "wang")]
    masked = tmp_path / "list.csv"
    assert trainee_export.write(rows, masked) == len(rows)
    data = masked.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert lines[0][:5] == ["Code", "Name", "Gender", "Birth date", "ID number"]
    assert [line[0] for line in lines[1:]] == [r["code"] for r in rows]
    assert all("*" in line[4] for line in lines[1:])
    assert {line[3] for line in lines[1:]} == {"****-**-**"}  # what the ID number's mask hides
    full = tmp_path / "list.xlsx"
    trainee_export.write(rows, full, reveal=True)
    sheet = openpyxl.load_workbook(full).active
    numbers = [c.value for c in sheet["E"][1:]]
    assert numbers == [r["id_number"] for r in rows]  # text: all 18 characters
    assert [c.value for c in sheet["D"][1:]] == [r["birth_date"] for r in rows]
    with pytest.raises(ServiceError, match=".xlsx or .csv"):
        trainee_export.check_path(tmp_path / "list.txt")


def test_roster_from_the_command_line(capsys, demo_store, tmp_path):
    running = next(c for c in classes.list_all(demo_store) if c["status"] == "running")
    enrolled = classes.enrolled(demo_store, running["id"])
    demo_store.close()
    out = tmp_path / "roster.xlsx"
    code = main(["--lang", "en", "--db", str(demo_store.path), "trainees", "export", "--class",
                 running["id"], "--out", str(out)])
    assert code == 0 and f"{len(enrolled)} trainees written" in capsys.readouterr().out
    names = [c.value for c in openpyxl.load_workbook(out).active["B"][1:]]
    assert names == [t["name"] for t in enrolled]
    code = main(["--lang", "en", "--db", str(demo_store.path), "trainees", "list", "--json"])
    assert code == 0 and len(json.loads(capsys.readouterr().out)) == 60


def export_shown(qtbot, page: TraineesPage, out, monkeypatch):
    """Export ``page``'s list as the Export… button does (masked) and read the sheet back;
    returns it with the codes the page shows, in its order."""
    shown = [page.model.row(i)["code"] for i in range(page.model.rowCount())]
    monkeypatch.setattr(QMessageBox, "information", lambda *a: QMessageBox.StandardButton.Ok)
    task = page.export_list(str(out), reveal=False)
    qtbot.waitUntil(lambda: not task.is_running(), timeout=10000)
    assert task.outcome == "succeeded"
    return openpyxl.load_workbook(out).active, shown


def test_export_the_list_as_shown_from_the_trainees_section(qtbot, demo_store, tmp_path,
                                                            monkeypatch):
    page = TraineesPage(demo_store)
    qtbot.addWidget(page)
    type_text(qtbot, page.search, "li")
    page.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # birth date, youngest first
    sheet, shown = export_shown(qtbot, page, tmp_path / "shown.xlsx", monkeypatch)
    assert [c.value for c in sheet["A"][1:]] == shown
    assert all("*" in c.value for c in sheet["E"][1:])


def test_export_a_roster_from_the_class_pane(qtbot, demo_store, tmp_path, monkeypatch):
    from trainer_app.ui.classes.enrolled import EnrolledPane

    running = next(c for c in classes.list_all(demo_store) if c["status"] == "running")
    pane = EnrolledPane(demo_store)
    qtbot.addWidget(pane)
    pane.set_class(running)
    assert pane.export_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "information", lambda *a: QMessageBox.StandardButton.Ok)
    out = tmp_path / "roster.csv"
    task = pane.export_roster(str(out), reveal=True)
    qtbot.waitUntil(lambda: not task.is_running(), timeout=10000)
    lines = list(csv.reader(out.read_bytes().decode("utf-8-sig").splitlines()))
    enrolled = classes.enrolled(demo_store, running["id"])
    assert [line[4] for line in lines[1:]] == [t["id_number"] for t in enrolled]


def test_the_list_in_its_own_order_before_any_sorting(qtbot, demo_store, tmp_path, monkeypatch):
    """Before its first paint the header shows no order yet: the export takes the list's."""
    page = TraineesPage(demo_store)
    qtbot.addWidget(page)
    sheet, shown = export_shown(qtbot, page, tmp_path / "names.xlsx", monkeypatch)
    assert [c.value for c in sheet["A"][1:]] == shown
