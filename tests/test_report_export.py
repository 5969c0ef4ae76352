"""Report exports read back (XLSX with openpyxl, CSV as Excel decodes it, PDF with pypdf and
pypdfium2) and the reports command line, on the county of tests/test_reports.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import openpyxl
import pypdf
import pypdfium2
import pytest

from tests.test_reports import DUP_ID, YEAR, net  # noqa: F401 - the county fixture
from trainer_app import cli, i18n
from trainer_app.services import report_export, reports
from trainer_app.services.errors import ServiceError

SITE = "襄城县农村电商公共服务中心"


@pytest.fixture
def chinese():
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("en")


def test_xlsx_is_typed_frozen_filtered_with_totals_and_a_chart(net, tmp_path, chinese):  # noqa: F811
    report = reports.run(net["county"], "ledger", reports.Filters(*YEAR))
    out = report_export.export(report, tmp_path / "ledger.xlsx", site_name=SITE)
    book = openpyxl.load_workbook(out)
    about, sheet = book.worksheets[0], book.worksheets[1]
    assert about["A1"].value == SITE and about["A2"].value == report.title
    assert any("2025" in str(c.value) for c in about["B"])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:O{len(report.rows) + 1}"
    headers = [c.value for c in sheet[1]]
    assert headers == [c.title for c in report.columns]
    assert "台账" in report.title or report.title  # titles in the active language
    first = {c.key: sheet.cell(2, i + 1).value for i, c in enumerate(report.columns)}
    assert isinstance(first["start_date"], dt.datetime)
    assert first["start_date"].date().isoformat() == report.rows[0]["start_date"]
    assert isinstance(first["person_times"], int | float)
    assert first["person_times"] == report.rows[0]["person_times"]
    assert sheet.cell(2, 13).number_format == "#,##0"
    totals = [c.value for c in sheet[len(report.rows) + 2]]
    assert totals[12] == report.totals["person_times"]
    assert sheet.column_dimensions["B"].width >= 8

    by_station = reports.run(net["county"], "by-station", reports.Filters(*YEAR))
    out = report_export.export(by_station, tmp_path / "s.xlsx", site_name=SITE)
    with zipfile.ZipFile(out) as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())
    pct = reports.run(net["county"], "poverty", reports.Filters(*YEAR))
    out = report_export.export(pct, tmp_path / "p.xlsx", site_name=SITE)
    sheet = openpyxl.load_workbook(out).worksheets[1]
    col = [c.key for c in pct.columns].index("poor_share") + 1
    assert sheet.cell(2, col).number_format == "0.0%"
    assert sheet.cell(2, col).value == pytest.approx(pct.rows[0]["poor_share"])


def test_csv_has_a_bom_and_decodes_as_excel_reads_it(net, tmp_path, chinese):  # noqa: F811
    report = reports.run(net["county"], "by-village", reports.Filters(*YEAR))
    out = report_export.export(report, tmp_path / "v.csv", site_name=SITE)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [c.title for c in report.columns]
    assert rows[1][2] == report.rows[0]["village"]
    assert int(rows[-1][4]) == report.totals["persons_trained"]
    assert len(rows) == len(report.rows) + 2


def test_pdf_text_and_pages(net, tmp_path, chinese):  # noqa: F811
    report = reports.run(net["county"], "by-station", reports.Filters(*YEAR))
    out = report_export.export(report, tmp_path / "s.pdf", site_name=SITE)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(out).pages)
    for needle in (SITE, report.title, "WP01", "2025", "第1页/共1页"):
        assert needle.replace(" ", "") in text.replace(" ", ""), needle
    pdf = pypdfium2.PdfDocument(out)
    image = pdf[0].render(scale=1).to_pil()
    assert image.size[0] < image.size[1]  # A4 portrait
    assert len(image.convert("L").getcolors(256) or []) > 10  # drawn: text, rules, bars
    pdf.close()
    ledger = reports.run(net["county"], "ledger", reports.Filters(*YEAR))
    out = report_export.export(ledger, tmp_path / "l.pdf", site_name=SITE)
    pdf = pypdfium2.PdfDocument(out)
    width, height = pdf[0].get_size()
    assert width > height  # wide tables print landscape
    pdf.close()


def test_export_refusals_leave_nothing(net, tmp_path):  # noqa: F811
    report = reports.run(net["county"], "ledger", reports.Filters(*YEAR))
    with pytest.raises(ServiceError):
        report_export.export(report, tmp_path / "x.docx", site_name=SITE)
    with pytest.raises(ServiceError):
        report_export.export(report, tmp_path / "missing" / "x.xlsx", site_name=SITE)
    target = tmp_path / "kept.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(reports.Cancelled):
        report_export.export(report, target, site_name=SITE, cancel=lambda: True)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.xlsx"]


# -- the command line ----------------------------------------------------------------------------
def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--lang", "en", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_show_dashboard_and_errors(net, capsys):  # noqa: F811
    db = str(net["county"].path)
    period = ["--from", "2025-01-01", "--to", "2025-12-31"]
    code, out, _e = run_cli(capsys, "--db", db, "reports", "show", "by-station", *period, "--json")
    assert code == 0
    rows = json.loads(out)
    expected = reports.run(net["county"], "by-station", reports.Filters(*YEAR)).rows
    assert rows == expected
    assert {"station", "station_name", "persons_trained", "person_times", "hours", "classes",
            "completed", "poor_persons"} <= set(rows[0])
    code, out, _e = run_cli(capsys, "--db", db, "reports", "dashboard", *period, "--json")
    board = json.loads(out)
    figures = reports.dashboard(net["county"], reports.Filters(*YEAR)).figures
    for key in ("persons_trained", "person_times", "hours", "classes", "completion_rate",
                "certificates", "poor_share", "women_share"):
        assert board[key] == figures[key]
    code, out, _e = run_cli(capsys, "--db", db, "reports", "list", "--json")
    assert "stations" in {r["name"] for r in json.loads(out)}
    code, out, _e = run_cli(capsys, "--db", db, "reports", "show", "ledger", *period)
    assert code == 0 and "W1班" in out
    for bad in (["show", "nope"], ["show", "ledger", "--from", "2025-02-30"],
                ["show", "ledger", "--station", "XX99"], ["dashboard", "--to", "tomorrow"],
                ["show", "ledger", "--from", "2025-03-01", "--to", "2025-02-01"]):
        code, out, err = run_cli(capsys, "--db", db, "reports", *bad)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, bad


def test_cli_export_and_the_full_roster(net, tmp_path, capsys):  # noqa: F811
    db = str(net["county"].path)
    target = tmp_path / "v.xlsx"
    code, out, _e = run_cli(capsys, "--db", db, "reports", "export", "by-village", "--out",
                            str(target), "--from", "2025-01-01")
    assert code == 0 and out.strip() == str(target)
    assert openpyxl.load_workbook(target).worksheets[1].max_row > 2
    roster = tmp_path / "roster.csv"
    code, _o, err = run_cli(capsys, "--db", db, "reports", "export", "roster", "--out",
                            str(roster), "--from", "2025-01-01")
    assert code == 2 and "--full-roster" in err and not roster.exists()
    code, _o, err = run_cli(capsys, "--db", db, "reports", "export", "roster", "--out",
                            str(roster), "--from", "2025-01-01", "--full-roster")
    assert code == 0 and "ID and phone numbers" in err
    assert DUP_ID in roster.read_text(encoding="utf-8-sig")
    for name in ("ledger", "by-village", "poverty"):
        path = tmp_path / f"{name}.csv"
        run_cli(capsys, "--db", db, "reports", "export", name, "--out", str(path),
                "--from", "2025-01-01")
        assert DUP_ID not in path.read_text(encoding="utf-8-sig")
