"""What the dashboard adds to the reports: its figures (the reports' totals), people trained
by month, station and course, and the stations that have sent nothing lately."""

from __future__ import annotations

import datetime as dt

from trainer_app.domain.models import Gender
from trainer_app.services.report_defs import grouped, ratio, register
from trainer_app.services.reports import Context
from trainer_app.store import reports as q


def figures(ctx: Context) -> dict:
    """The dashboard's figures: the totals of the reports over the scope."""
    _rows, totals = grouped(ctx, ())
    certs = q.certificate_events(ctx.store, ctx.scope)
    ctx.step()
    women, persons = _women(ctx)
    return {
        "persons_trained": totals["persons_trained"],
        "person_times": totals["person_times"],
        "hours": totals["hours"],
        "classes": totals["classes"],
        "completed": totals["completed"],
        "enrolled": totals["enrolled"],
        "completion_rate": ratio(totals["completed"], totals["enrolled"]),
        "certificates": certs[0]["issued"] if certs else 0,
        "poor_persons": totals["poor_persons"],
        "poor_share": ratio(totals["poor_persons"], totals["persons_trained"]),
        "women": women,
        "women_share": ratio(women, persons),
    }


def _women(ctx: Context) -> tuple[int, int]:
    ctx.marks()
    profiles = q.person_profiles(ctx.store, ctx.scope)
    ctx.step()
    women = sum(p["persons"] for p in profiles if p["gender"] == Gender.FEMALE)
    return women, sum(p["persons"] for p in profiles)


def persons_by(ctx: Context, key: str) -> list[tuple[str, str, int]]:
    """(label, filter key, persons trained) per month, station (origin) or course."""
    ctx.marks()
    rows = q.attended(ctx.store, ctx.scope, (key,))
    ctx.step()
    out = []
    for r in sorted(rows, key=lambda r: str(r[key])):
        if key == "origin":
            named = ctx.station(r[key])
            label, value = named["station_name"], named["station"]
        elif key == "course_id":
            named = ctx.course(r[key])
            label, value = named["course_title"], named["course"]
        else:
            label = value = r[key]
        out.append((label, value, r["persons_trained"]))
    return out


def silent_stations(ctx: Context, today: dt.date) -> list[dict]:
    """Stations of the register that sent nothing for :data:`SILENT_DAYS` days."""
    from trainer_app.services.reports import SILENT_DAYS

    limit = today - dt.timedelta(days=SILENT_DAYS)
    out = []
    for st in register(ctx):
        last = dt.date.fromisoformat(st["last_at"][:10]) if st["last_at"] else None
        if last is None or last < limit:
            out.append({"code": st["code"], "name": st["name"], "last_bundle": last})
    return out
