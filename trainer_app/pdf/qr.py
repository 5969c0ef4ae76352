"""QR codes for papers: encoded by zxing-cpp (compiled, ~0.3 ms a code) and drawn as one path.

reportlab's own QR widget encodes in pure Python and draws one rectangle per module, which
costs about 70 times a plain certificate page; here each row of dark modules becomes a few
rectangles of one path, filled once.
"""

from __future__ import annotations

import zxingcpp
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white border the QR standard asks for


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
    left = x + border * module
    top = y + size - border * module
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        yy = top - (r + 1) * module
        c = 0
        while c < n:
            if row[c] == 0:
                start = c
                while c < n and row[c] == 0:
                    c += 1
                path.rect(left + start * module, yy, (c - start) * module, module)
            else:
                c += 1
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
