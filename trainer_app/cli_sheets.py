"""``attendance read-sheet``: attendance from photographed or scanned signed sign-in sheets.

Without ``--apply`` nothing is written: the rows found are listed (with ``--json`` one object
per trainee row of the pages given). With ``--apply`` signed rows are recorded present and
unsigned rows absent, "from the sheet"; uncertain rows and trainees already marked are left as
they are, and the pages are kept as the lessons' evidence. Exit 2 when a file holds no usable
sheet (its reason on stderr), even if other files were read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trainer_app import cli_format as fmt
from trainer_app.cli_parser import CommandError
from trainer_app.i18n import _, ngettext
from trainer_app.services import sheets
from trainer_app.store import Store

EXIT_OK = 0


def add_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("files", nargs="+", type=Path, metavar=_("FILE"),
                     help=_("photos or scans of signed sheets (JPEG, PNG, TIFF, PDF) or folders"))
    sub.add_argument("--lesson", metavar="ID",
                     help=_("accept only this lesson's sheets (default: the lesson each sheet "
                            "shows)"))
    sub.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    sub.add_argument("--apply", action="store_true",
                     help=_("record the marks read (present when signed, absent when not) and "
                            "keep the sheets as evidence"))


def run(store: Store, args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.files if not p.exists()]
    if missing:
        raise CommandError(_("No such file: {path}").format(path=", ".join(missing)))
    batch = sheets.read(store, args.files, args.lesson)
    failed = [p for p in batch.pages if p.problem]
    for page in failed:
        where = f"{page.file}" + (f" ({_('page')} {page.index + 1})" if page.index else "")
        print(_("error: {message}").format(message=f"{where}: {page.message}"), file=sys.stderr)
    written = sheets.apply(store, batch) if args.apply and batch.kept else 0
    if args.json:
        fmt.print_json([_row_json(p) for p in batch.proposals])
    else:
        _print_rows(batch)
        for h in batch.handwritten:
            print(_("Row {row}: handwritten row, not read; enter it by hand.").format(row=h.row))
        for page in batch.pages:
            for row in page.unread_rows:
                print(_("Row {row}: the trainee code could not be read.").format(row=row))
        if args.apply:
            print(ngettext("Recorded {n} mark from the sheet.",
                           "Recorded {n} marks from the sheet.", written).format(n=written))
    files_with_sheet = {p.file for p in batch.pages if not p.problem}
    if any(p.file not in files_with_sheet for p in failed):
        return fmt.EXIT_REFUSED
    return EXIT_OK


def _row_json(p: sheets.Proposal) -> dict:
    return {
        "lesson_id": p.lesson_id, "page": p.page, "row": p.row, "trainee_id": p.trainee_id,
        "code": p.code, "name": p.name, "signed": p.signed, "confidence": round(p.confidence, 3),
        "proposed": p.proposed.value if p.proposed else None, "current": p.current,
    }


def _print_rows(batch: sheets.SheetBatch) -> None:
    for p in batch.proposals:
        read_as = (_("signed") if p.signed else _("not signed")) if p.signed is not None \
            else _("uncertain")
        note = "" if p.trainee_id else "  " + _("(not enrolled in this class)")
        current = f"  [{p.current}]" if p.current else ""
        print(f"{p.row:>3}  {p.code:<10} {p.name:<8} {read_as}  {p.confidence:.2f}{current}{note}")
