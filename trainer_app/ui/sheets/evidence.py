"""A kept signed sheet's page, shown from the lesson's line of kept sheets and from the
trainee's record: links name the pages, a click opens the picture."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout, QWidget

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
        self.setWindowTitle(_("Signed sheet"))
        picture = QPixmap()
        picture.loadFromData(jpeg)
        self.picture = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.picture.setPixmap(picture.scaledToHeight(min(picture.height(), 900),
                                                      Qt.TransformationMode.SmoothTransformation))
        scroll = QScrollArea()
        scroll.setWidget(self.picture)
        scroll.setWidgetResizable(True)
        footer = QLabel(_("SHA-256: {sha}").format(sha=sha256),
                        textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(footer)
        layout.addWidget(buttons)
        self.resize(760, 960)
