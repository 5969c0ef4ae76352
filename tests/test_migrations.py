"""Upgrading a database made at every earlier schema version to the latest one.

The test is generic: for each version ``v`` below :data:`schema.LATEST_VERSION` it builds a real
database at ``v``, fills it with representative rows through plain SQL (only the columns the
table has at ``v``), reopens it, and checks the version, the rows, the schema (the same as a new
database's) and that the services work on it. A new migration is covered by adding it to
``schema.MIGRATIONS``; a migration that adds a required column without a default makes this test
fail until :data:`ROWS` gives it a value.
"""

from __future__ import annotations

import datetime as dt
import gettext
import sqlite3
from pathlib import Path

import pytest

from trainer_app import i18n
from trainer_app.domain import idcard
from trainer_app.domain.models import Lesson, Trainee
from trainer_app.domain.search import build_key, name_sort_key, pinyin_forms
from trainer_app.services import attendance, classes, trainees
from trainer_app.store import Store, StoreError, schema

EARLIER_VERSIONS = list(range(1, schema.LATEST_VERSION))
# From this version on the program writes the syllable-by-syllable sort key itself.
NAME_ORDER = schema.MIGRATIONS.index(schema._v7_name_order)
UPGRADE_STEPS = [
    (v, target)
    for v in range(1, schema.LATEST_VERSION)
    for target in range(v + 1, schema.LATEST_VERSION + 1)
]

ORIGIN = "{site}"  # replaced by the database's own site id
STAMP = {"origin": ORIGIN, "updated_at": "2024-05-01T08:00:00.000+00:00", "deleted": 0}
WANG = idcard.make("411025", dt.date(1990, 3, 7), 1, "M")
SHAN = idcard.make("411025", dt.date(1985, 12, 1), 2, "F")
ZHANG = idcard.make("411025", dt.date(1979, 7, 15), 3, "M")

# Representative rows, parents before children. Columns a table lacks at a version are left out.
ROWS: dict[str, list[dict]] = {
    "course": [
        {"id": "c1", "rev": 1, **STAMP, "code": "EC101", "title": "开设网店",
         "category": "网店运营", "description": "从注册到上线", "hours": 8, "min_share": 0.75},
    ],
    "trainee": [
        {"id": "t1", "rev": 1, **STAMP, "code": "T000001", "name": "王小明", "gender": "M",
         "birth_date": "1990-03-07", "id_number": WANG, "phone": "13812345678",
         "village": "王坪村", "village_group": "三组", "poor_household": 1,
         "education": "Junior middle school", "notes": "会用智能手机"},
        {"id": "t2", "rev": 2, **STAMP, "code": "T000002", "name": "单于明", "gender": "F",
         "birth_date": "1985-12-01", "id_number": SHAN, "phone": None,
         "village": "张庄村", "village_group": "一组", "poor_household": 0,
         "education": "", "notes": ""},
        {"id": "t3", "rev": 3, **STAMP, "deleted": 1, "code": "T000003", "name": "张𠮷",
         "gender": "M", "birth_date": "1979-07-15", "id_number": ZHANG,
         "phone": "13912345678", "village": "王坪村", "village_group": "二组",
         "poor_household": 0, "education": "", "notes": ""},
    ],
    "training_class": [
        {"id": "k1", "rev": 3, **STAMP, "course_id": "c1", "title": "开设网店（第1期）",
         "trainer": "刘建华", "place": "村委会会议室", "start_date": "2024-04-01",
         "end_date": "2024-04-03", "status": "finished"},
    ],
    "lesson": [
        {"id": "l1", "rev": 3, **STAMP, "class_id": "k1", "date": "2024-04-01",
         "start_time": "09:00", "hours": 4, "topic": "平台规则", "cancelled": 0},
        {"id": "l2", "rev": 3, **STAMP, "class_id": "k1", "date": "2024-04-03",
         "start_time": "14:00", "hours": 4, "topic": "商品拍摄", "cancelled": 0},
        {"id": "l3", "rev": 4, **STAMP, "class_id": "k1", "date": "2024-04-02",
         "start_time": "09:00", "hours": 4, "topic": "取消的课", "cancelled": 1},
    ],
    "enrollment": [
        {"id": "e1", "rev": 4, **STAMP, "class_id": "k1", "trainee_id": "t1"},
        {"id": "e2", "rev": 4, **STAMP, "class_id": "k1", "trainee_id": "t2"},
    ],
    "attendance": [
        {"id": "a1", "rev": 5, **STAMP, "lesson_id": "l1", "trainee_id": "t1",
         "status": "present", "recorded_at": "2024-04-01T09:05:00", "method": "scan"},
        {"id": "a2", "rev": 5, **STAMP, "lesson_id": "l2", "trainee_id": "t1",
         "status": "late", "recorded_at": "2024-04-03T14:20:00", "method": "manual"},
        {"id": "a3", "rev": 5, **STAMP, "lesson_id": "l1", "trainee_id": "t2",
         "status": "excused", "recorded_at": "2024-04-01T09:00:00", "method": "sheet"},
        {"id": "a4", "rev": 5, **STAMP, "lesson_id": "l2", "trainee_id": "t2",
         "status": "present", "recorded_at": "2024-04-03T14:00:00", "method": "manual"},
    ],
}
CHANGE_COUNTER = "5"


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setattr(i18n, "_translations", gettext.NullTranslations())
    monkeypatch.setattr(i18n, "_language", "en")


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def fill_old_database(path: Path, version: int) -> dict[str, list[dict]]:
    """Build a database at ``version`` and insert :data:`ROWS` with plain SQL; returns what was
    inserted (per table, only the columns that exist at ``version``)."""
    s = Store(path, create=True, upgrade_to=version)
    assert s.version == version
    site = s.site_id
    s.close()
    inserted: dict[str, list[dict]] = {}
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        with conn:
            for table, rows in ROWS.items():
                have = columns(conn, table)
                assert have, f"table {table} missing at version {version}"
                inserted[table] = []
                for row in rows:
                    row = {k: (site if v == ORIGIN else v) for k, v in row.items()}
                    if table == "trainee":  # what the program of that version writes
                        row["search_key"] = build_key(
                            row["name"], row["code"], row["id_number"], row["phone"],
                            row["village"], row["village_group"],
                        )
                        row["name_sort"] = (
                            name_sort_key(row["name"]) if version > NAME_ORDER else
                            pinyin_forms(row["name"])[0] + " " + row["name"])
                    row = {k: v for k, v in row.items() if k in have}
                    names = ", ".join(row)
                    marks = ", ".join("?" * len(row))
                    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
                    conn.execute(sql, list(row.values()))
                    inserted[table].append(row)
            conn.execute(
                "UPDATE meta SET value = ? WHERE key = 'change_counter'", [CHANGE_COUNTER]
            )
    finally:
        conn.close()
    return inserted


def schema_shape(conn: sqlite3.Connection) -> dict:
    """Tables with their columns, and indexes with their columns: what a migration must reach."""
    shape: dict = {}
    for (table,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ):
        cols = [tuple(r[1:]) for r in conn.execute(f"PRAGMA table_info({table})")]
        indexes = {}
        for idx in conn.execute(f"PRAGMA index_list({table})"):
            name, unique, partial = idx[1], idx[2], idx[4]
            idx_cols = [r[2] for r in conn.execute(f"PRAGMA index_info({name})")]
            indexes[name if not name.startswith("sqlite_autoindex") else tuple(idx_cols)] = (
                unique, partial, idx_cols,
            )
        shape[table] = (cols, indexes)
    return shape


@pytest.mark.parametrize("version", EARLIER_VERSIONS)
def test_upgrade_keeps_rows_and_reaches_latest(tmp_path, version):
    path = tmp_path / f"v{version}.db"
    inserted = fill_old_database(path, version)
    old = sqlite3.connect(path)
    site = old.execute("SELECT value FROM meta WHERE key = 'site_id'").fetchone()[0]
    created = old.execute("SELECT value FROM meta WHERE key = 'created_at'").fetchone()[0]
    old.close()

    s = Store(path)
    try:
        assert s.version == schema.LATEST_VERSION
        conn = s.conn
        assert conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert s.site_id == site
        assert s.get_meta("created_at") == created
        assert s.get_meta("change_counter") == CHANGE_COUNTER  # a migration is no change

        # every row survived, every old column unchanged but the sort key, which is recomputed
        for table, rows in inserted.items():
            assert s.scalar(f"SELECT count(*) FROM {table}") == len(rows)
            for row in rows:
                found = s.row(f"SELECT * FROM {table} WHERE id = ?", [row["id"]])
                assert found is not None, (table, row["id"])
                for key, value in row.items():
                    if (table, key) == ("trainee", "name_sort"):
                        value = name_sort_key(row["name"])
                    assert found[key] == value, (table, row["id"], key)

        # the same schema as a database created new at the latest version
        fresh = Store(tmp_path / "fresh.db", create=True)
        try:
            assert schema_shape(conn) == schema_shape(fresh.conn)
        finally:
            fresh.close()
    finally:
        s.close()


@pytest.mark.parametrize("version", EARLIER_VERSIONS)
def test_migrated_database_works_with_services(tmp_path, version):
    path = tmp_path / f"v{version}.db"
    fill_old_database(path, version)
    s = Store(path)
    try:
        # search keys of the old rows: pinyin initials, full pinyin, both surname readings, digits
        def codes(text: str) -> set[str]:
            return {r["code"] for r in trainees.search(s, text)}

        assert codes("wxm") == {"T000001"}
        assert codes("wangxiaoming") == {"T000001"}
        assert codes("dym") == {"T000002"} == codes("shanyuming")
        assert codes(WANG[-4:]) == {"T000001"}
        assert codes("5678") == {"T000001"}  # phone digits
        assert codes("张庄") == {"T000002"}
        assert codes("张𠮷") == set()  # tombstoned
        assert "T000003" not in codes("")
        # sorted by pinyin: shan/chan... before wang
        assert [r["code"] for r in trainees.search(s, "")] == ["T000002", "T000001"]

        # writes continue the old change counter and codes
        new_id = trainees.register(
            s, Trainee(name="李娜", id_number=idcard.make("411025", dt.date(2000, 1, 2), 4, "F"),
                       village="石桥村"),
        )
        row = s.row("SELECT code, rev, origin FROM trainee WHERE id = ?", [new_id])
        assert row == {"code": "T000004", "rev": int(CHANGE_COUNTER) + 1, "origin": s.site_id}
        assert codes("ln") >= {"T000004"}

        # the tombstoned trainee's ID number can be registered again
        trainees.register(s, Trainee(name="张吉", id_number=ZHANG, village="王坪村"))

        # completion from the old marks: 8 scheduled hours (the cancelled lesson is left out)
        report = {r["code"]: r for r in classes.completion_report(s, "k1")}
        assert report["T000001"]["scheduled_hours"] == 8
        assert report["T000001"]["attended_hours"] == 8
        assert report["T000001"]["completed"]
        assert report["T000002"]["attended_hours"] == 4
        assert not report["T000002"]["completed"]  # 50 % < 75 %

        # attendance and lessons keep working on the old rows
        sheet = attendance.sheet(s, "l1")
        assert {r["code"]: r["status"] for r in sheet} == {"T000001": "present",
                                                          "T000002": "excused"}
        classes.add_lesson(s, "k1", Lesson("2024-04-03", "14:00", 4, "补课"))
        classes.enroll(s, "k1", [new_id])
        attendance.mark(s, "l2", new_id, "present")
        assert len(attendance.sheet(s, "l2")) == 3
    finally:
        s.close()


@pytest.mark.parametrize("version, target", UPGRADE_STEPS)
def test_step_by_step_upgrade(tmp_path, version, target):
    """Every intermediate upgrade works too (a station may skip program versions, or not)."""
    path = tmp_path / "db.db"
    inserted = fill_old_database(path, version)
    s = Store(path, upgrade_to=target)
    try:
        assert s.version == target
        for table, rows in inserted.items():
            assert s.scalar(f"SELECT count(*) FROM {table}") == len(rows)
    finally:
        s.close()
    s = Store(path)
    try:
        assert s.version == schema.LATEST_VERSION
    finally:
        s.close()


def test_every_version_reachable_from_new(tmp_path):
    for version in range(1, schema.LATEST_VERSION + 1):
        s = Store(tmp_path / f"new{version}.db", create=True, upgrade_to=version)
        try:
            assert s.version == version
            assert s.conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
            assert s.site_id
        finally:
            s.close()


def test_migrations_registry_consistent():
    assert schema.LATEST_VERSION == len(schema.MIGRATIONS) >= 1
    assert all(callable(m) for m in schema.MIGRATIONS)


def test_failed_migration_leaves_old_version(tmp_path, monkeypatch):
    """A migration is all or nothing: one that fails halfway leaves the database as it was."""
    path = tmp_path / "db.db"
    fill_old_database(path, schema.LATEST_VERSION)

    def broken(db):
        db.execute("ALTER TABLE trainee ADD COLUMN half_done TEXT")
        db.execute("UPDATE trainee SET name = 'changed'")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, broken])
    monkeypatch.setattr(schema, "LATEST_VERSION", len(schema.MIGRATIONS))
    with pytest.raises(StoreError):
        Store(path)
    monkeypatch.undo()

    s = Store(path)
    try:
        assert s.version == schema.LATEST_VERSION
        assert "half_done" not in columns(s.conn, "trainee")
        assert s.scalar("SELECT count(*) FROM trainee WHERE name = 'changed'") == 0
        assert not s.conn.in_transaction
    finally:
        s.close()
