"""Linking a database that still holds the demo station's practice records: the operator is
asked, and only on Yes are the records removed as the database is linked (station) or set up
(county)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from trainer_app.i18n import _
from trainer_app.sync.site import DemoDataError

T = TypeVar("T")


def question_text() -> str:
    return _(
        "This database holds the demo station's practice records. Linking to the county "
        "removes them (your own records entered since are removed too). Continue?")


def confirm_discard(parent: QWidget | None) -> bool:
    answer = QMessageBox.question(
        parent,
        _("Demo records"),
        question_text(),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def link_asking(parent: QWidget | None, link: Callable[[bool], T]) -> tuple[bool, T | None]:
    """Call ``link(discard_demo=False)``; when the demo's records are in the way, ask and, on
    Yes, call ``link(True)``. Returns (done, result); (False, None) when the operator said No.
    Other errors pass through to the caller."""
    try:
        return True, link(False)
    except DemoDataError:
        if not confirm_discard(parent):
            return False, None
    return True, link(True)
