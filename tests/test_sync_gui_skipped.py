"""The county's import page with things named like bundles that are not files: a pipe in the
watched inbox folder or in a dropped folder is listed in the report as skipped, with the
reason, and never stops the import of the bundles beside it."""

from __future__ import annotations

import os
import shutil

import pytest

from tests import test_gui_sync
from tests.test_gui_sync import TIMEOUT, open_imports, rows_by_file, wait_import
from trainer_app.sync import exchange

net, messages = test_gui_sync.net, test_gui_sync.messages  # that module's fixtures, used here

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")

SKIPPED = "it is not a regular file (a pipe, a device or a folder), so it was skipped"


def test_a_pipe_in_the_watched_inbox_is_reported_once_as_skipped(qtbot, net, messages):
    wp = net.link("WP01", 1)
    net.approve("WP01")
    second, _m = exchange.export(wp, net.folder("out"))
    inbox = net.folder("inbox")
    os.mkfifo(inbox / "AA01-00001.trbundle")
    shutil.copy(second, inbox)
    page = open_imports(qtbot, net.county)
    panel = page.importer
    panel.watcher.stable_s = 0.2
    panel.watcher.set_poll_ms(100)
    panel.inbox_edit.setText(str(inbox))
    panel.watch_check.setChecked(True)
    wait_import(qtbot, panel, 2)
    rows = rows_by_file(panel)
    assert rows["AA01-00001.trbundle"]["Result"] == "rejected"
    assert rows["AA01-00001.trbundle"]["Reason"] == SKIPPED
    assert rows[second.name]["Result"] == "applied"
    qtbot.wait(500)  # polls go on: the pipe is not handed over again
    assert panel.report.model.rowCount() == 2 and not panel.is_busy()
    panel.watch_check.setChecked(False)
    assert messages == []


def test_a_dropped_folder_with_a_pipe_is_imported_around_it(qtbot, net, messages):
    wp = net.link("WP01", 1)
    net.approve("WP01")
    stick = net.folder("stick")
    exchange.export(wp, stick)
    os.mkfifo(stick / "WP01-00009.trbundle")
    page = open_imports(qtbot, net.county)
    panel = page.importer
    panel.import_paths([stick], "folder")
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=TIMEOUT)
    rows = rows_by_file(panel)
    assert {name: r["Result"] for name, r in rows.items()} == {
        "WP01-00002.trbundle": "applied", "WP01-00009.trbundle": "rejected"}
    assert rows["WP01-00009.trbundle"]["Reason"] == SKIPPED
    assert messages == []
