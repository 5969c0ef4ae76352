"""Switching the program's language: our gettext catalog and Qt's own translations."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QTranslator
from PySide6.QtGui import QGuiApplication

from trainer_app import i18n

_qt_translator: QTranslator | None = None


def apply(lang: str | None, remember: bool = False) -> str:
    """Activate ``lang`` everywhere; every open widget re-translates itself."""
    global _qt_translator
    code = i18n.set_language(lang)
    app = QCoreApplication.instance()
    # Qt adds " — <display name>" to every window title: the program's name in the language.
    QGuiApplication.setApplicationDisplayName(i18n.app_name())
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if code != "en":
        translator = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(f"qtbase_{code}", folder):
            app.installTranslator(translator)
            _qt_translator = translator
    if remember:
        from trainer_app.ui.settings import LANGUAGE, settings  # start-up does not remember

        settings().setValue(LANGUAGE, code)
    # QApplication passes LanguageChange on to every window (and they to their children) as
    # posted events; deliver them now so that the switch is complete when this returns.
    QCoreApplication.sendEvent(app, QEvent(QEvent.Type.LanguageChange))
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
    return code
