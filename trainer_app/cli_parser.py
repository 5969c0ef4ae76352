"""The command line's arguments: the parser of every command, and the helpers that add one.

The commands themselves live in :mod:`trainer_app.cli` (records, attendance) and
:mod:`trainer_app.cli_papers` (certificates, papers, the station); :func:`build` is given the
module whose ``cmd_*`` functions it dispatches to.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import NoReturn

from trainer_app import __version__, i18n, paths
from trainer_app.domain.models import AttendanceStatus, ClassStatus, Lesson
from trainer_app.i18n import _

CLASS_STATUSES = [s.value for s in ClassStatus]


class CommandError(Exception):
    """A request the command line refuses; the message is for the user."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        where = self.prog.partition(" ")[2]  # the command, without the program's name
        raise CommandError(
            (f"{where}: {message}" if where else message) + " " + _("(see --help)")
        )


# -- argument types ------------------------------------------------------------------------------
def _share(text: str) -> float:
    """``0.8``, ``80`` or ``80%`` -> 0.8."""
    try:
        value = float(text.strip().rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a number: {text}").format(text=text)) from None
    return value / 100 if text.strip().endswith("%") or value > 1 else value


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a number: {text}").format(text=text)) from None


def count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(_("not a whole number: {text}").format(text=text))
    return int(text)


def _lesson_spec(text: str) -> Lesson:
    parts = text.split(maxsplit=3)
    if len(parts) < 3:
        raise argparse.ArgumentTypeError(
            _("expected 'DATE HH:MM HOURS [TOPIC]', got '{text}'").format(text=text)
        )
    return Lesson(date=parts[0], start_time=parts[1], hours=_number(parts[2]),
                  topic=parts[3] if len(parts) > 3 else "")


# -- the parser ------------------------------------------------------------------------------------
def shared_arguments() -> dict[str, tuple[tuple[str, ...], dict]]:
    """Arguments several commands take, by a short name."""
    return {
        "trainee": (("trainee",), {"metavar": "ID", "help": _("the trainee's id or code")}),
        "class": (("class_id",), {"metavar": "ID", "help": _("the class's id")}),
        "--class": (("--class",), {"dest": "class_id", "required": True, "metavar": "ID",
                                   "help": _("the class's id")}),
        "lesson": (("lesson",), {"metavar": "ID", "help": _("the lesson's id")}),
        "--lesson": (("--lesson",), {"required": True, "metavar": "ID",
                                     "help": _("the lesson's id")}),
        "--date": (("--date",), {"required": True, "metavar": _("DATE"),
                                 "help": _("YYYY-MM-DD")}),
        "--start": (("--start",), {"required": True, "metavar": "HH:MM",
                                   "help": _("start time")}),
        "--reveal": (("--reveal",), {
            "action": "store_true",
            "help": _("show ID and phone numbers and birth dates in full")}),
        "--json": (("--json",), {"action": "store_true",
                                 "help": _("print JSON instead of a table")}),
    }


def command(group, name: str, help_text: str, func: Callable, *common: str) -> Parser:
    """Add the command ``name`` to ``group``, run by ``func(store, args)``, with the shared
    arguments named in ``common`` (keys of :func:`shared_arguments`)."""
    sub = group.add_parser(name, help=help_text, description=help_text)
    sub.set_defaults(func=func)
    shared = shared_arguments()
    for key in common:
        flags, options = shared[key]
        sub.add_argument(*flags, **options)
    return sub


def actions(commands, name: str, help_text: str):
    """Add the command ``name`` whose actions are added to the group returned."""
    sub = commands.add_parser(name, help=help_text, description=help_text)
    return sub.add_subparsers(title=_("actions"), metavar=_("ACTION"), required=True)


def group_of(commands: argparse._SubParsersAction, name: str) -> argparse._SubParsersAction:
    """The group of actions of the command ``name`` (to add actions from another module)."""
    parser = commands.choices[name]
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def build(h: ModuleType) -> tuple[Parser, argparse._SubParsersAction]:
    """The parser, and its group of commands (to add more); ``h`` holds the ``cmd_*``
    functions."""
    parser = Parser(
        prog="trainer_app",
        description=_("Trainer: training register, attendance and completion for rural "
                      "e-commerce service stations. Without a command, the program window "
                      "opens."),
        epilog=_("Run '%(prog)s COMMAND --help' for the options of a command."),
    )
    parser.add_argument("--db", type=Path, metavar=_("PATH"),
                        help=_("the station database (default: {path})").format(
                            path=str(paths.default_db_path()).replace("%", "%%")))
    parser.add_argument("--lang", choices=list(i18n.LANGUAGES),
                        help=_("language of the program (default: the one chosen in the "
                               "program, else the system's, else Chinese)"))
    parser.add_argument("--version", action="version", version=f"Trainer {__version__}",
                        help=_("show the program's version and exit"))
    commands = parser.add_subparsers(dest="command", title=_("commands"), metavar=_("COMMAND"))
    sub = command(commands, "demo", _("create a demo station, or add demo records to a database"),
                  h.cmd_demo)
    sub.add_argument("--trainees", type=count, default=300, metavar="N",
                     help=_("how many trainees to add (default: 300)"))
    sub.add_argument("--seed", type=int, default=7, metavar="S",
                     help=_("random seed, for the same data every time (default: 7)"))

    group = actions(commands, "trainees", _("list, register, change and remove trainees"))
    sub = command(group, "list", _("list trainees"), h.cmd_trainees_list, "--reveal", "--json")
    sub.add_argument("--search", default="", metavar=_("TEXT"),
                     help=_("part of the name, pinyin or initials, ID number, phone or village"))
    sub.add_argument("--limit", type=count, metavar="N", help=_("show at most N trainees"))
    _trainee_options(command(group, "add", _("register a trainee and print the new id"),
                             h.cmd_trainees_add), required=True)
    _trainee_options(command(group, "edit", _("change a trainee's fields"), h.cmd_trainees_edit,
                             "trainee"), required=False)
    command(group, "delete", _("remove a trainee"), h.cmd_trainees_delete, "trainee")
    command(group, "show", _("show one trainee"), h.cmd_trainees_show, "trainee", "--reveal",
            "--json")

    group = actions(commands, "courses", _("list, add, change and retire courses"))
    sub = command(group, "list", _("list the courses offered"), h.cmd_courses_list, "--json")
    sub.add_argument("--search", default="", metavar=_("TEXT"),
                     help=_("part of the code, title or category, or its pinyin or initials"))
    sub.add_argument("--all", action="store_true",
                     help=_("retired courses too (no longer offered for new classes)"))
    _course_options(command(group, "add", _("add a course and print the new id"),
                            h.cmd_courses_add), required=True)
    sub = command(group, "edit", _("change a course"), h.cmd_courses_edit)
    sub.add_argument("course", metavar="ID", help=_("the course's id or code"))
    _course_options(sub, required=False)
    sub = command(group, "retire", _("stop offering a course: no new class can be scheduled "
                                     "for it; its classes and certificates keep it"),
                  h.cmd_courses_retire)
    sub.add_argument("course", metavar=_("ID_OR_CODE"), help=_("the course's id or code"))
    sub = command(group, "restore", _("offer a retired course again"), h.cmd_courses_restore)
    sub.add_argument("course", metavar=_("ID_OR_CODE"), help=_("the course's id or code"))

    group = actions(commands, "classes", _("schedule classes, enroll trainees, see who completed"))
    command(group, "list", _("list classes"), h.cmd_classes_list, "--json")
    sub = command(group, "add", _("create a class and print the new id"), h.cmd_classes_add)
    sub.add_argument("--course", required=True, metavar=_("ID_OR_CODE"),
                     help=_("the course taught"))
    sub.add_argument("--start", required=True, metavar=_("DATE"),
                     help=_("first day, YYYY-MM-DD"))
    sub.add_argument("--end", required=True, metavar=_("DATE"), help=_("last day, YYYY-MM-DD"))
    sub.add_argument("--title", default="", help=_("the class's title (default: the course's)"))
    sub.add_argument("--trainer", default="", help=_("who teaches"))
    sub.add_argument("--place", default="", help=_("where the class meets"))
    sub.add_argument("--status", choices=CLASS_STATUSES, default="planned",
                     help=_("planned, running, finished or cancelled (default: planned)"))
    sub.add_argument("--lesson", type=_lesson_spec, action="append", default=[],
                     metavar=_("LESSON"),
                     help=_("a lesson as 'DATE HH:MM HOURS [TOPIC]', such as "
                            "'2025-03-01 09:00 4 Opening a shop'; repeat for each lesson"))
    sub = command(group, "status", _("set a class's status"), h.cmd_classes_status, "class")
    sub.add_argument("status", choices=CLASS_STATUSES, help=_("the new status"))
    for name, help_text, func in (
        ("enroll", _("enroll trainees in a class"), h.cmd_classes_enroll),
        ("unenroll", _("take trainees out of a class"), h.cmd_classes_unenroll),
    ):
        command(group, name, help_text, func, "class").add_argument(
            "trainees", nargs="+", metavar="TRAINEE_ID", help=_("trainee ids or codes"))
    command(group, "completion",
            _("each enrolled trainee's attended hours and whether the course rule is met"),
            h.cmd_classes_completion, "class", "--json")

    group = actions(commands, "lessons", _("list, add, move and cancel the lessons of a class"))
    command(group, "list", _("list a class's lessons"), h.cmd_lessons_list, "--class", "--json")
    sub = command(group, "add", _("add a lesson and print the new id"), h.cmd_lessons_add,
                  "--class", "--date", "--start")
    sub.add_argument("--hours", required=True, type=_number, help=_("how long, in hours"))
    sub.add_argument("--topic", default="", help=_("what the lesson is about"))
    command(group, "move", _("move a lesson to another day or time"), h.cmd_lessons_move,
            "lesson", "--date", "--start")
    command(group, "cancel", _("cancel a lesson (its hours no longer count)"),
            h.cmd_lessons_cancel, "lesson").add_argument(
        "--restore", action="store_true", help=_("take back the cancellation instead"))

    group = actions(commands, "attendance", _("take attendance at a lesson"))
    sub = command(group, "mark", _("record one trainee's attendance"), h.cmd_attendance_mark,
                  "--lesson")
    sub.add_argument("--trainee", required=True, metavar="ID",
                     help=_("the trainee's id or code"))
    sub.add_argument("--status", required=True, choices=[s.value for s in AttendanceStatus],
                     help=_("present, late, excused or absent"))
    command(group, "list", _("the attendance sheet of a lesson (with --json: the recorded marks)"),
            h.cmd_attendance_list, "--lesson", "--json")
    sub = command(group, "scan", _("mark present the trainee a scanned code belongs to"),
                  h.cmd_attendance_scan, "--lesson")
    sub.add_argument("code", metavar="CODE", help=_("the scanned trainee code"))
    sub.add_argument("--walk-in", action="store_true",
                     help=_("enroll the trainee in the class if they are not enrolled"))
    command(group, "all-present", _("mark every enrolled trainee without a mark present"),
            h.cmd_attendance_all_present, "--lesson").add_argument(
        "--except", dest="except_ids", nargs="+", default=[], metavar="TRAINEE_ID",
        help=_("trainees to leave out (ids or codes)"))
    h.cli_sheets.add_arguments(command(
        group, "read-sheet", _("read marks from photos or scans of signed sign-in sheets"),
        h.cmd_attendance_read_sheet))
    return parser, commands


def _trainee_options(sub: argparse.ArgumentParser, required: bool) -> None:
    sub.add_argument("--name", required=required, help=_("full name"))
    sub.add_argument("--id-number", required=required,
                     help=_("resident ID number, 18 characters"))
    sub.add_argument("--phone", help=_("mobile number"))
    sub.add_argument("--village", help=_("village"))
    sub.add_argument("--group", help=_("village group"))
    sub.add_argument("--gender", type=str.upper, choices=["M", "F"],
                     help=_("M or F (default: from the ID number)"))
    sub.add_argument("--birth-date", metavar=_("DATE"),
                     help=_("YYYY-MM-DD (default: from the ID number)"))
    sub.add_argument("--poor", action=argparse.BooleanOptionalAction,
                     help=_("from a registered poor household"))
    sub.add_argument("--education", help=_("highest schooling"))
    sub.add_argument("--notes", help=_("anything else"))


def _course_options(sub: argparse.ArgumentParser, required: bool) -> None:
    sub.add_argument("--code", required=required, help=_("short code, such as EC101"))
    sub.add_argument("--title", required=required, help=_("the course's title"))
    sub.add_argument("--hours", required=required, type=_number, help=_("total hours"))
    sub.add_argument("--category", help=_("category"))
    sub.add_argument("--description", help=_("description"))
    sub.add_argument("--min-share", type=_share, metavar=_("SHARE"),
                     help=_("share of scheduled hours to attend to complete, such as 0.8 or 80 "
                            "(default: 0.8)"))

