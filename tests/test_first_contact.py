"""First contact: a stranger who knows a station's code sends a bundle under it first. Several
keys then wait for one code; the coordinator sees each (fingerprint, when, how it came),
discards the wrong one and approves the station's own — from the command line and in the
Stations section. Real databases, real bundle files, the real widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from tests.test_cli_sync import linked, ok, refused, run
from tests.test_gui_county import (  # noqa: F401 (county, messages, stores: fixtures)
    county,
    link_station,
    messages,
    open_panel,
    send,
    stations_panel,
    stores,
)
from trainer_app import i18n
from trainer_app.services import county as county_service
from trainer_app.store import Store
from trainer_app.sync import exchange, site, waiting
from trainer_app.ui.county.approve import ApprovedDialog, ApproveDialog

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    i18n.set_language("en")
    return tmp_path


def _stranger(capsys, root: Path, code: str, usb: Path) -> tuple[Path, str]:
    """Another installation linked as ``code`` (someone who got hold of its county pack): its
    first bundle, and its key's fingerprint."""
    db = root / "stranger.db"
    out = ok(capsys, db, "setup", "station", "--pack", str(root / f"{code}.trpack"))
    fingerprint = next(x for x in out.splitlines() if x.startswith("Key fingerprint: ")).split(
        ": ")[1]
    usb.mkdir(exist_ok=True)
    bundle = Path(ok(capsys, db, "sync", "export", "--out", str(usb)).splitlines()[0])
    return bundle, fingerprint


def test_command_line_lists_discards_and_approves_the_right_key(home, capsys):
    net = linked(capsys, home, {"ST01": "王坪村服务站"})
    fake, fake_fp = _stranger(capsys, home, "ST01", home / "stranger")
    assert fake.name == net.first["ST01"].name  # the same file name, another key
    ok(capsys, net.county, "sync", "import", str(fake))  # the stranger's came first
    real_fp = net.fingerprints["ST01"]
    imported = ok(capsys, net.county, "sync", "import", str(net.first["ST01"]))
    assert "2 different keys are waiting for station ST01" in imported
    listed = ok(capsys, net.county, "stations", "list")
    assert "2 keys waiting" in listed and fake_fp in listed and real_fp in listed
    assert "file (USB stick or folder)" in listed
    row = {r["code"]: r for r in _json(capsys, net.county, "stations", "list")}["ST01"]
    assert [k["fingerprint"] for k in row["waiting_keys"]] == [fake_fp, real_fp]
    assert all(k["via"] == ["file"] and k["bundles"] == 1 for k in row["waiting_keys"])
    # approving without naming the key is refused, and says how
    code, out, err = run(capsys, net.county, "stations", "approve", "ST01")
    assert code == 2 and "--fingerprint" in err and "2 different keys" in err
    assert fake_fp in out and real_fp in out  # the keys, to choose from
    assert "No key with the fingerprint 0000-0000" in refused(
        capsys, net.county, "stations", "discard-waiting",
        "ST01", "--fingerprint", "0000-0000")
    out = ok(capsys, net.county, "stations", "discard-waiting", "st01", "--fingerprint",
             fake_fp.lower())
    assert "1 waiting bundle of station ST01" in out and fake_fp in out
    out = ok(capsys, net.county, "stations", "approve", "ST01")
    assert f"Station ST01 approved; key fingerprint {real_fp}." in out and "applied" in out


def test_command_line_approves_one_of_several_keys_by_fingerprint(home, capsys):
    net = linked(capsys, home, {"ST01": ""})
    fake, fake_fp = _stranger(capsys, home, "ST01", home / "stranger")
    ok(capsys, net.county, "sync", "import", str(fake), str(net.first["ST01"]))
    assert "nothing was approved" in refused(capsys, net.county, "stations", "approve", "ST01",
                                             "--fingerprint", "0000-0000")
    code, out, err = run(capsys, net.county, "stations", "approve", "ST01", "--fingerprint",
                         net.fingerprints["ST01"])
    assert "applied" in out and "forged" in out and "The waiting copy was deleted." in out
    assert waiting.keys_of("ST01") == []
    assert ok(capsys, net.county, "stations", "list").count("approved") == 1


def _stranger_store(county_store, open_store):
    """Another database linked as WP01 with WP01's county pack: another key."""
    stranger = open_store("stranger")
    site.setup_station(stranger, site.write_pack(county_store, "WP01",
                                                 county_store.path.parent / "stolen.trpack"))
    return stranger


def _json(capsys, db: Path, *args: str):
    import json

    return json.loads(ok(capsys, db, *args, "--json"))


def test_the_stations_section_shows_each_key_and_approves_the_chosen_one(
        qtbot, county, stores, home, messages, monkeypatch):  # noqa: F811
    usb = home / "usb"
    station = link_station(county, stores, "WP01", trainees_=6, seed=4)
    stranger = _stranger_store(county, stores)
    fake = send(stranger, home / "fake")
    assert exchange.import_file(county, fake).status == "pending"
    assert exchange.import_file(county, send(station, usb), via=waiting.VIA_UPLOAD).status \
        == "pending"
    real_fp, fake_fp = site.own_fingerprint(station), site.own_fingerprint(stranger)

    panel = open_panel(qtbot, county)
    sp = stations_panel(panel)
    sp.select("WP01")
    cell = sp.model.index(sp.model.row_of("WP01"), 4)
    assert cell.data() == "2 keys waiting"
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == f"{fake_fp}\n{real_fp}"
    assert "2 different keys are waiting for station WP01" in sp.hint.text()

    def discard_the_strangers(dialog: ApproveDialog) -> int:
        assert dialog.keys_table.isVisibleTo(dialog) and dialog.keys_model.rowCount() == 2
        texts = [[dialog.keys_model.index(r, c).data() for c in range(4)] for r in range(2)]
        assert [t[0] for t in texts] == [fake_fp, real_fp]
        assert texts[0][2] == "file (USB stick or folder)" and texts[1][2] == "upload to the hub"
        assert all(t[1] and t[3] == "1" for t in texts)
        assert "2 different keys are waiting" in dialog.heading.text()
        qtbot.mouseClick(dialog.keys_table.viewport(), LEFT,
                         pos=dialog.keys_table.visualRect(dialog.keys_model.index(0, 0)).center())
        assert dialog.fingerprint.text() == "   ".join(fake_fp.split("-"))
        qtbot.mouseClick(dialog.discard_button, LEFT)
        return dialog.result()

    monkeypatch.setattr(ApproveDialog, "exec", discard_the_strangers)
    monkeypatch.setattr(QMessageBox, "question",  # the coordinator says yes to discarding
                        lambda *_a: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(sp.approve_button, LEFT)
    assert [k.fingerprint for k in waiting.keys_of("WP01")] == [real_fp]
    assert "was discarded" in sp.hint.text() and not messages
    assert county.scalar("SELECT approved FROM station WHERE code = 'WP01'") == 0

    def approve_the_real_one(dialog: ApproveDialog) -> int:
        assert not dialog.keys_table.isVisibleTo(dialog)  # one key: nothing to choose
        assert dialog.chosen == real_fp
        qtbot.mouseClick(dialog.approve_button, LEFT)
        return dialog.result()

    monkeypatch.setattr(ApproveDialog, "exec", approve_the_real_one)
    results: list[ApprovedDialog] = []
    monkeypatch.setattr(ApprovedDialog, "exec",
                        lambda self: results.append(self) or QDialog.DialogCode.Accepted)
    qtbot.mouseClick(sp.approve_button, LEFT)
    qtbot.waitUntil(lambda: sp.task is None, timeout=20000)
    assert [r.status for r in sp.last_reports] == ["applied"] and results
    assert county.scalar("SELECT count(*) FROM trainee WHERE origin = ?",
                         [station.site_id]) == 6


def test_the_dialog_in_chinese(qtbot, county, stores, home):  # noqa: F811
    station = link_station(county, stores, "WP01", trainees_=0)
    stranger = _stranger_store(county, stores)
    for st, folder in ((stranger, "fake"), (station, "usb")):
        exchange.import_file(county, send(st, home / folder))
    i18n.set_language("zh_CN")
    try:
        row = {r["code"]: r for r in county_service.stations(county)}["WP01"]
        dialog = ApproveDialog(row)
        qtbot.addWidget(dialog)
        dialog.show()
        assert "个不同的密钥" in dialog.heading.text()
        dialog.grab().save("/tmp/approve-keys-zh.png")
    finally:
        i18n.set_language("en")


class _Death(BaseException):
    """The program stops here."""


def test_an_interrupted_approval_is_finished_by_approving_again(
        qtbot, county, stores, home, messages, monkeypatch):  # noqa: F811
    station = link_station(county, stores, "WP01", trainees_=4, seed=4)
    usb = home / "usb"
    for _ in range(2):
        assert exchange.import_file(county, send(station, usb)).status == "pending"
    real_import = exchange.import_file
    calls = []

    def dies_on_the_second(store, path, *args, **kwargs):
        calls.append(path.name)
        if len(calls) == 2:
            raise _Death
        return real_import(store, path, *args, **kwargs)

    monkeypatch.setattr(exchange, "import_file", dies_on_the_second)
    with pytest.raises(_Death):
        exchange.approve(county, "WP01")
    monkeypatch.setattr(exchange, "import_file", real_import)
    [row] = [r for r in county_service.stations(county) if r["code"] == "WP01"]
    assert row["state"] == "approved" and row["unapplied"] == 1

    panel = open_panel(qtbot, county)
    sp = stations_panel(panel)
    sp.select("WP01")
    assert sp.approve_button.isEnabled() and "was interrupted" in sp.hint.text()
    monkeypatch.setattr(ApproveDialog, "exec", lambda self: pytest.fail("nothing to compare"))
    monkeypatch.setattr(ApprovedDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    qtbot.mouseClick(sp.approve_button, LEFT)
    qtbot.waitUntil(lambda: sp.task is None, timeout=20000)
    assert [r.status for r in sp.last_reports] == ["applied"]
    assert waiting.bundles("WP01") == [] and not sp.approve_button.isEnabled()


def test_the_command_line_says_an_approval_was_interrupted(home, capsys, monkeypatch):
    net = linked(capsys, home, {"ST01": ""})
    db = net.stations["ST01"]
    ok(capsys, db, "sync", "export", "--out", str(net.usb))
    ok(capsys, net.county, "sync", "import", str(net.usb))
    real_import = exchange.import_file

    def dies_on_the_second(store, path, *args, **kwargs):
        if not path.name.endswith("00001.trbundle"):
            raise _Death
        return real_import(store, path, *args, **kwargs)

    monkeypatch.setattr(exchange, "import_file", dies_on_the_second)
    county_db = Store(net.county)
    try:
        with pytest.raises(_Death):
            exchange.approve(county_db, "ST01")
    finally:
        county_db.close()
    monkeypatch.setattr(exchange, "import_file", real_import)
    assert "1 bundle not applied yet (approve again)" in ok(capsys, net.county, "stations",
                                                              "list")
    out = ok(capsys, net.county, "stations", "approve", "ST01")
    assert "approved already" in out and "applied" in out
    assert "not applied" not in ok(capsys, net.county, "stations", "list")
