"""What the command line prints of sync: counts per kind of record and import reports."""

from __future__ import annotations

from trainer_app.domain import bundle_numbers
from trainer_app.i18n import _, ngettext
from trainer_app.sync import exchange, waiting

EXIT_OK = 0
EXIT_REJECTED = 1


def kind_labels() -> dict[str, str]:
    return {
        "course": _("courses"), "trainee": _("trainees"), "training_class": _("classes"),
        "lesson": _("lessons"), "enrollment": _("enrollments"),
        "attendance": _("attendance marks"), "site_key": _("keys"),
        "certificate": _("certificates"), "revocation": _("withdrawals"),
        "station": _("stations"), "person_merge": _("merged persons"),
        "receipt": _("receipts"),
    }


def counts_text(counts: dict[str, int]) -> str:
    labels = kind_labels()
    return ", ".join(f"{labels.get(k, k)} {n}" for k, n in counts.items() if n)


def status_label(status: str) -> str:
    return {"applied": _("applied"), "duplicate": _("imported before"),
            "pending": _("waiting for approval"), "rejected": _("rejected"),
            "cancelled": _("stopped")}.get(status, status)


def print_report(report: exchange.ImportReport) -> None:
    print(report.message or f"{report.file}: {status_label(report.status)}")
    indent = "    "
    if report.sender_code and report.seq is not None:
        print(indent + _("from {code}, bundle {seq}").format(code=report.sender_code,
                                                             seq=report.seq))
    if report.status == "applied":
        print(indent + _("new: {counts}").format(counts=counts_text(report.new) or _("none")))
        print(indent + _("changed: {counts}").format(
            counts=counts_text(report.changed) or _("none")))
    waiting_keys = waiting.keys_of(report.sender_code) if report.status == "pending" else []
    if len(waiting_keys) > 1:
        print(indent + _(
            "Not applied yet: {n} different keys are waiting for station {code} ({fingerprints})"
            "; only one is the station's. Compare with the fingerprint shown at the station, "
            "then run 'stations approve {code} --fingerprint FP'.").format(
                n=len(waiting_keys), code=report.sender_code,
                fingerprints=", ".join(k.fingerprint for k in waiting_keys)))
    elif report.status == "pending":
        fingerprint = waiting_keys[0].fingerprint if waiting_keys else "?"
        print(indent + _(
            "Not applied yet (not an error): compare the key fingerprint {fingerprint} with the "
            "one shown at the station, then run 'stations approve {code}'.").format(
                fingerprint=fingerprint, code=report.sender_code))
    if report.status == "rejected":
        print(indent + _("reason: {reason}").format(reason=report.reason))
        if report.detail:
            print(indent + _("detail: {detail}").format(detail=report.detail))
    if report.gaps:
        print(indent + _("missing bundles of {code}: {gaps}").format(
            code=report.sender_code, gaps=bundle_numbers.text(report.gaps)))


def print_reports(reports: list[exchange.ImportReport]) -> int:
    for report in reports:
        print_report(report)
    if reports:
        tally = {s: sum(1 for r in reports if r.status == s)
                 for s in ("applied", "duplicate", "pending", "rejected")}
        print(ngettext("{n} file: ", "{n} files: ", len(reports)).format(n=len(reports))
              + ", ".join(f"{n} {status_label(s)}" for s, n in tally.items() if n) + ".")
    return EXIT_REJECTED if any(r.status == "rejected" for r in reports) else EXIT_OK
