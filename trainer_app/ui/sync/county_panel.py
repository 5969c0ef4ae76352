"""The county coordinator's side of the Sync section.

A database that is not a county yet (and holds no station's records) is offered the set-up
form. A county sees its station register, the duplicate persons found at import, and read-only
views of every station's trainees, classes and certificates.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from trainer_app.i18n import _
from trainer_app.services import county
from trainer_app.store import Store
from trainer_app.sync import site
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.sync.county_duplicates import DuplicatesPanel
from trainer_app.ui.sync.county_setup import CountySetup
from trainer_app.ui.sync.county_stations import StationsPanel
from trainer_app.ui.sync.county_views import CountyViews


class CountyMain(Retranslating, QWidget):
    """A county's register, duplicates and county-wide views, one tab each."""

    changed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.heading = QLabel(objectName="county_heading", wordWrap=True)
        font = QFont(self.heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.heading.setFont(font)
        self.stations = StationsPanel(store)
        self.duplicates = DuplicatesPanel(store)
        self.views = CountyViews(store)
        self.tabs = QTabWidget(objectName="county_tabs")
        for widget in (self.stations, self.duplicates, self.views):
            self.tabs.addTab(widget, "")
        self.stations.changed.connect(self._stations_changed)
        self.duplicates.changed.connect(self._duplicates_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        self.retranslate()

    def retranslate(self) -> None:
        info = site.county(self._store)
        self.heading.setText(_("County center {name} ({code})").format(
            name=info.name, code=info.code))
        self.tabs.setTabText(0, _("Stations"))
        self.tabs.setTabText(1, _("Duplicate persons"))
        self.tabs.setTabText(2, _("All stations' records"))

    def refresh(self) -> None:
        self.stations.refresh()
        self.duplicates.refresh()
        self.views.refresh()

    def _stations_changed(self) -> None:
        # an approval applies bundles: new records and perhaps new duplicates
        self.duplicates.refresh()
        self.views.refresh()
        self.changed.emit()

    def _duplicates_changed(self) -> None:
        self.views.refresh()
        self.changed.emit()


class CountyPanel(Retranslating, QWidget):
    """Entry point used by the Sync section. ``changed`` after anything was written."""

    changed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.setup: CountySetup | None = None
        self.main: CountyMain | None = None
        self.other = QLabel(objectName="county_not_available", wordWrap=True)
        self.other.setMargin(12)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.other)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.refresh()
        self.retranslate()

    def mode(self) -> str:
        """``county``, ``setup`` (the set-up form is offered) or ``other``."""
        if site.role(self._store) == "county":
            return "county"
        return "setup" if county.can_set_up(self._store) else "other"

    def retranslate(self) -> None:
        if site.role(self._store) == "station":
            info = site.county(self._store)
            self.other.setText(_(
                "This database is a station linked to {name} ({code}). The county center "
                "works in its own database.").format(name=info.name, code=info.code))
        else:
            self.other.setText(_(
                "This database already holds a station's records, so it cannot become a county "
                "center. Start the program with a new database on the county center's PC to set "
                "up the county."))

    def refresh(self) -> None:
        """Re-read everything (after imports at the county, for example)."""
        try:
            mode = self.mode()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        if mode == "county":
            if self.main is None:
                self.main = CountyMain(self._store)
                self.main.changed.connect(self.changed)
                self.stack.addWidget(self.main)
            else:
                self.main.refresh()
            self.stack.setCurrentWidget(self.main)
        elif mode == "setup":
            if self.setup is None:
                self.setup = CountySetup(self._store)
                self.setup.done.connect(self._set_up)
                self.stack.addWidget(self.setup)
            self.stack.setCurrentWidget(self.setup)
        else:
            self.retranslate()
            self.stack.setCurrentWidget(self.other)

    def _set_up(self) -> None:
        self.refresh()
        self.changed.emit()
