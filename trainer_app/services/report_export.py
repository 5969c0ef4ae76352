"""Writing a report to a file: an Excel workbook, a CSV file or a PDF (the suffix chooses).

* XLSX (XlsxWriter): a first sheet naming the site, the report, its filters and when it was
  made; then the table with numbers as numbers and dates as dates, the header row frozen and
  filtered, columns sized to their contents, a totals row, and a native bar chart where the
  report has one.
* CSV: UTF-8 with a byte-order mark (Excel on a Chinese Windows reads it without garbling),
  percentages as ``18.1%`` (Excel reads them as numbers), the totals as the last row.
* PDF: :mod:`trainer_app.services.report_pdf`.

Every file is written beside its target under a temporary name, checked, renamed over the
target and read back; a failure or a cancel leaves the target as it was.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from trainer_app import i18n
from trainer_app.files import WriteError, fsync_dir, write_atomic_bytes
from trainer_app.i18n import _, pgettext
from trainer_app.services.errors import ServiceError
from trainer_app.services.reports import CancelCheck, Cancelled, Column, Progress, Report

SUFFIXES = (".xlsx", ".csv", ".pdf")
STEP = 2000  # rows between progress reports and cancel checks
CHART_BARS = 60  # a chart of more rows shows the first ones (the table has them all)
NUMBER_FORMATS = {"int": "#,##0", "hours": "#,##0.0", "percent": "0.0%", "date": "yyyy-mm-dd"}


def export(report: Report, path: Path, *, site_name: str, progress: Progress | None = None,
           cancel: CancelCheck | None = None) -> Path:
    """Write ``report`` to ``path``; the suffix (.xlsx, .csv, .pdf) chooses the format."""
    path = check_target(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            return write_xlsx(report, path, site_name, progress, cancel)
        if suffix == ".csv":
            return write_csv(report, path, progress, cancel)
        from trainer_app.services import report_pdf

        return report_pdf.write(report, path, site_name, progress, cancel)
    except OSError as exc:
        raise ServiceError(_("The file {path} could not be written: {reason}").format(
            path=path, reason=exc.strerror or exc)) from None


def check_target(path: Path) -> Path:
    """Refuse a file whose suffix names no format, or whose folder does not exist."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise ServiceError(_("Choose a file ending in .xlsx, .csv or .pdf (not {name}).").format(
            name=path.name))
    if not path.parent.is_dir():
        raise ServiceError(_("The folder {folder} does not exist.").format(folder=path.parent))
    if path.is_dir():
        raise ServiceError(_("{path} is a folder, not a file.").format(path=path))
    return path


# -- shared -------------------------------------------------------------------------------------
def filter_lines(report: Report) -> list[tuple[str, str]]:
    """(label, value) of the period and of every filter set, in the user's language."""
    start, end = report.period
    lines = [(_("Period"), _("{start} to {end}").format(
        start=i18n.format_date(start), end=i18n.format_date(end)))]
    f = report.filters
    for label, value in ((_("Station"), f.station), (_("Course"), f.course),
                         (_("Village"), f.village)):
        if value:
            lines.append((label, value))
    return lines


def made_at(report: Report) -> str:
    return i18n.format_datetime(report.made_at)


def text_of(column: Column, value: object) -> str:
    """A value as the screen and the PDF show it."""
    if value is None or value == "":
        return ""
    if column.kind == "int":
        return i18n.format_number(int(value), 0)
    if column.kind == "hours":
        return i18n.format_number(float(value), 1)
    if column.kind == "percent":
        return i18n.format_percent(float(value))
    if column.kind == "date":
        return i18n.format_date(str(value)[:10])
    return str(value)


def _ticks(rows: int, progress: Progress | None, cancel: CancelCheck | None,
           ) -> Callable[[int], None]:
    def tick(done: int) -> None:
        if cancel is not None and cancel():
            raise Cancelled()
        if progress is not None:
            progress(done, rows)
    return tick


@contextlib.contextmanager
def _temporary(out: Path) -> Iterator[Path]:
    """A temporary name beside ``out``, renamed over it when the block ends well."""
    tmp = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        yield tmp
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
        fsync_dir(out.parent)
    finally:
        tmp.unlink(missing_ok=True)


# -- CSV ----------------------------------------------------------------------------------------
def _csv_value(column: Column, value: object) -> object:
    if value is None:
        return ""
    if column.kind == "percent":
        return f"{float(value) * 100:.1f}%"
    if column.kind == "hours":
        return f"{float(value):g}"
    return value


def write_csv(report: Report, out: Path, progress: Progress | None = None,
              cancel: CancelCheck | None = None) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.title for c in report.columns])
    tick = _ticks(len(report.rows), progress, cancel)
    for i, row in enumerate(report.rows):
        if i % STEP == 0:
            tick(i)
        writer.writerow([_csv_value(c, row.get(c.key)) for c in report.columns])
    if report.totals:
        writer.writerow([_csv_value(c, report.totals.get(c.key)) for c in report.columns])
    tick(len(report.rows))
    return write_atomic_bytes(out, buf.getvalue().encode("utf-8-sig"))


# -- XLSX ---------------------------------------------------------------------------------------
def display_width(text: str) -> int:
    """Characters of ``text``, wide (Chinese) ones counted twice, as a column width."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_name(text: str) -> str:
    """``text`` as an Excel sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    for ch in "[]:*?/\\":
        text = text.replace(ch, " ")
    return text.strip()[:31] or "Sheet"


def _width_text(column: Column, value: object) -> str:
    """About as wide as the value shown (cheaper than formatting it for the locale)."""
    if value is None:
        return ""
    if column.kind == "percent":
        return "100.0%"
    if column.kind in ("int", "hours") and isinstance(value, int | float):
        return f"{value:,.1f}"
    if column.kind == "date":
        return i18n.format_date("2026-12-31")  # as long as a date gets
    return str(value)


def column_widths(report: Report, sample: int = 300) -> list[float]:
    """A width per column fitting its header and the first ``sample`` values, 8 to 50."""
    widths = []
    for col in report.columns:
        texts = [col.title, *(_width_text(col, r.get(col.key)) for r in report.rows[:sample])]
        if report.totals:
            texts.append(_width_text(col, report.totals.get(col.key)))
        widths.append(min(50.0, max(8.0, max(display_width(t) for t in texts) + 2.0)))
    return widths


def _cell_writers(sheet, workbook, columns: list[Column]) -> list[tuple[str, Callable, object]]:
    """Per column: the key, the sheet's typed write method and the cell format."""
    out = []
    for col in columns:
        fmt = workbook.add_format({"num_format": NUMBER_FORMATS[col.kind]}) \
            if col.kind in NUMBER_FORMATS else None
        if col.kind == "date":
            def write(r, c, v, f, _w=sheet.write_datetime):
                return _w(r, c, dt.date.fromisoformat(str(v)[:10]), f)
        elif col.kind == "text":
            write = sheet.write_string
        else:
            write = sheet.write_number
        out.append((col.key, write, fmt))
    return out


def write_xlsx(report: Report, out: Path, site_name: str, progress: Progress | None = None,
               cancel: CancelCheck | None = None) -> Path:
    import xlsxwriter

    with _temporary(out) as tmp:
        workbook = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
        try:
            _about_sheet(workbook, report, site_name)
            _table_sheet(workbook, report, _ticks(len(report.rows), progress, cancel))
        finally:
            workbook.close()
        _check_xlsx(tmp, full=True)
    _check_xlsx(out)
    return out


def _about_sheet(workbook, report: Report, site_name: str) -> None:
    sheet = workbook.add_worksheet(sheet_name(pgettext("workbook sheet", "About")))
    bold = workbook.add_format({"bold": True})
    title = workbook.add_format({"bold": True, "font_size": 14})
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 60)
    sheet.write_string(0, 0, site_name, title)
    sheet.write_string(1, 0, report.title, bold)
    lines = [*filter_lines(report), (_("Made"), made_at(report)),
             (_("Rows"), i18n.format_number(len(report.rows), 0))]
    for i, (label, value) in enumerate(lines, start=3):
        sheet.write_string(i, 0, label, bold)
        sheet.write_string(i, 1, value)


def _table_sheet(workbook, report: Report, tick: Callable[[int], None]) -> None:
    sheet = workbook.add_worksheet(sheet_name(report.title))
    header = workbook.add_format({"bold": True, "bg_color": "#E6E6E6", "border": 1,
                                  "text_wrap": True, "valign": "top"})
    for i, width in enumerate(column_widths(report)):
        sheet.set_column(i, i, width)
    sheet.freeze_panes(1, 0)
    for c, col in enumerate(report.columns):
        sheet.write_string(0, c, col.title, header)
    writers = _cell_writers(sheet, workbook, report.columns)
    r = 0
    for r, row in enumerate(report.rows, start=1):
        if r % STEP == 0:
            tick(r)
        for c, (key, write, fmt) in enumerate(writers):
            value = row.get(key)
            if value is not None and value != "":
                write(r, c, value, fmt)
    last = len(report.rows)
    sheet.autofilter(0, 0, max(last, 1), len(report.columns) - 1)
    if report.totals:
        _totals_row(workbook, sheet, report, last + 1)
    tick(last)
    if report.chart is not None and report.rows:
        _chart(workbook, sheet, report)


def _totals_row(workbook, sheet, report: Report, r: int) -> None:
    for c, col in enumerate(report.columns):
        value = report.totals.get(col.key) if report.totals else None
        props = {"bold": True, "top": 1}
        if col.kind in NUMBER_FORMATS:
            props["num_format"] = NUMBER_FORMATS[col.kind]
        fmt = workbook.add_format(props)
        if value is None:
            sheet.write_blank(r, c, None, fmt)
        elif col.kind == "text" or isinstance(value, str):
            sheet.write_string(r, c, str(value), fmt)
        else:
            sheet.write_number(r, c, value, fmt)


def _chart(workbook, sheet, report: Report) -> None:
    chart_def = report.chart
    keys = [c.key for c in report.columns]
    if chart_def.category_key not in keys or chart_def.value_key not in keys:
        return
    cat, val = keys.index(chart_def.category_key), keys.index(chart_def.value_key)
    last = min(len(report.rows), CHART_BARS)
    chart = workbook.add_chart({"type": "column"})
    name = sheet.get_name()
    chart.add_series({
        "name": chart_def.title,
        "categories": [name, 1, cat, last, cat],
        "values": [name, 1, val, last, val],
        "fill": {"color": "#4472C4"},
    })
    chart.set_title({"name": chart_def.title})
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_font": {"rotation": -45}})
    chart.set_size({"width": max(480, 40 * last + 160), "height": 360})
    charts = workbook.add_worksheet(sheet_name(pgettext("workbook sheet", "Chart")))
    charts.insert_chart(1, 1, chart)


def _check_xlsx(path: Path, full: bool = False) -> None:
    """The workbook is a zip file with its sheets (``full``: every member's checksum too)."""
    try:
        with zipfile.ZipFile(path) as zf:
            if "xl/workbook.xml" not in zf.namelist() or (full and zf.testzip() is not None):
                raise WriteError(f"{path} is not a complete workbook")
    except zipfile.BadZipFile as exc:
        raise WriteError(f"{path} is not a complete workbook: {exc}") from None
