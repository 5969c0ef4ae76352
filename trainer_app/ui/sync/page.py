"""The Sync section. A station (linked or not yet) sees its side: link, send, upload, the
county's bundle and the bundles sent. A county sees the import of the stations' bundles and,
beside it, the county's own views (stations and approval, duplicates, county-wide records),
which live in ``county_panel``. A database that is neither yet (a new one) is offered both:
linking as a station, or the form that makes it the county center.

Bundle files and folders dropped anywhere on a county's page are imported.
"""

from __future__ import annotations

import importlib

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from trainer_app.i18n import N_, _
from trainer_app.store import Store
from trainer_app.sync import site
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.sync.import_panel import ImportPanel, dropped_paths
from trainer_app.ui.sync.station_panel import StationPanel

COUNTY_PANEL = "trainer_app.ui.sync.county_panel"  # CountyPanel(store), written separately


def county_panel_class() -> type[QWidget] | None:
    """``CountyPanel`` when its module is there (it is built apart from this page)."""
    try:
        module = importlib.import_module(COUNTY_PANEL)
    except ModuleNotFoundError as exc:
        if exc.name != COUNTY_PANEL:
            raise  # the module is there but something it needs is not: a real error
        return None
    return getattr(module, "CountyPanel", None)


class SyncPage(Retranslating, QWidget):
    changed = Signal()  # records came in (bundles applied, a county pack imported)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.role = ""
        self.station: StationPanel | None = None
        self.importer: ImportPanel | None = None
        self.county: QWidget | None = None
        self.tabs: QTabWidget | None = None
        self._tab_titles: list[str] = []  # msgids, translated when shown
        self._layout = QVBoxLayout(self)
        self._build()
        self.retranslate()

    # -- parts -------------------------------------------------------------------------------
    def _build(self) -> None:
        """Lay the page out for the database's role: a station (linked or not), a county."""
        self.role = site.role(self._store)
        keep = self.station if self.role != "county" else None
        if keep is not None:
            keep.setParent(None)  # the station's panel outlives the containers around it
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.importer = self.county = self.tabs = None
        self.station = keep
        self._tab_titles = []
        if self.role == "county":
            self.station = None
            self.importer = ImportPanel(self._store)
            self.importer.changed.connect(self._imported)
            self._add_tab(self.importer, N_("Incoming bundles"))
            self._add_county_part()
        else:
            if self.station is None:
                self.station = StationPanel(self._store)
                self.station.changed.connect(self._role_may_change)
            if self.role == "":
                # not linked yet: this PC may also be the one to become the county center
                self._add_tab(self.station, N_("Link this station"))
                self._add_county_part(only_setup=True)
        if self.tabs is None:
            self._layout.addWidget(self.station)
            self.station.setVisible(True)  # hidden when it was taken out of the tabs
        else:
            self._layout.addWidget(self.tabs)
        self.setAcceptDrops(self.role == "county")

    def _add_tab(self, widget: QWidget, title: str) -> None:
        if self.tabs is None:
            self.tabs = QTabWidget(objectName="sync_tabs")
            self.tabs.setDocumentMode(True)
        self.tabs.addTab(widget, "")
        self._tab_titles.append(title)

    def _add_county_part(self, only_setup: bool = False) -> None:
        # --- county part ------------------------------------------------------------------
        # The county's own views (station register and approval, duplicates and merging,
        # county-wide records; for a database that is nothing yet, the form that makes it a
        # county center) come from trainer_app/ui/sync/county_panel.py, written apart from this
        # page: ``CountyPanel(store)``, a QWidget with ``changed`` and ``refresh()``. It is a
        # tab beside the import when the module is there, and skipped when it is not.
        panel_class = county_panel_class()
        if panel_class is None:
            return
        panel = panel_class(self._store)
        mode = getattr(panel, "mode", None)
        if only_setup and (mode is None or mode() != "setup"):
            panel.deleteLater()  # a station's records are here: it cannot become a county
            return
        self.county = panel
        signal = getattr(panel, "changed", None)
        if signal is not None:
            signal.connect(self._county_changed)
        self._add_tab(panel, N_("County center") if only_setup
                      else N_("Stations and county records"))
        # --- end of the county part -----------------------------------------------------------

    def retranslate(self) -> None:
        if self.tabs is not None:
            for i, title in enumerate(self._tab_titles):
                self.tabs.setTabText(i, _(title))

    # -- refreshing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read again (after other pages changed records); laid out again when the role
        changed."""
        if site.role(self._store) != self.role:
            self._build()
            self.retranslate()
            return
        if self.station is not None:
            self.station.refresh()
        if self.county is not None and hasattr(self.county, "refresh"):
            self.county.refresh()

    def _role_may_change(self) -> None:
        if site.role(self._store) != self.role:
            # after the signal's senders are done: they may be among the widgets replaced
            QTimer.singleShot(0, self.refresh)
        self.changed.emit()

    def _county_changed(self) -> None:
        self._role_may_change()

    def _imported(self) -> None:
        if self.county is not None and hasattr(self.county, "refresh"):
            self.county.refresh()
        self.changed.emit()

    # -- dropping bundles onto the page (county) -------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if self.importer is not None and dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt's name
        if self.importer is not None and dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        if self.importer is not None and self.importer.drop(event.mimeData()):
            event.acceptProposedAction()
            if self.tabs is not None:
                self.tabs.setCurrentWidget(self.importer)
        else:
            event.ignore()
