"""The workbooks the trainee import writes: the rows that were not imported, to send back to
the village committee, and a blank template. Written with XlsxWriter, ID and phone columns as
text (so Excel keeps all 18 characters), atomically, and read back."""

from __future__ import annotations

import io
from pathlib import Path

from trainer_app.domain import import_cells as cells
from trainer_app.domain.import_headers import FIELDS, field_label
from trainer_app.files import write_atomic_bytes
from trainer_app.i18n import _, join_sentences
from trainer_app.services.trainee_import_plan import Preview

TEXT_FIELDS = ("id_number", "phone", "birth_date")
TEMPLATE_ROWS = 1000  # rows formatted as text below the header
EXAMPLE = {
    "name": "王小明", "gender": "男", "id_number": "41102519900307137X",
    "birth_date": "1990-03-07", "phone": "13812345678", "village": "王坪村",
    "village_group": "一组", "poor_household": "是", "education": "初中", "notes": "",
}


def _workbook(buffer: io.BytesIO):
    import xlsxwriter

    return xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})


def write_rejects(plan: Preview, path: str | Path) -> int:
    """The rows of ``plan`` that are not imported, with the list's own columns and a last column
    saying why; returns how many rows were written."""
    rows = plan.left_out()
    buffer = io.BytesIO()
    book = _workbook(buffer)
    text = book.add_format({"num_format": "@"})
    bold = book.add_format({"bold": True, "bg_color": "#FDE9D9", "border": 1})
    reason_format = book.add_format({"num_format": "@", "font_color": "#C00000",
                                     "text_wrap": True})
    sheet = book.add_worksheet(_("To correct")[:31])
    width = max([len(plan.headers)] + [len(r.cells) for r in rows])
    headers = plan.headers + [""] * (width - len(plan.headers))
    sheet.set_column(0, width - 1, 16, text)
    sheet.set_column(width, width, 60, reason_format)
    for col, header in enumerate([*headers, _("What to correct")]):
        sheet.write_string(0, col, header, bold)
    for i, row in enumerate(rows, start=1):
        for col, value in enumerate(row.cells):
            shown = cells.text(value)
            if shown:
                sheet.write_string(i, col, shown, text)
        reasons = plan.reasons(row) or [_("Left out at the station.")]
        sheet.write_string(i, width, _("Row {n}: ").format(n=row.number) + join_sentences(reasons),
                           reason_format)
    sheet.freeze_panes(1, 0)
    book.close()
    write_atomic_bytes(Path(path), buffer.getvalue())
    return len(rows)


def write_template(path: str | Path) -> None:
    """A blank list: the headers this program reads, an example row, and a sheet of notes."""
    buffer = io.BytesIO()
    book = _workbook(buffer)
    text = book.add_format({"num_format": "@"})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    example = book.add_format({"num_format": "@", "font_color": "#808080", "italic": True})
    sheet = book.add_worksheet(_("Trainee list")[:31])
    for col, name in enumerate(FIELDS):
        sheet.set_column(col, col, 22 if name in TEXT_FIELDS else 14,
                         text if name in TEXT_FIELDS else None)
        sheet.write_string(0, col, field_label(name), bold)
        sheet.write_string(1, col, EXAMPLE[name], example)
    choices = {"gender": ["男", "女"], "poor_household": ["是", "否"]}
    for name, values in choices.items():
        col = FIELDS.index(name)
        sheet.data_validation(1, col, TEMPLATE_ROWS, col, {"validate": "list", "source": values})
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet(_("How to fill in")[:31])
    notes.set_column(0, 0, 22)
    notes.set_column(1, 1, 90)
    notes.write_string(0, 0, _("Column"), bold)
    notes.write_string(0, 1, _("What to write"), bold)
    for row, name in enumerate(FIELDS, start=1):
        notes.write_string(row, 0, field_label(name))
        notes.write_string(row, 1, _field_note(name))
    notes.write_string(len(FIELDS) + 2, 0, _("Row 2 is an example: replace it or delete it. "
                                             "Save the file as .xlsx."))
    book.close()
    write_atomic_bytes(Path(path), buffer.getvalue())


def _field_note(name: str) -> str:
    return {
        "name": _("Required. The full name as on the ID card."),
        "gender": _("男 or 女. May stay blank: it is read from the ID number."),
        "id_number": _("Required. 18 characters; the last may be X. The column is formatted as "
                       "text: keep it so, or Excel loses the last digits."),
        "birth_date": _("Such as 1990-03-07. May stay blank: it is read from the ID number."),
        "phone": _("An 11-digit mobile number."),
        "village": _("Required. The administrative village, such as 王坪村."),
        "village_group": _("The villagers' group, such as 一组."),
        "poor_household": _("是 for a registered (建档立卡) poor household, else 否 or blank."),
        "education": _("小学, 初中, 高中, 中专, 大专 or 本科; blank if not known."),
        "notes": _("Anything else."),
    }[name]
