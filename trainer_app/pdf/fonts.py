"""Fonts for papers: embedded TrueType subsets, with fallbacks for rare name characters.

WenQuanYi Micro Hei prints almost everything; the Hanazono subsets supply CJK Extension A and B
characters (䶮, 𠮷). reportlab has no font fallback of its own, so text is split into runs, each
drawn in the first font that has its characters. A character no font has is reported before
anything is printed: a paper never shows a box.
"""

from __future__ import annotations

from functools import cache, lru_cache

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from trainer_app import paths

MAIN = "TrainerSans"
# (reportlab name, file in resources/fonts, sub-font index for .ttc files)
FONTS = (
    (MAIN, "wqy-microhei.ttc", 0),
    ("TrainerExtA", "HanaMinA-ExtA.ttf", None),
    ("TrainerExtB1", "HanaMinB-ExtB-1.ttf", None),
    ("TrainerExtB2", "HanaMinB-ExtB-2.ttf", None),
)


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap of a font subset, with characters beyond the Basic
    Multilingual Plane (CJK Extension B, such as 𠮷) written as UTF-16 surrogate pairs.

    reportlab 5.1 writes them as odd-length hex (``<20BB7>``), which PDF readers reject: the
    character prints but cannot be searched, copied or read back. Patched into reportlab once.
    """
    lines = _REPORTLAB_CMAP(fontname, subset).split("\n")
    start = lines.index(f"{len(subset)} beginbfchar") + 1
    lines[start : start + len(subset)] = [
        f"<{i:02X}> <{chr(v).encode('utf-16-be', 'surrogatepass').hex().upper()}>"
        for i, v in enumerate(subset)
    ]
    return "\n".join(lines)


_REPORTLAB_CMAP = getattr(ttfonts.makeToUnicodeCMap, "original", ttfonts.makeToUnicodeCMap)
_to_unicode_cmap.original = _REPORTLAB_CMAP  # type: ignore[attr-defined]
ttfonts.makeToUnicodeCMap = _to_unicode_cmap


@cache
def _coverage(name: str) -> frozenset[int]:
    """Register font ``name`` with reportlab (once, when first needed: the fallbacks are large)
    and return the characters it has."""
    filename, index = next((f, i) for n, f, i in FONTS if n == name)
    path = str(paths.resource("fonts", filename))
    font = TTFont(name, path, subfontIndex=index) if index is not None else TTFont(name, path)
    pdfmetrics.registerFont(font)
    return frozenset(font.face.charToGlyph)


def register() -> str:
    """Make the main font ready; returns its name."""
    _coverage(MAIN)
    return MAIN


def font_for(ch: str) -> str | None:
    """The first font that has ``ch``, or None."""
    code = ord(ch)
    for name, _file, _index in FONTS:
        if code in _coverage(name):
            return name
    return None


def missing_characters(text: str) -> list[str]:
    """Characters of ``text`` that no font can print (whitespace aside), in order, once each."""
    missing: list[str] = []
    for ch in text:
        if not ch.isspace() and ch not in missing and font_for(ch) is None:
            missing.append(ch)
    return missing


def runs(text: str) -> list[tuple[str, str]]:
    """``text`` cut into ``(font name, piece)`` runs; whitespace stays with the run before it."""
    return list(_runs(text))


@lru_cache(maxsize=4096)
def _runs(text: str) -> tuple[tuple[str, str], ...]:
    # cached: a paper prints the same labels on every page, and this is its hottest loop
    out: list[tuple[str, str]] = []
    for ch in text:
        name = (out[-1][0] if out else MAIN) if ch.isspace() else (font_for(ch) or MAIN)
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + ch)
        else:
            out.append((name, ch))
    return tuple(out)


def width(text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in _runs(text))


def fit(text: str, max_width: float, size: float, min_size: float = 6) -> float:
    """The largest size, at most ``size``, at which ``text`` fits ``max_width``."""
    w = width(text, size)
    if w <= max_width or w == 0:
        return size
    return max(min_size, size * max_width / w)


def draw(
    canvas: Canvas, x: float, y: float, text: str, size: float, align: str = "left",
    max_width: float | None = None,
) -> float:
    """Draw ``text`` on the baseline ``y``; ``align`` is left, center or right of ``x``.
    With ``max_width`` the text shrinks to fit. Returns the size used."""
    if max_width is not None:
        size = fit(text, max_width, size)
    total = width(text, size)
    if align == "center":
        x -= total / 2
    elif align == "right":
        x -= total
    for name, piece in _runs(text):
        canvas.setFont(name, size)
        canvas.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, name, size)
    return size
