"""The command line's sync: linking stations to their county, bundles on a USB stick or uploaded
to the county hub, the county's station register and duplicate persons.

At the county::

    trainer_app --db county.db setup county --code XC --name "..."
    trainer_app --db county.db county pack --station-code WP01 --out WP01.trpack
    trainer_app --db county.db sync import E:/           # pending until the key is approved
    trainer_app --db county.db stations approve WP01     # after comparing the fingerprints
    trainer_app --db county.db sync export --out E:/     # catalog, withdrawals, receipts

At a station::

    trainer_app setup station --pack WP01.trpack        # prints the key's fingerprint

A database still holding the demo station's practice records (``demo`` before linking, or the
first start of the program) is linked only with ``--discard-demo``, which removes them.
    trainer_app sync export --out E:/                   # the bundle's path on the first line
    trainer_app sync upload --hub http://192.168.1.10:8470

Every refusal is one ``error:`` line and exit code 2 with the database unchanged; ``sync
import`` (and ``stations approve``, which imports the waiting bundles) exits with 1 when a bundle
was rejected.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from trainer_app import cli_format as fmt
from trainer_app import cli_stations
from trainer_app.cli_parser import CommandError, actions, command
from trainer_app.cli_stations import station_columns, station_rows
from trainer_app.cli_sync_output import (
    EXIT_OK,
    EXIT_REJECTED,
    counts_text,
    print_reports,
    status_label,
)
from trainer_app.domain import bundle_numbers
from trainer_app.files import explain
from trainer_app.i18n import _, ngettext
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.store import sync as q
from trainer_app.sync import bundle, exchange, persons, site

DEFAULT_HUB_PORT = 8470


# -- the parser ------------------------------------------------------------------------------------
def add_commands(commands) -> None:
    """Add ``setup``, ``county``, ``stations``, ``sync``, ``hub`` and ``duplicates``."""
    group = actions(commands, "setup", _("set this database up as a county center, or link "
                                         "this station to its county"))
    sub = command(group, "county", _("make this database a county center: its keys, code and "
                                     "name (the database is created if needed)"),
                  cmd_setup_county)
    sub.set_defaults(takes_path=True)
    sub.add_argument("--code", required=True,
                     help=_("the county's code, 2 to 12 letters or digits"))
    sub.add_argument("--name", required=True, help=_("the county center's name"))
    _discard_demo_option(sub)
    sub = command(group, "station",
                  _("link this station to its county with the county pack the county gave it; "
                    "print the county's name and this station's key fingerprint, to compare at "
                    "the county (the database is created if needed)"), cmd_setup_station)
    sub.set_defaults(takes_path=True)
    sub.add_argument("--pack", type=Path, required=True, metavar=_("FILE"),
                     help=_("the county pack file (.trpack)"))
    _discard_demo_option(sub)

    group = actions(commands, "county", _("the county center's files for its stations"))
    sub = command(group, "pack",
                  _("write a county pack for a station (county keys, the station's code, the "
                    "course catalog), adding the station to the register; print its path"),
                  cmd_county_pack)
    sub.add_argument("--station-code", required=True, metavar=_("CODE"),
                     help=_("the station's code, 2 to 12 letters or digits"))
    sub.add_argument("--station-name", default="", metavar=_("NAME"),
                     help=_("the station's name"))
    sub.add_argument("--out", type=Path, required=True, metavar=_("FILE"),
                     help=_("the pack file to write (its folder must exist)"))

    cli_stations.add_commands(commands)

    group = actions(commands, "sync", _("write, read, import and upload sync files (bundles)"))
    sub = command(group, "export",
                  _("write the next bundle into a folder (a USB stick) and print its path on "
                    "the first line, then what it holds"), cmd_sync_export)
    sub.add_argument("--out", type=Path, required=True, metavar=_("DIR"),
                     help=_("the folder to write the bundle into"))
    sub.add_argument("--full", action="store_true",
                     help=_("everything, not only the changes since the last bundle"))
    sub = command(group, "import",
                  _("import bundles (files, or folders such as a USB stick) and print a report "
                    "per file; exit 1 when any was rejected"), cmd_sync_import)
    sub.add_argument("paths", nargs="+", type=Path, metavar=_("FILE_OR_DIR"),
                     help=_("bundle files (.trbundle) or folders holding them"))
    command(group, "status", _("this site's role, key fingerprint and bundles (at the county: "
                               "its stations)"), cmd_sync_status, "--json")
    sub = command(group, "inspect",
                  _("print a bundle's manifest (sender, number, counts per kind) as JSON; no "
                    "keys or database needed"), cmd_sync_inspect)
    sub.set_defaults(takes_path=True)
    sub.add_argument("file", type=Path, metavar=_("FILE"), help=_("the bundle file"))
    sub = command(group, "upload",
                  _("upload this station's pending bundles to the county hub and print the "
                    "receipts; exit 1 when any was rejected"), cmd_sync_upload)
    sub.add_argument("--hub", required=True, metavar="URL",
                     help=_("the hub's address, such as http://192.168.1.10:8470"))

    group = actions(commands, "hub", _("the county hub stations upload their bundles to"))
    sub = command(group, "serve",
                  _("serve the upload endpoint until Ctrl+C; uploads are imported like bundles "
                    "from a USB stick"), cmd_hub_serve)
    sub.set_defaults(takes_path=True)
    sub.add_argument("--host", default="127.0.0.1",
                     help=_("the address to listen on (default: 127.0.0.1; 0.0.0.0 for every "
                            "network)"))
    sub.add_argument("--port", type=_port, default=DEFAULT_HUB_PORT,
                     help=_("the port (default: {port})").format(port=DEFAULT_HUB_PORT))
    sub.add_argument("--inbox", type=Path, metavar=_("DIR"),
                     help=_("where uploads are kept (default: the inbox in the data folder)"))

    group = actions(commands, "duplicates",
                    _("persons registered at more than one station (county only)"))
    command(group, "list", _("groups of trainees of different stations with the same ID number"),
            cmd_duplicates_list, "--json")
    sub = command(group, "merge",
                  _("record that two trainees are the same person; the merge reaches the "
                    "stations with the county's next bundle"), cmd_duplicates_merge)
    sub.add_argument("keep", metavar="KEEP_ID", help=_("the trainee record kept (its id)"))
    sub.add_argument("merged", metavar="MERGED_ID",
                     help=_("the trainee record merged into it (its id)"))


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(_("not a port number: {text}").format(text=text))
    return int(text)


# -- helpers ---------------------------------------------------------------------------------------
def _yes_no(value: object) -> str:
    return _("yes") if value else _("no")


def _details(fields: list[tuple[str, object]]) -> str:
    fields = [(label, value) for label, value in fields if value not in (None, "")]
    width = max((fmt.display_width(label) for label, _value in fields), default=0)
    return "\n".join(label + " " * (width - fmt.display_width(label)) + "  " + str(value)
                     for label, value in fields)


def _existing_file(path: Path, what: str) -> Path:
    if path.is_dir():
        raise CommandError(_("{path} is a folder, not {what}.").format(path=path, what=what))
    if not path.exists():
        raise CommandError(_("{path} does not exist.").format(path=path))
    return path


@contextlib.contextmanager
def _new_or_existing(path: Path):
    """The database at ``path``, created when missing; removed again when the command fails, so
    a refused setup leaves nothing behind."""
    created = not path.exists()
    store = Store(path, create=True)
    try:
        yield store
    except BaseException:
        store.close()
        if created:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise
    store.close()


# -- setup -----------------------------------------------------------------------------------------
DISCARD_DEMO = "--discard-demo"


def _discard_demo_option(sub) -> None:
    sub.add_argument(DISCARD_DEMO, action="store_true", help=_(
        "remove the demo station's practice records from this database while linking it (they "
        "must not reach the county)"))


@contextlib.contextmanager
def _demo_refusal():
    """A database holding the demo station's records is linked only with --discard-demo."""
    try:
        yield
    except site.DemoDataError as exc:
        raise CommandError(_("{reason} Give {flag} to remove them and link.").format(
            reason=exc, flag=DISCARD_DEMO)) from None


def cmd_setup_county(path: Path, args: argparse.Namespace) -> int:
    with _new_or_existing(path) as store:
        if site.role(store) == "county":
            code = args.code.strip().upper()
            if code != store.get_meta("county_code"):
                raise CommandError(_(
                    "This database is already the county center {code}; a county's code "
                    "cannot change (its stations' packs name it).").format(
                        code=store.get_meta("county_code")))
        discarded = site.holds_demo(store) and args.discard_demo
        with _demo_refusal():
            info = site.setup_county(store, args.code, args.name,
                                     discard_demo=args.discard_demo)
        fingerprint = site.own_fingerprint(store)
    if discarded:
        print(_("The demo station's practice records were removed."))
    print(_("County center {name} ({code}) set up.").format(name=info.name, code=info.code))
    print(_("Key fingerprint: {fingerprint}").format(fingerprint=fingerprint))
    return EXIT_OK


def cmd_setup_station(path: Path, args: argparse.Namespace) -> int:
    pack = _existing_file(args.pack, _("a county pack"))
    body = site.read_pack(pack)  # a bad pack is refused before the database is touched
    with _new_or_existing(path) as store:
        linked_as = store.get_meta("station_code")
        if site.role(store) == "station" and linked_as != body["station"]["code"]:
            raise CommandError(_(
                "This station is linked as {code}; the pack {file} is for station {other}.")
                .format(code=linked_as, file=pack.name, other=body["station"]["code"]))
        discarded = site.holds_demo(store) and args.discard_demo
        with _demo_refusal():
            info = site.setup_station(store, pack, discard_demo=args.discard_demo)
        code = store.get_meta("station_code")
        fingerprint = site.own_fingerprint(store)
    if discarded:
        print(_("The demo station's practice records were removed."))
    print(_("Linked to the county center {name} ({county}) as station {code}.").format(
        name=info.name, county=info.code, code=code))
    print(_("Key fingerprint: {fingerprint}").format(fingerprint=fingerprint))
    print(_("The county approves this station after comparing this fingerprint with the one "
            "its first bundle shows there."))
    return EXIT_OK


def cmd_county_pack(store: Store, args: argparse.Namespace) -> int:
    site.require_role(store, "county")
    out = args.out
    if out.is_dir():
        raise CommandError(_("--out: {path} is a folder; give a file name, such as {example}.")
                           .format(path=out, example=out / f"{args.station_code.upper()}"
                                                              f"{site.PACK_SUFFIX}"))
    if not out.parent.is_dir():
        raise CommandError(_("--out: the folder {folder} does not exist.").format(
            folder=out.parent))
    try:
        written = site.write_pack(store, args.station_code, out, args.station_name)
    except OSError as exc:
        raise CommandError(explain(exc, out)) from exc
    print(written)
    return EXIT_OK


# -- sync ------------------------------------------------------------------------------------------
def _linked(store: Store) -> str:
    role = site.role(store)
    if role not in ("county", "station"):
        site.require_role(store, "station")
    return role


def cmd_sync_export(store: Store, args: argparse.Namespace) -> int:
    _linked(store)
    if not args.out.is_dir():
        raise CommandError((_("--out: {path} is a file, not a folder.") if args.out.exists()
                            else _("--out: the folder {path} does not exist.")).format(
                                path=args.out))
    exported = exchange.export(store, args.out, full=args.full)
    path, manifest = exported
    print(path)  # alone on the first line, for scripts
    for again_path, again in exported.again:
        print(_("Bundle {seq} written again (the county had lost it): {path}").format(
            seq=again["seq"], path=again_path))
    what = (_("full") if manifest.get("full") and manifest["kind"] == "station"
            else _("changes since bundle {seq}").format(seq=manifest["seq"] - 1)
            if manifest["kind"] == "station" and manifest["seq"] > 1 else "")
    print(_("Bundle {seq}{what}: {counts}").format(
        seq=manifest["seq"], what=f" ({what})" if what else "",
        counts=counts_text(manifest["counts"]) or _("no records")))
    return EXIT_OK


def cmd_sync_import(store: Store, args: argparse.Namespace) -> int:
    _linked(store)
    for path in args.paths:
        if not path.exists():
            raise CommandError(_("{path} does not exist.").format(path=path))
    files = exchange.bundle_files(args.paths)
    if not files:
        print(_("No sync files ({suffix}) in {paths}.").format(
            suffix=bundle.SUFFIX, paths=", ".join(map(str, args.paths))))
        return EXIT_OK
    return print_reports(exchange.import_many(store, files))


def _bundle_rows(status: dict) -> list[dict]:
    return [{**b, "id": b["seq"]} for b in status.get("bundles", [])]


def bundle_columns() -> list[fmt.Column]:
    def when(value: str | None) -> str:
        return (value or "")[:16].replace("T", " ")

    return [
        (_("Bundle"), lambda r: r["seq"]),
        (_("Written"), lambda r: when(r["created_at"])),
        (_("Full"), lambda r: _yes_no(r["full"])),
        (_("Records"), lambda r: sum(r["counts"].values())),
        (_("Uploaded"), lambda r: when(r["uploaded_at"])),
        (_("Acknowledged"), lambda r: when(r["acknowledged_at"])),
        (_("File"), lambda r: r["file_name"]),
    ]


def cmd_sync_status(store: Store, args: argparse.Namespace) -> int:
    role = site.role(store)
    state = exchange.status(store)
    county = site.county(store)
    if role == "county":
        state["stations"] = station_rows(store)
    else:
        state["bundles"] = _bundle_rows(state)
    if role:
        state["county"] = {"code": county.code, "name": county.name, "site_id": county.site_id}
    if role == "station":
        state["station_code"] = store.get_meta("station_code")
    if args.json:
        fmt.print_json(state)
        return EXIT_OK
    if role == "county":
        print(_details([(_("County center"), f"{county.name} ({county.code})"),
                        (_("Key fingerprint"), state["fingerprint"])]))
        print()
        fmt.print_table(station_columns(), state["stations"])
        return EXIT_OK
    if role == "station":
        print(_details([
            (_("Station"), state["station_code"]),
            (_("County center"), f"{county.name} ({county.code})"),
            (_("Key fingerprint"), state["fingerprint"]),
            (_("Changes not sent yet"), _yes_no(state["pending_changes"])),
        ]))
    else:
        print(_("This station is not linked to a county yet: import the county pack with "
                "'setup station --pack FILE'."))
    if state["bundles"]:
        print()
        fmt.print_table(bundle_columns(), state["bundles"])
    return EXIT_OK


def cmd_sync_inspect(_path: Path, args: argparse.Namespace) -> int:
    path = _existing_file(args.file, _("a bundle"))
    try:
        manifest = exchange.inspect(path)
    except bundle.BundleError as exc:
        raise CommandError(_("{file}: {reason}.").format(
            file=path.name, reason=exchange.reason_text(exc.reason))) from None
    except OSError as exc:
        raise CommandError(_("{file} cannot be read: {error}").format(
            file=path.name, error=exc.strerror or exc)) from None
    print(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
    return EXIT_OK


def cmd_sync_upload(store: Store, args: argparse.Namespace) -> int:
    from trainer_app.sync import upload

    site.require_role(store, "station")
    try:
        results = upload.upload_pending(store, args.hub)
    except (upload.HubUnavailable, upload.HubRefused) as exc:
        for result in exc.results:  # the bundles done before the hub stopped answering
            _print_upload(result)
        raise CommandError(str(exc)) from None
    if not results:
        print(_("Nothing to upload: every bundle was uploaded already."))
        return EXIT_OK
    for result in results:
        _print_upload(result)
    return EXIT_OK if all(r.ok for r in results) else EXIT_REJECTED


def _print_upload(result) -> None:
    print(_("Bundle {seq} ({file}): {status}").format(
        seq=result.seq, file=result.file, status=status_label(result.status)))
    indent = "    "
    if result.message:
        print(indent + result.message)
    receipt = result.receipt or {}
    if result.status == "applied":
        for label, counts in ((_("new: {counts}"), receipt.get("new")),
                              (_("changed: {counts}"), receipt.get("changed"))):
            if isinstance(counts, dict):
                print(indent + label.format(counts=counts_text(counts) or _("none")))
    held = bundle_numbers.runs(n for n in receipt.get("held") or [] if type(n) is int)
    if held:
        print(indent + _("the county holds bundles {seqs}").format(
            seqs=bundle_numbers.text(held)))
    gaps = bundle_numbers.as_ranges(receipt.get("gaps"))
    if gaps:
        print(indent + _("missing at the county: {gaps}").format(
            gaps=bundle_numbers.text(gaps)))


# -- hub -------------------------------------------------------------------------------------------
def cmd_hub_serve(path: Path, args: argparse.Namespace) -> int:
    from trainer_app.sync import hub

    try:
        hub.serve(path, args.host, args.port, inbox_dir=args.inbox)
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # the port is taken, the address is not this computer's
        raise CommandError(_("The county hub cannot listen on {host}:{port}: {error}").format(
            host=args.host, port=args.port, error=exc.strerror or exc)) from None
    print(_("The county hub stopped."), file=sys.stderr)
    return EXIT_OK


# -- duplicates ------------------------------------------------------------------------------------
def _groups(store: Store) -> list[dict]:
    site.require_role(store, "county")
    keys_ = ("id", "name", "code", "village", "origin", "station_code", "station_name")
    # numbered, never keyed by the ID-number hash: every county pack holds the hash's key, so
    # a hash printed here would let anyone with a pack search for the ID number
    return [{"group": n, "trainees": [{k: m[k] for k in keys_} for m in group]}
            for n, group in enumerate(persons.duplicates(store), 1)]


def cmd_duplicates_list(store: Store, args: argparse.Namespace) -> int:
    groups = _groups(store)
    if args.json:
        fmt.print_json(groups)
        return EXIT_OK
    rows = [{"group": g["group"], **m} for g in groups for m in g["trainees"]]
    fmt.print_table([
        (_("Group"), lambda r: r["group"]),
        (_("Station"), lambda r: r["station_code"]),
        (_("Code"), lambda r: r["code"]),
        (_("Name"), lambda r: r["name"]),
        (_("Village"), lambda r: r["village"]),
        (_("Id"), lambda r: r["id"]),
    ], rows, ngettext("{n} person registered at more than one station",
                      "{n} persons registered at more than one station",
                      len(groups)).format(n=len(groups)))
    if groups:
        print(_("Merge two records of a group with 'duplicates merge KEEP_ID MERGED_ID'."))
    return EXIT_OK


def cmd_duplicates_merge(store: Store, args: argparse.Namespace) -> int:
    site.require_role(store, "county")
    names = {}
    for ref in (args.keep, args.merged):
        row = q.trainee_at_county(store, ref)
        if row is None:
            raise ServiceError(_("No trainee with the id {id} at the county.").format(id=ref))
        names[ref] = row
    persons.merge(store, args.keep, args.merged)
    kept, merged = names[args.keep], names[args.merged]
    print(_("{merged} ({merged_station} {merged_code}) merged into {kept} ({kept_station} "
            "{kept_code}); the merge reaches the stations with the county's next bundle.")
          .format(merged=merged["name"], merged_station=merged["station"],
                  merged_code=merged["code"], kept=kept["name"], kept_station=kept["station"],
                  kept_code=kept["code"]))
    return EXIT_OK
