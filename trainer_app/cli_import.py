"""The command line's trainee lists: ``trainees import`` (a committee's Excel, WPS, ODS or CSV
list, with a preview and the rows to send back), ``trainees template`` and ``trainees export``
(the list or a class's roster, masked unless ``--reveal``).

``trainees import`` exits 0 when every row was imported or was already there unchanged, 1 when
some rows were left out, 2 when the file cannot be read (the database is then unchanged).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from trainer_app import cli_format as fmt
from trainer_app.cli_parser import CommandError, command, group_of
from trainer_app.domain.import_cells import text
from trainer_app.domain.import_headers import FIELDS, field_label, normalize_header
from trainer_app.i18n import _, join_sentences, ngettext
from trainer_app.services import trainee_export
from trainer_app.services import trainee_import as ti
from trainer_app.services.trainee_import_files import write_rejects, write_template
from trainer_app.store import Store

EXIT_OK = 0
EXIT_LEFT_OUT = 1
_LETTERS = re.compile(r"^[A-Z]{1,3}$")


def add_commands(commands) -> None:
    """Add ``import`` and ``template`` to the ``trainees`` command."""
    group = group_of(commands, "trainees")
    sub = command(group, "import", _("import trainees from an Excel, WPS, ODS or CSV list: "
                                     "exit 0 when every row was imported or already there, 1 "
                                     "when some rows were left out"), cmd_trainees_import,
                  "--json")
    sub.add_argument("file", type=Path, metavar=_("FILE"),
                     help=_(".xlsx, .xls, .ods or .csv (UTF-8 or GBK)"))
    sub.add_argument("--sheet", metavar=_("NAME"), help=_("the sheet to read (default: the "
                                                          "first)"))
    sub.add_argument("--class", dest="class_id", metavar="ID",
                     help=_("also enroll the imported trainees in this class"))
    sub.add_argument("--map", action="append", default=[], metavar=_("COLUMN=FIELD"),
                     help=_("what a column holds, by its header or letter, such as "
                            "'D=id_number' or '电话=phone' ('-' ignores the column); fields: "
                            "{fields}").format(fields=", ".join(FIELDS)))
    sub.add_argument("--dry-run", action="store_true",
                     help=_("only show what would happen; write nothing"))
    sub.add_argument("--rejects", type=Path, metavar=_("OUT.xlsx"),
                     help=_("write the rows that are not imported, with the reason, to send "
                            "back (it holds ID and phone numbers in full)"))
    sub = command(group, "export", _("write the trainee list (or a class's roster) to .xlsx or "
                                     ".csv, ID and phone numbers masked unless --reveal"),
                  cmd_trainees_export, "--reveal")
    sub.add_argument("--out", type=Path, required=True, metavar=_("FILE.xlsx|FILE.csv"),
                     help=_("the file to write (its folder must exist)"))
    sub.add_argument("--search", default="", metavar=_("TEXT"),
                     help=_("only the trainees the list's search finds"))
    sub.add_argument("--class", dest="class_id", metavar="ID",
                     help=_("the roster of this class instead of the list"))
    sub = command(group, "template", _("write a blank trainee list to fill in"),
                  cmd_trainees_template)
    sub.add_argument("--out", type=Path, required=True, metavar=_("FILE.xlsx"),
                     help=_("the workbook to write (its folder must exist)"))


def _check_out(path: Path | None) -> None:
    if path is None:
        return
    if path.suffix.lower() != ".xlsx":
        raise CommandError(_("{path}: the file must end in .xlsx.").format(path=path))
    if not path.parent.is_dir():
        raise CommandError(_("The folder {path} does not exist.").format(path=path.parent))


def _mapping(plan_headers: list[str], default: list[str | None], specs: list[str]) -> list:
    mapping = list(default)
    for spec in specs:
        column, sep, name = spec.partition("=")
        name = name.strip()
        if not sep or (name not in FIELDS and name not in ("-", "")):
            raise CommandError(_("--map {spec}: write COLUMN=FIELD with a field among "
                                 "{fields}, or '-'.").format(spec=spec, fields=", ".join(FIELDS)))
        col = _column(plan_headers, column.strip())
        if col is None:
            raise CommandError(_("--map {spec}: the list has no column {column}.").format(
                spec=spec, column=column))
        field = name if name in FIELDS else None
        mapping = [None if f == field else f for f in mapping]
        mapping[col] = field
    return mapping


def _column(headers: list[str], ref: str) -> int | None:
    key = normalize_header(ref)
    for i, header in enumerate(headers):
        if key and normalize_header(header) == key:
            return i
    if _LETTERS.match(ref.upper()):
        n = 0
        for ch in ref.upper():
            n = n * 26 + ord(ch) - 64
        return n - 1 if n - 1 < len(headers) else None
    return None


def cmd_trainees_import(store: Store, args: argparse.Namespace) -> int:
    _check_out(args.rejects)
    book = ti.open_list(args.file)
    sheet = book.sheet(args.sheet)
    header = ti.header_index(sheet)
    mapping = None
    if args.map:
        headers = [text(v) for v in sheet.rows[header]] if sheet.rows else []
        mapping = _mapping(headers, ti.suggested_mapping(store, headers), args.map)
    plan = ti.preview(store, sheet, mapping, header, path=args.file)
    outcome = None
    if not args.dry_run and (args.class_id or any(r.imported for r in plan.rows)):
        outcome = ti.apply(store, plan, args.class_id)
    written = write_rejects(plan, args.rejects) if args.rejects else None
    counts = plan.counts()
    problems = [{"row": r.number, "reasons": plan.reasons(r) or [_("Left out at the station.")]}
                for r in plan.left_out()]
    if args.json:
        fmt.print_json({**counts, "problems": problems, "dry_run": bool(args.dry_run),
                        "enrolled": outcome.enrolled if outcome else 0})
    else:
        _print_report(plan, counts, problems, args, outcome, written)
    return EXIT_LEFT_OUT if problems else EXIT_OK


def _print_report(plan: ti.Preview, counts: dict, problems: list[dict],
                  args: argparse.Namespace, outcome: ti.Outcome | None,
                  written: int | None) -> None:
    print(_("{file}, sheet {sheet}, headers in row {row}").format(
        file=args.file.name, sheet=plan.sheet, row=plan.header_row))
    mapped = [f"{plan.column_name(i)} → {field_label(f)}" for i, f in enumerate(plan.mapping) if f]
    print(_("Columns: {columns}").format(columns="; ".join(mapped)))
    fmt.print_table([(_("Row kind"), lambda r: r["label"]), (_("Count"), lambda r: r["n"])],
                    [{"label": ti.Kind(k).label, "n": n} for k, n in counts.items()])
    for problem in problems:
        print(_("Row {n}: {reasons}").format(n=problem["row"],
                                              reasons=join_sentences(problem["reasons"])))
    if args.dry_run:
        print(_("Dry run: nothing was written."))
    elif outcome is not None:
        print(_("Imported: {added} new, {updated} updated.").format(
            added=outcome.added, updated=outcome.updated))
        if args.class_id:
            print(ngettext("Enrolled {n} trainee in the class.",
                           "Enrolled {n} trainees in the class.", outcome.enrolled).format(
                n=outcome.enrolled))
    if written is not None:
        print(ngettext("{n} row to correct written to {path}.",
                       "{n} rows to correct written to {path}.", written).format(
            n=written, path=args.rejects))
        print(_("It holds ID and phone numbers in full: give it to the village committee in "
                "person or keep it on this computer, not on a shared USB stick or in a chat."))


def cmd_trainees_export(store: Store, args: argparse.Namespace) -> int:
    trainee_export.check_path(args.out)
    rows = (trainee_export.roster(store, args.class_id) if args.class_id
            else trainee_export.listed(store, args.search))
    n = trainee_export.write(rows, args.out, reveal=args.reveal)
    print(ngettext("{n} trainee written to {path}.", "{n} trainees written to {path}.", n).format(
        n=n, path=args.out))
    if args.reveal:
        print(_("It holds ID and phone numbers in full: keep it on this computer."))
    return EXIT_OK


def cmd_trainees_template(store: Store, args: argparse.Namespace) -> int:
    _check_out(args.out)
    write_template(args.out)
    print(_("Template written to {path}.").format(path=args.out))
    return EXIT_OK
