"""The command line: the station's services, scriptable. ``python -m trainer_app --help``.

Without a command the program window opens. Every refusal (bad input, an unknown id, a database
that cannot be used) is one line on stderr and exit code 2, with the database unchanged.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from trainer_app import (
    cli_backup,
    cli_import,
    cli_papers,
    cli_parser,
    cli_reports,
    cli_sheets,
    cli_sync,
    i18n,
    paths,
)
from trainer_app import cli_format as fmt
from trainer_app.cli_parser import CommandError
from trainer_app.domain.models import (
    AttendanceStatus,
    ClassStatus,
    Course,
    Lesson,
    Trainee,
    TrainingClass,
)
from trainer_app.files import WriteError
from trainer_app.i18n import _, ngettext
from trainer_app.services import attendance, classes, courses, demo, trainees
from trainer_app.services.errors import ServiceError, ValidationError, not_found
from trainer_app.store import Store, StoreError

EXIT_OK = 0
DEBUG_ENV = "TRAINER_APP_DEBUG"

# Options of the record-changing commands -> the record's fields.
TRAINEE_OPTIONS = {
    "name": "name", "id_number": "id_number", "phone": "phone", "village": "village",
    "group": "village_group", "gender": "gender", "birth_date": "birth_date",
    "poor": "poor_household", "education": "education", "notes": "notes",
}
COURSE_OPTIONS = {o: o for o in ("code", "title", "category", "description", "hours", "min_share")}


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


def _interrupted(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _terminate_as_interrupt():
    """A command ended with SIGTERM (a logout, a service stopping, ``kill``) unwinds as Ctrl+C
    does: its transaction is rolled back and its temporary files removed, none left on a
    USB stick. (SIGKILL and power cuts cannot be caught: the next run tidies up.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGTERM, _interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _run(args: argparse.Namespace) -> int:
    if args.command is None:
        from trainer_app.ui.app import run_gui  # Qt only for the window, never for commands

        return run_gui(args.db, args.lang)
    with _terminate_as_interrupt():
        return _run_command(args)


def _run_command(args: argparse.Namespace) -> int:
    store = None
    try:
        path = args.db or paths.default_db_path()
        if args.func is cmd_demo:
            store = Store(path, create=True)
            return cmd_demo(store, args, path)
        if getattr(args, "takes_path", False):  # opens (or creates) the database itself
            return args.func(path, args) or EXIT_OK
        store = Store(path)
        return args.func(store, args) or EXIT_OK
    except ValidationError as exc:
        return fmt.refuse(fmt.validation_message(exc.errors))
    except (StoreError, ServiceError, CommandError, WriteError) as exc:
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


# -- the parser ------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser, commands = cli_parser.build(sys.modules[__name__])
    cli_papers.add_commands(commands)
    cli_import.add_commands(commands)
    cli_sync.add_commands(commands)
    cli_reports.add_commands(commands)
    cli_backup.add_commands(commands)
    return parser


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
    raise CommandError(_("No course has the code or id {ref}: 'courses list --all' shows them.")
                       .format(ref=ref))


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
    if not args.reveal:
        rows = [fmt.masked(row) for row in rows]
    footer = ngettext("{n} trainee", "{n} trainees", len(rows)).format(n=len(rows))
    return _listing(args, rows, fmt.trainee_columns(), footer)


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
        record = dataclasses.asdict(trainees.get(store, row["id"]))
        fmt.print_json(record if args.reveal else fmt.masked(record))
    else:
        print(fmt.trainee_details(row, args.reveal))
    return EXIT_OK


def cmd_courses_list(store: Store, args: argparse.Namespace) -> int:
    rows = courses.search(store, args.search, include_retired=args.all)
    footer = ngettext("{n} course", "{n} courses", len(rows)).format(n=len(rows))
    return _listing(args, rows, fmt.course_columns(), footer)


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


def cmd_courses_retire(store: Store, args: argparse.Namespace) -> int:
    code = _course_action(store, args.course, courses.retire)
    print(_("Course {code} retired: no new class can be scheduled for it.").format(code=code))
    return EXIT_OK


def cmd_courses_restore(store: Store, args: argparse.Namespace) -> int:
    code = _course_action(store, args.course, courses.restore)
    print(_("Course {code} is offered again.").format(code=code))
    return EXIT_OK


def _course_action(store: Store, ref: str, act: Callable[[Store, str], None]) -> str:
    """Retire or restore the course ``ref`` names; returns its code."""
    course_id = _course_id(store, ref)
    act(store, course_id)
    return courses.get(store, course_id).code


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


def cmd_attendance_read_sheet(store: Store, args: argparse.Namespace) -> int:
    return cli_sheets.run(store, args)
