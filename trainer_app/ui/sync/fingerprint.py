"""A site's key fingerprint as people read it out to each other (station operator and county
coordinator, over the phone): in groups, large."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel


def fingerprint_groups(fingerprint: str) -> str:
    """"3F2A-91C0-…" → "3F2A  91C0  …": groups to read aloud, one at a time."""
    return "   ".join(g for g in fingerprint.split("-") if g)


def fingerprint_label(name: str) -> QLabel:
    """This station's fingerprint, large, to read out to the county coordinator."""
    label = QLabel(objectName=name)
    big = QFont("monospace")
    big.setStyleHint(QFont.StyleHint.Monospace)
    big.setPointSize(20)
    big.setBold(True)
    label.setFont(big)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet(
        "padding: 8px; background: #f4f1e8; border: 1px solid #d8d2c0; border-radius: 4px;")
    return label
