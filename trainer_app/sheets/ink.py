"""Is there a signature in a cell? Judged from the ink in the straightened picture of a strip:
the cell with a few millimetres of its neighbours above and below.

Light is evened out by dividing by the paper's own local brightness (a large maximum filter on
a reduced copy), so shadows and uneven light do not look like ink. The ink is then measured on
a grid of square millimetres and gathered into blobs (touching inked squares; the table's rules
are bridged, not counted). A blob's part inside the cell counts for the cell only when it is a
good share of the blob, so the tail of a neighbour's signature crossing the rule does not, while
two signatures that touch across the rule both do. A signature, even a
small tick, covers many square millimetres; a stray dot or dash a few; between the two bands the
cell is left to the operator, and so is a cell that shares a blob with its neighbour however
small its part: a small signature that crosses the rule and touches the neighbour's signature
looks much like the tail of that signature, and must never be read as an empty cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter

RES = 6  # pixels a millimetre of the straightened strip
EXTEND_MM = 14  # millimetres of the neighbouring rows above and below the cell in a strip
INSET_MM = 1.5  # left and right: the column's rules are not looked at
NAME_INSET_MM = 4  # the same in the name column, which lies further from the codes the fit uses
INK_RATIO = 0.72  # darker than this share of the local paper brightness is ink
SIGNED_MM2 = 13  # at least this many square millimetres of the row's blobs: signed
EMPTY_MM2 = 8  # at most this many: empty; between: uncertain
_MM_INKED = 30  # a square millimetre holds ink when at least this much of it (of 255) is ink
_SEGMENT_MM = 8  # rules are found piece by piece, this long
_RULE_HALF_MM = 0.7  # squares this close to a rule's middle are left out
_LINE_SHARE = 0.3  # a pixel row of a piece this much inked may be the rule
_RULE_PIECES = 0.4  # ... and is, where this share of the pieces agree

_REACH = 2  # millimetres: inked squares this close belong to one blob
_TAIL_MM = 4  # a blob reaching no further than this over a rule is the tail of a signature
_OWN_SHARE = 0.6  # a blob's part in the cell counts when it is at least this share of it
_SHARED_SHARE = 0.3  # a smaller part, at least this share of it and this large, leaves the
_SHARED_MM2 = 4  # cell uncertain (is it the tail of a neighbour's signature or a signature?)
# ... unless it reaches no further than this into the cell (and far into the neighbour's): a
# signature of this row crossing the rule has most of its height, some 3.4 mm or more, here
_FRINGE_MM = 2

_LOG_SCALE = 40.0
_LOG = [round(_LOG_SCALE * math.log(v + 1)) for v in range(256)]
_INK_LOG = round(_LOG_SCALE * math.log(1 / INK_RATIO))
_BINARY = [255 if v > _INK_LOG else 0 for v in range(256)]


@dataclass(frozen=True)
class InkJudgement:
    signed: bool | None  # None: uncertain
    confidence: float  # 0.5 (a coin toss) to 1
    inked_mm2: int


def ink_map(strip: Image.Image) -> Image.Image:
    """A binary (L mode, 0 or 255) picture of the ink in ``strip``, light evened out.

    The darker of the red and green channels is used: blue ink is as dark there as black ink,
    while in plain grey it is only half as dark as black ink.
    """
    if strip.mode == "RGB":
        red, green, _blue = strip.split()
        gray = ImageChops.darker(red, green)
    else:
        gray = strip.convert("L")
    gray = gray.filter(ImageFilter.GaussianBlur(0.7))
    small = gray.reduce(3)
    background = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.BoxBlur(2))
    background = background.resize(gray.size, Image.Resampling.BILINEAR)
    darkness = ImageChops.subtract(background.point(_LOG), gray.point(_LOG))
    return darkness.point(_BINARY)


def _erase_rules(ink: Image.Image, expected_mm: tuple[float, float]) -> list[float]:
    """Erase the table's horizontal rules from ``ink`` and return where they lie (mm from the
    top). Each rule is looked for within a few millimetres of where it should be, piece by
    piece along its length, as pixel rows much inked; the rule is where most pieces agree (a
    signature's strokes are in a few pieces only), and only its pixel rows are erased, so a
    signature across a rule loses a sliver."""
    w, h = ink.size
    draw = ImageDraw.Draw(ink)
    found = []
    for expected in expected_mm:
        y0, y1 = max(0, round((expected - 4) * RES)), min(h, round((expected + 4) * RES))
        pieces = []
        for x0 in range(0, w, _SEGMENT_MM * RES):
            x1 = min(w, x0 + _SEGMENT_MM * RES)
            profile = ink.crop((x0, y0, x1, y1)).resize((1, y1 - y0), Image.Resampling.BOX)
            rows = [y0 + i for i, v in enumerate(profile.tobytes()) if v >= _LINE_SHARE * 255]
            pieces.append((x0, x1, rows))
        near = [{r + d for r in rows for d in (-1, 0, 1)} for _x0, _x1, rows in pieces]
        agreeing = {
            y: sum(1 for rows in near if y in rows)
            for y in range(y0, y1)
        }
        rule = max(agreeing, key=lambda y: (agreeing[y], -abs(y - expected * RES)))
        if agreeing[rule] < _RULE_PIECES * len(pieces):
            found.append(expected)
            continue
        for x0, x1, rows in pieces:
            for y in rows:
                if abs(y - rule) <= RES:
                    draw.rectangle((x0, y - 1, x1 - 1, y + 1), fill=0)
        found.append(rule / RES)
    return found


def row_ink_mm2(ink: Image.Image, cell_mm: float) -> tuple[int, int]:
    """Square millimetres of ink in a strip's cell (``cell_mm`` high, ``EXTEND_MM`` below the
    strip's top), from the strip's :func:`ink_map` (its rules are erased in it): of the blobs
    that are the cell's own, and of those that may or may not be (a good part of them lies in a
    neighbouring cell)."""
    top, bottom = _erase_rules(ink, (EXTEND_MM, EXTEND_MM + cell_mm))
    grid = ink.reduce(RES)
    w, h = grid.size
    values = grid.tobytes()
    inked = [v >= _MM_INKED for v in values]
    for c in (*range(3), *range(w - 3, w)):  # a column's rule, where the fit is off sideways
        column = [values[r * w + c] for r in range(math.ceil(top), math.floor(bottom))]
        if column and sum(1 for v in column if v) >= 0.7 * len(column):
            for r in range(h):
                inked[r * w + c] = False
    # the squares the rules run through are left out (what the erasing left of a faint rule
    # would add up along its length) and bridged: a stroke across a rule stays one blob
    half = _RULE_HALF_MM
    skipped = {r for rule in (top, bottom)
               for r in range(math.floor(rule - half), math.floor(rule + half) + 1)}
    # Squares closer than _REACH millimetres join, the skipped rows not counted: a signature's
    # separate strokes make one blob, and so do its parts on both sides of a rule.
    rows = [r for r in range(h) if r not in skipped]
    position = {r: k for k, r in enumerate(rows)}
    seen = [False] * (w * h)
    total = 0
    shared = 0
    for start in range(w * h):
        if not inked[start] or seen[start] or start // w in skipped:
            continue
        seen[start] = True
        stack = [start]
        mass = 0
        inside = 0
        depth_in = depth_out = 0.0  # how far the blob reaches into the cell, and beyond it
        while stack:
            i = stack.pop()
            r, c = divmod(i, w)
            mass += 1
            y = r + 0.5
            if top <= y < bottom:
                inside += 1
                depth_in = max(depth_in, min(y - top, bottom - y))
            else:
                depth_out = max(depth_out, top - y if y < top else y - bottom)
            k = position[r]
            for nr in rows[max(0, k - _REACH):k + _REACH + 1]:
                for nc in range(max(0, c - _REACH), min(w, c + _REACH + 1)):
                    j = nr * w + nc
                    if inked[j] and not seen[j]:
                        seen[j] = True
                        stack.append(j)
        if inside >= _OWN_SHARE * mass or min(depth_in, depth_out) > _TAIL_MM:
            total += inside  # the cell's own, or two signatures that touch across the rule
        elif depth_in <= _FRINGE_MM < _TAIL_MM < depth_out and inside < _SHARED_SHARE * mass:
            continue  # the fringe of a neighbour's signature: too shallow for one of this row
        elif inside >= _SHARED_MM2 and (
            inside >= _SHARED_SHARE * mass or depth_in <= _TAIL_MM < depth_out
        ):  # a good part of a neighbour's signature, or its tail, or a small signature
            shared += inside  # touching the neighbour's: the operator decides
    return total, shared


def judge(strip: Image.Image, cell_mm: float) -> InkJudgement:
    return judge_ink(ink_map(strip), cell_mm)


def judge_ink(ink: Image.Image, cell_mm: float) -> InkJudgement:
    """The judgement of a strip's cell from the strip's :func:`ink_map` (changed: see
    :func:`row_ink_mm2`)."""
    area, shared = row_ink_mm2(ink, cell_mm)
    if area >= SIGNED_MM2:
        return InkJudgement(True, min(1.0, 0.75 + (area - SIGNED_MM2) / 40), area)
    if area <= EMPTY_MM2 and not shared:  # ink that may be this row's signature: uncertain
        return InkJudgement(False, min(1.0, 0.75 + (EMPTY_MM2 - area) / 32), area)
    return InkJudgement(None, 0.5, area)
