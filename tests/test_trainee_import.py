"""Importing committees' lists: real files of every kind (made by xlwt, odfpy, openpyxl and as
Excel writes CSV), what real files contain, bad files refused with the database unchanged, and
the workbooks written back."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.styles import PatternFill

from tests.sheets import PEOPLE, committee_xlsx, db_digest
from trainer_app import cancel, i18n
from trainer_app.domain import idcard
from trainer_app.services import classes, trainees
from trainer_app.services import trainee_import as ti
from trainer_app.services.errors import ServiceError
from trainer_app.services.sheet_reader import SheetError
from trainer_app.services.trainee_import_files import write_rejects, write_template

DATA = Path(__file__).resolve().parent / "data"
# What the four people of tests/data/make_fixtures.py are once imported.
EXPECTED = {
    "41102519900307137X": ("王小明", "M", "1990-03-07", "13812345678", "王坪村", "一组", True,
                           "Junior middle school"),
    "410102198805120028": ("李秀英", "F", "1988-05-12", "13900001111", "王坪村", "二组", False,
                           "Senior middle school"),
    "410102197511230016": ("张伟", "M", "1975-11-23", None, "张庄村", "三组", True,
                           "Primary school"),
    "410102200001010026": ("赵丽", "F", "2000-01-01", "15000002222", "张庄村", "", False,
                           "College or above"),
}


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def plan_of(store, path: Path, sheet: str | None = None, mapping=None) -> ti.Preview:
    book = ti.open_list(path)
    return ti.preview(store, book.sheet(sheet), mapping, path=path)


def imported(store, path: Path, **kwargs) -> tuple[ti.Preview, ti.Outcome]:
    plan = plan_of(store, path)
    return plan, ti.apply(store, plan, **kwargs)


def fields(row: dict) -> tuple:
    return (row["name"], row["gender"], row["birth_date"], row["phone"], row["village"],
            row["village_group"], bool(row["poor_household"]), row["education"])


def check_people(store, numbers) -> None:
    for number in numbers:
        found = trainees.search(store, number)
        assert len(found) == 1, number
        assert found[0]["id_number"] == number
        assert fields(found[0]) == EXPECTED[number], number


# -- every kind of file ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["committee.xls", "committee.ods", "committee_utf8_bom.csv"])
def test_fixture_files_import_field_by_field(store, name):
    plan, outcome = imported(store, DATA / name)
    assert plan.counts()["new"] == 4 and outcome.added == 4
    check_people(store, EXPECTED)
    again = plan_of(store, DATA / name)
    assert again.counts()["unchanged"] == 4  # the same list twice changes nothing


def test_xls_title_row_and_variant_headers(store):
    plan = plan_of(store, DATA / "committee.xls")
    assert plan.sheet == "报名表" and plan.header_row == 3
    assert plan.mapping == [None, "name", "gender", "id_number", "birth_date", "phone",
                            "village", "village_group", "poor_household", "education"]
    assert [r.number for r in plan.rows] == [4, 5, 6, 7]
    assert ti.open_list(DATA / "committee.xls").sheet_names == ["报名表", "说明"]


def test_gbk_csv_with_an_id_number_excel_turned_into_a_number(store):
    plan, outcome = imported(store, DATA / "committee_gbk.csv")
    assert plan.counts() == {"new": 3, "updated": 0, "unchanged": 0, "duplicate": 0,
                             "invalid": 1}
    bad = plan.left_out()[0]
    assert bad.number == 4
    assert "4.11025E+17" in plan.reasons(bad)[0] and "text" in plan.reasons(bad)[0]
    check_people(store, [n for n in EXPECTED if n != "410102197511230016"])
    assert not trainees.search(store, "张伟")


def test_xlsx_with_a_title_merged_cells_and_hidden_rows(store):
    path = DATA / "committee_title.xlsx"
    book = openpyxl.load_workbook(path)
    assert "G4:G5" in {str(r) for r in book.active.merged_cells.ranges}
    assert book.active["G5"].value is None  # the village is in the merged range's first cell
    plan = plan_of(store, path, mapping=[None, "name", "gender", "id_number", "birth_date",
                                         "phone", "village", "village_group", "poor_household",
                                         "education", "notes"])
    assert plan.header_row == 3
    ti.apply(store, plan)
    check_people(store, EXPECTED)  # the hidden row and column are imported like the others


def test_workbook_with_id_numbers_stored_as_numbers(store):
    plan, outcome = imported(store, DATA / "ids_as_numbers.xlsx")
    assert outcome.added == 1
    assert [r.number for r in plan.left_out()] == [2, 4]
    for row in plan.left_out():
        (message,) = plan.reasons(row)
        assert message.startswith("身份证号: Excel stored this ID number as a number")
        assert "as text" in message
    assert trainees.search(store, "王小明") == []  # never guessed
    (li,) = trainees.search(store, "410102198805120028")
    assert (li["name"], li["gender"], li["birth_date"], li["village"]) == (
        "李秀英", "F", "1988-05-12", "王坪村")


def test_cells_as_committees_type_them(store, tmp_path):
    wang = "41102519900307137X"
    li = "410102198805120028"
    path = tmp_path / "cells.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号码", "出生日期", "手机号码", "所在村", "建档立卡", "性别"])
    sheet.append([" 王小明\u00a0", " 411025 19900307137x ", "1990.3.7", "'138 1234 5678",
                  "王坪村 ", "Y", "男"])
    sheet.append(["李秀英", "\u00a0４１０１０２１９８８０５１２００２８", "1988年5月12日",
                  "139-0000-1111", "王坪村", "×", "女"])
    sheet.append(["张伟", "410102197511230016", "19751124", "", "张庄村", "有", "男"])
    sheet.append(["赵丽", "410102200001010026", 36526, "", "张庄村", "maybe", "女"])
    sheet.append(["钱多", "410102199901011234", "", "", "张庄村", 0, "女"])
    book.save(path)
    plan = plan_of(store, path)
    kinds = {r.number: r.kind for r in plan.rows}
    assert kinds == {2: ti.Kind.NEW, 3: ti.Kind.NEW, 4: ti.Kind.INVALID, 5: ti.Kind.INVALID,
                     6: ti.Kind.INVALID}
    by_number = {r.number: r for r in plan.rows}
    assert by_number[2].trainee.id_number == wang and by_number[2].trainee.name == "王小明"
    assert by_number[2].trainee.phone == "13812345678" and by_number[2].trainee.poor_household
    assert by_number[3].trainee.id_number == li and by_number[3].trainee.birth_date == "1988-05-12"
    assert by_number[3].trainee.phone == "13900001111" and not by_number[3].trainee.poor_household
    # a birth date that disagrees with the ID number is shown on the birth date's cell
    assert by_number[4].problems == {2: "The birth date differs from the one in the ID number."}
    assert set(by_number[5].problems) == {5}  # 2000-01-01 from serial 36526 is right
    assert "maybe" in by_number[5].problems[5]
    assert set(by_number[6].problems) == {1}  # a check character that does not match
    assert "check character" in by_number[6].problems[1]


def test_formulas_give_their_values(store, tmp_path):
    path = tmp_path / "formulas.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "身份证号", "村", "组"])
    sheet.write_string(1, 0, "王小明")
    sheet.write_string(1, 1, "41102519900307137X")
    sheet.write_formula(1, 2, '="王坪"&"村"', None, "王坪村")
    sheet.write_formula(1, 3, '=CONCATENATE("一","组")', None, "一组")
    book.close()
    plan, _outcome = imported(store, path)
    assert plan.counts()["new"] == 1
    row = trainees.search(store, "41102519900307137X")[0]
    assert (row["village"], row["village_group"]) == ("王坪村", "一组")


def test_blank_formatted_rows_at_the_end_are_not_rows(store, tmp_path):
    path = committee_xlsx(tmp_path / "list.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    fill = PatternFill("solid", fgColor="FFFF00")
    for row in range(8, 1008):
        for col in range(1, 12):
            sheet.cell(row, col).fill = fill
            sheet.cell(row, col).number_format = "@"
    sheet.cell(1007, 5).value = ""
    book.save(path)
    mapping = [None, "name", None, "id_number", None, None, "village"]
    plan = plan_of(store, path, mapping=mapping)
    assert len(plan.rows) == 4


def test_empty_sheet_and_sheet_with_only_headers(store, tmp_path):
    path = tmp_path / "empty.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "空"
    headers = book.create_sheet("只有表头")
    headers.append(["姓名", "身份证号", "村"])
    book.save(path)
    before = db_digest(store.path)
    with pytest.raises(ServiceError, match="empty"):
        plan_of(store, path, "空")
    with pytest.raises(ServiceError, match="no trainees"):
        plan_of(store, path, "只有表头")
    with pytest.raises(SheetError, match="no sheet called"):
        plan_of(store, path, "Sheet9")
    assert db_digest(store.path) == before


def test_a_list_without_an_id_number_column_asks_for_it(store, tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("姓名,村\n王小明,王坪村\n", encoding="utf-8")
    with pytest.raises(ServiceError, match="ID number"):
        plan_of(store, path)


# -- bad files ---------------------------------------------------------------------------------
def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"<row/>" * 100_000
            for _ in range(600):  # 360 MB expanded, ~1 MB on disk
                member.write(block)


def _declares_gigabytes(path: Path) -> None:
    """A small ZIP whose headers say its sheet expands to 3 GB (as a bomb's do)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 1000)
    data = bytearray(path.read_bytes())
    size = (3 * 10**9).to_bytes(4, "little")
    data[22:26] = size  # the local header's uncompressed size
    central = data.index(b"PK\x01\x02")
    data[central + 24:central + 28] = size  # the central directory's
    path.write_bytes(bytes(data))


def _million_rows(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "身份证号", "村"])
    sheet.write_string(999_999, 0, "王小明")
    book.close()


def _encrypted(path: Path) -> None:
    # The start of an OLE compound file, as Excel and WPS keep a password-protected .xlsx
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
                     + "EncryptionInfo".encode("utf-16-le") + b"\0" * 1024)


BAD_FILES = {
    "truncated.xlsx": (lambda p: p.write_bytes(
        (DATA.parent / "data" / "committee.ods").read_bytes()[:900]), "damaged"),
    "not-a-sheet.xlsx": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100), "damaged"),
    "text.xls": (lambda p: p.write_text("姓名,身份证号", encoding="utf-8"), "damaged"),
    "protected.xlsx": (_encrypted, "password"),
    "bomb.xlsx": (_zip_bomb, "expands to more than"),
    "gigabytes.xlsx": (_declares_gigabytes, "expands to more than"),
    "million.xlsx": (_million_rows, "1000000 rows"),
    "million.csv": (lambda p: p.write_text("姓名,身份证号,村\n" + "王小明,1,王坪村\n" * 1_000_000,
                                           encoding="utf-8"), "rows"),
    "binary.csv": (lambda p: p.write_bytes(bytes(range(256)) * 4), "neither UTF-8 nor GBK"),
    "list.et": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100), "save it as"),
    "list.numbers": (lambda p: p.write_bytes(b"PK\x03\x04"), "save it as"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_are_refused_with_one_message(store, tmp_path, name):
    make, expected = BAD_FILES[name]
    path = tmp_path / name
    make(path)
    before = db_digest(store.path)
    with pytest.raises(SheetError) as refused:
        plan_of(store, path)
    message = str(refused.value)
    assert expected in message and name in message
    assert "\n" not in message
    assert db_digest(store.path) == before


# -- updates, duplicates, classes, cancel --------------------------------------------------------
def test_update_duplicate_and_blank_cells_that_erase_nothing(store, tmp_path):
    trainees.register(store, trainees.Trainee(
        name="王小明", id_number="41102519900307137X", phone="13700000000", village="王坪村",
        notes="老学员"))
    trainees.register(store, trainees.Trainee(
        name="李秀英", id_number="410102198805120028", phone="13900001111", village="王坪村",
        village_group="二组", education="Senior middle school"))
    people = [*PEOPLE, PEOPLE[3]]
    path = committee_xlsx(tmp_path / "list.xlsx", people=people)
    mapping = [None, "name", "gender", "id_number", "birth_date", "phone", "village",
               "village_group", "poor_household", "education", "notes"]
    plan = plan_of(store, path, mapping=mapping)
    assert plan.counts() == {"new": 2, "updated": 1, "unchanged": 1, "duplicate": 1,
                             "invalid": 0}
    update = plan.rows[0]
    assert update.kind is ti.Kind.UPDATED
    assert update.changes == ("phone", "village_group", "poor_household", "education")
    duplicate = plan.rows[-1]
    assert duplicate.kind is ti.Kind.DUPLICATE
    assert plan.reasons(duplicate) == ["公民身份号码: The same ID number as row 7 of this list."]
    outcome = ti.apply(store, plan)
    assert (outcome.added, outcome.updated) == (2, 1)
    wang = trainees.search(store, "41102519900307137X")[0]
    assert wang["phone"] == "13812345678" and wang["notes"] == "老学员"  # blank notes kept


def test_enroll_in_a_class_in_the_same_transaction(demo_store, tmp_path):
    running = next(c for c in classes.list_all(demo_store) if c["status"] == "running")
    plan, outcome = imported(demo_store, DATA / "committee.ods", class_id=running["id"])
    enrolled = {t["id"] for t in classes.enrolled(demo_store, running["id"])}
    assert outcome.enrolled == 4 and set(outcome.trainee_ids) <= enrolled
    cancelled = next(c for c in classes.list_all(demo_store) if c["status"] == "planned")
    classes.set_status(demo_store, cancelled["id"], "cancelled")
    before = db_digest(demo_store.path)
    plan = plan_of(demo_store, DATA / "committee.xls")
    with pytest.raises(ServiceError, match="cancelled"):
        ti.apply(demo_store, plan, class_id=cancelled["id"])
    assert db_digest(demo_store.path) == before


def test_cancel_and_dry_preview_write_nothing(demo_store, tmp_path):
    people = [(f"学员{i}", idcard.make("410102", dt.date(1960, 1, 1) + dt.timedelta(days=i), i,
                                     "F"), None, None, "王坪村", "", "", "") for i in range(1200)]
    path = committee_xlsx(tmp_path / "big.xlsx", people=people)
    before = db_digest(demo_store.path)
    plan = plan_of(demo_store, path, mapping=[None, "name", None, "id_number", None, None,
                                               "village"])
    assert plan.counts()["new"] == 1200
    assert db_digest(demo_store.path) == before  # the preview wrote nothing
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2  # after some rows were written inside the transaction

    with pytest.raises(cancel.Cancelled):
        ti.apply(demo_store, plan, progress=lambda d, t: None, cancelled=cancelled)
    assert db_digest(demo_store.path) == before
    with pytest.raises(cancel.Cancelled):
        ti.preview(demo_store, ti.open_list(path).sheet(), cancelled=lambda: True)


def test_registered_since_the_preview_writes_nothing(store):
    plan = plan_of(store, DATA / "committee.ods")
    trainees.register(store, trainees.Trainee(name="王小明", id_number="41102519900307137X",
                                              village="王坪村"))
    before = db_digest(store.path)
    with pytest.raises(ServiceError, match="since the preview"):
        ti.apply(store, plan)
    assert db_digest(store.path) == before


def test_the_last_mapping_is_remembered(store, tmp_path):
    path = committee_xlsx(tmp_path / "list.xlsx")
    headers = ti.open_list(path).sheet().rows[2]
    assert ti.suggested_mapping(store, headers)[6] is None  # "住址": not known
    mapping = ti.suggested_mapping(store, headers)
    mapping[6], mapping[9] = "village", None  # and the operator skips the education column
    ti.apply(store, plan_of(store, path, mapping=mapping))
    assert ti.suggested_mapping(store, headers) == mapping


def test_reasons_in_chinese(store):
    i18n.set_language("zh_CN")
    plan = plan_of(store, DATA / "committee_gbk.csv")
    (reason,) = plan.reasons(plan.left_out()[0])
    assert reason.startswith("身份证号：") and "文本" in reason


# -- the workbooks written ---------------------------------------------------------------------
def test_rows_to_correct_keep_the_original_columns_and_say_why(store, tmp_path):
    path = committee_xlsx(tmp_path / "list.xlsx", extra=[
        [5, "孙强", "男", 411025199003071000, "", "", "王坪村", "", "", "", ""],
        [6, "周敏", "女", "410102199901011234", "", "13812345", "王坪村", "", "", "", ""],
    ])
    plan = plan_of(store, path, mapping=[None, "name", "gender", "id_number", "birth_date",
                                         "phone", "village"])
    plan.rows[0].include = False
    out = tmp_path / "back.xlsx"
    assert write_rejects(plan, out) == 3
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ["序号", "姓名", "性别", "公民身份号码", "出生日期", "联系电话", "住址",
                             "村民小组", "贫困户", "学历", "备注", "What to correct"]
    assert rows[1][1] == "王小明" and rows[1][3] == "41102519900307137X"
    assert rows[1][-1] == "Row 4: Left out at the station."
    assert rows[3][1] == "周敏" and rows[3][3] == "410102199901011234"  # text, all 18 characters
    assert "Row 9: 公民身份号码: The check character" in rows[3][-1]
    assert "联系电话: A mobile number has 11 digits" in rows[3][-1]
    assert sheet["D4"].number_format == "@"
    assert "as a number" in rows[2][-1]
    assert rows[2][3] == "411025199003071000"  # as Excel shows it: 15 digits kept, no more


def test_template_is_read_back_by_the_importer(store, tmp_path):
    i18n.set_language("zh_CN")
    out = tmp_path / "template.xlsx"
    write_template(out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["学员名单", "填写说明"]
    header = [c.value for c in book.active[1]]
    assert header[:3] == ["姓名", "性别", "身份证号"]
    assert book.active.column_dimensions["C"].number_format == "@"  # typed later: text
    notes = [r[1] for r in book["填写说明"].iter_rows(min_row=2, max_row=11, values_only=True)]
    assert len(notes) == 10 and all(notes)
    plan = plan_of(store, out)
    assert plan.mapping == ["name", "gender", "id_number", "birth_date", "phone", "village",
                            "village_group", "poor_household", "education", "notes"]
    assert [r.kind for r in plan.rows] == [ti.Kind.NEW]
