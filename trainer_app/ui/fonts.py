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
FALLBACK_FONTS = ("HanaMinA-ExtA.ttf", "HanaMinB-ExtB-1.ttf", "HanaMinB-ExtB-2.ttf")


def _add(filename: str) -> list[str]:
    font_id = QFontDatabase.addApplicationFont(str(paths.resource("fonts", filename)))
    return QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []


def install(app: QApplication) -> None:
    has_chinese = bool(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))
    fallbacks = [family for name in FALLBACK_FONTS for family in _add(name)]
    font = app.font()
    if not has_chinese:
        families = _add(MAIN_FONT)
        if families:
            font = QFont(families[0], font.pointSize())
    # Qt tries these families, in order, for characters the main font lacks.
    font.setFamilies([font.family(), *fallbacks])
    app.setFont(font)
