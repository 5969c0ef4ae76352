"""Committee lists as real files for the import tests, written with openpyxl (a library the
importer does not use) the way Excel or WPS lays them out."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import openpyxl

HEADERS = ["序号", "姓名", "性别", "公民身份号码", "出生日期", "联系电话", "住址", "村民小组",
           "贫困户", "学历", "备注"]
# (name, ID number, birth date cell, phone cell, village, group, poor, education)
PEOPLE = [
    ("王小明", "41102519900307137X", dt.date(1990, 3, 7), "13812345678", "王坪村", "一组", "是",
     "初中"),
    ("李秀英", "410102198805120028", "1988/5/12", 13900001111, "王坪村", "二组", "否", "高中"),
    ("张伟", "410102197511230016", None, None, "张庄村", "三组", "√", "小学"),
    ("赵丽", "410102200001010026", 36526, "150 0000 2222", "张庄村", "", "", "大专"),
]


def committee_xlsx(path: Path, people=PEOPLE, title: str = "王坪村电商培训报名表",
                   extra: list[list] | None = None) -> Path:
    """A title merged over the first row, a blank row, the headers in row 3, then a row per
    person; "住址" is a header the importer does not know (the mapping step names it)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "报名表"
    sheet["A1"] = title
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append([])
    sheet.append(HEADERS)
    for i, (name, id_number, birth, phone, village, group, poor, edu) in enumerate(people, 1):
        sheet.append([i, name, "", id_number, birth, phone, village, group, poor, edu, ""])
    for row in extra or []:
        sheet.append(row)
    book.save(path)
    return path


def db_digest(path: Path) -> str:
    """A digest of every row of every table (the database's contents, not its file layout)."""
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()
