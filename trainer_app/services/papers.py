"""The station's other papers: sign-in sheets, trainee cards, class rosters, class summaries.

Each use case gathers what the paper shows into a record of :mod:`trainer_app.pdf.records`
(labels and dates in the program's language, names as they are), checks that every character
has a font, and has :mod:`trainer_app.pdf.papers` write the PDF atomically. The ``*_record``
functions are the gathering half alone (for previews and tests).

Long work takes ``progress(done, total)`` and ``cancelled() -> bool``; a cancel stops with
``trainer_app.pdf.atomic.Cancelled`` and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from trainer_app.domain import idcard, phone
from trainer_app.domain.models import AttendanceStatus, Gender
from trainer_app.i18n import (
    _,
    format_date,
    format_day,
    format_number,
    format_percent,
    ngettext,
    pgettext,
)
from trainer_app.pdf import fonts
from trainer_app.pdf.records import (
    Branding,
    ClassSummary,
    Roster,
    RosterRow,
    SheetRow,
    SignInSheet,
    SummaryRow,
    TraineeCard,
)
from trainer_app.services import classes, station
from trainer_app.services.errors import ServiceError, not_found
from trainer_app.store import Store
from trainer_app.store import attendance as attendance_q
from trainer_app.store import classes as classes_q
from trainer_app.store import papers as q

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

BLANK_ROWS = 5  # for walk-ins; fewer (at least 3) where only fewer fit (pdf.papers.layout)
KINDS = ("sign_in_sheet", "cards", "roster", "summary")


# -- helpers -------------------------------------------------------------------------------------
def _branding(store: Store) -> Branding:
    info = station.info(store)
    return Branding(
        county_name=info.county_name, station_name=info.station_name,
        seal_image=info.seal_image, logo_image=info.logo_image,
    )


def _printed_on() -> str:
    return format_date(dt.date.today())


def _village(row: dict) -> str:
    return f"{row.get('village') or ''}{row.get('village_group') or ''}"


def _require_class(store: Store, class_id: str) -> dict:
    row = classes_q.by_id(store, class_id)
    if not row:
        raise not_found("class", class_id)
    return row


def _dates(row: dict) -> str:
    start, end = format_date(row["start_date"]), format_date(row["end_date"])
    return start if start == end else _("{start} to {end}").format(start=start, end=end)


def _hours(value: float) -> str:
    return ngettext("{hours} hour", "{hours} hours", 1 if value == 1 else 2).format(
        hours=format_number(value)
    )


def _unprintable(field: str, text: str, chars: list[str], trainee: dict | None) -> ServiceError:
    listed = "、".join(f"{ch} (U+{ord(ch):04X})" for ch in chars)
    if trainee is not None:
        message = _(
            "Trainee {code} {name}: the {field} “{text}” has characters no font of this "
            "program can print: {chars}. Nothing was written; correct the record if it was "
            "mistyped, or ask for a fonts update."
        ).format(code=trainee.get("code", ""), name=trainee.get("name", ""), field=field,
                 text=text, chars=listed)
    else:
        message = _(
            "The {field} “{text}” has characters no font of this program can print: {chars}. "
            "Nothing was written; correct it if it was mistyped, or ask for a fonts update."
        ).format(field=field, text=text, chars=listed)
    return ServiceError(message)


def _check(items: Iterable[tuple[str, str | None, dict | None]]) -> None:
    """Refuse the paper when any ``(field name, text, trainee row or None)`` has a character
    no font can print, naming the character and whose record it is."""
    for field, text, trainee in items:
        if text:
            missing = fonts.missing_characters(text)
            if missing:
                raise _unprintable(field, text, missing, trainee)


def _branding_items(b: Branding) -> list[tuple[str, str, None]]:
    return [(_("county name"), b.county_name, None), (_("station name"), b.station_name, None)]


def _trainee_items(rows: Iterable[dict], fields: Sequence[str]) -> list:
    names = {
        "name": _("name"), "code": _("code"), "village": _("village"),
        "village_group": _("village group"),
    }
    return [(names[f], row.get(f), row) for row in rows for f in fields]


def _render(render: Callable, record, out: Path, progress, cancelled) -> Path:
    from trainer_app.pdf.papers import UnprintableText

    try:
        return render(record, Path(out), progress, cancelled)
    except UnprintableText as exc:  # a label or formatted text; the records were checked
        raise _unprintable(_("text"), exc.text, exc.chars, None) from exc


# -- sign-in sheet -------------------------------------------------------------------------------
def _lesson_time(start: str, hours: float) -> str:
    try:
        begin = dt.datetime.strptime(start, "%H:%M")
    except ValueError:
        return start
    end = begin + dt.timedelta(hours=hours)
    return _("{start}–{end}").format(start=start, end=end.strftime("%H:%M"))


def sign_in_sheet_record(store: Store, lesson_id: str, blank_rows: int = BLANK_ROWS) -> SignInSheet:
    lesson = q.lesson_details(store, lesson_id)
    if not lesson:
        raise not_found("lesson", lesson_id)
    if lesson["cancelled"]:
        raise ServiceError(_("This lesson is cancelled; restore it before printing its sheet."))
    enrolled = classes_q.enrolled(store, lesson["class_id"])
    branding = _branding(store)
    _check([
        *_branding_items(branding),
        (_("class title"), lesson["class_title"], None),
        (_("course title"), lesson["course_title"], None),
        (_("lesson topic"), lesson["topic"], None),
        (_("place"), lesson["place"], None), (_("trainer"), lesson["trainer"], None),
        *_trainee_items(enrolled, ("name", "code", "village", "village_group")),
    ])
    return SignInSheet(
        class_title=lesson["class_title"],
        course_title=lesson["course_title"],
        lesson_topic=lesson["topic"],
        lesson_date=format_day(lesson["date"]),
        lesson_time=_lesson_time(lesson["start_time"], lesson["hours"]),
        place=lesson["place"],
        trainer=lesson["trainer"],
        rows=[SheetRow(code=t["code"], name=t["name"], village=_village(t)) for t in enrolled],
        branding=branding,
        blank_rows=max(0, blank_rows),
        enrolled_label=ngettext("{n} trainee enrolled", "{n} trainees enrolled",
                                len(enrolled)).format(n=format_number(len(enrolled), 0)),
        printed_on=_printed_on(),
        lesson_id=lesson_id,
    )


def sign_in_sheet(
    store: Store, lesson_id: str, out: Path, progress: Progress | None = None,
    cancelled: Cancelled | None = None, blank_rows: int = BLANK_ROWS,
) -> Path:
    """The lesson's sign-in sheet: every enrolled trainee with a QR code of their trainee code
    (the attendance scanner accepts it), a signature column and ``blank_rows`` blank rows for
    walk-ins (fewer where only fewer fit on the last page, never a page of them alone)."""
    from trainer_app.pdf.papers import sheet

    record = sign_in_sheet_record(store, lesson_id, blank_rows)
    return _render(sheet.render, record, out, progress, cancelled)


# -- trainee cards -------------------------------------------------------------------------------
def card_records(
    store: Store, class_id: str | None = None, trainee_ids: Iterable[str] | None = None
) -> list[TraineeCard]:
    """Cards for ``trainee_ids`` (in that order), or else for everyone enrolled in the class."""
    if class_id is not None:
        _require_class(store, class_id)
    if trainee_ids is not None:
        wanted = list(trainee_ids)
        rows = q.trainees_by_ids(store, wanted)
        known = {r["id"] for r in rows}
        for trainee_id in wanted:
            if trainee_id not in known:
                raise not_found("trainee", trainee_id)
    elif class_id is not None:
        rows = classes_q.enrolled(store, class_id)
    else:
        raise ServiceError(_("Choose a class or trainees to print cards for."))
    if not rows:
        raise ServiceError(_("There are no trainees to print cards for."))
    branding = _branding(store)
    _check([*_branding_items(branding),
            *_trainee_items(rows, ("name", "code", "village", "village_group"))])
    return [
        TraineeCard(code=r["code"], name=r["name"], village=_village(r), branding=branding)
        for r in rows
    ]


def trainee_cards(
    store: Store, class_id: str | None, out: Path, trainee_ids: Iterable[str] | None = None,
    progress: Progress | None = None, cancelled: Cancelled | None = None,
) -> Path:
    """Cards to cut out, ten per A4 page: name, station, code and a QR code of the code."""
    from trainer_app.pdf.papers import cards

    records = card_records(store, class_id, trainee_ids)
    return _render(cards.render, records, out, progress, cancelled)


# -- roster --------------------------------------------------------------------------------------
def roster_record(store: Store, class_id: str) -> Roster:
    row = _require_class(store, class_id)
    enrolled = classes_q.enrolled(store, class_id)
    branding = _branding(store)
    _check([
        *_branding_items(branding),
        (_("class title"), row["title"], None), (_("course title"), row["course_title"], None),
        (_("place"), row["place"], None), (_("trainer"), row["trainer"], None),
        *_trainee_items(enrolled, ("name", "code", "village", "village_group")),
    ])
    return Roster(
        class_title=row["title"],
        course_title=row["course_title"] or "",
        dates=_dates(row),
        trainer=row["trainer"],
        place=row["place"],
        rows=[
            RosterRow(
                code=t["code"],
                name=t["name"],
                gender=Gender(t["gender"]).label if t["gender"] else "",
                id_number_masked=idcard.mask(t["id_number"]),
                phone_masked=phone.mask(t["phone"]),
                village=_village(t),
            )
            for t in enrolled
        ],
        branding=branding,
        printed_on=_printed_on(),
    )


def roster(
    store: Store, class_id: str, out: Path, progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """The class and its trainees, ID and phone numbers masked."""
    from trainer_app.pdf.papers import roster as paper

    return _render(paper.render, roster_record(store, class_id), out, progress, cancelled)


# -- summary -------------------------------------------------------------------------------------
def marks() -> dict[str, str]:
    """The short mark printed for each attendance status (blank when not marked)."""
    return {
        AttendanceStatus.PRESENT: "✓",
        AttendanceStatus.LATE: pgettext("attendance mark", "L"),
        AttendanceStatus.EXCUSED: pgettext("attendance mark", "E"),
        AttendanceStatus.ABSENT: "✘",
    }


def summary_record(store: Store, class_id: str) -> ClassSummary:
    row = _require_class(store, class_id)
    lessons = classes_q.lessons(store, class_id, include_cancelled=False)
    report = classes.completion_report(store, class_id)
    status: dict[tuple[str, str], str | None] = {
        (m["trainee_id"], m["lesson_id"]): m["status"]
        for m in attendance_q.class_marks(store, class_id)
    }
    symbol = marks()
    branding = _branding(store)
    _check([
        *_branding_items(branding),
        (_("class title"), row["title"], None), (_("course title"), row["course_title"], None),
        (_("place"), row["place"], None), (_("trainer"), row["trainer"], None),
        *_trainee_items(report, ("name", "code")),
        *((_("mark"), text, None) for text in symbol.values()),
    ])
    scheduled = sum(lesson["hours"] for lesson in lessons)
    required = scheduled * row["min_share"]
    rows = []
    attending = [0] * len(lessons)
    for r in report:
        trainee_marks = []
        for k, lesson in enumerate(lessons):
            st = status.get((r["trainee_id"], lesson["id"]))
            trainee_marks.append(symbol[st] if st else "")
            if st and AttendanceStatus(st).counts_as_attended:
                attending[k] += 1
        rows.append(
            SummaryRow(
                code=r["code"], name=r["name"], marks=trainee_marks,
                attended_hours=format_number(r["attended_hours"]),
                share=format_percent(r["share"]), completed=bool(r["completed"]),
            )
        )
    done = sum(1 for r in report if r["completed"])
    n = len(report)
    return ClassSummary(
        class_title=row["title"],
        course_title=row["course_title"] or "",
        dates=_dates(row),
        trainer=row["trainer"],
        place=row["place"],
        lesson_headers=[format_date(lesson["date"], "M/d") for lesson in lessons],
        scheduled_hours=ngettext(
            "{hours} in {n} lesson", "{hours} in {n} lessons", len(lessons)
        ).format(hours=_hours(scheduled), n=len(lessons)),
        required_hours=_("{hours} ({share} of the scheduled hours)").format(
            hours=_hours(required), share=format_percent(row["min_share"])
        ),
        rule=_(
            "Completion rule: a trainee completes the class by attending at least {share} of "
            "all scheduled hours. Present and late count as attended; excused and absent do "
            "not, and lessons not yet marked count as not attended."
        ).format(share=format_percent(row["min_share"])),
        rows=rows,
        branding=branding,
        totals={
            "label": _("Trainees attending"),
            "completed": f"{done} / {n}",
            "line": ngettext(
                "{done} of {n} trainee", "{done} of {n} trainees", n
            ).format(done=done, n=n),
        },
        lesson_totals=[str(k) for k in attending],
        legend=_(
            "Marks: {present} present   {late} late   {excused} excused   {absent} absent   "
            "blank: not marked"
        ).format(
            present=symbol[AttendanceStatus.PRESENT], late=symbol[AttendanceStatus.LATE],
            excused=symbol[AttendanceStatus.EXCUSED], absent=symbol[AttendanceStatus.ABSENT],
        ),
        printed_on=_printed_on(),
    )


def class_summary(
    store: Store, class_id: str, out: Path, progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Hours, each trainee's attendance per lesson, and who completed."""
    from trainer_app.pdf.papers import summary

    return _render(summary.render, summary_record(store, class_id), out, progress, cancelled)


# -- file names ----------------------------------------------------------------------------------
_SEPARATORS = re.compile(r"[/\\|:]")
_FORBIDDEN = re.compile(r'[<>"?*\x00-\x1f\x7f]')
_RESERVED = {
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
    *(f"COM{d}" for d in "123456789¹²³"), *(f"LPT{d}" for d in "123456789¹²³"),
}


def safe_filename(text: str, max_length: int = 120) -> str:
    """``text`` as a readable file name valid on Windows: Chinese stays; path and drive
    separators (``/ \\ | :``) become ``-``; ``< > " ? *`` and control characters go; no
    trailing dots or spaces; never a reserved device name (CON, NUL, COM1, LPT1…)."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"\s", " ", text)  # tabs and line breaks are spaces
    text = _SEPARATORS.sub("-", text)
    text = _FORBIDDEN.sub("", text)
    text = re.sub(r" {2,}", " ", text).strip()
    text = text[:max_length].rstrip(" .")
    if text.split(".")[0].rstrip(" ").upper() in _RESERVED:
        text = "_" + text
    return text or "_"


def kind_label(kind: str) -> str:
    labels = {
        "sign_in_sheet": _("Sign-in sheet"), "cards": _("Trainee cards"),
        "roster": _("Class roster"), "summary": _("Class summary"),
    }
    if kind not in labels:
        raise ValueError(kind)
    return labels[kind]


def default_name(kind: str, title: str = "", date: str = "") -> str:
    """A file name for a paper: ``签到表 开设网店（第1期） 2026-11-23.pdf``; ``kind`` is one of
    :data:`KINDS`, ``date`` ISO (language-neutral and sorted)."""
    parts = [kind_label(kind), title, date]
    return safe_filename(" ".join(p for p in parts if p)) + ".pdf"


def suggested_name(store: Store, kind: str, key: str) -> str:
    """:func:`default_name` for the lesson (sign-in sheet) or class ``key`` (the others)."""
    if kind == "sign_in_sheet":
        lesson = q.lesson_details(store, key)
        if not lesson:
            raise not_found("lesson", key)
        return default_name(kind, lesson["class_title"], lesson["date"])
    return default_name(kind, _require_class(store, key)["title"])
