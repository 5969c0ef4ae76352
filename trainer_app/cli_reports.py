"""The command line's reports: list them, show one (a table or JSON), the dashboard's figures,
and export one to .xlsx, .csv or .pdf. The full roster (ID and phone numbers in clear) is
written only with ``--full-roster``, and the command says so."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from trainer_app import cli_format as fmt
from trainer_app.cli_parser import CommandError, actions, command
from trainer_app.i18n import _
from trainer_app.services import report_export, reports
from trainer_app.store import Store

EXIT_OK = 0
ROSTER = "roster"


def add_commands(commands) -> None:
    """Add ``reports`` and its actions to the command line's commands."""
    group = actions(commands, "reports",
                    _("the figures of training: reports, the dashboard, exports"))
    command(group, "list", _("list the reports of this database"), cmd_reports_list, "--json")
    sub = command(group, "show", _("show a report (with --json: one object per row)"),
                  cmd_reports_show, "--json")
    _name(sub)
    _filters(sub)
    sub = command(group, "dashboard", _("the overview's figures of a period"),
                  cmd_reports_dashboard, "--json")
    _filters(sub)
    sub = command(group, "export",
                  _("write a report to a file; its suffix .xlsx, .csv or .pdf chooses the "
                    "format"), cmd_reports_export)
    _name(sub, _("the report's name (see 'reports list'), or 'roster' for the full roster "
                 "with ID and phone numbers, which needs --full-roster"))
    sub.add_argument("--out", type=Path, required=True, metavar=_("FILE"),
                     help=_("the file to write (.xlsx, .csv or .pdf)"))
    sub.add_argument("--full-roster", action="store_true",
                     help=_("agree that the roster's file holds ID and phone numbers in clear"))
    _filters(sub)


def _name(sub: argparse.ArgumentParser, help_text: str | None = None) -> None:
    sub.add_argument("name", metavar=_("NAME"),
                     help=help_text or _("the report's name (see 'reports list')"))


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a date (YYYY-MM-DD): {text}").format(text=text)) from None


def _filters(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--from", dest="start", type=_date, metavar=_("DATE"),
                     help=_("first day, YYYY-MM-DD (default: 1 January)"))
    sub.add_argument("--to", dest="end", type=_date, metavar=_("DATE"),
                     help=_("last day, YYYY-MM-DD (default: 31 December)"))
    sub.add_argument("--station", metavar=_("CODE"), help=_("only this station"))
    sub.add_argument("--course", metavar=_("CODE"), help=_("only the courses of this code"))
    sub.add_argument("--village", metavar=_("VILLAGE"), help=_("only trainees of this village"))


def _of(args: argparse.Namespace) -> reports.Filters:
    return reports.Filters(args.start, args.end, args.station, args.course, args.village)


def _columns(report: reports.Report) -> list[fmt.Column]:
    return [(c.title, lambda r, c=c: report_export.text_of(c, r.get(c.key)))
            for c in report.columns]


def _json_rows(report: reports.Report) -> list[dict]:
    keys = [c.key for c in report.columns]
    return [{k: row.get(k) for k in keys} for row in report.rows]


# -- commands -------------------------------------------------------------------------------------
def cmd_reports_list(store: Store, args: argparse.Namespace) -> int:
    rows = [{"name": r.name, "title": r.title, "county_only": r.county_only}
            for r in reports.available(store)]
    if args.json:
        fmt.print_json(rows)
    else:
        fmt.print_table([(_("Name"), lambda r: r["name"]), (_("Report"), lambda r: r["title"])],
                        rows)
    return EXIT_OK


def cmd_reports_show(store: Store, args: argparse.Namespace) -> int:
    report = reports.run(store, args.name, _of(args))
    if args.json:
        fmt.print_json(_json_rows(report))
        return EXIT_OK
    start, end = report.period
    print(f"{report.title}  {start.isoformat()} – {end.isoformat()}")
    fmt.print_table(_columns(report), report.rows + ([report.totals] if report.totals else []))
    return EXIT_OK


def cmd_reports_dashboard(store: Store, args: argparse.Namespace) -> int:
    board = reports.dashboard(store, _of(args))
    start, end = board.period
    if args.json:
        def bars(items: list[tuple[str, str, int]]) -> list[dict]:
            return [{"label": label, "key": key, "persons_trained": n} for label, key, n in items]

        fmt.print_json({
            **board.figures, "from": start.isoformat(), "to": end.isoformat(),
            "by_month": bars(board.by_month), "by_station": bars(board.by_station),
            "by_course": bars(board.by_course),
            "silent_stations": [{**s, "last_bundle": s["last_bundle"].isoformat()
                                 if s["last_bundle"] else None} for s in board.silent_stations],
        })
        return EXIT_OK
    print(f"{start.isoformat()} – {end.isoformat()}")
    labels = reports.figure_labels()
    fmt.print_table([(_("Figure"), lambda r: r["label"]), (_("Value"), lambda r: r["text"])],
                    [{"label": labels[k], "text": reports.figure_text(k, board.figures[k])}
                     for k in labels])
    return EXIT_OK


def cmd_reports_export(store: Store, args: argparse.Namespace) -> int:
    filters = _of(args)
    if args.name == ROSTER:
        if not args.full_roster:
            raise CommandError(_("The full roster holds ID and phone numbers in clear: add "
                                 "--full-roster to write it."))
        report = reports.roster(store, filters)
    else:
        report = reports.run(store, args.name, filters)
    report_export.check_target(args.out)
    if args.name == ROSTER:
        print(_("Warning: {path} holds ID and phone numbers in clear. Keep it safe and delete "
                "it when no longer needed.").format(path=args.out), file=sys.stderr)
    path = report_export.export(report, args.out, site_name=reports.site_name(store))
    print(path)
    return EXIT_OK
