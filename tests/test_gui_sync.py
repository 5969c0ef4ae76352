"""The Sync section through its real widgets, between real databases and real bundle files.

County: import a folder of bundles through the folder dialog and read the report (applied,
already imported, waiting for approval, rejected with its reason, the gaps per station);
bundles dropped onto the page; an inbox folder watched while the program runs. Station: link
with a county pack through the button, send a bundle to a folder or a detected drive and see it
in the history, upload to a hub that does not answer (and to one that does), import the
county's bundle. Removable drives are told apart on made-up volume lists."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from trainer_app import i18n
from trainer_app.services import demo
from trainer_app.store import Store
from trainer_app.store import sync as sync_q
from trainer_app.sync import exchange, hub, site
from trainer_app.ui import ask, language
from trainer_app.ui.county.imports import ImportsPage
from trainer_app.ui.sync import drives, prefs
from trainer_app.ui.sync.drives import Drive, Volume
from trainer_app.ui.sync.fingerprint import fingerprint_groups
from trainer_app.ui.sync.import_panel import ImportPanel
from trainer_app.ui.sync.page import SyncPage

LEFT = Qt.MouseButton.LeftButton
TIMEOUT = 30_000
SHOTS = os.environ.get("TRAINER_SHOTS")  # a folder: the page grabs are kept there to look at


@dataclass
class Network:
    root: Path
    county: Store
    stations: dict[str, Store] = field(default_factory=dict)

    def link(self, code: str, seed: int, trainees: int = 15) -> Store:
        pack = site.write_pack(self.county, code, self.root / f"{code}.trpack",
                               station_name=f"{code} station")
        s = Store(self.root / f"{code}.db", create=True)
        site.setup_station(s, pack)
        demo.fill(s, trainees=trainees, seed=seed)
        self.stations[code] = s
        return s

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(exist_ok=True)
        return path

    def approve(self, *codes: str) -> None:
        """Each station's first bundle reaches the county, which approves the station."""
        first = self.folder("first")
        for code in codes:
            exchange.export(self.stations[code], first)
        assert {r.status for r in exchange.import_many(self.county, [first])} == {"pending"}
        for code in codes:
            assert [r.status for r in exchange.approve(self.county, code)] == ["applied"]


@pytest.fixture
def net(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    i18n.set_language("en")
    county = Store(tmp_path / "county.db", create=True)
    site.setup_county(county, "XC", "Xiangcheng County Service Center")
    with county.transaction():
        demo._courses(county)
    network = Network(tmp_path, county)
    yield network
    for s in network.stations.values():
        s.close()
    county.close()


@pytest.fixture
def messages(monkeypatch):
    shown: list[tuple[str, str]] = []

    def record(kind):
        def box(_parent, _title, text, *args, **kwargs):
            shown.append((kind, text))
            return QMessageBox.StandardButton.Ok
        return box

    for kind in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return shown


def no_drives(monkeypatch, found: list[Drive] | None = None) -> None:
    monkeypatch.setattr(drives, "removable_drives", lambda: list(found or []))


def choose_folder(monkeypatch, folder: Path | None) -> list[str]:
    asked: list[str] = []

    def chooser(_parent, title, *args, **kwargs):
        asked.append(title)
        return "" if folder is None else str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", chooser)
    return asked


def open_page(qtbot, store: Store) -> SyncPage:
    page = SyncPage(store)
    qtbot.addWidget(page)
    page.resize(1100, 680)
    page.show()
    return page


def open_imports(qtbot, store: Store) -> ImportsPage:
    """The county's Imports section."""
    page = ImportsPage(store)
    qtbot.addWidget(page)
    page.resize(1100, 680)
    page.show()
    return page


def rows_by_file(panel: ImportPanel) -> dict[str, dict]:
    model = panel.report.model
    out = {}
    for i in range(model.rowCount()):
        cells = [model.index(i, c).data() for c in range(model.columnCount())]
        headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(
            model.columnCount())]
        out[cells[0]] = dict(zip(headers, cells, strict=True))
    return out


def wait_import(qtbot, panel: ImportPanel, rows: int) -> None:
    qtbot.waitUntil(
        lambda: not panel.is_busy() and panel.report.model.rowCount() >= rows, timeout=TIMEOUT)


def grab(widget, tmp_path: Path, name: str) -> Path:
    for _ in range(5):  # nested layouts settle over a few rounds of posted events
        QApplication.processEvents()
    path = tmp_path / f"{name}.png"
    assert widget.grab().save(str(path))
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS) / path.name)
    return path


def flip_byte(path: Path, from_end: int = 40) -> None:
    data = bytearray(path.read_bytes())
    data[-from_end] ^= 0x01
    path.write_bytes(bytes(data))


# -- the county ----------------------------------------------------------------------------------


def test_county_imports_a_folder_through_the_dialog(qtbot, net, messages, monkeypatch,
                                                    tmp_path):
    wp, zz = net.link("WP01", 1), net.link("ZZ02", 2)
    net.approve("WP01", "ZZ02")
    qt = net.link("QT03", 3, trainees=5)  # linked, not approved yet
    usb, aside = net.folder("usb"), net.folder("aside")
    exchange.export(wp, aside)  # WP01's bundle 2 never reaches the county: a gap
    demo.fill(wp, trainees=4, seed=5)  # new records at WP01
    exchange.export(wp, usb, full=True)  # bundle 3
    exchange.export(zz, usb)  # bundle 2
    shutil.copy(net.root / "first" / "ZZ02-00001.trbundle", usb)  # already imported
    tampered, _m = exchange.export(zz, aside, full=True)  # bundle 3, altered on the way
    flip_byte(tampered)
    shutil.copy(tampered, usb)
    exchange.export(qt, usb)
    before = net.county.scalar("SELECT count(*) FROM trainee")

    page = open_imports(qtbot, net.county)
    assert page.acceptDrops()
    asked = choose_folder(monkeypatch, usb)
    with qtbot.waitSignal(page.changed, timeout=TIMEOUT):
        qtbot.mouseClick(page.importer.folder_button, LEFT)
    wait_import(qtbot, page.importer, 5)
    assert asked and messages == []

    rows = rows_by_file(page.importer)
    assert set(rows) == {"QT03-00001.trbundle", "WP01-00003-full.trbundle",
                         "ZZ02-00001.trbundle", "ZZ02-00002.trbundle",
                         "ZZ02-00003-full.trbundle"}
    assert rows["WP01-00003-full.trbundle"]["Result"] == "applied"
    assert rows["WP01-00003-full.trbundle"]["Station"] == "WP01"
    assert rows["WP01-00003-full.trbundle"]["Bundle no."] == "3"
    assert rows["WP01-00003-full.trbundle"]["New"] != "0"
    totals = page.importer.report.totals.text()
    assert "New: 4 trainees" in totals and "already up to date" in totals
    assert rows["ZZ02-00002.trbundle"]["Result"] == "applied"
    assert rows["ZZ02-00001.trbundle"]["Result"] == "already imported"
    assert rows["QT03-00001.trbundle"]["Result"] == "waiting for approval"
    assert rows["QT03-00001.trbundle"]["Reason"] == "the station's key is waiting for approval"
    bad = rows["ZZ02-00003-full.trbundle"]
    assert bad["Result"] == "rejected" and bad["Station"] == "ZZ02"
    report = next(r for r in page.importer.report.reports() if r.file == tampered.name)
    assert report.reason in ("damaged", "forged")
    assert bad["Reason"] == exchange.reason_text(report.reason) and bad["Reason"]
    assert bad["New"] == "" and bad["Changed"] == ""

    summary = page.importer.report.summary.text()
    assert summary.startswith("5 files:")
    for part in ("2 applied", "1 already imported", "1 waiting for approval", "1 rejected"):
        assert part in summary
    assert "WP01: bundle 2 missing" in page.importer.report.gaps.text()
    assert "ZZ02" not in page.importer.report.gaps.text()
    assert "Imported from" in page.importer.report.heading.text()
    # the records arrived; the tampered bundle changed nothing
    assert net.county.scalar("SELECT count(*) FROM trainee") == before + 4
    assert net.county.scalar(
        "SELECT count(*) FROM bundle_in WHERE sender_code = 'ZZ02' AND seq = 3") == 0
    assert net.county.scalar(
        "SELECT count(*) FROM bundle_in WHERE sender_code = 'WP01' AND seq = 3") == 1
    grab(page, tmp_path, "sync_county_report")

    # the same folder again: everything already imported, nothing new
    with qtbot.assertNotEmitted(page.changed, wait=200):
        qtbot.mouseClick(page.importer.folder_button, LEFT)
        qtbot.waitUntil(lambda: page.importer.is_busy(), timeout=TIMEOUT)
        wait_import(qtbot, page.importer, 5)
    summary = page.importer.report.summary.text()
    assert "0 applied" in summary and "3 already imported" in summary


def test_bundles_dropped_onto_the_page_are_imported(qtbot, net, messages, tmp_path):
    wp = net.link("WP01", 1)
    net.approve("WP01")
    usb = net.folder("usb")
    exchange.export(wp, usb, full=True)
    note = net.root / "notes.txt"
    note.write_text("not a bundle")
    page = open_imports(qtbot, net.county)

    def drag(urls: list[Path]) -> tuple[QMimeData, QDragEnterEvent]:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(u)) for u in urls])
        enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, LEFT,
                                Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(page, enter)
        return mime, enter

    _mime, enter = drag([note])
    assert not enter.isAccepted()  # nothing to import there: refused at once

    mime, enter = drag([usb, note])
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, LEFT,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(page.changed, timeout=TIMEOUT):
        QApplication.sendEvent(page, drop)
    assert drop.isAccepted()
    wait_import(qtbot, page.importer, 1)
    rows = rows_by_file(page.importer)
    assert list(rows) == ["WP01-00002-full.trbundle"]
    assert rows["WP01-00002-full.trbundle"]["Result"] == "applied"
    assert "dropped" in page.importer.report.heading.text()
    assert messages == []


def test_an_import_can_be_stopped(qtbot, net, messages, monkeypatch):
    wp = net.link("WP01", 1)
    net.approve("WP01")
    usb = net.folder("usb")
    for _ in range(4):
        exchange.export(wp, usb, full=True)
    real = exchange.import_file

    def slow(*args, **kwargs):
        import time

        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(exchange, "import_file", slow)
    page = open_imports(qtbot, net.county)
    panel = page.importer
    panel.import_paths([usb], "folder")
    qtbot.waitUntil(lambda: panel.progress.value() >= 1, timeout=TIMEOUT)
    assert panel.progress_row.isVisible() and panel.progress.maximum() == 4
    qtbot.mouseClick(panel.stop_button, LEFT)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=TIMEOUT)
    assert not panel.progress_row.isVisible()
    done = panel.report.model.rowCount()
    assert 1 <= done < 4
    assert f"stopped after {done} of 4 files" in panel.report.heading.text()
    assert {r["Result"] for r in rows_by_file(panel).values()} == {"applied"}
    assert messages == []


def test_inbox_folder_is_watched(qtbot, net, messages, monkeypatch):
    wp = net.link("WP01", 1)
    net.approve("WP01")
    out = net.folder("out")
    second, _m = exchange.export(wp, out)
    third, _m = exchange.export(wp, out, full=True)
    inbox = net.folder("inbox")
    page = open_imports(qtbot, net.county)
    panel = page.importer
    panel.watcher.stable_s = 0.3
    panel.watcher.set_poll_ms(200)
    choose_folder(monkeypatch, inbox)
    panel.watch_check.click()  # no folder yet: the chooser opens, then watching starts
    assert panel.watch_check.isChecked() and panel.watcher.folder == inbox
    assert panel.inbox_edit.text() == str(inbox)
    assert "Watching" in panel.watch_status.text()
    assert prefs.get_bool(prefs.INBOX_WATCH) and prefs.get(prefs.INBOX_DIR) == str(inbox)

    # a file copied in: imported once it is complete
    with qtbot.waitSignal(page.changed, timeout=TIMEOUT):
        shutil.copy(second, inbox)
    wait_import(qtbot, panel, 1)
    assert rows_by_file(panel)["WP01-00002.trbundle"]["Result"] == "applied"
    assert "inbox" in panel.report.heading.text()

    # a file still being copied is not read half-written
    data = third.read_bytes()
    target = inbox / third.name
    target.write_bytes(data[: len(data) // 2])
    assert panel.watcher.scan() == []  # seen for the first time: not stable yet
    with target.open("ab") as fh:
        fh.write(data[len(data) // 2:])
    wait_import(qtbot, panel, 2)
    rows = rows_by_file(panel)
    assert rows[third.name]["Result"] == "applied"  # not "rejected: incomplete"
    assert len(rows) == 2  # the inbox's imports add up in one report
    qtbot.wait(600)  # polls go on: a file already imported is not imported again
    assert panel.report.model.rowCount() == 2 and not panel.is_busy()

    # watching resumes when the program starts again; what is there was imported before
    again = ImportPanel(net.county)
    qtbot.addWidget(again)
    assert again.watch_check.isChecked() and again.watcher.folder == inbox
    again.watcher.stable_s = 0.3
    wait_import(qtbot, again, 2)
    assert {r["Result"] for r in rows_by_file(again).values()} == {"already imported"}
    again.watch_check.click()
    assert not again.watcher.is_watching() and not prefs.get_bool(prefs.INBOX_WATCH)
    assert messages == []


def test_a_new_database_can_become_the_county_center(qtbot, tmp_path, messages, monkeypatch):
    i18n.set_language("en")
    store = Store(tmp_path / "new.db", create=True)
    try:
        page = open_page(qtbot, store)
        assert page.tabs.count() == 2 and page.setup is not None
        page.setup.code.setText("XC")
        page.setup.name.setText("Xiangcheng County Service Center")
        warned: list[str] = []
        monkeypatch.setattr(ask, "confirm", lambda _p, _t, text: warned.append(text) or True)
        with qtbot.waitSignal(page.changed, timeout=TIMEOUT):
            qtbot.mouseClick(page.setup.button, LEFT)
        assert site.role(store) == "county"  # the window now opens the county's sections
        assert messages == [] and "can never be a village station" in warned[0]
    finally:
        store.close()


def test_switching_language_keeps_what_is_shown(qtbot, net, messages):
    wp = net.link("WP01", 1)
    net.approve("WP01")
    usb = net.folder("usb")
    exchange.export(wp, usb)
    county_page = open_imports(qtbot, net.county)
    station_page = open_page(qtbot, wp)
    county_page.importer.import_paths([usb], "folder")
    wait_import(qtbot, county_page.importer, 1)
    try:
        language.apply("zh_CN")
        assert i18n.language() == "zh_CN"
        assert county_page.importer.report.model.rowCount() == 1
        assert county_page.importer.report.summary.text().startswith("1 ")
        assert station_page.station.history.rowCount() == 2
        assert station_page.station.fingerprint.text().split() == site.own_fingerprint(
            wp).split("-")
    finally:
        language.apply("en")
    assert county_page.importer.folder_button.text() == "Import a &folder…"
    assert rows_by_file(county_page.importer)["WP01-00002.trbundle"]["Result"] == "applied"
    assert messages == []


# -- the station ---------------------------------------------------------------------------------


def test_station_links_sends_and_keeps_history(qtbot, net, messages, monkeypatch, tmp_path):
    pack = site.write_pack(net.county, "WP01", net.root / "WP01.trpack", station_name="Wangpo")
    station = Store(net.root / "WP01.db", create=True)
    net.stations["WP01"] = station
    no_drives(monkeypatch)
    page = open_page(qtbot, station)
    panel = page.station
    assert panel is not None and not page.acceptDrops()
    assert panel.link_button.isVisible() and not panel.fingerprint.isVisible()
    assert not panel.send_box.isEnabled() and "not linked" in panel.link_text.text()

    # a new database: linking as a station, or setting up the county center
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
        "Link this station", "County center"]

    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: (str(pack), ""))
    with qtbot.waitSignal(page.changed, timeout=TIMEOUT):
        qtbot.mouseClick(panel.link_button, LEFT)
    assert site.role(station) == "station"
    qtbot.waitUntil(lambda: page.tabs is None)  # a station now: its part only
    assert page.station is panel and page.setup is None and panel.isVisible()
    assert "Xiangcheng County Service Center" in panel.link_text.text()
    assert "WP01" in panel.link_text.text()
    assert panel.fingerprint.isVisible() and not panel.link_button.isVisible()
    assert panel.fingerprint.text() == fingerprint_groups(site.own_fingerprint(station))
    assert panel.fingerprint.text().split() == site.own_fingerprint(station).split("-")
    assert "Read these groups aloud" in panel.fingerprint_hint.text()
    assert panel.send_box.isEnabled()

    demo.fill(station, trainees=12, seed=4)
    page.refresh()
    assert "Nothing has been sent yet" in panel.pending_label.text()
    # no drive plugged in: the list offers a folder to choose
    assert panel.dest_combo.count() == 1 and panel.dest_combo.currentData() is None
    usb = net.folder("usb")
    asked = choose_folder(monkeypatch, usb)
    qtbot.mouseClick(panel.send_button, LEFT)
    qtbot.waitUntil(lambda: panel.export_task is None, timeout=TIMEOUT)
    assert asked and messages == []
    written = usb / "WP01-00001.trbundle"
    assert written.is_file()
    assert exchange.inspect(written)["counts"]["trainee"] == 12
    text = panel.send_result.text()
    assert "Bundle 1 was written and checked" in text and str(written) in text
    assert "12 trainees" in text and "classes" in text
    assert prefs.get(prefs.EXPORT_DIR) == str(usb)
    assert "Nothing changed since bundle 1" in panel.pending_label.text()
    hist = panel.history
    assert hist.rowCount() == 1
    assert hist.index(0, 0).data() == "1"
    assert hist.index(0, 2).data() == "changes"
    assert "12 trainees" in hist.index(0, 3).data()
    assert hist.index(0, 4).data() == "written, not yet at the county"
    assert hist.index(0, 5).data() == written.name

    # a USB stick plugged in is offered first, and chosen without asking
    stick = net.folder("stick")
    no_drives(monkeypatch, [Drive(str(stick), "KINGSTON", free=8 << 30)])
    panel.refresh_destinations()
    assert panel.dest_combo.currentData() == str(stick)
    assert "KINGSTON" in panel.dest_combo.currentText()
    assert "removable drive" in panel.dest_combo.currentText()
    assert [panel.dest_combo.itemData(i) for i in range(panel.dest_combo.count())] == [
        str(stick), str(usb), None]
    asked.clear()
    panel.full_check.setChecked(True)
    qtbot.mouseClick(panel.send_button, LEFT)
    qtbot.waitUntil(lambda: panel.export_task is None, timeout=TIMEOUT)
    assert asked == []
    assert (stick / "WP01-00002-full.trbundle").is_file()
    assert hist.rowCount() == 2 and hist.index(0, 2).data() == "everything"
    assert not panel.full_check.isChecked()  # a full bundle is asked for each time
    grab(page, tmp_path, "sync_station_sent")

    # the county imports and approves; its bundle brings the receipt back
    exchange.import_many(net.county, [usb])
    exchange.approve(net.county, "WP01")
    county_out = net.folder("county_out")
    county_bundle, _m = exchange.export(net.county, county_out)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        lambda *a, **k: ([str(county_bundle)], ""))
    qtbot.mouseClick(panel.county_button, LEFT)
    qtbot.waitUntil(lambda: "applied" in panel.county_result.text(), timeout=TIMEOUT)
    assert county_bundle.name in panel.county_result.text()
    assert hist.index(1, 4).data() == "the county has it"  # bundle 1
    assert hist.index(0, 4).data() == "written, not yet at the county"  # bundle 2
    assert "approved" in panel.fingerprint_hint.text()
    assert messages == []


LOCAL_TABLES = ("trainee", "training_class", "lesson", "enrollment", "attendance", "certificate",
                "revocation")


def answer_questions(monkeypatch, button) -> list[str]:
    """Every other message box as in ``messages``; questions answered with ``button``."""
    asked: list[str] = []

    def question(_parent, _title, text, *args, **kwargs):
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_a_demo_station_is_linked_after_the_question(qtbot, net, messages, monkeypatch):
    """The program's first start made a demo station; the operator links it to the county:
    asked, they answer Yes and the demo's records are gone before anything can be sent."""
    pack = site.write_pack(net.county, "WP01", net.root / "WP01.trpack", station_name="Wangpo")
    station = Store(net.root / "WP01.db", create=True)
    net.stations["WP01"] = station
    demo.fill(station, trainees=30, seed=2)
    no_drives(monkeypatch)
    page = open_page(qtbot, station)
    panel = page.station
    # says what is true: a demo station, its county only an example, not linked
    assert "demo station" in panel.link_text.text() and "not linked" in panel.link_text.text()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(pack), ""))

    # No: nothing changes, the station stays unlinked
    before = list(sync_q.content_digest_rows(station))
    asked = answer_questions(monkeypatch, QMessageBox.StandardButton.No)
    qtbot.mouseClick(panel.link_button, LEFT)
    assert asked == [
        "This database holds the demo station's practice records. Linking to the county "
        "removes them (your own records entered since are removed too). Continue?"]
    assert site.role(station) == "" and site.holds_demo(station)
    assert list(sync_q.content_digest_rows(station)) == before
    assert station.scalar("SELECT count(*) FROM trainee") == 30
    assert panel.link_button.isVisible()

    # Yes: linked, and the demo's records are gone
    asked = answer_questions(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(page.changed, timeout=TIMEOUT):
        qtbot.mouseClick(panel.link_button, LEFT)
    assert len(asked) == 1
    assert site.role(station) == "station" and not site.holds_demo(station)
    for table in LOCAL_TABLES:
        assert station.scalar(f"SELECT count(*) FROM {table}") == 0, table
    assert station.scalar("SELECT count(*) FROM course WHERE origin = ?",
                          [station.site_id]) == 0
    assert station.scalar("SELECT count(*) FROM course") == len(demo.COURSES)  # the county's
    assert station.get_meta("station_name") == "Wangpo"
    qtbot.waitUntil(lambda: page.tabs is None)
    assert "Wangpo" in panel.link_text.text() and demo.STATION_NAME not in panel.link_text.text()
    assert "Nothing has been sent yet" in panel.pending_label.text()

    usb = net.folder("usb")
    choose_folder(monkeypatch, usb)
    qtbot.mouseClick(panel.send_button, LEFT)
    qtbot.waitUntil(lambda: panel.export_task is None, timeout=TIMEOUT)
    counts = exchange.inspect(usb / "WP01-00001.trbundle")["counts"]
    assert {k: n for k, n in counts.items() if n} == {"site_key": 2}  # signing and rebuild keys
    assert messages == []


def test_bundles_the_county_lost_are_written_again_and_said(qtbot, net, messages, monkeypatch,
                                                            tmp_path):
    """The county was put back to a backup older than the station's bundles: the county's next
    bundle says so, and "Send to county" writes them again beside the new one."""
    from trainer_app.services import backup, restore

    station = net.link("WA01", seed=6, trainees=6)
    county_backup = backup.create(net.county)  # before anything of WA01's was applied
    net.approve("WA01")
    usb = net.folder("usb")
    exchange.import_file(net.county, exchange.export(station, usb)[0])  # 2
    exchange.import_file(station, exchange.export(net.county, usb)[0])  # confirms 1 and 2
    path = net.county.path
    net.county.close()
    restore.restore(path, county_backup.path)
    county = Store(path)
    try:
        report = exchange.import_file(station, exchange.export(county, usb)[0])
        assert "The county no longer knows this station" in report.message
    finally:
        county.close()
    no_drives(monkeypatch)
    page = open_page(qtbot, station)
    panel = page.station
    choose_folder(monkeypatch, usb)
    qtbot.mouseClick(panel.send_button, LEFT)
    qtbot.waitUntil(lambda: panel.export_task is None, timeout=TIMEOUT)
    text = panel.send_result.text()
    assert "Bundle 3 was written and checked" in text
    assert "Bundles 1, 2 were written again too (the county had lost them)" in text
    assert (usb / "WA01-00001-again.trbundle").is_file()
    assert (usb / "WA01-00002-again.trbundle").is_file()
    assert messages == []
    grab(page, tmp_path, "sync_station_written_again")


def test_a_real_station_is_linked_without_a_question(qtbot, net, messages, monkeypatch):
    import datetime as dt

    from trainer_app.domain import idcard
    from trainer_app.domain.models import Trainee
    from trainer_app.services import trainees

    pack = site.write_pack(net.county, "RL01", net.root / "RL01.trpack")
    station = Store(net.root / "RL01.db", create=True)
    net.stations["RL01"] = station
    number = idcard.make("411025", dt.date(1990, 1, 2), 5, "M")
    trainees.register(station, Trainee(name="王小明", id_number=number, village="王坪村"))
    no_drives(monkeypatch)
    page = open_page(qtbot, station)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(pack), ""))
    with qtbot.waitSignal(page.changed, timeout=TIMEOUT):
        qtbot.mouseClick(page.station.link_button, LEFT)
    assert messages == []  # no question, no error
    assert site.role(station) == "station"
    assert station.scalar("SELECT name FROM trainee") == "王小明"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_upload_when_the_hub_does_not_answer(qtbot, net, messages, monkeypatch):
    station = net.link("WP01", 1)
    exchange.export(station, net.folder("usb"))
    no_drives(monkeypatch)
    page = open_page(qtbot, station)
    panel = page.station
    url = f"http://127.0.0.1:{free_port()}"
    panel.hub_edit.setText(url)
    qtbot.mouseClick(panel.upload_button, LEFT)
    qtbot.waitUntil(lambda: panel.upload_task is None, timeout=TIMEOUT)
    text = panel.upload_result.text()
    assert "does not answer" in text and "stay pending" in text and url in text
    assert messages == []
    assert panel.history.index(0, 4).data() == "written, not yet at the county"
    assert exchange.status(station)["bundles"][0]["uploaded_at"] is None
    assert prefs.get(prefs.HUB_URL) == url

    panel.hub_edit.clear()
    qtbot.mouseClick(panel.upload_button, LEFT)
    assert panel.upload_task is None and "Enter the county hub's address" in \
        panel.upload_result.text()


def test_upload_to_the_hub_shows_the_receipts(qtbot, net, messages, monkeypatch):
    station = net.link("WP01", 1)
    net.approve("WP01")
    station_db = net.stations["WP01"]
    demo.fill(station_db, trainees=3, seed=9)  # changes not in a bundle yet
    running = hub.start(net.root / "county.db", inbox_dir=net.folder("hub"))
    try:
        no_drives(monkeypatch)
        page = open_page(qtbot, station)
        panel = page.station
        assert "changes the county does not have" in panel.pending_label.text()
        panel.hub_edit.setText(running.url)
        qtbot.mouseClick(panel.upload_button, LEFT)
        qtbot.waitUntil(lambda: panel.upload_task is None, timeout=TIMEOUT)
    finally:
        running.stop()
    text = panel.upload_result.text()
    assert messages == [], messages
    assert "Bundle 2 was written with the changes not sent yet." in text
    assert "Bundle 2 (WP01-00002.trbundle): received and applied by the county" in text
    assert "The county holds bundles 1, 2." in text
    # bundle 1 went on a USB stick; no receipt came back yet, so it goes up too
    assert "Bundle 1 (WP01-00001.trbundle): the county had it already" in text
    assert [r.status for r in panel.last_upload] == ["duplicate", "applied"]
    assert panel.history.index(0, 4).data() == "the county has it"
    assert "Nothing changed since bundle 2" in panel.pending_label.text()


# -- removable drives ----------------------------------------------------------------------------


def test_removable_drives_on_each_platform():
    vols = [
        Volume("C:\\", "System", is_root=True),
        Volume("D:\\", "Data"),
        Volume("E:\\", "KINGSTON", free=5 << 30),
        Volume("F:\\", "CDROM", read_only=True),
        Volume("G:\\", "Card", ready=False),
    ]
    types = {"C:\\": 3, "D:\\": 3, "E:\\": 2, "F:\\": 2, "G:\\": 2}
    found = drives.removable(vols, "win32", drive_type=types.__getitem__)
    assert found == [Drive("E:\\", "KINGSTON", 5 << 30, -1)]
    assert found[0].text() == "KINGSTON (E:\\) — removable drive, 5 GB free"

    mounts_text = (
        "/dev/sda1 / ext4 rw 0 0\n"
        "/dev/sdb1 /media/op/U\\040DISK vfat rw 0 0\n"
        "/dev/sdc1 /run/media/op/STICK exfat rw 0 0\n"
        "tmpfs /mnt/ram tmpfs rw 0 0\n"
    )
    mounts = [p for p, _fs in drives.linux_mounts(mounts_text)]
    assert "/media/op/U DISK" in mounts
    linux = [
        Volume("/", "", "ext4", is_root=True),
        Volume("/home", "", "ext4"),
        Volume("/media/op/U DISK", "U DISK", "vfat"),
        Volume("/run/media/op/STICK", "STICK", "exfat"),
        Volume("/mnt/ram", "", "tmpfs"),
        Volume("/media/op/GONE", "GONE", "vfat"),  # not in /proc/mounts any more
    ]
    assert [d.root for d in drives.removable(linux, "linux", mounts=mounts)] == [
        "/media/op/U DISK", "/run/media/op/STICK"]
    mac = [Volume("/", "Macintosh HD", is_root=True), Volume("/Volumes/USB", "USB"),
           Volume("/System/Volumes/Data", "Data")]
    assert [d.root for d in drives.removable(mac, "darwin")] == ["/Volumes/USB"]
    # the real machine's list never fails
    assert isinstance(drives.removable_drives(), list)
