"""Pieces shared by the record forms: a message beside each field, and translated buttons."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QVBoxLayout, QWidget


class FieldErrors:
    """Keeps one red message label under each field of a form."""

    def __init__(self) -> None:
        self._labels: dict[str, QLabel] = {}
        self._fields: dict[str, QWidget] = {}

    def wrap(self, name: str, field: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        label = QLabel()
        label.setObjectName(f"error_{name}")
        label.setStyleSheet("color: #c0392b;")
        label.setWordWrap(True)
        label.hide()
        layout.addWidget(label)
        self._labels[name] = label
        self._fields[name] = field
        return box

    def show(self, errors: dict[str, str]) -> None:
        """Show ``errors`` beside their fields (unknown fields go to ``"form"``) and focus the
        first field in error."""
        self.clear()
        first = None
        for name, message in errors.items():
            key = name if name in self._labels else "form"
            label = self._labels.get(key)
            if label is None:
                continue
            label.setText(message if not label.text() else label.text() + "\n" + message)
            label.show()
            if first is None and key in self._fields:
                first = self._fields[key]
        if first is not None:
            first.setFocus()

    def clear(self) -> None:
        for label in self._labels.values():
            label.clear()
            label.hide()

    def message(self, name: str) -> str:
        label = self._labels.get(name)
        return label.text() if label is not None and not label.isHidden() else ""


def save_cancel_buttons() -> QDialogButtonBox:
    """Save/Cancel with Qt's own (translated) labels."""
    return QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
