"""``trainees import`` and ``trainees template``: counts and problems as JSON, exit codes 0, 1
and 2, a dry run and a refused file leave the database unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from tests.sheets import committee_xlsx, db_digest
from trainer_app import i18n
from trainer_app.cli import main
from trainer_app.services import classes
from trainer_app.store import Store

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


@pytest.fixture
def db(demo_store) -> Path:
    demo_store.close()
    return demo_store.path


def run(capsys, db: Path, *args: str, lang: str = "en") -> tuple[int, str, str]:
    code = main(["--lang", lang, "--db", str(db), "trainees", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_json_counts_problems_and_exit_1(capsys, db, tmp_path):
    rejects = tmp_path / "back.xlsx"
    code, out, err = run(capsys, db, "import", str(DATA / "committee_gbk.csv"), "--json",
                         "--rejects", str(rejects))
    assert (code, err) == (1, "")
    report = json.loads(out)
    assert {k: report[k] for k in ("new", "updated", "unchanged", "duplicate", "invalid")} == {
        "new": 3, "updated": 0, "unchanged": 0, "duplicate": 0, "invalid": 1}
    assert report["problems"][0]["row"] == 4
    assert "as a number" in report["problems"][0]["reasons"][0]
    rows = list(openpyxl.load_workbook(rejects).active.iter_rows(values_only=True))
    assert rows[1][0] == "张伟"
    code, out, err = run(capsys, db, "list", "--search", "wangxiaoming", "--json")
    assert [r["name"] for r in json.loads(out)] == ["王小明"]


def test_everything_imported_or_unchanged_exits_0(capsys, db):
    code, out, _err = run(capsys, db, "import", str(DATA / "committee.xls"))
    assert code == 0 and "Imported: 4 new, 0 updated." in out
    code, out, _err = run(capsys, db, "import", str(DATA / "committee.ods"), "--json")
    report = json.loads(out)  # the .ods also has notes: 李秀英's are added
    assert code == 0 and (report["unchanged"], report["updated"]) == (3, 1)


def test_dry_run_writes_nothing(capsys, db):
    before = db_digest(db)
    code, out, _err = run(capsys, db, "import", str(DATA / "committee.xls"), "--dry-run",
                          lang="zh_CN")
    assert code == 0 and "新增" in out and "试运行" in out
    assert db_digest(db) == before


@pytest.mark.parametrize("name", ["list.et", "broken.xlsx"])
def test_unreadable_file_exits_2_with_one_line(capsys, db, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    before = db_digest(db)
    code, out, err = run(capsys, db, "import", str(path))
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("error: ")
    assert name in err
    assert db_digest(db) == before


def test_map_a_column_and_enroll_in_a_class(capsys, db, tmp_path):
    path = committee_xlsx(tmp_path / "list.xlsx")
    code, out, err = run(capsys, db, "import", str(path), "--dry-run", "--json")
    assert code == 1 and json.loads(out)["invalid"] == 4  # "住址" is not known: no village
    store = Store(db)
    running = next(c for c in classes.list_all(store) if c["status"] == "running")
    store.close()
    code, out, err = run(capsys, db, "import", str(path), "--map", "住址=village", "--map",
                         "J=-", "--class", running["id"], "--json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["new"] == 4 and report["enrolled"] == 4
    code, out, err = run(capsys, db, "import", str(path), "--map", "Z=village")
    assert code == 2 and "no column Z" in err


def test_template(capsys, db, tmp_path):
    out_file = tmp_path / "blank.xlsx"
    code, out, err = run(capsys, db, "template", "--out", str(out_file), lang="zh_CN")
    assert code == 0 and out_file.exists()
    assert openpyxl.load_workbook(out_file).sheetnames == ["学员名单", "填写说明"]
    code, out, err = run(capsys, db, "template", "--out", str(tmp_path / "no" / "x.xlsx"))
    assert code == 2 and "does not exist" in err


def test_sheet_option(capsys, db):
    code, out, err = run(capsys, db, "import", str(DATA / "committee.xls"), "--sheet", "报名表",
                         "--dry-run", "--json")
    assert code == 0 and json.loads(out)["new"] == 4
    for sheet, message in (("说明", "Choose the columns"), ("Sheet9", "no sheet called Sheet9")):
        code, out, err = run(capsys, db, "import", str(DATA / "committee.xls"), "--sheet", sheet)
        assert code == 2 and message in err and err.count("\n") == 1
