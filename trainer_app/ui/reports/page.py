"""The Reports section: pick a report, filter it (period, station at the county, course,
village), read it as a sortable table with its totals row and its chart, export it.

Reports run off the UI thread (``ui/tasks.py``) with progress and Cancel, so a big county never
freezes the window; a change of filters while one runs stops it and runs the new one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.i18n import _
from trainer_app.services import reports
from trainer_app.services.reports import Column, Filters, Report
from trainer_app.store import Store
from trainer_app.ui import counts, tasks
from trainer_app.ui.charts import BarChart
from trainer_app.ui.errors import show_error
from trainer_app.ui.reports.exporting import Exporter
from trainer_app.ui.reports.filters import FilterBar
from trainer_app.ui.reports.model import ReportModel, cell_text
from trainer_app.ui.reports.runner import NewestRun, RunsWhenShown
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import configure_table


class ReportsPage(RunsWhenShown, Retranslating, QWidget):
    shown = Signal()  # a report was run and is on screen (tests wait for it)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.runner = NewestRun(store, _("Making the report…"), self)
        self.runner.succeeded.connect(self._show)
        self.runner.failed.connect(self._failed)
        self.runner.stopped.connect(lambda: self.status.setText(_("Stopped.")))
        self.report: Report | None = None

        self.list = QListWidget(objectName="report_list")
        self.list.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.list.currentItemChanged.connect(lambda *_a: self.run())
        self.filters = FilterBar(store, village=True)
        self.filters.changed.connect(self.run)
        self.heading = QLabel(objectName="report_heading", wordWrap=True)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.heading.setFont(font)
        self.scope = QLabel(objectName="report_scope", wordWrap=True)
        self.scope.setStyleSheet("color: #555;")

        self.model = ReportModel(self)
        self.table = QTableView(objectName="report_table")
        self.table.setModel(self.model)
        configure_table(self.table)
        self.chart = BarChart()
        self.chart.setObjectName("report_chart")
        chart_area = QScrollArea()
        chart_area.setWidgetResizable(True)
        chart_area.setWidget(self.chart)
        chart_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.chart_area = chart_area
        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(chart_area)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        self.status = QLabel(objectName="report_status", wordWrap=True)
        self.count = QLabel(objectName="report_count")
        self.export_button = QPushButton(objectName="export_report", enabled=False)
        self.roster_button = QPushButton(objectName="export_roster")
        self.exporter = Exporter(store, self)
        self.export_button.clicked.connect(lambda: self.exporter.export(self.report))
        self.roster_button.clicked.connect(
            lambda: self.exporter.export_roster(self.filters.filters()))

        right = QVBoxLayout()
        right.addWidget(self.filters)
        heading = QHBoxLayout()
        heading.addWidget(self.heading, 1)
        heading.addWidget(self.count, 0, Qt.AlignmentFlag.AlignBottom)
        right.addLayout(heading)
        right.addWidget(self.scope)
        right.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.roster_button)
        bottom.addWidget(self.export_button)
        right.addLayout(bottom)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(right, 1)
        self._fill_list()
        self.retranslate()

    # -- the list of reports ----------------------------------------------------------------------
    def _fill_list(self) -> None:
        current = self.current_name()
        self.list.blockSignals(True)
        self.list.clear()
        for info in reports.available(self._store):
            item = QListWidgetItem(info.title)
            item.setData(Qt.ItemDataRole.UserRole, info.name)
            self.list.addItem(item)
        self._select(current or (self.list.item(0).data(Qt.ItemDataRole.UserRole)
                                 if self.list.count() else None))
        self.list.blockSignals(False)

    def _select(self, name: str | None) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(i)
                return

    def current_name(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def names(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.list.count())]

    # -- running -----------------------------------------------------------------------------------
    def show_report(self, name: str, filters: Filters) -> None:
        """Report ``name`` over ``filters`` (from the Overview's figures and bars)."""
        self.filters.set_filters(filters)
        self.list.blockSignals(True)
        self._select(name)
        self.list.blockSignals(False)
        self.run()

    def run(self) -> None:
        name = self.current_name()
        if name is None:
            return
        self._dirty = False
        filters = self.filters.filters()
        self.status.setText(_("Making the report…"))
        self.export_button.setEnabled(False)
        self.runner.request(lambda s, progress, cancelled: reports.run(
            s, name, filters, progress=progress, cancel=cancelled))

    @property
    def task(self) -> tasks.Task | None:
        return self.runner.task

    def is_busy(self) -> bool:
        return self.runner.is_busy()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText("")
        show_error(self, exc)

    def _show(self, report: Report) -> None:
        self.report = report
        self.model.set_report(report)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        for column in range(self.model.columnCount()):
            self.table.resizeColumnToContents(column)
        self.heading.setText(report.title)
        start, end = report.period
        self.scope.setText(_("{start} to {end}").format(
            start=i18n.format_date(start), end=i18n.format_date(end)))
        self._show_chart(report)
        n = len(report.rows)
        self.count.setText(counts.rows(n))
        if n:
            self.status.setText("")
        else:
            self.status.setText(_(
                "Nothing in this period with these filters. Choose another period or fewer "
                "filters; at the county, check that the stations' bundles were imported."))
        self.export_button.setEnabled(True)
        self.shown.emit()

    def _show_chart(self, report: Report) -> None:
        chart = report.chart
        self.chart_area.setVisible(chart is not None)
        if chart is None:
            return
        column = next((c for c in report.columns if c.key == chart.value_key),
                      Column(chart.value_key, "", "int"))
        self.chart.set_title(chart.title)
        self.chart.set_empty_text(_("No bars: nothing in this period."))
        self.chart.set_bars(
            [(str(r.get(chart.category_key) or ""), float(r.get(chart.value_key) or 0))
             for r in report.rows],
            lambda value: cell_text(column, value))
        total = sum(self.splitter.sizes())
        if total > 0:  # the whole chart when it fits in under half the height
            wanted = min(self.chart.sizeHint().height() + 8, total * 45 // 100)
            self.splitter.setSizes([total - wanted, wanted])

    # -- the section -------------------------------------------------------------------------------
    def retranslate(self) -> None:
        for i, info in enumerate(reports.available(self._store)):
            if i < self.list.count():
                self.list.item(i).setText(info.title)
        self.list.setFixedWidth(max(140, self.list.sizeHintForColumn(0) + 28))
        self.runner.label = _("Making the report…")
        self.export_button.setText(_("&Export…"))
        self.export_button.setToolTip(_("Save this report as an Excel workbook, a CSV file or "
                                         "a PDF to print."))
        self.roster_button.setText(_("Full roster with ID numbers…"))
        self.roster_button.setToolTip(_(
            "Every person trained in the period with their full ID and phone numbers, for a "
            "funder that asks for them. You are warned before anything is written."))
        if self.report is not None and not self._dirty:
            self.run()  # column titles and labels in the new language
