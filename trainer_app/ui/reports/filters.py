"""The filters every report and the Overview take: a period (a preset or a custom range), one
station (at the county), one course and, for the reports, one village."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from trainer_app.i18n import _
from trainer_app.services import county, courses
from trainer_app.services.reports import PERIOD_PRESETS, Filters
from trainer_app.store import Store
from trainer_app.sync import site
from trainer_app.ui.errors import show_error
from trainer_app.ui.forms import DateEdit
from trainer_app.ui.retranslate import Retranslating

CUSTOM = "custom"
DEFAULT_PRESET = "this_year"


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class FilterBar(Retranslating, QWidget):
    """``changed`` whenever the filters changed (not while they are set from code)."""

    changed = Signal()

    def __init__(self, store: Store, village: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self._store = store
        self._quiet = False
        self._county = site.role(store) == "county"
        self._with_village = village
        self.today = dt.date.today  # tests give a fixed day
        self.period_label = QLabel()
        self.period = QComboBox(objectName="filter_period")
        self.start = DateEdit(objectName="filter_start")
        self.end = DateEdit(objectName="filter_end")
        self.dash = QLabel("–")
        self.station = QComboBox(objectName="filter_station")
        self.station.setVisible(self._county)
        self.course = QComboBox(objectName="filter_course")
        self.course.setMinimumContentsLength(12)
        self.course.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.station.setMinimumContentsLength(12)
        self.station.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.village = QLineEdit(objectName="filter_village")
        self.village.setClearButtonEnabled(True)
        self.village.setVisible(village)

        self.period.currentIndexChanged.connect(self._preset_chosen)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(self._dates_changed)
        self.station.currentIndexChanged.connect(self._emit)
        self.course.currentIndexChanged.connect(self._emit)
        self.village.editingFinished.connect(self._village_done)
        self._village_applied = ""

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.period_label, self.period, self.start, self.dash, self.end):
            layout.addWidget(widget)
        layout.addSpacing(8)
        layout.addWidget(self.station)
        layout.addWidget(self.course)
        layout.addWidget(self.village, 1)
        if not village:
            layout.addStretch(1)
        self._fill_periods()
        self.reload_choices()
        self.retranslate()

    # -- what is chosen -----------------------------------------------------------------------
    def filters(self) -> Filters:
        return Filters(
            start=_date(self.start.date()),
            end=_date(self.end.date()),
            station=self.station.currentData() if self._county else None,
            course=self.course.currentData(),
            village=(self.village.text().strip() or None) if self._with_village else None,
        )

    def set_filters(self, filters: Filters) -> None:
        """Show ``filters`` (a named period when it is one, else a custom range)."""
        start, end = filters.period(self.today())
        self._quiet = True
        try:
            key = next((p.key for p in PERIOD_PRESETS if p.period(self.today()) == (start, end)),
                       CUSTOM)
            self.period.setCurrentIndex(self.period.findData(key))
            self.start.setDate(_qdate(start))
            self.end.setDate(_qdate(end))
            self.station.setCurrentIndex(max(0, self.station.findData(filters.station)))
            self.course.setCurrentIndex(max(0, self.course.findData(filters.course)))
            self.village.setText(filters.village or "")
            self._village_applied = self.village.text().strip()
        finally:
            self._quiet = False
        self._enable_dates()

    def set_period(self, start: dt.date, end: dt.date) -> None:
        """A custom range, as if typed."""
        self.set_filters(Filters(start, end, **self._others()))
        self.changed.emit()

    def _others(self) -> dict:
        current = self.filters()
        return {"station": current.station, "course": current.course,
                "village": current.village}

    # -- filling ---------------------------------------------------------------------------------
    def _fill_periods(self) -> None:
        self._quiet = True
        self.period.clear()
        for preset in PERIOD_PRESETS:
            self.period.addItem(preset.label, preset.key)
        self.period.addItem(_("Custom range"), CUSTOM)
        self.period.setCurrentIndex(self.period.findData(DEFAULT_PRESET))
        start, end = next(p for p in PERIOD_PRESETS if p.key == DEFAULT_PRESET).period(
            self.today())
        self.start.setDate(_qdate(start))
        self.end.setDate(_qdate(end))
        self._quiet = False
        self._enable_dates()

    def reload_choices(self) -> None:
        """Read the stations and courses again (after an import or a catalog change)."""
        self._quiet = True
        try:
            station, course = self.station.currentData(), self.course.currentData()
            self.station.clear()
            self.station.addItem(_("All stations"), None)
            if self._county:
                for st in county.station_choices(self._store):
                    self.station.addItem(f"{st['code']} {st['name']}".strip(), st["code"])
            self.course.clear()
            self.course.addItem(_("All courses"), None)
            for row in courses.list_all(self._store):  # retired ones too: their figures stay
                label = f"{row['code']} {row['title']}".strip()
                if row["retired"]:
                    label = _("{course} (retired)").format(course=label)
                self.course.addItem(label, row["code"])
            self.station.setCurrentIndex(max(0, self.station.findData(station)))
            self.course.setCurrentIndex(max(0, self.course.findData(course)))
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
        finally:
            self._quiet = False

    def retranslate(self) -> None:
        self._quiet = True
        for i, preset in enumerate(PERIOD_PRESETS):
            self.period.setItemText(i, preset.label)
        self.period.setItemText(len(PERIOD_PRESETS), _("Custom range"))
        if self.station.count():
            self.station.setItemText(0, _("All stations"))
        if self.course.count():
            self.course.setItemText(0, _("All courses"))
        self._quiet = False
        self.period_label.setText(_("Period:"))
        self.village.setPlaceholderText(_("Village (all)"))
        self.village.setToolTip(_("Only the trainees of this village; Enter applies it."))

    # -- reacting ------------------------------------------------------------------------------
    def _enable_dates(self) -> None:
        custom = self.period.currentData() == CUSTOM
        self.start.setEnabled(custom)
        self.end.setEnabled(custom)

    def _preset_chosen(self) -> None:
        if self._quiet:
            return
        key = self.period.currentData()
        preset = next((p for p in PERIOD_PRESETS if p.key == key), None)
        if preset is not None:
            start, end = preset.period(self.today())
            self._quiet = True
            self.start.setDate(_qdate(start))
            self.end.setDate(_qdate(end))
            self._quiet = False
        self._enable_dates()
        self.changed.emit()

    def _dates_changed(self) -> None:
        if not self._quiet and self.period.currentData() == CUSTOM:
            self.changed.emit()

    def _village_done(self) -> None:
        text = self.village.text().strip()
        if text != self._village_applied:
            self._village_applied = text
            self._emit()

    def _emit(self) -> None:
        if not self._quiet:
            self.changed.emit()

