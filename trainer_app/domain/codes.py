"""The coded values records carry (gender, class and attendance status, how a mark was
recorded, education level) and their labels in the user's language.

Apart from the record dataclasses of :mod:`trainer_app.domain.models` (which re-exports them),
so that a screen that only labels a code, such as the trainee list at start-up, does not build
the dataclasses.
"""

from __future__ import annotations

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
