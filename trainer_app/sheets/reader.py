"""Find the sign-in sheet page in one image, its trainee rows, and their signatures.

All QR codes of the image are decoded in one pass (zxing-cpp gives each code's four corners).
The page code says which lesson and page this is and where the page's table lies; its corners
and those of the row codes, whose place on the page follows from the row they sit in, fit one
homography from the page to the image, refitted row by row walking down the table (a row whose
code the whole image did not give is looked at on its own, where the fit puts it). The
signature column is then cut out through that homography, straightened, and each row's cell
judged by :mod:`trainer_app.sheets.ink`. A row code that does not sit where a row's code is
printed, or a fit that does not agree with its points, rejects the page rather than risk giving
a signature to the wrong trainee. A row whose code could not be read at all is returned without
a code when the fit holds it as surely as the rows around it: the service then knows it by its
place, if the page code's digest of the page's trainees still matches the class."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from enum import Enum

import zxingcpp
from PIL import Image, ImageFilter, ImageStat

from trainer_app.domain import sheet_code
from trainer_app.domain import sheet_layout as geo
from trainer_app.domain.sheet_code import PageCode
from trainer_app.sheets import homography, ink
from trainer_app.sheets.homography import Matrix, Point

MAX_RESIDUAL_MM = 1.5  # a corner further than this from where the fit puts it rejects the page
_SECOND_LOOK_RES = 12  # pixels a millimetre of a row's code read on its own (6 a module)
_ROW_SLACK = 0.3  # of a row's height: a code further than this from its row's centre line
_SECOND_LOOK_MARGIN_MM = 3  # around a row's code square looked at on its own
_CENTRED_MM = 3  # a code read there must be centred this close to where the row's code is
_SHARPEN = ImageFilter.UnsharpMask(radius=2, percent=150, threshold=0)  # a blurred code, again
# A row whose code was not read is located by the fit alone when at least this many codes were
# read on the page, and some of them below it or the last no more than this many rows above it
_LOCATED_MIN_CODES = 3
_SHARP_EDGE = 80  # of 255: an image with no code and no edge this steep is too blurred
_FEATURELESS = 6  # grey levels of spread: an image this even shows nothing (no sheet)
_LOCATED_REACH = 2
_RULE_REACH_MM = 12  # a column's rule is looked for this far either side of where the fit puts it
_RULE_SHARE = 0.6  # ... as a pixel column inked over this share of the row's height


class Problem(Enum):
    """Why a page is not read: what the reader finds in the picture (raised as
    :class:`SheetNotRead`), then what the service finds when it checks the page against the
    database (``trainer_app.services.sheets``)."""

    NO_SHEET = "no_sheet"
    TOO_DARK = "too_dark"
    TOO_BLURRED = "too_blurred"
    SEVERAL_PAGES = "several_pages"
    OLD_SHEET = "old_sheet"
    GEOMETRY = "geometry"
    # the service's
    NOT_AN_IMAGE = "not_an_image"
    UNKNOWN_LESSON = "unknown_lesson"
    OTHER_LESSON = "other_lesson"
    READ_BEFORE = "read_before"
    PAGE_TWICE = "page_twice"


class SheetNotRead(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass
class RowReading:
    code: str | None  # the trainee code in the row's QR code; None: located by the fit alone
    row: int  # the row's number on the sheet, from 1
    signed: bool | None
    confidence: float
    cell: Image.Image  # the straightened signature cell
    ink_mm2: int  # what the judgement rests on (see sheets.ink)


@dataclass
class PageReading:
    page: PageCode
    rows: list[RowReading] = field(default_factory=list)
    handwritten: list[tuple[int, Image.Image]] = field(default_factory=list)  # (row, name cell)
    unread_rows: list[int] = field(default_factory=list)  # printed rows whose code was not found
    turn: int = 0  # degrees to turn the image counter-clockwise for the page to stand upright


def read_page(image: Image.Image) -> PageReading:
    """Read one image of one sheet page; raises :class:`SheetNotRead` with the reason."""
    gray = image.convert("L")
    codes = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    pages = [(sheet_code.decode(c.text), _corners(c)) for c in codes]
    pages = [(p, c) for p, c in pages if p]
    rows = [c for c in codes if sheet_code.decode(c.text) is None and c.text.strip()]
    if not pages and rows:
        pages = _look_for_page_code(image, rows)
    if not pages:
        raise SheetNotRead(_why_nothing(gray, bool(codes)))
    if len({p for p, _ in pages}) > 1:
        raise SheetNotRead(Problem.SEVERAL_PAGES)
    page, page_corners = pages[0]
    fit = _walk(image, page, page_corners, rows)
    reading = PageReading(page, turn=_upright(fit.h))
    signatures = _Column(image, fit.h, page, geo.SIGNATURE_COLUMN)
    for k in range(page.trainee_rows):
        text = fit.codes.get(k)
        if text is None and not fit.located(k):
            reading.unread_rows.append(page.first_row + k)
            continue
        verdict = signatures.judge(k)
        reading.rows.append(RowReading(text, page.first_row + k, verdict.signed,
                                       verdict.confidence, signatures.cell(k), verdict.inked_mm2))
    for k in range(page.trainee_rows, page.rows):
        if signatures.judge(k).signed or _name_written(image, fit.h, page, k):
            reading.handwritten.append((page.first_row + k, _cut_row(image, fit.h, page, k)))
    return reading


def _name_written(image: Image.Image, h: Matrix, page: PageCode, k: int) -> bool:
    """Whether a name is written in blank row ``k``. The name column lies far left of the
    codes the fit rests on, and the blank rows below them, so where ink is seen the column's
    two rules are looked for and the cell judged again between them: the row number printed
    just left of the column is not a name. Where the rules are not found, the first judgement
    stands (a row wrongly shown as handwritten costs the operator a glance; a walk-in missed,
    a trainee's attendance)."""
    if not _judge_name(image, h, page, k).signed:
        return False
    shift = _sideways(image, h, page, k, geo.NAME_COLUMN)
    return shift is None or _judge_name(image, h, page, k, shift).signed


def _sideways(image: Image.Image, h: Matrix, page: PageCode, k: int, column: int
              ) -> float | None:
    """How far (points, rightwards) the column's rules in row ``k`` lie from where the fit puts
    them, found as pixel columns inked most of the row's height a column's width apart; None
    when they are not both found."""
    box = geo.cell(page.table_top, k, column)
    reach = _RULE_REACH_MM * geo.MM
    strip = geo.Box(box.x0 - reach, box.y0 + 3 * geo.MM, box.x1 + reach, box.y1 - 3 * geo.MM)
    inked = ink.ink_map(_cut(image, h, strip))
    profile = inked.resize((inked.width, 1), Image.Resampling.BOX).tobytes()
    step = geo.MM / ink.RES
    rules = []
    for expected in (reach, reach + box.x1 - box.x0):
        near = range(max(0, round((expected - reach) / step)),
                     min(len(profile), round((expected + reach) / step)))
        x = max(near, key=lambda i: (profile[i], -abs(i * step - expected)))
        if profile[x] < _RULE_SHARE * 255:
            return None
        rules.append(x * step - expected)
    if abs(rules[0] - rules[1]) > geo.MM:  # not two rules a column's width apart
        return None
    return (rules[0] + rules[1]) / 2


class _Column:
    """One column's cells of all the page's rows, with ``ink.EXTEND_MM`` above the first and
    below the last, straightened in one cut and its ink found at once: each row's strip (the
    cell with some of its neighbours) is a band of it. Cut one by one, the strips, which
    overlap, would cost about three times as much."""

    def __init__(self, image: Image.Image, h: Matrix, page: PageCode, column: int) -> None:
        first = geo.cell(page.table_top, 0, column)
        last = geo.cell(page.table_top, max(0, page.rows - 1), column)
        extend, inset = ink.EXTEND_MM * geo.MM, ink.INSET_MM * geo.MM
        self.picture = _cut(image, h, geo.Box(first.x0 + inset, last.y0 - extend,
                                              first.x1 - inset, first.y1 + extend))
        self.inked = ink.ink_map(self.picture)
        self._row = geo.ROW_H / geo.MM * ink.RES  # pixels
        self._extend = ink.EXTEND_MM * ink.RES

    def judge(self, k: int) -> ink.InkJudgement:
        top = round(k * self._row)
        band = (0, top, self.inked.width, top + round(self._row + 2 * self._extend))
        return ink.judge_ink(self.inked.crop(band), geo.ROW_H / geo.MM)

    def cell(self, k: int) -> Image.Image:
        """Row ``k``'s cell, for the operator to see."""
        top = round(k * self._row + self._extend)
        return self.picture.crop((0, top, self.picture.width, top + round(self._row)))


@dataclass
class _Fit:
    """The page-to-image homography, refitted as each row's code is placed on it."""

    page: PageCode
    src: list[Point]
    dst: list[Point]
    codes: dict[int, str] = field(default_factory=dict)  # row on the page -> its code

    def __post_init__(self) -> None:
        self.h = homography.fit_affine(self.src, self.dst)

    def add(self, k: int, text: str, corners: list[Point]) -> None:
        if text in self.codes.values():  # one trainee, two rows: not a sheet we printed
            raise SheetNotRead(Problem.GEOMETRY)
        self.codes[k] = text
        self.src += geo.qr_symbol(self.page.table_top, k, modules(text)).corners()
        self.dst += corners
        # perspective only once the points span more than one row below the page code
        self.h = (homography.fit(self.src, self.dst) if len(self.codes) >= 3
                  else homography.fit_affine(self.src, self.dst))

    def row_of(self, corners: list[Point]) -> int | None:
        """The row whose code square holds the code with these corners, under the fit."""
        x, y = homography.apply(homography.invert(self.h), _centre(corners))
        position = (self.page.table_top - geo.ROW_H / 2 - y) / geo.ROW_H
        k = round(position)
        box = geo.cell(self.page.table_top, k, geo.CODE_COLUMN)
        if abs(position - k) > _ROW_SLACK or not box.x0 <= x <= box.x1:
            return None
        return k

    def located(self, k: int) -> bool:
        """Whether row ``k``, its own code not read, lies well within the rows whose codes
        were: the fit places it as surely as them (see :data:`_LOCATED_REACH`)."""
        return len(self.codes) >= _LOCATED_MIN_CODES and (
            any(j > k for j in self.codes) or k - max(self.codes) <= _LOCATED_REACH)


def _walk(image: Image.Image, page: PageCode, page_corners: list[Point], rows: list) -> _Fit:
    """Place the codes read in the whole image on the page's rows, walking down the table from
    the page code and refitting after each row, so that each row is placed by a fit that
    reaches the rows just above it; a row whose code the whole image did not give is looked
    at on its own. A code that is not where a row's code is printed rejects the page."""
    fit = _Fit(page, geo.page_code_symbol().corners(), list(page_corners))
    pending = list(rows)
    for k in range(page.trainee_rows):
        symbol = next((s for s in pending if fit.row_of(_corners(s)) == k), None)
        if symbol is not None:
            pending.remove(symbol)
            fit.add(k, symbol.text, _corners(symbol))
            continue
        looked = _second_look(image, fit.h, page, k)
        if looked is None:
            continue
        text, corners = looked
        same = [s for s in pending if s.text == text]  # the same code, misplaced by the fit
        for s in same:
            if fit.row_of(_corners(s)) is not None:
                raise SheetNotRead(Problem.GEOMETRY)
            pending.remove(s)
        fit.add(k, text, corners)
    if pending:  # a code that does not sit where a row's code is printed
        raise SheetNotRead(Problem.GEOMETRY)
    _check_residuals(fit.h, fit.src, fit.dst)
    return fit


def _upright(h: Matrix) -> int:
    """The quarter turn (counter-clockwise, degrees) that stands the page upright."""
    (x0, y0), (x1, y1) = (homography.apply(h, (geo.PAGE_W / 2, y))
                          for y in (geo.PAGE_H / 2, geo.PAGE_H * 3 / 4))
    up = math.degrees(math.atan2(x1 - x0, y0 - y1))  # 0: the page's top is up, 90: right
    return round(up / 90) % 4 * 90


def _second_look(image: Image.Image, h: Matrix, page: PageCode, k: int
                 ) -> tuple[str, list[Point]] | None:
    """The code of row ``k`` and its corners in ``image``, read from the row's straightened,
    enlarged code square (with a margin, should the fit be a little off): a code too small,
    too slanted or too blurred for the whole-image pass is often read this way. Only a code
    centred in the square is taken, so whatever is read belongs to this row."""
    x, y = geo.qr_origin(page.table_top, k)
    margin = _SECOND_LOOK_MARGIN_MM * geo.MM
    box = geo.Box(x - margin, y - margin, x + geo.QR_SIZE + margin, y + geo.QR_SIZE + margin)
    square = _cut(image, h, box, _SECOND_LOOK_RES).convert("L")
    for picture in (square, square.filter(_SHARPEN)):
        for found in zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormat.QRCode):
            if not found.text.strip() or sheet_code.decode(found.text) is not None:
                continue
            cx, cy = _centre(_corners(found))
            centre = square.width / 2
            if math.hypot(cx - centre, cy - centre) > _CENTRED_MM * _SECOND_LOOK_RES:
                continue
            return found.text, _to_image(h, box, _SECOND_LOOK_RES, _corners(found))
    return None


def _to_image(h: Matrix, box: geo.Box, res: int, points: list[Point]) -> list[Point]:
    """Points of a picture :func:`_cut` made of ``box``, in the image it was cut from."""
    step = geo.MM / res
    return [homography.apply(h, (box.x0 + u * step, box.y1 - v * step)) for u, v in points]


def _why_nothing(gray: Image.Image, any_code: bool) -> Problem:
    if any_code:
        return Problem.OLD_SHEET
    small = gray.reduce(max(1, min(gray.size) // 600))
    stat = ImageStat.Stat(small)
    if stat.mean[0] < 45:
        return Problem.TOO_DARK
    if stat.stddev[0] < _FEATURELESS:  # a blank page, a wall: nothing to read at all
        return Problem.NO_SHEET
    # The sharpest edges of the picture (its 0.2 % strongest), at half its size: printed text
    # and rules give steep ones in any photo sharp enough to read, a blurred photo none.
    half = gray.reduce(2).filter(ImageFilter.FIND_EDGES)
    counts = half.crop((4, 4, half.width - 4, half.height - 4)).histogram()
    steep, level = sum(counts) * 0.002, 255
    while level > 0 and steep > counts[level]:
        steep -= counts[level]
        level -= 1
    return Problem.TOO_BLURRED if level < _SHARP_EDGE else Problem.NO_SHEET


def _corners(symbol) -> list[Point]:
    p = symbol.position
    return [(c.x, c.y) for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]


def _centre(points: list[Point]) -> Point:
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


@functools.lru_cache(maxsize=4096)
def modules(text: str) -> int:
    """How many modules wide the sheet's QR code for ``text`` is (as the renderer encodes it)."""
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return symbol.to_image(scale=1, add_quiet_zones=False).shape[1]


def _look_for_page_code(image: Image.Image, rows: list) -> list[tuple[PageCode, list[Point]]]:
    """The page code read from a straightened, enlarged strip above a row code where the page
    code must be (its column, anywhere up to the page's top): a page code too small or too
    slanted for the whole-image pass is often read this way."""
    symbol = max(rows, key=lambda s: math.dist(*_corners(s)[:2]))  # the largest in the image
    # the row's height on the page is not known: place it low; the strip reaches a page's
    # height above it, in the page code's column
    box = geo.qr_symbol(0.0, 0, modules(symbol.text))
    h = homography.fit_affine(box.corners(), _corners(symbol))
    target = geo.page_code_symbol()
    margin = 6 * geo.MM
    strip = geo.Box(target.x0 - margin, box.y1, target.x1 + margin, box.y1 + geo.PAGE_H)
    picture = _cut(image, h, strip, _SECOND_LOOK_RES)
    step = geo.MM / _SECOND_LOOK_RES
    found = []
    for c in zxingcpp.read_barcodes(picture.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode):
        code = sheet_code.decode(c.text)
        if code:
            corners = [homography.apply(h, (strip.x0 + x * step, strip.y1 - y * step))
                       for x, y in _corners(c)]
            found.append((code, corners))
    return found


def _check_residuals(h: Matrix, src: list[Point], dst: list[Point]) -> None:
    back = homography.invert(h)
    for s, d in zip(src, dst, strict=True):
        if math.dist(homography.apply(back, d), s) > MAX_RESIDUAL_MM * geo.MM:
            raise SheetNotRead(Problem.GEOMETRY)


def _judge_name(image: Image.Image, h: Matrix, page: PageCode, k: int, shift: float = 0.0
                ) -> ink.InkJudgement:
    """The ink in row ``k``'s name cell, moved ``shift`` points rightwards."""
    box = geo.cell(page.table_top, k, geo.NAME_COLUMN)
    extend, inset = ink.EXTEND_MM * geo.MM, ink.NAME_INSET_MM * geo.MM
    strip = _cut(image, h, geo.Box(box.x0 + inset + shift, box.y0 - extend,
                                   box.x1 - inset + shift, box.y1 + extend))
    return ink.judge(strip, geo.ROW_H / geo.MM)


def _cut(image: Image.Image, h: Matrix, box: geo.Box, res: int = ink.RES) -> Image.Image:
    """The page's ``box`` straightened out of ``image`` at ``res`` pixels a millimetre."""
    step = geo.MM / res  # points a pixel of the cut
    width = round((box.x1 - box.x0) / step)
    height = round((box.y1 - box.y0) / step)
    # cut pixel (u, v) -> page point (x0 + u·step, y1 − v·step) -> image through h
    to_page = [[step, 0.0, box.x0], [0.0, -step, box.y1], [0.0, 0.0, 1.0]]
    m = homography.multiply(h, to_page)
    coefficients = [v / m[2][2] for row in m for v in row][:8]
    source = image if image.mode in ("RGB", "L") else image.convert("RGB")
    return source.transform((width, height), Image.Transform.PERSPECTIVE, coefficients,
                            Image.Resampling.BILINEAR, fillcolor="white")


def _cut_row(image: Image.Image, h: Matrix, page: PageCode, k: int) -> Image.Image:
    first = geo.cell(page.table_top, k, 0)
    last = geo.cell(page.table_top, k, len(geo.COLUMN_WIDTHS) - 1)
    return _cut(image, h, geo.Box(first.x0, first.y0, last.x1, last.y1))
