"""Which automatic backups to keep, on a schedule like Anki's.

The newest few of today, then one a day for about two weeks, one a week for about two months
and one a month for a year; within a size budget, the oldest kept ones go first. The newest
backup is always kept. A pure function of the backups and the time: the caller deletes the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Backup:
    key: str  # what identifies it to the caller (its file name)
    created: dt.datetime  # local time, for "today" and calendar days
    size: int  # bytes


@dataclass(frozen=True)
class Policy:
    today: int = 8  # the newest backups of today
    days: int = 14  # one a day, for backups younger than this many days
    weeks: int = 8  # one a week (ISO weeks), younger than this many weeks
    months: int = 12  # one a month, younger than this many months
    budget: int = 2 * 1024**3  # bytes for all kept backups together


def _bucket(created: dt.datetime, now: dt.datetime, policy: Policy) -> Hashable | None:
    """The period a backup stands for at ``now``, or ``None`` when it is too old to keep."""
    age = (now.date() - created.date()).days
    if age <= 0:
        return None  # today's are counted separately
    if age < policy.days:
        return ("day", created.date())
    if age < policy.weeks * 7:
        year, week, _day = created.isocalendar()
        return ("week", year, week)
    months = (now.year - created.year) * 12 + now.month - created.month
    if months < policy.months:
        return ("month", created.year, created.month)
    return None


def to_keep(backups: Iterable[Backup], now: dt.datetime, policy: Policy | None = None) -> set[str]:
    """The keys of the backups to keep at ``now``; every other one may be deleted."""
    policy = policy or Policy()
    newest_first = sorted(backups, key=lambda b: b.created, reverse=True)
    kept: list[Backup] = []
    seen: set[Hashable] = set()
    today = 0
    for backup in newest_first:
        if backup.created.date() >= now.date():
            if today < policy.today:
                today += 1
                kept.append(backup)
            continue
        bucket = _bucket(backup.created, now, policy)
        if bucket is not None and bucket not in seen:
            seen.add(bucket)  # the newest of each period stands for it
            kept.append(backup)
    if not kept and newest_first:
        kept.append(newest_first[0])
    total = sum(b.size for b in kept)
    while len(kept) > 1 and total > policy.budget:
        total -= kept.pop().size  # the oldest kept goes first; the newest always stays
    return {b.key for b in kept}
