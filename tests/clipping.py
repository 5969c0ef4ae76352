"""Finding clipped text in a shown widget: a combo box item, a placeholder, a button, a label
on one line, or a table cell wider than the room it gets (the widget's own font metrics)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLineEdit,
    QStyle,
    QStyleOptionComboBox,
    QTableView,
    QWidget,
)


def combo_room(combo: QComboBox) -> int:
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    rect = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo)
    return rect.width()


def line_room(edit: QLineEdit) -> int:
    margins = edit.textMargins()
    room = edit.contentsRect().width() - margins.left() - margins.right() - 4
    if edit.isClearButtonEnabled():
        room -= edit.height()  # the clear button shows once text is typed: the same room
    return room


def clipped(root: QWidget, sideways: bool = False) -> list[str]:
    """What ``root`` (shown) cuts off, one description per text; with ``sideways`` a table
    that scrolls sideways counts too (a dialog's list that should fit)."""
    found: list[str] = []
    for combo in root.findChildren(QComboBox):
        if not combo.isVisible() or combo.isEditable():
            continue
        room, text = combo_room(combo), combo.currentText()  # the list opens as wide as it needs
        if combo.fontMetrics().horizontalAdvance(text) > room:
            found.append(f"combo {combo.objectName()!r}: {text!r} in {room} px")
    for edit in root.findChildren(QLineEdit):
        if edit.isVisible() and edit.placeholderText() and not edit.text() \
                and not isinstance(edit.parent(), QComboBox):
            width = edit.fontMetrics().horizontalAdvance(edit.placeholderText())
            if width > line_room(edit):
                found.append(f"placeholder {edit.objectName()!r}: {edit.placeholderText()!r}"
                             f" {width} > {line_room(edit)} px")
    for button in root.findChildren(QAbstractButton):
        shown = button.isVisible() and button.text() and type(button).__name__ in (
            "QPushButton", "QCheckBox", "QRadioButton")
        if shown and button.sizeHint().width() > button.width() + 1:
            found.append(f"button {button.text()!r}: {button.width()} < "
                         f"{button.sizeHint().width()} px")
    for table in root.findChildren(QTableView):
        if not table.isVisible() or table.model() is None:
            continue
        if sideways and table.horizontalScrollBar().isVisible():
            found.append(f"table {table.objectName()!r} scrolls sideways")
        header = table.horizontalHeader()
        last = header.logicalIndex(header.count() - 1)
        for column in range(table.model().columnCount(QModelIndex())):
            if table.isColumnHidden(column) or column == last and header.stretchLastSection():
                continue
            needed = max(table.sizeHintForColumn(column), 0)  # the delegate's own measure
            if needed > table.columnWidth(column):
                found.append(f"table {table.objectName()!r} column {column}: "
                             f"{needed} > {table.columnWidth(column)} px")
    return found
