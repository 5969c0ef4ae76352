"""What every paper shares: the canvas, headings, label/value blocks, tables, footers, the
printable check, cancelling, and saving.

Tables are drawn row by row with fixed row heights, so the number of pages is known before the
first page is drawn and every footer can say "page 1 of 3".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from trainer_app.i18n import _
from trainer_app.pdf import atomic, fonts
from trainer_app.pdf.records import Branding

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

MARGIN = 15 * mm
TOP = 12 * mm
BOTTOM = 12 * mm
LINE = 0.5  # table rules, points
GREY = 0.35  # labels and small print
HEADER_FILL = 0.9
SHORT_HEADING_H = 9 * mm


class UnprintableText(ValueError):
    """Some text has characters no font of the program has; ``chars`` lists them."""

    def __init__(self, text: str, chars: list[str]) -> None:
        self.text = text
        self.chars = chars
        super().__init__(
            f"{text!r}: " + ", ".join(f"{ch} (U+{ord(ch):04X})" for ch in chars)
        )


def ensure_printable(texts: Iterable[str]) -> None:
    """Raise :class:`UnprintableText` for the first text a font cannot print (no box ever)."""
    for text in texts:
        if text:
            missing = fonts.missing_characters(text)
            if missing:
                raise UnprintableText(text, missing)


def check_cancel(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise atomic.Cancelled()


def new_canvas(fh: BinaryIO, pagesize: tuple[float, float], title: str) -> Canvas:
    """A canvas writing into ``fh`` (the file of :func:`trainer_app.pdf.atomic.pdf_target`)."""
    # the initial font is ours, or every page would name Helvetica (a font not embedded)
    c = Canvas(fh, pagesize=pagesize, pageCompression=1, initialFontName=fonts.register(),
               initialFontSize=10)
    c.setTitle(title)
    c.setCreator("Trainer")
    return c


def begin_page(c: Canvas, cancelled: Cancelled | None) -> None:
    """Stop if cancelled, else set up a new page (reportlab resets the state on each page)."""
    check_cancel(cancelled)
    c.setLineWidth(LINE)


def write(
    out: Path, pagesize: tuple[float, float], title: str, draw: Callable[[Canvas], None]
) -> Path:
    """Have ``draw(canvas)`` draw every page, then write the PDF to ``out`` atomically
    (temporary file, fsync, rename, read back); an exception in ``draw`` (e.g.
    :class:`~trainer_app.pdf.atomic.Cancelled`) leaves ``out`` untouched."""
    out = Path(out)
    with atomic.binary_streams(), atomic.pdf_target(out) as fh:
        c = new_canvas(fh, pagesize, title)
        draw(c)
        c.save()
    return out


def paginate(count: int, first: int, rest: int, keep_last: int = 1) -> list[range]:
    """Split ``count`` rows into pages holding ``first`` rows, then ``rest`` each (at least
    one page, even when there are no rows).

    The last page holds at least ``keep_last`` rows (or all of them): rows move to it from the
    page before, which keeps at least one. A table's totals row is its last row, so
    ``keep_last=3`` keeps it with two rows of the table, never alone under a repeated header.
    """
    first, rest = max(0, first), max(1, rest)
    pages = [range(0, min(count, first))]
    start = first
    while start < count:
        pages.append(range(start, min(count, start + rest)))
        start += rest
    if len(pages) > 1 and len(pages[-1]) < keep_last:
        before, last = pages[-2], pages[-1]
        move = min(min(keep_last, rest) - len(last), len(before) - 1)
        if move > 0:
            cut = before.stop - move
            pages[-2:] = [range(before.start, cut), range(cut, last.stop)]
    return pages


LEAST_BLANKS = 3  # blank rows for walk-ins, at the least, when fewer than asked fit


def paginate_with_blanks(
    count: int, blanks: int, first: int, rest: int,
) -> tuple[list[range], int]:
    """Pages for ``count`` rows followed by blank rows to write in, and how many blank rows:
    ``blanks`` (at most a page less one row) where they fit on the last page; fewer, filling
    it to its end, where only :data:`LEAST_BLANKS` or more fit; and never a page of blank rows
    alone: with less room than that, the last row goes on to the next page with the blank
    rows. With no rows at all, a page of blank rows."""
    rest = max(2, rest)
    wanted = min(blanks, rest - 1)
    if not count:
        n_blank = max(first, wanted)
        return paginate(n_blank, first, rest), n_blank
    pages = paginate(count, first, rest)
    last = pages[-1]
    free = max(0, (first if len(pages) == 1 else rest) - len(last))
    if free >= min(LEAST_BLANKS, wanted) or len(pages) == len(last) == 1:
        n_blank = min(free, wanted)
        return [*pages[:-1], range(last.start, last.stop + n_blank)], n_blank
    if len(last) == 1:
        pages.pop()
    else:
        pages[-1] = range(last.start, last.stop - 1)
    return [*pages, range(count - 1, count + wanted)], wanted


# -- text ----------------------------------------------------------------------------------------
LEADING = 1.15
SMALLEST = 5  # points: below this a paper is unreadable; clip instead


def fitted(
    c: Canvas, x: float, y: float, text: str, size: float, align: str = "left",
    max_width: float | None = None,
) -> float:
    """:func:`fonts.draw` that never runs past ``max_width``: the text shrinks (down to
    :data:`SMALLEST`), and what still does not fit is clipped. Returns the size used."""
    if max_width is None or not text:
        return fonts.draw(c, x, y, text, size, align)
    size = fonts.fit(text, max_width, size, min_size=SMALLEST)
    if fonts.width(text, size) <= max_width + 0.01:
        return fonts.draw(c, x, y, text, size, align)
    left = {"left": x, "center": x - max_width / 2, "right": x - max_width}[align]
    c.saveState()
    clip = c.beginPath()
    clip.rect(left, y - size * 0.4, max_width, size * 1.4)
    c.clipPath(clip, stroke=0, fill=0)
    fonts.draw(c, left, y, text, size)
    c.restoreState()
    return size


def lines_for(text: str, width: float, height: float, size: float) -> tuple[float, list[str]]:
    """The size and lines to show ``text`` in a box: one line shrunk to at most a quarter
    smaller; else wrapped onto as many lines as the height holds, shrinking further only as
    needed; at :data:`SMALLEST` whatever it gives (the caller clips)."""
    single = fonts.fit(text, width, size, min_size=SMALLEST)
    if single >= size * 0.75 or height < 2 * LEADING * SMALLEST:
        return single, [text]
    s = size * 0.85
    while True:
        lines = wrap(text, s, width)
        fits = len(lines) * s * LEADING <= height and all(
            fonts.width(line, s) <= width for line in lines
        )
        if fits or s <= SMALLEST:
            return (s, lines) if len(lines) > 1 or not fits else (single, [text])
        s = max(SMALLEST, s - 0.5)


def text_in_box(
    c: Canvas, text: str, x: float, y: float, w: float, h: float, size: float,
    align: str = "left", pad: float = 1.5 * mm, grey: float = 0,
) -> None:
    """``text`` vertically centred in the box (x, y lower left): shrunk a little, or wrapped
    onto more lines when it is long; what still does not fit at the smallest size is clipped
    to the box, never spilled onto its neighbours."""
    if not text:
        return
    inner = w - 2 * pad
    size, lines = lines_for(text, inner, h - 0.6 * mm, size)
    overflow = len(lines) * size * LEADING > h + 0.01 or any(
        fonts.width(line, size) > inner + 0.01 for line in lines
    )
    if align == "center":
        tx = x + w / 2
    elif align == "right":
        tx = x + w - pad
    else:
        tx = x + pad
    c.saveState()
    if overflow:
        clip = c.beginPath()
        clip.rect(x, y, w, h)
        c.clipPath(clip, stroke=0, fill=0)
        if align != "left":
            tx, align = x + pad, "left"
    if grey:
        c.setFillGray(grey)
    step = size * LEADING
    first = y + h / 2 + (len(lines) - 1) * step / 2 - size * 0.35
    for k, line in enumerate(lines):
        fonts.draw(c, tx, first - k * step, line, size, align)
    c.restoreState()


def heading(c: Canvas, page_w: float, top: float, branding: Branding, title: str) -> float:
    """County and station on one small line, then the paper's title, with the station's logo
    (if any) at the left; returns the y below."""
    picture(c, branding.logo_image, MARGIN, top - 16 * mm, 16 * mm, 16 * mm)
    y = top - 4 * mm
    org = "  ".join(t for t in (branding.county_name, branding.station_name) if t)
    if org:
        c.saveState()
        c.setFillGray(GREY)
        fitted(c, page_w / 2, y, org, 10, "center", max_width=page_w - 2 * MARGIN - 40 * mm)
        c.restoreState()
        y -= 9 * mm
    else:
        y -= 5 * mm
    fitted(c, page_w / 2, y, title, 18, "center", max_width=page_w - 2 * MARGIN - 40 * mm)
    return y - 5 * mm


def short_heading(c: Canvas, page_w: float, top: float, title: str, detail: str) -> float:
    """The heading of a continuation page: title and the one line that says which paper."""
    y = top - 5 * mm
    fitted(c, MARGIN, y, title, 12, max_width=(page_w - 2 * MARGIN) * 0.4)
    c.saveState()
    c.setFillGray(GREY)
    fitted(c, page_w - MARGIN, y, detail, 9, "right", max_width=(page_w - 2 * MARGIN) * 0.58)
    c.restoreState()
    return top - SHORT_HEADING_H


def fields(
    c: Canvas, x: float, top: float, width: float, pairs: Sequence[tuple[str, str]],
    columns: int = 2, size: float = 10, line: float = 6.5 * mm,
) -> float:
    """``label: value`` pairs in a grid of ``columns``; a value too long for its column is set
    a little smaller, then on two lines (its row grows). Returns the y below."""
    col_w = width / columns
    label_w = max((fonts.width(label + _(": "), size) for label, _v in pairs), default=0)
    label_w = min(label_w, col_w * 0.4)
    value_w = col_w - label_w - 3 * mm
    y_top = top
    for start in range(0, len(pairs), columns):
        group = pairs[start : start + columns]
        shapes = [value_lines(value, value_w, size) for _label, value in group]
        extra = max((len(lines) - 1) * s * LEADING for s, lines in shapes)
        baseline = y_top - line + 1.5 * mm
        for k, ((label, _value), (s, lines)) in enumerate(zip(group, shapes, strict=True)):
            cx = x + k * col_w
            c.saveState()
            c.setFillGray(GREY)
            fitted(c, cx, baseline, label + _(": "), size, max_width=label_w)
            c.restoreState()
            for j, text in enumerate(lines):
                fitted(c, cx + label_w, baseline - j * s * LEADING, text, s,
                           max_width=value_w)
        y_top -= line + extra
    return y_top - 2 * mm


def value_lines(text: str, width: float, size: float) -> tuple[float, list[str]]:
    """One line at up to 15 % smaller, else two lines (or more, for a very long text) at the
    largest size from 90 % down to 7 points that fits."""
    single = fonts.fit(text, width, size, min_size=SMALLEST)
    if single >= size * 0.85:
        return single, [text]
    s = size * 0.9
    while True:
        lines = wrap(text, s, width)
        if len(lines) <= 2 or s <= 7:
            return s, lines
        s -= 0.5


def footer(
    c: Canvas, page_w: float, page: int, pages: int, left: str = "", line: float = 0,
    middle: str = "",
) -> None:
    """Page numbers on the right; on the left a text, followed by a ``line`` long rule to sign
    on when ``line`` is given; small print (``middle``) between them (or on the left when
    there is no text)."""
    y = BOTTOM
    if left:
        size = fitted(c, MARGIN, y, left, 10, max_width=(page_w - 2 * MARGIN) * 0.35)
        if line:
            start = MARGIN + fonts.width(left, size) + 1 * mm
            c.line(start, y - 1 * mm, start + line, y - 1 * mm)
    c.saveState()
    c.setFillGray(GREY)
    if middle and left:
        fitted(c, page_w / 2 + 20 * mm, y, middle, 8, "center", max_width=45 * mm)
    elif middle:
        fitted(c, MARGIN, y, middle, 8, max_width=(page_w - 2 * MARGIN) * 0.6)
    number = _("Page {page} of {pages}").format(page=page, pages=pages)
    fitted(c, page_w - MARGIN, y, number, 9, "right", max_width=40 * mm)
    c.restoreState()


# -- tables --------------------------------------------------------------------------------------
CellDrawer = Callable[[Canvas, float, float, float, float], None]
Cell = str | CellDrawer | None


@dataclass(frozen=True)
class Column:
    label: str  # may hold "\n" for a two-line header
    width: float  # points
    align: str = "left"
    size: float = 10


def table_width(columns: Sequence[Column]) -> float:
    return sum(col.width for col in columns)


def header_row(c: Canvas, x: float, top: float, columns: Sequence[Column], h: float) -> float:
    """The grey header row; returns its bottom."""
    y = top - h
    c.saveState()
    c.setFillGray(HEADER_FILL)
    c.rect(x, y, table_width(columns), h, stroke=1, fill=1)
    c.restoreState()
    cx = x
    for col in columns:
        lines = col.label.split("\n")
        size = 9 if len(lines) == 1 else 8
        step = h / len(lines)
        for i, text in enumerate(lines):
            text_in_box(c, text, cx, top - (i + 1) * step, col.width, step, size, "center",
                        pad=1 * mm)
        c.line(cx, y, cx, top)
        cx += col.width
    return y


def row(
    c: Canvas, x: float, top: float, columns: Sequence[Column], cells: Sequence[Cell], h: float,
    fill: float | None = None, span: int = 1,
) -> float:
    """One table row with its rules; a cell is text, a drawer ``f(c, x, y, w, h)`` or None.
    With ``span`` > 1 the first ``span`` columns form one cell (``cells`` then holds one entry
    for them). Returns the row's bottom."""
    y = top - h
    width = table_width(columns)
    if fill is not None:
        c.saveState()
        c.setFillGray(fill)
        c.rect(x, y, width, h, stroke=0, fill=1)
        c.restoreState()
    c.rect(x, y, width, h, stroke=1, fill=0)
    first = columns[:span]
    merged = Column("", table_width(first), first[-1].align, first[-1].size)
    cx = x
    for col, cell in zip([merged, *columns[span:]], cells, strict=True):
        if callable(cell):
            cell(c, cx, y, col.width, h)
        elif cell:
            text_in_box(c, cell, cx, y, col.width, h, col.size, col.align)
        if cx > x:
            c.line(cx, y, cx, top)
        cx += col.width
    return y


NO_LINE_END = set("（《〈「『【〔“‘([{")
NO_LINE_START = set("）》〉」』】〕”’，。、：；！？…·)]},.:;!?%")


def wrap(text: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width``: at spaces when there are any (English),
    else between any two characters (Chinese), keeping an opening bracket off a line's end and
    closing punctuation off a line's start."""
    lines: list[str] = []
    current = ""
    for word in _words(text):
        if current.strip() and fonts.width((current + word).rstrip(), size) > width:
            carry = ""
            while current and (current[-1] in NO_LINE_END or word[:1] in NO_LINE_START
                               and not carry):
                carry = current[-1] + carry
                current = current[:-1]
                if carry[0] not in NO_LINE_END:
                    break
            if current.strip():
                lines.append(current.rstrip())
                current = (carry + word).lstrip()
            else:  # nothing left to break before: keep it together
                current = carry + word
        else:
            current += word
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _words(text: str) -> list[str]:
    words: list[str] = []
    for ch in text:
        if words and (ch.isascii() and not ch.isspace()) and words[-1][-1:].isascii() \
                and not words[-1][-1:].isspace():
            words[-1] += ch
        else:
            words.append(ch)
    return words


def paragraph(
    c: Canvas, x: float, top: float, text: str, size: float, width: float, leading: float = 1.4,
    grey: float = 0,
) -> float:
    """``text`` wrapped to ``width`` below ``top``; returns the y below the last line."""
    y = top
    c.saveState()
    if grey:
        c.setFillGray(grey)
    for line in wrap(text, size, width):
        y -= size * leading
        fitted(c, x, y + size * (leading - 1), line, size, max_width=width)
    c.restoreState()
    return y


def picture(c: Canvas, path: Path | None, x: float, y: float, w: float, h: float) -> None:
    """An optional image (logo) fitted into the box, keeping its shape and transparency; a
    missing or unreadable file is left out (the paper still prints)."""
    if not path:
        return
    try:
        c.drawImage(str(path), x, y, w, h, mask="auto", preserveAspectRatio=True,
                    anchor="c")
    except Exception:  # noqa: BLE001 - a bad logo must not stop a paper
        return
