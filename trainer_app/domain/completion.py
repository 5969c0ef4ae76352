"""The completion rule of a course.

A trainee completes a class when the hours they attended reach the course's minimum share of
**all scheduled hours** of the class (every lesson not cancelled, held or still to come).

Counting rule, the one and only: *present* and *late* count the lesson's full hours as attended;
*excused* and *absent* count none, and an excused absence does not lower the hours required
(an excuse explains an absence, it does not replace the training). Lessons without a mark yet
count as not attended.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from trainer_app.domain.models import AttendanceStatus

EPSILON = 1e-9


@dataclass(frozen=True)
class Completion:
    attended_hours: float
    scheduled_hours: float
    min_share: float
    unmarked_hours: float = 0.0  # lessons without a mark yet: still to come, or not entered

    @property
    def can_still_meet(self) -> bool:
        """Not met yet, but reachable if the trainee attends every lesson still unmarked."""
        return (not self.met and self.unmarked_hours > 0
                and self.attended_hours + self.unmarked_hours + EPSILON >= self.required_hours)

    @property
    def required_hours(self) -> float:
        return self.scheduled_hours * self.min_share

    @property
    def share(self) -> float:
        return self.attended_hours / self.scheduled_hours if self.scheduled_hours else 0.0

    @property
    def met(self) -> bool:
        return self.scheduled_hours > 0 and self.attended_hours + EPSILON >= self.required_hours


def evaluate(
    lesson_hours: Iterable[tuple[float, AttendanceStatus | str | None]],
    min_share: float,
) -> Completion:
    """``lesson_hours`` holds, for each scheduled lesson, its hours and the trainee's mark."""
    scheduled = attended = unmarked = 0.0
    for hours, status in lesson_hours:
        scheduled += hours
        if status is None:
            unmarked += hours
        elif AttendanceStatus(status).counts_as_attended:
            attended += hours
    return Completion(attended_hours=attended, scheduled_hours=scheduled, min_share=min_share,
                      unmarked_hours=unmarked)
