"""The import's mapping step: each column of the list with its first values (numbers masked)
and what it holds, which the operator can change; a field is held by one column at most."""

from __future__ import annotations

import itertools

from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from trainer_app.domain.import_cells import text
from trainer_app.domain.import_headers import FIELDS, field_label
from trainer_app.i18n import _
from trainer_app.services.sheet_reader import Sheet
from trainer_app.ui.trainees.import_model import masked_sample

SAMPLES = 3  # example values shown beside each column


class MappingStep(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.intro = QLabel(wordWrap=True)
        self.grid = QGridLayout()
        self.combos: list[QComboBox] = []
        self._where: tuple[int, str] | None = None
        holder = QWidget()
        holder.setLayout(self.grid)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(holder)
        box = QVBoxLayout(self)
        box.addWidget(self.intro)
        box.addWidget(scroll, 1)

    def retranslate(self) -> None:
        if self._where is not None:
            row, sheet = self._where
            self.intro.setText(
                _("Headers found in row {row} of sheet {sheet}. Check what each column holds; "
                  "choose “not imported” for columns to skip.").format(row=row, sheet=sheet))

    def show_sheet(self, sheet: Sheet, header: int, mapping: list[str | None]) -> None:
        """One line per column of ``sheet``'s header row, set to ``mapping``."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.combos = []
        self._where = (header + 1, sheet.name)
        headers = [text(v) for v in sheet.rows[header]] if sheet.rows else []
        filled = (r for r in itertools.islice(sheet.rows, header + 1, None)
                  if any(text(v) for v in r))
        body = list(itertools.islice(filled, SAMPLES))  # not the whole list: on the UI thread
        for column, (name, field) in enumerate(zip(headers, mapping, strict=False)):
            samples = [masked_sample(text(r[column])) for r in body if column < len(r)]
            combo = QComboBox(objectName=f"import_map_{column}")
            combo.addItem(_("not imported"), None)
            for choice in FIELDS:
                combo.addItem(field_label(choice), choice)
            combo.setCurrentIndex(max(0, combo.findData(field)))
            combo.activated.connect(lambda _i, c=combo: self._one_field_once(c))
            line = column + 1
            self.grid.addWidget(QLabel(name or _("column {n}").format(n=line)), line, 0)
            self.grid.addWidget(QLabel(" · ".join(s for s in samples if s)), line, 1)
            self.grid.addWidget(combo, line, 2)
            self.combos.append(combo)
        titles = (_("Column in the list"), _("First values"), _("Holds"))
        for column, title in enumerate(titles):
            self.grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        self.grid.setRowStretch(len(headers) + 1, 1)
        self.retranslate()

    def _one_field_once(self, chosen: QComboBox) -> None:
        """A field is held by one column: choosing it for one takes it from another."""
        field = chosen.currentData()
        for combo in self.combos:
            if combo is not chosen and field and combo.currentData() == field:
                combo.setCurrentIndex(0)

    def set_field(self, column: int, field: str | None) -> None:
        """Choose what ``column`` holds (as the operator does with its list)."""
        combo = self.combos[column]
        combo.setCurrentIndex(max(0, combo.findData(field)))
        self._one_field_once(combo)

    def mapping(self) -> list[str | None]:
        return [combo.currentData() for combo in self.combos]
