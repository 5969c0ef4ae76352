"""Generated photographs and scans of signed sign-in sheets, with the truth about every row.

Pages come from the program's own sign-in sheets (rendered with pypdfium2); signatures, ticks
and stray marks are drawn with Pillow into the cells; then each page is photographed (a tilted
plane seen by a pinhole camera, any rotation, the page not filling the frame, uneven light, a
shadow, a fold, blur, noise, JPEG) or scanned (150-300 dpi, slightly skewed, JPEG). Everything
follows one ``random.Random`` so a seed gives the same set every run.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from trainer_app.domain import sheet_code
from trainer_app.domain import sheet_layout as geo
from trainer_app.sheets import homography

PAPER_DPI = 200  # the clean page the pen writes on
BLUE_INKS = [(20, 40, 150), (30, 60, 170), (10, 30, 110), (40, 70, 190)]
BLACK_INKS = [(20, 20, 25), (45, 45, 50), (10, 10, 10)]


@dataclass
class Truth:
    code: str
    row: int
    signed: bool
    kind: str  # "name", "tick", "crossing", "empty", "stray"


@dataclass
class Sample:
    image: Image.Image
    kind: str  # "photo" or "scan"
    lesson_id: str
    page: int
    truth: list[Truth]
    walk_ins: list[int]  # rows written in by hand
    jpeg: bytes


def render_pages(pdf_path: Path, dpi: int = PAPER_DPI) -> list[Image.Image]:
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in pdf]
    finally:
        pdf.close()


def page_code_of(image: Image.Image) -> sheet_code.PageCode:
    """The page code of a clean rendering (read with the same library as the reader)."""
    import zxingcpp

    for c in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        code = sheet_code.decode(c.text)
        if code:
            return code
    raise ValueError("no page code on the rendered page")


def sign_page(
    rng: random.Random, page: Image.Image, codes: list[str], dpi: int = PAPER_DPI,
    signed_share: float = 0.6, walk_in_share: float = 0.3,
) -> tuple[list[Truth], list[int]]:
    """Write on a clean page: signatures (10 % ticks, 10 % crossing the cell's border) in about
    ``signed_share`` of the trainee rows, stray marks in 20 % of the empty ones, and names in
    some blank rows. ``codes`` are the page's trainee codes in row order."""
    pc = page_code_of(page)
    draw = ImageDraw.Draw(page)
    px = dpi / 72

    def to_px(x: float, y: float) -> tuple[float, float]:
        return x * px, (geo.PAGE_H - y) * px

    truth = []
    for k, code in enumerate(codes):
        box = geo.cell(pc.table_top, k, geo.SIGNATURE_COLUMN)
        ink = rng.choice(BLUE_INKS if rng.random() < 0.5 else BLACK_INKS)
        if rng.random() < signed_share:
            r = rng.random()
            kind = "tick" if r < 0.1 else "crossing" if r < 0.2 else "name"
            if kind == "tick":
                _tick(rng, draw, box, ink, to_px)
            else:
                _signature(rng, draw, box, ink, to_px, crossing=kind == "crossing")
            truth.append(Truth(code, pc.first_row + k, True, kind))
        else:
            stray = rng.random() < 0.2
            if stray:
                _stray(rng, draw, box, ink, to_px)
            truth.append(Truth(code, pc.first_row + k, False, "stray" if stray else "empty"))
    walk_ins = []
    for k in range(pc.trainee_rows, pc.rows):
        if rng.random() < walk_in_share:
            ink = rng.choice(BLUE_INKS + BLACK_INKS)
            name = geo.cell(pc.table_top, k, geo.NAME_COLUMN)
            _signature(rng, draw, name, ink, to_px, crossing=False, max_chars=3)
            _signature(rng, draw, geo.cell(pc.table_top, k, geo.SIGNATURE_COLUMN), ink, to_px,
                       crossing=False)
            walk_ins.append(pc.first_row + k)
    return truth, walk_ins


def _mm(v: float) -> float:
    return v * geo.MM


def _stroke_width(rng: random.Random, px_per_pt: float) -> int:
    return max(1, round(_mm(rng.uniform(0.3, 0.8)) * px_per_pt))


def _signature(rng, draw, box: geo.Box, ink, to_px, crossing: bool, max_chars: int = 4) -> None:
    """A hand-written name: 2-4 characters of short strokes, varied size and slant."""
    chars = rng.randint(2, max_chars)
    size = _mm(rng.uniform(4.5, 10.5))
    gap = size * rng.uniform(0.9, 1.3)
    width_total = chars * gap
    room = box.x1 - box.x0 - _mm(6)
    if width_total > room:
        gap = room / chars
    x = box.x0 + _mm(3) + rng.uniform(0, max(0.0, room - chars * gap))
    play = max(0.0, (box.y1 - box.y0 - size) / 2 - _mm(2))
    cy = (box.y0 + box.y1) / 2 + rng.uniform(-1, 1) * play
    if crossing:  # spill over the top or bottom rule by 1-3.5 mm, or over the right edge
        side = rng.choice(("top", "bottom", "right"))
        over = min(_mm(rng.uniform(1, 3.5)), 0.25 * size)  # the bulk stays in the cell
        if side == "top":
            cy = box.y1 - size / 2 + over
        elif side == "bottom":
            cy = box.y0 + size / 2 - over
        else:
            x = box.x1 - chars * gap + over
    px_per_pt = to_px(1, 0)[0]
    width = _stroke_width(rng, px_per_pt)
    slant = rng.uniform(-0.25, 0.25)
    for i in range(chars):
        left = x + i * gap
        for _ in range(rng.randint(3, 7)):
            points = []
            px0, py0 = rng.uniform(0, size), rng.uniform(-size / 2, size / 2)
            for _ in range(rng.randint(2, 4)):
                points.append((left + px0 + slant * py0, cy + py0))
                px0 = min(size, max(0.0, px0 + rng.uniform(-size / 2, size / 2)))
                py0 = min(size / 2, max(-size / 2, py0 + rng.uniform(-size / 2, size / 2)))
            draw.line([to_px(*p) for p in points], fill=ink, width=width, joint="curve")
        if rng.random() < 0.5 and i < chars - 1:  # a connecting flourish
            draw.line([to_px(left + size * 0.8, cy), to_px(left + gap, cy + size * 0.2)],
                      fill=ink, width=width)


def _tick(rng, draw, box: geo.Box, ink, to_px) -> None:
    size = _mm(rng.uniform(6, 12))
    x = rng.uniform(box.x0 + _mm(4), box.x1 - size - _mm(4))
    cy = (box.y0 + box.y1) / 2 + rng.uniform(-_mm(1.5), _mm(1.5))
    points = [(x, cy + size * 0.1), (x + size * 0.35, cy - size * 0.4), (x + size, cy + size * 0.5)]
    draw.line([to_px(*p) for p in points], fill=ink, width=_stroke_width(rng, to_px(1, 0)[0]),
              joint="curve")


def _stray(rng, draw, box: geo.Box, ink, to_px) -> None:
    """A dot, or a dash up to 3 mm: the pen touched the cell, nobody signed."""
    x = rng.uniform(box.x0 + _mm(3), box.x1 - _mm(6))
    y = rng.uniform(box.y0 + _mm(3), box.y1 - _mm(3))
    if rng.random() < 0.5:
        r = _mm(rng.uniform(0.3, 0.8))
        a, b = to_px(x - r, y + r), to_px(x + r, y - r)
        draw.ellipse([a, b], fill=ink)
    else:
        length = _mm(rng.uniform(1, 3))
        angle = rng.uniform(0, math.pi)
        end = (x + length * math.cos(angle), y + length * math.sin(angle))
        draw.line([to_px(x, y), to_px(*end)], fill=ink,
                  width=_stroke_width(rng, to_px(1, 0)[0]))


# -- cameras and scanners ------------------------------------------------------------------------
def photograph(rng: random.Random, page: Image.Image, megapixels: float | None = None
               ) -> tuple[Image.Image, bytes]:
    """The page as a phone sees it: tilted up to 20°, rotated, not filling the frame, uneven
    light with a shadow, a fold, blurred, noisy, JPEG 50-90."""
    mp = megapixels or rng.uniform(8, 12)
    out_w = round(math.sqrt(mp * 1e6 * 4 / 3))
    out_h = round(out_w * 3 / 4)
    if rng.random() < 0.5:
        out_w, out_h = out_h, out_w
    w, h = page.size
    tilt = math.radians(rng.uniform(0, 20))
    axis = rng.uniform(0, 2 * math.pi)
    corners3 = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    distance = 1.6 * max(w, h)
    projected = []
    for x, y in corners3:  # rotate the page plane by `tilt` about an axis in it, then project
        along = x * math.cos(axis) + y * math.sin(axis)
        across = -x * math.sin(axis) + y * math.cos(axis)
        z = across * math.sin(tilt)
        across *= math.cos(tilt)
        x2 = along * math.cos(axis) - across * math.sin(axis)
        y2 = along * math.sin(axis) + across * math.cos(axis)
        f = distance / (distance + z)
        projected.append((x2 * f, y2 * f))
    turn = rng.choice((0, 90, 180, 270)) + rng.uniform(-12, 12)
    c, s = math.cos(math.radians(turn)), math.sin(math.radians(turn))
    projected = [(x * c - y * s, x * s + y * c) for x, y in projected]
    span_x = max(p[0] for p in projected) - min(p[0] for p in projected)
    span_y = max(p[1] for p in projected) - min(p[1] for p in projected)
    scale = rng.uniform(0.6, 0.95) * min(out_w / span_x, out_h / span_y)
    cx = out_w / 2 + rng.uniform(-1, 1) * (out_w - span_x * scale) / 2
    cy = out_h / 2 + rng.uniform(-1, 1) * (out_h - span_y * scale) / 2
    quad = [(cx + x * scale, cy + y * scale) for x, y in projected]
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    m = homography.fit(quad, src)  # output pixel -> page pixel
    background = tuple(rng.randint(60, 160) for _ in range(3))
    image = page.transform((out_w, out_h), Image.Transform.PERSPECTIVE,
                           [v for row in m for v in row][:8], Image.Resampling.BILINEAR,
                           fillcolor=background)
    image = _light(rng, image)
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    image = _noise(rng, image, rng.uniform(2, 7))
    return _jpeg(image, rng.randint(50, 90))


def scan(rng: random.Random, page: Image.Image, dpi: int | None = None
         ) -> tuple[Image.Image, bytes]:
    """A flatbed scan at 150-300 dpi, up to 1.5° skewed, JPEG 50-90."""
    dpi = dpi or rng.choice((150, 200, 300))
    image = page.resize((round(page.width * dpi / PAPER_DPI), round(page.height * dpi / PAPER_DPI)),
                        Image.Resampling.LANCZOS)
    image = image.rotate(rng.uniform(-1.5, 1.5) + rng.choice((0, 180)),
                         Image.Resampling.BICUBIC, expand=True, fillcolor=(245, 245, 245))
    image = _noise(rng, image, rng.uniform(1, 3))
    return _jpeg(image, rng.randint(50, 90))


def _light(rng: random.Random, image: Image.Image) -> Image.Image:
    """Uneven light (a gradient from 45 % to 100 %), a hard shadow and a fold line."""
    w, h = image.size
    low = rng.uniform(0.45, 0.8)
    gradient = Image.linear_gradient("L").resize((w, h)).rotate(rng.uniform(0, 360))
    gradient = gradient.point(lambda v: round(255 * (low + (1 - low) * v / 255)))
    shade = ImageDraw.Draw(gradient)
    if rng.random() < 0.6:  # a shadow of the hand or the phone over part of the page
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(0.15, 0.4) * min(w, h)
        shade.polygon([(x + r * math.cos(a) * rng.uniform(0.6, 1.4),
                        y + r * math.sin(a) * rng.uniform(0.6, 1.4))
                       for a in [i * math.pi / 4 for i in range(8)]], fill=round(255 * low * 0.75))
    if rng.random() < 0.5:  # a fold: a thin darker line across the page
        y = rng.uniform(0.3, 0.7) * h
        shade.line([(0, y), (w, y + rng.uniform(-0.1, 0.1) * h)], fill=round(255 * low * 0.8),
                   width=max(2, w // 400))
    gradient = gradient.filter(ImageFilter.GaussianBlur(min(w, h) / 150))
    return Image.merge("RGB", [ImageChops.multiply(b, gradient) for b in image.split()])


def _noise(rng: random.Random, image: Image.Image, sigma: float) -> Image.Image:
    """Sensor noise of about ``sigma`` grey levels, from the seeded generator (Pillow's own
    noise is not seeded): the mean of two uniform draws, a triangular distribution."""
    def uniform() -> Image.Image:
        return Image.frombytes("L", image.size, rng.randbytes(image.width * image.height))

    mean = ImageChops.add(uniform(), uniform(), scale=2)  # sd about 52 around 127.5
    noise = mean.point([max(0, min(255, round(128 + (v - 127.5) * sigma / 52)))
                        for v in range(256)])
    return Image.merge("RGB", [ImageChops.add(b, noise, offset=-128) for b in image.split()])


def _jpeg(image: Image.Image, quality: int) -> tuple[Image.Image, bytes]:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    data = buffer.getvalue()
    return Image.open(io.BytesIO(data)), data


def generate(store, seed: int, rows: int, folder: Path, photo_share: float = 0.6):
    """Yield samples until at least ``rows`` trainee rows have been shown: each lesson's sheet
    printed, each page signed, then photographed (``photo_share`` of the pages) or scanned."""
    from trainer_app.services import papers
    from trainer_app.store import classes as classes_q

    rng = random.Random(seed)
    shown = 0
    lessons = classes_q.all_lessons(store)
    i = 0
    while shown < rows:
        lesson = lessons[i % len(lessons)]
        i += 1
        record = papers.sign_in_sheet_record(store, lesson["id"])
        pdf = papers.sign_in_sheet(store, lesson["id"], folder / f"{lesson['id']}.pdf")
        codes = [r.code for r in record.rows]
        for number, page in enumerate(render_pages(pdf), start=1):
            pc = page_code_of(page)
            page_codes = codes[pc.first_row - 1:pc.first_row - 1 + pc.trainee_rows]
            truth, walk_ins = sign_page(rng, page, page_codes)
            kind = "photo" if rng.random() < photo_share else "scan"
            image, data = (photograph if kind == "photo" else scan)(rng, page)
            shown += len(truth)
            yield Sample(image, kind, lesson["id"], number, truth, walk_ins, data)
