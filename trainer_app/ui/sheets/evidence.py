"""A kept signed sheet's page, shown from the lesson's line of kept sheets and from the
trainee's record: links name the pages, a click opens the picture. "Save a copy…" writes the
page's JPEG as kept (its SHA-256 is the one the county holds): how a page goes to the county
when it asks for one (images never travel in bundles; docs/bundle-format.md)."""

from __future__ import annotations

import errno
import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from trainer_app.files import sha256_hex, write_atomic_bytes, write_error
from trainer_app.i18n import _
from trainer_app.services import sheets
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.ui.errors import show_error


def links(kept: list[dict], describe: Callable[[dict], str], sep: str = ", ") -> str:
    """Rich text naming each kept page (``describe`` words it) as a link to its picture."""
    return sep.join(f'<a href="{k["sha256"]}">{html.escape(describe(k))}</a>' for k in kept)


def show(parent: QWidget, store: Store, sha256: str) -> QDialog | None:
    """Open the kept page ``sha256`` (a message when its image is not kept here: a station
    rebuilt from the county gets the sheets' records, not their images)."""
    try:
        data = sheets.evidence_image(store, sha256)
    except ServiceError as exc:
        show_error(parent, exc)
        return None
    dialog = EvidenceDialog(data, sha256, parent)
    dialog.open()
    return dialog


class EvidenceDialog(QDialog):
    def __init__(self, jpeg: bytes, sha256: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jpeg, self._sha256 = jpeg, sha256
        self.saved_to: Path | None = None
        self.setWindowTitle(_("Signed sheet"))
        picture = QPixmap()
        picture.loadFromData(jpeg)
        self.picture = _Fitted(picture)
        footer = QLabel(_("SHA-256: {sha}").format(sha=sha256),
                        textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.addButton(_("Save a copy…"),
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.clicked.connect(lambda: self.save_as())
        layout = QVBoxLayout(self)
        layout.addWidget(self.picture, 1)
        layout.addWidget(footer)
        layout.addWidget(buttons)
        screen = self.screen().availableGeometry()
        height = round(screen.height() * 0.85)
        self.resize(min(screen.width(), round(height * 0.8)), height)

    def save_as(self) -> Path | None:
        """Write the page's JPEG where the operator chooses (atomically, read back)."""
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        chosen, _filter = QFileDialog.getSaveFileName(
            self, _("Save a copy"), str(Path(folder) / f"sheet-{self._sha256[:12]}.jpg"),
            _("JPEG images (*.jpg)"))
        if not chosen:
            return None
        target = Path(chosen)
        try:
            write_atomic_bytes(target, self._jpeg)
            if sha256_hex(target) != self._sha256:
                raise OSError(errno.EIO, _("the copy written differs from the page kept"))
        except OSError as exc:
            show_error(self, write_error(exc, target))
            return None
        self.saved_to = target
        return target


class _Fitted(QLabel):
    """The page's picture, as large as the dialog lets it be (its proportions kept)."""

    def __init__(self, picture: QPixmap) -> None:
        super().__init__(alignment=Qt.AlignmentFlag.AlignCenter)
        self._picture = picture
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.setPixmap(self._picture.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.SmoothTransformation))
