"""Chinese glyphs on every machine: the fonts in ``resources/fonts`` back up the system's.

On a PC without a Chinese font (or without the rare characters of some names) Qt would draw
boxes. The bundled WenQuanYi Micro Hei becomes the application font when the system has no
Simplified Chinese font, and the Hanazono subsets fill in CJK Extension A and B characters.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from trainer_app import paths

MAIN_FONT = "wqy-microhei.ttc"
# (file, family) of the fallbacks, in the order Qt tries them for characters the main font
# lacks. Extension A is registered before the first paint: its metrics (with the Extension B
# fonts', the same design) set the line height. Extension B, the rarest characters and two
# large files (~1.6 ms), comes once the window has been painted.
FALLBACK_FONTS = (("HanaMinA-ExtA.ttf", "HanaMinA"),)
RARE_FONTS = (("HanaMinB-ExtB-1.ttf", "HanaMinB"), ("HanaMinB-ExtB-2.ttf", "HanaMinB2"))


def _add(filename: str) -> list[str]:
    font_id = QFontDatabase.addApplicationFont(str(paths.resource("fonts", filename)))
    return QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []


def install(app: QApplication) -> None:
    has_chinese = bool(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))
    for filename, _family in FALLBACK_FONTS:
        _add(filename)
    font = app.font()
    if not has_chinese:
        families = _add(MAIN_FONT)
        if families:
            font = QFont(families[0], font.pointSize())
    # Qt tries these families, in order, for characters the main font lacks; one not registered
    # yet (see install_rare) is passed over until it is.
    font.setFamilies([font.family(), *(family for _f, family in FALLBACK_FONTS + RARE_FONTS)])
    app.setFont(font)


def install_rare(app: QApplication) -> None:
    """Register the Extension B fonts, then draw every widget again: a name with one of their
    characters shown before was drawn without it (a window's update() alone leaves the table
    views' viewports as they were)."""
    for filename, _family in RARE_FONTS:
        _add(filename)
    for widget in app.allWidgets():
        widget.update()
