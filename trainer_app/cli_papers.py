"""The command line's certificates, printed papers and station details.

``certificates issue`` issues and writes the PDF in one transaction: when the PDF cannot be
written (or the command is interrupted) no certificate is recorded, so "nothing was saved" stays
true. Every ``--out`` is checked before the database is touched.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from trainer_app import cli_format as fmt
from trainer_app import i18n
from trainer_app.cli_parser import CommandError, actions, command, count
from trainer_app.files import WriteError, deferred_replace, explain
from trainer_app.i18n import _, ngettext
from trainer_app.security import keys
from trainer_app.services import certificates, station, trainees
from trainer_app.services.errors import ValidationError, not_found
from trainer_app.store import Store
from trainer_app.store import certificates as certificates_q

EXIT_OK = 0
EXIT_NOT_GENUINE = 1
PROGRESS_FROM = 50  # show progress on a terminal for at least this many pages

# Station fields -> the options of ``station set`` that set them.
STATION_OPTIONS = {"station_name": "name", "county_name": "county", "station_code": "code",
                   "seal_image": "seal", "logo_image": "logo"}
# Fields of a certificate in ``certificates list --json``.
CERTIFICATE_FIELDS = (
    "id", "serial", "status", "trainee_id", "trainee_name", "id_number_masked", "class_id",
    "class_title", "course_code", "course_title", "hours", "start_date", "end_date", "issued_on",
    "key_id", "replaces_serial", "replaced_by", "revoked_reason", "revoked_at", "qr_text",
)


# -- the parser ------------------------------------------------------------------------------------
def add_commands(commands) -> None:
    """Add ``certificates``, ``papers`` and ``station`` to the command line's commands."""
    _certificate_commands(actions(
        commands, "certificates",
        _("issue, list, withdraw, reissue, reprint and verify certificates")))
    _paper_commands(actions(
        commands, "papers",
        _("print a lesson's sign-in sheet, trainee cards, a class roster or summary")))
    group = actions(commands, "station", _("show or change the station's details"))
    command(group, "show", _("show the station's name, county, code, seal, logo and key"),
            cmd_station_show, "--json")
    sub = command(group, "set", _("change the station's details printed on papers"),
                  cmd_station_set)
    sub.add_argument("--name", help=_("the station's name"))
    sub.add_argument("--county", help=_("the county's name (set by the county pack once the "
                                        "station is linked)"))
    sub.add_argument("--code", help=_("the station code used in serials, 2 to 12 letters or "
                                      "digits (set by the county pack once the station is "
                                      "linked)"))
    for kind, help_text, none_text in (
        ("seal", _("a PNG image of the seal (transparent background)"), _("print no seal")),
        ("logo", _("a PNG image of the logo"), _("print no logo")),
    ):
        sub.add_argument(f"--{kind}", type=Path, metavar="PNG", help=help_text)
        sub.add_argument(f"--no-{kind}", action="store_true", help=none_text)


def _out(sub: argparse.ArgumentParser, required: bool = True) -> None:
    sub.add_argument("--out", type=Path, required=required, metavar=_("FILE.pdf"),
                     help=_("the PDF file to write (its folder must exist)"))


def _trainee_option(sub: argparse.ArgumentParser, help_text: str) -> None:
    sub.add_argument("--trainee", dest="trainees", action="extend", nargs="+", metavar="ID",
                     help=help_text)


def _certificate_commands(group) -> None:
    sub = command(group, "issue",
                  _("issue certificates to a class's trainees who met the completion rule and "
                    "write them to one PDF, one page each; print the serials (a trainee who "
                    "already has one gets it again, marked as a reprint)"),
                  cmd_certificates_issue, "--class")
    _trainee_option(sub, _("only these trainees (ids or codes; default: everyone eligible)"))
    _out(sub)
    sub = command(group, "list", _("the certificate register, newest first"),
                  cmd_certificates_list, "--json")
    sub.add_argument("--search", default="", metavar=_("TEXT"),
                     help=_("part of the serial or the name"))
    sub.add_argument("--limit", type=count, metavar="N", help=_("show at most N certificates"))
    sub.add_argument("--class", dest="class_id", metavar="ID",
                     help=_("only the certificates of this class"))
    sub = command(group, "revoke", _("withdraw a certificate; it then verifies as withdrawn"),
                  cmd_certificates_revoke)
    _serial(sub)
    sub.add_argument("--reason", required=True, metavar=_("TEXT"),
                     help=_("why it is withdrawn"))
    sub = command(group, "reissue",
                  _("issue a new certificate with the trainee's corrected details, replacing "
                    "(and withdrawing) the old one; print the new serial"),
                  cmd_certificates_reissue)
    _serial(sub)
    sub.add_argument("--reason", required=True, metavar=_("TEXT"),
                     help=_("what was corrected"))
    _out(sub, required=False)
    sub = command(group, "print",
                  _("reprint certificates (same serials) into one PDF; one issued with an "
                    "earlier code format is signed again in the current one"),
                  cmd_certificates_print)
    sub.add_argument("serials", nargs="+", metavar=_("SERIAL"), help=_("the serials"))
    _out(sub)
    sub = command(group, "verify",
                  _("check a certificate's QR text or serial: exit 0 when genuine, 1 when "
                    "forged, withdrawn or unknown"),
                  cmd_certificates_verify, "--json")
    sub.add_argument("text", nargs="+", metavar=_("TEXT"),
                     help=_("the scanned QR text (in quotes: TRC2:…, its web address, or an "
                            "earlier TRC1:…) or the serial"))


def _serial(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("serial", metavar=_("SERIAL"), help=_("the certificate's serial"))


def _paper_commands(group) -> None:
    sub = command(group, "sign-in-sheet",
                  _("a lesson's sign-in sheet: enrolled names with a QR each for the scanner, "
                    "a signature column and blank rows for walk-ins"),
                  cmd_papers_sign_in_sheet, "--lesson")
    _out(sub)
    sub = command(group, "cards", _("trainee cards with a QR of the trainee's code, several "
                                    "per page, to cut out"), cmd_papers_cards, "--class")
    _trainee_option(sub, _("only these trainees (ids or codes; default: everyone enrolled)"))
    _out(sub)
    _out(command(group, "roster", _("the class roster"), cmd_papers_roster, "--class"))
    _out(command(group, "summary", _("the class summary: hours, attendance per trainee and "
                                     "completion"), cmd_papers_summary, "--class"))


# -- helpers ---------------------------------------------------------------------------------------
def _out_path(path: Path) -> Path:
    """``--out``, refused (before anything is done) when it cannot be a new or replaced file."""
    if path.is_dir():
        raise CommandError(_("--out: {path} is a folder; give a file name, such as {example}.")
                           .format(path=path, example=path / "certificates.pdf"))
    if not path.parent.is_dir():
        raise CommandError(_("--out: the folder {folder} does not exist.").format(
            folder=path.parent))
    return path


def _writing(path: Path, write: Callable[[], object]) -> Path:
    """Run ``write``; a file that cannot be written is one line, not a traceback."""
    try:
        write()
    except WriteError as exc:  # its message names the file and what to do
        raise CommandError(str(exc)) from exc
    except OSError as exc:
        raise CommandError(explain(exc, path)) from exc
    return path


def _progress(total: int) -> Callable[[int, int], None] | None:
    if total < PROGRESS_FROM or not sys.stderr.isatty():
        return None

    def progress(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\r{done}/{total}", end=end, file=sys.stderr, flush=True)

    return progress


def _trainee_ids(store: Store, refs: list[str] | None) -> list[str] | None:
    if refs is None:
        return None
    ids = []
    for ref in refs:
        row = trainees.find_by_code(store, ref)
        if not row:
            raise not_found("trainee", ref)
        ids.append(row["id"])
    return ids


def _write_certificates(store: Store, rows: list[dict], out: Path) -> Path:
    from trainer_app.pdf.certificate import UnprintableText  # reportlab only when printing

    try:
        return _writing(out, lambda: certificates.write_pdf(store, rows, out,
                                                            _progress(len(rows))))
    except UnprintableText as exc:  # issuing checks the fields; this is a last guard
        raise CommandError(str(exc)) from exc


def _status_label(status: str) -> str:
    return {"valid": _("valid"), "withdrawn": _("withdrawn"), "replaced": _("replaced")}.get(
        status, status)


def _verdict_label(verdict: certificates.Verdict) -> str:
    return {
        certificates.Verdict.GENUINE: _("genuine"),
        certificates.Verdict.FORGED: _("forged"),
        certificates.Verdict.WITHDRAWN: _("withdrawn"),
        certificates.Verdict.UNKNOWN_SIGNER: _("unknown signer"),
        certificates.Verdict.UNKNOWN: _("unknown"),
    }[verdict]


def _details(fields: list[tuple[str, object]]) -> str:
    """``label  value`` lines, aligned; empty values left out."""
    fields = [(label, value) for label, value in fields if value not in (None, "")]
    width = max((fmt.display_width(label) for label, _value in fields), default=0)
    return "\n".join(label + " " * (width - fmt.display_width(label)) + "  " + str(value)
                     for label, value in fields)


def certificate_columns() -> list[fmt.Column]:
    return [
        (_("Serial"), lambda r: r["serial"]),
        (_("Name"), lambda r: r["trainee_name"]),
        (_("Course"), lambda r: r["course_title"]),
        (_("Class"), lambda r: r["class_title"]),
        (_("Hours"), lambda r: float(r["hours"])),
        (_("Issued"), lambda r: r["issued_on"]),
        (_("Status"), lambda r: _status_label(r["status"])),
        (_("Reason"), lambda r: r["revoked_reason"] or ""),
        (_("Id"), lambda r: r["id"]),
    ]


# -- certificates ----------------------------------------------------------------------------------
def cmd_certificates_issue(store: Store, args: argparse.Namespace) -> int:
    out = _out_path(args.out)
    wanted = _trainee_ids(store, args.trainees)
    # No certificate is recorded unless its PDF was written, and the PDF appears only once
    # they are recorded (committed first, then renamed into place): a serial on paper is
    # always in the register.
    with deferred_replace(), store.transaction():
        result = certificates.issue(store, args.class_id, wanted)
        _write_certificates(store, result.certificates, out)
    for reason in result.refused:
        print(_("skipped: {reason}").format(reason=" ".join(reason.split())), file=sys.stderr)
    reprinted = set(result.reprinted)
    for row in result.certificates:
        serial = row["serial"]
        print(_("{serial} (reprint)").format(serial=serial) if serial in reprinted else serial)
    return EXIT_OK


def cmd_certificates_list(store: Store, args: argparse.Namespace) -> int:
    rows = certificates.register(store, args.search, limit=args.limit, class_id=args.class_id)
    if args.json:
        fmt.print_json([{k: row.get(k) for k in CERTIFICATE_FIELDS} for row in rows])
    else:
        footer = ngettext("{n} certificate", "{n} certificates", len(rows)).format(n=len(rows))
        fmt.print_table(certificate_columns(), rows, footer)
    return EXIT_OK


def cmd_certificates_revoke(store: Store, args: argparse.Namespace) -> int:
    row = certificates.revoke(store, args.serial, args.reason)
    print(_("Certificate {serial} ({name}) withdrawn.").format(
        serial=row["serial"], name=row["trainee_name"]))
    return EXIT_OK


def cmd_certificates_reissue(store: Store, args: argparse.Namespace) -> int:
    out = _out_path(args.out) if args.out else None
    with deferred_replace(), store.transaction():
        new = certificates.reissue(store, args.serial, args.reason)
        if out:
            _write_certificates(store, [new], out)
    print(new["serial"])
    return EXIT_OK


def cmd_certificates_print(store: Store, args: argparse.Namespace) -> int:
    out = _out_path(args.out)
    with store.transaction():  # a code signed again in the current format only if printed
        result = certificates.reprint(store, args.serials)
        path = _write_certificates(store, result.certificates, out)
    for serial in result.reformatted:
        print(_("{serial}: issued with an earlier format, printed in the current format with "
                "the same serial (its earlier paper stays genuine)").format(serial=serial),
              file=sys.stderr)
    print(path)
    return EXIT_OK


def cmd_certificates_verify(store: Store, args: argparse.Namespace) -> int:
    result = certificates.verify(store, " ".join(args.text))
    if args.json:
        fmt.print_json({"verdict": result.verdict.value, "genuine": result.genuine,
                        "message": result.message, "serial": result.serial,
                        "earlier_format": result.earlier_format, "details": result.details})
    else:
        d = result.details
        print(_details([(_("Verdict"), _verdict_label(result.verdict))]))
        print(result.message)
        if d:
            print(_details([
                (_("Serial"), d.get("serial")), (_("Name"), d.get("trainee_name")),
                (_("ID number"), d.get("id_number_masked")),
                (_("Course"), d.get("course_title") or d.get("course_code")),
                (_("Course code"), d.get("course_code")),
                (_("Hours"), i18n.format_number(d["hours"]) if d.get("hours") else ""),
                (_("Dates"), " – ".join(x for x in (d.get("start_date"), d.get("end_date")) if x)),
                (_("Issued"), d.get("issued_on")),
                (_("Status"), _status_label(d["status"]) if d.get("status") else ""),
                (_("Key"), d.get("key_id")),
            ]))
    return EXIT_OK if result.genuine else EXIT_NOT_GENUINE


# -- papers ----------------------------------------------------------------------------------------
def _paper(out: Path, write: Callable[[], object]) -> int:
    print(_writing(out, write))
    return EXIT_OK


def cmd_papers_sign_in_sheet(store: Store, args: argparse.Namespace) -> int:
    from trainer_app.services import papers

    out = _out_path(args.out)
    return _paper(out, lambda: papers.sign_in_sheet(store, args.lesson, out))


def cmd_papers_cards(store: Store, args: argparse.Namespace) -> int:
    from trainer_app.services import papers

    out = _out_path(args.out)
    wanted = _trainee_ids(store, args.trainees)
    return _paper(out, lambda: papers.trainee_cards(store, args.class_id, out, wanted))


def cmd_papers_roster(store: Store, args: argparse.Namespace) -> int:
    from trainer_app.services import papers

    out = _out_path(args.out)
    return _paper(out, lambda: papers.roster(store, args.class_id, out))


def cmd_papers_summary(store: Store, args: argparse.Namespace) -> int:
    from trainer_app.services import papers

    out = _out_path(args.out)
    return _paper(out, lambda: papers.class_summary(store, args.class_id, out))


# -- station ---------------------------------------------------------------------------------------
def _signing_key(store: Store) -> tuple[str, str]:
    """The station's signing key id and fingerprint, '' before the first certificate made one
    (never made here: showing changes nothing)."""
    for row in certificates_q.site_keys(store, store.site_id):
        if row["purpose"] == "sign":
            return row["key_id"], keys.fingerprint(keys.public_from_b64(row["public_key"]))
    return "", ""


def cmd_station_show(store: Store, args: argparse.Namespace) -> int:
    info = station.info(store)
    key_id, fingerprint = _signing_key(store)
    provisional = not store.get_meta("station_code")
    if args.json:
        fmt.print_json({
            "id": store.site_id, "station_name": info.station_name,
            "county_name": info.county_name, "station_code": info.station_code,
            "station_code_provisional": provisional,
            "seal_image": str(info.seal_image) if info.seal_image else None,
            "logo_image": str(info.logo_image) if info.logo_image else None,
            "key_id": key_id or None, "key_fingerprint": fingerprint or None,
        })
        return EXIT_OK
    code = info.station_code
    if provisional:
        code = _("{code} (provisional)").format(code=code)
    print(_details([
        (_("Station"), info.station_name or _("(not set)")),
        (_("County"), info.county_name or _("(not set)")),
        (_("Station code"), code),
        (_("Seal"), info.seal_image or _("none")),
        (_("Logo"), info.logo_image or _("none")),
        (_("Signing key"), fingerprint or _("none yet (made with the first certificate)")),
        (_("Id"), store.site_id),
    ]))
    return EXIT_OK


def cmd_station_set(store: Store, args: argparse.Namespace) -> int:
    images = {}
    for kind in ("seal", "logo"):
        if getattr(args, kind) is not None and getattr(args, f"no_{kind}"):
            raise CommandError(_("Give either --{kind} or --no-{kind}, not both.").format(
                kind=kind))
        if getattr(args, kind) is not None or getattr(args, f"no_{kind}"):
            images[kind] = getattr(args, kind)
    names = {"station_name": args.name, "county_name": args.county, "station_code": args.code}
    if all(v is None for v in names.values()) and not images:
        raise CommandError(_("Nothing to change: give at least one option, such as --name."))
    try:
        with store.transaction():  # all of it or none of it
            station.update(store, **names)
            for kind, path in images.items():
                station.set_image(store, kind, path)
    except ValidationError as exc:  # named by this command's options
        errors = {STATION_OPTIONS.get(k, k): m for k, m in exc.errors.items()}
        raise ValidationError(errors) from None
    print(_("Station details saved."))
    return EXIT_OK
