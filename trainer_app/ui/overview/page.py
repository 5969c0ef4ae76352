"""The county's Overview: for a period (and optionally one station or course) the figures a
coordinator reports upward, people trained by month, station and course, and the stations that
have sent nothing for 30 days.

The figures come from :func:`trainer_app.services.reports.dashboard`, the same code as the
Reports section, so the two never disagree. A click on a figure or a bar opens the matching
report, filtered (``open_report``).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.domain import reports as rules
from trainer_app.i18n import N_, _, ngettext
from trainer_app.services import reports
from trainer_app.services.reports import Dashboard, Filters
from trainer_app.store import Store
from trainer_app.ui import tasks
from trainer_app.ui.charts import BarChart
from trainer_app.ui.errors import show_error
from trainer_app.ui.overview.tile import FigureTile
from trainer_app.ui.reports.filters import FilterBar
from trainer_app.ui.reports.runner import NewestRun, RunsWhenShown
from trainer_app.ui.retranslate import Retranslating

# (figure, report it opens, definition msgid), in the order of the service's figures
FIGURES = (
    ("persons_trained", "by-station",
     N_("Distinct persons with at least one lesson attended in the period; a person merged at "
        "the county counts once.")),
    ("person_times", "by-month", N_("Lessons attended: one per person per lesson.")),
    ("hours", "by-month", N_("Hours of the lessons held in the period.")),
    ("classes", "ledger", N_("Classes with a lesson held in the period.")),
    ("completion_rate", "completion",
     N_("Completed of enrolled, for the classes whose last lesson falls in the period.")),
    ("certificates", "certificates",
     N_("Certificates issued in the period (reissues not counted).")),
    ("poor_share", "poverty", N_("Share of the people trained from registered poor households.")),
    ("women_share", "demographics", N_("Share of the people trained who are women.")),
)
# (chart, title msgid, dashboard attribute)
CHARTS = (
    ("month", N_("People trained by month"), "by_month"),
    ("station", N_("People trained by station"), "by_station"),
    ("course", N_("People trained by course"), "by_course"),
)


def month_label(key: str) -> str:
    """``2025-03`` as the active language writes a month (2025年3月, Mar 2025)."""
    from babel.dates import format_skeleton

    try:
        year, month = (int(part) for part in str(key)[:7].split("-"))
    except ValueError:
        return str(key)
    return format_skeleton("yMMM", dt.date(year, month, 1), locale=i18n.babel_locale())


class OverviewPage(RunsWhenShown, Retranslating, QWidget):
    open_report = Signal(str, object)  # report name, Filters
    shown = Signal()  # the figures on screen are up to date (tests wait for it)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._requested = Filters()
        self.runner = NewestRun(store, _("Counting the figures…"), self)
        self.runner.succeeded.connect(self._show)
        self.runner.failed.connect(lambda exc: show_error(self, exc))
        self.dashboard: Dashboard | None = None
        self.shown_filters: Filters | None = None

        self.filters = FilterBar(store, village=False)
        self.filters.changed.connect(self.run)
        self.scope = QLabel(objectName="overview_scope")
        self.scope.setStyleSheet("color: #555;")
        self.tiles: dict[str, FigureTile] = {}
        grid = QGridLayout()
        grid.setSpacing(8)
        for i, (key, report, _definition) in enumerate(FIGURES):
            tile = FigureTile(objectName=f"figure_{key}")
            tile.clicked.connect(lambda r=report: self._figure_clicked(r))
            self.tiles[key] = tile
            grid.addWidget(tile, i // 4, i % 4)

        self.charts: dict[str, BarChart] = {}
        charts = QHBoxLayout()
        for key, _title, _attribute in CHARTS:
            chart = BarChart()
            chart.setObjectName(f"chart_{key}")
            chart.bar_clicked.connect(lambda index, k=key: self._bar_clicked(k, index))
            self.charts[key] = chart
            charts.addWidget(chart, 1, Qt.AlignmentFlag.AlignTop)
        self.silent = QLabel(objectName="overview_silent", wordWrap=True)
        self.silent.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        body = QWidget()
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(grid)
        inner.addSpacing(8)
        inner.addLayout(charts)
        inner.addWidget(self.silent)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.scope)
        layout.addWidget(scroll, 1)
        self.retranslate()

    # -- running -----------------------------------------------------------------------------------
    def run(self) -> None:
        self._dirty = False
        filters = self.filters.filters()
        self._requested = filters
        self.runner.request(lambda s, progress, cancelled: reports.dashboard(
            s, filters, progress=progress, cancel=cancelled))

    @property
    def task(self) -> tasks.Task | None:
        return self.runner.task

    def is_busy(self) -> bool:
        return self.runner.is_busy()

    def _show(self, dashboard: Dashboard) -> None:
        filters = self._requested
        self.dashboard = dashboard
        start, end = dashboard.period
        self.shown_filters = Filters(start, end, filters.station, filters.course)
        self._fill()
        self.shown.emit()

    def _fill(self) -> None:
        dashboard = self.dashboard
        if dashboard is None:
            return
        start, end = dashboard.period
        self.scope.setText(_("{start} to {end}").format(
            start=i18n.format_date(start), end=i18n.format_date(end)))
        for key, _report, _definition in FIGURES:
            self.tiles[key].set_value(reports.figure_text(key, dashboard.figures.get(key)))
        for key, _title, attribute in CHARTS:
            bars = getattr(dashboard, attribute)
            self.charts[key].set_bars([(month_label(label) if key == "month" else label, persons)
                                       for label, _key, persons in bars])
        self._fill_silent()

    def _fill_silent(self) -> None:
        silent = self.dashboard.silent_stations if self.dashboard else []
        if not silent and self.filters.station.count() <= 1:  # "All stations" alone
            self.silent.setText(_(
                "No station in the register yet: add the stations in the Stations section and "
                "give each its county pack; their figures appear here once their bundles are "
                "imported."))
            return
        if not silent:
            self.silent.setText(_("Every station has sent a bundle in the last {days} days.")
                                .format(days=reports.SILENT_DAYS))
            return
        lines = []
        for st in silent:
            last = st.get("last_bundle")
            when = (_("last bundle {date}").format(date=i18n.format_date(last)) if last
                    else _("nothing received yet"))
            lines.append(f"{st['code']} {st['name']} ({when})")
        self.silent.setText(ngettext(
            "{n} station has sent nothing for {days} days: {list}",
            "{n} stations have sent nothing for {days} days: {list}", len(silent)).format(
            n=len(silent), days=reports.SILENT_DAYS, list=_("; ").join(lines)))

    def _figure_clicked(self, report: str) -> None:
        if self.shown_filters is not None:  # once figures are on screen
            self.open_report.emit(report, self.shown_filters)

    def _bar_clicked(self, chart: str, index: int) -> None:
        """The ledger of the bar's month, station or course, within the period shown."""
        if self.dashboard is None or self.shown_filters is None:
            return
        attribute = next(a for k, _t, a in CHARTS if k == chart)
        key = getattr(self.dashboard, attribute)[index][1]
        shown = self.shown_filters
        if chart == "month":
            year, month = (int(part) for part in str(key)[:7].split("-"))
            first, last = rules.this_month(dt.date(year, month, 1))
            wanted = Filters(max(first, shown.start), min(last, shown.end), shown.station,
                             shown.course)
        elif chart == "station":
            wanted = Filters(shown.start, shown.end, key, shown.course)
        else:
            wanted = Filters(shown.start, shown.end, shown.station, key)
        self.open_report.emit("ledger", wanted)

    # -- the section -------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.runner.label = _("Counting the figures…")
        labels = reports.figure_labels()
        for key, _report, definition in FIGURES:
            self.tiles[key].set_caption(labels[key])
            self.tiles[key].setToolTip(_("{definition}\nClick to open the report.").format(
                definition=_(definition)))
        for key, title, _attribute in CHARTS:
            self.charts[key].set_title(_(title))
            self.charts[key].set_empty_text(_("Nobody trained in this period."))
            self.charts[key].setToolTip(_("Click a bar to open the training ledger for it."))
        if self.dashboard is not None:
            self._fill()
