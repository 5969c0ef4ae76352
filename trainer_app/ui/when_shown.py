"""Sections that read their records again when records changed elsewhere (an import, a merge,
an approval): at once when they are shown, or else the next time they are, so hidden sections
cost nothing."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent


class ReadsWhenShown:
    """Mixed in before the section's QWidget; the section's ``load()`` reads and clears
    ``_dirty``."""

    _dirty = True

    def refresh(self) -> None:
        """Records changed elsewhere: read them again now if shown, else when next shown."""
        self._dirty = True
        if self.isVisible():
            self.load()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._dirty:
            self.load()
