"""Reports and the dashboard: the county's and a station's figures, defined once.

The definitions (the README repeats them for readers):

* **Period.** Every report takes a period (default: the current calendar year, end day
  included), and optionally one station, the courses of one code and one village (the
  trainee's). A *lesson* counts in the period in which it took place; a *class* counts as held
  in a period when one of its lessons was held in it; a *completion* counts in the period of
  the class's last scheduled lesson; a certificate on the day it was issued, a withdrawal on
  the day it was recorded.
* **Attended.** A mark *present* or *late* on a lesson that is not cancelled; *excused* and
  *absent* are not attended (as for the completion rule, :mod:`trainer_app.domain.completion`).
* **People trained** (persons_trained): distinct persons with at least one attended lesson in
  the period. At the county, trainee records merged as the same person (``person_merge``)
  count once; a person trained at two stations counts at each station, once in the county's
  total. Totals are therefore counted, never summed from the rows.
* **Person-times** (人次): attended marks, one per person per lesson.
* **Hours** (training hours delivered): the hours of the lessons held in the period, a lesson
  being held when someone attended it; in a report by village, the hours held of the classes
  someone of that village attended.
* **Classes**: classes with a lesson held in the period.
* **Completed**: enrolled trainees whose attended hours reach the course's minimum share of all
  scheduled hours of the class (the completion rule), counted in the period of the class's last
  scheduled lesson. **Completion rate**: completed / enrolled over those classes.
  **Dropouts**: enrolled trainees who attended no lesson of the class. **Attendance rate**:
  attended hours / (enrolled × scheduled hours).
* **Poor**: trainees from registered poor households (as their record says).
* **Age**: whole years on the day of the person's first attended lesson in the period.
* **Certificates**: issued = first issues; reissued = certificates replacing another;
  withdrawn = withdrawals other than those a reissue makes.

A station and the county compute a station's figures with the same code over the same rows,
so they agree exactly once the station's bundles are imported. ID and phone numbers appear only
in :func:`roster`, the explicit full-roster export.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from trainer_app import cancel as cancelling
from trainer_app.domain import reports as rules
from trainer_app.i18n import N_, _
from trainer_app.services import station as station_info
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.store import reports as q

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
KINDS = ("text", "int", "hours", "percent", "date")
SILENT_DAYS = 30


class Cancelled(cancelling.Cancelled):
    """The user stopped a report; nothing was shown or written."""


@dataclass(frozen=True)
class Filters:
    """What a report covers; ``None`` is "all" (and for the period, the current year)."""

    start: dt.date | None = None
    end: dt.date | None = None
    station: str | None = None  # a station code
    course: str | None = None  # a course code
    village: str | None = None

    def period(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """The period, inclusive; a missing end is the end of the start's year (or of this
        year), a missing start the first day of the end's year (or of this year)."""
        today = today or dt.date.today()
        if self.start is None and self.end is None:
            return rules.this_year(today)
        if self.start is None:
            return dt.date(self.end.year, 1, 1), self.end
        if self.end is None:
            return self.start, dt.date(self.start.year, 12, 31)
        return self.start, self.end


@dataclass(frozen=True)
class Preset:
    """A named period; ``label`` is translated each time it is read."""

    key: str
    message: str
    period: Callable[[dt.date], tuple[dt.date, dt.date]]

    @property
    def label(self) -> str:
        return _(self.message)


PERIOD_PRESETS: tuple[Preset, ...] = (
    Preset("this_month", N_("This month"), rules.this_month),
    Preset("last_month", N_("Last month"), rules.last_month),
    Preset("this_quarter", N_("This quarter"), rules.this_quarter),
    Preset("this_year", N_("This year"), rules.this_year),
    Preset("last_year", N_("Last year"), rules.last_year),
)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str  # one of KINDS; percent values are fractions 0..1, None when undefined


@dataclass(frozen=True)
class Chart:
    """A bar chart of the report's rows: one bar per row."""

    title: str
    category_key: str
    value_key: str


@dataclass
class Report:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict]
    totals: dict | None
    chart: Chart | None
    filters: Filters
    period: tuple[dt.date, dt.date] = (dt.date.min, dt.date.min)
    made_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())


@dataclass(frozen=True)
class ReportInfo:
    name: str
    title: str
    county_only: bool


@dataclass
class Dashboard:
    figures: dict
    by_month: list[tuple[str, str, int]]
    by_station: list[tuple[str, str, int]]
    by_course: list[tuple[str, str, int]]
    silent_stations: list[dict]
    period: tuple[dt.date, dt.date]


# The dashboard's figures in the order shown, with their kind (see :class:`Column`).
FIGURE_KINDS = {
    "persons_trained": "int", "person_times": "int", "hours": "hours", "classes": "int",
    "completion_rate": "percent", "certificates": "int", "poor_share": "percent",
    "women_share": "percent",
}


def figure_labels() -> dict[str, str]:
    """The dashboard's figures -> their translated names, in the order shown."""
    return {
        "persons_trained": _("People trained"),
        "person_times": _("Person-times"),
        "hours": _("Training hours"),
        "classes": _("Classes held"),
        "completion_rate": _("Completion rate"),
        "certificates": _("Certificates issued"),
        "poor_share": _("From registered poor households"),
        "women_share": _("Women"),
    }


def figure_text(key: str, value: object) -> str:
    """A dashboard figure as shown (locale-formatted; "—" when undefined)."""
    from trainer_app.services.report_export import text_of

    return text_of(Column(key, "", FIGURE_KINDS[key]), value) or "—"


# -- the context of a run -----------------------------------------------------------------------
@dataclass
class Context:
    """A resolved request: the store, the scope of the queries, the names of stations and
    courses, and progress."""

    store: Store
    filters: Filters
    scope: q.Scope
    period: tuple[dt.date, dt.date]
    county: bool
    stations: dict[str, tuple[str, str]]  # origin -> (code, name)
    courses: dict[str, dict]
    progress: Progress | None = None
    steps: int = 1
    done: int = 0
    prepared: set[str] = field(default_factory=set)

    def step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(min(self.done, self.steps), self.steps)

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.steps, self.steps)

    def marks(self) -> None:
        """Read the period's attendance once (see :mod:`trainer_app.store.reports`)."""
        if "marks" not in self.prepared:
            q.prepare_marks(self.store, self.scope)
            self.prepared.add("marks")
            self.step()

    def enrollments(self) -> None:
        """Read the enrollments of the classes ending in the period once."""
        if "enrollments" not in self.prepared:
            self.marks()
            q.prepare_enrollments(self.store, self.scope)
            self.prepared.add("enrollments")
            self.step()

    def station(self, origin: str) -> dict:
        code, name = self.stations.get(origin, ("", ""))
        return {"station": code, "station_name": name or code}

    def course(self, course_id: str) -> dict:
        row = self.courses.get(course_id) or {"code": "", "title": ""}
        return {"course": row["code"], "course_title": row["title"]}


def is_county(store: Store) -> bool:
    return store.get_meta("role") == "county"


def site_name(store: Store) -> str:
    """The name printed on exports: the county center's, or the station's."""
    if is_county(store):
        return store.get_meta("county_name") or ""
    own = station_info.info(store)
    return own.station_name or own.county_name or own.station_code


def _stations(store: Store) -> dict[str, tuple[str, str]]:
    names = q.station_names(store)
    if not is_county(store):
        own = station_info.info(store)
        names[store.site_id] = (own.station_code, own.station_name)
    return names


def resolve(store: Store, filters: Filters, today: dt.date | None = None) -> Context:
    """Check the filters (a message in the user's language when one is wrong) and resolve
    codes to what the queries need."""
    start, end = filters.period(today)
    if start > end:
        raise ServiceError(_("The period starts ({start}) after it ends ({end}).").format(
            start=start.isoformat(), end=end.isoformat()))
    stations = _stations(store)
    origin = None
    if filters.station is not None:
        wanted = filters.station.strip().upper()
        origin = next((o for o, (code, _n) in stations.items() if code.upper() == wanted), None)
        if origin is None:
            raise ServiceError(_("No station has the code {code}.").format(code=filters.station))
    course = None
    if filters.course is not None:
        course = filters.course.strip().upper()
        if not q.course_code_exists(store, course):
            raise ServiceError(_("No course has the code {code}.").format(code=filters.course))
    village = filters.village.strip() if filters.village else None
    scope = q.Scope(start.isoformat(), end.isoformat(), origin, course, village)
    return Context(store, filters, scope, (start, end), is_county(store), stations,
                   q.courses(store))


@contextmanager
def _running(ctx: Context, cancel: CancelCheck | None) -> Iterator[None]:
    """Around a run: ``cancel`` may interrupt a long query (SQLite asks every few thousand
    steps); the run's temporary tables are dropped at the end; progress ends at its total."""
    store = ctx.store
    if cancel is not None:
        store.conn.set_progress_handler(lambda: 1 if cancel() else 0, 20000)
    try:
        yield
    except sqlite3.OperationalError as exc:
        if cancel is not None and cancel():
            raise Cancelled() from exc
        raise
    finally:
        if cancel is not None:
            store.conn.set_progress_handler(None, 0)
        q.release(store)
    if cancel is not None and cancel():
        raise Cancelled()
    ctx.finish()


# -- the reports ----------------------------------------------------------------------------------
def _registry() -> dict[str, tuple[str, bool, Callable[[Context], Report]]]:
    from trainer_app.services import report_defs as d

    return d.REPORTS


def available(store: Store) -> list[ReportInfo]:
    """The reports of this database (the county-only ones only at a county)."""
    county = is_county(store)
    return [ReportInfo(name, _(title), only) for name, (title, only, _b) in _registry().items()
            if county or not only]


def run(store: Store, name: str, filters: Filters, *, progress: Progress | None = None,
        cancel: CancelCheck | None = None, today: dt.date | None = None) -> Report:
    """The report ``name`` over ``filters``."""
    found = _registry().get(name)
    if found is None or (found[1] and not is_county(store)):
        raise ServiceError(_("There is no report named {name}. The reports are: {names}.").format(
            name=name, names=", ".join(r.name for r in available(store))))
    ctx = resolve(store, filters, today)
    ctx.progress = progress
    with _running(ctx, cancel):
        report = found[2](ctx)
    report.period = ctx.period
    return report


def dashboard(store: Store, filters: Filters, *, progress: Progress | None = None,
              cancel: CancelCheck | None = None, today: dt.date | None = None) -> Dashboard:
    """The overview: the figures of the period and people trained by month, station and
    course, from the same queries as the reports."""
    from trainer_app.services import report_dashboard as d

    today = today or dt.date.today()
    ctx = resolve(store, filters, today)
    ctx.progress, ctx.steps = progress, 10
    with _running(ctx, cancel):
        figures = d.figures(ctx)
        charts = {}
        for key in ("month", "origin", "course_id"):
            charts[key] = d.persons_by(ctx, key)
        silent = d.silent_stations(ctx, today) if ctx.county else []
    return Dashboard(figures, charts["month"], charts["origin"], charts["course_id"], silent,
                     ctx.period)


def roster(store: Store, filters: Filters, *, progress: Progress | None = None,
           cancel: CancelCheck | None = None, today: dt.date | None = None) -> Report:
    """The full roster of the people trained, with ID and phone numbers in clear: only for the
    explicit full-roster export (whoever calls it warns the user first)."""
    from trainer_app.services import report_defs as d

    ctx = resolve(store, filters, today)
    ctx.progress = progress
    with _running(ctx, cancel):
        report = d.roster(ctx)
    report.period = ctx.period
    return report

