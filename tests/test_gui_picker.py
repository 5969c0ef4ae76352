"""The trainee picker (enrolling trainees in a class) driven through its real widgets: its
columns, enrolled trainees locked, ticking by mouse and by keyboard only."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from trainer_app import i18n
from trainer_app.ui.trainee_picker import TraineePicker
from trainer_app.ui.trainees.model import labels

from .trainee_data import register_wang_xiaoming


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")


def test_the_header_names_the_trainee_columns(qtbot, demo_store):
    picker = TraineePicker(demo_store)
    qtbot.addWidget(picker)
    header = picker.table.horizontalHeader()
    shown = [header.model().headerData(c, Qt.Orientation.Horizontal)
             for c in range(header.count())]
    assert shown[:2] == [i18n._("Code"), i18n._("Name")] and shown == labels()


def test_picker_shows_enrolled_trainees_ticked_and_locked(qtbot, demo_store):
    wang = register_wang_xiaoming(demo_store)
    picker = TraineePicker(demo_store, locked={wang})
    qtbot.addWidget(picker)
    qtbot.keyClicks(picker.search, "wangxiaoming")
    assert picker.model.rowCount() == 1
    index = picker.model.index(0, 0)
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "Already enrolled"
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.chosen_ids() == []  # cannot be enrolled twice
    # unticking by the check box works for others
    picker.search.clear()
    picker.model.setData(picker.model.index(1, 0), Qt.CheckState.Checked.value,
                         Qt.ItemDataRole.CheckStateRole)
    assert len(picker.chosen_ids()) == 1
    picker.model.setData(picker.model.index(1, 0), Qt.CheckState.Unchecked.value,
                         Qt.ItemDataRole.CheckStateRole)
    assert picker.chosen_ids() == []


def test_picker_by_keyboard_only(qtbot, demo_store):
    wang = register_wang_xiaoming(demo_store)
    picker = TraineePicker(demo_store)
    qtbot.addWidget(picker)
    picker.show()
    picker.activateWindow()
    qtbot.waitActive(picker)
    qtbot.keyClicks(picker.search, "wangxiaoming")
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)  # into the list, on the first match
    assert picker.current_row() == 0
    picker.table.setCurrentIndex(picker.model.index(0, 3))  # any column will do
    qtbot.keyClick(picker.table, Qt.Key.Key_Space)
    assert picker.chosen_ids() == [wang]
    qtbot.keyClick(picker.table, Qt.Key.Key_Space)
    assert picker.chosen_ids() == []
    qtbot.keyClick(picker.table, Qt.Key.Key_Space)
    qtbot.keyClick(picker.search, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert picker.result() == picker.DialogCode.Accepted and picker.chosen_ids() == [wang]
