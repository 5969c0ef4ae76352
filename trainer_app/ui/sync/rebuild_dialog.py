"""On a new PC that replaces a station lost with no backup: the steps, this PC's fingerprint to
read out to the county coordinator, and reading the rebuild file the county wrote for this PC
(:func:`trainer_app.sync.rebuild.apply_rebuild`), which makes this PC the station again."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trainer_app.i18n import _
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.sync import rebuild, site
from trainer_app.ui.forms import grow_to_fit
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.sync.fingerprint import fingerprint_groups, fingerprint_label
from trainer_app.ui.sync.kinds import counts_text
from trainer_app.ui.tasks import Task, store_task

RED, GREEN = "#b91c1c", "#166534"


class RebuildDialog(Retranslating, QDialog):
    """``rebuilt`` once the rebuild file was applied (this PC is the station again)."""

    rebuilt = Signal(dict)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="rebuild_dialog")
        self._store = store
        self.task: Task | None = None
        self.result: dict | None = None
        self.steps = QLabel(objectName="rebuild_steps", wordWrap=True)
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.fingerprint_title = QLabel(objectName="rebuild_fingerprint_title", wordWrap=True)
        self.fingerprint = fingerprint_label("rebuild_fingerprint")
        self.open_button = QPushButton(objectName="open_rebuild_file")
        self.open_button.clicked.connect(self.choose_file)
        self.message = QLabel(objectName="rebuild_message", wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.steps)
        layout.addWidget(self.fingerprint_title)
        layout.addWidget(self.fingerprint, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Rebuild this station from the county"))
        self.steps.setText(_(
            "Only for a new PC that replaces this station's PC, lost with no backup:"
            "<ol><li>This PC is linked with the station's county pack (done).</li>"
            "<li>Send a bundle to the county (Send to county, then carry the file): it brings "
            "this PC's new key.</li>"
            "<li>Read this PC's fingerprint (below) out to the county coordinator, who approves "
            "the new key and saves the station's rebuild file for you.</li>"
            "<li>Open that rebuild file here: this PC becomes the station again, with its "
            "records as the county holds them.</li></ol>"))
        self.fingerprint_title.setText(_("This PC's key fingerprint:"))
        self.open_button.setText(_("&Open the rebuild file…"))
        try:
            self.fingerprint.setText(fingerprint_groups(site.own_fingerprint(self._store)))
        except ServiceError as exc:  # this PC's key file is missing: nothing to rebuild to
            self.fingerprint.setText("")
            self.open_button.setEnabled(False)
            self._failed(exc)
        grow_to_fit(self)

    def choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Open the county's rebuild file"), "",
            _("Rebuild files (*{suffix});;All files (*)").format(suffix=rebuild.SUFFIX))
        if name:
            self.apply(Path(name))

    def apply(self, path: Path) -> Task | None:
        """Read the rebuild file off the UI thread; what happened shows in the dialog."""
        if self.task is not None:
            return None
        self.message.setText(_("Reading {file}…").format(file=path.name))
        self.message.setStyleSheet("")
        self.open_button.setEnabled(False)
        task = store_task(self._store.path, lambda store, _progress, _cancelled:
                          rebuild.apply_rebuild(store, path),
                          label=_("Rebuilding the station…"), parent=self, cancellable=False)
        task.succeeded.connect(self._applied)
        task.failed.connect(self._failed)
        task.ended.connect(self._ended)
        self.task = task
        return task.start()

    def _applied(self, result: dict) -> None:
        self.result = result
        self.message.setStyleSheet(f"color: {GREEN};")
        self.message.setText(_(
            "This PC is station {code} again ({name}). It holds: {counts}.\nIts next bundles "
            "go to the county as before.").format(
                code=result["code"], name=result["name"],
                counts=counts_text(result["counts"], _("no records"))))
        self.open_button.hide()
        grow_to_fit(self)
        self.rebuilt.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.message.setStyleSheet(f"color: {RED};")
        self.message.setText(str(exc))
        grow_to_fit(self)

    def _ended(self) -> None:
        self.task = None
        self.open_button.setEnabled(True)
