"""Chinese glyphs on every machine: the fonts in ``resources/fonts`` back up the system's.

On a PC without a Chinese font (or without the rare characters of some names) Qt would draw
boxes. The bundled WenQuanYi Micro Hei becomes the application font when the system has no
Simplified Chinese font, and the Hanazono subsets fill in CJK Extension A and B characters.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontInfo
from PySide6.QtWidgets import QApplication

from trainer_app import paths

MAIN_FONT = "wqy-microhei.ttc"
# (file, family) of the fallbacks, in the order Qt tries them for characters the main font
# lacks. Registered once the window has been painted (install_fallbacks): three large files
# (~2 ms), for characters only rare names have.
FALLBACK_FONTS = (("HanaMinA-ExtA.ttf", "HanaMinA"), ("HanaMinB-ExtB-1.ttf", "HanaMinB"),
                  ("HanaMinB-ExtB-2.ttf", "HanaMinB2"))


def _add(filename: str) -> list[str]:
    font_id = QFontDatabase.addApplicationFont(str(paths.resource("fonts", filename)))
    return QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []


def install(app: QApplication) -> None:
    has_chinese = bool(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))
    font = app.font()
    if not has_chinese:
        families = _add(MAIN_FONT)
        if families:
            font = QFont(families[0], font.pointSize())
    # The family the font resolves to, not its name: "Sans Serif" (Linux) names no font of its
    # own, and listed first it would give way to the next family of the list, a fallback, whose
    # metrics would then set the line height. Qt tries the fallbacks, in order, for characters
    # the main font lacks, passing over one not registered yet.
    font.setFamilies([QFontInfo(font).family(), *(family for _f, family in FALLBACK_FONTS)])
    app.setFont(font)


def install_fallbacks(app: QApplication) -> None:
    """Register the fallback fonts, then draw every widget again: a name with one of their
    characters shown before was drawn without it (a window's update() alone leaves the table
    views' viewports as they were)."""
    for filename, _family in FALLBACK_FONTS:
        _add(filename)
    for widget in app.allWidgets():
        widget.update()
