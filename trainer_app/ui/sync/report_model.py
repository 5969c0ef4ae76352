"""The import report as a table: one row per file (file, station, bundle number, result, reason,
new and changed records), and the lines under it (the summary and the gaps per station)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor

from trainer_app import i18n
from trainer_app.domain import bundle_numbers
from trainer_app.i18n import N_, _, ngettext
from trainer_app.sync.exchange import ImportReport, reason_text
from trainer_app.ui.classes.rows import RowTableModel
from trainer_app.ui.sync.kinds import counts_text

STATUSES = ("applied", "duplicate", "pending", "rejected", "cancelled")
COLOURS = {"applied": "#1b6e20", "duplicate": "#555555", "pending": "#9a5b00",
           "rejected": "#b3261e", "cancelled": "#555555"}


def status_label(status: str) -> str:
    return {
        "applied": _("applied"),
        "duplicate": _("already imported"),
        "pending": _("waiting for approval"),
        "rejected": _("rejected"),
        "cancelled": _("stopped"),
    }.get(status, status)


def reason_label(report: ImportReport | dict) -> str:
    """Why a bundle was not applied, in the user's language ("" when it was)."""
    status = report.status if isinstance(report, ImportReport) else report["status"]
    reason = report.reason if isinstance(report, ImportReport) else report["reason"]
    if status in ("applied", "duplicate"):
        return ""
    if reason == "unreadable":
        return _("the file cannot be read")
    return reason_text(reason) if reason else ""


def as_row(number: int, report: ImportReport) -> dict:
    return {
        "id": number, "file": report.file, "station": report.sender_code,
        "seq": report.seq, "status": report.status, "reason": report.reason,
        "message": report.message, "new": sum(report.new.values()),
        "changed": sum(report.changed.values()), "new_by": dict(report.new),
        "changed_by": dict(report.changed), "unchanged": report.unchanged,
        "gaps": list(report.gaps),
    }


class ReportModel(RowTableModel):
    COLUMNS = (
        ("file", N_("File")),
        ("station", N_("Station")),
        ("seq", N_("Bundle no.")),
        ("status", N_("Result")),
        ("reason", N_("Reason")),
        ("new", N_("New")),
        ("changed", N_("Changed")),
    )
    NUMERIC = frozenset({"seq", "new", "changed"})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reports: list[ImportReport] = []

    def set_reports(self, reports: list[ImportReport]) -> None:
        self.reports = list(reports)
        self.set_rows([as_row(i, r) for i, r in enumerate(self.reports)])

    def add_reports(self, reports: list[ImportReport]) -> None:
        self.set_reports(self.reports + list(reports))

    def display(self, row: dict, field: str) -> str:
        if field == "status":
            return status_label(row["status"])
        if field == "reason":
            return reason_label(row)
        if field == "seq":
            return "" if row["seq"] is None else str(row["seq"])
        if field in ("new", "changed"):
            if row["status"] != "applied":
                return ""
            return i18n.format_number(row[field], 0)
        return super().display(row, field)

    def sort_key(self, row: dict, field: str) -> Any:
        if field == "status":
            return STATUSES.index(row["status"]) if row["status"] in STATUSES else 9
        if field == "reason":
            return reason_label(row)
        return super().sort_key(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and field in ("status", "reason"):
            return QBrush(QColor(COLOURS.get(row["status"], "#000000")))
        if role == Qt.ItemDataRole.ToolTipRole:
            if field in ("file", "status", "reason"):
                return row["message"] or None
            if field == "new" and row["new_by"]:
                return counts_text(row["new_by"])
            if field == "changed" and row["changed_by"]:
                return counts_text(row["changed_by"])
        return None


def summary_text(reports: list[ImportReport]) -> str:
    """"12 files: 9 applied · 1 already imported · 1 waiting for approval · 1 rejected"."""
    if not reports:
        return _("No bundle was found to import.")
    n = {s: sum(1 for r in reports if r.status == s) for s in STATUSES}
    parts = [
        _("{n} applied").format(n=n["applied"]),
        _("{n} already imported").format(n=n["duplicate"]),
        _("{n} waiting for approval").format(n=n["pending"]),
        _("{n} rejected").format(n=n["rejected"]),
    ]
    unreadable = len(reports) - sum(n.values())
    if unreadable:
        parts.append(_("{n} other").format(n=unreadable))
    head = ngettext("{n} file", "{n} files", len(reports)).format(
        n=i18n.format_number(len(reports), 0))
    return _("{files}: {results}").format(files=head, results="  ·  ".join(parts))


def totals_text(reports: list[ImportReport]) -> str:
    """What the applied bundles brought: "New: 20 trainees, …  Changed: 3 classes", and how
    many records they held that the county had already."""
    new: dict[str, int] = {}
    changed: dict[str, int] = {}
    for r in reports:
        if r.status != "applied":
            continue
        for k, v in r.new.items():
            new[k] = new.get(k, 0) + v
        for k, v in r.changed.items():
            changed[k] = changed.get(k, 0) + v
    applied = [r for r in reports if r.status == "applied"]
    if not applied:
        return ""
    text = _("New: {new}.   Changed: {changed}.").format(
        new=counts_text(new), changed=counts_text(changed))
    same = sum(r.unchanged for r in applied)
    if same:
        text += "   " + ngettext("{n} record was already up to date.",
                                 "{n} records were already up to date.", same).format(
            n=i18n.format_number(same, 0))
    return text


def station_gaps(reports: list[ImportReport]) -> dict[str, list[bundle_numbers.Range]]:
    """Per station, the bundle numbers still missing after these imports, as ranges (the last
    report of each station that got through the checks tells)."""
    out: dict[str, list[bundle_numbers.Range]] = {}
    for r in reports:
        if r.sender_code and r.status in ("applied", "duplicate"):
            out[r.sender_code] = list(r.gaps)
    return {code: gaps for code, gaps in sorted(out.items()) if gaps}


def gaps_text(reports: list[ImportReport]) -> str:
    """"WP01: bundles 3, 4 missing" per station, one a line; "" when nothing is missing."""
    lines = []
    for code, gaps in station_gaps(reports).items():
        lines.append(ngettext("{station}: bundle {numbers} missing",
                              "{station}: bundles {numbers} missing",
                              bundle_numbers.count(gaps)).format(
            station=code, numbers=bundle_numbers.text(gaps)))
    return "\n".join(lines)
