"""A report as an A4 PDF for printing and stamping: the site's name, the report's title, period
and filters; the chart (reportlab.graphics) on the first page; the table with its header on
every page and the totals at the end; page numbers. Wide reports are printed landscape."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from trainer_app.i18n import _
from trainer_app.pdf import fonts
from trainer_app.pdf.papers import layout
from trainer_app.services.errors import ServiceError
from trainer_app.services.report_export import (
    CHART_BARS,
    column_widths,
    filter_lines,
    made_at,
    text_of,
)
from trainer_app.services.reports import CancelCheck, Cancelled, Progress, Report

ROW_H = 6.5 * mm
HEADER_H = 10 * mm
CHART_H = 70 * mm
WIDE = 8  # more columns than this: landscape
CHART_COLOR = "#4472C4"
KEEP_WITH_TOTALS = 2  # rows the totals row keeps on its page


def write(report: Report, out: Path, site_name: str, progress: Progress | None = None,
          cancel: CancelCheck | None = None) -> Path:
    pagesize = landscape(A4) if len(report.columns) > WIDE else A4
    page_w, page_h = pagesize
    widths = column_widths(report)
    scale = (page_w - 2 * layout.MARGIN) / sum(widths)
    columns = [layout.Column(c.title, w * scale, "left" if c.kind == "text" else "right", 8)
               for c, w in zip(report.columns, widths, strict=True)]
    cells = [[text_of(c, row.get(c.key)) for c in report.columns] for row in report.rows]
    totals = [text_of(c, report.totals.get(c.key)) for c in report.columns] \
        if report.totals else None
    _printable(report, site_name, cells, totals)

    top_first = page_h - layout.TOP - 34 * mm - (CHART_H if _has_chart(report) else 0)
    per_first = int((top_first - layout.BOTTOM - 8 * mm - HEADER_H) // ROW_H)
    per_page = int((page_h - layout.TOP - 12 * mm - layout.BOTTOM - 8 * mm - HEADER_H)
                   // ROW_H)
    lines = cells + ([totals] if totals else [])
    pages = layout.paginate(len(lines), per_first, per_page,
                            keep_last=KEEP_WITH_TOTALS + 1 if totals else 1)

    def draw(c: Canvas) -> None:
        for number, rows in enumerate(pages, start=1):
            if cancel is not None and cancel():
                raise Cancelled()
            if progress is not None:
                progress(rows.start, len(lines))
            c.setLineWidth(layout.LINE)
            if number == 1:
                y = _heading(c, report, site_name, page_w, page_h)
                if _has_chart(report):
                    _chart(c, report, layout.MARGIN, y - CHART_H, page_w - 2 * layout.MARGIN,
                           CHART_H - 6 * mm)
                    y -= CHART_H
            else:
                y = page_h - layout.TOP
                layout.fitted(c, layout.MARGIN, y - 4 * mm, f"{site_name}  {report.title}", 10,
                              max_width=page_w - 2 * layout.MARGIN)
                y -= 8 * mm
            y = layout.header_row(c, layout.MARGIN, y, columns, HEADER_H)
            for i in rows:
                is_total = totals is not None and i == len(cells)
                y = layout.row(c, layout.MARGIN, y, columns, lines[i], ROW_H,
                               fill=layout.HEADER_FILL if is_total else None)
            layout.footer(c, page_w, number, len(pages), middle=made_at(report))
            c.showPage()
        if progress is not None:
            progress(len(lines), len(lines))

    return layout.write(out, pagesize, f"{site_name} {report.title}", draw)


def _printable(report: Report, site_name: str, cells: list[list[str]],
               totals: list[str] | None) -> None:
    texts = {site_name, report.title, *(c.title for c in report.columns),
             *(t for row in cells for t in row), *(totals or [])}
    try:
        layout.ensure_printable(sorted(texts))
    except layout.UnprintableText as exc:
        raise ServiceError(_("“{text}” has characters no font of the program can print: "
                             "{chars}. Nothing was written.").format(
            text=exc.text, chars=" ".join(exc.chars))) from None


def _heading(c: Canvas, report: Report, site_name: str, page_w: float, page_h: float) -> float:
    y = page_h - layout.TOP - 6 * mm
    width = page_w - 2 * layout.MARGIN
    layout.fitted(c, page_w / 2, y, site_name, 12, "center", max_width=width)
    y -= 10 * mm
    layout.fitted(c, page_w / 2, y, report.title, 18, "center", max_width=width)
    y -= 8 * mm
    detail = "    ".join(_("{label}: {value}").format(label=label, value=value)
                         for label, value in filter_lines(report))
    layout.fitted(c, page_w / 2, y, detail, 10, "center", max_width=width)
    return y - 10 * mm


def _has_chart(report: Report) -> bool:
    keys = {c.key for c in report.columns}
    return bool(report.chart and report.rows and report.chart.category_key in keys
                and report.chart.value_key in keys)


def _label(text: str, limit: int = 10) -> str:
    """A category label drawn in the main font: shortened, characters it lacks left out."""
    text = "".join(ch for ch in str(text) if fonts.font_for(ch) == fonts.MAIN)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _chart(c: Canvas, report: Report, x: float, y: float, w: float, h: float) -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    chart_def = report.chart
    rows = report.rows[:CHART_BARS]
    font = fonts.register()
    drawing = Drawing(w, h)
    drawing.add(String(w / 2, h - 10, chart_def.title, fontName=font, fontSize=10,
                       textAnchor="middle"))
    bars = VerticalBarChart()
    bars.x, bars.y = 30, 40
    bars.width, bars.height = w - 40, h - 60
    bars.data = [[float(r.get(chart_def.value_key) or 0) for r in rows]]
    bars.categoryAxis.categoryNames = [_label(r.get(chart_def.category_key) or "")
                                       for r in rows]
    bars.categoryAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = 7 if len(rows) <= 20 else 5
    bars.categoryAxis.labels.angle = 45 if len(rows) > 6 else 0
    bars.categoryAxis.labels.boxAnchor = "ne" if len(rows) > 6 else "n"
    bars.valueAxis.labels.fontName = font
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    bars.valueAxis.forceZero = True
    bars.bars[0].fillColor = colors.HexColor(CHART_COLOR)
    bars.bars[0].strokeColor = None
    if len(rows) <= 20:
        bars.barLabelFormat = "%d"
        bars.barLabels.fontName = font
        bars.barLabels.fontSize = 7
        bars.barLabels.nudge = 6
    drawing.add(bars)
    renderPDF.draw(drawing, c, x, y)
