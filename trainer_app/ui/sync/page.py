"""The Sync section of a station: link to the county, send, upload, the county's bundle and
the bundles sent. A database that is nothing yet (a new one) is also offered the form that
makes it the county center; once it is one, the window opens the county's own sections (see
:mod:`trainer_app.ui.sections`) and this page is no longer shown.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from trainer_app.i18n import _
from trainer_app.services import county
from trainer_app.store import Store
from trainer_app.sync import site
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.sync.county_setup import CountySetup
from trainer_app.ui.sync.station_panel import StationPanel


class SyncPage(Retranslating, QWidget):
    changed = Signal()  # records came in, or the database became a station or the county

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.station = StationPanel(store)
        self.station.changed.connect(self._changed)
        self.setup: CountySetup | None = None
        self.tabs: QTabWidget | None = None
        layout = QVBoxLayout(self)
        if site.role(store) == "" and county.can_set_up(store):
            # not linked yet: this PC may also be the one to become the county center
            self.setup = CountySetup(store)
            self.setup.done.connect(self._changed)
            self.tabs = QTabWidget(objectName="sync_tabs")
            self.tabs.setDocumentMode(True)
            self.tabs.addTab(self.station, "")
            self.tabs.addTab(self.setup, "")
            layout.addWidget(self.tabs)
        else:
            layout.addWidget(self.station)
        self.retranslate()

    def retranslate(self) -> None:
        if self.tabs is not None:
            self.tabs.setTabText(0, _("Link this station"))
            self.tabs.setTabText(1, _("County center"))

    def refresh(self) -> None:
        """Read again (after other pages changed records)."""
        self.station.refresh()

    def _changed(self) -> None:
        if self.tabs is not None and site.role(self._store) == "station":
            # linked: setting up the county is no longer possible, the station's part stays
            tabs, self.tabs, self.setup = self.tabs, None, None
            self.layout().addWidget(self.station)  # taken out of the tabs, kept as it is
            self.station.show()
            tabs.deleteLater()
        self.changed.emit()
