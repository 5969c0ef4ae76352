"""The main window: the sections side by side, a language menu and a status line.

It only assembles the pages; each page owns its own work, and pages tell each other about
changes through signals connected here.
"""

from __future__ import annotations

import importlib

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trainer_app import __version__, i18n
from trainer_app.i18n import N_, _
from trainer_app.store import Store
from trainer_app.ui import language
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.trainees.page import TraineesPage

# name, tab title, module and class; pages other than the first are built when first shown,
# so that start-up only pays for the trainee list.
SECTIONS = (
    ("trainees", N_("Trainees"), "trainer_app.ui.trainees.page", "TraineesPage"),
    ("courses", N_("Courses"), "trainer_app.ui.courses.page", "CoursesPage"),
    ("classes", N_("Classes"), "trainer_app.ui.classes.page", "ClassesPage"),
    ("attendance", N_("Attendance"), "trainer_app.ui.attendance.page", "AttendancePage"),
    ("certificates", N_("Certificates"), "trainer_app.ui.certificates.page", "CertificatesPage"),
    ("sync", N_("Sync"), "trainer_app.ui.sync.page", "SyncPage"),
)
# When a page changed records, which pages must read them again.
LINKS = {
    "trainees": ("classes", "attendance"),
    "courses": ("classes",),
    "classes": ("attendance",),
    "attendance": ("classes",),
    "sync": ("trainees", "courses", "classes", "attendance", "certificates"),
}


class MainWindow(Retranslating, QMainWindow):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._pages: dict[str, QWidget] = {}
        self.tabs = QTabWidget(objectName="sections")
        self.tabs.setDocumentMode(True)
        for _name, _title, _module, _cls in SECTIONS:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, "")
        self.setCentralWidget(self.tabs)
        self.page("trainees")
        self.tabs.currentChanged.connect(self._section_shown)

        self.status = QLabel()
        self.statusBar().addWidget(self.status, 1)
        self.trainees.changed.connect(self._update_status)
        self._build_menus()
        self.retranslate()
        self.resize(1100, 700)

    # -- sections ------------------------------------------------------------------------------
    def page(self, name: str) -> QWidget:
        """The page of section ``name``, built on first use."""
        found = self._pages.get(name)
        if found is not None:
            return found
        index = next(i for i, section in enumerate(SECTIONS) if section[0] == name)
        _name, _title, module, cls = SECTIONS[index]
        page = getattr(importlib.import_module(module), cls)(self.store)
        self.tabs.widget(index).layout().addWidget(page)
        self._pages[name] = page
        if hasattr(self, "status"):
            page.changed.connect(self._update_status)
        for source, targets in LINKS.items():
            if source == name:
                for target in targets:
                    if target in self._pages:
                        page.changed.connect(self._pages[target].refresh)
            elif name in targets and source in self._pages:
                self._pages[source].changed.connect(page.refresh)
        return page

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
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)
        from trainer_app.ui.backup.actions import install as install_backup_actions

        install_backup_actions(self)

        self.language_menu = bar.addMenu("")
        self.language_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for code, name in i18n.LANGUAGES.items():
            action = QAction(name, self, checkable=True)  # each language in its own script
            action.setData(code)
            action.triggered.connect(lambda _checked=False, c=code: self.switch_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action

        self.tools_menu = bar.addMenu("")
        self.verify_action = QAction(self)
        self.verify_action.setShortcut(QKeySequence("Ctrl+Shift+V"))
        self.verify_action.triggered.connect(self.verify_certificate)
        self.settings_action = QAction(self)
        self.settings_action.triggered.connect(self.station_settings)
        self.tools_menu.addAction(self.verify_action)
        self.tools_menu.addAction(self.settings_action)

        self.help_menu = bar.addMenu("")
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self._about)
        self.help_menu.addAction(self.about_action)

    def verify_certificate(self) -> None:
        from trainer_app.ui.verify_dialog import VerifyDialog

        VerifyDialog(self.store, self).exec()

    def station_settings(self) -> None:
        from trainer_app.ui.station_settings import StationSettingsDialog

        if StationSettingsDialog(self.store, self).exec():
            self._update_status()

    def switch_language(self, code: str) -> None:
        language.apply(code, remember=True)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Trainer — village service station training"))
        for i, (_name, title, _module, _cls) in enumerate(SECTIONS):
            self.tabs.setTabText(i, _(title))
        self.file_menu.setTitle(_("&File"))
        self.quit_action.setText(_("&Quit"))
        self.language_menu.setTitle(_("&Language"))
        self.tools_menu.setTitle(_("&Tools"))
        self.verify_action.setText(_("&Verify a certificate…"))
        self.settings_action.setText(_("Station &settings…"))
        self.help_menu.setTitle(_("&Help"))
        self.about_action.setText(_("&About Trainer"))
        for code, action in self.language_actions.items():
            action.setChecked(code == i18n.language())
        self._update_status()

    def _update_status(self) -> None:
        station = self.store.get_meta("station_name") or _("Station not named yet")
        self.status.setText(
            _("{station}   ·   {count} trainees   ·   database: {path}").format(
                station=station,
                count=i18n.format_number(self.trainees.model.total(), 0),
                path=self.store.path,
            )
        )

    def _section_shown(self, index: int) -> None:
        name = SECTIONS[index][0]
        if name in self._pages:
            if name != "trainees":
                self._pages[name].refresh()
        else:
            self.page(name)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            _("About Trainer"),
            _("Trainer {version}\nTraining register, attendance and certificates for village "
              "e-commerce service stations.").format(version=__version__),
        )
