"""The class roster: the class's details and its trainees, with ID and phone numbers masked."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from trainer_app.i18n import _, ngettext
from trainer_app.pdf.papers import layout
from trainer_app.pdf.papers.layout import Column
from trainer_app.pdf.records import Roster

ROW_H = 8 * mm
HEADER_H = 8 * mm
FOOTER_TOP = layout.BOTTOM + 7 * mm


def columns() -> list[Column]:
    return [
        Column(_("No."), 10 * mm, "center"),
        Column(_("Code"), 20 * mm, "left", 9),
        Column(_("Name"), 28 * mm, "left", 11),
        Column(_("Gender"), 16 * mm, "center"),
        Column(_("ID number"), 40 * mm, "left", 10),
        Column(_("Phone"), 28 * mm, "left", 10),
        Column(_("Village and group"), 38 * mm, "left", 9),
    ]


def count_line(n: int) -> str:
    return ngettext("{n} trainee", "{n} trainees", n).format(n=n)


def texts(roster: Roster) -> list[str]:
    out = [
        roster.class_title, roster.course_title, roster.dates, roster.trainer, roster.place,
        roster.printed_on, roster.branding.county_name, roster.branding.station_name,
        _("Class roster"), _("Class"), _("Course"), _("Dates"), _("Trainer"), _("Place"),
        _("Trainees"), _("Page {page} of {pages}"), _("Printed {date}"), _(": "),
        count_line(len(roster.rows)), *(col.label for col in columns()),
    ]
    for r in roster.rows:
        out += [r.code, r.name, r.gender, r.id_number_masked, r.phone_masked, r.village]
    return out


def render(
    roster: Roster, out: Path, progress: layout.Progress | None = None,
    cancelled: layout.Cancelled | None = None,
) -> Path:
    layout.ensure_printable(texts(roster))
    return layout.write(out, A4, f"{_('Class roster')} {roster.class_title}",
                        lambda c: _draw(c, roster, progress, cancelled))


def _draw(c, roster: Roster, progress, cancelled) -> None:
    page_w, page_h = A4
    cols = columns()
    width = layout.table_width(cols)
    x = (page_w - width) / 2
    title = _("Class roster")
    rest_top = page_h - layout.TOP - layout.SHORT_HEADING_H
    rest = int((rest_top - HEADER_H - FOOTER_TOP) // ROW_H)
    printed = _("Printed {date}").format(date=roster.printed_on) if roster.printed_on else ""
    pages: list[range] | None = None
    page = 0
    while pages is None or page < len(pages):
        layout.begin_page(c, cancelled)
        top = page_h - layout.TOP
        if page == 0:
            y = layout.heading(c, page_w, top, roster.branding, title)
            y = layout.fields(c, x, y, width, [
                (_("Class"), roster.class_title), (_("Course"), roster.course_title),
                (_("Dates"), roster.dates), (_("Trainer"), roster.trainer),
                (_("Place"), roster.place), (_("Trainees"), count_line(len(roster.rows))),
            ])
            first = int((y - HEADER_H - FOOTER_TOP) // ROW_H)
            pages = layout.paginate(len(roster.rows), first, rest)
        else:
            y = layout.short_heading(c, page_w, top, title, roster.class_title)
        y = layout.header_row(c, x, y, cols, HEADER_H)
        for i in pages[page]:
            r = roster.rows[i]
            y = layout.row(c, x, y, cols, [
                str(i + 1), r.code, r.name, r.gender, r.id_number_masked, r.phone_masked,
                r.village,
            ], ROW_H)
        layout.footer(c, page_w, page + 1, len(pages), middle=printed)
        c.showPage()
        page += 1
        if progress:
            progress(page, len(pages))
