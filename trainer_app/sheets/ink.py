"""Is there a signature in a cell? Judged from the ink in the straightened picture of a strip:
the cell with a few millimetres of its neighbours above and below.

Light is evened out by dividing by the paper's own local brightness (a large maximum filter on
a reduced copy), so shadows and uneven light do not look like ink. The ink is then measured on
a grid of square millimetres and gathered into blobs (touching inked squares; the table's rules
are bridged, not counted). A blob's part inside the cell counts for the cell only when it is a
good share of the blob, so the tail of a neighbour's signature crossing the rule does not, while
two signatures that touch across the rule both do. A signature, even a
small tick, covers many square millimetres; a stray dot or dash a few; between the two bands the
cell is left to the operator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter

RES = 6  # pixels a millimetre of the straightened strip
EXTEND_MM = 6  # millimetres of the neighbouring rows above and below the cell in a strip
INSET_MM = 1.5  # left and right: the column's rules are not looked at
INK_RATIO = 0.62  # darker than this share of the local paper brightness is ink
SIGNED_MM2 = 14  # at least this many square millimetres of the row's blobs: signed
EMPTY_MM2 = 8  # at most this many: empty; between: uncertain
_MM_INKED = 30  # a square millimetre holds ink when at least this much of it (of 255) is ink
_RULE_SHARE = 0.4  # two grid rows at a rule with ink in this share of columns hold the rule

_OWN_SHARE = 0.35  # a blob's part in the cell counts when it is at least this share of it

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
    """A binary (L mode, 0 or 255) picture of the ink in ``strip``, light evened out."""
    gray = strip.convert("L").filter(ImageFilter.GaussianBlur(0.7))
    small = gray.reduce(3)
    background = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.BoxBlur(2))
    background = background.resize(gray.size, Image.Resampling.BILINEAR)
    darkness = ImageChops.subtract(background.point(_LOG), gray.point(_LOG))
    return darkness.point(_BINARY)


def row_ink_mm2(strip: Image.Image, cell_mm: float) -> int:
    """Square millimetres of ink in the blobs whose centre lies in the strip's cell (``cell_mm``
    high, ``EXTEND_MM`` below the strip's top)."""
    grid = ink_map(strip).reduce(RES)
    w, h = grid.size
    values = grid.tobytes()
    inked = [v >= _MM_INKED for v in values]
    # The rules are looked for around where they should be (the fit may be a few millimetres
    # off far from the codes) and always left out; the cell lies between them.
    top = _rule(values, w, h, EXTEND_MM)
    bottom = _rule(values, w, h, EXTEND_MM + cell_mm)
    skipped = {top - 1, top, top + 1, top + 2, bottom - 1, bottom, bottom + 1, bottom + 2}
    for c in (*range(3), *range(w - 3, w)):  # a column's rule, where the fit is off sideways
        if sum(1 for r in range(top + 2, bottom) if values[r * w + c]) >= 0.7 * (bottom - top - 2):
            for r in range(h):
                inked[r * w + c] = False
    seen = [False] * (w * h)
    total = 0
    for start in range(w * h):
        if not inked[start] or seen[start] or start // w in skipped:
            continue
        seen[start] = True
        stack = [start]
        mass = 0
        inside = 0
        while stack:
            i = stack.pop()
            r, c = divmod(i, w)
            mass += 1
            inside += top < r <= bottom
            for dr in (-1, 0, 1):
                nr = r + dr
                while dr and nr in skipped:  # bridge a rule: its squares join nothing themselves
                    nr += dr
                if not 0 <= nr < h:
                    continue
                for nc in (c - 1, c, c + 1):
                    j = nr * w + nc
                    if 0 <= nc < w and inked[j] and not seen[j]:
                        seen[j] = True
                        stack.append(j)
        if inside >= _OWN_SHARE * mass:
            total += inside
    return total


def _rule(values: bytes, w: int, h: int, expected: float) -> int:
    """The first of the two grid rows that hold the rule expected at ``expected`` mm."""
    near = [r for r in range(round(expected) - 4, round(expected) + 4) if 0 <= r < h - 1]
    best = max(near, key=lambda r: _covered(values, w, r))
    return best if _covered(values, w, best) >= _RULE_SHARE * w else round(expected) - 1


def _covered(values: bytes, w: int, r: int) -> int:
    """Columns with any ink in grid rows ``r`` or ``r + 1``."""
    return sum(1 for c in range(w) if values[r * w + c] or values[(r + 1) * w + c])


def judge(strip: Image.Image, cell_mm: float) -> InkJudgement:
    area = row_ink_mm2(strip, cell_mm)
    if area >= SIGNED_MM2:
        return InkJudgement(True, min(1.0, 0.75 + (area - SIGNED_MM2) / 40), area)
    if area <= EMPTY_MM2:
        return InkJudgement(False, min(1.0, 0.75 + (EMPTY_MM2 - area) / 32), area)
    return InkJudgement(None, 0.5, area)
