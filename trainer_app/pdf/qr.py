"""QR codes for papers: encoded by zxing-cpp (compiled, ~0.3 ms a code) and drawn as one path.

reportlab's own QR widget encodes in pure Python and draws one rectangle per module, which
costs about 70 times a plain certificate page; here each run of dark modules in a row becomes
one rectangle of a single path, written in module units and filled once.
"""

from __future__ import annotations

import re

import zxingcpp
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white border the QR standard asks for
_DARK_RUN = re.compile(rb"\x00+")  # in a row of the matrix, byte 0 is a dark module


def matrix(text: str, ec_level: str = "M") -> list[bytes]:
    """Rows of the QR symbol for ``text``; in each row byte 0 is a dark module."""
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=ec_level)
    image = symbol.to_image(scale=1, add_quiet_zones=False)
    height, width = image.shape
    data = memoryview(image).tobytes()
    return [data[r * width : (r + 1) * width] for r in range(height)]


def draw(
    canvas: Canvas, text: str, x: float, y: float, size: float, ec_level: str = "M",
    quiet_zone: bool = True,
) -> None:
    """Draw the QR code for ``text`` with its lower left corner at (x, y), ``size`` points
    wide including the quiet zone (when ``quiet_zone``)."""
    rows = matrix(text, ec_level)
    n = len(rows)
    border = QUIET_ZONE if quiet_zone else 0
    module = size / (n + 2 * border)
    # In module units (one unit a module, origin at the symbol's lower left corner) every
    # coordinate is a small integer: the path is written as PDF operators directly, one
    # rectangle per run of dark modules in a row, all filled at once. reportlab's path object
    # would format ~500 floats a code in Python, several times the cost of the whole page.
    ops = [
        f"{m.start()} {n - 1 - r} {m.end() - m.start()} 1 re"
        for r, row in enumerate(rows)
        for m in _DARK_RUN.finditer(row)
    ]
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.transform(module, 0, 0, module, x + border * module, y + border * module)
    canvas.addLiteral("\n".join(ops) + "\nf")
    canvas.restoreState()
