"""Attendance from photographed or scanned signed sign-in sheets: read, review, record.

:func:`read` finds every sheet page in the files given and proposes a mark for each trainee
row (signed → present, empty → absent, uncertain → none); nothing is written. :func:`apply`
records the marks the operator confirmed, "from the sheet", and keeps each page's image as
evidence of the lesson, in one transaction. A page that cannot be used (no sheet, too dark,
another lesson, read before...) says why and contributes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from trainer_app.domain import sheet_code
from trainer_app.domain.models import AttendanceStatus, RecordedBy
from trainer_app.i18n import _
from trainer_app.services import attendance, trainees
from trainer_app.services.errors import ServiceError, not_found
from trainer_app.sheets import images, reader
from trainer_app.sheets.reader import Problem
from trainer_app.store import Store
from trainer_app.store import attendance as attendance_q
from trainer_app.store import classes as classes_q
from trainer_app.store import sheets as q
from trainer_app.store.db import utc_now


def problem_text(problem: Problem) -> str:
    return {
        Problem.NOT_AN_IMAGE: _("This file is not an image or PDF that can be read."),
        Problem.NO_SHEET: _("No sign-in sheet was found in this image."),
        Problem.TOO_DARK: _("The image is too dark to read; take the photo in better light."),
        Problem.TOO_BLURRED: _("The image is too blurred to read; hold the phone still and "
                               "take the photo again."),
        Problem.SEVERAL_PAGES: _("The image shows more than one page; photograph one page at "
                                 "a time."),
        Problem.OLD_SHEET: _("This sheet has no page code (printed by an older version?); "
                             "enter its marks by hand."),
        Problem.GEOMETRY: _("The rows of this page could not be located reliably; take the "
                            "photo again, straight above the page."),
        Problem.UNKNOWN_LESSON: _("This sheet belongs to a lesson that is not in this "
                                  "database (another station's sheet?)."),
        Problem.OTHER_LESSON: _("This sheet belongs to another lesson."),
        Problem.READ_BEFORE: _("This page of the sheet has been read before."),
        Problem.PAGE_TWICE: _("This page was given twice; the first image is used."),
    }[problem]


@dataclass
class PageResult:
    file: Path
    index: int  # page within the file, from 0
    problem: Problem | None = None
    lesson_id: str = ""
    page: int = 0
    unread_rows: list[int] = field(default_factory=list)

    @property
    def message(self) -> str:
        return problem_text(self.problem) if self.problem else ""


@dataclass
class Proposal:
    lesson_id: str
    page: int
    row: int
    code: str
    trainee_id: str | None  # None: a code of no trainee here, or not enrolled
    name: str
    signed: bool | None
    confidence: float
    current: str | None  # the mark already recorded, if any
    current_method: str | None
    cell: Image.Image
    by_place: bool = False  # the row's own code was not read: known by its place on the page

    @property
    def proposed(self) -> AttendanceStatus | None:
        """What reading the sheet suggests; None when uncertain or not for a trainee here."""
        if self.trainee_id is None or self.signed is None:
            return None
        return AttendanceStatus.PRESENT if self.signed else AttendanceStatus.ABSENT


@dataclass
class Handwritten:
    lesson_id: str
    page: int
    row: int
    picture: Image.Image


@dataclass
class _Kept:
    lesson_id: str
    page: int
    file_name: str
    evidence: images.Evidence


@dataclass
class SheetBatch:
    pages: list[PageResult] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    handwritten: list[Handwritten] = field(default_factory=list)
    kept: list[_Kept] = field(default_factory=list)

    @property
    def lessons(self) -> list[str]:
        return list(dict.fromkeys(k.lesson_id for k in self.kept))


Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


def read(
    store: Store, paths: list[Path], lesson_id: str | None = None,
    progress: Progress | None = None, cancelled: Cancelled | None = None,
) -> SheetBatch:
    """Read every page image in ``paths`` (files or folders); with ``lesson_id`` only that
    lesson's sheets are accepted. Writes nothing."""
    if lesson_id and not classes_q.lesson_by_id(store, lesson_id):
        raise not_found("lesson", lesson_id)
    files = images.expand(paths)
    batch = SheetBatch()
    seen: set[tuple[str, int]] = set()
    for number, path in enumerate(files, start=1):
        if cancelled and cancelled():
            raise ServiceError(_("Cancelled."))
        try:
            for page in images.pages(path):
                batch.pages.append(_read_page(store, page, lesson_id, seen, batch))
        except images.ImageFileError:
            batch.pages.append(PageResult(path, 0, Problem.NOT_AN_IMAGE))
        if progress:
            progress(number, len(files))
    return batch


def _read_page(store: Store, page: images.PageImage, lesson_id: str | None,
               seen: set[tuple[str, int]], batch: SheetBatch) -> PageResult:
    result = PageResult(page.path, page.index)
    try:
        reading = reader.read_page(page.image)
    except reader.SheetNotRead as e:
        result.problem = e.problem
        return result
    code = reading.page
    result.lesson_id, result.page = code.lesson_id, code.page
    lesson = classes_q.lesson_by_id(store, code.lesson_id)
    evidence = images.evidence(page.image, reading.turn)
    if lesson is None:
        result.problem = Problem.UNKNOWN_LESSON
    elif lesson_id and code.lesson_id != lesson_id:
        result.problem = Problem.OTHER_LESSON
    elif (code.lesson_id, code.page) in seen:
        result.problem = Problem.PAGE_TWICE
    elif q.known_hash(store, evidence.sha256) or any(
        e["page"] == code.page for e in q.for_lesson(store, code.lesson_id)
    ):
        result.problem = Problem.READ_BEFORE
    if result.problem:
        return result
    seen.add((code.lesson_id, code.page))
    result.unread_rows = list(reading.unread_rows)
    marks = {m["trainee_id"]: m for m in attendance_q.list_for_lesson(store, code.lesson_id)}
    listed = _listed_codes(store, lesson["class_id"], code)
    if listed and any(r.code and r.code != listed[r.row - code.first_row] for r in reading.rows):
        listed = None  # a code read where the list puts another trainee: trust only codes
    for row in reading.rows:
        trainee_code = row.code or (listed[row.row - code.first_row] if listed else None)
        if trainee_code is None:
            result.unread_rows.append(row.row)
            continue
        trainee = trainees.find_by_code(store, trainee_code)
        enrolled = trainee and classes_q.is_enrolled(store, lesson["class_id"], trainee["id"])
        mark = marks.get(trainee["id"]) if enrolled else None
        batch.proposals.append(Proposal(
            lesson_id=code.lesson_id, page=code.page, row=row.row, code=trainee_code,
            trainee_id=trainee["id"] if enrolled else None,
            name=trainee["name"] if trainee else "", signed=row.signed,
            confidence=row.confidence, current=mark["status"] if mark else None,
            current_method=mark["method"] if mark else None, cell=row.cell,
            by_place=row.code is None,
        ))
    result.unread_rows.sort()
    batch.handwritten += [Handwritten(code.lesson_id, code.page, r, picture)
                          for r, picture in reading.handwritten]
    batch.kept.append(_Kept(code.lesson_id, code.page, page.path.name, evidence))
    return result


def _listed_codes(store: Store, class_id: str, code: sheet_code.PageCode) -> list[str] | None:
    """The trainee codes the page lists, row by row, when the class's enrolment still gives
    exactly the page's digest of them: a row whose own code could not be read in the image is
    then known by its place. None when the enrolment changed since printing (or the sheet
    predates the digest): such rows are left to the operator, never guessed."""
    if not code.trainees:
        return None
    start = code.first_row - 1
    codes = [t["code"] for t in classes_q.enrolled(store, class_id)]
    codes = codes[start:start + code.trainee_rows]
    if len(codes) != code.trainee_rows or sheet_code.rows_digest(codes) != code.trainees:
        return None
    return codes


def default_decisions(batch: SheetBatch) -> dict[tuple[str, str], AttendanceStatus]:
    """What is recorded unless the operator says otherwise: the proposed mark of each trainee
    who has none yet (a mark already recorded is never overwritten without being asked)."""
    return {
        (p.lesson_id, p.trainee_id): p.proposed
        for p in batch.proposals
        if p.trainee_id and p.proposed is not None and p.current is None
    }


def apply(
    store: Store, batch: SheetBatch,
    decisions: dict[tuple[str, str], AttendanceStatus | str] | None = None,
) -> int:
    """Record ``decisions`` ((lesson, trainee) → status; the defaults when None) as marks from
    the sheet and keep the pages read as evidence, in one transaction. Returns marks written."""
    chosen = default_decisions(batch) if decisions is None else decisions
    allowed = {(p.lesson_id, p.trainee_id) for p in batch.proposals if p.trainee_id}
    written = 0
    with store.transaction():
        for (lesson_id, trainee_id), status in chosen.items():
            if (lesson_id, trainee_id) not in allowed:
                raise ServiceError(_("A mark was given for a row that was not read."))
            attendance.mark(store, lesson_id, trainee_id, status, RecordedBy.SHEET)
            written += 1
        read_at = utc_now()
        for kept in batch.kept:
            ev = kept.evidence
            if q.known_hash(store, ev.sha256):
                continue
            q.add(store, {
                "lesson_id": kept.lesson_id, "page": kept.page, "sha256": ev.sha256,
                "size": len(ev.jpeg), "width": ev.width, "height": ev.height,
                "file_name": kept.file_name, "read_at": read_at,
            }, ev.jpeg)
    return written


def evidence_for_lesson(store: Store, lesson_id: str) -> list[dict]:
    return q.for_lesson(store, lesson_id)


def evidence_for_trainee(store: Store, trainee_id: str) -> list[dict]:
    return q.for_trainee(store, trainee_id)


def evidence_image(store: Store, sha256: str) -> bytes:
    data = q.image(store, sha256)
    if data is None:
        raise ServiceError(_("The image of this sheet is not kept here."))
    return data
