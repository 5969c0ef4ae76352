"""The attendance section's line for signed sheets: "Read signed sheets…" and the sheets kept
as evidence of the chosen lesson (each a link to its picture). Photos, scans or folders of them
dropped on the section are read as if chosen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from trainer_app import i18n
from trainer_app.i18n import _
from trainer_app.services import sheets
from trainer_app.sheets.images import SUFFIXES
from trainer_app.store import Store
from trainer_app.ui.sheets import evidence
from trainer_app.ui.sheets.flow import choose_files, read_sheets
from trainer_app.ui.sheets.review import ReviewDialog


class SheetsBar(QWidget):
    def __init__(self, store: Store, lesson_id: Callable[[], str], recorded: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._lesson_id = lesson_id
        self._recorded = recorded
        self.dialog: ReviewDialog | None = None
        self.button = QPushButton(objectName="read_sheets")
        self.button.clicked.connect(lambda: self.read(choose_files(self)))
        self.evidence = QLabel(objectName="sheet_evidence",
                               textFormat=Qt.TextFormat.RichText)
        self.evidence.linkActivated.connect(self.show_page)
        self.page_dialog = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.evidence, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.button.setText(_("Read signed sheets…"))
        self.button.setToolTip(_("Photos or scans of this lesson's signed sign-in sheet (or "
                                 "drop them, or a folder of them, here): Trainer proposes "
                                 "every mark for you to confirm."))
        self.refresh()

    def refresh(self) -> None:
        lesson_id = self._lesson_id()
        kept = sheets.evidence_for_lesson(self._store, lesson_id) if lesson_id else []
        self.evidence.setText(_("Signed sheets kept: {pages}").format(pages=evidence.links(
            kept, lambda k: _("page {page} ({size} KB, {sha})").format(
                page=k["page"], size=i18n.format_number(round(k["size"] / 1024)),
                sha=k["sha256"][:12]))) if kept else "")

    def show_page(self, sha256: str) -> None:
        self.page_dialog = evidence.show(self, self._store, sha256)

    def read(self, files: list[Path]) -> None:
        if files:
            read_sheets(self, self._store, files, self._lesson_id() or None, self._opened)

    def _opened(self, dialog: ReviewDialog | None) -> None:
        self.dialog = dialog
        if dialog is not None:
            dialog.accepted.connect(self._confirmed)

    def _confirmed(self) -> None:
        self.refresh()
        self._recorded()


def dropped_sheets(mime: QMimeData | None) -> list[Path]:
    """The photos, scans and folders among dragged items (local files only)."""
    if mime is None or not mime.hasUrls():
        return []
    paths = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
    return [p for p in paths if p.is_dir() or p.suffix.lower() in SUFFIXES]


def sheet_note(store: Store, trainee_id: str) -> str:
    """For the trainee's record: the signed sheets their marks were read from (rich text, each
    a link to the page's picture: see :func:`evidence.show`)."""
    kept = sheets.evidence_for_trainee(store, trainee_id)
    if not kept:
        return ""
    return _("Marks read from signed sheets: {sheets}").format(sheets=evidence.links(
        kept, lambda k: _("{date} {topic}, page {page} ({sha})").format(
            date=i18n.format_date(k["date"]), topic=k["topic"], page=k["page"],
            sha=k["sha256"][:12]), sep="; "))
