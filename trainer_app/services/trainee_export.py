"""The trainee list (as searched and sorted on screen) and a class's roster as ``.xlsx`` or
``.csv`` (UTF-8 with a byte-order mark, which Excel on a Chinese Windows opens correctly).

ID and phone numbers are masked unless ``reveal`` is given: a full export is the operator's
explicit choice. Files are written atomically and read back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from trainer_app.domain import idcard, phone
from trainer_app.domain.import_headers import field_label
from trainer_app.domain.models import EDUCATION_LEVELS, Gender
from trainer_app.files import write_atomic_bytes
from trainer_app.i18n import _
from trainer_app.services import classes
from trainer_app.services.errors import ServiceError
from trainer_app.services.trainee_list import TraineeList

FIELDS = ("code", "name", "gender", "birth_date", "id_number", "phone", "village",
          "village_group", "poor_household", "education", "notes")
PAGE = 1000
FORMATS = (".xlsx", ".csv")


def listed(store, search: str = "", sort: str = "name", descending: bool = False
           ) -> Iterator[dict]:
    """The live trainees matching ``search`` in the list's order, read a page at a time."""
    source = TraineeList(store)
    source.set_sort(sort, descending)
    rowids = source.find(search)
    for start in range(0, len(rowids), PAGE):
        page = rowids[start:start + PAGE]
        rows = source.rows(page)
        yield from (rows[r] for r in page if r in rows)


def roster(store, class_id: str) -> list[dict]:
    """The trainees enrolled in a class, by name."""
    return classes.enrolled(store, class_id)


def check_path(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ServiceError(_("{path}: the file must end in .xlsx or .csv.").format(path=path))
    if not path.parent.is_dir():
        raise ServiceError(_("The folder {path} does not exist.").format(path=path.parent))
    return path


def write(rows: Iterable[dict], path: str | Path, reveal: bool = False) -> int:
    """Write ``rows`` to ``path`` (its suffix chooses the format); returns how many."""
    path = check_path(path)
    lines = [[_cell(row, f, reveal) for f in FIELDS] for row in rows]
    headers = [_("Code") if f == "code" else field_label(f) for f in FIELDS]
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(lines)
        data = buffer.getvalue().encode("utf-8-sig")
    else:
        data = _xlsx(headers, lines)
    write_atomic_bytes(path, data)
    return len(lines)


def _cell(row: dict, field: str, reveal: bool) -> str:
    value = row.get(field)
    if field == "id_number":
        return (value or "") if reveal else idcard.mask(value)
    if field == "phone":
        return (value or "") if reveal else phone.mask(value)
    if field == "gender":
        return Gender(value).label if value else ""
    if field == "poor_household":
        return _("Yes") if value else _("No")
    if field == "education" and value in EDUCATION_LEVELS:
        return _(value)
    return "" if value is None else str(value)


def _xlsx(headers: list[str], lines: list[list[str]]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    text = book.add_format({"num_format": "@"})
    bold = book.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7"})
    sheet = book.add_worksheet(_("Trainee list")[:31])
    for col, header in enumerate(headers):
        sheet.set_column(col, col, 22 if FIELDS[col] in ("id_number", "phone") else 12, text)
        sheet.write_string(0, col, header, bold)
    for r, line in enumerate(lines, start=1):
        for col, value in enumerate(line):
            if value:
                sheet.write_string(r, col, value)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(lines), len(headers) - 1)
    book.close()
    return buffer.getvalue()
