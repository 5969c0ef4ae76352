"""Exporting a report through a file dialog (XLSX, CSV or PDF, chosen by the file type or the
name's suffix), and the full roster with ID and phone numbers only after a warning. The file
is written off the UI thread with progress and Cancel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from trainer_app.i18n import N_, _
from trainer_app.services import report_export, reports
from trainer_app.services.reports import Filters, Report
from trainer_app.store import Store
from trainer_app.ui import tasks
from trainer_app.ui.errors import show_error

# (suffix, file-type msgid) in the order the dialog offers them; the first is the default
FORMATS = (
    (".xlsx", N_("Excel workbook (*.xlsx)")),
    (".csv", N_("CSV for Excel, UTF-8 (*.csv)")),
    (".pdf", N_("PDF for printing (*.pdf)")),
)


def file_types() -> list[str]:
    return [_(label) for _suffix, label in FORMATS]


def with_suffix(chosen: str, file_type: str) -> Path:
    """The name typed, with the suffix of the chosen file type when none of ours was typed."""
    path = Path(chosen)
    if path.suffix.lower() in {suffix for suffix, _label in FORMATS}:
        return path
    types = file_types()
    suffix = FORMATS[types.index(file_type)][0] if file_type in types else FORMATS[0][0]
    return path.with_name(path.name + suffix)


class Exporter(QObject):
    """``written(path)`` after a file was written and read back by the service."""

    written = Signal(object)

    def __init__(self, store: Store, widget: QWidget) -> None:
        super().__init__(widget)
        self._store = store
        self._widget = widget
        self._folder = Path(QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or Path.home())
        self.task: tasks.Task | None = None

    def export(self, report: Report | None) -> None:
        if report is None:
            return
        start, end = report.period
        path = self._ask(f"{report.name}-{start.isoformat()}-{end.isoformat()}")
        if path is None:
            return
        site = reports.site_name(self._store)
        self._run(lambda _s, progress, cancelled: report_export.export(
            report, path, site_name=site, progress=progress, cancel=cancelled), path)

    def export_roster(self, filters: Filters) -> None:
        answer = QMessageBox.warning(
            self._widget, _("Full roster with ID numbers"),
            _("The full roster lists every person trained in the period with their complete "
              "resident ID number and phone number. These are sensitive personal information: "
              "keep the file on this computer or hand it over in person, never leave it on a "
              "shared USB stick, and delete it when it is no longer needed.\n\n"
              "Write the full roster?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        path = self._ask(f"roster-{dt.date.today().isoformat()}")
        if path is None:
            return
        site = reports.site_name(self._store)

        def work(store: Store, progress, cancelled) -> Path:
            roster = reports.roster(store, filters, progress=progress, cancel=cancelled)
            return report_export.export(roster, path, site_name=site, progress=progress,
                                        cancel=cancelled)

        self._run(work, path)

    def _ask(self, name: str) -> Path | None:
        types = file_types()
        chosen, file_type = QFileDialog.getSaveFileName(
            self._widget, _("Export report"), str(self._folder / f"{name}{FORMATS[0][0]}"),
            ";;".join(types), types[0])
        if not chosen:
            return None
        path = with_suffix(chosen, file_type)
        self._folder = path.parent
        return path

    def _run(self, work, path: Path) -> None:
        task = tasks.store_task(self._store.path, work,
                                label=_("Writing {name}…").format(name=path.name),
                                parent=self._widget)
        task.succeeded.connect(self._written)
        task.failed.connect(lambda exc: show_error(self._widget, exc))
        task.ended.connect(self._ended)
        self.task = task
        task.start()

    def _ended(self) -> None:
        self.task = None

    def _written(self, path: Path) -> None:
        QMessageBox.information(self._widget, _("Export report"),
                                _("Saved:\n{path}").format(path=path))
        self.written.emit(Path(path))
