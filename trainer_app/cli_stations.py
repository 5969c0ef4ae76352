"""The command line's county station register: the stations with their keys and bundles,
approving a station's key after comparing fingerprints, discarding a key that is not the
station's.

    trainer_app --db county.db stations list
    trainer_app --db county.db stations approve WP01 [--fingerprint FP]
    trainer_app --db county.db stations discard-waiting WP01 --fingerprint FP
"""

from __future__ import annotations

import argparse

from trainer_app import cli_format as fmt
from trainer_app.cli_parser import CommandError, actions, command
from trainer_app.cli_sync_output import EXIT_OK, print_reports
from trainer_app.domain import bundle_numbers
from trainer_app.i18n import _, ngettext
from trainer_app.store import Store
from trainer_app.store import sync as q
from trainer_app.sync import exchange, site, waiting


def add_commands(commands) -> None:
    group = actions(commands, "stations", _("the county's station register"))
    command(group, "list",
            _("the stations: approved or not, key fingerprint (the approved one, or each one "
              "waiting in a bundle), last bundle and its date, missing bundle numbers"),
            cmd_stations_list, "--json")
    sub = command(group, "approve",
                  _("approve a station's key after comparing its fingerprint with the one shown "
                    "at the station, and import its waiting bundles"), cmd_stations_approve)
    sub.add_argument("code", metavar=_("CODE"), help=_("the station's code"))
    sub.add_argument("--fingerprint", metavar=_("FINGERPRINT"),
                     help=_("the key to approve, as the station shows it (needed when several "
                            "keys wait; otherwise refused unless the key waiting has it)"))
    sub = command(group, "discard-waiting",
                  _("delete the bundles waiting for a station that carry a key that is not the "
                    "station's (someone else's first contact)"), cmd_stations_discard_waiting)
    sub.add_argument("code", metavar=_("CODE"), help=_("the station's code"))
    sub.add_argument("--fingerprint", metavar=_("FINGERPRINT"), required=True,
                     help=_("the fingerprint of the key to discard (see 'stations list')"))


def station_rows(store: Store) -> list[dict]:
    site.require_role(store, "county")
    state = {s["code"]: s for s in exchange.status(store)["stations"]}
    rows = []
    for st in q.stations(store):
        s = state.get(st["code"], {})
        waiting = s.get("waiting_keys", [])
        rows.append({
            "id": st["id"], "code": st["code"], "name": st["name"],
            "approved": bool(st["approved"]),
            "fingerprint": (exchange.approved_fingerprint(st["sign_key"]) if st["approved"]
                            else s.get("pending_fingerprint")),
            "waiting": bool(waiting),
            "waiting_keys": waiting,
            "unapplied": s.get("unapplied", 0),
            "site_id": st["site_id"],
            "last_seq": st["last_seq"], "last_at": st["last_at"],
            "gaps": s.get("gaps", []),
        })
    return rows


def _approval_label(row: dict) -> str:
    if row["approved"] and row["unapplied"]:
        return ngettext("approved; {n} bundle not applied yet (approve again)",
                        "approved; {n} bundles not applied yet (approve again)",
                        row["unapplied"]).format(n=row["unapplied"])
    n = len(row["waiting_keys"])
    if row["approved"] and n:
        return ngettext("approved; {n} new key waiting (a new PC? 'stations rekey')",
                        "approved; {n} new keys waiting (a new PC? 'stations rekey')",
                        n).format(n=n)
    if row["approved"]:
        return _("approved")
    if n > 1:
        return ngettext("{n} key waiting", "{n} keys waiting", n).format(n=n)
    return _("waiting for approval") if n else _("no bundle yet")


def _fingerprints(row: dict) -> str:
    if row["approved"] or len(row["waiting_keys"]) < 2:
        return row["fingerprint"] or ""
    return " / ".join(k["fingerprint"] for k in row["waiting_keys"])


def station_columns() -> list[fmt.Column]:
    return [
        (_("Code"), lambda r: r["code"]),
        (_("Name"), lambda r: r["name"]),
        (_("Approved"), _approval_label),
        (_("Key fingerprint"), _fingerprints),
        (_("Last bundle"), lambda r: r["last_seq"] or ""),
        (_("Received"), lambda r: (r["last_at"] or "")[:16].replace("T", " ")),
        (_("Missing"), lambda r: bundle_numbers.text(r["gaps"])),
        (_("Id"), lambda r: r["id"]),
    ]


def cmd_stations_list(store: Store, args: argparse.Namespace) -> int:
    rows = station_rows(store)
    if args.json:
        fmt.print_json(rows)
    else:
        footer = ngettext("{n} station", "{n} stations", len(rows)).format(n=len(rows))
        fmt.print_table(station_columns(), rows, footer)
        for row in rows:
            if len(row["waiting_keys"]) > 1 or (row["approved"] and row["waiting_keys"]):
                print()
                _print_waiting(row["code"])
    return EXIT_OK


def _print_waiting(code: str) -> None:
    """The keys waiting for a station: fingerprint, when and how each came."""
    found = waiting.keys_of(code)
    print(ngettext("{n} key is waiting for station {code}:",
                   "{n} keys are waiting for station {code}:", len(found)).format(
                       n=len(found), code=code))
    fmt.print_table([
        (_("Key fingerprint"), lambda k: k.fingerprint),
        (_("First came"), lambda k: fmt.local_time(k.first_at)),
        (_("How"), lambda k: ", ".join(waiting.via_label(v) for v in k.via)),
        (_("Bundles"), lambda k: len(k.files)),
    ], found)


def _row(store: Store, code: str) -> dict:
    site.require_role(store, "county")
    row = q.station_by_code(store, code.strip().upper())
    if not row:
        raise CommandError(_("No station with code {code} in the register.").format(code=code))
    return row


def cmd_stations_approve(store: Store, args: argparse.Namespace) -> int:
    row = _row(store, args.code)
    code = row["code"]
    wanted = (args.fingerprint or "").strip().upper()
    if not row["approved"]:
        found = waiting.keys_of(code)
        if not found:
            raise CommandError(_(
                "Station {code} has not sent a bundle yet: its key is not known. Import its "
                "first bundle, then approve it.").format(code=code))
        if wanted and wanted not in {k.fingerprint for k in found}:
            raise CommandError(_(
                "No key waiting for station {code} has the fingerprint {wanted} (waiting: "
                "{found}); nothing was approved.").format(
                    code=code, wanted=wanted, found=", ".join(k.fingerprint for k in found)))
        if not wanted and len(found) > 1:
            _print_waiting(code)
            raise CommandError(_(
                "{n} different keys are waiting for station {code}: give the one the station "
                "shows with --fingerprint FP (and discard the others with 'stations "
                "discard-waiting {code} --fingerprint FP').").format(n=len(found), code=code))
    was_approved = bool(row["approved"])
    reports = exchange.approve(store, code, wanted or None)
    fingerprint = exchange.approved_fingerprint(q.station_by_code(store, code)["sign_key"])
    if was_approved:
        print(_("Station {code} was approved already; key fingerprint {fingerprint}.").format(
            code=code, fingerprint=fingerprint))
    else:
        print(_("Station {code} approved; key fingerprint {fingerprint}.").format(
            code=code, fingerprint=fingerprint))
    return print_reports(reports)


def cmd_stations_discard_waiting(store: Store, args: argparse.Namespace) -> int:
    row = _row(store, args.code)
    key = waiting.discard(row["code"], args.fingerprint)
    print(ngettext("{n} waiting bundle of station {code} with the key {fingerprint} was deleted.",
                   "{n} waiting bundles of station {code} with the key {fingerprint} were "
                   "deleted.", len(key.files)).format(
                       n=len(key.files), code=row["code"], fingerprint=key.fingerprint))
    return EXIT_OK
