"""Makes the spreadsheet fixtures of tests/data with programs other than our importer's reader.

Run once with Debian's system Python and its packages (not the project's virtualenv):

    apt-get install python3-xlwt python3-odf python3-openpyxl
    /usr/bin/python3 tests/data/make_fixtures.py

- ``committee.xls``: xlwt (BIFF8, what old Excel and WPS save), a merged title row, dates as
  Excel date serials, yes/no as √/×, an ID number with a lower-case x, full-width digits.
- ``committee.ods``: odfpy (OpenDocument), dates as ``office:date-value``, Y/N and 1/0.
- ``committee_gbk.csv``: the bytes Excel on a Chinese Windows writes (GBK, CRLF); one ID
  number shows as ``4.11025E+17``, as Excel writes a number it displays that way.
- ``committee_utf8_bom.csv``: UTF-8 with a byte-order mark, dates as ``1990年3月7日`` and
  ``19900307``, spaces and apostrophes inside numbers.
- ``committee_title.xlsx``: openpyxl, the layout of ``tests/sheets.py``: a title merged over
  row 1, a blank row, headers in row 3 (one the importer does not know, 住址), the village merged
  over two rows, a hidden row and a hidden column, dates as dates, serials and text.
- ``ids_as_numbers.xlsx``: openpyxl, ID numbers typed into Excel as numbers (what Excel keeps:
  15 significant digits), one shown in scientific format.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name, gender, ID number, phone, village, group, poor, education, notes (all valid people)
PEOPLE = [
    ("王小明", "男", "41102519900307137X", "13812345678", "王坪村", "一组", True, "初中", ""),
    ("李秀英", "女", "410102198805120028", "13900001111", "王坪村", "二组", False, "高中",
     "会开车"),
    ("张伟", "男", "410102197511230016", "", "张庄村", "三组", True, "小学", ""),
    ("赵丽", "女", "410102200001010026", "15000002222", "张庄村", "", False, "大专", ""),
]


def make_xls() -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("报名表")
    book.add_sheet("说明").write(0, 0, "村委会填写")
    sheet.write_merge(0, 0, 0, 9, "王坪村电商培训报名表")
    headers = ["序号", "姓名", "性别", "身份证号码", "出生日期", "联系电话", "所在村", "村民小组",
               "是否建档立卡贫困户", "文化程度"]
    for col, text in enumerate(headers):
        sheet.write(2, col, text)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    ids = ["41102519900307137x", "４１０１０２１９８８０５１２００２８", "410102 1975 1123 0016",
           "410102200001010026"]
    for i, (name, gender, _, phone, village, group, poor, edu, _notes) in enumerate(PEOPLE):
        row = 3 + i
        sheet.write(row, 0, i + 1)
        sheet.write(row, 1, name)
        sheet.write(row, 2, gender)
        sheet.write(row, 3, ids[i])
        birth = dt.date(int(PEOPLE[i][2][6:10]), int(PEOPLE[i][2][10:12]), int(PEOPLE[i][2][12:14]))
        sheet.write(row, 4, birth, date_style)  # a date serial with a date format
        if phone:
            sheet.write(row, 5, int(phone))  # a number, as typed into Excel
        sheet.write(row, 6, village)
        sheet.write(row, 7, group)
        sheet.write(row, 8, "√" if poor else "×")
        sheet.write(row, 9, edu)
    book.save(str(HERE / "committee.xls"))


def make_ods() -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="学员")

    def row(values: list[object]) -> None:
        tr = TableRow()
        for value in values:
            if isinstance(value, dt.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
                cell.addElement(P(text=value.isoformat()))
            elif isinstance(value, int):
                cell = TableCell(valuetype="float", value=str(value))
                cell.addElement(P(text=str(value)))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)

    row(["Name", "Gender", "ID number", "Date of birth", "Mobile", "Village", "Group",
         "Poor household", "Education", "Notes"])
    for i, (name, gender, id_number, phone, village, group, poor, edu, notes) in enumerate(PEOPLE):
        birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        row([name, "M" if gender == "男" else "F", id_number, birth, phone, village, group,
             ("Y" if poor else "N") if i % 2 else (1 if poor else 0), edu, notes])
    doc.spreadsheet.addElement(table)
    doc.save(str(HERE / "committee.ods"))


def make_csvs() -> None:
    header = "姓名,性别,身份证号,手机号,行政村,组,贫困户,学历,备注"
    lines = [header]
    for i, (name, gender, id_number, phone, village, group, poor, edu, notes) in enumerate(PEOPLE):
        shown = "4.11025E+17" if i == 2 else id_number  # Excel saved a number as displayed
        lines.append(",".join([name, gender, shown, phone, village, group, "是" if poor else "否",
                               edu, notes]))
    (HERE / "committee_gbk.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))

    header = "名字,身份证,出生日期,联系电话,村,村民小组,脱贫户,文化程度,备注"
    births = ["1990年3月7日", "19880512", "1975.11.23", "2000/1/1"]
    lines = [header]
    for i, (name, _g, id_number, phone, village, group, poor, edu, notes) in enumerate(PEOPLE):
        spaced = "'" + id_number[:6] + " " + id_number[6:] if i == 0 else id_number + "\u00a0 "
        shown_phone = f"{phone[:3]} {phone[3:7]} {phone[7:]}" if phone else ""
        lines.append(",".join([name, spaced, births[i], shown_phone, village, group,
                               "有" if poor else "无", edu, f'"{notes}"']))
    (HERE / "committee_utf8_bom.csv").write_bytes(("\n".join(lines) + "\n").encode("utf-8-sig"))


def make_xlsx() -> None:
    import sys

    import openpyxl

    sys.path.insert(0, str(HERE.parent.parent))
    from tests.sheets import committee_xlsx

    path = committee_xlsx(HERE / "committee_title.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet.merge_cells("G4:G5")  # 王坪村 merged over two people, as committees do
    sheet.row_dimensions[6].hidden = True
    sheet.column_dimensions["J"].hidden = True
    book.save(path)

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "村"])
    sheet.append(["王小明", 411025199003071000, "王坪村"])  # what Excel keeps: 15 digits
    sheet.append(["李秀英", "410102198805120028", "王坪村"])
    sheet.append(["张伟", 4.10102197511230e17, "张庄村"])
    sheet["B4"].number_format = "0.00E+00"
    book.save(HERE / "ids_as_numbers.xlsx")


if __name__ == "__main__":
    make_xlsx()
    make_xls()
    make_ods()
    make_csvs()
