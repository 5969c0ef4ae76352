"""What importing a committee's list does, row by row: the preview's records (no Qt, no SQL).
Made by :func:`trainer_app.services.trainee_import.preview`, applied by its ``apply``."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from trainer_app.domain.import_cells import Cell
from trainer_app.domain.models import Trainee
from trainer_app.i18n import N_, _


class Kind(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    INVALID = "invalid"

    @property
    def label(self) -> str:
        return _(_KIND_LABELS[self])


_KIND_LABELS = {
    Kind.NEW: N_("New"),
    Kind.UPDATED: N_("Update"),
    Kind.UNCHANGED: N_("Unchanged"),
    Kind.DUPLICATE: N_("Duplicate"),
    Kind.INVALID: N_("Invalid"),
}
IMPORTABLE = (Kind.NEW, Kind.UPDATED)


@dataclass(slots=True)  # one per row of a list of up to 100,000
class Row:
    """One row of the list and what importing it does."""

    number: int  # the row number the spreadsheet program shows
    cells: list[Cell]
    kind: Kind
    trainee: Trainee | None = None  # what is written (new and updated rows)
    existing_id: str = ""
    changes: tuple[str, ...] = ()  # fields an update changes
    problems: dict[int, str] = field(default_factory=dict)  # column (-1: the row) -> message
    include: bool = True  # the operator may leave a row out

    @property
    def imported(self) -> bool:
        return self.include and self.kind in IMPORTABLE


@dataclass
class Preview:
    path: Path
    sheet: str
    header_row: int  # the row number of the headers
    headers: list[str]
    mapping: list[str | None]  # a field (or None) per column
    rows: list[Row]

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys((str(k) for k in Kind), 0)
        for row in self.rows:
            found[str(row.kind)] += 1
        return found

    def column_name(self, column: int) -> str:
        header = self.headers[column] if 0 <= column < len(self.headers) else ""
        return header or _("column {n}").format(n=column + 1)

    def reasons(self, row: Row) -> list[str]:
        """The row's problems as sentences naming their column, in column order."""
        return [message if column < 0 else _("{label}: {value}").format(
                    label=self.column_name(column), value=message)
                for column, message in sorted(row.problems.items())]

    def left_out(self) -> list[Row]:
        """Rows the import does not bring in (to send back): invalid, duplicate, left out."""
        return [r for r in self.rows if not r.imported and r.kind is not Kind.UNCHANGED]


@dataclass(frozen=True)
class Outcome:
    added: int
    updated: int
    enrolled: int
    trainee_ids: tuple[str, ...]
