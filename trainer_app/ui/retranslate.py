"""Live language switching: widgets re-read their strings when Qt sends LanguageChange."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent


class Retranslating:
    """Mixin for a QWidget subclass with a ``retranslate()`` method (list it before the Qt class).

    Call ``self.retranslate()`` at the end of ``__init__``; it runs again on every switch.
    """

    def retranslate(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            try:
                self.retranslate()
            except Exception:  # noqa: BLE001 - never let a language switch take the program down
                logging.getLogger("trainer_app").exception("re-translating %r failed", self)
        super().changeEvent(event)  # type: ignore[misc]
