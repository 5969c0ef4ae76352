"""Saving the trainee list as shown (searched and sorted), or a class's roster, to ``.xlsx`` or
``.csv``: ID and phone numbers masked unless the operator chooses, knowingly, to write them in
full."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from trainer_app.i18n import _, ngettext
from trainer_app.services import trainee_export
from trainer_app.store import Store
from trainer_app.ui.errors import show_error
from trainer_app.ui.tasks import Task, store_task


def ask_reveal(parent: QWidget) -> bool | None:
    """Masked (False), in full (True), or None when the operator gave up."""
    box = QMessageBox(QMessageBox.Icon.Question, _("Export trainees"),
                      _("ID and phone numbers are masked in the file (4101**********1234). "
                        "Write them in full only if the file stays on this computer."),
                      parent=parent)
    masked = box.addButton(_("Masked"), QMessageBox.ButtonRole.AcceptRole)
    full = box.addButton(_("In full"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(masked)
    box.exec()
    return {masked: False, full: True}.get(box.clickedButton())


def export_list(parent: QWidget, store: Store, search: str, sort: str, descending: bool,
                path: str | None = None, reveal: bool | None = None) -> Task | None:
    """The list as shown: this search, this order."""
    return export_rows(parent, store, lambda s: trainee_export.listed(s, search, sort,
                                                                       descending),
                       _("trainees"), path, reveal)


def export_roster(parent: QWidget, store: Store, class_id: str, title: str,
                  path: str | None = None, reveal: bool | None = None) -> Task | None:
    return export_rows(parent, store, lambda s: trainee_export.roster(s, class_id), title, path,
                       reveal)


def export_rows(parent: QWidget, store: Store, rows: Callable[[Store], Iterable[dict]],
                name: str, path: str | None = None, reveal: bool | None = None) -> Task | None:
    """Ask where and how (unless given), then write ``rows(store)`` off the UI thread."""
    if path is None:
        path, _filter = QFileDialog.getSaveFileName(
            parent, _("Export trainees"), name + ".xlsx",
            _("Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)"))
        if not path:
            return None
    if reveal is None:
        reveal = ask_reveal(parent)
        if reveal is None:
            return None
    target = Path(path)
    if target.suffix.lower() not in trainee_export.FORMATS:
        target = target.with_name(target.name + ".xlsx")

    def work(s: Store, progress, cancelled) -> int:
        return trainee_export.write(rows(s), target, reveal)

    task = store_task(store.path, work, _("Exporting trainees…"), parent, cancellable=False)
    task.succeeded.connect(lambda n: QMessageBox.information(
        parent, _("Export trainees"),
        ngettext("{n} trainee written to {path}.", "{n} trainees written to {path}.", n).format(
            n=n, path=target)))
    task.failed.connect(lambda exc: show_error(parent, exc))
    return task.start()
