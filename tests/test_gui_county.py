"""The county coordinator's sections through the real window and widgets, between real
databases: set up the county in the form, add a station, make its county pack, link a station
with it, import the station's first bundle, compare fingerprints and approve in the dialog (in
the background), see the last bundle and the gaps, merge a person registered at two stations,
and read every station's trainees, classes and certificates (read-only)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QMessageBox,
    QPushButton,
)

from tests.qt_input import type_text
from trainer_app import i18n
from trainer_app.domain import idcard
from trainer_app.domain.models import Course, Trainee
from trainer_app.services import certificates, classes, courses, demo, trainees
from trainer_app.store import Store
from trainer_app.sync import exchange, persons, site
from trainer_app.ui.county.add_station import AddStationDialog
from trainer_app.ui.county.approve import ApprovedDialog, ApproveDialog
from trainer_app.ui.main_window import MainWindow
from trainer_app.ui.verify_dialog import VerifyDialog

LEFT = Qt.MouseButton.LeftButton
SAVE = QDialogButtonBox.StandardButton.Save
TASK_TIMEOUT = 60_000


# -- fixtures and helpers ----------------------------------------------------------------------
@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    i18n.set_language("en")
    return tmp_path


@pytest.fixture
def stores(home):
    opened: list[Store] = []

    def open_store(name: str) -> Store:
        store = Store(home / f"{name}.db", create=True)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()


@pytest.fixture
def county(stores) -> Store:
    """A county set up with the demo catalog (set up directly: the form has its own test)."""
    store = stores("county")
    site.setup_county(store, "XC", demo.COUNTY_NAME)
    for code, title, category, description, hours in demo.COURSES:
        courses.add(store, Course(code, title, category, description, float(hours)))
    return store


@pytest.fixture
def messages(monkeypatch):
    """Every message box, answered Yes/Ok, recorded as (kind, text)."""
    shown: list[tuple[str, str]] = []

    def record(kind):
        def box(_parent, _title, text, *args, **kwargs):
            shown.append((kind, text))
            return QMessageBox.StandardButton.Yes if kind == "question" else \
                QMessageBox.StandardButton.Ok
        return box

    for kind in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return shown


def open_panel(qtbot, store: Store) -> MainWindow:
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    return window


def link_station(county: Store, stores, code: str, trainees_: int = 20, seed: int = 1) -> Store:
    pack = site.write_pack(county, code, county.path.parent / f"{code}.trpack",
                           station_name=f"{code}服务站")
    station = stores(code)
    site.setup_station(station, pack)
    if trainees_:
        demo.fill(station, trainees=trainees_, seed=seed, today=dt.date(2025, 6, 2))
    return station


def send(station: Store, usb: Path) -> Path:
    usb.mkdir(exist_ok=True)
    path, _manifest = exchange.export(station, usb)
    return path


def stations_panel(window: MainWindow):
    return window.show_section("stations")


def row_texts(model, row: int) -> list[str]:
    return [model.index(row, c).data() or "" for c in range(model.columnCount())]


def column(model, field: str) -> int:
    return [f for f, _header in model.COLUMNS].index(field)


# -- setting up the county -------------------------------------------------------------------
STATION_SECTIONS = ["Trainees", "Courses", "Classes", "Attendance", "Certificates", "Reports",
                    "Sync"]
COUNTY_SECTIONS = ["Overview", "Stations", "Imports", "Trainees", "Classes", "Certificates",
                   "Duplicates", "Reports", "Courses"]


def section_titles(window: MainWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def test_county_is_set_up_through_the_form(qtbot, stores):
    """A new database has the station's sections; set up as the county center in the Sync
    section's form, the window opens the county's sections and names the county."""
    store = stores("new")
    window = open_panel(qtbot, store)
    assert section_titles(window) == STATION_SECTIONS
    sync = window.show_section("sync")
    assert sync.setup is not None and sync.tabs.tabText(1) == "County center"
    form = sync.setup
    assert form.title.text() == "Set up as county center"

    type_text(qtbot, form.code, "X")  # too short, and no name
    qtbot.mouseClick(form.button, LEFT)
    assert "2 to 12 letters or digits" in form.errors.message("code")
    assert site.role(store) == ""

    form.code.clear()
    type_text(qtbot, form.code, "xc")
    qtbot.mouseClick(form.button, LEFT)
    assert form.errors.message("code") == ""
    assert form.errors.message("name") == "Enter the county center's name."
    type_text(qtbot, form.name, "襄城县农村电商公共服务中心")
    # a clear warning first, No by default: answered No, nothing changes
    asked: list[str] = []

    def answer(button: QMessageBox.StandardButton) -> None:
        box = QApplication.activeModalWidget()
        asked.append(box.text())
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
        qtbot.mouseClick(box.button(button), LEFT)

    QTimer.singleShot(50, lambda: answer(QMessageBox.StandardButton.No))
    qtbot.mouseClick(form.button, LEFT)
    assert "cannot be undone" in asked[0] and site.role(store) == ""
    QTimer.singleShot(50, lambda: answer(QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(form.button, LEFT)
    assert site.role(store) == "county"
    assert site.county(store).code == "XC"
    qtbot.waitUntil(lambda: section_titles(window) == COUNTY_SECTIONS)
    assert "襄城县农村电商公共服务中心 (XC)" in window.windowTitle()
    assert window.status.text().startswith("襄城县农村电商公共服务中心 (XC)")
    assert not window.findChildren(QPushButton, "add_trainee")


def test_set_up_is_not_offered_to_a_station(qtbot, stores, county):
    with_data = stores("unlinked")  # a station's own records, entered before linking
    trainees.register(with_data, Trainee(
        name="王小明", id_number=idcard.make("411025", dt.date(1990, 3, 7), 1, "M"),
        village="王坪村"))
    window = open_panel(qtbot, with_data)
    assert window.show_section("sync").setup is None
    linked = link_station(county, stores, "LK01", trainees_=0)
    window = open_panel(qtbot, linked)
    assert section_titles(window) == STATION_SECTIONS
    assert window.show_section("sync").setup is None


DEMO_QUESTION = (
    "This database holds the demo station's practice records. Linking to the county removes "
    "them (your own records entered since are removed too). Continue?")


def test_a_demo_database_becomes_the_county_after_the_question(qtbot, stores, monkeypatch):
    """The program's first start on the county center's PC made a demo station: the set-up form
    is offered, asks, and on Yes the demo's records go."""
    store = stores("first-start")
    demo.fill(store, trainees=20, seed=3)
    window = open_panel(qtbot, store)
    form = window.show_section("sync").setup
    assert form is not None
    type_text(qtbot, form.code, "XC")
    type_text(qtbot, form.name, "襄城县农村电商公共服务中心")
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    answers = [yes, no, yes, yes]  # the warning, then the demo's records; twice
    asked: list[str] = []

    def question(_parent, _title, text, *args, **kwargs):
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    qtbot.mouseClick(form.button, LEFT)  # No: nothing changes
    assert "cannot be undone" in asked[0] and asked[1:] == [DEMO_QUESTION]
    assert site.role(store) == "" and site.holds_demo(store)
    assert store.scalar("SELECT count(*) FROM trainee") == 20
    assert section_titles(window) == STATION_SECTIONS and not form.form_error.isVisible()

    qtbot.mouseClick(form.button, LEFT)  # Yes
    assert len(asked) == 4
    assert site.role(store) == "county" and not site.holds_demo(store)
    for table in ("trainee", "training_class", "lesson", "enrollment", "attendance", "course"):
        assert store.scalar(f"SELECT count(*) FROM {table}") == 0, table
    qtbot.waitUntil(lambda: section_titles(window) == COUNTY_SECTIONS)
    assert "襄城县农村电商公共服务中心 (XC)" in window.windowTitle()


def test_a_demo_station_links_through_the_county_pack(stores, county):
    """The pack the county form makes links a first-start (demo) station only once its demo
    records are discarded; then its records are its own."""
    pack = site.write_pack(county, "DM01", county.path.parent / "DM01.trpack",
                           station_name="DM01服务站")
    station = stores("DM01")
    demo.fill(station, trainees=10, seed=4)
    with pytest.raises(site.DemoDataError):
        site.setup_station(station, pack)
    site.setup_station(station, pack, discard_demo=True)
    assert station.scalar("SELECT count(*) FROM trainee") == 0
    assert station.get_meta("station_name") == "DM01服务站"


# -- the station register ----------------------------------------------------------------------
def test_add_station_through_the_dialog(qtbot, county, monkeypatch):
    panel = open_panel(qtbot, county)
    sp = stations_panel(panel)
    assert sp.model.rowCount() == 0 and not sp.pack_button.isEnabled()
    seen: list[AddStationDialog] = []

    def fill_and_save(dialog: AddStationDialog) -> int:
        seen.append(dialog)
        type_text(qtbot, dialog.code, "w p")  # not a code, and no name yet
        qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
        assert dialog.result() != QDialog.DialogCode.Accepted
        assert "2 to 12 letters or digits" in dialog.errors.message("station_code")
        assert dialog.errors.message("name") == "Enter the station's name."
        dialog.code.clear()
        type_text(qtbot, dialog.code, "wp01")
        type_text(qtbot, dialog.name, "王坪村电商服务站")
        type_text(qtbot, dialog.township, "王洛镇")
        type_text(qtbot, dialog.village, "王坪村")
        type_text(qtbot, dialog.contact, "王小明 13800000000")
        qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
        return dialog.result()

    monkeypatch.setattr(AddStationDialog, "exec", fill_and_save)
    with qtbot.waitSignal(sp.changed):
        qtbot.mouseClick(sp.add_button, LEFT)
    assert seen and seen[0].result() == QDialog.DialogCode.Accepted
    assert sp.model.rowCount() == 1
    texts = row_texts(sp.model, 0)
    assert texts[:4] == ["WP01", "王坪村电商服务站", "王洛镇 王坪村", "Nothing received yet"]
    assert sp.selected_code() == "WP01" and sp.pack_button.isEnabled()
    assert not sp.approve_button.isEnabled()
    assert "has sent nothing yet" in sp.hint.text()
    row = county.row("SELECT * FROM station WHERE code = 'WP01'")
    assert (row["township"], row["village"], row["contact"]) == (
        "王洛镇", "王坪村", "王小明 13800000000")

    # the same code again is refused beside the field
    def same_code(dialog: AddStationDialog) -> int:
        type_text(qtbot, dialog.code, "WP01")
        type_text(qtbot, dialog.name, "another")
        qtbot.mouseClick(dialog.buttons.button(SAVE), LEFT)
        assert "in the register already" in dialog.errors.message("station_code")
        return dialog.result()

    monkeypatch.setattr(AddStationDialog, "exec", same_code)
    qtbot.mouseClick(sp.add_button, LEFT)
    assert sp.model.rowCount() == 1


def test_make_a_county_pack_for_the_selected_station(qtbot, county, home, messages,
                                                     monkeypatch):
    site.add_station(county, "WP01", "王坪村电商服务站")
    panel = open_panel(qtbot, county)
    sp = stations_panel(panel)
    sp.select("WP01")
    asked: list[str] = []

    def save_name(_parent, title, default, _filter, *args, **kwargs):
        asked.append(default)
        return str(home / "usb" / "for-wangping"), _filter  # no suffix typed

    (home / "usb").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    qtbot.mouseClick(sp.pack_button, LEFT)
    assert asked and asked[0].endswith("WP01.trpack")
    path = home / "usb" / "for-wangping.trpack"
    assert path.is_file()
    body = site.read_pack(path)
    assert body["station"]["code"] == "WP01" and body["county"]["code"] == "XC"
    assert len(body["courses"]) == len(demo.COURSES)
    kind, text = messages[-1]
    assert kind == "information" and str(path) in text
    assert "Carry this file to the station" in text

    # cancelling the file dialog writes nothing
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    qtbot.mouseClick(sp.pack_button, LEFT)
    assert len(messages) == 1


def test_first_bundle_waits_then_is_approved_after_comparing_fingerprints(
        qtbot, county, stores, home, messages, monkeypatch):
    usb = home / "usb"
    station = link_station(county, stores, "WP01", trainees_=25, seed=4)
    first = send(station, usb)
    assert exchange.import_file(county, first).status == "pending"

    panel = open_panel(qtbot, county)
    sp = stations_panel(panel)
    sp.select("WP01")
    row = sp.model.row(sp.model.row_of("WP01"))
    assert row["state"] == "waiting"
    expected = site.own_fingerprint(station)
    fp_col = column(sp.model, "fingerprint")
    assert sp.model.index(0, fp_col).data() == expected
    assert sp.model.index(0, column(sp.model, "state")).data() == "Waiting for approval"
    assert sp.model.index(0, column(sp.model, "last_seq")).data() == ""
    assert "1 waiting for approval" in sp.count.text()
    assert sp.approve_button.isEnabled()
    assert county.scalar("SELECT count(*) FROM trainee") == 0  # nothing applied yet

    shown: list[ApproveDialog] = []

    def compare_and_approve(dialog: ApproveDialog) -> int:
        shown.append(dialog)
        assert dialog.fingerprint.text() == "   ".join(expected.split("-"))
        assert dialog.fingerprint.font().pointSizeF() >= 16
        assert ("Ask the station operator to read out the fingerprint on their screen; approve "
                "only if it is the same.") in dialog.instruction.text()
        assert dialog.approve_button.text() == "&Approve"
        return QDialog.DialogCode.Accepted

    results: list[ApprovedDialog] = []
    monkeypatch.setattr(ApproveDialog, "exec", compare_and_approve)
    monkeypatch.setattr(ApprovedDialog, "exec",
                        lambda self: results.append(self) or QDialog.DialogCode.Accepted)
    with qtbot.waitSignal(sp.changed, timeout=TASK_TIMEOUT):
        qtbot.mouseClick(sp.approve_button, LEFT)
    qtbot.waitUntil(lambda: sp.task is None, timeout=TASK_TIMEOUT)
    assert shown and results and not messages
    assert [r.status for r in sp.last_reports] == ["applied"]
    assert results[0].report.model.rowCount() == 1
    assert "is approved" in results[0].message.text()
    assert results[0].report.model.index(0, 3).data() == "applied"

    row = sp.model.row(sp.model.row_of("WP01"))
    assert row["state"] == "approved" and row["fingerprint"] == expected
    assert sp.model.index(0, column(sp.model, "state")).data() == "Approved"
    assert sp.model.index(0, column(sp.model, "last_seq")).data().startswith("No. 1 · ")
    assert sp.model.index(0, column(sp.model, "trainees")).data() == "25"
    assert not sp.approve_button.isEnabled()
    assert county.scalar("SELECT count(*) FROM trainee WHERE origin = ?",
                         [station.site_id]) == 25

    # bundle 3 arrives, bundle 2 does not: "2 missing", in red
    send(station, usb)
    trainees.register(station, Trainee(
        name="新学员", id_number=idcard.make("411025", dt.date(1990, 1, 2), 33, "F"),
        village="王坪村"))
    third = send(station, usb)
    assert exchange.import_file(county, third).status == "applied"
    sp.refresh()
    gaps_col = column(sp.model, "gaps")
    cell = sp.model.index(sp.model.row_of("WP01"), gaps_col)
    assert cell.data() == "2 missing"
    assert cell.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b91c1c"
    assert sp.model.index(0, column(sp.model, "last_seq")).data().startswith("No. 3 · ")
    sp.select("WP01")
    assert "Bundles 2 of station WP01 never arrived" in sp.hint.text()


def test_cancelling_the_approval_changes_nothing(qtbot, county, stores, home, monkeypatch):
    station = link_station(county, stores, "WP01", trainees_=5)
    exchange.import_file(county, send(station, home / "usb"))
    panel = open_panel(qtbot, county)
    sp = stations_panel(panel)
    sp.select("WP01")
    monkeypatch.setattr(ApproveDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    qtbot.mouseClick(sp.approve_button, LEFT)
    assert sp.task is None
    assert not county.scalar("SELECT approved FROM station WHERE code = 'WP01'")
    assert sp.model.row(0)["state"] == "waiting"


# -- duplicates -------------------------------------------------------------------------------
def test_a_person_registered_at_two_stations_is_merged_through_the_panel(
        qtbot, county, stores, home, messages):
    usb = home / "usb"
    number = idcard.make("411025", dt.date(1979, 3, 8), 17, "M")
    wp = link_station(county, stores, "WP01", trainees_=10, seed=1)
    zz = link_station(county, stores, "ZZ02", trainees_=10, seed=2)
    a = trainees.register(wp, Trainee(name="张重名", id_number=number, village="王坪村"))
    b = trainees.register(zz, Trainee(name="张重名", id_number=number, village="张庄村"))
    for st in (wp, zz):
        exchange.import_file(county, send(st, usb))
        code = st.get_meta("station_code")
        assert [r.status for r in exchange.approve(county, code)] == ["applied"]

    panel = open_panel(qtbot, county)
    dp = panel.show_section("duplicates")
    keys = [g["key"] for g in dp.groups.rows() if {m["id"] for m in g["members"]} & {a, b}]
    assert len(keys) == 1
    dp.group_table.selectRow(dp.groups.row_of(keys[0]))
    assert dp.members.rowCount() == 2
    members = {dp.members.row(i)["id"]: row_texts(dp.members, i) for i in range(2)}
    assert members[a][:2] == ["张重名", "WP01 WP01服务站"]
    assert members[b][1].startswith("ZZ02")
    assert members[b][column(dp.members, "village")] == "张庄村"
    assert members[a][column(dp.members, "birth_date")] == "Mar 8, 1979"
    assert not dp.merge_button.isEnabled()  # the record to keep is chosen first
    dp.select_member(a)
    assert dp.merge_button.isEnabled()
    before = dp.group_count()

    with qtbot.waitSignal(dp.changed):
        qtbot.mouseClick(dp.merge_button, LEFT)
    assert messages and messages[0][0] == "question" and "same person" in messages[0][1]
    assert not [g for g in persons.duplicates(county) if {m["id"] for m in g} & {a, b}]
    assert dp.group_count() == before - 1
    assert keys[0] not in [g["key"] for g in dp.groups.rows()]
    assert "travels to the stations with the next county bundle" in dp.done.text()
    merge = county.row("SELECT merged_id, into_id FROM person_merge")
    assert (merge["merged_id"], merge["into_id"]) == (b, a)

    # the merged record says so in the county's trainee list
    view = panel.show_section("trainees")
    view.search.setText("张重名")
    view.apply_filter()
    notes = {r["id"]: view.model.display(r, "note") for r in view.model.rows()}
    assert notes[b].startswith("Same person as") and "WP01" in notes[b] and notes[a] == ""

    # and it travels: the next county bundle carries it to the stations
    path, manifest = exchange.export(county, usb)
    assert manifest["counts"]["person_merge"] == 1


# -- county-wide views ------------------------------------------------------------------------
@pytest.fixture
def network(county, stores, home):
    """Two approved stations with demo data, certificates issued, all imported."""
    usb = home / "usb"
    stations = {}
    for code, seed in (("WP01", 1), ("ZZ02", 2)):
        st = link_station(county, stores, code, trainees_=30, seed=seed)
        for row in classes.list_all(st):
            if row["status"] == "finished":
                try:
                    certificates.issue(st, row["id"], today=dt.date(2025, 6, 2))
                except Exception:  # noqa: BLE001 - a class no one completed
                    continue
        exchange.import_file(county, send(st, usb))
        exchange.approve(county, code)
        stations[code] = st
    return stations


def test_county_views_show_every_stations_records_read_only(qtbot, county, network):
    window = open_panel(qtbot, county)
    assert section_titles(window) == COUNTY_SECTIONS
    assert not window.findChildren(QPushButton, "add_trainee")  # no Register at the county
    trainees_view = window.page("trainees")
    assert not trainees_view.model.loaded  # nothing read until the section is shown
    window.show_section("trainees")
    model = trainees_view.model
    assert model.loaded and model.rowCount() == 60
    assert trainees_view.count.text() == "60 trainees"
    station_col = column(model, "station_code")
    codes = {model.index(i, station_col).data() for i in range(model.rowCount())}
    assert codes == {"WP01", "ZZ02"}
    # ID numbers masked
    id_col = column(model, "id_number")
    shown_ids = [model.index(i, id_col).data() for i in range(model.rowCount())]
    assert all("*" in s for s in shown_ids if s)
    # and the birth dates they hide (the full roster report gives both, after a warning)
    birth_col = column(model, "birth_date")
    assert {model.index(i, birth_col).data() for i in range(model.rowCount())} == {"****-**-**"}
    # read-only: no cell is editable, no register, edit or remove buttons
    for i in range(model.rowCount()):
        for c in range(model.columnCount()):
            assert not model.flags(model.index(i, c)) & Qt.ItemFlag.ItemIsEditable
    assert not trainees_view.findChildren(QPushButton)
    assert "read-only" in trainees_view.note.text()

    # filter to one station, then search as at a station
    trainees_view.station.setCurrentIndex(trainees_view.station.findData(
        network["ZZ02"].site_id))
    assert model.rowCount() == 30
    assert {model.index(i, station_col).data() for i in range(30)} == {"ZZ02"}
    someone = model.row(0)
    trainees_view.search.setText(someone["name"])
    trainees_view.apply_filter()
    assert 1 <= model.rowCount() <= 30
    assert all(someone["name"] in model.row(i)["name"] for i in range(model.rowCount()))
    trainees_view.station.setCurrentIndex(0)
    trainees_view.search.clear()
    trainees_view.apply_filter()
    assert model.rowCount() == 60

    # another bundle of a station: the views read again
    wp = network["WP01"]
    trainees.register(wp, Trainee(
        name="新来的", id_number=idcard.make("411025", dt.date(1988, 8, 8), 51, "F"),
        village="王坪村"))
    assert exchange.import_file(county, send(wp, county.path.parent / "usb")).status == \
        "applied"
    trainees_view.refresh()
    assert model.rowCount() == 61 and trainees_view.count.text() == "61 trainees"
    assert "新来的" in {r["name"] for r in model.rows()}

    # sorting by a header click re-reads in the source's order
    model.sort(column(model, "code"), Qt.SortOrder.DescendingOrder)
    shown_codes = [model.row(i)["code"] for i in range(model.rowCount())]
    assert shown_codes == sorted(shown_codes, reverse=True)

    # classes of both stations with their enrolled counts, no action on them
    classes_view = window.show_section("classes")
    assert not classes_view.findChildren(QPushButton)
    cmodel = classes_view.model
    expected = sum(len(classes.list_all(st)) for st in network.values())
    assert cmodel.rowCount() == expected
    for st in network.values():
        for c in classes.list_all(st):
            found = [r for r in cmodel.rows() if r["id"] == c["id"]]
            assert len(found) == 1 and found[0]["enrolled"] == c["enrolled"]
            assert found[0]["station_code"] == st.get_meta("station_code")
    assert not cmodel.flags(cmodel.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    classes_view.station.setCurrentIndex(classes_view.station.findData(
        network["WP01"].site_id))
    assert cmodel.rowCount() == len(classes.list_all(network["WP01"]))
    assert {r["station_code"] for r in cmodel.rows()} == {"WP01"}

    # certificates of both stations, with status; checking one is the only action
    cv = window.show_section("certificates")
    assert {b.objectName() for b in cv.findChildren(QPushButton)} == {"county_verify"}
    issued = {code: certificates.register(st) for code, st in network.items()}
    assert cv.model.rowCount() == sum(len(v) for v in issued.values()) > 0
    assert {r["station_code"] for r in cv.model.rows()} == {
        code for code, v in issued.items() if v}
    status_col = column(cv.model, "status")
    assert {cv.model.index(i, status_col).data() for i in range(cv.model.rowCount())} == {
        "Valid"}
    serial = cv.model.row(0)["serial"]
    cv.search.setText(serial)
    cv.apply_filter()
    assert cv.model.rowCount() == 1 and cv.model.row(0)["serial"] == serial


def test_pinyin_search_finds_trainees_across_stations(qtbot, county, stores, home):
    """The same search as at a station: initials and full pinyin find 王小明 at two stations,
    and the station filter keeps one of them."""
    usb = home / "usb"
    found_at = {}
    for code, day in (("WP01", 7), ("ZZ02", 9)):
        st = link_station(county, stores, code, trainees_=5, seed=day)
        found_at[code] = trainees.register(st, Trainee(
            name="王小明", id_number=idcard.make("411025", dt.date(1990, 3, day), 1, "M"),
            village="王坪村"))
        exchange.import_file(county, send(st, usb))
        exchange.approve(county, code)
    window = open_panel(qtbot, county)
    view = window.show_section("trainees")
    for typed in ("wxm", "wangxiaoming"):
        view.search.setText(typed)
        view.apply_filter()
        rows = view.model.rows()
        assert {r["id"] for r in rows} >= set(found_at.values()), typed
        assert all(r["name"] == "王小明" for r in rows if r["id"] in found_at.values())
        assert {r["station_code"] for r in rows if r["name"] == "王小明"} == {"WP01", "ZZ02"}
    zz = next(r for r in view.model.rows() if r["id"] == found_at["ZZ02"])
    view.station.setCurrentIndex(view.station.findText("ZZ02", Qt.MatchFlag.MatchStartsWith))
    assert [r["id"] for r in view.model.rows() if r["name"] == "王小明"] == [zz["id"]]
    view.search.setText("nobody-like-this")
    view.apply_filter()
    assert view.model.rowCount() == 0
    assert view.count.text() == "0 trainees"
    assert view.empty_hint.text() == "Nothing matches the search and the station chosen."


def test_an_empty_county_says_what_to_do(qtbot, county):
    window = open_panel(qtbot, county)
    for name in ("trainees", "classes", "certificates"):
        view = window.show_section(name)
        assert view.model.rowCount() == 0
        assert "import them in the Imports section" in view.empty_hint.text()
    overview = window.page("overview")
    while overview.task is not None:
        with qtbot.waitSignal(overview.task.ended, timeout=60_000):
            pass
    assert overview.silent.text().startswith("No station in the register yet")
    assert overview.charts["station"].empty_text == "Nobody trained in this period."
    duplicates = window.show_section("duplicates")
    assert duplicates.group_count() == 0
    assert duplicates.member_label.text().startswith("Nothing to merge")


def test_withdrawn_certificate_shows_at_the_county_and_filters(qtbot, county, network, home):
    code, st = next((c, s) for c, s in network.items() if certificates.register(s))
    serial = certificates.register(st)[0]["serial"]
    certificates.revoke(st, serial, "issued by mistake")
    assert exchange.import_file(county, send(st, home / "usb")).status == "applied"
    window = open_panel(qtbot, county)
    cv = window.show_section("certificates")
    cv.status.setCurrentIndex(cv.status.findData("withdrawn"))
    assert [r["serial"] for r in cv.model.rows()] == [serial]
    row = cv.model.row(0)
    assert cv.model.display(row, "note") == "Withdrawn: issued by mistake"
    assert row["station_code"] == code
    cv.status.setCurrentIndex(cv.status.findData("valid"))
    assert serial not in [r["serial"] for r in cv.model.rows()]


def test_verify_a_stations_certificate_at_the_county(qtbot, county, network, monkeypatch):
    st = next(s for s in network.values() if certificates.register(s))
    cert = certificates.register(st)[0]
    checked: list = []

    def check_one(dialog) -> int:
        dialog.input.setText(cert["qr_text"])
        dialog.check()
        checked.append(dialog.panel.headline_text())
        return 0

    monkeypatch.setattr(VerifyDialog, "exec", check_one)
    window = open_panel(qtbot, county)
    cv = window.show_section("certificates")
    assert cv.verify_button.isVisible()
    qtbot.mouseClick(cv.verify_button, LEFT)
    assert checked == ["Genuine"]


def test_sections_grab_without_clipping(qtbot, county, network, home):
    """Every section renders at a modest size (what a reviewer checks in the PNGs)."""
    window = open_panel(qtbot, county)
    window.resize(1100, 700)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        image = window.grab()
        assert not image.isNull()
        assert image.save(str(home / f"county-{index}.png"))
    sp = stations_panel(window)
    for button in (sp.add_button, sp.pack_button, sp.approve_button):
        assert button.width() >= button.sizeHint().width()


def test_language_switch_retranslates_live(qtbot, county, network):
    from trainer_app.ui import language

    window = open_panel(qtbot, county)
    view = window.show_section("trainees")
    model = view.model
    name_col = column(model, "name")
    assert model.headerData(name_col, Qt.Orientation.Horizontal) == "Name"
    try:
        language.apply("zh_CN")
        assert model.headerData(name_col, Qt.Orientation.Horizontal) != "Name"
        assert window.tabs.tabText(0) != "Overview"
    finally:
        language.apply("en")
    assert section_titles(window) == COUNTY_SECTIONS
    assert stations_panel(window).add_button.text() == "&Add station…"
    assert view.station.itemText(0) == "All stations"


def test_county_certificates_have_a_class_column_and_a_class_filter(qtbot, county, network):
    code, st = next((c, s) for c, s in network.items()
                    if len({r["class_id"] for r in certificates.register(s)}) >= 2)
    issued = certificates.register(st)
    titles = {c["id"]: c["title"] for c in classes.list_all(st)}
    window = open_panel(qtbot, county)
    cv = window.show_section("certificates")
    class_col = column(cv.model, "class_title")
    shown = {cv.model.row(r)["serial"]: cv.model.index(r, class_col).data()
             for r in range(cv.model.rowCount())}
    assert all(shown[c["serial"]] == titles[c["class_id"]] for c in issued)
    # the class box holds a station's classes once a station is chosen
    assert not cv.class_filter.isEnabled() and cv.class_filter.count() == 1
    assert "Choose a station first" in cv.class_filter.toolTip()
    cv.station.setCurrentIndex(cv.station.findData(st.site_id))
    assert cv.class_filter.isEnabled()
    assert cv.class_filter.toolTip() == ""  # no longer asks for what was done
    with_certificates = sorted({c["class_id"] for c in issued})
    assert sorted(cv.class_filter.itemData(i) for i in range(1, cv.class_filter.count())) == \
        with_certificates
    cv.class_filter.setFocus()
    qtbot.keyClick(cv.class_filter, Qt.Key.Key_Down)  # the first class
    chosen = cv.class_filter.currentData()
    assert chosen and cv.class_filter.currentText().startswith(titles[chosen])
    assert sorted(r["serial"] for r in cv.model.rows()) == sorted(
        c["serial"] for c in issued if c["class_id"] == chosen)
    assert {cv.model.display(r, "class_title") for r in cv.model.rows()} == {titles[chosen]}
    # another station: its own classes, none chosen
    other = next(s for c, s in network.items() if c != code)
    cv.station.setCurrentIndex(cv.station.findData(other.site_id))
    assert cv.class_filter.currentData() is None
    assert {r["station_code"] for r in cv.model.rows()} <= {c for c in network if c != code}


def test_courses_a_bundle_brings_show_in_the_courses_section_at_once(
        qtbot, county, stores, home, messages, monkeypatch):
    """The Courses section lists the stations' local courses: an approval (or an import) that
    applies a bundle shows them there without leaving the section or restarting."""
    usb = home / "usb"
    station = link_station(county, stores, "WP01", trainees_=5, seed=4)
    courses.add(station, Course("WP-L1", "村播实训", "直播电商", "", 6.0))
    assert exchange.import_file(county, send(station, usb)).status == "pending"
    window = open_panel(qtbot, county)
    page = window.show_section("courses")
    shown = lambda: {page.model.row(i)["code"] for i in range(page.model.rowCount())}  # noqa: E731
    assert "WP-L1" not in shown()
    sp = stations_panel(window)
    sp.select("WP01")
    monkeypatch.setattr(ApproveDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(ApprovedDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    with qtbot.waitSignal(sp.changed, timeout=TASK_TIMEOUT):
        qtbot.mouseClick(sp.approve_button, LEFT)
    qtbot.waitUntil(lambda: sp.task is None, timeout=TASK_TIMEOUT)
    assert "WP-L1" in shown()
