"""Reports on a county built from three stations through real bundles, with data this test
knows: every figure of every report is checked against an expectation computed here in plain
Python from the test's own data (never by the report code)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from trainer_app import i18n
from trainer_app.domain import idcard
from trainer_app.domain.models import ClassStatus, Course, Lesson, Trainee, TrainingClass
from trainer_app.services import attendance, certificates, classes, courses, reports, trainees
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.sync import exchange, persons, site

YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
ISSUED = dt.date(2025, 7, 2)
COURSES = {"R1": ("网店运营", 8.0, 0.8), "R2": ("直播带货", 6.0, 0.5)}  # title, hours, share
DUP_ID = idcard.make("411025", dt.date(1979, 3, 8), 17, "M")
# station -> trainees: key -> (name, gender, birth, village, group, poor, education)
TRAINEES = {
    "WP01": {
        "a": ("王一", "M", "1980-05-10", "王坪村", "一组", True, "初中"),
        "b": ("李二", "F", "1995-03-31", "王坪村", "二组", False, "高中"),
        "c": ("张三", "F", "1965-12-01", "石桥村", "一组", True, ""),
        "n": ("钱九", "M", "2001-08-08", "石桥村", "二组", False, "高中"),
        "dup": ("张重名", "M", "1979-03-08", "王坪村", "一组", True, "初中"),
    },
    "ZZ02": {
        "e": ("周五", "F", "1958-02-01", "张庄村", "一组", False, "小学"),
        "f": ("吴六", "M", "1990-01-01", "张庄村", "二组", True, "大专"),
        "dup": ("张重名", "M", "1979-03-08", "张庄村", "三组", False, "高中"),
    },
    "LJ03": {
        "g": ("郑七", "F", "1985-07-07", "李家湾村", "一组", False, "初中"),
        "h": ("王八", "M", "1975-01-01", "李家湾村", "一组", True, "初中"),
    },
}
# station -> classes: key -> (course, [(date, hours, cancelled)], {trainee: marks}); a mark
# string has one letter per lesson: P present, L late, E excused, A absent, - none
CLASSES = {
    "WP01": {
        "W1": ("R1", [("2025-01-01", 4, False), ("2025-01-02", 4, False),
                      ("2025-01-03", 2, True)],
               {"a": "PP-", "b": "PA-", "c": "LE-", "dup": "PA-", "n": "AA-"}),
        "W2": ("R2", [("2025-06-30", 3, False), ("2025-07-01", 3, False)],
               {"a": "P-", "c": "PP"}),
    },
    "ZZ02": {
        "Z1": ("R1", [("2025-03-10", 4, False), ("2025-03-11", 4, False)],
               {"e": "PP", "f": "PL", "dup": "PP"}),
        "Z2": ("R2", [("2024-12-31", 2, False), ("2025-01-01", 2, False)], {"e": "PP"}),
    },
    "LJ03": {
        "L1": ("R1", [("2025-12-31", 4, False), ("2026-01-01", 4, False)],
               {"g": "PP", "h": "P-"}),
    },
}
CODES = tuple(TRAINEES)


def id_number(code: str, key: str) -> str:
    if key == "dup":
        return DUP_ID
    name, gender, birth, *_rest = TRAINEES[code][key]
    seq = list(TRAINEES[code]).index(key) + 10 * CODES.index(code)
    return idcard.make("411025", dt.date.fromisoformat(birth), seq, gender)


# -- the network -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def net(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("reports")
    mp.setenv("TRAINER_APP_HOME", str(root / "home"))
    i18n.set_language("en")
    usb = root / "usb"
    usb.mkdir()
    county = Store(root / "county.db", create=True)
    site.setup_county(county, "XC", "襄城县农村电商公共服务中心")
    for code, (title, hours, share) in COURSES.items():
        courses.add(county, Course(code, title, hours=hours, min_share=share))
    stations, ids, revoked_day = {}, {}, None
    for code in CODES:
        pack = site.write_pack(county, code, root / f"{code}.trpack", station_name=f"{code}服务站")
        st = Store(root / f"{code}.db", create=True)
        site.setup_station(st, pack)
        first, _m = exchange.export(st, usb)
        assert exchange.import_file(county, first).status == "pending"
        exchange.approve(county, code)
        course_ids = {c["code"]: c["id"] for c in courses.list_all(st)}
        for key, (name, _g, _b, village, group, poor, edu) in TRAINEES[code].items():
            ids[(code, key)] = trainees.register(st, Trainee(
                name=name, id_number=id_number(code, key), village=village,
                village_group=group, poor_household=poor, education=edu))
        for ckey, (course, lessons, marks) in CLASSES[code].items():
            class_id = classes.create(st, TrainingClass(
                course_ids[course], title=f"{ckey}班", trainer="刘老师", place="培训室",
                start_date=lessons[0][0], end_date=lessons[-1][0],
                status=ClassStatus.FINISHED,
                lessons=[Lesson(d, "09:00", h) for d, h, _c in lessons]))
            ids[(code, ckey)] = class_id
            classes.enroll(st, class_id, [ids[(code, t)] for t in marks])
            rows = sorted(classes.lessons(st, class_id), key=lambda r: r["date"])
            for (_d, _h, cancelled), lesson in zip(lessons, rows, strict=True):
                if cancelled:
                    classes.cancel_lesson(st, lesson["id"])
            for t, letters in marks.items():
                for letter, lesson in zip(letters, rows, strict=True):
                    if letter != "-":
                        status = {"P": "present", "L": "late", "E": "excused", "A": "absent"}
                        attendance.mark(st, lesson["id"], ids[(code, t)], status[letter])
        if code == "WP01":
            certificates.issue(st, ids[("WP01", "W1")], today=ISSUED)  # a
            issued = certificates.issue(st, ids[("WP01", "W2")], today=ISSUED)  # a, c
            by_trainee = {c["trainee_id"]: c["serial"] for c in issued.certificates}
            certificates.revoke(st, by_trainee[ids[("WP01", "c")]], "写错了")
            certificates.reissue(st, by_trainee[ids[("WP01", "a")]], "姓名更正", today=ISSUED)
            revoked_day = dt.datetime.now(dt.UTC).date()
        exchange.export(st, usb)
        stations[code] = st
    for report in exchange.import_many(county, [usb]):
        assert report.status in ("applied", "duplicate"), report.message
    before = reports.run(county, "by-station", reports.Filters(*YEAR)).totals
    persons.merge(county, ids[("WP01", "dup")], ids[("ZZ02", "dup")])
    yield {"county": county, "stations": stations, "ids": ids, "revoked_day": revoked_day,
           "before_merge": before}
    for s in (county, *stations.values()):
        s.close()
    mp.undo()


# -- the expectations, in plain Python ----------------------------------------------------------
ATTENDED = {"P", "L"}


def marks(county: bool) -> list[dict]:
    """Every attended mark with what the reports group by."""
    out = []
    for code, klasses in CLASSES.items():
        for ckey, (course, lessons, members) in klasses.items():
            for t, letters in members.items():
                name, gender, birth, village, group, poor, edu = TRAINEES[code][t]
                for (day, hours, cancelled), letter in zip(lessons, letters, strict=True):
                    if letter in ATTENDED and not cancelled:
                        out.append({
                            "station": code, "class": (code, ckey), "course": course,
                            "day": day, "hours": hours, "lesson": (code, ckey, day),
                            "person": id_number(code, t) if county else (code, t),
                            "village": village, "group": group, "poor": poor,
                            "gender": gender, "birth": birth, "education": edu,
                        })
    return out


def enrollments(county: bool) -> list[dict]:
    """Every enrollment of a class, with the class's last lesson day and the completion."""
    out = []
    for code, klasses in CLASSES.items():
        for ckey, (course, lessons, members) in klasses.items():
            live = [(d, h, i) for i, (d, h, c) in enumerate(lessons) if not c]
            scheduled = sum(h for _d, h, _i in live)
            last = max(d for d, _h, _i in live)
            share = COURSES[course][2]
            for t, letters in members.items():
                attended = sum(h for _d, h, i in live if letters[i] in ATTENDED)
                _n, _g, _b, village, group, poor, _e = TRAINEES[code][t]
                out.append({"station": code, "class": (code, ckey), "course": course,
                            "last": last, "village": village, "group": group, "poor": poor,
                            "attended": attended, "scheduled": scheduled,
                            "done": attended >= share * scheduled,
                            "dropout": attended == 0 and not any(
                                letters[i] in ATTENDED for _d, _h, i in live)})
    return out


def in_scope(row: dict, start: dt.date, end: dt.date, day_key: str, station=None, course=None,
             village=None) -> bool:
    return (start.isoformat() <= row[day_key] <= end.isoformat()
            and station in (None, row["station"]) and course in (None, row["course"])
            and village in (None, row["village"]))


def expected(county: bool, group, start=YEAR[0], end=YEAR[1], per_class=False, **scope) -> dict:
    """key -> the six figures of the group reports (group(row) gives a row's key). Hours are
    those of the lessons held (someone in scope attended); ``per_class`` (groups of trainees):
    those held of the classes someone of the group attended."""
    out: dict = defaultdict(lambda: {"persons": set(), "poor": set(), "classes": set(),
                                     "lessons": {}, "person_times": 0, "completed": 0})
    for m in marks(county):
        if in_scope(m, start, end, "day", **scope):
            g = out[group(m)]
            g["persons"].add(m["person"])
            if m["poor"]:
                g["poor"].add(m["person"])
            g["classes"].add(m["class"])
            g["lessons"][m["lesson"]] = m["hours"]
            g["person_times"] += 1
    if per_class:
        held: dict = defaultdict(dict)
        for m in marks(county):
            if in_scope(m, start, end, "day", **scope):
                held[m["class"]][m["lesson"]] = m["hours"]
        for g in out.values():
            g["lessons"] = {lesson: h for klass in g["classes"]
                            for lesson, h in held[klass].items()}
    for e in enrollments(county):
        if in_scope(e, start, end, "last", **scope):
            out[group({**e, "day": e["last"]})]["completed"] += e["done"]
    return {k: {"persons_trained": len(v["persons"]), "person_times": v["person_times"],
                "hours": float(sum(v["lessons"].values())), "classes": len(v["classes"]),
                "completed": v["completed"], "poor_persons": len(v["poor"])}
            for k, v in out.items()}


FIGURES = ("persons_trained", "person_times", "hours", "classes", "completed", "poor_persons")


def figures_of(rows: list[dict], key) -> dict:
    return {key(r): {f: r[f] for f in FIGURES} for r in rows}


def nonzero(exp: dict) -> dict:
    return {k: v for k, v in exp.items() if any(v.values())}


def total(county: bool, **scope) -> dict:
    return expected(county, lambda r: "all", **scope).get("all", dict.fromkeys(FIGURES, 0))


# -- group reports --------------------------------------------------------------------------------
GROUPS = {
    "by-station": (lambda m: m["station"], lambda r: r["station"]),
    "by-course": (lambda m: m["course"], lambda r: r["course"]),
    "by-village": (lambda m: (m["station"], m["village"], m["group"]),
                   lambda r: (r["station"], r["village"], r["village_group"])),
    "by-month": (lambda m: m["day"][:7], lambda r: r["month"]),
}
PER_CLASS = {"by-village"}  # hours of the classes a group of trainees attended


@pytest.mark.parametrize("name", list(GROUPS))
def test_group_reports_at_the_county_and_each_station(net, name):
    of_mark, of_row = GROUPS[name]
    per_class = name in PER_CLASS
    report = reports.run(net["county"], name, reports.Filters(*YEAR))
    assert figures_of(report.rows, of_row) == nonzero(expected(True, of_mark, per_class=per_class))
    assert {f: report.totals[f] for f in FIGURES} == total(True)
    for code, st in net["stations"].items():
        own = reports.run(st, name, reports.Filters(*YEAR))
        assert figures_of(own.rows, of_row) == nonzero(
            expected(False, of_mark, per_class=per_class, station=code))
        assert {f: own.totals[f] for f in FIGURES} == total(False, station=code)


def test_county_by_station_equals_each_stations_own_report(net):
    county = reports.run(net["county"], "by-station", reports.Filters(*YEAR))
    for code, st in net["stations"].items():
        own = reports.run(st, "by-station", reports.Filters(*YEAR)).rows
        assert [r for r in county.rows if r["station"] == code] == own
        filtered = reports.run(net["county"], "by-station", reports.Filters(*YEAR, station=code))
        assert filtered.rows == own
        for name in ("ledger", "by-course", "by-village", "by-month", "poverty", "completion",
                     "certificates", "demographics"):
            assert reports.run(net["county"], name, reports.Filters(*YEAR, station=code)).rows \
                == reports.run(st, name, reports.Filters(*YEAR)).rows, name


def test_a_merged_person_counts_once_at_the_county(net):
    county_total = reports.run(net["county"], "by-station", reports.Filters(*YEAR)).totals
    stations = [reports.run(st, "by-station", reports.Filters(*YEAR)).totals["persons_trained"]
                for st in net["stations"].values()]
    assert county_total["persons_trained"] == sum(stations) - 1 == total(True)["persons_trained"]
    assert net["before_merge"]["persons_trained"] == sum(stations)
    # poor once too: the person's record at WP01 says poor, at ZZ02 not
    assert county_total["poor_persons"] == total(True)["poor_persons"]
    board = reports.dashboard(net["county"], reports.Filters(*YEAR))
    assert board.figures["persons_trained"] == county_total["persons_trained"]


# -- filters at their edges ------------------------------------------------------------------------
@pytest.mark.parametrize("start,end", [
    ("2025-01-01", "2025-01-01"), ("2025-01-02", "2025-06-30"), ("2025-06-30", "2025-06-30"),
    ("2025-07-01", "2025-12-31"), ("2024-12-31", "2024-12-31"), ("2025-12-31", "2026-01-01"),
])
def test_the_period_cuts_at_its_edges(net, start, end):
    start, end = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    report = reports.run(net["county"], "by-station", reports.Filters(start, end))
    exp = expected(True, GROUPS["by-station"][0], start, end)
    assert figures_of(report.rows, GROUPS["by-station"][1]) == nonzero(exp)
    assert {f: report.totals[f] for f in FIGURES} == total(True, start=start, end=end)


@pytest.mark.parametrize("scope", [{"station": "ZZ02"}, {"course": "R2"}, {"village": "王坪村"},
                                   {"station": "WP01", "course": "R1"}])
def test_station_course_and_village_filters(net, scope):
    filters = reports.Filters(*YEAR, **scope)
    for name, (of_mark, of_row) in GROUPS.items():
        report = reports.run(net["county"], name, filters)
        exp = expected(True, of_mark, per_class=name in PER_CLASS, **scope)
        assert figures_of(report.rows, of_row) == nonzero(exp), name
        assert {f: report.totals[f] for f in FIGURES} == total(True, **scope)
    board = reports.dashboard(net["county"], filters)
    assert board.figures["persons_trained"] == total(True, **scope)["persons_trained"]


def test_bad_filters_are_refused(net):
    county = net["county"]
    for filters in (reports.Filters(station="NOPE"), reports.Filters(course="NOPE"),
                    reports.Filters(dt.date(2025, 2, 1), dt.date(2025, 1, 1))):
        with pytest.raises(ServiceError):
            reports.run(county, "ledger", filters)
    with pytest.raises(ServiceError):
        reports.run(county, "no-such-report", reports.Filters())
    with pytest.raises(ServiceError):  # county only
        reports.run(net["stations"]["WP01"], "stations", reports.Filters())
    assert "stations" not in {r.name for r in reports.available(net["stations"]["WP01"])}
    assert "stations" in {r.name for r in reports.available(county)}


def test_the_default_period_is_this_calendar_year():
    today = dt.date(2025, 5, 17)
    assert reports.Filters().period(today) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    presets = {p.key: p.period(today) for p in reports.PERIOD_PRESETS}
    assert presets["this_month"] == (dt.date(2025, 5, 1), dt.date(2025, 5, 31))
    assert presets["last_month"] == (dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    assert presets["this_quarter"] == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    assert presets["last_year"] == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert reports.PERIOD_PRESETS[0].period(dt.date(2025, 12, 9))[1] == dt.date(2025, 12, 31)


# -- the other reports ----------------------------------------------------------------------------
def test_ledger(net):
    report = reports.run(net["county"], "ledger", reports.Filters(*YEAR))
    rows = {(r["station"], r["class_name"]): r for r in report.rows}
    exp = expected(True, lambda m: m["class"])
    assert set(rows) == {(code, f"{ckey}班") for code, ckey in exp}
    completed = defaultdict(int)
    for e in enrollments(True):
        if in_scope(e, *YEAR, "last"):
            completed[e["class"]] += e["done"]
    certs = {("WP01", "W1"): 1, ("WP01", "W2"): 2}  # first issues; the reissue is not one
    for (code, ckey), figures in exp.items():
        row = rows[(code, f"{ckey}班")]
        course, lessons, members = CLASSES[code][ckey]
        held = {m["lesson"] for m in marks(True) if m["class"] == (code, ckey)
                and in_scope(m, *YEAR, "day")}
        assert (row["course"], row["course_title"]) == (course, COURSES[course][0])
        assert (row["start_date"], row["end_date"]) == (lessons[0][0], lessons[-1][0])
        assert row["lessons"] == len(held)
        assert row["hours"] == figures["hours"]
        assert row["person_times"] == figures["person_times"]
        assert row["enrolled"] == len(members)
        assert row["completed"] == completed[(code, ckey)]
        assert row["certificates"] == certs.get((code, ckey), 0)
        assert row["station_name"] == f"{code}服务站"
    assert report.totals["person_times"] == total(True)["person_times"]
    assert "id_number" not in report.rows[0] and "phone" not in report.rows[0]


def test_poverty(net):
    report = reports.run(net["county"], "poverty", reports.Filters(*YEAR))
    people = expected(True, lambda m: (m["station"], m["village"]))
    enrolled = defaultdict(lambda: [0, 0, 0, 0])  # all, done, poor, poor done
    for e in enrollments(True):
        if in_scope(e, *YEAR, "last"):
            c = enrolled[(e["station"], e["village"])]
            c[0] += 1
            c[1] += e["done"]
            c[2] += e["poor"]
            c[3] += e["poor"] and e["done"]
    got = {(r["station"], r["village"]): r for r in report.rows}
    assert set(got) == set(nonzero(people))
    for key, row in got.items():
        p, (n, done, poor, poor_done) = people[key], enrolled[key]
        assert row["persons_trained"] == p["persons_trained"]
        assert row["poor_persons"] == p["poor_persons"]
        assert row["poor_share"] == pytest.approx(p["poor_persons"] / p["persons_trained"])
        assert row["completion_rate"] == (pytest.approx(done / n) if n else None)
        assert row["poor_completion_rate"] == (pytest.approx(poor_done / poor) if poor else None)


def test_demographics(net):
    report = reports.run(net["county"], "demographics", reports.Filters(*YEAR))
    first: dict = {}
    for m in sorted(marks(True), key=lambda m: m["day"]):
        if in_scope(m, *YEAR, "day") and m["person"] not in first:
            first[m["person"]] = m
    counts: dict = defaultdict(int)
    for m in first.values():
        birth, day = dt.date.fromisoformat(m["birth"]), dt.date.fromisoformat(m["day"])
        age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
        band = ("Under 30" if age < 30 else "60 and over" if age >= 60
                else f"{age // 10 * 10}-{age // 10 * 10 + 9}")
        counts[("Gender", {"M": "Male", "F": "Female"}[m["gender"]])] += 1
        counts[("Age", band)] += 1
        counts[("Education", m["education"] or "Not known")] += 1
    assert {(r["dimension"], r["group"]): r["persons"] for r in report.rows} == counts
    assert report.totals["persons"] == len(first)
    # 李二 (born 1995-03-31) first attended on 2025-01-01: 29; the merged 张重名 once
    assert counts[("Age", "Under 30")] == 1


def test_completion(net):
    report = reports.run(net["county"], "completion", reports.Filters(*YEAR))
    per_class: dict = defaultdict(lambda: [0, 0, 0, 0.0, 0.0])
    for e in enrollments(True):
        if in_scope(e, *YEAR, "last"):
            c = per_class[e["class"]]
            c[0] += 1
            c[1] += e["dropout"]
            c[2] += e["done"]
            c[3] += e["attended"]
            c[4] += e["scheduled"]
    rows = [r for r in report.rows if r["level"] == "Class"]
    assert {(r["station"], r["class_name"]) for r in rows} == {
        (code, f"{ckey}班") for code, ckey in per_class}
    for r in rows:
        n, drop, done, att, sched = per_class[(r["station"], r["class_name"][:-1])]
        assert (r["enrolled"], r["dropouts"], r["completed"]) == (n, drop, done)
        assert r["completion_rate"] == pytest.approx(done / n)
        assert r["attendance_rate"] == pytest.approx(att / sched)
    by_course = {r["course"]: r for r in report.rows if r["level"] == "Course"}
    for course in ("R1", "R2"):
        mine = [v for k, v in per_class.items() if CLASSES[k[0]][k[1]][0] == course]
        assert by_course[course]["enrolled"] == sum(v[0] for v in mine)
        assert by_course[course]["completed"] == sum(v[2] for v in mine)
    assert report.totals["dropouts"] == sum(v[1] for v in per_class.values()) == 1


def test_certificates(net):
    day = net["revoked_day"]
    report = reports.run(net["county"], "certificates", reports.Filters(YEAR[0], day))
    got = {(r["station"], r["course"]): (r["issued"], r["reissued"], r["withdrawn"])
           for r in report.rows}
    # W1: a issued; W2: a and c issued, then a's reissued (the old one withdrawn by the
    # reissue: not a withdrawal) and c's withdrawn
    assert got == {("WP01", "R1"): (1, 0, 0), ("WP01", "R2"): (2, 1, 1)}
    only_2025 = reports.run(net["county"], "certificates", reports.Filters(*YEAR))
    withdrawn_in_2025 = 1 if day.year == 2025 else 0
    assert only_2025.totals["withdrawn"] == withdrawn_in_2025
    assert reports.dashboard(net["county"], reports.Filters(*YEAR)).figures["certificates"] == 3


def test_stations_report_and_dashboard(net):
    county = net["county"]
    report = reports.run(county, "stations", reports.Filters(*YEAR))
    exp = expected(True, lambda m: m["station"])
    rows = {r["station"]: r for r in report.rows}
    assert set(rows) == set(CODES)
    for code in CODES:
        assert rows[code]["last_bundle"] == 2
        assert rows[code]["missing"] == ""
        assert rows[code]["persons_trained"] == exp.get(code, {}).get("persons_trained", 0)
        assert rows[code]["classes"] == exp.get(code, {}).get("classes", 0)
    assert rows["LJ03"]["last_class_day"] == "2025-12-31"
    assert rows["WP01"]["last_class_day"] == "2025-07-01"

    board = reports.dashboard(county, reports.Filters(*YEAR))
    t = total(True)
    done = [e for e in enrollments(True) if in_scope(e, *YEAR, "last")]
    first_gender = {}
    for m in sorted(marks(True), key=lambda m: m["day"]):
        first_gender.setdefault(m["person"], m["gender"]) if in_scope(m, *YEAR, "day") else None
    f = board.figures
    assert (f["persons_trained"], f["person_times"], f["hours"], f["classes"]) == (
        t["persons_trained"], t["person_times"], t["hours"], t["classes"])
    assert f["completion_rate"] == pytest.approx(sum(e["done"] for e in done) / len(done))
    assert f["poor_share"] == pytest.approx(t["poor_persons"] / t["persons_trained"])
    assert f["women_share"] == pytest.approx(
        list(first_gender.values()).count("F") / len(first_gender))
    assert {key: n for _l, key, n in board.by_station} == {
        k: v["persons_trained"] for k, v in expected(True, lambda m: m["station"]).items()}
    assert {key: n for _l, key, n in board.by_month} == {
        k: v["persons_trained"] for k, v in nonzero(expected(True, lambda m: m["day"][:7])).items()
        if v["persons_trained"]}
    assert {key for _l, key, _n in board.by_course} == {"R1", "R2"}
    assert board.silent_stations == []
    later = reports.dashboard(county, reports.Filters(*YEAR), today=dt.date.today()
                              + dt.timedelta(days=31))
    assert {s["code"] for s in later.silent_stations} == set(CODES)
    assert reports.dashboard(net["stations"]["WP01"], reports.Filters(*YEAR)).silent_stations \
        == []


def test_roster_holds_the_numbers_and_only_it(net):
    roster = reports.roster(net["county"], reports.Filters(*YEAR))
    numbers = {r["id_number"] for r in roster.rows}
    people = {(m["station"], m["person"]) for m in marks(True) if in_scope(m, *YEAR, "day")}
    assert len(roster.rows) == len(people)  # one row per record: the merged person twice
    assert DUP_ID in numbers
    for name in [r.name for r in reports.available(net["county"])]:
        report = reports.run(net["county"], name, reports.Filters(*YEAR))
        text = repr(report.rows) + repr(report.totals)
        assert not any(n in text for n in numbers), name


def test_cancel_stops_a_report(net):
    with pytest.raises(reports.Cancelled):
        reports.run(net["county"], "by-village", reports.Filters(*YEAR), cancel=lambda: True)
    seen = []
    reports.run(net["county"], "by-village", reports.Filters(*YEAR),
                progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1]


def test_an_empty_database_has_empty_reports(tmp_path):
    store = Store(Path(tmp_path) / "empty.db", create=True)
    try:
        for info in reports.available(store):
            report = reports.run(store, info.name, reports.Filters())
            assert report.rows == []
        assert reports.dashboard(store, reports.Filters()).figures["completion_rate"] is None
    finally:
        store.close()


def test_an_older_database_gains_the_index_the_reports_read(tmp_path):
    from trainer_app.store import schema

    path = Path(tmp_path) / "old.db"
    Store(path, create=True, upgrade_to=schema.MIGRATIONS.index(schema._v6_reports)).close()
    store = Store(path)
    try:
        assert store.version == schema.LATEST_VERSION
        plan = " ".join(str(r) for r in store.conn.execute(
            "EXPLAIN QUERY PLAN SELECT a.trainee_id FROM lesson l JOIN attendance a "
            "ON a.lesson_id = l.id AND a.deleted = 0 AND a.status IN ('present', 'late') "
            "WHERE l.date BETWEEN '2025-01-01' AND '2025-12-31'"))
        assert "attendance_attended" in plan
    finally:
        store.close()
