"""Trainee cards to cut out: ten ID-1 cards (85.6 × 54 mm, rounded to 85 × 54) per A4 page in
2 columns × 5 rows, each with the trainee's name, station, code and a QR code of the code large
enough for any scanner (22 mm symbol, modules of about 1 mm)."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from trainer_app.i18n import _
from trainer_app.pdf import fonts, qr
from trainer_app.pdf.papers import layout
from trainer_app.pdf.records import TraineeCard

CARD_W = 85 * mm
CARD_H = 54 * mm
COLS = 2
ROWS = 5
PER_PAGE = COLS * ROWS
QR_SYMBOL = 22 * mm  # the symbol alone; the card around it is white for the quiet zone
QR_MARGIN = 4.5 * mm  # > 4 modules of white around the symbol
BAND_H = 10 * mm
CUT_GAP = 2 * mm  # between the card grid and the cut marks
CUT_LEN = 6 * mm


def labels() -> list[str]:
    return [_("Trainee card"), _("Trainee code"), _("Trainee cards")]


def texts(cards: list[TraineeCard]) -> list[str]:
    out = labels()
    for card in cards:
        out += [card.code, card.name, card.village, card.branding.station_name,
                card.branding.county_name]
    return out


def _origin(page_w: float, page_h: float) -> tuple[float, float]:
    """Lower left corner of the card grid, centred on the page."""
    return (page_w - COLS * CARD_W) / 2, (page_h - ROWS * CARD_H) / 2


def _cut_marks(c: Canvas, x0: float, y0: float) -> None:
    """Short marks in the margins in line with every cut, and a light outline of each card
    (the marks survive when the outline is cut away)."""
    right, top = x0 + COLS * CARD_W, y0 + ROWS * CARD_H
    c.saveState()
    c.setLineWidth(0.3)
    for k in range(COLS + 1):
        x = x0 + k * CARD_W
        c.line(x, y0 - CUT_GAP, x, y0 - CUT_GAP - CUT_LEN)
        c.line(x, top + CUT_GAP, x, top + CUT_GAP + CUT_LEN)
    for k in range(ROWS + 1):
        y = y0 + k * CARD_H
        c.line(x0 - CUT_GAP, y, x0 - CUT_GAP - CUT_LEN, y)
        c.line(right + CUT_GAP, y, right + CUT_GAP + CUT_LEN, y)
    c.setStrokeGray(0.6)
    c.setDash(2, 2)
    for k in range(COLS + 1):
        c.line(x0 + k * CARD_W, y0, x0 + k * CARD_W, top)
    for k in range(ROWS + 1):
        c.line(x0, y0 + k * CARD_H, right, y0 + k * CARD_H)
    c.restoreState()


def _card(c: Canvas, card: TraineeCard, x: float, y: float) -> None:
    pad = 4 * mm
    # band: station on the left (two lines when long), what the card is on the right
    band_y = y + CARD_H - BAND_H
    c.saveState()
    c.setFillGray(0.92)
    c.rect(x, band_y, CARD_W, BAND_H, stroke=0, fill=1)
    c.restoreState()
    kind = _("Trainee card")
    kind_size = fonts.fit(kind, 22 * mm, 8)
    kind_w = fonts.width(kind, kind_size)
    left = x + pad
    if card.branding.logo_image:
        layout.picture(c, card.branding.logo_image, left, band_y + 1.5 * mm, 7 * mm, 7 * mm)
        left += 8 * mm
    station_w = x + CARD_W - pad - kind_w - 3 * mm - left
    layout.text_in_box(c, card.branding.station_name, left, band_y, station_w, BAND_H, 8.5,
                       pad=0)
    c.saveState()
    c.setFillGray(layout.GREY)
    fonts.draw(c, x + CARD_W - pad, band_y + BAND_H / 2 - kind_size * 0.35, kind, kind_size,
               "right")
    c.restoreState()

    qx = x + CARD_W - QR_MARGIN - QR_SYMBOL
    qy = y + (CARD_H - BAND_H - QR_SYMBOL) / 2
    qr.draw(c, card.code, qx, qy, QR_SYMBOL, quiet_zone=False)

    tx = x + 5 * mm
    text_w = qx - QR_MARGIN - tx
    layout.text_in_box(c, card.name, tx, y + 26 * mm, text_w, 13 * mm, 22, pad=0)
    c.saveState()
    c.setFillGray(layout.GREY)
    layout.fitted(c, tx, y + 21.5 * mm, _("Trainee code"), 7.5, max_width=text_w)
    c.restoreState()
    layout.fitted(c, tx, y + 15 * mm, card.code, 15, max_width=text_w)
    layout.text_in_box(c, card.village, tx, y + 3.5 * mm, text_w, 8 * mm, 9, pad=0)


def render(
    cards: list[TraineeCard], out: Path, progress: layout.Progress | None = None,
    cancelled: layout.Cancelled | None = None,
) -> Path:
    """Write the cards to ``out`` (atomically), ten per page, and return it."""
    layout.ensure_printable(texts(cards))
    return layout.write(out, A4, _("Trainee cards"),
                        lambda c: _draw(c, cards, progress, cancelled))


def _draw(c: Canvas, cards: list[TraineeCard], progress, cancelled) -> None:
    x0, y0 = _origin(*A4)
    pages = max(1, (len(cards) + PER_PAGE - 1) // PER_PAGE)
    for page in range(pages):
        layout.begin_page(c, cancelled)
        chunk = cards[page * PER_PAGE : (page + 1) * PER_PAGE]
        for i, card in enumerate(chunk):
            r, k = divmod(i, COLS)
            _card(c, card, x0 + k * CARD_W, y0 + (ROWS - 1 - r) * CARD_H)
        _cut_marks(c, x0, y0)
        c.showPage()
        if progress:
            progress(min(len(cards), (page + 1) * PER_PAGE), len(cards))
