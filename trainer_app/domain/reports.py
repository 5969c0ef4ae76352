"""Plain rules of the reports: periods and age bands (the definitions of the figures are in
:mod:`trainer_app.services.reports`)."""

from __future__ import annotations

import datetime as dt

# Age bands: (key, lowest age, highest age or None); the age is taken on the day of the
# person's first attended lesson in the period.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under_30", 0, 29),
    ("30_39", 30, 39),
    ("40_49", 40, 49),
    ("50_59", 50, 59),
    ("60_over", 60, None),
)
UNKNOWN = "unknown"


def age_band(age: int | None) -> str:
    """The band of an age in whole years; ``unknown`` without a birth date."""
    if age is None:
        return UNKNOWN
    for key, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return key
    return AGE_BANDS[0][0]  # a negative age (birth date after the lesson) is a data error


# -- periods (the end is inclusive) --------------------------------------------------------------
def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def this_month(today: dt.date) -> tuple[dt.date, dt.date]:
    return today.replace(day=1), _month_end(today.year, today.month)


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def this_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    first = (today.month - 1) // 3 * 3 + 1
    return dt.date(today.year, first, 1), _month_end(today.year, first + 2)


def this_year(today: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)


def last_year(today: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
