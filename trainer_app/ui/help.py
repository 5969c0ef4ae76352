"""Help: the operator's manual (Chinese or English, with pictures, read offline) and About
(version, where the data and the backups are, the licences of the fonts and libraries)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from trainer_app import __version__, i18n, paths
from trainer_app.i18n import _, app_name
from trainer_app.ui.retranslate import Retranslating

# What the frozen program ships besides Python's standard library, with its licence.
LIBRARIES = (
    ("Qt 6 / PySide6", "LGPL-3.0"), ("SQLite", "public domain"), ("sqlite-utils", "Apache-2.0"),
    ("reportlab", "BSD"), ("babel", "BSD-3-Clause"), ("pypinyin", "MIT"),
    ("cryptography", "Apache-2.0 or BSD-3-Clause"), ("zxing-cpp", "Apache-2.0"),
    ("pypdfium2 / PDFium", "Apache-2.0 or BSD-3-Clause"), ("Pillow", "MIT-CMU"),
    ("aiohttp", "Apache-2.0"), ("platformdirs", "MIT"), ("XlsxWriter", "BSD-2-Clause"),
    ("python-calamine", "MIT"), ("Python", "PSF-2.0"),
)
FONTS = (
    ("WenQuanYi Micro Hei", "Apache-2.0 or GPL-3.0+ with font embedding exception"),
    ("Hanazono Mincho (subsets)", "Hanazono Font License or SIL OFL 1.1"),
)


def manual_path(lang: str | None = None) -> Path:
    lang = lang or i18n.language()
    return paths.resource("manual", f"{lang if lang in i18n.LANGUAGES else 'zh_CN'}.html")


def backups_dir() -> Path:
    return paths.data_dir() / "backups"


def about_html(db_path: Path) -> str:
    rows = "".join(f"<tr><td>{name}</td><td>{licence}</td></tr>" for name, licence in
                   (*LIBRARIES, *FONTS))
    return (
        f"<h3>{app_name()} {__version__}</h3>"
        + "<p>" + _("Training register, attendance and certificates for village e-commerce "
                    "service stations.") + "</p>"
        + "<p>" + _("Data folder (database, signing keys, settings): {path}").format(
            path=paths.data_dir()) + "<br>"
        + _("This database: {path}").format(path=db_path) + "<br>"
        + _("Backups: {path}").format(path=backups_dir()) + "</p>"
        + "<p>" + _("Copy the whole data folder to a USB stick now and then: without its key "
                    "files no more certificates can be issued.") + "</p>"
        + "<h4>" + _("Licences of the fonts and libraries") + "</h4>"
        + f"<table cellpadding='2'>{rows}</table>"
        + "<p>" + _("The licence texts of the fonts are in {path}.").format(
            path=paths.resource("fonts", "licenses")) + "</p>"
    )


class HelpDialog(Retranslating, QDialog):
    """The manual in the program's language; About's text when ``db_path`` is given."""

    def __init__(self, db_path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db_path = db_path
        self.browser = QTextBrowser(objectName="help_text")
        self.browser.setOpenExternalLinks(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(720, 600)
        self.retranslate()

    def retranslate(self) -> None:
        if self._db_path is not None:
            self.setWindowTitle(_("About {app}").format(app=app_name()))
            self.browser.setHtml(about_html(self._db_path))
        else:
            self.setWindowTitle(_("Manual"))
            self.browser.setSource(QUrl.fromLocalFile(str(manual_path())))
