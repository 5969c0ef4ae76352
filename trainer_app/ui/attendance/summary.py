"""The counts line under the banner: how many are present, late, excused, absent, not marked."""

from __future__ import annotations

from trainer_app import i18n
from trainer_app.domain.models import AttendanceStatus
from trainer_app.i18n import _, ngettext


def counts_line(counts: dict[AttendanceStatus | None, int], shown: int, total: int) -> str:
    """``counts`` by status (None: not marked); ``shown`` of ``total`` rows pass the search."""

    def n(status: AttendanceStatus | None) -> str:
        return i18n.format_number(counts.get(status, 0), 0)

    parts = [
        ngettext("{n} present", "{n} present", counts.get(AttendanceStatus.PRESENT, 0)),
        ngettext("{n} late", "{n} late", counts.get(AttendanceStatus.LATE, 0)),
        ngettext("{n} excused", "{n} excused", counts.get(AttendanceStatus.EXCUSED, 0)),
        ngettext("{n} absent", "{n} absent", counts.get(AttendanceStatus.ABSENT, 0)),
        ngettext("{n} not marked", "{n} not marked", counts.get(None, 0)),
    ]
    statuses = (*AttendanceStatus, None)
    line = "  ·  ".join(p.format(n=n(s)) for p, s in zip(parts, statuses, strict=True))
    if shown != total:
        line += "   " + _("(showing {shown} of {total})").format(
            shown=i18n.format_number(shown, 0), total=i18n.format_number(total, 0)
        )
    return line
