"""Questions to the operator: confirming a removal (No is the default, so a stray Enter keeps
the records) and asking for a short text under an explanation that wraps."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QMessageBox, QWidget

# The widest an explanation line may grow before it wraps (the main window is 1,100 px wide).
TEXT_WIDTH = 520


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask before removing, withdrawing or cancelling something; Enter answers No."""
    answer = QMessageBox.question(
        parent, title, text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def text_dialog(parent: QWidget | None, title: str, label: str) -> QInputDialog:
    """A one-line text question whose explanation wraps instead of widening the dialog."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    for child in dialog.findChildren(QLabel):
        child.setWordWrap(True)
        child.setMinimumWidth(TEXT_WIDTH)
    return dialog


def text(parent: QWidget | None, title: str, label: str) -> str | None:
    """The text typed (stripped), or None when the operator cancelled."""
    dialog = text_dialog(parent, title, label)
    if not dialog.exec():
        return None
    return dialog.textValue().strip()
