"""Switching the program's language: our gettext catalog and Qt's own translations."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QTranslator
from PySide6.QtWidgets import QApplication

from trainer_app import i18n
from trainer_app.ui.settings import LANGUAGE, settings

_qt_translator: QTranslator | None = None


def initial_language(requested: str | None) -> str | None:
    """The ``--lang`` option, else the language chosen in the program, else the system's."""
    return requested or settings().value(LANGUAGE) or None


def apply(lang: str | None, remember: bool = False) -> str:
    """Activate ``lang`` everywhere; every open widget re-translates itself."""
    global _qt_translator
    code = i18n.set_language(lang)
    app = QCoreApplication.instance()
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
        settings().setValue(LANGUAGE, code)
    if isinstance(app, QApplication):
        for widget in app.topLevelWidgets():
            QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.LanguageChange))
    return code
