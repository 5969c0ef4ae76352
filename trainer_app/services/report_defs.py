"""Each report: its columns, its rows from the queries of :mod:`trainer_app.store.reports`,
its totals and its chart. The definitions of the figures are in
:mod:`trainer_app.services.reports`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from trainer_app.domain import reports as rules
from trainer_app.domain.models import EDUCATION_LEVELS, Gender
from trainer_app.domain.models import education_label as level_label
from trainer_app.i18n import N_, _, pgettext
from trainer_app.services.report_columns import columns as _columns
from trainer_app.services.reports import Chart, Column, Context, Report
from trainer_app.store import reports as q
from trainer_app.store import sync as sync_q

FIGURES = ("persons_trained", "person_times", "hours", "classes", "completed", "poor_persons")


def ratio(part: float | None, whole: float | None) -> float | None:
    return part / whole if whole else None


def _index(rows: list[dict], keys: Sequence[str]) -> dict[tuple, dict]:
    return {tuple(r[k] for k in keys): r for r in rows}


# -- the shared figures --------------------------------------------------------------------------
def grouped(ctx: Context, keys: Sequence[str], hours: bool = True) -> tuple[list[dict], dict]:
    """People trained, person-times, hours (unless not wanted: 0), classes, completed and poor
    persons per group of ``keys`` (groups with anything to show), and the same over the whole
    scope."""
    ctx.marks()
    ctx.enrollments()
    out = []
    for group in (tuple(keys), ()):
        att = _index(q.attended(ctx.store, ctx.scope, group), group)
        ctx.step()
        hrs = _index(q.held_hours(ctx.store, ctx.scope, group), group) if hours else {}
        ctx.step()
        comp = _index(q.completions(ctx.store, ctx.scope, group), group)
        ctx.step()
        rows = []
        for key in sorted(set(att) | set(comp), key=lambda k: tuple(str(v) for v in k)):
            a, c = att.get(key, {}), comp.get(key, {})
            rows.append({
                **dict(zip(group, key, strict=True)),
                "persons_trained": a.get("persons_trained", 0),
                "person_times": a.get("person_times", 0),
                "hours": float(hrs.get(key, {}).get("hours") or 0.0),
                "classes": a.get("classes", 0),
                "completed": c.get("completed") or 0,
                "poor_persons": a.get("poor_persons", 0),
                "enrolled": c.get("enrolled") or 0,
                "poor_enrolled": c.get("poor_enrolled") or 0,
                "poor_completed": c.get("poor_completed") or 0,
            })
        out.append(rows)
    totals = out[1][0] if out[1] else dict.fromkeys(
        (*FIGURES, "enrolled", "poor_enrolled", "poor_completed"), 0)
    return out[0], totals


def _report(ctx: Context, name: str, columns: list[Column], rows: list[dict],
            totals: dict | None, chart: Chart | None) -> Report:
    title = _(REPORTS[name][0]) if name in REPORTS else _(ROSTER_TITLE)
    if totals is not None:
        first = columns[0].key
        totals = {k: v for k, v in totals.items() if k in {c.key for c in columns}}
        totals[first] = pgettext("report row", "Total")
    return Report(name, title, columns, rows, totals, chart, ctx.filters)


def _totals(rows: list[dict], keys: Sequence[str]) -> dict:
    return {k: sum(r[k] or 0 for r in rows) for k in keys}


# -- the group reports ----------------------------------------------------------------------------
def _grouped_report(name: str, keys: Sequence[str], label: Callable[[Context, dict], dict],
                    chart_key: str | None) -> Callable[[Context], Report]:
    """A report of the six figures per group; a bar chart of people trained by ``chart_key``
    (none when the groups are too many and too alike to read as bars, as villages)."""
    def build(ctx: Context) -> Report:
        ctx.steps = 8
        rows, totals = grouped(ctx, keys)
        rows = [r for r in rows if any(r[f] for f in FIGURES)]
        out = [{**label(ctx, r), **{f: r[f] for f in FIGURES}} for r in rows]
        columns = _columns(*_label_keys(keys), *FIGURES)
        chart = Chart(_("People trained"), chart_key, "persons_trained") if chart_key else None
        return _report(ctx, name, columns, out, dict(totals), chart)
    return build


def _label_keys(keys: Sequence[str]) -> list[str]:
    return {
        ("origin",): ["station", "station_name"],
        ("course_id",): ["course", "course_title"],
        ("origin", "village", "village_group"): ["station", "station_name", "village",
                                                  "village_group"],
        ("month",): ["month"],
    }[tuple(keys)]


def _by_station(ctx: Context, r: dict) -> dict:
    return ctx.station(r["origin"])


def _by_course(ctx: Context, r: dict) -> dict:
    return ctx.course(r["course_id"])


def _by_village(ctx: Context, r: dict) -> dict:
    return {**ctx.station(r["origin"]), "village": r["village"],
            "village_group": r["village_group"]}


def _by_month(ctx: Context, r: dict) -> dict:
    return {"month": r["month"]}


# -- the ledger -----------------------------------------------------------------------------------
def ledger(ctx: Context) -> Report:
    """One row per class held in the period."""
    ctx.steps = 7
    keys = ("class_id",)
    ctx.marks()
    ctx.enrollments()
    att = _index(q.attended(ctx.store, ctx.scope, keys), keys)
    ctx.step()
    hrs = _index(q.held_hours(ctx.store, ctx.scope, keys), keys)
    ctx.step()
    comp = _index(q.completions(ctx.store, ctx.scope, keys), keys)
    ctx.step()
    certs = _index(q.certificate_events(ctx.store, ctx.scope, keys), keys)
    ctx.step()
    details = q.class_details(ctx.store, [k[0] for k in att])
    ctx.step()
    rows = []
    for key, a in att.items():
        c = details[key[0]]
        rows.append({
            **ctx.station(c["origin"]), **ctx.course(c["course_id"]),
            "class_name": c["title"], "start_date": c["start_date"], "end_date": c["end_date"],
            "place": c["place"], "trainer": c["trainer"],
            "lessons": hrs.get(key, {}).get("lessons") or 0,
            "hours": float(hrs.get(key, {}).get("hours") or 0.0), "enrolled": c["enrolled"],
            "person_times": a["person_times"],
            "completed": comp.get(key, {}).get("completed") or 0,
            "certificates": certs.get(key, {}).get("issued") or 0, "class_id": key[0],
        })
    rows.sort(key=lambda r: (r["station"], r["start_date"], r["class_name"]))
    columns = _columns("station", "station_name", "course", "course_title", "class_name",
                       "start_date", "end_date", "place", "trainer", "lessons", "hours",
                       "enrolled", "person_times", "completed", "certificates")
    totals = _totals(rows, ("lessons", "hours", "enrolled", "person_times", "completed",
                            "certificates"))
    return _report(ctx, "ledger", columns, rows, totals, None)


# -- poverty --------------------------------------------------------------------------------------
def poverty(ctx: Context) -> Report:
    ctx.steps = 8
    rows, totals = grouped(ctx, ("origin", "village"), hours=False)

    def line(r: dict) -> dict:
        return {
            "persons_trained": r["persons_trained"], "poor_persons": r["poor_persons"],
            "poor_share": ratio(r["poor_persons"], r["persons_trained"]),
            "completion_rate": ratio(r["completed"], r["enrolled"]),
            "poor_completion_rate": ratio(r["poor_completed"], r["poor_enrolled"]),
        }

    out = [{**ctx.station(r["origin"]), "village": r["village"], **line(r)} for r in rows]
    columns = _columns("station", "station_name", "village", "persons_trained", "poor_persons",
                       "poor_share", "completion_rate", "poor_completion_rate")
    chart = Chart(_("People trained from poor households"), "village", "poor_persons")
    return _report(ctx, "poverty", columns, out, line(totals), chart)


# -- demographics ---------------------------------------------------------------------------------
AGE_LABELS = {
    "under_30": N_("Under 30"), "30_39": N_("30-39"), "40_49": N_("40-49"), "50_59": N_("50-59"),
    "60_over": N_("60 and over"), rules.UNKNOWN: N_("Not known"),
}


def demographics(ctx: Context) -> Report:
    ctx.steps = 2
    ctx.marks()
    profiles = q.person_profiles(ctx.store, ctx.scope)
    ctx.step()
    total = sum(p["persons"] for p in profiles)
    counts: dict[tuple[str, str], int] = {}
    for p in profiles:
        gender = Gender(p["gender"]).label if p["gender"] else _("Not known")
        for dim, group in ((_("Gender"), gender),
                           (_("Age"), _(AGE_LABELS[rules.age_band(p["age"])])),
                           (_("Education"), education_label(p["education"]))):
            counts[(dim, group)] = counts.get((dim, group), 0) + p["persons"]
    order = {_("Gender"): 0, _("Age"): 1, _("Education"): 2}
    ranked = {_("Age"): [_(v) for v in AGE_LABELS.values()],
              _("Education"): [level_label(v) for v in EDUCATION_LEVELS]}

    def sort_key(item: tuple[tuple[str, str], int]) -> tuple:
        (dim, group), n = item
        known = ranked.get(dim, [])
        rank = (0, known.index(group)) if group in known else (1, -n)
        return order[dim], rank, group

    rows = [{"dimension": dim, "group": group, "persons": n, "share": ratio(n, total)}
            for (dim, group), n in sorted(counts.items(), key=sort_key)]
    columns = _columns("dimension", "group", "persons", "share")
    chart = Chart(_("People trained"), "group", "persons")
    totals = {"persons": total, "share": 1.0 if total else None}
    return _report(ctx, "demographics", columns, rows, totals, chart)


def education_label(value: str | None) -> str:
    """A stored education level as the trainee form shows it (a level of the form translated,
    anything else, e.g. from an imported list, as it was typed)."""
    if not value:
        return _("Not known")
    return level_label(value) if value in EDUCATION_LEVELS else value


# -- completion -----------------------------------------------------------------------------------
def completion(ctx: Context) -> Report:
    """Per class whose last lesson lies in the period, and per course."""
    ctx.steps = 4
    ctx.enrollments()
    by_class = q.completions(ctx.store, ctx.scope, ("class_id",))
    ctx.step()
    details = q.class_details(ctx.store, [r["class_id"] for r in by_class])
    ctx.step()

    def line(r: dict) -> dict:
        return {"enrolled": r["enrolled"], "dropouts": r["dropouts"],
                "attendance_rate": ratio(r["attended_hours"], r["scheduled_hours"]),
                "completed": r["completed"], "completion_rate": ratio(r["completed"],
                                                                       r["enrolled"])}

    rows = []
    courses: dict[str, dict] = {}
    for r in by_class:
        c = details[r["class_id"]]
        rows.append({"level": pgettext("report row", "Class"), **ctx.station(c["origin"]),
                     **ctx.course(c["course_id"]), "class_name": c["title"], **line(r),
                     "class_id": r["class_id"]})
        sums = courses.setdefault(c["course_id"], dict.fromkeys(
            ("enrolled", "dropouts", "completed", "attended_hours", "scheduled_hours"), 0))
        for k in sums:
            sums[k] += r[k] or 0
    rows.sort(key=lambda r: (r["course"], r["station"], r["class_name"]))
    for course_id, sums in sorted(courses.items(), key=lambda i: ctx.course(i[0])["course"]):
        rows.append({"level": pgettext("report row", "Course"), "station": "",
                     "station_name": "", **ctx.course(course_id), "class_name": "",
                     **line(sums)})
    ctx.step()
    columns = _columns("level", "station", "station_name", "course", "course_title",
                       "class_name", "enrolled", "dropouts", "attendance_rate", "completed",
                       "completion_rate")
    all_sums = {k: sum(s[k] for s in courses.values()) for k in
                ("enrolled", "dropouts", "completed", "attended_hours", "scheduled_hours")}
    return _report(ctx, "completion", columns, rows, line(all_sums), None)


# -- certificates ---------------------------------------------------------------------------------
def certificates(ctx: Context) -> Report:
    ctx.steps = 1
    rows = q.certificate_events(ctx.store, ctx.scope, ("origin", "course_id"))
    ctx.step()
    out = [{**ctx.station(r["origin"]), **ctx.course(r["course_id"]),
            "issued": r["issued"], "reissued": r["reissued"], "withdrawn": r["withdrawn"]}
           for r in rows]
    out.sort(key=lambda r: (r["station"], r["course"]))
    columns = _columns("station", "station_name", "course", "course_title", "issued",
                       "reissued", "withdrawn")
    totals = _totals(out, ("issued", "reissued", "withdrawn"))
    chart = Chart(_("Certificates issued"), "station_name", "issued")
    return _report(ctx, "certificates", columns, out, totals, chart)


# -- stations (county) ----------------------------------------------------------------------------
def register(ctx: Context) -> list[dict]:
    """The stations of the register: code, name, site_id, last_seq, last_at and gaps (bundle
    numbers below the last one applied that never arrived)."""
    out = []
    for st in sync_q.stations(ctx.store):
        held = sync_q.applied_seqs(ctx.store, st["site_id"]) if st["site_id"] else []
        gaps = sorted(set(range(1, max(held) + 1)) - set(held)) if held else []
        out.append({**st, "gaps": gaps})
    return out


def stations(ctx: Context) -> Report:
    ctx.steps = 5
    ctx.marks()
    att = _index(q.attended(ctx.store, ctx.scope, ("origin",)), ("origin",))
    ctx.step()
    last = q.last_lessons(ctx.store, ctx.scope.end)
    ctx.step()
    rows = []
    for st in register(ctx):
        origin = st["site_id"]
        if ctx.scope.origin is not None and origin != ctx.scope.origin:
            continue
        a = att.get((origin,), {})
        rows.append({
            "station": st["code"], "station_name": st["name"] or st["code"],
            "last_bundle": st["last_seq"],
            "last_bundle_date": st["last_at"][:10] if st["last_at"] else None,
            "missing": ", ".join(str(g) for g in st["gaps"]),
            "last_class_day": last.get(origin),
            "classes": a.get("classes", 0), "persons_trained": a.get("persons_trained", 0),
        })
    ctx.step()
    totals = {"classes": sum(r["classes"] for r in rows),
              "persons_trained": _total_persons(ctx)}
    columns = _columns("station", "station_name", "last_bundle", "last_bundle_date", "missing",
                       "last_class_day", "classes", "persons_trained")
    chart = Chart(_("People trained"), "station_name", "persons_trained")
    return _report(ctx, "stations", columns, rows, totals, chart)


def _total_persons(ctx: Context) -> int:
    rows = q.attended(ctx.store, ctx.scope)
    ctx.step()
    return rows[0]["persons_trained"] if rows else 0


# -- the full roster ------------------------------------------------------------------------------
ROSTER_TITLE = N_("Full roster of the people trained")


def roster(ctx: Context) -> Report:
    ctx.steps = 2
    ctx.marks()
    rows = q.roster(ctx.store, ctx.scope)
    ctx.step()
    yes, no = _("Yes"), _("No")
    genders = {g.value: g.label for g in Gender}
    out = [{
        **ctx.station(r["origin"]), "code": r["code"], "name": r["name"],
        "gender": genders.get(r["gender"] or "", ""), "birth_date": r["birth_date"],
        "id_number": r["id_number"] or "", "phone": r["phone"] or "",
        "village": r["village"], "village_group": r["village_group"],
        "poor_household": yes if r["poor_household"] else no,
        "education": education_label(r["education"]) if r["education"] else "",
        "classes": r["classes"], "person_times": r["person_times"], "hours": float(r["hours"]),
    } for r in rows]
    columns = _columns("station", "station_name", "code", "name", "gender", "birth_date",
                       "id_number", "phone", "village", "village_group", "poor_household",
                       "education", "classes", "person_times", "hours")
    totals = _totals(out, ("classes", "person_times", "hours"))
    return _report(ctx, "roster", columns, out, totals, None)


# -- the register ---------------------------------------------------------------------------------
# name -> (title to translate, county only, builder)
REPORTS: dict[str, tuple[str, bool, Callable[[Context], Report]]] = {
    "ledger": (N_("Training ledger"), False, ledger),
    "by-station": (N_("By station"), False,
                   _grouped_report("by-station", ("origin",), _by_station, "station_name")),
    "by-course": (N_("By course"), False,
                  _grouped_report("by-course", ("course_id",), _by_course, "course_title")),
    "by-village": (N_("By village"), False,
                   _grouped_report("by-village", ("origin", "village", "village_group"),
                                   _by_village, None)),
    "by-month": (N_("By month"), False,
                 _grouped_report("by-month", ("month",), _by_month, "month")),
    "poverty": (N_("Reaching poor households"), False, poverty),
    "demographics": (N_("Gender, age and education"), False, demographics),
    "completion": (N_("Completion"), False, completion),
    "certificates": (N_("Certificates"), False, certificates),
    "stations": (N_("Stations"), True, stations),
}
