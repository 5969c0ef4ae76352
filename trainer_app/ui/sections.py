"""Which sections the window shows, declared once per role.

A station sees its daily work (trainees, courses, classes, attendance, certificates, reports,
sync); a county sees its own (overview, stations, imports, every station's records read-only,
duplicates, reports, the catalog). A database that is neither yet is a station that is not
linked: it has the station's sections, and its Sync section also offers to set up the county.

Every page is built from the store alone (``Page(store)``); it may have a ``changed`` signal
(it wrote records) and a ``refresh()`` slot (records changed elsewhere). ``links`` says which
pages read again when another one changed records.
"""

from __future__ import annotations

from typing import NamedTuple

from trainer_app.i18n import N_, _
from trainer_app.services import station
from trainer_app.store import Store
from trainer_app.ui import counts


# NamedTuples, not dataclasses: this module is read before the window's first paint, where
# building a dataclass costs ~0.5 ms and importing ``dataclasses`` ~1.4 ms (README, Figures).
class Section(NamedTuple):
    name: str
    title: str  # msgid, translated when shown
    page: str  # "module:Class"; a page is built when first shown


class Role(NamedTuple):
    sections: tuple[Section, ...]
    links: dict[str, tuple[str, ...]]

    def names(self) -> list[str]:
        return [s.name for s in self.sections]


REPORTS = Section("reports", N_("Reports"), "trainer_app.ui.reports.page:ReportsPage")

STATION = Role(
    sections=(
        Section("trainees", N_("Trainees"), "trainer_app.ui.trainees.page:TraineesPage"),
        Section("courses", N_("Courses"), "trainer_app.ui.courses.page:CoursesPage"),
        Section("classes", N_("Classes"), "trainer_app.ui.classes.page:ClassesPage"),
        Section("attendance", N_("Attendance"), "trainer_app.ui.attendance.page:AttendancePage"),
        Section("certificates", N_("Certificates"),
                "trainer_app.ui.certificates.page:CertificatesPage"),
        REPORTS,
        Section("sync", N_("Sync"), "trainer_app.ui.sync.page:SyncPage"),
    ),
    links={
        "trainees": ("classes", "attendance", "reports"),
        "courses": ("classes", "reports"),
        "classes": ("attendance", "reports"),
        "attendance": ("classes", "reports"),
        "certificates": ("reports",),
        "sync": ("trainees", "courses", "classes", "attendance", "certificates", "reports"),
    },
)

# what a bundle applied changes: its records, and the stations' local courses
_RECORDS = ("trainees", "classes", "certificates", "duplicates", "overview", "reports",
            "courses")
COUNTY = Role(
    sections=(
        Section("overview", N_("Overview"), "trainer_app.ui.overview.page:OverviewPage"),
        Section("stations", N_("Stations"), "trainer_app.ui.county.stations:StationsPanel"),
        Section("imports", N_("Imports"), "trainer_app.ui.county.imports:ImportsPage"),
        Section("trainees", N_("Trainees"), "trainer_app.ui.county.record_views:TraineesView"),
        Section("classes", N_("Classes"), "trainer_app.ui.county.record_views:ClassesView"),
        Section("certificates", N_("Certificates"),
                "trainer_app.ui.county.record_views:CertificatesView"),
        Section("duplicates", N_("Duplicates"), "trainer_app.ui.county.duplicates:DuplicatesPanel"),
        REPORTS,
        Section("courses", N_("Courses"), "trainer_app.ui.courses.page:CoursesPage"),
    ),
    links={
        # an approval applies the bundles that waited; an import brings records and stations'
        # last bundles; a merge makes two records one person
        "stations": _RECORDS,
        "imports": ("stations", *_RECORDS),
        "duplicates": ("trainees", "overview", "reports"),
        "courses": ("classes", "overview", "reports"),
    },
)


def page_modules() -> list[str]:
    """Every module the window imports by name: a frozen build cannot see them in the code,
    so ``build.spec`` names them."""
    return sorted({s.page.split(":")[0] for role in (STATION, COUNTY) for s in role.sections})


def for_store(store: Store) -> Role:
    return COUNTY if station.is_county(store) else STATION


# The county's modules are imported only for a county: a station's start-up does without them.
def place(store: Store) -> str:
    """The county's or the station's name, for the title and the status line."""
    if station.is_county(store):
        from trainer_app.sync import site

        info = site.county(store)
        return _("{name} ({code})").format(name=info.name, code=info.code)
    name = store.get_meta("station_name") or _("Station not named yet")
    if station.is_demo(store):
        return _("{station} (demo, practice records)").format(station=name)
    return name


def status_text(store: Store) -> str:
    if station.is_county(store):
        from trainer_app.services import county

        stations, persons = county.totals(store)
        return _("{county}   ·   {stations}   ·   {trainees}   ·   database: {path}").format(
            county=place(store), stations=counts.stations(stations),
            trainees=counts.trainees(persons), path=store.path)
    # the trainee count is on the Trainees page, where it follows the search
    return _("{station}   ·   database: {path}").format(station=place(store), path=store.path)
