"""The command line's backups::

    trainer_app backup create                         # into the backup folder, checked
    trainer_app backup create --out E:/ --passphrase-file pass.txt   # the encrypted file
    trainer_app backup list --json
    trainer_app backup verify E:/Trainer-WP01-2026-12-03_21-39.trbackup --passphrase-file pass.txt
    trainer_app --db new.db backup restore E:/Trainer-WP01-....trbackup --passphrase-file pass.txt

Without ``--passphrase-file`` the passphrase is asked on the terminal (twice when it is
chosen). A wrong passphrase, a damaged backup, a backup of a newer schema or a file that is not
ours: one ``error:`` line, exit 2, the database untouched.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from trainer_app import cli_format as fmt
from trainer_app import i18n
from trainer_app.cli_parser import CommandError, actions, command
from trainer_app.i18n import _
from trainer_app.services import backup, restore
from trainer_app.store import Store
from trainer_app.store import sync as sync_q
from trainer_app.sync import epochs, exchange, rebuild, site

EXIT_OK = 0


def add_commands(commands) -> None:
    group = actions(commands, "backup", _("back up this database, check and restore backups"))
    sub = command(group, "create",
                  _("back up the database into the backup folder (checked), or with --out the "
                    "encrypted single file with the site's keys, for a USB stick; print its "
                    "path"), cmd_backup_create)
    sub.add_argument("--out", type=Path, metavar=_("DIR_OR_FILE"),
                     help=_("write the encrypted backup into this folder, or to this file"))
    _passphrase_option(sub)
    command(group, "list", _("this database's backups in the backup folder, newest first"),
            cmd_backup_list, "--json")
    sub = command(group, "verify", _("check a backup and print what it holds; exit 2 when it "
                                     "cannot be restored"), cmd_backup_verify)
    sub.set_defaults(takes_path=True)
    sub.add_argument("file", type=Path, metavar=_("FILE"), help=_("the backup file"))
    _passphrase_option(sub)
    sub = command(group, "restore",
                  _("replace the database with a backup (the current one is backed up first); "
                    "with a database that does not exist yet, make it the backed-up station or "
                    "county, with its keys"), cmd_backup_restore)
    sub.set_defaults(takes_path=True)
    sub.add_argument("file", type=Path, metavar=_("FILE"), help=_("the backup file"))
    _passphrase_option(sub)


    group = actions(commands, "epochs", _("at the county: a station's epochs (each restore "
                                          "from a backup starts one), and which PC is the "
                                          "station when two were restored from one backup"))
    sub = command(group, "list", _("a station's epochs: when each started, from which bundle, "
                                   "bundles applied, applied, held or stopped"),
                  cmd_epochs_list, "--json")
    sub.add_argument("code", metavar=_("CODE"), help=_("the station's code"))
    sub = command(group, "choose",
                  _("choose the epoch (the PC) that is the station: its held bundles are "
                    "applied, the other epoch from the same backup is stopped"),
                  cmd_epochs_choose)
    sub.add_argument("code", metavar=_("CODE"), help=_("the station's code"))
    sub.add_argument("epoch", metavar=_("EPOCH_ID"),
                     help=_("the epoch's id (or its first characters), as 'epochs list' shows"))


    _add_rebuild_commands(commands)


def _group(commands, name: str):
    """The sub-commands of the command ``name`` (added by another module)."""
    parser = commands.choices[name]
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def _add_rebuild_commands(commands) -> None:
    """``stations rekey``, ``county rebuild-pack`` and ``setup station --rebuild``, beside the
    commands of :mod:`trainer_app.cli_sync` they belong with."""
    sub = command(_group(commands, "stations"), "rekey",
                  _("approve a new key for a station whose PC was lost with no backup, after "
                    "comparing its fingerprint with the one the station shows; the station "
                    "keeps its site id, its old key stays (retired) so its certificates "
                    "verify"), cmd_stations_rekey)
    sub.add_argument("code", metavar=_("CODE"), help=_("the station's code"))
    sub.add_argument("--fingerprint", required=True, metavar=_("FINGERPRINT"),
                     help=_("the new key's fingerprint, as the station shows it"))
    sub.add_argument("--bundle", type=Path, metavar=_("FILE"),
                     help=_("the first bundle the station's new PC wrote (without it: the key "
                            "with this fingerprint among those waiting for the station, see "
                            "'stations list')"))
    sub = command(_group(commands, "county"), "rebuild-pack",
                  _("write the rebuild file of a station after 'stations rekey': its records "
                    "as the county holds them, encrypted to the new PC"), cmd_county_rebuild)
    sub.add_argument("--station-code", required=True, metavar=_("CODE"),
                     help=_("the station's code"))
    sub.add_argument("--out", type=Path, required=True, metavar=_("DIR_OR_FILE"),
                     help=_("the folder or file to write"))
    station = _group(commands, "setup").choices["station"]
    for action in station._actions:
        if action.dest == "pack":
            action.required = False
    station.add_argument("--rebuild", type=Path, metavar=_("FILE"),
                         help=_("on a new PC linked with the county pack: become the station "
                                "again from the rebuild file the county wrote"))
    linking = station.get_default("func")

    def setup_station(path: Path, args: argparse.Namespace) -> int:
        if args.rebuild is not None:
            return cmd_setup_rebuild(path, args)
        if args.pack is None:
            raise CommandError(_("Give --pack FILE (or --rebuild FILE)."))
        return linking(path, args)

    station.set_defaults(func=setup_station)


def _passphrase_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--passphrase-file", type=Path, metavar=_("FILE"),
                     help=_("read the passphrase of the encrypted backup from the first line "
                            "of this file (default: ask on the terminal)"))


def _passphrase(args: argparse.Namespace, twice: bool) -> str:
    if args.passphrase_file is not None:
        try:
            text = args.passphrase_file.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(_("The passphrase file {path} cannot be read: {reason}").format(
                path=args.passphrase_file, reason=getattr(exc, "strerror", None) or exc)) from None
        return text.splitlines()[0] if text.splitlines() else ""
    if not sys.stdin.isatty():
        raise CommandError(_("Give the passphrase with --passphrase-file."))
    first = getpass.getpass(_("Passphrase: "))
    if twice and getpass.getpass(_("The same passphrase again: ")) != first:
        raise CommandError(_("The two passphrases differ; nothing was written."))
    return first


def _labels() -> dict[str, str]:
    return {"trainee": _("trainees"), "training_class": _("classes"),
            "certificate": _("certificates"), "attendance": _("attendance marks"),
            "station": _("stations")}


def _describe(info: backup.BackupInfo) -> str:
    labels = _labels()
    counts = ", ".join(f"{labels[k]} {i18n.format_number(n, 0)}"
                       for k, n in info.counts.items() if k in labels and (n or k == "trainee"))
    lines = [
        _("Made: {when}").format(when=i18n.format_datetime(info.created_at) or "?"),
        _("Site: {code} {name}").format(code=info.code or "-", name=info.name).rstrip(),
        _("Holds: {counts}").format(counts=counts),
    ]
    if info.last_bundle:
        lines.append(_("Last bundle sent: number {n}").format(n=info.last_bundle))
    return "\n".join(lines)


def cmd_backup_create(store: Store, args: argparse.Namespace) -> int:
    if args.out is None:
        if args.passphrase_file is not None:
            raise CommandError(_("--passphrase-file goes with --out: backups in the backup "
                                 "folder are not encrypted."))
        info = backup.create(store)
    else:
        info = restore.export_sealed(store, args.out, _passphrase(args, twice=True))
    print(info.path)
    print(_describe(info))
    return EXIT_OK


def cmd_backup_list(store: Store, args: argparse.Namespace) -> int:
    found = backup.list_backups(store.site_id)
    if args.json:
        fmt.print_json([info.as_json() for info in found])
        return EXIT_OK
    columns = [
        (_("Backed up"), lambda r: i18n.format_datetime(r.created_at)),
        (_("Size"), lambda r: fmt_size(r.size)),
        (_("Trainees"), lambda r: r.counts.get("trainee", "")),
        (_("Classes"), lambda r: r.counts.get("training_class", "")),
        (_("Certificates"), lambda r: r.counts.get("certificate", "")),
        (_("Last bundle"), lambda r: r.last_bundle or ""),
        (_("File"), lambda r: r.path.name + (f"  ({r.problem})" if r.problem else "")),
    ]
    fmt.print_table(columns, found, _("Backup folder: {folder}").format(folder=backup.folder()))
    return EXIT_OK


def fmt_size(size: int) -> str:
    return _("{n} MB").format(n=i18n.format_number(size / 1024**2, 1))


def _maybe_passphrase(args: argparse.Namespace) -> str | None:
    if not args.file.is_file() or not restore.is_sealed(args.file):
        return None
    return _passphrase(args, twice=False)


def cmd_backup_verify(_path: Path, args: argparse.Namespace) -> int:
    info = restore.verify(args.file, _maybe_passphrase(args))
    print(_("{file} is a sound backup.").format(file=args.file))
    print(_describe(info))
    return EXIT_OK


def cmd_backup_restore(path: Path, args: argparse.Namespace) -> int:
    secret = _maybe_passphrase(args)
    loss = restore.loss_text(path, restore.verify(args.file, secret))
    result = restore.restore(path, args.file, secret)
    if result.safety is not None:
        print(_("The database it replaced was backed up to {path}.").format(
            path=result.safety.path))
    print(_("Restored {file} into {db}.").format(file=args.file.name, db=path))
    print(_describe(result.restored))
    if loss:
        print(loss)
    if result.keys_missing:
        print(_("Warning: this data folder holds no key of the restored site; restore its "
                "encrypted backup (which holds the keys) to sign certificates and bundles."),
              file=sys.stderr)
    return EXIT_OK


def _station_site(store: Store, code: str) -> str:
    site.require_role(store, "county")
    row = sync_q.station_by_code(store, code.strip().upper())
    if not row or not row["site_id"]:
        raise CommandError(_("No station with code {code} has sent a bundle.").format(code=code))
    return row["site_id"]


def cmd_epochs_list(store: Store, args: argparse.Namespace) -> int:
    rows = epochs.listing(store, _station_site(store, args.code), exchange.held_dir())
    if args.json:
        fmt.print_json(rows)
        return EXIT_OK
    status = {"active": _("applied"), "held": _("held"), "stopped": _("stopped")}
    fmt.print_table([
        (_("Epoch"), lambda r: r["epoch_id"]),
        (_("Number"), lambda r: r["epoch"]),
        (_("Started"), lambda r: i18n.format_datetime(r["started_at"]) if r["started_at"]
         else ""),
        (_("From bundle"), lambda r: r["base_seq"]),
        (_("Bundles applied"), lambda r: r["bundles"]),
        (_("Bundles held"), lambda r: r["held_bundles"]),
        (_("Records"), lambda r: r["records"]),
        (_("Status"), lambda r: status.get(r["status"], r["status"])),
    ], rows)
    return EXIT_OK


def cmd_epochs_choose(store: Store, args: argparse.Namespace) -> int:
    site_id = _station_site(store, args.code)
    found = [r["epoch_id"] for r in epochs.listing(store, site_id)
             if r["epoch_id"].startswith(args.epoch.strip().lower())]
    if len(found) != 1:
        raise CommandError(_("No single epoch of station {code} starts with {epoch}.").format(
            code=args.code, epoch=args.epoch))
    stopped = epochs.choose(store, site_id, found[0])
    print(_("Epoch {epoch} is the station now.").format(epoch=found[0]))
    for epoch_id in stopped:
        print(_("Epoch {epoch} is stopped: its bundles are refused, and the county's next "
                "bundle tells that PC to stop.").format(epoch=epoch_id))
    for report in exchange.import_held(store, args.code):
        print(report.message)
    return EXIT_OK


def cmd_stations_rekey(store: Store, args: argparse.Namespace) -> int:
    fingerprint = rebuild.rekey(store, args.code, args.fingerprint, args.bundle)
    print(_("Station {code}: the key {fingerprint} is approved; the old key is kept, retired. "
            "Now write its rebuild file with 'county rebuild-pack'.").format(
                code=args.code.upper(), fingerprint=fingerprint))
    return EXIT_OK


def cmd_county_rebuild(store: Store, args: argparse.Namespace) -> int:
    print(rebuild.write_rebuild(store, args.station_code, args.out))
    return EXIT_OK


def cmd_setup_rebuild(path: Path, args: argparse.Namespace) -> int:
    store = Store(path)
    try:
        result = rebuild.apply_rebuild(store, args.rebuild)
    finally:
        store.close()
    print(_("This PC is station {code} again ({name}).").format(
        code=result["code"], name=result["name"]))
    labels = _labels()
    print(_("Holds: {counts}").format(counts=", ".join(
        f"{labels[k]} {i18n.format_number(n, 0)}" for k, n in result["counts"].items()
        if k in labels)))
    return EXIT_OK
