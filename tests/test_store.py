"""The store on real SQLite files: opening and refusing files, constraints, transactions, rev."""

from __future__ import annotations

import datetime as dt
import gettext
import hashlib
import sqlite3
from pathlib import Path

import pytest

from trainer_app import i18n
from trainer_app.domain import idcard
from trainer_app.store import Store, StoreError, records, schema
from trainer_app.store import trainees as trainees_q


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setattr(i18n, "_translations", gettext.NullTranslations())
    monkeypatch.setattr(i18n, "_language", "en")


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "station.db"


@pytest.fixture
def station(db_path):
    s = Store(db_path, create=True)
    yield s
    s.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecars(path: Path) -> list[Path]:
    return [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def add_course(s: Store, code: str = "EC101", **extra) -> str:
    with s.transaction():
        values = {"code": code, "title": "开设网店", "hours": 24, **extra}
        return records.insert(s, "course", values)


def trainee_row(code: str, id_number: str | None = None, **extra) -> dict:
    return {"code": code, "name": "王小明", "village": "王坪村", "id_number": id_number, **extra}


NUMBER = idcard.make("411025", dt.date(1990, 3, 7), 1, "M")


# -- a new database -------------------------------------------------------------------------------
class TestNewDatabase:
    def test_marks_and_version(self, station):
        conn = station.conn
        assert conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
        assert station.version == schema.LATEST_VERSION

    def test_wal_and_foreign_keys(self, station):
        assert station.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert station.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1

    def test_meta(self, station):
        assert len(station.site_id) == 36
        assert station.get_meta("change_counter") == "0"
        assert station.get_meta("created_at")
        assert station.get_meta("nothing") is None

    def test_site_id_survives_reopening(self, db_path, station):
        site = station.site_id
        station.close()
        again = Store(db_path)
        try:
            assert again.site_id == site
            assert again.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        finally:
            again.close()

    def test_creates_missing_folders(self, tmp_path):
        s = Store(tmp_path / "a" / "b" / "station.db", create=True)
        s.close()
        assert (tmp_path / "a" / "b" / "station.db").is_file()

    def test_every_synced_table_has_sync_columns(self, station):
        for table in schema.SYNCED_TABLES:
            cols = {r[1]: r for r in station.conn.execute(f"PRAGMA table_info({table})")}
            for col in ("id", "origin", "rev", "updated_at", "deleted"):
                assert col in cols, (table, col)
            assert cols["id"][5] == 1  # primary key

    def test_integrity(self, station):
        assert station.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert station.conn.execute("PRAGMA foreign_key_check").fetchall() == []

    def test_memory_database(self):
        s = Store(":memory:")
        try:
            assert s.version == schema.LATEST_VERSION
            add_course(s)
            assert s.scalar("SELECT count(*) FROM course") == 1
        finally:
            s.close()


# -- constraints ----------------------------------------------------------------------------------
class TestConstraints:
    def test_class_status_check(self, station):
        course = add_course(station)
        with pytest.raises(sqlite3.IntegrityError), station.transaction():
            records.insert(
                station, "training_class",
                {"course_id": course, "start_date": "2024-06-01", "end_date": "2024-06-02",
                 "status": "paused"},
            )
        assert station.scalar("SELECT count(*) FROM training_class") == 0

    def test_gender_check(self, station):
        with pytest.raises(sqlite3.IntegrityError), station.transaction():
            records.insert(station, "trainee", trainee_row("T1", gender="X"))

    def test_attendance_status_and_method_checks(self, station):
        with pytest.raises(sqlite3.IntegrityError):
            station.conn.execute(
                "INSERT INTO attendance (id, origin, rev, updated_at, lesson_id, trainee_id, "
                "status, recorded_at) VALUES ('a', 'o', 1, 'now', 'l', 't', 'sleeping', 'now')"
            )

    @pytest.mark.parametrize(
        "values",
        [{"hours": 0}, {"hours": -1}, {"min_share": 0}, {"min_share": 1.5}, {"title": ""}],
    )
    def test_course_checks(self, station, values):
        with pytest.raises(sqlite3.IntegrityError), station.transaction():
            records.insert(station, "course", {"code": "X", "title": "t", "hours": 4, **values})

    def test_foreign_key_violation_rejected(self, station):
        with pytest.raises(sqlite3.IntegrityError), station.transaction():
            records.insert(
                station, "training_class",
                {"course_id": "no-such-course", "start_date": "2024-06-01",
                 "end_date": "2024-06-02"},
            )
        with pytest.raises(sqlite3.IntegrityError), station.transaction():
            records.insert(station, "enrollment", {"class_id": "nope", "trainee_id": "nope"})

    def test_live_course_code_unique(self, station):
        first = add_course(station, "EC1")
        with pytest.raises(sqlite3.IntegrityError):
            add_course(station, "EC1")
        with station.transaction():
            records.tombstone(station, "course", first)
        add_course(station, "EC1")  # a tombstoned code can be used again
        assert station.scalar("SELECT count(*) FROM course WHERE code = 'EC1'") == 2

    def test_live_id_number_unique_and_reregistering_after_tombstone(self, station):
        with station.transaction():
            first = records.insert(station, "trainee", trainee_row("T1", NUMBER))
        with pytest.raises(sqlite3.IntegrityError), station.transaction():
            records.insert(station, "trainee", trainee_row("T2", NUMBER))
        with station.transaction():
            records.tombstone(station, "trainee", first)
        with station.transaction():
            second = records.insert(station, "trainee", trainee_row("T2", NUMBER))
        rows = station.rows("SELECT id, deleted FROM trainee WHERE id_number = ?", [NUMBER])
        assert {(r["id"], r["deleted"]) for r in rows} == {(first, 1), (second, 0)}

    def test_several_trainees_without_id_number(self, station):
        with station.transaction():
            records.insert(station, "trainee", trainee_row("T1"))
            records.insert(station, "trainee", trainee_row("T2"))
        assert trainees_q.count(station) == 2

    def test_trainee_code_unique_even_after_tombstone(self, station):
        with station.transaction():
            first = records.insert(station, "trainee", trainee_row("T1"))
            records.tombstone(station, "trainee", first)
        with pytest.raises(sqlite3.IntegrityError), station.transaction():
            records.insert(station, "trainee", trainee_row("T1"))

    def test_one_enrollment_and_one_mark_per_pair(self, station):
        course = add_course(station)
        with station.transaction():
            cls = records.insert(
                station, "training_class",
                {"course_id": course, "start_date": "2024-06-01", "end_date": "2024-06-02"},
            )
            lesson = records.insert(
                station, "lesson",
                {"class_id": cls, "date": "2024-06-01", "start_time": "09:00", "hours": 4},
            )
            trainee = records.insert(station, "trainee", trainee_row("T1"))
            records.insert(station, "enrollment", {"class_id": cls, "trainee_id": trainee})
            mark = {"lesson_id": lesson, "trainee_id": trainee, "status": "present",
                    "recorded_at": "2024-06-01T09:00:00"}
            records.insert(station, "attendance", mark)
        with pytest.raises(sqlite3.IntegrityError), station.transaction():
            records.insert(station, "enrollment", {"class_id": cls, "trainee_id": trainee})
        with pytest.raises(sqlite3.IntegrityError), station.transaction():
            records.insert(station, "attendance", mark)


# -- transactions, rev and tombstones --------------------------------------------------------------
class TestTransactions:
    def test_rollback_leaves_nothing(self, station):
        counter = station.get_meta("change_counter")
        with pytest.raises(RuntimeError), station.transaction():
            records.insert(station, "course", {"code": "A", "title": "a", "hours": 4})
            records.insert(station, "trainee", trainee_row("T1", NUMBER))
            station.set_meta("station_name", "x")
            raise RuntimeError("power cut")
        assert station.scalar("SELECT count(*) FROM course") == 0
        assert station.scalar("SELECT count(*) FROM trainee") == 0
        assert station.get_meta("station_name") is None
        assert station.get_meta("change_counter") == counter
        assert not station.conn.in_transaction

    def test_failed_statement_rolls_back_the_whole_transaction(self, station):
        with pytest.raises(sqlite3.IntegrityError), station.transaction():
            records.insert(station, "course", {"code": "A", "title": "a", "hours": 4})
            records.insert(station, "course", {"code": "B", "title": "b", "hours": -4})
        assert station.scalar("SELECT count(*) FROM course") == 0
        add_course(station)  # the connection is usable again
        assert station.scalar("SELECT count(*) FROM course") == 1

    def test_failed_commit_rolls_back_and_connection_stays_usable(self, station):
        # a deferred foreign key is checked at COMMIT: the commit itself fails
        with pytest.raises(sqlite3.IntegrityError), station.transaction():
            station.conn.execute("PRAGMA defer_foreign_keys = ON")
            records.insert(station, "course", {"code": "A", "title": "a", "hours": 4})
            records.insert(station, "enrollment", {"class_id": "nope", "trainee_id": "nope"})
        assert not station.conn.in_transaction
        assert station.scalar("SELECT count(*) FROM course") == 0
        assert station.get_meta("change_counter") == "0"
        add_course(station)
        assert station.scalar("SELECT count(*) FROM course") == 1

    def test_committed_data_visible_from_another_connection(self, db_path, station):
        add_course(station)
        other = sqlite3.connect(db_path)
        try:
            assert other.execute("SELECT count(*) FROM course").fetchone()[0] == 1
        finally:
            other.close()

    def test_nested_transaction_joins_outer(self, station):
        with pytest.raises(RuntimeError), station.transaction():
            with station.transaction():
                records.insert(station, "course", {"code": "A", "title": "a", "hours": 4})
            raise RuntimeError
        assert station.scalar("SELECT count(*) FROM course") == 0

    def test_rev_increments_once_per_transaction(self, station):
        with station.transaction():
            a = records.insert(station, "course", {"code": "A", "title": "a", "hours": 4})
            b = records.insert(station, "course", {"code": "B", "title": "b", "hours": 4})
            with station.transaction():
                c = records.insert(station, "course", {"code": "C", "title": "c", "hours": 4})
        revs = {r["id"]: r["rev"] for r in station.rows("SELECT id, rev FROM course")}
        assert revs[a] == revs[b] == revs[c] == 1
        assert station.get_meta("change_counter") == "1"
        with station.transaction():
            records.update(station, "course", a, {"title": "A2"})
        with station.transaction():
            records.update(station, "course", b, {"title": "B2"})
        revs = {r["id"]: r["rev"] for r in station.rows("SELECT id, rev FROM course")}
        assert (revs[a], revs[b], revs[c]) == (2, 3, 1)
        assert station.get_meta("change_counter") == "3"

    def test_reading_transaction_takes_no_rev(self, station):
        with station.transaction():
            station.rows("SELECT * FROM course")
        assert station.get_meta("change_counter") == "0"

    def test_rev_outside_transaction_refused(self, station):
        with pytest.raises(RuntimeError):
            station.rev()

    def test_stamp_origin_and_updated_at(self, station):
        before = dt.datetime.now(dt.UTC)
        course = add_course(station)
        after = dt.datetime.now(dt.UTC)
        row = station.row("SELECT * FROM course WHERE id = ?", [course])
        assert row["origin"] == station.site_id
        assert row["deleted"] == 0
        stamped = dt.datetime.fromisoformat(row["updated_at"])
        assert stamped.tzinfo is not None and stamped.utcoffset() == dt.timedelta(0)
        assert before - dt.timedelta(seconds=1) <= stamped <= after + dt.timedelta(seconds=1)
        with station.transaction():
            records.update(station, "course", course, {"title": "新"})
        row2 = station.row("SELECT * FROM course WHERE id = ?", [course])
        assert row2["updated_at"] >= row["updated_at"]
        assert row2["rev"] > row["rev"]
        assert row2["origin"] == station.site_id

    def test_ids_are_uuid7(self, station):
        import uuid

        course = add_course(station)
        assert uuid.UUID(course).version == 7

    def test_tombstone_keeps_row(self, station):
        course = add_course(station)
        with station.transaction():
            records.tombstone(station, "course", course)
        row = station.row("SELECT * FROM course WHERE id = ?", [course])
        assert row is not None and row["deleted"] == 1 and row["rev"] == 2
        assert records.get(station, "course", course) is None
        assert not records.exists(station, "course", course)
        with pytest.raises(KeyError), station.transaction():
            records.update(station, "course", course, {"title": "x"})
        with pytest.raises(KeyError), station.transaction():
            records.tombstone(station, "course", course)

    def test_update_of_unknown_row(self, station):
        with pytest.raises(KeyError), station.transaction():
            records.update(station, "course", "nope", {"title": "x"})

    def test_insert_many_one_rev(self, station):
        with station.transaction():
            records.insert_many(
                station, "trainee", [trainee_row(f"T{i}") for i in range(50)], batch_size=7
            )
        revs = station.rows("SELECT DISTINCT rev, origin FROM trainee")
        assert revs == [{"rev": 1, "origin": station.site_id}]
        assert trainees_q.count(station) == 50

    def test_changes_survive_reopen(self, db_path, station):
        add_course(station)
        station.close()
        again = Store(db_path)
        try:
            assert again.scalar("SELECT count(*) FROM course") == 1
            with again.transaction():
                assert again.rev() == 2
        finally:
            again.close()


# -- refusing files -------------------------------------------------------------------------------
class TestRefusals:
    def test_missing_file(self, tmp_path):
        path = tmp_path / "nope.db"
        with pytest.raises(StoreError) as exc:
            Store(path)
        assert "does not exist" in str(exc.value)
        assert not path.exists() and not sidecars(path)

    def test_missing_folder(self, tmp_path):
        path = tmp_path / "no" / "such" / "station.db"
        with pytest.raises(StoreError):
            Store(path)
        assert not (tmp_path / "no").exists()

    def test_directory(self, tmp_path):
        with pytest.raises(StoreError) as exc:
            Store(tmp_path)
        assert "folder" in str(exc.value)
        with pytest.raises(StoreError):
            Store(tmp_path, create=True)

    def test_cannot_create_under_a_file(self, tmp_path):
        blocker = tmp_path / "file"
        blocker.write_text("x")
        with pytest.raises(StoreError):
            Store(blocker / "station.db", create=True)

    @pytest.mark.parametrize(
        "content",
        [
            b"name,village\n\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e,\xe7\x8e\x8b\xe5\x9d\xaa\n" * 50,
            b"\x00" * 4096,
            b"SQLite format 3\x00" + b"\xff" * 200,  # a truncated/corrupt header
        ],
    )
    def test_non_database_file_unchanged(self, tmp_path, content):
        path = tmp_path / "list.db"
        path.write_bytes(content)
        before = digest(path)
        with pytest.raises(StoreError) as exc:
            Store(path)
        assert str(path) in str(exc.value)
        assert digest(path) == before
        assert not sidecars(path)
        with pytest.raises(StoreError):
            Store(path, create=True)
        assert digest(path) == before

    def test_foreign_sqlite_database_unchanged(self, tmp_path):
        path = tmp_path / "other.sqlite"
        conn = sqlite3.connect(path)
        conn.executescript(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
            "INSERT INTO notes (body) VALUES ('hello');"
            "PRAGMA user_version = 3;"
        )
        conn.close()
        before = digest(path)
        with pytest.raises(StoreError) as exc:
            Store(path)
        assert "not a Trainer database" in str(exc.value)
        with pytest.raises(StoreError):
            Store(path, create=True)
        assert digest(path) == before
        assert not sidecars(path)

    def test_other_application_id_unchanged(self, tmp_path):
        path = tmp_path / "other.db"
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA application_id = 1234")
        conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
        conn.commit()
        conn.close()
        before = digest(path)
        with pytest.raises(StoreError):
            Store(path)
        assert digest(path) == before

    def test_newer_schema_unchanged(self, db_path, station):
        add_course(station)
        station.conn.execute(f"PRAGMA user_version = {schema.LATEST_VERSION + 1}")
        station.close()
        assert not sidecars(db_path)
        before = digest(db_path)
        with pytest.raises(StoreError) as exc:
            Store(db_path)
        message = str(exc.value)
        assert "newer version" in message and str(schema.LATEST_VERSION + 1) in message
        assert digest(db_path) == before
        assert not sidecars(db_path)

    def test_refused_file_is_not_left_open(self, tmp_path):
        # the refused connection is closed: the file can be replaced right away
        path = tmp_path / "other.db"
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
        with pytest.raises(StoreError):
            Store(path)
        path.unlink()
        Store(path, create=True).close()

    def test_store_error_messages_translatable(self, tmp_path):
        assert issubclass(StoreError, Exception)
        with pytest.raises(StoreError) as exc:
            Store(tmp_path / "x.db")
        assert "\n" not in str(exc.value)  # one line for the CLI


class TestEmptyFile:
    def test_empty_file_refused_without_create(self, tmp_path):
        path = tmp_path / "empty.db"
        path.write_bytes(b"")
        with pytest.raises(StoreError) as exc:
            Store(path)
        assert "not a Trainer database" in str(exc.value)
        assert path.read_bytes() == b""
        assert not sidecars(path)

    def test_empty_file_becomes_database_with_create(self, tmp_path):
        path = tmp_path / "empty.db"
        path.write_bytes(b"")
        s = Store(path, create=True)
        try:
            assert s.version == schema.LATEST_VERSION
        finally:
            s.close()
        Store(path).close()
