"""Issuing a class's certificates: who is eligible and why not, tick who gets one, issue them
and print them all in one PDF.

Issuing is one quick transaction on the UI thread; writing the PDF (a page per certificate)
runs in the background with progress and cancel, and ends in the print preview.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n, paths
from trainer_app.i18n import _, ngettext
from trainer_app.services import certificates, class_views
from trainer_app.services.certificates import IssueResult
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.ui.certificates.model import EligibilityModel
from trainer_app.ui.classes.completion import rule_text
from trainer_app.ui.classes.models import period_label
from trainer_app.ui.errors import show_error
from trainer_app.ui.pdf_view import PdfPreview, file_name
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import configure_table
from trainer_app.ui.tasks import Task, store_task

PRINTOUTS = "printouts"  # folder of the data folder where papers are written before printing
KEEP_DAYS = 30  # printouts older than this are removed (a reprint makes them again)


def printout_path(title: str, when: dt.datetime | None = None) -> Path:
    """A new file for a paper about to be written: readable, valid on Windows, never one that
    a viewer may still hold open."""
    when = when or dt.datetime.now()
    folder = paths.data_dir() / PRINTOUTS
    _tidy(folder, when)
    name = file_name(f"{title} {when:%Y-%m-%d %H%M%S}")
    path = folder / name
    n = 2
    while path.exists():
        path = folder / file_name(f"{title} {when:%Y-%m-%d %H%M%S} ({n})")
        n += 1
    return path


def _tidy(folder: Path, now: dt.datetime) -> None:
    """Remove old printouts and temporary files a crash may have left."""
    if not folder.is_dir():
        return
    old = now.timestamp() - KEEP_DAYS * 86400
    day_ago = now.timestamp() - 86400
    for path in folder.iterdir():
        try:
            limit = day_ago if path.name.endswith(".tmp") else old
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue  # open in a viewer, or gone already: try again next time


def _user_error(exc: BaseException) -> BaseException:
    """A PDF that could not be written carries a message for the user; show it as one."""
    from trainer_app.pdf.atomic import PdfWriteError

    return ServiceError(str(exc)) if isinstance(exc, PdfWriteError) else exc


class CertificatePrinter(QObject):
    """Writes certificates to one PDF off the UI thread, then opens the preview.

    ``written(path)`` is emitted when the file is there; ``preview`` is the open preview.
    """

    written = Signal(object)

    def __init__(self, store: Store, widget: QWidget) -> None:
        super().__init__(widget)
        self._store = store
        self._widget = widget
        self.task: Task | None = None
        self.preview: PdfPreview | None = None
        self.path: Path | None = None
        self.last_outcome = ""  # succeeded / failed / cancelled

    def busy(self) -> bool:
        return self.task is not None and self.task.is_running()

    def cancel(self) -> None:
        if self.busy():
            self.task.cancel()  # type: ignore[union-attr]

    def print_rows(self, rows: list[dict], title: str) -> Task | None:
        """Write ``rows`` (certificate rows of the register) as one PDF and preview it."""
        if self.busy() or not rows:
            return None
        out = printout_path(title)
        rows = [dict(r) for r in rows]  # the worker gets its own copies

        def work(store: Store, progress, cancelled) -> Path:
            return certificates.write_pdf(store, rows, out, progress, cancelled)

        task = store_task(
            self._store.path, work,
            ngettext("Writing {n} certificate…", "Writing {n} certificates…", len(rows)).format(
                n=i18n.format_number(len(rows), 0)
            ),
            self._widget,
        )
        self.path = out
        task.succeeded.connect(lambda path: self._written(Path(path), title))
        task.failed.connect(lambda exc: show_error(self._widget, _user_error(exc)))
        task.ended.connect(lambda: setattr(self, "last_outcome", task.outcome))
        self.task = task
        task.start()
        return task

    def _written(self, path: Path, title: str) -> None:
        self.written.emit(path)
        if self.preview is not None:
            self.preview.close()
            self.preview.deleteLater()
        self.preview = PdfPreview(
            path, file_name(title), _("Print certificates – {title}").format(title=title),
            self._widget,
        )
        self.preview.open()


class IssueDialog(Retranslating, QDialog):
    """Opened for one class. ``issued`` is emitted after certificates were issued."""

    issued = Signal()

    def __init__(self, store: Store, class_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("issue_certificates")
        self._store = store
        self._class_id = class_id
        self._class = class_views.summary(store, class_id)
        self.result: IssueResult | None = None
        self.model = EligibilityModel(self)
        self.printer = CertificatePrinter(store, self)

        self.heading = QLabel(objectName="issue_heading", wordWrap=True)
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.facts = QLabel(objectName="issue_facts", wordWrap=True)
        self.rule = QLabel(objectName="issue_rule", wordWrap=True)
        self.rule.setStyleSheet("color: #444;")
        self.summary = QLabel(objectName="issue_summary", wordWrap=True)
        self.table = QTableView(objectName="issue_table")
        self.table.setModel(self.model)
        configure_table(self.table, (60, 90, 120, 90, 90, 80, 190, 200), stretch=7)
        self.table.clicked.connect(self._clicked)
        self.model.dataChanged.connect(self._update_counts)
        self.model.modelReset.connect(self._update_counts)

        self.all_button = QPushButton(objectName="issue_pick_all")
        self.none_button = QPushButton(objectName="issue_pick_none")
        self.all_button.clicked.connect(lambda: self.model.set_all(True))
        self.none_button.clicked.connect(lambda: self.model.set_all(False))
        self.picked_label = QLabel(objectName="issue_picked")
        self.outcome = QLabel(objectName="issue_outcome", wordWrap=True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome.setStyleSheet("color: #14532d;")
        self.outcome.hide()
        self.issue_button = QPushButton(objectName="issue_button")
        self.issue_button.setDefault(True)
        self.issue_button.clicked.connect(self.issue)
        self.close_button = QPushButton(objectName="issue_close")
        self.close_button.clicked.connect(self.reject)

        picks = QHBoxLayout()
        picks.addWidget(self.all_button)
        picks.addWidget(self.none_button)
        picks.addStretch(1)
        picks.addWidget(self.picked_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.issue_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.facts)
        layout.addWidget(self.rule)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(picks)
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)
        self.resize(980, 620)
        self.reload()
        self.retranslate()

    # -- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read who is eligible afresh; every eligible trainee ticked."""
        try:
            rows = certificates.eligibility(self._store, self._class_id)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            rows = []
        self.model.set_rows(rows)

    def retranslate(self) -> None:
        c = self._class
        self.setWindowTitle(_("Issue certificates – {title}").format(title=c["title"]))
        self.heading.setText(c["title"])
        self.facts.setText("   ·   ".join((
            _("Course: {code} {title}").format(code=c["course_code"], title=c["course_title"]),
            period_label(c["start_date"], c["end_date"]),
        )))
        self.rule.setText(rule_text(c["min_share"]))
        self.all_button.setText(_("Tick &all eligible"))
        self.none_button.setText(_("&Untick all"))
        self.issue_button.setText(_("&Issue and print"))
        self.close_button.setText(_("&Close"))
        self.model.retranslate()
        self._update_counts()
        self._show_outcome()

    def _update_counts(self) -> None:
        rows = self.model.rows()
        eligible = self.model.eligible()
        holding = [r for r in eligible if r["serial"]]
        text = _("{eligible} of {total} trainees meet the completion rule.").format(
            eligible=i18n.format_number(len(eligible), 0),
            total=i18n.format_number(len(rows), 0),
        )
        if holding:
            text += " " + ngettext(
                "{n} of them already holds a certificate: it is printed again with the same "
                "serial, not issued twice.",
                "{n} of them already hold a certificate: those are printed again with the same "
                "serials, not issued twice.",
                len(holding),
            ).format(n=i18n.format_number(len(holding), 0))
        if len(eligible) < len(rows):
            text += " " + _("Trainees who do not meet it cannot have one; point at a row to "
                            "see why.")
        self.summary.setText(text)
        picked = len(self.model.picked())
        self.picked_label.setText(
            ngettext("{n} ticked", "{n} ticked", picked).format(n=i18n.format_number(picked, 0))
        )
        self.issue_button.setEnabled(picked > 0 and not self.printer.busy())

    def _clicked(self, index) -> None:
        """A click anywhere on an eligible row ticks or unticks it (the box is small)."""
        if index.column() == 0:
            return  # the check box handles its own clicks
        row = self.model.row(index.row())
        if row and row["eligible"]:
            tid = row["trainee_id"]
            self.model.set_picked(tid, tid not in self.model.picked())

    # -- issuing ----------------------------------------------------------------------------
    def issue(self) -> Task | None:
        """Issue certificates to the ticked trainees (reprinting those who hold one), then
        write them to one PDF in the background and open the preview."""
        picked = self.model.picked()
        if not picked or self.printer.busy():
            return None
        try:
            result = certificates.issue(self._store, self._class_id, picked)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            self.reload()
            return None
        self.result = result
        self.reload()
        self._show_outcome()
        if result.new_serials:
            self.issued.emit()
        if result.refused:
            QMessageBox.warning(
                self, _("Some trainees got no certificate"),
                _("These trainees got no certificate:") + "\n\n" + "\n\n".join(result.refused),
            )
        task = self.printer.print_rows(result.certificates, self._class["title"])
        if task is not None:
            self.issue_button.setEnabled(False)
            task.ended.connect(self._update_counts)
        return task

    def _show_outcome(self) -> None:
        result = self.result
        if result is None:
            self.outcome.hide()
            return
        parts = []
        if result.new_serials:
            parts.append(
                ngettext("Issued {n} new certificate: {serials}.",
                         "Issued {n} new certificates: {serials}.", len(result.new_serials))
                .format(n=i18n.format_number(len(result.new_serials), 0),
                        serials=serial_span(result.new_serials))
            )
        if result.reprinted:
            parts.append(
                ngettext("Printing again {n} certificate already issued: {serials}.",
                         "Printing again {n} certificates already issued: {serials}.",
                         len(result.reprinted))
                .format(n=i18n.format_number(len(result.reprinted), 0),
                        serials=serial_span(result.reprinted))
            )
        if result.refused:
            parts.append(
                ngettext("{n} trainee was refused.", "{n} trainees were refused.",
                         len(result.refused)).format(n=i18n.format_number(len(result.refused), 0))
            )
        self.outcome.setText(" ".join(parts))
        self.outcome.show()

    def reject(self) -> None:
        self.printer.cancel()  # closing while writing: stop, and leave no half-written file
        super().reject()


def serial_span(serials: list[str], shown: int = 3) -> str:
    """A few serials for a message: all of a short list, else the first ones and the last."""
    if len(serials) <= shown + 1:
        return _(", ").join(serials)
    return _("{first} … {last}").format(
        first=_(", ").join(serials[:shown]), last=serials[-1]
    )
