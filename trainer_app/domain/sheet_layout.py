"""Where things sit on a sign-in sheet page, in PDF points (origin at the lower left corner).

The renderer (``pdf/papers/sheet.py``) draws with these numbers and the reader
(``sheets/reader.py``) measures with them, so a change to the paper cannot silently break the
reading of photographed sheets.
"""

from __future__ import annotations

from dataclasses import dataclass

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM  # A4
MARGIN_TOP = 12 * MM
ROW_H = 15 * MM
HEADER_H = 10 * MM
QR_SIZE = 14.2 * MM  # a row's QR including its quiet zone: the symbol itself is about 10 mm
QR_INSET = 0.4 * MM  # from the left edge of the code column
QUIET_ZONE = 4  # modules (the QR standard's white border)
# width of each column: No., Name, Village, Trainee code, Signature
COLUMN_WIDTHS = (10 * MM, 30 * MM, 34 * MM, 36 * MM, 70 * MM)
NAME_COLUMN, CODE_COLUMN, SIGNATURE_COLUMN = 1, 3, 4
TABLE_W = sum(COLUMN_WIDTHS)
TABLE_X = (PAGE_W - TABLE_W) / 2
# The page code: top right, its symbol's top edge on the top margin (the quiet zone lies in it)
PAGE_CODE_SIZE = 18 * MM  # including the quiet zone
PAGE_CODE_MODULES = 29  # a version 3 symbol (the page code is always 49 characters)


@dataclass(frozen=True)
class Box:
    """A rectangle on the page: left, bottom, right, top."""

    x0: float
    y0: float
    x1: float
    y1: float

    def corners(self) -> list[tuple[float, float]]:
        """Top left, top right, bottom right, bottom left (the order QR readers report)."""
        return [(self.x0, self.y1), (self.x1, self.y1), (self.x1, self.y0), (self.x0, self.y0)]

    def inset(self, d: float) -> Box:
        return Box(self.x0 + d, self.y0 + d, self.x1 - d, self.y1 - d)


def column_x(index: int) -> float:
    return TABLE_X + sum(COLUMN_WIDTHS[:index])


def cell(table_top: float, row: int, column: int) -> Box:
    """Row ``row`` (0 = the first below the header) of the page's table, whose rows start at
    ``table_top`` (the header row's bottom)."""
    top = table_top - row * ROW_H
    x = column_x(column)
    return Box(x, top - ROW_H, x + COLUMN_WIDTHS[column], top)


def qr_origin(table_top: float, row: int) -> tuple[float, float]:
    """Lower left corner of the row's QR code, quiet zone included."""
    box = cell(table_top, row, CODE_COLUMN)
    return box.x0 + QR_INSET, box.y0 + (ROW_H - QR_SIZE) / 2


def qr_symbol(table_top: float, row: int, modules: int) -> Box:
    """The dark symbol of the row's QR code (without the quiet zone) for a ``modules`` wide code."""
    x, y = qr_origin(table_top, row)
    return _symbol(x, y, QR_SIZE, modules)


def page_code_origin() -> tuple[float, float]:
    """Lower left corner of the page code, quiet zone included."""
    module = PAGE_CODE_SIZE / (PAGE_CODE_MODULES + 2 * QUIET_ZONE)
    top = PAGE_H - MARGIN_TOP + QUIET_ZONE * module
    return TABLE_X + TABLE_W - PAGE_CODE_SIZE + QUIET_ZONE * module, top - PAGE_CODE_SIZE


def page_code_symbol() -> Box:
    x, y = page_code_origin()
    return _symbol(x, y, PAGE_CODE_SIZE, PAGE_CODE_MODULES)


def _symbol(x: float, y: float, size: float, modules: int) -> Box:
    module = size / (modules + 2 * QUIET_ZONE)
    border = QUIET_ZONE * module
    return Box(x + border, y + border, x + size - border, y + size - border)
