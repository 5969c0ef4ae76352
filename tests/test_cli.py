"""The command line: exit codes, JSON output, and the database left unchanged on refusal."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import types
from pathlib import Path

import pytest

from trainer_app import __version__, i18n, paths
from trainer_app.cli import main
from trainer_app.domain import idcard
from trainer_app.services import certificates, classes
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store, schema

ROOT = Path(__file__).resolve().parent.parent
VALID_ID = idcard.make("411025", dt.date(1990, 3, 7), 12, "M")
BAD_CHECK_ID = VALID_ID[:-1] + ("1" if VALID_ID[-1] != "1" else "2")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")  # main() switches the language; leave other tests as they expect


@pytest.fixture
def db(demo_store) -> Path:
    """The path of a demo station database (60 trainees), closed so only the CLI holds it."""
    demo_store.close()
    return demo_store.path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *args: str):
    code, out, err = run(capsys, *args, "--json")
    assert (code, err) == (0, "")
    return json.loads(out)


def refused(capsys, *args: str) -> str:
    """Run a command that must be refused; returns its one line of stderr."""
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    return err.strip()


def digest(path: Path) -> str:
    """The database's content (robust against WAL files and page layout)."""
    con = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(con.iterdump()).encode()).hexdigest()
    finally:
        con.close()


def add_trainee(capsys, db: Path, name: str, id_number: str, *more: str) -> str:
    code, out, err = run(capsys, "--db", str(db), "trainees", "add", "--name", name,
                         "--id-number", id_number, "--village", "王坪村", *more)
    assert (code, err) == (0, ""), err
    return out.strip()


def running_lesson(capsys, db: Path) -> tuple[str, list[dict]]:
    """A lesson of the demo's running class and the trainees enrolled in it."""
    running = [c for c in run_json(capsys, "--db", str(db), "classes", "list")
               if c["status"] == "running"]
    class_id = running[0]["id"]
    lessons = run_json(capsys, "--db", str(db), "lessons", "list", "--class", class_id)
    enrolled = run_json(capsys, "--db", str(db), "classes", "completion", class_id)
    return lessons[0]["id"], enrolled


# -- help, version, entry point ------------------------------------------------------------------
def test_help_lists_the_commands(capsys):
    code, out, _err = run(capsys, "--help")
    assert code == 0
    for command in ("demo", "trainees", "courses", "classes", "lessons", "attendance", "--db",
                    "--lang", "--version"):
        assert command in out
    code, out, _err = run(capsys, "attendance", "--help")
    assert code == 0
    for action in ("mark", "list", "scan", "all-present"):
        assert action in out


def test_version(capsys):
    assert run(capsys, "--version") == (0, f"Trainer {__version__}\n", "")


def test_no_command_opens_the_window_with_the_options(monkeypatch):
    calls = []
    fake = types.ModuleType("trainer_app.ui.app")
    fake.run_gui = lambda db_path, lang: calls.append((db_path, lang)) or 0
    monkeypatch.setitem(sys.modules, "trainer_app.ui.app", fake)
    assert main([]) == 0
    assert main(["--db", "x.db", "--lang", "en"]) == 0
    assert calls == [(None, None), (Path("x.db"), "en")]


def test_entry_point_in_a_real_process(tmp_path):
    env = {**os.environ, "TRAINER_APP_HOME": str(tmp_path), "LANG": "en_US.UTF-8",
           "PYTHONPATH": str(ROOT)}
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        env.pop(name, None)

    def python(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "trainer_app", *args], env=env, cwd=tmp_path,
                              capture_output=True, encoding="utf-8", timeout=120, check=False)

    version = python("--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"Trainer {__version__}")

    missing = python("trainees", "list")
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr
    assert not (tmp_path / paths.DB_FILENAME).exists()

    made = python("demo", "--trainees", "5", "--seed", "3")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / paths.DB_FILENAME).exists()  # under $TRAINER_APP_HOME
    listed = python("trainees", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == 5 and all(r["id"] and r["name"] for r in rows)


def test_commands_never_import_qt(tmp_path):
    db = str(tmp_path / "station.db")
    script = "\n".join([
        "import sys",
        "from trainer_app.cli import main",
        f"assert main(['--db', {db!r}, 'demo', '--trainees', '3']) == 0",
        f"assert main(['--db', {db!r}, 'trainees', 'list']) == 0",
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt was imported'",
    ])
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          encoding="utf-8", timeout=120, check=False)
    assert done.returncode == 0, done.stderr


# -- lists and JSON --------------------------------------------------------------------------------
def test_demo_then_trainees_list_json(capsys, tmp_path):
    path = tmp_path / "new" / "station.db"
    code, out, err = run(capsys, "--db", str(path), "demo", "--trainees", "25", "--seed", "1")
    assert (code, err) == (0, "")
    assert "25" in out
    rows = run_json(capsys, "--db", str(path), "trainees", "list")
    assert isinstance(rows, list) and len(rows) == 25
    assert all(isinstance(r, dict) and r["id"] for r in rows)
    assert any("\u4e00" <= ch <= "\u9fff" for r in rows for ch in r["name"])  # not \\u escapes
    assert all(len(r["id_number"]) == 18 for r in rows)  # JSON is unmasked


def test_every_entity_lists_as_json_with_ids(capsys, db):
    for command in (["courses", "list"], ["classes", "list"]):
        rows = run_json(capsys, "--db", str(db), *command)
        assert rows and all(r["id"] for r in rows)
    lesson_id, _enrolled = running_lesson(capsys, db)
    marks = run_json(capsys, "--db", str(db), "attendance", "list", "--lesson", lesson_id)
    assert marks and all(m["id"] and m["lesson_id"] == lesson_id for m in marks)
    assert {m["status"] for m in marks} <= {"present", "late", "excused", "absent"}


def test_add_trainee_then_find_by_pinyin_initials(capsys, db):
    new_id = add_trainee(capsys, db, "王小明", VALID_ID, "--phone", "13812345678")
    for query in ("wxm", "wangxiaoming", "小明", VALID_ID[-4:]):
        found = run_json(capsys, "--db", str(db), "trainees", "list", "--search", query)
        assert new_id in [r["id"] for r in found], query
    shown = run_json(capsys, "--db", str(db), "trainees", "show", new_id, "--reveal")
    assert shown["id"] == new_id
    assert (shown["birth_date"], shown["gender"]) == ("1990-03-07", "M")  # from the ID number


def test_table_masks_numbers_unless_revealed(capsys, db):
    trainee_id = add_trainee(capsys, db, "王小明", VALID_ID, "--phone", "13812345678")
    code, masked, _err = run(capsys, "--db", str(db), "trainees", "list", "--search", "wxm")
    assert code == 0
    assert idcard.mask(VALID_ID) in masked and "138****5678" in masked
    # the birth date is what the ID number's mask hides: beside it, it would give it away
    assert "****-**-**" in masked and "1990-03-07" not in masked
    assert VALID_ID not in masked and "13812345678" not in masked
    code, shown, _err = run(capsys, "--db", str(db), "trainees", "list", "--search", "wxm",
                            "--reveal")
    assert code == 0
    assert VALID_ID in shown and "13812345678" in shown and "1990-03-07" in shown
    _code, details, _err = run(capsys, "--db", str(db), "trainees", "show", trainee_id)
    assert "****-**-**" in details and "1990-03-07" not in details and VALID_ID not in details
    _code, details, _err = run(capsys, "--db", str(db), "trainees", "show", trainee_id, "--reveal")
    assert "1990-03-07" in details and VALID_ID in details


def test_json_masks_numbers_unless_revealed(capsys, db):
    trainee_id = add_trainee(capsys, db, "王小明", VALID_ID, "--phone", "13812345678")
    for command in (("list", "--search", "wxm"), ("show", trainee_id)):
        masked = run_json(capsys, "--db", str(db), "trainees", *command)
        row = masked[0] if isinstance(masked, list) else masked
        assert (row["id_number"], row["phone"], row["birth_date"]) == (
            idcard.mask(VALID_ID), "138****5678", "****-**-**")
        shown = run_json(capsys, "--db", str(db), "trainees", *command, "--reveal")
        row = shown[0] if isinstance(shown, list) else shown
        assert (row["id_number"], row["phone"], row["birth_date"]) == (
            VALID_ID, "13812345678", "1990-03-07")


# -- refusals ----------------------------------------------------------------------------------
def test_invalid_id_number_is_refused_and_nothing_changes(capsys, db):
    before = digest(db)
    line = refused(capsys, "--db", str(db), "trainees", "add", "--name", "王小明",
                   "--id-number", BAD_CHECK_ID, "--village", "王坪村")
    assert "--id-number" in line and "check character does not match" in line
    assert digest(db) == before


def test_validation_lists_every_field_on_one_line(capsys, db):
    before = digest(db)
    line = refused(capsys, "--db", str(db), "trainees", "add", "--name", "王小明",
                   "--id-number", VALID_ID, "--phone", "12345")
    assert "--phone: A mobile number has 11 digits" in line
    assert "--village: Enter the village." in line
    assert digest(db) == before


def test_duplicate_id_number_is_refused(capsys, db):
    add_trainee(capsys, db, "王小明", VALID_ID)
    before = digest(db)
    line = refused(capsys, "--db", str(db), "trainees", "add", "--name", "李四",
                   "--id-number", VALID_ID, "--village", "张庄村")
    assert "already registered" in line and "王小明" in line
    assert digest(db) == before


def test_unknown_lesson_id(capsys, db):
    _lesson, enrolled = running_lesson(capsys, db)
    before = digest(db)
    line = refused(capsys, "--db", str(db), "attendance", "mark", "--lesson", "no-such-lesson",
                   "--trainee", enrolled[0]["trainee_id"], "--status", "present")
    assert line == "error: No lesson with id no-such-lesson."
    assert "no-such-lesson" in refused(capsys, "--db", str(db), "lessons", "cancel",
                                       "no-such-lesson")
    assert digest(db) == before


def test_unknown_trainee_and_class_ids(capsys, db):
    before = digest(db)
    assert refused(capsys, "--db", str(db), "trainees", "delete", "T999999") == (
        "error: No trainee with id T999999.")
    assert "No class with id nope." in refused(capsys, "--db", str(db), "classes", "status",
                                               "nope", "finished")
    assert "No course has the code or id EC999" in refused(
        capsys, "--db", str(db), "classes", "add", "--course", "EC999", "--start", "2025-03-01",
        "--end", "2025-03-02")
    assert "No course has the code or id NOPE" in refused(capsys, "--db", str(db), "courses",
                                                          "retire", "NOPE")
    assert digest(db) == before


def test_missing_database_is_not_created(capsys, tmp_path):
    path = tmp_path / "nowhere" / "station.db"
    line = refused(capsys, "--db", str(path), "trainees", "list")
    assert "does not exist" in line and str(path) in line
    assert not path.exists() and not path.parent.exists()


def test_folder_or_empty_file_is_not_a_database(capsys, tmp_path):
    assert "is a folder" in refused(capsys, "--db", str(tmp_path), "courses", "list")
    empty = tmp_path / "empty.db"
    empty.touch()
    assert "not a Trainer database" in refused(capsys, "--db", str(empty), "courses", "list")
    assert empty.stat().st_size == 0


def test_default_database_under_trainer_app_home(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path))
    assert "does not exist" in refused(capsys, "courses", "list")
    code, _out, err = run(capsys, "demo", "--trainees", "3")
    assert (code, err) == (0, "")
    assert (tmp_path / paths.DB_FILENAME).exists()
    assert len(run_json(capsys, "trainees", "list")) == 3


def test_text_file_posing_as_database(capsys, tmp_path):
    path = tmp_path / "station.db"
    path.write_text("name,phone\n王小明,13812345678\n" * 200, encoding="utf-8")
    before = path.read_bytes()
    line = refused(capsys, "--db", str(path), "trainees", "list")
    assert "cannot be read as a Trainer database" in line
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["station.db"]


def test_other_programs_sqlite_database(capsys, tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (body TEXT)")
    con.commit()
    con.close()
    before = digest(path)
    assert "is not a Trainer database" in refused(capsys, "--db", str(path), "courses", "list")
    assert digest(path) == before


def test_database_of_a_newer_version(capsys, tmp_path):
    path = tmp_path / "station.db"
    Store(path, create=True).close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    before = digest(path)
    line = refused(capsys, "--db", str(path), "trainees", "list")
    assert "newer version" in line and "99" in line
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    assert con.execute("PRAGMA user_version").fetchone()[0] == 99
    con.close()
    assert digest(path) == before


def test_bad_arguments_are_one_line(capsys, db):
    line = refused(capsys, "--db", str(db), "attendance", "mark", "--lesson", "x", "--trainee",
                   "y", "--status", "gone")
    assert "attendance mark: argument --status: invalid choice: 'gone'" in line
    assert "ACTION" in refused(capsys, "--db", str(db), "trainees")
    assert "unrecognized arguments: --bogus" in refused(capsys, "--db", str(db), "courses",
                                                        "list", "--bogus")
    assert "'DATE HH:MM HOURS [TOPIC]'" in refused(capsys, "--db", str(db), "classes", "add",
                                                   "--course", "EC101", "--start", "2025-03-01",
                                                   "--end", "2025-03-02", "--lesson", "tomorrow")


def test_unexpected_error_is_one_line_without_traceback(capsys, db, monkeypatch):
    from trainer_app.services import courses

    def broken(store, *_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(courses, "list_all", broken)
    line = refused(capsys, "--db", str(db), "courses", "list")
    assert "RuntimeError: boom" in line and "TRAINER_APP_DEBUG" in line
    monkeypatch.setenv("TRAINER_APP_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["--db", str(db), "courses", "list"])


# -- attendance ----------------------------------------------------------------------------------
def test_attendance_mark(capsys, db):
    lesson_id, enrolled = running_lesson(capsys, db)
    who = enrolled[0]
    code, out, err = run(capsys, "--db", str(db), "attendance", "mark", "--lesson", lesson_id,
                         "--trainee", who["code"], "--status", "excused")
    assert (code, err) == (0, "")
    assert who["name"] in out and "Excused" in out
    marks = run_json(capsys, "--db", str(db), "attendance", "list", "--lesson", lesson_id)
    assert [m["status"] for m in marks if m["trainee_id"] == who["trainee_id"]] == ["excused"]
    code, table, _err = run(capsys, "--db", str(db), "attendance", "list", "--lesson", lesson_id)
    assert code == 0 and who["name"] in table and "Excused" in table


def test_attendance_scan(capsys, db):
    lesson_id, enrolled = running_lesson(capsys, db)
    who = enrolled[0]
    run(capsys, "--db", str(db), "attendance", "mark", "--lesson", lesson_id, "--trainee",
        who["trainee_id"], "--status", "absent")
    code, out, err = run(capsys, "--db", str(db), "attendance", "scan", "--lesson", lesson_id,
                         who["code"].lower())
    assert (code, err) == (0, "") and "marked present" in out
    code, out, _err = run(capsys, "--db", str(db), "attendance", "scan", "--lesson", lesson_id,
                          who["code"])
    assert code == 0 and "already marked present" in out
    marks = run_json(capsys, "--db", str(db), "attendance", "list", "--lesson", lesson_id)
    mark = next(m for m in marks if m["trainee_id"] == who["trainee_id"])
    assert (mark["status"], mark["method"]) == ("present", "scan")

    before = digest(db)
    line = refused(capsys, "--db", str(db), "attendance", "scan", "--lesson", lesson_id, "X123")
    assert "No trainee has the code X123" in line
    assert digest(db) == before

    walk_in = add_trainee(capsys, db, "王小明", VALID_ID)
    shown = run_json(capsys, "--db", str(db), "trainees", "show", walk_in)
    before = digest(db)
    line = refused(capsys, "--db", str(db), "attendance", "scan", "--lesson", lesson_id,
                   shown["code"])
    assert "not enrolled" in line and "--walk-in" in line
    assert digest(db) == before
    code, out, _err = run(capsys, "--db", str(db), "attendance", "scan", "--lesson", lesson_id,
                          shown["code"], "--walk-in")
    assert code == 0 and "王小明" in out
    marks = run_json(capsys, "--db", str(db), "attendance", "list", "--lesson", lesson_id)
    assert walk_in in [m["trainee_id"] for m in marks]


# -- courses, classes, lessons ---------------------------------------------------------------------
def test_class_with_lessons_enroll_and_completion(capsys, db):
    args = ["--db", str(db)]
    code, course_id, err = run(capsys, *args, "courses", "add", "--code", "ec900", "--title",
                               "网店美工", "--hours", "8", "--min-share", "75")
    assert (code, err) == (0, "")
    course = next(c for c in run_json(capsys, *args, "courses", "list") if c["code"] == "EC900")
    assert (course["id"], course["min_share"]) == (course_id.strip(), 0.75)

    code, out, err = run(capsys, *args, "classes", "add", "--course", "EC900", "--start",
                         "2025-03-01", "--end", "2025-03-02", "--trainer", "刘建华",
                         "--lesson", "2025-03-01 09:00 4 开店准备",
                         "--lesson", "2025-03-02 14:00 4")
    assert (code, err) == (0, ""), err
    class_id = out.strip()
    new_class = next(c for c in run_json(capsys, *args, "classes", "list")
                     if c["id"] == class_id)
    assert (new_class["title"], new_class["lessons"], new_class["hours"]) == ("网店美工", 2, 8)
    lessons = run_json(capsys, *args, "lessons", "list", "--class", class_id)
    assert [(x["date"], x["start_time"], x["topic"]) for x in lessons] == [
        ("2025-03-01", "09:00", "开店准备"), ("2025-03-02", "14:00", "")]

    first = add_trainee(capsys, db, "王小明", VALID_ID)
    second = add_trainee(capsys, db, "张三", idcard.make("411025", dt.date(1985, 6, 1), 3, "F"))
    code, out, err = run(capsys, *args, "classes", "enroll", class_id, first, second)
    assert (code, err, out) == (0, "", "Enrolled 2 trainees.\n")
    code, out, _err = run(capsys, *args, "attendance", "all-present", "--lesson",
                          lessons[0]["id"], "--except", second)
    assert (code, out) == (0, "Marked 1 trainee present.\n")
    run(capsys, *args, "attendance", "mark", "--lesson", lessons[1]["id"], "--trainee", first,
        "--status", "late")
    run(capsys, *args, "attendance", "mark", "--lesson", lessons[1]["id"], "--trainee", second,
        "--status", "present")

    report = {r["trainee_id"]: r for r in run_json(capsys, *args, "classes", "completion",
                                                    class_id)}
    assert set(report) == {first, second}
    assert (report[first]["attended_hours"], report[first]["completed"]) == (8, True)
    assert (report[second]["attended_hours"], report[second]["completed"]) == (4, False)
    assert report[second]["scheduled_hours"] == 8

    # cancelling the lesson the second trainee missed: 4 of 4 scheduled hours, completed
    code, out, _err = run(capsys, *args, "lessons", "cancel", lessons[0]["id"])
    assert code == 0
    report = {r["trainee_id"]: r for r in run_json(capsys, *args, "classes", "completion",
                                                    class_id)}
    assert report[second]["completed"] is True
    code, table, _err = run(capsys, *args, "classes", "completion", class_id)
    assert code == 0 and "2 of 2 completed" in table

    code, out, _err = run(capsys, *args, "classes", "unenroll", class_id, second)
    assert out == "Took 1 trainee out of the class.\n"
    assert [r["trainee_id"] for r in run_json(capsys, *args, "classes", "completion",
                                              class_id)] == [first]


def test_edit_commands(capsys, db):
    args = ["--db", str(db)]
    trainee_id = add_trainee(capsys, db, "王小明", VALID_ID)
    assert run(capsys, *args, "trainees", "edit", trainee_id, "--phone", "13900001111",
               "--poor")[0] == 0
    shown = run_json(capsys, *args, "trainees", "show", trainee_id, "--reveal")
    assert (shown["phone"], shown["poor_household"]) == ("13900001111", True)
    before = digest(db)
    assert "Nothing to change" in refused(capsys, *args, "trainees", "edit", trainee_id)
    assert "--birth-date" in refused(capsys, *args, "trainees", "edit", trainee_id,
                                     "--birth-date", "1991-01-01")
    assert digest(db) == before

    assert run(capsys, *args, "courses", "edit", "EC101", "--title", "开设网店（新版）")[0] == 0
    course = next(c for c in run_json(capsys, *args, "courses", "list") if c["code"] == "EC101")
    assert course["title"] == "开设网店（新版）"

    class_row = run_json(capsys, *args, "classes", "list")[0]
    class_id, start, end = class_row["id"], class_row["start_date"], class_row["end_date"]
    assert run(capsys, *args, "classes", "status", class_id, "cancelled")[0] == 0
    assert next(c for c in run_json(capsys, *args, "classes", "list")
                if c["id"] == class_id)["status"] == "cancelled"
    assert "cancelled" in refused(capsys, *args, "classes", "enroll", class_id, trainee_id)

    assert "lessons must fall within" in refused(
        capsys, *args, "lessons", "add", "--class", class_id, "--date", "2001-05-01",
        "--start", "09:00", "--hours", "3")
    code, lesson_id, _err = run(capsys, *args, "lessons", "add", "--class", class_id, "--date",
                                start, "--start", "09:00", "--hours", "3")
    assert code == 0
    assert run(capsys, *args, "lessons", "move", lesson_id.strip(), "--date", end,
               "--start", "14:30")[0] == 0
    moved = next(x for x in run_json(capsys, *args, "lessons", "list", "--class", class_id)
                 if x["id"] == lesson_id.strip())
    assert (moved["date"], moved["start_time"]) == (end, "14:30")

    assert run(capsys, *args, "trainees", "delete", trainee_id)[0] == 0
    assert trainee_id not in [r["id"] for r in run_json(capsys, *args, "trainees", "list")]


# -- language -----------------------------------------------------------------------------------
def test_chinese_messages(capsys, tmp_path):
    if not (paths.translations_dir() / "zh_CN.po").exists():
        pytest.skip("translations/zh_CN.po is not written yet")
    i18n.set_language("zh_CN")
    template = "The database {path} does not exist. Check the path, or create a demo station " \
               "with the 'demo' command."
    if i18n._(template) == template:
        pytest.skip("the missing-database message is not translated yet")
    path = tmp_path / "station.db"
    assert main(["--lang", "zh_CN", "--db", str(path), "trainees", "list"]) == 2
    err = capsys.readouterr().err
    assert err.strip().endswith(i18n._(template).format(path=path).strip())
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err)


def test_language_option_translates_help_and_errors(capsys, tmp_path, monkeypatch):
    """With a stand-in catalog, so this holds whatever the real translations say."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(locale="zh_CN")
    catalog.add("list trainees", "列出学员")
    catalog.add("error: {message}", "错误：{message}")
    catalog.add("No {kind} with id {key}.", "没有编号为 {key} 的{kind}。")
    catalog.add("lesson", "课次")
    folder = tmp_path / "translations"
    folder.mkdir()
    with (folder / "zh_CN.po").open("wb") as fh:
        write_po(fh, catalog)
    monkeypatch.setattr(paths, "translations_dir", lambda: folder)
    db = tmp_path / "station.db"
    Store(db, create=True).close()

    assert main(["--lang", "zh_CN", "trainees", "--help"]) == 0
    assert "列出学员" in capsys.readouterr().out
    assert main(["--db", str(db), "--lang", "zh_CN", "lessons", "cancel", "L1"]) == 2
    assert capsys.readouterr().err == "错误：没有编号为 L1 的课次。\n"


def test_window_fast_path_takes_only_window_options():
    from trainer_app.__main__ import window_options

    assert window_options([]) == {}
    assert window_options(["--db", "x.db", "--lang", "en"]) == {"--db": "x.db", "--lang": "en"}
    assert window_options(["--db=x.db"]) == {"--db": "x.db"}
    assert window_options(["--lang", "fr"]) is None  # the CLI reports the bad choice
    assert window_options(["--db"]) is None
    assert window_options(["--db", "x.db", "trainees", "list"]) is None
    assert window_options(["--help"]) is None


def test_courses_search_retire_and_restore(capsys, db):
    found = run_json(capsys, "--db", str(db), "courses", "list", "--search", "kswd")
    assert [c["code"] for c in found] == ["EC101"] and found[0]["retired"] is False
    code, out, _err = run(capsys, "--db", str(db), "courses", "retire", "EC101")
    assert code == 0 and out.strip() == (
        "Course EC101 retired: no new class can be scheduled for it.")
    assert "EC101" not in [c["code"] for c in run_json(capsys, "--db", str(db), "courses",
                                                       "list")]
    every = run_json(capsys, "--db", str(db), "courses", "list", "--all")
    retired = next(c for c in every if c["code"] == "EC101")
    assert retired["retired"] is True and retired["retired_on"]
    _code, out, _err = run(capsys, "--db", str(db), "courses", "list", "--all", "--search",
                           "EC101")
    assert i18n.format_date(retired["retired_on"]) in out and "1 course" in out
    # a retired course: retired again, or taken by a new class, is refused and changes nothing
    before = digest(db)
    assert "EC101 is retired already" in refused(capsys, "--db", str(db), "courses", "retire",
                                                 "EC101")
    line = refused(capsys, "--db", str(db), "classes", "add", "--course", "EC101",
                   "--start", "2027-03-01", "--end", "2027-03-02")
    assert "Course EC101 is retired" in line
    assert digest(db) == before
    code, out, _err = run(capsys, "--db", str(db), "courses", "restore", "EC101")
    assert code == 0 and out.strip() == "Course EC101 is offered again."
    code, out, _err = run(capsys, "--db", str(db), "classes", "add", "--course", "EC101",
                          "--start", "2027-03-01", "--end", "2027-03-02")
    assert code == 0


def test_certificates_list_by_class(capsys, db):
    store = Store(db)
    try:
        done = [c for c in classes.list_all(store) if c["status"] == "finished"]
        for c in done:
            try:
                certificates.issue(store, c["id"])
            except ServiceError:
                continue
    finally:
        store.close()
    every = run_json(capsys, "--db", str(db), "certificates", "list")
    class_id = every[0]["class_id"]
    one = run_json(capsys, "--db", str(db), "certificates", "list", "--class", class_id)
    assert one and [c["serial"] for c in one] == [
        c["serial"] for c in every if c["class_id"] == class_id]
    assert {c["class_title"] for c in one} == {every[0]["class_title"]} and one[0]["class_title"]
    assert len(one) < len(every)
    # a class that does not exist is said so, not listed as empty
    code, out, err = run(capsys, "--db", str(db), "certificates", "list", "--class", "nope")
    assert (code, out) == (2, "") and "No class with id nope" in err
