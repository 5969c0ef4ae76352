"""The command line: the station's services, scriptable. ``python -m trainer_app --help``.

Without a command the program window opens. Every refusal (bad input, an unknown id, a database
that cannot be used) is one line on stderr and exit code 2, with the database unchanged.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from trainer_app import __version__, i18n, paths
from trainer_app import cli_format as fmt
from trainer_app.domain.models import (
    AttendanceStatus,
    ClassStatus,
    Course,
    Lesson,
    Trainee,
    TrainingClass,
)
from trainer_app.i18n import _, ngettext
from trainer_app.services import attendance, classes, courses, demo, trainees
from trainer_app.services.errors import ServiceError, ValidationError, not_found
from trainer_app.store import Store, StoreError

EXIT_OK = 0
DEBUG_ENV = "TRAINER_APP_DEBUG"
CLASS_STATUSES = [s.value for s in ClassStatus]

# Options of the record-changing commands -> the record's fields.
TRAINEE_OPTIONS = {
    "name": "name", "id_number": "id_number", "phone": "phone", "village": "village",
    "group": "village_group", "gender": "gender", "birth_date": "birth_date",
    "poor": "poor_household", "education": "education", "notes": "notes",
}
COURSE_OPTIONS = {o: o for o in ("code", "title", "category", "description", "hours", "min_share")}


class CommandError(Exception):
    """A request the command line refuses; the message is for the user."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        where = self.prog.partition(" ")[2]  # the command, without the program's name
        raise CommandError(
            (f"{where}: {message}" if where else message) + " " + _("(see --help)")
        )


# -- entry point -----------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    fmt.utf8_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    i18n.set_language(_language_arg(argv))  # before the parser, so that --help is translated
    try:
        args = build_parser().parse_args(argv)
    except CommandError as exc:
        return fmt.refuse(str(exc))
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    store = None
    try:
        if args.command is None:
            from trainer_app.ui.app import run_gui  # Qt only for the window, never for commands

            return run_gui(args.db, args.lang)
        path = args.db or paths.default_db_path()
        if args.func is cmd_demo:
            store = Store(path, create=True)
            return cmd_demo(store, args, path)
        store = Store(path)
        return args.func(store, args) or EXIT_OK
    except ValidationError as exc:
        return fmt.refuse(fmt.validation_message(exc.errors))
    except (StoreError, ServiceError, CommandError) as exc:
        return fmt.refuse(str(exc))
    except sqlite3.Error as exc:
        return fmt.refuse(_("Database error: {reason}").format(reason=exc))
    except BrokenPipeError:  # output piped into a program that stopped reading (head, less)
        fmt.silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:  # the command's transaction was rolled back
        fmt.refuse(_("Interrupted; nothing was saved."))
        return 130
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        return fmt.refuse(
            _("Unexpected error ({kind}: {reason}). Run again with {env}=1 for details.").format(
                kind=type(exc).__name__, reason=exc, env=DEBUG_ENV
            )
        )
    finally:
        if store is not None:
            store.close()


def _language_arg(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


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


def _count(text: str) -> int:
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
def _shared_arguments() -> dict[str, tuple[tuple[str, ...], dict]]:
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
        "--reveal": (("--reveal",), {"action": "store_true",
                                     "help": _("show ID and phone numbers in full")}),
        "--json": (("--json",), {"action": "store_true",
                                 "help": _("print JSON instead of a table")}),
    }


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
                        help=_("language of the program (default: the system's)"))
    parser.add_argument("--version", action="version", version=f"Trainer {__version__}",
                        help=_("show the program's version and exit"))
    commands = parser.add_subparsers(dest="command", title=_("commands"), metavar=_("COMMAND"))
    shared = _shared_arguments()

    def command(group, name: str, help_text: str, func: Callable, *common: str):
        sub = group.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(func=func)
        for key in common:
            flags, options = shared[key]
            sub.add_argument(*flags, **options)
        return sub

    def actions(name: str, help_text: str):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        return sub.add_subparsers(title=_("actions"), metavar=_("ACTION"), required=True)

    sub = command(commands, "demo", _("create a demo station, or add demo records to a database"),
                  cmd_demo)
    sub.add_argument("--trainees", type=_count, default=300, metavar="N",
                     help=_("how many trainees to add (default: 300)"))
    sub.add_argument("--seed", type=int, default=7, metavar="S",
                     help=_("random seed, for the same data every time (default: 7)"))

    group = actions("trainees", _("list, register, change and remove trainees"))
    sub = command(group, "list", _("list trainees"), cmd_trainees_list, "--reveal", "--json")
    sub.add_argument("--search", default="", metavar=_("TEXT"),
                     help=_("part of the name, pinyin or initials, ID number, phone or village"))
    sub.add_argument("--limit", type=_count, metavar="N", help=_("show at most N trainees"))
    _trainee_options(command(group, "add", _("register a trainee and print the new id"),
                             cmd_trainees_add), required=True)
    _trainee_options(command(group, "edit", _("change a trainee's fields"), cmd_trainees_edit,
                             "trainee"), required=False)
    command(group, "delete", _("remove a trainee"), cmd_trainees_delete, "trainee")
    command(group, "show", _("show one trainee"), cmd_trainees_show, "trainee", "--reveal",
            "--json")

    group = actions("courses", _("list, add and change courses"))
    command(group, "list", _("list courses"), cmd_courses_list, "--json")
    _course_options(command(group, "add", _("add a course and print the new id"),
                            cmd_courses_add), required=True)
    sub = command(group, "edit", _("change a course"), cmd_courses_edit)
    sub.add_argument("course", metavar="ID", help=_("the course's id or code"))
    _course_options(sub, required=False)

    group = actions("classes", _("schedule classes, enroll trainees, see who completed"))
    command(group, "list", _("list classes"), cmd_classes_list, "--json")
    sub = command(group, "add", _("create a class and print the new id"), cmd_classes_add)
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
    sub = command(group, "status", _("set a class's status"), cmd_classes_status, "class")
    sub.add_argument("status", choices=CLASS_STATUSES, help=_("the new status"))
    for name, help_text, func in (
        ("enroll", _("enroll trainees in a class"), cmd_classes_enroll),
        ("unenroll", _("take trainees out of a class"), cmd_classes_unenroll),
    ):
        command(group, name, help_text, func, "class").add_argument(
            "trainees", nargs="+", metavar="TRAINEE_ID", help=_("trainee ids or codes"))
    command(group, "completion",
            _("each enrolled trainee's attended hours and whether the course rule is met"),
            cmd_classes_completion, "class", "--json")

    group = actions("lessons", _("list, add, move and cancel the lessons of a class"))
    command(group, "list", _("list a class's lessons"), cmd_lessons_list, "--class", "--json")
    sub = command(group, "add", _("add a lesson and print the new id"), cmd_lessons_add,
                  "--class", "--date", "--start")
    sub.add_argument("--hours", required=True, type=_number, help=_("how long, in hours"))
    sub.add_argument("--topic", default="", help=_("what the lesson is about"))
    command(group, "move", _("move a lesson to another day or time"), cmd_lessons_move,
            "lesson", "--date", "--start")
    command(group, "cancel", _("cancel a lesson (its hours no longer count)"),
            cmd_lessons_cancel, "lesson").add_argument(
        "--restore", action="store_true", help=_("take back the cancellation instead"))

    group = actions("attendance", _("take attendance at a lesson"))
    sub = command(group, "mark", _("record one trainee's attendance"), cmd_attendance_mark,
                  "--lesson")
    sub.add_argument("--trainee", required=True, metavar="ID",
                     help=_("the trainee's id or code"))
    sub.add_argument("--status", required=True, choices=[s.value for s in AttendanceStatus],
                     help=_("present, late, excused or absent"))
    command(group, "list", _("the attendance sheet of a lesson (with --json: the recorded marks)"),
            cmd_attendance_list, "--lesson", "--json")
    sub = command(group, "scan", _("mark present the trainee a scanned code belongs to"),
                  cmd_attendance_scan, "--lesson")
    sub.add_argument("code", metavar="CODE", help=_("the scanned trainee code"))
    sub.add_argument("--walk-in", action="store_true",
                     help=_("enroll the trainee in the class if they are not enrolled"))
    command(group, "all-present", _("mark every enrolled trainee without a mark present"),
            cmd_attendance_all_present, "--lesson").add_argument(
        "--except", dest="except_ids", nargs="+", default=[], metavar="TRAINEE_ID",
        help=_("trainees to leave out (ids or codes)"))
    return parser


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


def _listing(args: argparse.Namespace, rows: list[dict], columns: list, footer: str = "") -> int:
    if args.json:
        fmt.print_json(rows)
    else:
        fmt.print_table(columns, rows, footer)
    return EXIT_OK


def _changes(args: argparse.Namespace, options: dict[str, str]) -> dict:
    return {field: getattr(args, o) for o, field in options.items()
            if getattr(args, o, None) is not None}


def _trainee(store: Store, ref: str) -> dict:
    row = trainees.find_by_code(store, ref)
    if not row:
        raise not_found("trainee", ref)
    return row


def _course_id(store: Store, ref: str) -> str:
    for row in courses.list_all(store):
        if row["id"] == ref or row["code"] == ref.strip().upper():
            return row["id"]
    raise not_found("course", ref)


# -- commands --------------------------------------------------------------------------------------
def cmd_demo(store: Store, args: argparse.Namespace, path: Path) -> int:
    progress = None
    if sys.stderr.isatty() and args.trainees >= 5000:
        def progress(done: int, total: int) -> None:
            print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)
    counts = demo.fill(store, trainees=args.trainees, seed=args.seed, progress=progress)
    if progress:
        print("\r" + " " * 24 + "\r", end="", file=sys.stderr)
    print(_("Demo station: {path}").format(path=path))
    fmt.print_counts(counts)
    return EXIT_OK


def cmd_trainees_list(store: Store, args: argparse.Namespace) -> int:
    rows = trainees.search(store, args.search, limit=args.limit)
    footer = ngettext("{n} trainee", "{n} trainees", len(rows)).format(n=len(rows))
    return _listing(args, rows, fmt.trainee_columns(args.reveal), footer)


def cmd_trainees_add(store: Store, args: argparse.Namespace) -> int:
    print(trainees.register(store, Trainee(**_changes(args, TRAINEE_OPTIONS))))
    return EXIT_OK


def cmd_trainees_edit(store: Store, args: argparse.Namespace) -> int:
    row = _trainee(store, args.trainee)
    changes = _changes(args, TRAINEE_OPTIONS)
    if not changes:
        raise CommandError(_("Nothing to change: give at least one option, such as --phone."))
    if "id_number" in changes:  # derive them again from the new number unless given
        changes.setdefault("birth_date", None)
        changes.setdefault("gender", None)
    trainees.update(store, row["id"], dataclasses.replace(trainees.get(store, row["id"]),
                                                          **changes))
    print(_("Trainee {code} changed.").format(code=row["code"]))
    return EXIT_OK


def cmd_trainees_delete(store: Store, args: argparse.Namespace) -> int:
    row = _trainee(store, args.trainee)
    trainees.delete(store, row["id"])
    print(_("Trainee {code} ({name}) removed.").format(code=row["code"], name=row["name"]))
    return EXIT_OK


def cmd_trainees_show(store: Store, args: argparse.Namespace) -> int:
    row = _trainee(store, args.trainee)
    if args.json:
        fmt.print_json(dataclasses.asdict(trainees.get(store, row["id"])))
    else:
        print(fmt.trainee_details(row, args.reveal))
    return EXIT_OK


def cmd_courses_list(store: Store, args: argparse.Namespace) -> int:
    return _listing(args, courses.list_all(store), fmt.course_columns())


def cmd_courses_add(store: Store, args: argparse.Namespace) -> int:
    print(courses.add(store, Course(**_changes(args, COURSE_OPTIONS))))
    return EXIT_OK


def cmd_courses_edit(store: Store, args: argparse.Namespace) -> int:
    course_id = _course_id(store, args.course)
    changes = _changes(args, COURSE_OPTIONS)
    if not changes:
        raise CommandError(_("Nothing to change: give at least one option, such as --title."))
    courses.update(store, course_id, dataclasses.replace(courses.get(store, course_id), **changes))
    print(_("Course {code} changed.").format(code=changes.get("code") or args.course))
    return EXIT_OK


def cmd_classes_list(store: Store, args: argparse.Namespace) -> int:
    return _listing(args, classes.list_all(store), fmt.class_columns())


def cmd_classes_add(store: Store, args: argparse.Namespace) -> int:
    new = TrainingClass(
        course_id=_course_id(store, args.course), title=args.title, trainer=args.trainer,
        place=args.place, start_date=args.start, end_date=args.end, status=args.status,
        lessons=args.lesson,
    )
    print(classes.create(store, new))
    return EXIT_OK


def cmd_classes_status(store: Store, args: argparse.Namespace) -> int:
    classes.set_status(store, args.class_id, args.status)
    print(_("Class status: {status}.").format(status=ClassStatus(args.status).label))
    return EXIT_OK


def cmd_classes_enroll(store: Store, args: argparse.Namespace) -> int:
    n = classes.enroll(store, args.class_id, [_trainee(store, r)["id"] for r in args.trainees])
    print(ngettext("Enrolled {n} trainee.", "Enrolled {n} trainees.", n).format(n=n))
    return EXIT_OK


def cmd_classes_unenroll(store: Store, args: argparse.Namespace) -> int:
    n = classes.unenroll(store, args.class_id, [_trainee(store, r)["id"] for r in args.trainees])
    print(ngettext("Took {n} trainee out of the class.", "Took {n} trainees out of the class.",
                   n).format(n=n))
    return EXIT_OK


def cmd_classes_completion(store: Store, args: argparse.Namespace) -> int:
    rows = classes.completion_report(store, args.class_id)
    done = sum(1 for r in rows if r["completed"])
    footer = _("{done} of {n} completed").format(done=done, n=len(rows))
    return _listing(args, rows, fmt.completion_columns(), footer)


def cmd_lessons_list(store: Store, args: argparse.Namespace) -> int:
    return _listing(args, classes.lessons(store, args.class_id), fmt.lesson_columns())


def cmd_lessons_add(store: Store, args: argparse.Namespace) -> int:
    lesson = Lesson(date=args.date, start_time=args.start, hours=args.hours, topic=args.topic)
    print(classes.add_lesson(store, args.class_id, lesson))
    return EXIT_OK


def cmd_lessons_move(store: Store, args: argparse.Namespace) -> int:
    classes.move_lesson(store, args.lesson, args.date, args.start)
    print(_("Lesson moved to {date} {time}.").format(date=args.date, time=args.start))
    return EXIT_OK


def cmd_lessons_cancel(store: Store, args: argparse.Namespace) -> int:
    classes.cancel_lesson(store, args.lesson, cancelled=not args.restore)
    print(_("Lesson restored.") if args.restore else _("Lesson cancelled."))
    return EXIT_OK


def cmd_attendance_mark(store: Store, args: argparse.Namespace) -> int:
    row = _trainee(store, args.trainee)
    attendance.mark(store, args.lesson, row["id"], args.status)
    print(_("{name} ({code}): {status}").format(
        name=row["name"], code=row["code"], status=AttendanceStatus(args.status).label))
    return EXIT_OK


def cmd_attendance_list(store: Store, args: argparse.Namespace) -> int:
    rows = attendance.sheet(store, args.lesson)
    if args.json:
        fmt.print_json(fmt.attendance_marks(args.lesson, rows))
    else:
        fmt.print_table(fmt.attendance_columns(), rows)
    return EXIT_OK


def cmd_attendance_scan(store: Store, args: argparse.Namespace) -> int:
    result = attendance.scan(store, args.lesson, args.code, enroll_walk_in=args.walk_in)
    who = result.trainee or {}
    names = {"name": who.get("name"), "code": who.get("code")}
    if result.outcome is attendance.ScanOutcome.UNKNOWN:
        raise CommandError(_("No trainee has the code {code}; nothing was recorded.").format(
            code=args.code))
    if result.outcome is attendance.ScanOutcome.NOT_ENROLLED:
        raise CommandError(_("{name} ({code}) is not enrolled in this class; scan again with "
                             "--walk-in to enroll them.").format(**names))
    if result.outcome is attendance.ScanOutcome.ALREADY:
        print(_("{name} ({code}) is already marked present.").format(**names))
    else:
        print(_("{name} ({code}) marked present.").format(**names))
    return EXIT_OK


def cmd_attendance_all_present(store: Store, args: argparse.Namespace) -> int:
    skip = [_trainee(store, r)["id"] for r in args.except_ids]
    n = attendance.mark_all_present(store, args.lesson, skip)
    print(ngettext("Marked {n} trainee present.", "Marked {n} trainees present.", n).format(n=n))
    return EXIT_OK
