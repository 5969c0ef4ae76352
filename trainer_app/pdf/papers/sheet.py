"""The sign-in sheet of a lesson: one row per enrolled trainee with a small QR code of their
trainee code (the attendance scanner reads it from the paper), a wide signature column, blank
rows for walk-ins, and the trainer's signature line."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from trainer_app.i18n import _
from trainer_app.pdf import qr
from trainer_app.pdf.papers import layout
from trainer_app.pdf.papers.layout import Column
from trainer_app.pdf.records import SheetRow, SignInSheet

ROW_H = 15 * mm
HEADER_H = 10 * mm
QR_SIZE = 14.2 * mm  # including the quiet zone: the symbol itself is about 10 mm wide
FOOTER_TOP = layout.BOTTOM + 9 * mm


def columns() -> list[Column]:
    return [
        Column(_("No."), 10 * mm, "center", 10),
        Column(_("Name"), 30 * mm, "left", 12),
        Column(_("Village"), 34 * mm, "left", 9),
        Column(_("Trainee code\n(for the scanner)"), 36 * mm),
        Column(_("Signature"), 70 * mm),
    ]


def texts(sheet: SignInSheet) -> list[str]:
    """Everything the sheet prints, for the printable check."""
    out = [
        sheet.class_title, sheet.course_title, sheet.lesson_topic, sheet.lesson_date,
        sheet.lesson_time, sheet.place, sheet.trainer, sheet.enrolled_label, sheet.printed_on,
        sheet.branding.county_name, sheet.branding.station_name, *labels(),
        *(col.label for col in columns()),
    ]
    for r in sheet.rows:
        out += [r.code, r.name, r.village, r.extra]
    return out


def labels() -> list[str]:
    return [
        _("Sign-in sheet"), _("Class"), _("Course"), _("Lesson"), _("Date and time"), _("Place"),
        _("Trainer"), _("Trainer's signature: "), _("Page {page} of {pages}"), _(": "),
        _("Printed {date}"), hint(),
    ]


def hint() -> str:
    return _(
        "Sign in the row with your name. If your name is not listed, write it in an empty row "
        "at the end."
    )


def _qr_cell(code: str):
    def draw(c, x, y, w, h):
        qr.draw(c, code, x + 0.4 * mm, y + (h - QR_SIZE) / 2, QR_SIZE)
        left = x + 0.4 * mm + QR_SIZE
        layout.text_in_box(c, code, left, y, x + w - left, h, 10, pad=0.5 * mm)

    return draw


def _cells(number: int, r: SheetRow | None) -> list:
    if r is None:
        return [str(number), None, None, None, None]
    village = r.village + (f" {r.extra}" if r.extra else "")
    return [str(number), r.name, village, _qr_cell(r.code), None]


def render(
    sheet: SignInSheet, out: Path, progress: layout.Progress | None = None,
    cancelled: layout.Cancelled | None = None,
) -> Path:
    """Write the sheet to ``out`` (atomically) and return it."""
    layout.ensure_printable(texts(sheet))
    return layout.write(out, A4, f"{_('Sign-in sheet')} {_detail(sheet)}",
                        lambda c: _draw(c, sheet, progress, cancelled))


def _detail(sheet: SignInSheet) -> str:
    return "  ".join(t for t in (sheet.class_title, sheet.lesson_topic, sheet.lesson_date) if t)


def _draw(c, sheet: SignInSheet, progress, cancelled) -> None:
    page_w, page_h = A4
    cols = columns()
    x = (page_w - layout.table_width(cols)) / 2
    title = _("Sign-in sheet")
    detail = _detail(sheet)
    entries: list[SheetRow | None] = list(sheet.rows)
    rest_top = page_h - layout.TOP - layout.SHORT_HEADING_H
    rest = int((rest_top - HEADER_H - FOOTER_TOP) // ROW_H)
    pages: list[range] | None = None
    page = 0
    while pages is None or page < len(pages):
        layout.begin_page(c, cancelled)
        top = page_h - layout.TOP
        if page == 0:
            y = layout.heading(c, page_w, top, sheet.branding, title)
            y = layout.fields(c, x, y, layout.table_width(cols), [
                (_("Class"), sheet.class_title), (_("Course"), sheet.course_title),
                (_("Lesson"), sheet.lesson_topic),
                (_("Date and time"), f"{sheet.lesson_date} {sheet.lesson_time}".strip()),
                (_("Place"), sheet.place), (_("Trainer"), sheet.trainer),
            ])
            y -= 2.5 * mm
            c.saveState()
            c.setFillGray(layout.GREY)
            layout.fitted(c, x, y, hint(), 9, max_width=layout.table_width(cols) - 32 * mm)
            if sheet.enrolled_label:
                layout.fitted(c, x + layout.table_width(cols), y, sheet.enrolled_label, 9,
                           "right", max_width=30 * mm)
            c.restoreState()
            y -= 3.5 * mm
            first = int((y - HEADER_H - FOOTER_TOP) // ROW_H)
            pages, blanks = layout.paginate_with_blanks(len(entries), sheet.blank_rows,
                                                        first, rest)
            entries += [None] * blanks
        else:
            y = layout.short_heading(c, page_w, top, title, detail)
        y = layout.header_row(c, x, y, cols, HEADER_H)
        for i in pages[page]:
            y = layout.row(c, x, y, cols, _cells(i + 1, entries[i]), ROW_H)
        printed = _("Printed {date}").format(date=sheet.printed_on) if sheet.printed_on else ""
        layout.footer(c, page_w, page + 1, len(pages), _("Trainer's signature: "), 45 * mm,
                      printed)
        c.showPage()
        page += 1
        if progress:
            progress(page, len(pages))
