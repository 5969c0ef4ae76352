"""The station's records as plain dataclasses.

Every synced record carries ``id`` (UUIDv7), ``origin`` (the site that created it), ``rev`` (that
site's change counter at the last change), ``updated_at`` (UTC, ISO 8601) and ``deleted``
(a tombstone). See DESIGN.md §3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from trainer_app.i18n import N_, NP_, _, pgettext


class Gender(StrEnum):
    MALE = "M"
    FEMALE = "F"

    @property
    def label(self) -> str:
        return _("Male") if self is Gender.MALE else _("Female")


class ClassStatus(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _(_CLASS_STATUS_LABELS[self])


_CLASS_STATUS_LABELS = {
    ClassStatus.PLANNED: N_("Planned"),
    ClassStatus.RUNNING: N_("Running"),
    ClassStatus.FINISHED: N_("Finished"),
    ClassStatus.CANCELLED: N_("Cancelled"),
}


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return _(_ATTENDANCE_LABELS[self])

    @property
    def counts_as_attended(self) -> bool:
        return self in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


_ATTENDANCE_LABELS = {
    AttendanceStatus.PRESENT: N_("Present"),
    AttendanceStatus.LATE: N_("Late"),
    AttendanceStatus.EXCUSED: N_("Excused"),
    AttendanceStatus.ABSENT: N_("Absent"),
}


class RecordedBy(StrEnum):
    MANUAL = "manual"
    SCAN = "scan"
    SHEET = "sheet"


# Stored as the English words; "None" needs a context: the same word elsewhere means "no image".
EDUCATION_LEVELS = (
    NP_("education", "None"),
    NP_("education", "Primary school"),
    NP_("education", "Junior middle school"),
    NP_("education", "Senior middle school"),
    NP_("education", "Vocational school"),
    NP_("education", "College or above"),
)


def education_label(level: str) -> str:
    return pgettext("education", level) if level else ""


@dataclass
class Trainee:
    name: str
    gender: Gender | None = None
    birth_date: str | None = None  # ISO date
    id_number: str | None = None
    phone: str | None = None
    village: str = ""
    village_group: str = ""
    poor_household: bool = False
    education: str = ""
    notes: str = ""
    code: str = ""
    id: str = ""
    origin: str = ""
    rev: int = 0
    updated_at: str = ""
    deleted: bool = False


@dataclass
class Course:
    code: str
    title: str
    category: str = ""
    description: str = ""
    hours: float = 0.0
    min_share: float = 0.8
    id: str = ""
    origin: str = ""
    rev: int = 0
    updated_at: str = ""
    deleted: bool = False


@dataclass
class Lesson:
    date: str  # ISO date
    start_time: str  # HH:MM
    hours: float
    topic: str = ""
    cancelled: bool = False
    class_id: str = ""
    id: str = ""
    origin: str = ""
    rev: int = 0
    updated_at: str = ""
    deleted: bool = False


@dataclass
class TrainingClass:
    course_id: str
    title: str = ""
    trainer: str = ""
    place: str = ""
    start_date: str = ""
    end_date: str = ""
    status: ClassStatus = ClassStatus.PLANNED
    lessons: list[Lesson] = field(default_factory=list)
    id: str = ""
    origin: str = ""
    rev: int = 0
    updated_at: str = ""
    deleted: bool = False
