"""The report queries: figures of training over a scope (period, station, course, village),
grouped by any of a few keys. The definitions they implement are written out once in
:mod:`trainer_app.services.reports`; this module only turns them into SQL.

A run first reads the attendance of the scope once into two temporary tables of its own
connection (:func:`prepare_marks`, :func:`prepare_enrollments`): millions of marks at a county
become a row per (class, trainee, month) and per enrollment, and every grouping of a report, its
totals and the dashboard's charts are then small queries over them. :func:`release` drops them.

* :func:`attended` — marks *present* or *late* on a lesson (not cancelled) dated in the period:
  person-times, persons (merged persons once), poor persons, classes;
* :func:`held_hours` — hours and number of the lessons held in the period (a lesson is held
  when someone in the scope attended it; for a village, those of the classes its people
  attended);
* :func:`completions` — enrollments of the classes whose last scheduled lesson lies in the
  period: enrolled, never attended, completed (the course's rule, :mod:`domain.completion`);
* :func:`certificate_events` — certificates issued and reissued, withdrawals, by day.

The temporary tables have no index and no statistics: queries over them walk them once, in
the order ``CROSS JOIN`` fixes, looking up classes and trainees by id.

Every query reads only live rows (``deleted = 0``). A person is the trainee record kept when
records were merged at the county (``person_merge``, chains followed), else the record itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trainer_app.domain.completion import EPSILON
from trainer_app.store.db import Store

ATTENDED = "a.deleted = 0 AND a.status IN ('present', 'late')"  # the partial index's WHERE
LIVE_LESSON = "l.deleted = 0 AND l.cancelled = 0"
MARKS = "temp.report_marks"
ENROLLMENTS = "temp.report_enrollments"

# Each merged trainee record -> the record kept at the end of its chain of merges.
PERSON_ROOTS = """
    chain(merged_id, into_id, depth) AS (
        SELECT merged_id, into_id, 0 FROM person_merge WHERE deleted = 0
        UNION ALL
        SELECT c.merged_id, m.into_id, c.depth + 1 FROM chain c
          JOIN person_merge m ON m.merged_id = c.into_id AND m.deleted = 0
         WHERE c.depth < 32),
    person_root(merged_id, root) AS (
        -- the bare column comes from the row of max(depth): the end of the chain
        SELECT merged_id, into_id FROM (
            SELECT merged_id, into_id, max(depth) FROM chain GROUP BY merged_id))
"""
PERSON = "coalesce(pr.root, t.id)"

# Keys a report may group by -> their SQL over ``c`` (class) and ``t`` (trainee).
KEYS: dict[str, str] = {
    "origin": "c.origin",
    "course_id": "c.course_id",
    "class_id": "c.id",
    "village": "t.village",
    "village_group": "t.village_group",
}
# Keys that depend on the trainee, not only on the lesson.
TRAINEE_KEYS = {"village", "village_group"}


@dataclass(frozen=True)
class Scope:
    """What a report covers: ``start``..``end`` (ISO dates, inclusive), and optionally one
    station (its site id), the courses with one code, one village."""

    start: str
    end: str
    origin: str | None = None
    course_code: str | None = None
    village: str | None = None

    def where(self, *, trainee: bool = True) -> tuple[str, list[object]]:
        """The scope's conditions on ``c`` (class) and ``t`` (trainee) beyond the period."""
        parts: list[str] = []
        params: list[object] = []
        if self.origin is not None:
            parts.append("c.origin = ?")
            params.append(self.origin)
        if self.course_code is not None:
            parts.append("c.course_id IN (SELECT id FROM course WHERE code = ?)")
            params.append(self.course_code)
        if trainee and self.village is not None:
            parts.append("t.village = ?")
            params.append(self.village)
        return "".join(f" AND {p}" for p in parts), params


def _keys(keys: Sequence[str], month: str) -> tuple[str, str]:
    """The SELECT list and GROUP BY clause of ``keys``; ``month`` is the month's SQL."""
    exprs = [month if k == "month" else KEYS[k] for k in keys]
    select = "".join(f"{e} AS {k}, " for k, e in zip(keys, exprs, strict=True))
    group = f"GROUP BY {', '.join(exprs)}" if keys else ""
    return select, group


# -- the run's temporary tables --------------------------------------------------------------
def prepare_marks(store: Store, scope: Scope) -> None:
    """``temp.report_marks``: per class, trainee and month of the period, the attended marks,
    their hours and the first day. Filters other than the period apply when it is read."""
    store.conn.execute(f"DROP TABLE IF EXISTS {MARKS}")
    store.conn.execute(f"""
        CREATE TEMP TABLE report_marks AS
        SELECT l.class_id, a.trainee_id, substr(l.date, 1, 7) AS month, count(*) AS marks,
               sum(l.hours) AS hours, min(l.date) AS first_day
          FROM lesson l
          JOIN attendance a ON a.lesson_id = l.id AND {ATTENDED}
         WHERE {LIVE_LESSON} AND l.date BETWEEN ? AND ?
         GROUP BY l.class_id, a.trainee_id, substr(l.date, 1, 7)""", [scope.start, scope.end])


def prepare_enrollments(store: Store, scope: Scope) -> None:
    """``temp.report_enrollments``: every live enrollment of the classes whose last scheduled
    lesson lies in the period, with the class's last day, the hours attended and scheduled,
    whether the trainee never attended, and whether they completed. Needs
    :func:`prepare_marks`: the marks of the period come from there, only those of lessons
    before the period are read again."""
    # The completion rule of domain/completion.py: attended hours (present or late, lessons not
    # cancelled) reach min_share of all scheduled hours; EPSILON as there.
    store.conn.execute(f"DROP TABLE IF EXISTS {ENROLLMENTS}")
    store.conn.execute(f"""
        CREATE TEMP TABLE report_enrollments AS
        WITH k AS (
            SELECT l.class_id, sum(l.hours) AS scheduled, max(l.date) AS last_day
              FROM lesson l
             WHERE {LIVE_LESSON}
             GROUP BY l.class_id
            HAVING max(l.date) BETWEEN ? AND ?),
        h AS (
            SELECT class_id, trainee_id, sum(hours) AS hours FROM (
                SELECT m.class_id, m.trainee_id, m.hours FROM {MARKS} m
                 WHERE m.class_id IN (SELECT class_id FROM k)
                UNION ALL
                SELECT l.class_id, a.trainee_id, l.hours
                  FROM k
                  JOIN lesson l ON l.class_id = k.class_id AND {LIVE_LESSON} AND l.date < ?
                  JOIN attendance a ON a.lesson_id = l.id AND {ATTENDED})
             GROUP BY class_id, trainee_id)
        SELECT e.class_id, e.trainee_id, k.last_day, k.scheduled,
               coalesce(h.hours, 0) AS hours, h.hours IS NULL AS dropout,
               coalesce(h.hours, 0) + {EPSILON!r} >= co.min_share * k.scheduled AS done
          FROM k
          JOIN training_class c ON c.id = k.class_id
          JOIN course co ON co.id = c.course_id
          JOIN enrollment e ON e.class_id = k.class_id AND e.deleted = 0
          LEFT JOIN h ON h.class_id = e.class_id AND h.trainee_id = e.trainee_id""",
        [scope.start, scope.end, scope.start])


def release(store: Store) -> None:
    """Drop the run's temporary tables."""
    for table in (MARKS, ENROLLMENTS):
        store.conn.execute(f"DROP TABLE IF EXISTS {table}")


# -- the measures -----------------------------------------------------------------------------
def attended(store: Store, scope: Scope, keys: Sequence[str] = ()) -> list[dict]:
    """Per group: person_times, persons_trained, poor_persons, classes (needs
    :func:`prepare_marks`)."""
    where, params = scope.where()
    select, group = _keys(keys, "m.month")
    return store.rows(f"""
        WITH RECURSIVE {PERSON_ROOTS}
        SELECT {select}
               sum(m.marks) AS person_times,
               count(DISTINCT {PERSON}) AS persons_trained,
               count(DISTINCT CASE WHEN t.poor_household = 1 THEN {PERSON} END) AS poor_persons,
               count(DISTINCT m.class_id) AS classes
          FROM {MARKS} m
          CROSS JOIN training_class c ON c.id = m.class_id AND c.deleted = 0
          CROSS JOIN trainee t ON t.id = m.trainee_id AND t.deleted = 0
          LEFT JOIN person_root pr ON pr.merged_id = t.id
         WHERE 1{where}
         {group}""", params)


def held_hours(store: Store, scope: Scope, keys: Sequence[str] = ()) -> list[dict]:
    """Per group: hours and number of the lessons held in the period, a lesson being held when
    someone in scope attended it. For groups of trainees (a village): the lessons held of the
    classes someone of the group attended (needs :func:`prepare_marks`)."""
    class_where, class_params = scope.where(trainee=False)
    village = "AND t.village = ?" if scope.village is not None else ""
    held = f"""
        SELECT {{select}} sum(l.hours) AS hours, count(*) AS lessons
          FROM lesson l
          JOIN training_class c ON c.id = l.class_id AND c.deleted = 0
         WHERE {LIVE_LESSON} AND l.date BETWEEN ? AND ?{class_where}
           AND EXISTS (SELECT 1 FROM attendance a
                         JOIN trainee t ON t.id = a.trainee_id AND t.deleted = 0
                        WHERE a.lesson_id = l.id AND {ATTENDED} {village})
         {{group}}"""
    held_params = [scope.start, scope.end, *class_params,
                   *([scope.village] if scope.village is not None else [])]
    if not TRAINEE_KEYS & set(keys):
        select, group = _keys(keys, "substr(l.date, 1, 7)")
        return store.rows(held.format(select=select, group=group), held_params)
    # Per lesson and village the pairs run into millions at a county; per class they are few.
    where, params = scope.where()
    inner = ", ".join(f"{KEYS[k]} AS {k}" for k in keys)
    outer = ", ".join(f"g.{k}" for k in keys)
    per_class = held.format(select="c.id AS class_id,", group="GROUP BY c.id")
    return store.rows(f"""
        SELECT {outer}, sum(h.hours) AS hours, sum(h.lessons) AS lessons
          FROM (SELECT DISTINCT {inner}, m.class_id
                  FROM {MARKS} m
                  CROSS JOIN training_class c ON c.id = m.class_id AND c.deleted = 0
                  CROSS JOIN trainee t ON t.id = m.trainee_id AND t.deleted = 0
                 WHERE 1{where}) g
          JOIN ({per_class}) h ON h.class_id = g.class_id
         GROUP BY {outer}""", [*params, *held_params])


def completions(store: Store, scope: Scope, keys: Sequence[str] = ()) -> list[dict]:
    """Per group, over the enrollments of classes whose last scheduled lesson lies in the
    period: enrolled, dropouts (never attended a lesson), completed, attended and scheduled
    hours (summed over the enrollments), and for trainees of registered poor households
    poor_enrolled and poor_completed (needs :func:`prepare_enrollments`)."""
    where, params = scope.where()
    select, group = _keys(keys, "substr(d.last_day, 1, 7)")
    return store.rows(f"""
        SELECT {select}
               count(*) AS enrolled,
               sum(d.dropout) AS dropouts,
               sum(d.done) AS completed,
               sum(d.hours) AS attended_hours,
               sum(d.scheduled) AS scheduled_hours,
               sum(t.poor_household = 1) AS poor_enrolled,
               sum(t.poor_household = 1 AND d.done) AS poor_completed
          FROM {ENROLLMENTS} d
          CROSS JOIN training_class c ON c.id = d.class_id AND c.deleted = 0
          CROSS JOIN trainee t ON t.id = d.trainee_id AND t.deleted = 0
         WHERE 1{where}
         {group}""", params)


def certificate_events(store: Store, scope: Scope, keys: Sequence[str] = ()) -> list[dict]:
    """Per group: certificates issued (first issues), reissued (replacing another) and
    withdrawn (a withdrawal not caused by a reissue) in the period, by the day of each."""
    where, params = scope.where()
    select, group = _keys(keys, month="substr(ev.day, 1, 7)")
    return store.rows(f"""
        WITH ev(kind, class_id, trainee_id, day) AS (
            SELECT CASE WHEN replaces IS NULL THEN 'issued' ELSE 'reissued' END,
                   class_id, trainee_id, issued_on
              FROM certificate WHERE deleted = 0
            UNION ALL
            SELECT 'withdrawn', ce.class_id, ce.trainee_id, substr(r.revoked_at, 1, 10)
              FROM revocation r JOIN certificate ce ON ce.id = r.certificate_id
             WHERE r.deleted = 0 AND NOT EXISTS (
                   SELECT 1 FROM certificate n WHERE n.replaces = ce.id AND n.deleted = 0))
        SELECT {select}
               count(*) FILTER (WHERE ev.kind = 'issued') AS issued,
               count(*) FILTER (WHERE ev.kind = 'reissued') AS reissued,
               count(*) FILTER (WHERE ev.kind = 'withdrawn') AS withdrawn
          FROM ev
          JOIN training_class c ON c.id = ev.class_id
          JOIN trainee t ON t.id = ev.trainee_id
         WHERE ev.day BETWEEN ? AND ?{where}
         {group}""", [scope.start, scope.end, *params])


def person_profiles(store: Store, scope: Scope) -> list[dict]:
    """Persons trained in the scope counted by gender, age on the day of their first attended
    lesson in the period (None without a birth date) and education: gender, age, education,
    persons (needs :func:`prepare_marks`)."""
    where, params = scope.where()
    return store.rows(f"""
        WITH RECURSIVE {PERSON_ROOTS},
        first AS (
            -- the bare columns come from the row of min(): the record attended first
            SELECT {PERSON} AS person, t.gender, t.birth_date, t.education,
                   min(m.first_day) AS day
              FROM {MARKS} m
              CROSS JOIN training_class c ON c.id = m.class_id AND c.deleted = 0
              CROSS JOIN trainee t ON t.id = m.trainee_id AND t.deleted = 0
              LEFT JOIN person_root pr ON pr.merged_id = t.id
             WHERE 1{where}
             GROUP BY 1)
        SELECT gender, education,
               CASE WHEN birth_date IS NULL OR birth_date = '' THEN NULL ELSE
                    CAST((CAST(replace(day, '-', '') AS INTEGER)
                          - CAST(replace(birth_date, '-', '') AS INTEGER)) / 10000 AS INTEGER)
               END AS age,
               count(*) AS persons
          FROM first GROUP BY 1, 2, 3""", params)


# -- what the rows are about ----------------------------------------------------------------------
def class_details(store: Store, ids: Sequence[str]) -> dict[str, dict]:
    """Class id -> origin, course_id, title, dates, place, trainer and live enrollments."""
    if not ids:
        return {}
    found: dict[str, dict] = {}
    for chunk in range(0, len(ids), 500):
        part = list(ids[chunk:chunk + 500])
        for row in store.rows(
            f"""SELECT c.id, c.origin, c.course_id, c.title, c.start_date, c.end_date, c.place,
                       c.trainer,
                       (SELECT count(*) FROM enrollment e JOIN trainee t ON t.id = e.trainee_id
                         WHERE e.class_id = c.id AND e.deleted = 0 AND t.deleted = 0)
                       AS enrolled
                  FROM training_class c WHERE c.id IN ({",".join("?" * len(part))})""",
            part,
        ):
            found[row["id"]] = row
    return found


def courses(store: Store) -> dict[str, dict]:
    """Course id -> code and title (deleted ones too: old classes may refer to them)."""
    return {r["id"]: r for r in store.rows("SELECT id, code, title FROM course")}


def course_code_exists(store: Store, code: str) -> bool:
    return bool(store.scalar("SELECT 1 FROM course WHERE code = ? AND deleted = 0", [code]))


def station_names(store: Store) -> dict[str, tuple[str, str]]:
    """Site id -> (code, name) of the stations in the register."""
    return {r[0]: (r[1], r[2]) for r in store.conn.execute(
        "SELECT site_id, code, name FROM station WHERE deleted = 0 AND site_id IS NOT NULL")}


def last_lessons(store: Store, end: str) -> dict[str, str]:
    """Origin -> the day of its last lesson held (someone attended) on or before ``end``."""
    return dict(store.conn.execute(f"""
        SELECT c.origin, max(l.date) FROM lesson l
          JOIN training_class c ON c.id = l.class_id AND c.deleted = 0
         WHERE {LIVE_LESSON} AND l.date <= ?
           AND EXISTS (SELECT 1 FROM attendance a WHERE a.lesson_id = l.id AND {ATTENDED})
         GROUP BY c.origin""", [end]))


def roster(store: Store, scope: Scope) -> list[dict]:
    """Every trainee record trained in the scope, with ID and phone numbers in clear, the
    classes, person-times and hours they attended in the period (needs
    :func:`prepare_marks`)."""
    where, params = scope.where()
    return store.rows(f"""
        SELECT t.origin, t.code, t.name, t.gender, t.birth_date, t.id_number, t.phone,
               t.village, t.village_group, t.poor_household, t.education,
               count(DISTINCT m.class_id) AS classes, sum(m.marks) AS person_times,
               sum(m.hours) AS hours
          FROM {MARKS} m
          CROSS JOIN training_class c ON c.id = m.class_id AND c.deleted = 0
          CROSS JOIN trainee t ON t.id = m.trainee_id AND t.deleted = 0
         WHERE 1{where}
         GROUP BY t.id
         ORDER BY t.origin, t.code""", params)
