"""The county's Overview and the Reports section through the real window, on a county built
from three stations' real bundles: the county opens into its own sections; the dashboard shows
what ``reports dashboard --json`` prints; a figure or a bar opens its report, filtered; a report
is filtered, sorted with its totals kept last, and exported through the file dialog and read
back; the full roster is written only after its warning; a station has Reports for its own
data and nothing of the county's."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton

from tests.qt_input import type_text
from trainer_app import i18n
from trainer_app.cli import main as cli_main
from trainer_app.domain.models import Course
from trainer_app.services import certificates, classes, courses, demo
from trainer_app.store import Store
from trainer_app.sync import exchange, site
from trainer_app.ui import language, tasks
from trainer_app.ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton
TIMEOUT = 60_000
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))  # the demo stations' classes are in 2025
STATIONS = (("WP01", 1), ("ZZ02", 2), ("LJ03", 3))


# -- a county of three stations, built through real bundles ----------------------------------
@pytest.fixture(scope="module")
def county_files(tmp_path_factory) -> dict[str, Path]:
    """Paths of the county and station databases (built once; each test opens its own copy)."""
    root = tmp_path_factory.mktemp("county")
    old_home = os.environ.get("TRAINER_APP_HOME")
    os.environ["TRAINER_APP_HOME"] = str(root / "home")
    try:
        county = Store(root / "county.db", create=True)
        site.setup_county(county, "XC", demo.COUNTY_NAME)
        for code, title, category, description, hours in demo.COURSES:
            courses.add(county, Course(code, title, category, description, float(hours)))
        usb = root / "usb"
        usb.mkdir()
        paths = {"county": county.path, "root": root}
        for code, seed in STATIONS:
            pack = site.write_pack(county, code, root / f"{code}.trpack",
                                   station_name=f"{code}服务站")
            station = Store(root / f"{code}.db", create=True)
            site.setup_station(station, pack)
            demo.fill(station, trainees=25, seed=seed, today=dt.date(2025, 6, 2))
            for row in classes.list_all(station):
                if row["status"] == "finished":
                    try:
                        certificates.issue(station, row["id"], today=dt.date(2025, 6, 2))
                    except Exception:  # noqa: BLE001 - a class no one completed
                        continue
            bundle, _manifest = exchange.export(station, usb)
            assert exchange.import_file(county, bundle).status == "pending"
            assert [r.status for r in exchange.approve(county, code)] == ["applied"]
            paths[code] = station.path
            station.close()
        site.add_station(county, "QT04", "青台村电商服务站")  # in the register, never sent
        county.close()
    finally:
        if old_home is None:
            os.environ.pop("TRAINER_APP_HOME", None)
        else:
            os.environ["TRAINER_APP_HOME"] = old_home
    return paths


@pytest.fixture
def opened(qtbot, county_files, monkeypatch):
    """Open a database of the county network in the window (English)."""
    monkeypatch.setenv("TRAINER_APP_HOME", str(county_files["root"] / "home"))
    language.apply("en")
    stores: list[Store] = []
    windows: list[MainWindow] = []

    def open_window(name: str) -> MainWindow:
        store = Store(county_files[name])
        stores.append(store)
        window = MainWindow(store)
        qtbot.addWidget(window)
        window.resize(1200, 760)
        window.show()
        windows.append(window)
        return window

    yield open_window
    # pytest-qt has already scheduled the windows' deletion (and their tasks'): wait for the
    # worker itself, which needs nothing of the UI thread, before the databases close
    assert tasks.pool().waitForDone(TIMEOUT)
    for window in windows:
        window.close()
    QApplication.processEvents()
    for store in stores:
        store.close()


@pytest.fixture
def messages(monkeypatch):
    shown: list[tuple[str, str]] = []

    def record(kind):
        def box(_parent, _title, text, *args, **kwargs):
            shown.append((kind, text))
            return QMessageBox.StandardButton.Ok
        return box

    for kind in ("information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return shown


def titles(window: MainWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def wait(qtbot, page) -> None:
    """Until the page's background work ended (and any that a change of filters started)."""
    while page.task is not None:
        with qtbot.waitSignal(page.task.ended, timeout=TIMEOUT):
            pass


def overview_for_year(qtbot, window: MainWindow):
    page = window.show_section("overview")
    wait(qtbot, page)
    with qtbot.waitSignal(page.shown, timeout=TIMEOUT):
        page.filters.set_period(*YEAR)
    wait(qtbot, page)
    return page


def report_shown(qtbot, page, name: str | None = None) -> None:
    wait(qtbot, page)
    if name is not None:
        assert page.current_name() == name
    assert page.report is not None


def cli_json(capsys, *args: str):
    code = cli_main(["--lang", "en", *args, "--json"])
    out, err = capsys.readouterr()
    i18n.set_language("en")
    assert (code, err) == (0, "")
    return json.loads(out)


def table(page) -> list[list[str]]:
    model = page.model
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]


# -- the window follows the role ---------------------------------------------------------------
def test_county_opens_into_its_sections_and_a_station_into_its_own(opened):
    county = opened("county")
    assert titles(county) == ["Overview", "Stations", "Imports", "Trainees", "Classes",
                              "Certificates", "Duplicates", "Reports", "Courses"]
    assert county.tabs.currentIndex() == 0
    for name in county.section_names():
        county.show_section(name)
    assert not county.findChildren(QPushButton, "add_trainee")  # no Register at the county
    # the county's settings (its backup folder), not the station's papers
    assert county.settings_action.text() == "&Settings…"
    assert demo.COUNTY_NAME in county.windowTitle()
    assert county.status.text().startswith(f"{demo.COUNTY_NAME} (XC)")
    assert "4 stations" in county.status.text() and "75 trainees" in county.status.text()
    assert "stations" in county.page("reports").names()
    catalog = county.show_section("courses")  # the county keeps the catalog
    assert catalog.add_button.isEnabled() and catalog.model.rowCount() == len(demo.COURSES)

    station = opened("WP01")
    assert titles(station) == ["Trainees", "Courses", "Classes", "Attendance", "Certificates",
                               "Reports", "Sync"]
    reports_page = station.show_section("reports")
    assert "stations" not in reports_page.names()  # county only
    assert not reports_page.filters.station.isVisibleTo(reports_page)
    assert station.findChildren(QPushButton, "add_trainee")


# -- the Overview -------------------------------------------------------------------------------
def test_dashboard_shows_the_figures_of_the_cli(qtbot, opened, county_files, capsys):
    window = opened("county")
    page = overview_for_year(qtbot, window)
    expected = cli_json(capsys, "--db", str(county_files["county"]), "reports", "dashboard",
                        "--from", "2025-01-01", "--to", "2025-12-31")
    for key in ("persons_trained", "person_times", "hours", "classes", "completion_rate",
                "certificates", "poor_share", "women_share"):
        assert page.dashboard.figures[key] == pytest.approx(expected[key]), key
    assert page.tiles["persons_trained"].value.text() == i18n.format_number(
        expected["persons_trained"], 0)
    assert page.tiles["certificates"].value.text() == i18n.format_number(
        expected["certificates"], 0)
    assert page.tiles["completion_rate"].value.text() == i18n.format_percent(
        expected["completion_rate"])
    assert page.tiles["women_share"].value.text() == i18n.format_percent(
        expected["women_share"])
    assert expected["persons_trained"] > 0 and expected["certificates"] > 0

    # the charts: one bar per station that trained someone, adding up to more than nobody
    bars = page.charts["station"].bars
    assert {label for label, _v in bars} == {f"{code}服务站" for code, _s in STATIONS}
    assert sum(v for _l, v in bars) >= expected["persons_trained"]
    assert sum(v for _l, v in page.charts["month"].bars) >= expected["persons_trained"]
    # the station that never sent anything is named
    assert "QT04" in page.silent.text() and "nothing received yet" in page.silent.text()

    # one station: the same as the CLI with --station
    with qtbot.waitSignal(page.shown, timeout=TIMEOUT):
        page.filters.station.setCurrentIndex(page.filters.station.findData("ZZ02"))
    one = cli_json(capsys, "--db", str(county_files["county"]), "reports", "dashboard",
                   "--from", "2025-01-01", "--to", "2025-12-31", "--station", "ZZ02")
    assert page.dashboard.figures["persons_trained"] == one["persons_trained"]
    assert page.tiles["persons_trained"].value.text() == i18n.format_number(
        one["persons_trained"], 0)
    assert one["persons_trained"] < expected["persons_trained"]


def test_a_figure_and_a_bar_open_their_report_filtered(qtbot, opened):
    window = opened("county")
    page = overview_for_year(qtbot, window)
    reports_page = window.page("reports")
    qtbot.mouseClick(page.tiles["persons_trained"], LEFT)
    assert window.tabs.currentIndex() == window.section_names().index("reports")
    report_shown(qtbot, reports_page, "by-station")
    assert reports_page.report.period == YEAR
    total = reports_page.report.totals["persons_trained"]
    assert total == page.dashboard.figures["persons_trained"]

    # a bar of the station chart: that station's training ledger, same period
    window.show_section("overview")
    chart = page.charts["station"]
    index = [label for label, _v in chart.bars].index("ZZ02服务站")
    rect = chart.bar_rect(index)
    qtbot.mouseClick(chart, LEFT, pos=rect.center().toPoint())
    report_shown(qtbot, reports_page, "ledger")
    shown = reports_page.report
    assert shown.filters.station == "ZZ02" and shown.period == YEAR
    assert shown.rows and {r["station"] for r in shown.rows} == {"ZZ02"}
    assert reports_page.filters.station.currentData() == "ZZ02"

    # a bar of the month chart: the ledger of that month, all stations
    window.show_section("overview")
    months = page.charts["month"]
    assert [label for label, _v in months.bars] == ["Apr 2025", "May 2025"]
    qtbot.mouseClick(months, LEFT, pos=months.bar_rect(1).center().toPoint())
    report_shown(qtbot, reports_page, "ledger")
    shown = reports_page.report
    assert shown.period == (dt.date(2025, 5, 1), dt.date(2025, 5, 31))
    assert shown.filters.station is None
    assert reports_page.filters.period.currentData() == "custom"
    assert shown.rows and all(r["start_date"] <= "2025-05-31" and r["end_date"] >= "2025-05-01"
                              for r in shown.rows)


# -- the Reports section ----------------------------------------------------------------------
def test_a_report_is_filtered_sorted_and_exported_through_the_dialog(
        qtbot, opened, county_files, monkeypatch, messages, tmp_path):
    window = opened("county")
    page = window.show_section("reports")
    assert not page.export_button.isEnabled()  # nothing to export until a report is shown
    page.show_report("by-station", page.filters.filters())
    report_shown(qtbot, page)
    assert page.export_button.isEnabled()
    with qtbot.waitSignal(page.shown, timeout=TIMEOUT):
        page.filters.set_period(*YEAR)
    report_shown(qtbot, page, "by-station")
    rows = table(page)
    assert sorted(r[0] for r in rows[:-1]) == ["LJ03", "WP01", "ZZ02"]
    assert rows[-1][0] == "Total"

    # sorting by a header click keeps the totals row last
    persons = [c.key for c in page.report.columns].index("persons_trained")
    page.table.horizontalHeader().setSortIndicator(persons, Qt.SortOrder.DescendingOrder)
    values = [page.model.row(r)["persons_trained"] for r in range(page.model.rowCount() - 1)]
    assert values == sorted(values, reverse=True)
    assert page.model.is_totals(page.model.rowCount() - 1)
    assert table(page)[-1][0] == "Total"

    # filtered to one station
    with qtbot.waitSignal(page.shown, timeout=TIMEOUT):
        page.filters.station.setCurrentIndex(page.filters.station.findData("WP01"))
    report_shown(qtbot, page)
    assert [r["station"] for r in page.report.rows] == ["WP01"]
    station_total = page.report.totals["persons_trained"]

    # and to one village, typed
    page.filters.village.setFocus()
    with qtbot.waitSignal(page.shown, timeout=TIMEOUT):
        type_text(qtbot, page.filters.village, "张庄村")
        qtbot.keyClick(page.filters.village, Qt.Key.Key_Return)
    assert page.report.filters.village == "张庄村"
    assert 0 < page.report.totals["persons_trained"] < station_total
    with qtbot.waitSignal(page.shown, timeout=TIMEOUT):
        page.filters.village.clear()
        qtbot.keyClick(page.filters.village, Qt.Key.Key_Return)
    assert page.report.filters.village is None
    assert page.report.totals["persons_trained"] == station_total
    shown = table(page)

    # Export…: the dialog's name without a suffix, CSV chosen as the file type
    asked: list[tuple[str, str]] = []

    def save_name(_parent, _title, default, types, *args, **kwargs):
        asked.append((default, types))
        return str(tmp_path / "wp01-by-station"), "CSV for Excel, UTF-8 (*.csv)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    with qtbot.waitSignal(page.exporter.written, timeout=TIMEOUT) as written:
        qtbot.mouseClick(page.export_button, LEFT)
    path = written.args[0]
    assert path == tmp_path / "wp01-by-station.csv" and path.is_file()
    assert asked[0][0].endswith("by-station-2025-01-01-2025-12-31.xlsx")
    assert "Excel workbook (*.xlsx)" in asked[0][1] and "PDF" in asked[0][1]
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel on Chinese Windows
    lines = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    header = [c.title for c in page.report.columns]
    assert header in lines
    body = lines[lines.index(header) + 1:]
    wp = next(line for line in body if line and line[0] == "WP01")
    assert wp[1] == "WP01服务站"
    assert int(float(wp[header.index("People trained")])) == \
        page.report.rows[0]["persons_trained"]
    assert shown[0][:2] == ["WP01", "WP01服务站"]
    assert messages and messages[-1][0] == "information" and str(path) in messages[-1][1]

    # and as a workbook, typed cells read back
    from openpyxl import load_workbook

    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "wp01.xlsx"), ""))
    with qtbot.waitSignal(page.exporter.written, timeout=TIMEOUT):
        qtbot.mouseClick(page.export_button, LEFT)
    book = load_workbook(tmp_path / "wp01.xlsx")
    numbers = [cell.value for sheet in book.worksheets for row in sheet.iter_rows()
               for cell in row if cell.value == page.report.rows[0]["persons_trained"]]
    assert numbers and all(isinstance(n, int) for n in numbers)


def test_a_pdf_is_exported_through_qts_own_file_dialog(qtbot, opened, monkeypatch, messages,
                                                      tmp_path):
    """The real QFileDialog (Qt's own widget dialog offscreen): a name without a suffix, the
    PDF file type chosen, accepted; the PDF is written, read back and rendered."""
    import pypdf
    import pypdfium2
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QFileDialog, QLineEdit

    window = opened("county")
    page = window.show_section("reports")
    report_shown(qtbot, page)
    with qtbot.waitSignal(page.shown, timeout=TIMEOUT):
        page.filters.set_period(*YEAR)
    page.show_report("by-course", page.filters.filters())
    report_shown(qtbot, page, "by-course")
    seen: list[tuple[str, list[str]]] = []

    def fill_in() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, QFileDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(50, fill_in)
            return
        seen.append((dialog.windowTitle(), dialog.nameFilters()))
        dialog.selectNameFilter("PDF for printing (*.pdf)")
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(tmp_path / "courses-2025"))
        dialog.accept()

    QTimer.singleShot(0, fill_in)
    with qtbot.waitSignal(page.exporter.written, timeout=TIMEOUT) as written:
        qtbot.mouseClick(page.export_button, LEFT)
    assert seen == [("Export report", ["Excel workbook (*.xlsx)", "CSV for Excel, UTF-8 (*.csv)",
                                       "PDF for printing (*.pdf)"])]
    path = written.args[0]
    assert path == tmp_path / "courses-2025.pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    assert page.report.title in text and "Total" in text
    for row in page.report.rows:
        assert row["course"] in text
    pdf = pypdfium2.PdfDocument(path)
    assert pdf[0].render(scale=1).to_pil().convert("L").getextrema()[0] < 100  # ink on it
    pdf.close()
    assert messages[-1][0] == "information" and str(path) in messages[-1][1]


def test_the_full_roster_is_written_only_after_its_warning(qtbot, opened, monkeypatch,
                                                           messages, tmp_path):
    window = opened("county")
    page = window.show_section("reports")
    report_shown(qtbot, page)
    with qtbot.waitSignal(page.shown, timeout=TIMEOUT):
        page.filters.set_period(*YEAR)
    warned: list[str] = []
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]

    def warning(_parent, _title, text, *args, **kwargs):
        warned.append(text)
        return answers.pop(0)

    dialogs: list[str] = []

    def save_name(_parent, _title, default, *args, **kwargs):
        dialogs.append(default)
        return str(tmp_path / "roster.csv"), ""

    monkeypatch.setattr(QMessageBox, "warning", warning)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    qtbot.mouseClick(page.roster_button, LEFT)  # Cancel: no dialog, no file
    assert len(warned) == 1 and "resident ID number and phone number" in warned[0]
    assert dialogs == [] and not (tmp_path / "roster.csv").exists()

    with qtbot.waitSignal(page.exporter.written, timeout=TIMEOUT):
        qtbot.mouseClick(page.roster_button, LEFT)  # Yes
    assert len(dialogs) == 1
    text = (tmp_path / "roster.csv").read_text(encoding="utf-8-sig")
    county = window.store
    number = county.scalar("SELECT id_number FROM trainee WHERE id_number IS NOT NULL "
                           "AND id_number != '' LIMIT 1")
    assert number and number in text  # in clear, as asked for


def test_a_station_reports_its_own_figures(qtbot, opened):
    window = opened("WP01")
    page = window.show_section("reports")
    report_shown(qtbot, page)
    with qtbot.waitSignal(page.shown, timeout=TIMEOUT):
        page.filters.set_period(*YEAR)
    page.show_report("by-station", page.filters.filters())
    report_shown(qtbot, page, "by-station")
    assert [r["station"] for r in page.report.rows] == ["WP01"]
    station_total = page.report.totals["persons_trained"]

    county = opened("county")
    county_page = county.show_section("reports")
    report_shown(qtbot, county_page)
    county_page.show_report("by-station", page.report.filters)
    report_shown(qtbot, county_page, "by-station")
    wp = next(r for r in county_page.report.rows if r["station"] == "WP01")
    assert wp["persons_trained"] == station_total  # the same figures after a sync


def test_an_empty_period_says_what_to_do(qtbot, opened):
    """Also: filters changed while a report runs: the newest request is the one shown."""
    window = opened("county")
    page = window.show_section("reports")
    report_shown(qtbot, page)
    page.filters.set_period(*YEAR)
    assert page.is_busy()
    page.filters.set_period(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    wait(qtbot, page)
    assert page.report.period == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert page.report.rows == []
    assert "Choose another period" in page.status.text()


def test_an_empty_period_shows_zero_counts_on_the_overview(qtbot, opened):
    """Nothing happened: the counts are 0; only a rate without a denominator is "—"."""
    window = opened("county")
    page = window.show_section("overview")
    wait(qtbot, page)
    with qtbot.waitSignal(page.shown, timeout=TIMEOUT):
        page.filters.set_period(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    wait(qtbot, page)
    for key in ("persons_trained", "person_times", "hours", "classes", "certificates"):
        assert page.tiles[key].value.text() in ("0", "0.0"), key
    for key in ("completion_rate", "poor_share", "women_share"):
        assert page.tiles[key].value.text() == "—", key


def test_screens_in_both_languages(qtbot, opened, tmp_path):
    """Every new screen renders in Chinese and English (the PNGs are what a reviewer looks
    at); labels follow the language live."""
    window = opened("county")
    overview = overview_for_year(qtbot, window)
    reports_page = window.show_section("reports")
    report_shown(qtbot, reports_page)
    try:
        for lang in ("zh_CN", "en"):
            language.apply(lang)
            wait(qtbot, reports_page)
            for name in ("overview", "reports"):
                window.show_section(name)
                wait(qtbot, window.page(name))
                assert window.grab().save(str(tmp_path / f"{name}-{lang}.png"))
            if lang == "zh_CN":
                assert window.tabs.tabText(0) == "概览"
                assert overview.tiles["persons_trained"].caption.text() == "培训人数"
                assert reports_page.export_button.text().startswith("导出")
    finally:
        language.apply("en")
    assert overview.tiles["persons_trained"].caption.text() == "People trained"
