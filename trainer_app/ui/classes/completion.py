"""Who completed a class: attended over all scheduled hours, against the course's rule."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import i18n
from trainer_app.i18n import N_, _
from trainer_app.services import classes
from trainer_app.store import Store
from trainer_app.ui import papers
from trainer_app.ui.classes.rows import RowTableModel
from trainer_app.ui.courses.model import hours_label
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tables import configure_table

# completed / can still complete (lessons without a mark remain) / cannot complete any more
OUTCOME_COLORS = {"completed": ("#dcf3e1", "#14532d"), "open": ("#fdf6d8", "#713f12"),
                  "no": ("#fde1df", "#8b1a1a")}


def outcome(row: dict) -> str:
    if row["completed"]:
        return "completed"
    return "open" if row["can_complete"] else "no"


def outcome_label(row: dict) -> str:
    kind = outcome(row)
    if kind == "completed":
        return _("Yes")
    if kind == "open":
        return _("Can still complete")
    return _("Cannot complete any more") if row["unmarked_hours"] else _("No")


def rule_text(min_share: float) -> str:
    return _(
        "Completed when attended hours reach {share} of all scheduled hours of the class. "
        "Present and late count; excused and absent do not. All scheduled hours count, "
        "including lessons still to come; cancelled lessons do not."
    ).format(share=i18n.format_percent(min_share))


class CompletionTableModel(RowTableModel):
    COLUMNS = (
        ("code", N_("Code")),
        ("name", N_("Name")),
        ("attended_hours", N_("Attended")),
        ("scheduled_hours", N_("Scheduled")),
        ("share", N_("Share")),
        ("required_hours", N_("Required")),
        ("completed", N_("Completed")),
    )
    NUMERIC = frozenset({"attended_hours", "scheduled_hours", "share", "required_hours"})
    ID_FIELD = "trainee_id"

    def display(self, row: dict, field: str) -> str:
        if field in ("attended_hours", "scheduled_hours", "required_hours"):
            return hours_label(row[field])
        if field == "share":
            return i18n.format_percent(row["share"])
        if field == "completed":
            return outcome_label(row)
        return super().display(row, field)

    def cell_role(self, row: dict, field: str, role: int) -> Any:
        if field != "completed":
            return None
        background, foreground = OUTCOME_COLORS[outcome(row)]
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(background))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(foreground))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


class CompletionPane(Retranslating, QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._class: dict | None = None
        self.model = CompletionTableModel(self)
        self.rule = QLabel(objectName="completion_rule", wordWrap=True)
        self.rule.setStyleSheet("color: #444;")
        self.summary = QLabel(objectName="completion_summary")
        self.table = QTableView(objectName="completion_table")
        self.table.setModel(self.model)
        configure_table(self.table, (90, 140, 90, 90, 80, 90, 100), stretch=1)
        self.summary_button = QPushButton(objectName="class_summary")
        self.summary_button.clicked.connect(self.print_summary)
        self.paper_task = None  # the last paper written in the background
        head = QHBoxLayout()
        head.addWidget(self.summary, 1)
        head.addWidget(self.summary_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.rule)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        self.retranslate()

    def set_class(self, class_row: dict | None) -> None:
        self._class = class_row
        rows: list[dict] = []
        if class_row:
            try:
                rows = classes.completion_report(self._store, class_row["id"])
            except Exception as exc:  # noqa: BLE001 - shown to the user
                show_error(self, exc)
        self.model.set_rows(rows)
        self.retranslate()

    def print_summary(self) -> None:
        if self._class is None:
            return
        self.paper_task = papers.class_summary(self._store, self._class["id"], parent=self)

    def retranslate(self) -> None:
        self.model.retranslate()
        self.summary_button.setText(_("Class su&mmary…"))
        self.summary_button.setToolTip(
            _("Print the class summary: hours, each trainee's attendance per lesson, and who "
              "completed")
        )
        self.summary_button.setEnabled(self._class is not None)
        if not self._class:
            self.rule.clear()
            self.summary.clear()
            return
        self.rule.setText(rule_text(self._class["min_share"]))
        rows = self.model.rows()
        done = sum(1 for r in rows if r["completed"])
        still = sum(1 for r in rows if r["can_complete"])
        scheduled = rows[0]["scheduled_hours"] if rows else self._class["hours"]
        text = _("{done} of {total} trainees completed · scheduled {hours}, required {required}")
        if any(r["unmarked_hours"] for r in rows):
            text = _("Lessons without attendance remain: {done} of {total} trainees completed "
                     "so far, {still} can still complete · scheduled {hours}, required "
                     "{required}")
        self.summary.setText(text.format(
            done=i18n.format_number(done, 0), total=i18n.format_number(len(rows), 0),
            still=i18n.format_number(still, 0), hours=hours_label(scheduled),
            required=hours_label(scheduled * self._class["min_share"])))
