"""The main window: the sections of the database's role side by side, menus and a status line.

It only assembles the pages declared in :mod:`trainer_app.ui.sections` for the role; each page
owns its own work, and pages tell each other about changes through signals connected here. When
the role changes (a new database set up as the county center), the sections are laid out again.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.i18n import _, app_name
from trainer_app.store import Store
from trainer_app.ui import language, sections
from trainer_app.ui.first_paint import AfterFirstPaint
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.trainees.page import TraineesPage

if TYPE_CHECKING:
    from trainer_app.ui.backup.actions import BackupActions


class MainWindow(Retranslating, QMainWindow):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._pages: dict[str, QWidget] = {}
        self.tabs = QTabWidget(objectName="sections")
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.status = QLabel()
        self.statusBar().addWidget(self.status, 1)
        self.role = sections.for_store(store)
        self._lay_out()
        self.tabs.currentChanged.connect(self._section_shown)
        self._build_menus()
        self.retranslate()
        self.resize(1100, 700)

    # -- sections ------------------------------------------------------------------------------
    def _lay_out(self) -> None:
        """One empty tab per section of the role; the first page is built at once, the others
        when first shown, so that start-up only pays for the first."""
        self.tabs.blockSignals(True)
        while self.tabs.count():
            holder = self.tabs.widget(0)
            self.tabs.removeTab(0)
            holder.setParent(None)  # out of the window now, deleted once its signals are done
            holder.deleteLater()
        self._pages.clear()
        for _section in self.role.sections:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, "")
        self.tabs.setCurrentIndex(0)
        self.tabs.blockSignals(False)
        self.page(self.role.sections[0].name)

    def section_names(self) -> list[str]:
        return self.role.names()

    def show_section(self, name: str) -> QWidget:
        """Bring section ``name`` to the front and return its page."""
        self.tabs.setCurrentIndex(self.role.names().index(name))
        return self.page(name)

    def page(self, name: str) -> QWidget:
        """The page of section ``name``, built on first use."""
        found = self._pages.get(name)
        if found is not None:
            return found
        index = self.role.names().index(name)
        module, cls = self.role.sections[index].page.split(":")
        page = getattr(importlib.import_module(module), cls)(self.store)
        self.tabs.widget(index).layout().addWidget(page)
        page.show()  # now, not when the layout gets to it: a page reads when first shown
        self._pages[name] = page
        changed = getattr(page, "changed", None)
        if changed is not None:
            changed.connect(self._records_changed)
        for source, targets in self.role.links.items():
            if source == name:
                for target in targets:
                    if target in self._pages:
                        page.changed.connect(self._pages[target].refresh)
            elif name in targets and source in self._pages:
                self._pages[source].changed.connect(page.refresh)
        opening = getattr(page, "open_report", None)
        if opening is not None:
            opening.connect(self.open_report)
        return page

    def open_report(self, name: str, filters: object) -> None:
        """Show report ``name`` with ``filters`` in the Reports section (from the Overview)."""
        self.show_section("reports").show_report(name, filters)  # type: ignore[attr-defined]

    def _records_changed(self) -> None:
        self._update_status()
        if sections.for_store(self.store) is not self.role:
            # after the signal's senders are done: they are among the widgets replaced
            QTimer.singleShot(0, self._role_changed)

    def _role_changed(self) -> None:
        self.role = sections.for_store(self.store)
        self._lay_out()
        self.retranslate()

    @property
    def trainees(self) -> TraineesPage:
        return self.page("trainees")  # type: ignore[return-value]

    @property
    def courses(self) -> QWidget:
        return self.page("courses")

    @property
    def classes(self) -> QWidget:
        return self.page("classes")

    @property
    def attendance(self) -> QWidget:
        return self.page("attendance")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.quit_action = QAction(self)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)
        # The backup entries join the File menu when it first opens (they have no shortcut):
        # showing the window does without their module.
        self._backup_actions: BackupActions | None = None
        self.file_menu.aboutToShow.connect(lambda: self.backup_actions)

        self.language_menu = bar.addMenu("")
        self.language_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for code, name in i18n.LANGUAGES.items():
            # each language in its own script; QAction(text, parent) would make PySide build
            # QIcon's type (~1 ms) while choosing among the constructors
            action = QAction(self, checkable=True)
            action.setText(name)
            action.setData(code)
            action.triggered.connect(lambda _checked=False, c=code: self.switch_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action

        self.tools_menu = bar.addMenu("")
        self.verify_action = QAction(self)
        self.verify_action.triggered.connect(self.verify_certificate)
        self.settings_action = QAction(self)
        self.settings_action.triggered.connect(self.station_settings)
        self.tools_menu.addAction(self.verify_action)
        self.tools_menu.addAction(self.settings_action)

        self.help_menu = bar.addMenu("")
        self.manual_action = QAction(self)
        self.manual_action.triggered.connect(lambda: self.show_help(about=False))
        self.about_action = QAction(self)
        self.about_action.triggered.connect(lambda: self.show_help(about=True))
        self.help_menu.addAction(self.manual_action)
        self.help_menu.addAction(self.about_action)
        AfterFirstPaint(self, self._add_shortcuts)

    def _add_shortcuts(self) -> None:
        """The menus' keys, once the window has been painted: PySide builds QKeySequence's type
        (its 71 standard keys) in ~0.6 ms. setShortcuts gives a standard action every key the
        platform binds to it."""
        from PySide6.QtGui import QKeySequence

        self.quit_action.setShortcuts(QKeySequence.StandardKey.Quit)
        self.verify_action.setShortcuts([QKeySequence("Ctrl+Shift+V")])
        self.manual_action.setShortcuts(QKeySequence.StandardKey.HelpContents)

    @property
    def backup_actions(self) -> BackupActions:
        """The File menu's backup entries, added on first use."""
        if self._backup_actions is None:
            from trainer_app.ui.backup.actions import install

            self._backup_actions = install(self)
        return self._backup_actions

    def verify_certificate(self) -> None:
        from trainer_app.ui.verify_dialog import VerifyDialog

        VerifyDialog(self.store, self).exec()

    def station_settings(self) -> None:
        if self.role is not sections.STATION:
            from trainer_app.ui.county.settings import CountySettingsDialog

            CountySettingsDialog(self).exec()
            return
        from trainer_app.ui.station_settings import StationSettingsDialog

        if StationSettingsDialog(self.store, self).exec():
            self.retranslate()

    def switch_language(self, code: str) -> None:
        language.apply(code, remember=True)

    def retranslate(self) -> None:
        for i, section in enumerate(self.role.sections):
            self.tabs.setTabText(i, _(section.title))
        self.file_menu.setTitle(_("&File"))
        self.quit_action.setText(_("&Quit"))
        self.language_menu.setTitle(_("&Language"))
        self.tools_menu.setTitle(_("&Tools"))
        self.verify_action.setText(_("&Verify a certificate…"))
        self.settings_action.setText(_("Station &settings…") if self.role is sections.STATION
                                     else _("&Settings…"))  # a county's: its backup folder
        self.help_menu.setTitle(_("&Help"))
        self.manual_action.setText(_("&Manual"))
        self.about_action.setText(_("&About {app}").format(app=app_name()))
        for code, action in self.language_actions.items():
            action.setChecked(code == i18n.language())
        self._update_status()

    def _update_status(self) -> None:
        # Qt adds " — <program name>" (the application's display name) to the title.
        self.setWindowTitle(sections.place(self.store))
        self.status.setText(sections.status_text(self.store))

    def _section_shown(self, index: int) -> None:
        if index < 0:
            return
        name = self.role.sections[index].name
        if name not in self._pages:
            self.page(name)
        elif index > 0:  # the first section keeps its search and scroll position
            refresh = getattr(self._pages[name], "refresh", None)
            if refresh is not None:
                refresh()

    def show_help(self, about: bool) -> None:
        from trainer_app.ui.help import HelpDialog

        HelpDialog(self.store.path if about else None, self).exec()
