"""The class summary: hours, the completion rule, each trainee's mark per lesson, hours attended,
share and whether they completed, with a totals row. Landscape when the lessons need it."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from trainer_app.i18n import _
from trainer_app.pdf.papers import layout
from trainer_app.pdf.papers.layout import Column
from trainer_app.pdf.records import ClassSummary

ROW_H = 7.5 * mm
HEADER_H = 11 * mm
LESSON_MAX = 12 * mm  # widest a lesson column gets
LESSON_MIN = 7 * mm  # narrower than this on portrait: turn the page
LEGEND_H = 6 * mm
FOOTER_TOP = layout.BOTTOM + 7 * mm + LEGEND_H
KEEP_WITH_TOTALS = 2  # trainee rows the totals row keeps on its page


def fixed_columns() -> tuple[list[Column], list[Column]]:
    """The columns left and right of the lessons."""
    left = [
        Column(_("No."), 9 * mm, "center", 9),
        Column(_("Code"), 19 * mm, "left", 9),
        Column(_("Name"), 24 * mm, "left", 10),
    ]
    right = [
        Column(_("Hours\nattended"), 16 * mm, "right", 10),
        Column(_("Share"), 14 * mm, "right", 10),
        Column(_("Completed"), 17 * mm, "center", 10),
    ]
    return left, right


def page_and_columns(n_lessons: int) -> tuple[tuple[float, float], list[Column]]:
    """Portrait when every lesson gets at least :data:`LESSON_MIN`, else landscape."""
    left, right = fixed_columns()
    fixed = layout.table_width(left) + layout.table_width(right)
    pagesize = A4
    avail = pagesize[0] - 2 * layout.MARGIN - fixed
    if n_lessons and avail / n_lessons < LESSON_MIN:
        pagesize = landscape(A4)
        avail = pagesize[0] - 2 * layout.MARGIN - fixed
    each = min(LESSON_MAX, avail / n_lessons) if n_lessons else 0
    lessons = [Column("", each, "center", 10) for _i in range(n_lessons)]
    return pagesize, [*left, *lessons, *right]


def texts(summary: ClassSummary) -> list[str]:
    left, right = fixed_columns()
    out = [
        summary.class_title, summary.course_title, summary.dates, summary.trainer,
        summary.place, summary.scheduled_hours, summary.required_hours, summary.rule,
        summary.legend, summary.printed_on, summary.branding.county_name,
        summary.branding.station_name, *summary.lesson_headers, *summary.lesson_totals,
        *summary.totals.values(), _("Class summary"), _("Class"), _("Course"), _("Dates"),
        _("Trainer"), _("Place"), _("Scheduled hours"), _("Required hours"), _("Completed"),
        _("Yes"), _("No"), _("Page {page} of {pages}"), _("Printed {date}"), _(": "),
        *(col.label for col in left + right),
    ]
    for r in summary.rows:
        out += [r.code, r.name, *r.marks, r.attended_hours, r.share]
    return out


def render(
    summary: ClassSummary, out: Path, progress: layout.Progress | None = None,
    cancelled: layout.Cancelled | None = None,
) -> Path:
    layout.ensure_printable(texts(summary))
    pagesize, _cols = page_and_columns(len(summary.lesson_headers))
    return layout.write(out, pagesize, f"{_('Class summary')} {summary.class_title}",
                        lambda c: _draw(c, summary, progress, cancelled))


def _draw(c, summary: ClassSummary, progress, cancelled) -> None:
    pagesize, cols = page_and_columns(len(summary.lesson_headers))
    for i, header in enumerate(summary.lesson_headers):
        cols[3 + i] = Column(f"{i + 1}\n{header}", cols[3 + i].width, "center", 10)
    page_w, page_h = pagesize
    width = layout.table_width(cols)
    x = (page_w - width) / 2
    title = _("Class summary")
    rest_top = page_h - layout.TOP - layout.SHORT_HEADING_H
    rest = int((rest_top - HEADER_H - FOOTER_TOP) // ROW_H)
    printed = _("Printed {date}").format(date=summary.printed_on) if summary.printed_on else ""
    entries = [*summary.rows, None]  # None: the totals row
    pages: list[range] | None = None
    page = 0
    while pages is None or page < len(pages):
        layout.begin_page(c, cancelled)
        top = page_h - layout.TOP
        if page == 0:
            text_w = page_w - 2 * layout.MARGIN
            fx = layout.MARGIN
            y = layout.heading(c, page_w, top, summary.branding, title)
            y = layout.fields(c, fx, y, text_w, [
                (_("Class"), summary.class_title), (_("Course"), summary.course_title),
                (_("Dates"), summary.dates), (_("Trainer"), summary.trainer),
                (_("Place"), summary.place), (_("Scheduled hours"), summary.scheduled_hours),
                (_("Required hours"), summary.required_hours),
                (_("Completed"), summary.totals.get("line", "")),
            ])
            y = layout.paragraph(c, fx, y, summary.rule, 9, text_w, grey=layout.GREY)
            y -= 3 * mm
            first = int((y - HEADER_H - FOOTER_TOP) // ROW_H)
            pages = layout.paginate(len(entries), first, rest, keep_last=KEEP_WITH_TOTALS + 1)
        else:
            y = layout.short_heading(c, page_w, top, title, summary.class_title)
        y = layout.header_row(c, x, y, cols, HEADER_H)
        for i in pages[page]:
            r = entries[i]
            if r is None:
                totals = [summary.totals.get("label", ""), *summary.lesson_totals]
                totals += ["", "", summary.totals.get("completed", "")]
                y = layout.row(c, x, y, cols, totals, ROW_H, fill=0.95, span=3)
                continue
            y = layout.row(c, x, y, cols, [
                str(i + 1), r.code, r.name, *r.marks, r.attended_hours, r.share,
                _("Yes") if r.completed else _("No"),
            ], ROW_H)
        if summary.legend:
            layout.text_in_box(c, summary.legend, layout.MARGIN, layout.BOTTOM + 6 * mm,
                               page_w - 2 * layout.MARGIN, LEGEND_H, 8.5, pad=0,
                               grey=layout.GREY)
        layout.footer(c, page_w, page + 1, len(pages), middle=printed)
        c.showPage()
        page += 1
        if progress:
            progress(page, len(pages))
