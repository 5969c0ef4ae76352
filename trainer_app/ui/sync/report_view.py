"""The import report on screen: what was imported when, the summary, what the applied bundles
brought, the gaps per station, and the table of files."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from trainer_app.i18n import _
from trainer_app.sync.exchange import ImportReport
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.sync.report_model import ReportModel, gaps_text, summary_text, totals_text
from trainer_app.ui.tables import configure_table


class ReportView(Retranslating, QWidget):
    def __init__(self, parent: QWidget | None = None, name: str = "import_report") -> None:
        super().__init__(parent)
        self.model = ReportModel(self)
        self._title: Callable[[], str] | None = None
        self.heading = QLabel(objectName=f"{name}_heading", wordWrap=True)
        self.summary = QLabel(objectName=f"{name}_summary", wordWrap=True)
        self.summary.setStyleSheet("font-weight: bold;")
        self.totals = QLabel(objectName=f"{name}_totals", wordWrap=True)
        self.gaps = QLabel(objectName=f"{name}_gaps", wordWrap=True)
        self.gaps.setStyleSheet("color: #9a5b00;")
        for label in (self.heading, self.summary, self.totals, self.gaps):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableView(objectName=f"{name}_table")
        self.table.setModel(self.model)
        configure_table(self.table, (210, 80, 90, 150, 330, 70, 70), stretch=4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.totals)
        layout.addWidget(self.gaps)
        layout.addWidget(self.table, 1)
        self.retranslate()

    def show_reports(self, reports: list[ImportReport],
                     title: Callable[[], str] | None = None, append: bool = False) -> None:
        """Show ``reports`` (after those shown with ``append``); ``title()`` gives the heading
        in the current language (asked again when the language changes)."""
        if append:
            self.model.add_reports(reports)
        else:
            self.model.set_reports(reports)
        self._title = title or self._title
        self._update()

    def clear(self) -> None:
        self.model.set_reports([])
        self._title = None
        self._update()

    def reports(self) -> list[ImportReport]:
        return list(self.model.reports)

    def retranslate(self) -> None:
        self.model.retranslate()
        self._update()

    def _update(self) -> None:
        reports = self.model.reports
        title = self._title() if self._title else ""
        self.heading.setText(title)
        self.heading.setVisible(bool(title))
        if not reports and not title:
            self.summary.setText(_("No import yet in this session."))
            self.totals.setText("")
            self.gaps.setText("")
        else:
            self.summary.setText(summary_text(reports))
            self.totals.setText(totals_text(reports))
            gaps = gaps_text(reports)
            self.gaps.setText(_("Missing (not yet received):\n{gaps}").format(gaps=gaps)
                              if gaps else "")
        self.totals.setVisible(bool(self.totals.text()))
        self.gaps.setVisible(bool(self.gaps.text()))
