"""The county's Imports section: the import panel (files, a folder, the watched inbox, the
report of each import), and bundle files or folders dropped anywhere on the section."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from trainer_app.store import Store
from trainer_app.ui.sync.import_panel import ImportPanel, dropped_paths


class ImportsPage(QWidget):
    changed = Signal()  # bundles were applied: the county's records changed

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.importer = ImportPanel(store)
        self.importer.changed.connect(self.changed)
        QVBoxLayout(self).addWidget(self.importer)  # a section's margins, the panel has none
        self.setAcceptDrops(True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt's name
        self.dragEnterEvent(event)  # type: ignore[arg-type]

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        if self.importer.drop(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()
