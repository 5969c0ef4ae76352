"""The main window: the sections side by side, a language menu and a status line.

It only assembles the pages; each page owns its own work, and pages tell each other about
changes through signals connected here.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from trainer_app import __version__, i18n
from trainer_app.i18n import _
from trainer_app.services import trainee_list
from trainer_app.store import Store
from trainer_app.ui import language
from trainer_app.ui.attendance.page import AttendancePage
from trainer_app.ui.classes.page import ClassesPage
from trainer_app.ui.courses.page import CoursesPage
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.trainees.page import TraineesPage


class MainWindow(Retranslating, QMainWindow):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.trainees = TraineesPage(store)
        self.courses = CoursesPage(store)
        self.classes = ClassesPage(store)
        self.attendance = AttendancePage(store)
        self.tabs = QTabWidget(objectName="sections")
        self.tabs.setDocumentMode(True)
        for page in (self.trainees, self.courses, self.classes, self.attendance):
            self.tabs.addTab(page, "")
        self.setCentralWidget(self.tabs)

        self.trainees.changed.connect(self.classes.refresh)
        self.trainees.changed.connect(self.attendance.refresh)
        self.trainees.changed.connect(self._update_status)
        self.courses.changed.connect(self.classes.refresh)
        self.classes.changed.connect(self.attendance.refresh)
        self.attendance.changed.connect(self.classes.refresh)
        self.tabs.currentChanged.connect(self._section_shown)

        self.status = QLabel()
        self.statusBar().addWidget(self.status, 1)
        self._build_menus()
        self.retranslate()
        self.resize(1100, 700)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)

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

        self.help_menu = bar.addMenu("")
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self._about)
        self.help_menu.addAction(self.about_action)

    def switch_language(self, code: str) -> None:
        language.apply(code, remember=True)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Trainer — village service station training"))
        for i, title in enumerate((_("Trainees"), _("Courses"), _("Classes"), _("Attendance"))):
            self.tabs.setTabText(i, title)
        self.file_menu.setTitle(_("&File"))
        self.quit_action.setText(_("&Quit"))
        self.language_menu.setTitle(_("&Language"))
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
                count=i18n.format_number(trainee_list.total(self.store), 0),
                path=self.store.path,
            )
        )

    def _section_shown(self, index: int) -> None:
        page = self.tabs.widget(index)
        if hasattr(page, "refresh") and page is not self.trainees:
            page.refresh()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            _("About Trainer"),
            _("Trainer {version}\nTraining register, attendance and certificates for village "
              "e-commerce service stations.").format(version=__version__),
        )
