"""The sign-in sheet of a lesson: one row per enrolled trainee with a small QR code of their
trainee code (the attendance scanner reads it from the paper), a wide signature column, blank
rows for walk-ins, and the trainer's signature line. A page code at the top right tells the
sheet reader (``trainer_app.sheets``) which lesson and page a photograph shows; every position
comes from :mod:`trainer_app.domain.sheet_layout`, which the reader measures with."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from trainer_app.domain import sheet_code
from trainer_app.domain import sheet_layout as geo
from trainer_app.i18n import _
from trainer_app.pdf import qr
from trainer_app.pdf.papers import layout
from trainer_app.pdf.papers.layout import Column
from trainer_app.pdf.records import SheetRow, SignInSheet

ROW_H = geo.ROW_H
HEADER_H = geo.HEADER_H
FOOTER_TOP = layout.BOTTOM + 9 * mm


def columns() -> list[Column]:
    widths = geo.COLUMN_WIDTHS
    return [
        Column(_("No."), widths[0], "center", 10),
        Column(_("Name"), widths[1], "left", 12),
        Column(_("Village"), widths[2], "left", 9),
        Column(_("Trainee code\n(for the scanner)"), widths[3]),
        Column(_("Signature"), widths[4]),
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
        qr.draw(c, code, x + geo.QR_INSET, y + (h - geo.QR_SIZE) / 2, geo.QR_SIZE)
        left = x + geo.QR_INSET + geo.QR_SIZE
        layout.text_in_box(c, code, left, y, x + w - left, h, 10, pad=0.5 * mm)

    return draw


def _cells(number: int, r: SheetRow | None) -> list:
    if r is None:
        return [str(number), None, None, None, None]
    village = r.village + (f" {r.extra}" if r.extra else "")
    return [str(number), r.name, village, _qr_cell(r.code), None]


def _page_code(c, sheet: SignInSheet, page: int, table_top: float, rows: range) -> None:
    listed = sheet.rows[rows.start:rows.stop]
    text = sheet_code.encode(sheet_code.PageCode(
        lesson_id=sheet.lesson_id, page=page, table_top=table_top, first_row=rows.start + 1,
        trainee_rows=len(listed), rows=len(rows),
        trainees=sheet_code.rows_digest([r.code for r in listed]),
    ))
    qr.draw(c, text, *geo.page_code_origin(), geo.PAGE_CODE_SIZE, ec_level="M")


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
    x = geo.TABLE_X
    title = _("Sign-in sheet")
    detail = _detail(sheet)
    entries: list[SheetRow | None] = list(sheet.rows)
    rest_top = page_h - layout.TOP - layout.SHORT_HEADING_H
    if sheet.lesson_id:  # continuation pages: the table starts below the page code
        rest_top = min(rest_top, geo.page_code_symbol().y0 - 2 * mm)
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
        else:  # narrowed so that the detail line keeps clear of the page code
            layout.short_heading(c, page_w - geo.PAGE_CODE_SIZE, top, title, detail)
            y = rest_top
        y = layout.header_row(c, x, y, cols, HEADER_H)
        if sheet.lesson_id:
            _page_code(c, sheet, page + 1, y, pages[page])
        for i in pages[page]:
            y = layout.row(c, x, y, cols, _cells(i + 1, entries[i]), ROW_H)
        printed = _("Printed {date}").format(date=sheet.printed_on) if sheet.printed_on else ""
        layout.footer(c, page_w, page + 1, len(pages), _("Trainer's signature: "), 45 * mm,
                      printed)
        c.showPage()
        page += 1
        if progress:
            progress(page, len(pages))
