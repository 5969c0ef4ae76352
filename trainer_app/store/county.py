"""Read-only queries of the county's views over every station's records.

Lists are read as ordered rowids first and rows a page at a time (as
:mod:`trainer_app.store.trainees` does), so a county of 100,000 trainees or certificates costs
one ordered scan, not 100,000 Python objects. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from trainer_app.store.db import Store


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def has_station_data(store: Store) -> bool:
    """Whether this database holds any station's records (trainees, classes, certificates)."""
    return bool(store.scalar(
        "SELECT EXISTS (SELECT 1 FROM trainee) OR EXISTS (SELECT 1 FROM training_class) "
        "OR EXISTS (SELECT 1 FROM certificate)"
    ))


# -- stations ------------------------------------------------------------------------------------
def station_details(store: Store) -> dict[str, dict]:
    """Code -> the register's columns of every live station."""
    rows = store.rows(
        "SELECT code, name, township, village, contact, site_id, sign_key, approved "
        "FROM station WHERE deleted = 0"
    )
    return {r["code"]: r for r in rows}


def trainee_counts(store: Store) -> dict[str, int]:
    """Origin (a station's site id) -> live trainees held at the county."""
    return dict(store.conn.execute(
        "SELECT origin, count(*) FROM trainee WHERE deleted = 0 GROUP BY origin"
    ))


def known_stations(store: Store) -> list[dict]:
    """Stations whose records may be here (their key is known): code, name, site_id."""
    return store.rows(
        "SELECT code, name, site_id FROM station WHERE deleted = 0 AND site_id IS NOT NULL "
        "ORDER BY code"
    )


# -- trainees ------------------------------------------------------------------------------------
def trainee_rowids_of(store: Store, origin: str) -> set[int]:
    return {r[0] for r in store.conn.execute(
        "SELECT rowid FROM trainee WHERE origin = ? AND deleted = 0", [origin]
    )}


def trainees_by_rowid(store: Store, rowids: Sequence[int]) -> dict[int, dict]:
    """The county list's columns of these trainees, with their station's code and, for a
    merged record, the record kept."""
    if not rowids:
        return {}
    cur = store.conn.execute(
        f"""SELECT t.rowid, t.id, t.code, t.name, t.gender, t.birth_date, t.id_number,
                   t.village, t.village_group, t.poor_household, t.origin, t.updated_at,
                   coalesce(s.code, '') AS station_code, coalesce(s.name, '') AS station_name,
                   k.code AS merged_into_code, coalesce(ks.code, '') AS merged_into_station
              FROM trainee t
              LEFT JOIN station s ON s.site_id = t.origin AND s.deleted = 0
              LEFT JOIN person_merge m ON m.merged_id = t.id AND m.deleted = 0
              LEFT JOIN trainee k ON k.id = m.into_id
              LEFT JOIN station ks ON ks.site_id = k.origin AND ks.deleted = 0
             WHERE t.rowid IN ({_marks(rowids)})""",
        list(rowids),
    )
    names = [d[0] for d in cur.description]
    return {r[0]: dict(zip(names[1:], r[1:], strict=True)) for r in cur}


def trainee_facts(store: Store, ids: Sequence[str]) -> dict[str, dict]:
    """What helps choose the record to keep among duplicates: gender, birth date, village
    group, classes enrolled in, certificates held, last change."""
    if not ids:
        return {}
    rows = store.rows(
        f"""SELECT t.id, t.gender, t.birth_date, t.village_group, t.updated_at,
                   (SELECT count(*) FROM enrollment e
                     WHERE e.trainee_id = t.id AND e.deleted = 0) AS classes,
                   (SELECT count(*) FROM certificate c
                     WHERE c.trainee_id = t.id AND c.deleted = 0) AS certificates
              FROM trainee t WHERE t.id IN ({_marks(ids)})""",
        list(ids),
    )
    return {r["id"]: r for r in rows}


# -- classes -------------------------------------------------------------------------------------
CLASS_SORTS = {
    "station_code": "s.code",
    "course_title": "co.title",
    "title": "c.title",
    "trainer": "c.trainer",
    "start_date": "c.start_date",
    "status": "c.status",
}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def class_rowids(store: Store, text: str = "", origin: str | None = None,
                 sort: str = "start_date", descending: bool = True) -> list[int]:
    """Rowids of live classes of every station, filtered and in display order."""
    where = ["c.deleted = 0"]
    params: list[object] = []
    if origin:
        where.append("c.origin = ?")
        params.append(origin)
    if text:
        like = _like(text)
        where.append(
            "(c.title LIKE ? ESCAPE '\\' OR co.title LIKE ? ESCAPE '\\' "
            "OR co.code LIKE ? ESCAPE '\\' OR c.trainer LIKE ? ESCAPE '\\' "
            "OR c.place LIKE ? ESCAPE '\\' OR s.code LIKE ? ESCAPE '\\')"
        )
        params += [like] * 6
    direction = "DESC" if descending else "ASC"
    sql = (
        "SELECT c.rowid FROM training_class c "
        "LEFT JOIN course co ON co.id = c.course_id "
        "LEFT JOIN station s ON s.site_id = c.origin AND s.deleted = 0 "
        f"WHERE {' AND '.join(where)} "
        f"ORDER BY {CLASS_SORTS[sort]} {direction}, c.rowid {direction}"
    )
    return [r[0] for r in store.conn.execute(sql, params)]


def classes_by_rowid(store: Store, rowids: Sequence[int]) -> dict[int, dict]:
    """Classes with their station, course, enrolled count, lessons, hours and attendance
    marks (all marks, and those present or late)."""
    if not rowids:
        return {}
    cur = store.conn.execute(
        f"""SELECT c.rowid, c.id, c.title, c.trainer, c.place, c.start_date, c.end_date,
                   c.status, c.origin, coalesce(s.code, '') AS station_code,
                   coalesce(co.code, '') AS course_code, coalesce(co.title, '') AS course_title,
                   (SELECT count(*) FROM enrollment e
                     WHERE e.class_id = c.id AND e.deleted = 0) AS enrolled,
                   (SELECT count(*) FROM lesson l
                     WHERE l.class_id = c.id AND l.deleted = 0 AND l.cancelled = 0) AS lessons,
                   (SELECT coalesce(sum(l.hours), 0) FROM lesson l
                     WHERE l.class_id = c.id AND l.deleted = 0 AND l.cancelled = 0) AS hours,
                   (SELECT count(*) FROM lesson l
                      JOIN attendance a ON a.lesson_id = l.id AND a.deleted = 0
                     WHERE l.class_id = c.id AND l.deleted = 0) AS marks,
                   (SELECT count(*) FROM lesson l
                      JOIN attendance a ON a.lesson_id = l.id AND a.deleted = 0
                     WHERE l.class_id = c.id AND l.deleted = 0
                       AND a.status IN ('present', 'late')) AS attended
              FROM training_class c
              LEFT JOIN course co ON co.id = c.course_id
              LEFT JOIN station s ON s.site_id = c.origin AND s.deleted = 0
             WHERE c.rowid IN ({_marks(rowids)})""",
        list(rowids),
    )
    names = [d[0] for d in cur.description]
    return {r[0]: dict(zip(names[1:], r[1:], strict=True)) for r in cur}


# -- certificates --------------------------------------------------------------------------------
CERTIFICATE_SORTS = {
    "station_code": "s.code",
    "serial": "c.serial",
    "trainee_name": "c.trainee_name",
    "course_title": "c.course_title",
    "issued_on": "c.issued_on",
}
# Each subquery is evaluated once (an ephemeral index), not once per row.
_REPLACED = "c.id IN (SELECT replaces FROM certificate WHERE replaces IS NOT NULL AND deleted = 0)"
_REVOKED = "c.id IN (SELECT certificate_id FROM revocation WHERE deleted = 0)"
STATUS_WHERE = {
    "valid": f"NOT {_REPLACED} AND NOT {_REVOKED}",
    "withdrawn": f"NOT {_REPLACED} AND {_REVOKED}",
    "replaced": _REPLACED,
}


def certificate_rowids(store: Store, text: str = "", origin: str | None = None,
                       status: str | None = None, sort: str = "issued_on",
                       descending: bool = True, class_id: str | None = None) -> list[int]:
    where = ["c.deleted = 0"]
    params: list[object] = []
    if origin:
        where.append("c.origin = ?")
        params.append(origin)
    if class_id:
        where.append("c.class_id = ?")
        params.append(class_id)
    if status:
        where.append(STATUS_WHERE[status])
    if text:
        like = _like(text)
        where.append("(c.serial LIKE ? ESCAPE '\\' OR c.trainee_name LIKE ? ESCAPE '\\')")
        params += [like, like]
    direction = "DESC" if descending else "ASC"
    join = ("LEFT JOIN station s ON s.site_id = c.origin AND s.deleted = 0 "
            if sort == "station_code" else "")
    sql = (
        f"SELECT c.rowid FROM certificate c {join}WHERE {' AND '.join(where)} "
        f"ORDER BY {CERTIFICATE_SORTS[sort]} {direction}, c.rowid {direction}"
    )
    return [r[0] for r in store.conn.execute(sql, params)]


def certificates_by_rowid(store: Store, rowids: Sequence[int]) -> dict[int, dict]:
    """Certificates with their station code, withdrawal reason and the serial replacing them."""
    if not rowids:
        return {}
    cur = store.conn.execute(
        f"""SELECT c.rowid, c.id, c.serial, c.trainee_name, c.id_number_masked, c.course_code,
                   c.course_title, c.hours, c.start_date, c.end_date, c.issued_on, c.qr_text,
                   c.origin, coalesce(s.code, '') AS station_code, c.class_id,
                   coalesce(k.title, '') AS class_title,
                   (SELECT r.reason FROM revocation r
                     WHERE r.certificate_id = c.id AND r.deleted = 0
                     ORDER BY r.revoked_at DESC LIMIT 1) AS revoked_reason
              FROM certificate c
              LEFT JOIN station s ON s.site_id = c.origin AND s.deleted = 0
              LEFT JOIN training_class k ON k.id = c.class_id
             WHERE c.rowid IN ({_marks(rowids)})""",
        list(rowids),
    )
    names = [d[0] for d in cur.description]
    rows = {r[0]: dict(zip(names[1:], r[1:], strict=True)) for r in cur}
    replaced = replaced_by(store, [r["id"] for r in rows.values()])
    for row in rows.values():
        row["replaced_by"] = replaced.get(row["id"])
    return rows


def replaced_by(store: Store, ids: Iterable[str]) -> dict[str, str]:
    """Certificate id -> serial of the live certificate that replaces it."""
    ids = list(ids)
    if not ids:
        return {}
    return dict(store.conn.execute(
        f"SELECT replaces, serial FROM certificate WHERE deleted = 0 "
        f"AND replaces IN ({_marks(ids)})",
        ids,
    ))


def totals(store: Store) -> tuple[int, int]:
    """Live stations of the register, and persons held (a record merged into another is the
    same person and counts once)."""
    row = store.conn.execute(
        "SELECT (SELECT count(*) FROM station WHERE deleted = 0), "
        "(SELECT count(*) FROM trainee t WHERE t.deleted = 0 AND NOT EXISTS ("
        " SELECT 1 FROM person_merge m WHERE m.merged_id = t.id AND m.deleted = 0))"
    ).fetchone()
    return row[0], row[1]
