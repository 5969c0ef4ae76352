"""Reading a committee's list: ``.xlsx``, ``.xls`` and ``.ods`` through python-calamine, ``.csv``
in UTF-8 (with or without a byte-order mark) or GBK/GB18030, detected.

A file that is damaged, protected by a password, expands to more than we accept or holds more
rows than a list can, is refused with one message before its rows are read into memory.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from trainer_app.domain.import_cells import Cell
from trainer_app.i18n import _
from trainer_app.services.errors import ServiceError

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
SUFFIXES = (*SPREADSHEETS, ".csv")
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_EXPANDED_BYTES = 300 * 1024 * 1024  # a 100,000-row list expands to about 60 MB
MAX_ROWS = 100_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+[0-9]+:[A-Z]+([0-9]+)"')


class SheetError(ServiceError):
    """A file that cannot be read as a list; the message names the file and says what to do."""


@dataclass
class Sheet:
    """The cells of one sheet; ``rows[i]`` is the spreadsheet's row ``i + 1``."""

    name: str
    rows: list[list[Cell]]


@dataclass
class Workbook:
    path: Path
    sheet_names: list[str]
    _sheets: dict[str, Sheet] = field(default_factory=dict, repr=False)
    _book: object = field(default=None, repr=False)

    def sheet(self, name: str | None = None) -> Sheet:
        """The sheet called ``name`` (the first one when None), read on first use."""
        name = self.sheet_names[0] if name is None else name
        if name not in self.sheet_names:
            raise SheetError(_("{file} has no sheet called {sheet}; its sheets are: "
                               "{names}.").format(file=self.path.name, sheet=name,
                                                  names=", ".join(self.sheet_names)))
        if name not in self._sheets:
            self._sheets[name] = _read_sheet(self.path, self._book, name)
        return self._sheets[name]


def open_workbook(path: str | Path) -> Workbook:
    """Open a list for reading; raises :class:`SheetError` with the reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SheetError(_("{file} is not a file this program can read. Open it in WPS or Excel "
                           "and save it as an Excel workbook (.xlsx); .xls, .ods and .csv "
                           "are read too.").format(file=path.name))
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise SheetError(_("{file} cannot be opened: {reason}").format(
            file=path.name, reason=exc.strerror or exc)) from None
    if size > MAX_FILE_BYTES:
        raise SheetError(_("{file} is larger than {mb} MB; it is not a trainee list this program "
                           "can read.").format(file=path.name, mb=MAX_FILE_BYTES // 2**20))
    if suffix == ".csv":
        return Workbook(path, [path.stem], {path.stem: _read_csv(path)})
    _check_container(path, suffix, head)
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = [m.name for m in book.sheets_metadata
                 if str(m.typ).endswith("WorkSheet")] or list(book.sheet_names)
    except PasswordError:
        raise _password(path) from None
    except (CalamineError, OSError, ValueError) as exc:
        raise _damaged(path, exc) from None
    if not names:
        raise SheetError(_("{file} holds no sheet.").format(file=path.name))
    return Workbook(path, names, _book=book)


def _check_container(path: Path, suffix: str, head: bytes) -> None:
    """Refuse what calamine should not be given: an encrypted workbook (an OLE file named
    .xlsx), a ZIP that expands to gigabytes, a sheet that declares a million rows."""
    if suffix == ".xls":
        if head != OLE_MAGIC:
            raise _damaged(path, _("not an Excel 97-2003 file"))
        return
    if head == OLE_MAGIC:  # Excel and WPS keep a password-protected .xlsx in an OLE container
        raise _password(path)
    if head[:4] != ZIP_MAGIC:
        raise _damaged(path, _("not a ZIP container"))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sum(i.file_size for i in infos) > MAX_EXPANDED_BYTES:
                raise SheetError(_("{file} expands to more than {mb} MB when opened; it is not a "
                                   "trainee list this program can read.").format(
                    file=path.name, mb=MAX_EXPANDED_BYTES // 2**20))
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with archive.open(info) as member:
                        found = _DIMENSION.search(member.read(4096))
                    if found and int(found.group(1)) > MAX_ROWS + 100:
                        raise _too_many(path, int(found.group(1)))
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _damaged(path, exc) from None


def _read_sheet(path: Path, book, name: str) -> Sheet:
    from python_calamine import CalamineError

    try:
        sheet = book.get_sheet_by_name(name)
        if sheet.height > MAX_ROWS + 100:
            raise _too_many(path, sheet.height)
        # From cell A1, so that rows[i] is the spreadsheet's row i + 1 and merged ranges line up
        rows = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except (CalamineError, OSError, ValueError) as exc:
        raise _damaged(path, exc) from None
    _fill_merged(rows, merged)
    _trim(rows)
    return Sheet(name, rows)


def _fill_merged(rows: list[list[Cell]], merged: list) -> None:
    """A merged range's value (kept by the spreadsheet in its first cell) in each of its cells,
    as the committee sees it: a village merged over five rows names the village of all five."""
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for row in rows[r0:r1 + 1]:
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if row[c] in ("", None):
                    row[c] = value


def _trim(rows: list[list[Cell]]) -> None:
    """Drop trailing rows with nothing in them (formatted but blank, at the end of a sheet)."""
    while rows and all(v in ("", None) for v in rows[-1]):
        rows.pop()


def _read_csv(path: Path) -> Sheet:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # gb18030 reads GBK and GB2312 too
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError(_("{file} is neither UTF-8 nor GBK text. Open it in Excel or WPS and "
                           "save it as an Excel workbook (.xlsx).").format(file=path.name))
    if "\x00" in text:
        raise _damaged(path, _("not text"))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Cell]] = []
    for row in csv.reader(io.StringIO(text, newline=""), dialect):
        rows.append(list(row))
        if len(rows) > MAX_ROWS + 100:
            raise _too_many(path, sum(1 for _line in text.splitlines()))
    _trim(rows)
    return Sheet(path.stem, rows)


def _damaged(path: Path, reason: object) -> SheetError:
    return SheetError(_("{file} cannot be read: it is damaged or not a spreadsheet ({reason}). "
                        "Open it in Excel or WPS and save it again as .xlsx.").format(
        file=path.name, reason=reason))


def _password(path: Path) -> SheetError:
    return SheetError(_("{file} is protected by a password. Open it in Excel or WPS, remove the "
                        "password and save it again.").format(file=path.name))


def _too_many(path: Path, rows: int) -> SheetError:
    return SheetError(_("{file} has {rows} rows; a list can have at most {max}. Split it into "
                        "several files.").format(file=path.name, rows=rows, max=MAX_ROWS))
