"""Taking attendance: by hand, "all present except…", and by scanning a trainee code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from trainer_app.domain.models import AttendanceStatus, RecordedBy
from trainer_app.i18n import _
from trainer_app.services import classes, trainees
from trainer_app.services.errors import ServiceError, ValidationError, not_found, owned_here
from trainer_app.store import Store, records
from trainer_app.store import attendance as q
from trainer_app.store import classes as classes_q
from trainer_app.store.db import utc_now


def mark(
    store: Store,
    lesson_id: str,
    trainee_id: str,
    status: AttendanceStatus | str,
    method: RecordedBy | str = RecordedBy.MANUAL,
) -> None:
    """Record one trainee's attendance at one lesson (replacing an earlier mark).

    ``trainee_id`` may also be the trainee's code (``T000123``).
    """
    try:
        status = AttendanceStatus(status)
    except ValueError:
        raise ValidationError(
            {"status": _("The status must be present, late, excused or absent.")}
        ) from None
    try:
        method = RecordedBy(method)
    except ValueError:
        raise ValidationError({"method": _("The method must be manual, scan or sheet.")}) from None
    with store.transaction():
        lesson = classes_q.lesson_by_id(store, lesson_id)
        if not lesson:
            raise not_found("lesson", lesson_id)
        trainee = trainees.find_by_code(store, trainee_id)  # an id or a code; live ones only
        if not trainee:
            raise not_found("trainee", trainee_id)
        if not classes_q.is_enrolled(store, lesson["class_id"], trainee["id"]):
            raise ServiceError(_("This trainee is not enrolled in the lesson's class."))
        _write(store, lesson_id, trainee["id"], status, method)


def _write(
    store: Store, lesson_id: str, trainee_id: str, status: AttendanceStatus, method: RecordedBy
) -> None:
    values = {"status": str(status), "method": str(method), "recorded_at": utc_now()}
    existing = q.mark_row(store, lesson_id, trainee_id)
    if existing is None:
        records.insert(
            store, "attendance", {"lesson_id": lesson_id, "trainee_id": trainee_id, **values}
        )
    elif existing["deleted"] or existing["status"] != str(status):
        with owned_here(store):
            records.restore(store, "attendance", existing["id"], values)


def unmark(store: Store, lesson_id: str, trainee_ids: Iterable[str]) -> int:
    """Set trainees back to "not marked yet" (a mark given by mistake, or an undo); returns how
    many marks were taken back. The mark stays as a tombstone so that the county learns of it."""
    count = 0
    with store.transaction():
        if not classes_q.lesson_by_id(store, lesson_id):
            raise not_found("lesson", lesson_id)
        for trainee_id in trainee_ids:
            existing = q.mark_row(store, lesson_id, trainee_id)
            if existing and not existing["deleted"]:
                with owned_here(store):
                    records.tombstone(store, "attendance", existing["id"])
                count += 1
    return count


def unmarked(store: Store, lesson_id: str) -> list[str]:
    """The trainees on the lesson's sheet without a mark yet."""
    return [row["trainee_id"] for row in sheet(store, lesson_id) if not row["status"]]


# How long after a lesson's start a scan still counts as present; later it is late.
LATE_AFTER_KEY = "late_after_minutes"
DEFAULT_LATE_AFTER = 15


def late_after(store: Store) -> int:
    value = store.get_meta(LATE_AFTER_KEY)
    return int(value) if value and value.isdigit() else DEFAULT_LATE_AFTER


def set_late_after(store: Store, minutes: int) -> None:
    if not 0 <= minutes <= 240:
        raise ValidationError({"late_after": _("Give between 0 and 240 minutes.")})
    with store.transaction():
        store.set_meta(LATE_AFTER_KEY, str(minutes))


def scan_status(lesson: dict, minutes: int, now: dt.datetime) -> AttendanceStatus:
    """Late when scanned on the lesson's day more than ``minutes`` after its start (local time);
    a scan on another day (entering a paper sheet later) cannot judge that: present."""
    if now.date().isoformat() != lesson["date"] or not lesson.get("start_time"):
        return AttendanceStatus.PRESENT
    start = dt.datetime.combine(now.date(), dt.time.fromisoformat(lesson["start_time"]))
    late = now.replace(tzinfo=None) > start + dt.timedelta(minutes=minutes)
    return AttendanceStatus.LATE if late else AttendanceStatus.PRESENT


def mark_all_present(store: Store, lesson_id: str, except_ids: Iterable[str] = ()) -> int:
    """Mark every enrolled trainee without a mark present, except ``except_ids``; returns count."""
    skip = set(except_ids)
    count = 0
    with store.transaction():
        if not classes_q.lesson_by_id(store, lesson_id):
            raise not_found("lesson", lesson_id)
        for row in q.sheet(store, lesson_id):
            if row["trainee_id"] in skip or row["status"]:
                continue
            _write(store, lesson_id, row["trainee_id"], AttendanceStatus.PRESENT, RecordedBy.MANUAL)
            count += 1
    return count


def sheet(store: Store, lesson_id: str) -> list[dict]:
    if not classes_q.lesson_by_id(store, lesson_id):
        raise not_found("lesson", lesson_id)
    return q.sheet(store, lesson_id)


class ScanOutcome(Enum):
    MARKED = "marked"
    ALREADY = "already"
    NOT_ENROLLED = "not_enrolled"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ScanResult:
    outcome: ScanOutcome
    trainee: dict | None = None
    status: AttendanceStatus | None = None  # the mark a scan gave


def scan(
    store: Store, lesson_id: str, code: str, enroll_walk_in: bool = False,
    now: dt.datetime | None = None,
) -> ScanResult:
    """Handle a scanned trainee code: mark present (late when it is past the lesson's start by
    more than the station's setting), or report why not.

    A trainee who is not enrolled is only enrolled (and marked) when ``enroll_walk_in`` is set,
    after the operator agreed.
    """
    lesson = classes_q.lesson_by_id(store, lesson_id)
    if not lesson:
        raise not_found("lesson", lesson_id)
    trainee = trainees.find_by_code(store, code)
    if not trainee:
        return ScanResult(ScanOutcome.UNKNOWN)
    with store.transaction():
        if not classes_q.is_enrolled(store, lesson["class_id"], trainee["id"]):
            if not enroll_walk_in:
                return ScanResult(ScanOutcome.NOT_ENROLLED, trainee)
            classes.enroll(store, lesson["class_id"], [trainee["id"]])
        existing = q.mark_row(store, lesson_id, trainee["id"])
        if existing and not existing["deleted"] and existing["status"] in ("present", "late"):
            return ScanResult(ScanOutcome.ALREADY, trainee)
        status = scan_status(lesson, late_after(store), now or dt.datetime.now())
        _write(store, lesson_id, trainee["id"], status, RecordedBy.SCAN)
    return ScanResult(ScanOutcome.MARKED, trainee, status)


def default_lesson(store: Store, today: dt.date | None = None) -> dict | None:
    """Today's first lesson, if any (preselected on the attendance screen)."""
    today = today or dt.date.today()
    found = classes_q.lessons_on(store, today.isoformat())
    return found[0] if found else None


def lessons(store: Store) -> list[dict]:
    return classes_q.all_lessons(store)
