"""The station's records as plain dataclasses.

Every synced record carries ``id`` (UUIDv7), ``origin`` (the site that created it), ``rev`` (that
site's change counter at the last change), ``updated_at`` (UTC, ISO 8601) and ``deleted``
(a tombstone). See DESIGN.md §3.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trainer_app.domain.codes import (
    EDUCATION_LEVELS,
    AttendanceStatus,
    ClassStatus,
    Gender,
    RecordedBy,
    education_label,
)

__all__ = [
    "EDUCATION_LEVELS", "AttendanceStatus", "ClassStatus", "Course", "Gender", "Lesson",
    "RecordedBy", "Trainee", "TrainingClass", "education_label",
]


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
