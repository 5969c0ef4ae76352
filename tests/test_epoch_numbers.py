"""Bundle numbers per epoch, and a county put back to an older backup: real stations and a real
county exchanging real bundle files (on a USB folder and through the hub)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.test_backup import idcard_number, linked  # noqa: F401 - the fixture
from tests.test_backup_sync import edit_phone, restore_station, send, trainee_at
from tests.test_sync import resign, station_bundle
from trainer_app.domain import bundle_numbers
from trainer_app.domain.models import Trainee
from trainer_app.services import backup, certificates, demo, restore, trainees
from trainer_app.store import Store, schema
from trainer_app.sync import epochs, exchange, records, site, upload

_ = linked
OWN_TABLES = [t for t in records.STATION_TABLES if t != "site_key"]


def own_rows(store: Store, origin: str) -> dict[str, list[dict]]:
    """Every row ``origin`` owns, table by table (``id_hash`` is the county's)."""
    return {t: [{k: v for k, v in r.items() if k != "id_hash"} for r in store.rows(
        f"SELECT * FROM {t} WHERE origin = ? ORDER BY id", [origin])] for t in OWN_TABLES}


def county_to(county: Store, station: Store, usb: Path) -> exchange.ImportReport:
    path, _m = exchange.export(county, usb)
    report = exchange.import_file(station, path)
    assert report.status == "applied", report.message
    return report


def restore_county(net: dict, source: Path) -> Store:
    county = net["county"]
    path = county.path
    county.close()
    restore.restore(path, source)
    net["county"] = Store(path)
    return net["county"]


def register(station: Store, n: int) -> None:
    trainees.register(station, Trainee(name=f"登记{n}", id_number=idcard_number(800 + n),
                                       village="王坪村"))


# -- item 1: numbers restart within an epoch -------------------------------------------------
def test_numbers_restart_within_an_epoch_and_are_checked_per_epoch(linked, tmp_path):  # noqa: F811
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)  # 2
    made = backup.create(station)
    for n in (3, 4):  # of the old epoch, after the backup
        register(station, n)
        send(station, county, usb)
    station = restore_station(linked, made.path)
    for expected in (1, 2):
        register(station, 10 + expected)
        report = send(station, county, usb)
        assert report.seq == expected and report.gaps == []
    epoch = epochs.current(station)
    assert epoch["restart"] is True and epoch["base_seq"] == 2
    assert sorted(p.name for p in usb.glob("WP01-e1-*")) == [
        "WP01-e1-00001.trbundle", "WP01-e1-00002.trbundle"]
    # The limit of 10,000 ahead counts from the epoch's highest (2), not the old epoch's (4)
    too_far = station_bundle(station, tmp_path / "far.trbundle", [],
                             seq=3 + bundle_numbers.MAX_AHEAD, epoch=epoch)
    assert exchange.import_file(county, too_far).reason == "bad_seq"
    for seq in (0, -1):
        forged = station_bundle(station, tmp_path / f"s{seq}.trbundle", [], seq=seq, epoch=epoch)
        assert exchange.import_file(county, forged).reason == "bad_seq"
    # The receipts confirm (epoch, number): the new epoch's 1 and 2, the old one's 1 to 4
    county_to(county, station, usb)
    confirmed = station.rows("SELECT seq, epoch_id FROM bundle_out "
                             "WHERE acknowledged_at IS NOT NULL ORDER BY id")
    assert [(r["seq"], r["epoch_id"]) for r in confirmed] == [
        (1, None), (2, None), (1, epoch["id"]), (2, epoch["id"])]
    names = {r["name"] for r in own_rows(county, station.site_id)["trainee"]}
    assert {"登记3", "登记4", "登记11", "登记12"} <= names  # both epochs' work is there


def without_epoch_numbers(manifest: dict) -> None:
    manifest["reads"].remove(records.EPOCH_NUMBERS)


@pytest.mark.parametrize("as_earlier", [lambda m: m.pop("reads"), without_epoch_numbers],
                         ids=["no reads", "reads without epoch_numbers"])
def test_an_earlier_county_gets_numbers_that_go_on(linked, tmp_path, as_earlier):  # noqa: F811
    """A county of an earlier version does not list ``epoch_numbers`` in its ``reads`` (the
    released version has no ``reads`` at all): a station restored then numbers on from the
    point its epoch started, which that county reads as before; the first bundle of an epoch
    decides, and a later word of the county does not change it."""
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)  # 2
    earlier, _m = exchange.export(county, usb)
    signer = certificates.signing_key(county)
    earlier = resign(earlier, tmp_path / "earlier.trbundle", signer, as_earlier)
    assert exchange.import_file(station, earlier).status == "applied"
    assert records.EPOCH_NUMBERS not in site.county_reads(station)
    made = backup.create(station)
    register(station, 3)
    send(station, county, usb)  # 3 of the old epoch
    station = restore_station(linked, made.path)
    register(station, 4)
    path, manifest = exchange.export(station, usb)
    assert manifest["seq"] == 3 and "restart" not in manifest["epoch"]
    assert path.name == "WP01-e1-00003.trbundle"
    report = exchange.import_file(county, path)
    assert report.status == "applied" and report.gaps == []
    county_to(county, station, usb)  # this county reads restarted numbers ...
    assert records.EPOCH_NUMBERS in site.county_reads(station)
    register(station, 5)
    assert send(station, county, usb).seq == 4  # ... but this epoch goes on as it began
    # The next restore restarts
    made = backup.create(station)
    station = restore_station(linked, made.path)
    register(station, 6)
    _path, manifest = exchange.export(station, usb)
    assert manifest["seq"] == 1 and manifest["epoch"]["restart"] is True
    assert manifest["epoch"]["base_seq"] == 4


def test_a_database_of_the_previous_version_keeps_its_bundle_log(tmp_path):
    version = schema.MIGRATIONS.index(schema._v11_epoch_numbers)
    path = tmp_path / "old.db"
    Store(path, create=True, upgrade_to=version).close()
    conn = sqlite3.connect(path)
    with conn:
        for seq, epoch_id in ((1, None), (2, None), (3, "e-1"), (4, "e-1")):
            conn.execute(
                "INSERT INTO bundle_out (seq, file_name, path, created_at, from_rev, to_rev, "
                "counts, sha256, epoch_id, acknowledged_at) VALUES (?, ?, '', '', ?, ?, '{}', "
                "'', ?, ?)", [seq, f"WP01-{seq}", seq, seq + 1, epoch_id,
                              "2026-01-01" if seq < 4 else None])
        conn.execute("INSERT INTO bundle_in (sender_site, seq, sha256, received_at, status, "
                     "epoch_id) VALUES ('s', 3, 'x', '', 'applied', 'e-1')")
    conn.close()
    store = Store(path)
    try:
        assert store.version == schema.LATEST_VERSION
        rows = store.rows("SELECT id, seq, epoch_id, acknowledged_at, epoch, again "
                          "FROM bundle_out ORDER BY id")
        assert [(r["id"], r["seq"], r["epoch_id"]) for r in rows] == [
            (1, 1, None), (2, 2, None), (3, 3, "e-1"), (4, 4, "e-1")]
        assert [r["acknowledged_at"] is not None for r in rows] == [True, True, True, False]
        assert all(r["epoch"] is None and r["again"] == 0 for r in rows)
        with pytest.raises(sqlite3.IntegrityError):  # one number per epoch
            store.conn.execute("INSERT INTO bundle_out (seq, file_name, path, created_at, "
                               "from_rev, to_rev, counts, sha256, epoch_id) "
                               "VALUES (3, '', '', '', 0, 0, '{}', '', 'e-1')")
        assert store.scalar("SELECT restart FROM site_epoch") is None  # no epoch recorded
    finally:
        store.close()


# -- item 2: a county put back to an older backup ---------------------------------------------
def test_a_county_restored_from_an_older_backup_gets_exactly_the_lost_bundles(linked):  # noqa: F811
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)  # 2
    county_backup = backup.create(county)  # the county's backup: after 2
    code = trainees.search(station, "")[0]["code"]
    edit_phone(station, code, "13400000003")
    send(station, county, usb)  # 3
    county_to(county, station, usb)  # confirms 1 to 3
    edit_phone(station, code, "13400000004")
    register(station, 4)
    send(station, county, usb)  # 4
    register(station, 5)
    send(station, county, usb)  # 5: at the county, not confirmed yet
    assert own_rows(county, station.site_id) == own_rows(station, station.site_id)

    county = restore_county(linked, county_backup.path)
    assert county.scalar("SELECT max(seq) FROM bundle_in WHERE sender_site = ?",
                         [station.site_id]) == 2
    report = county_to(county, station, usb)
    assert "no longer holds bundles 3–5 of this station" in report.message
    exported = exchange.export(station, usb)
    again = exported.again
    assert [m["seq"] for _p, m in again] == [3, 4, 5]
    assert [p.name for p, _m in again] == [f"WP01-0000{n}-again.trbundle" for n in (3, 4, 5)]
    assert all(m["again"] is True for _p, m in again)
    # Exact and cheap: each holds the rows last changed in its range, not everything
    sent_again = sum(sum(m["counts"].values()) for _p, m in again)
    held = sum(len(rows) for rows in own_rows(station, station.site_id).values())
    assert 0 < sent_again < held / 4
    reports = exchange.import_many(county, [p for p, _m in again] + [exported[0]])
    assert [r.status for r in reports] == ["applied"] * 4
    assert reports[-1].gaps == []
    assert own_rows(county, station.site_id) == own_rows(station, station.site_id)
    assert trainee_at(county, station, code)["phone"] == "13400000004"
    county_to(county, station, usb)
    assert station.scalar("SELECT count(*) FROM bundle_out WHERE acknowledged_at IS NULL "
                          "OR again = 1") == 0
    assert exchange.export(station, usb).again == []  # once


def test_a_county_restored_before_a_stations_epoch(linked):  # noqa: F811
    """The county goes back to before the station's bundle 2 and before its epoch: both are
    written again, each in its own epoch (bundle 2 without one, as it was first written)."""
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    county_backup = backup.create(county)  # holds bundle 1
    send(station, county, usb)  # 2
    made = backup.create(station)
    station = restore_station(linked, made.path)
    register(station, 1)
    send(station, county, usb)  # 1 of the epoch
    county_to(county, station, usb)  # confirms 1 and 2, and 1 of the epoch
    county = restore_county(linked, county_backup.path)
    assert county.scalar("SELECT count(*) FROM site_epoch") == 0  # the epoch is unknown there
    report = county_to(county, station, usb)
    assert "no longer holds bundles 1, 2 of this station" in report.message
    exported = exchange.export(station, usb)
    assert [(p.name, m["seq"], (m.get("epoch") or {}).get("id")) for p, m in exported.again] == [
        ("WP01-00002-again.trbundle", 2, None),
        ("WP01-e1-00001-again.trbundle", 1, station.get_meta("epoch_id"))]
    reports = exchange.import_many(county, [p for p, _m in exported.again] + [exported[0]])
    assert [r.status for r in reports] == ["applied"] * 3 and reports[-1].gaps == []
    assert own_rows(county, station.site_id) == own_rows(station, station.site_id)
    county_to(county, station, usb)
    assert station.scalar("SELECT count(*) FROM bundle_out WHERE acknowledged_at IS NULL "
                          "OR again = 1") == 0


def test_what_a_restore_loses_is_told_within_the_epoch(linked):  # noqa: F811
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)  # 2
    station = restore_station(linked, backup.create(station).path)
    register(station, 1)
    send(station, county, usb)  # 1 of the epoch
    made = backup.create(station)
    register(station, 2)
    send(station, county, usb)  # 2 of the epoch, after the backup
    lost = restore.loss_text(station.path, backup.read_info(made.path))
    assert "Bundles 2 to 2, sent after this backup, are at the county" in lost


def test_a_county_restored_to_before_it_approved_the_station(tmp_path):
    county = Store(tmp_path / "county.db", create=True)
    site.setup_county(county, "XC", demo.COUNTY_NAME)
    pack = site.write_pack(county, "WP01", tmp_path / "WP01.trpack")
    station = Store(tmp_path / "station.db", create=True)
    site.setup_station(station, pack)
    usb = tmp_path / "usb"
    usb.mkdir()
    county_backup = backup.create(county)  # registered, not approved
    net = {"county": county}
    try:
        first, _m = exchange.export(station, usb)
        exchange.import_file(county, first)
        exchange.approve(county, "WP01", site.own_fingerprint(station))
        demo.fill(station, trainees=8, seed=5)
        send(station, county, usb)  # 2
        county_to(county, station, usb)
        county = restore_county(net, county_backup.path)
        report = county_to(county, station, usb)
        assert "The county no longer knows this station" in report.message
        assert site.own_fingerprint(station) in report.message
        exported = exchange.export(station, usb)
        assert [m["seq"] for _p, m in exported.again] == [1, 2]
        reports = exchange.import_many(county, [p for p, _m in exported.again])
        assert {r.status for r in reports} == {"pending"}  # until the coordinator approves
        approved = exchange.approve(county, "WP01", site.own_fingerprint(station))
        assert {r.status for r in approved} == {"applied"}
        assert exchange.import_file(county, exported[0]).status == "applied"
        assert own_rows(county, station.site_id) == own_rows(station, station.site_id)
    finally:
        net["county"].close()
        station.close()


def test_a_county_restored_from_an_older_backup_over_the_hub(tmp_path):
    from tests.test_hub import Network
    from trainer_app.sync import hub

    net = Network(tmp_path)
    try:
        station = net.station
        demo.fill(station, trainees=10, seed=3)
        code = trainees.search(station, "")[0]["code"]
        exchange.export(station, net.usb)  # 2
        upload.upload_pending(station, net.hub.url)
        net.hub.stop()
        county_backup = backup.create(net.county)
        net.hub = hub.start(net.county.path, inbox_dir=net.inbox)
        for n in (3, 4, 5):
            edit_phone(station, code, f"1350000000{n}")
            register(station, n)
            exchange.export(station, net.usb)
        assert [r.status for r in upload.upload_pending(station, net.hub.url)] == [
            "applied"] * 3
        assert own_rows(net.county, station.site_id) == own_rows(station, station.site_id)

        net.hub.stop()
        path = net.county.path
        net.county.close()
        restore.restore(path, county_backup.path)
        net.county = Store(path)
        net.hub = hub.start(path, inbox_dir=net.inbox)
        register(station, 6)
        exchange.export(station, net.usb)  # 6: its answer says 3 to 5 are lost
        results = upload.upload_pending(station, net.hub.url)
        assert [(r.seq, r.status) for r in results] == [
            (6, "applied"), (3, "applied"), (4, "applied"), (5, "applied")]
        assert "no longer holds bundles 3–5" in results[0].message
        assert [r.file for r in results[1:]] == [
            f"WP01-0000{n}-again.trbundle" for n in (3, 4, 5)]
        assert own_rows(net.county, station.site_id) == own_rows(station, station.site_id)
        assert trainee_at(net.county, station, code)["phone"] == "13500000005"
        assert station.scalar("SELECT count(*) FROM bundle_out WHERE acknowledged_at IS NULL "
                              "OR again = 1") == 0
    finally:
        net.close()


def test_the_hub_knows_a_bundle_of_an_epoch_it_holds(tmp_path):
    """A bundle uploaded again is answered from the hub's receipts when the county holds that
    (epoch, number), not another epoch's bundle of the same number."""
    from tests.test_hub import Network

    net = Network(tmp_path)
    try:
        station = net.station
        demo.fill(station, trainees=6, seed=3)
        exchange.export(station, net.usb)  # 2
        upload.upload_pending(station, net.hub.url)
        path = station.path
        made = backup.create(station)
        station.close()
        restore.restore(path, made.path)
        station = net.stations["WP01"] = Store(path)
        register(station, 1)
        exchange.export(station, net.usb)  # 1 of the epoch
        [first] = upload.upload_pending(station, net.hub.url)
        assert (first.seq, first.status) == (1, "applied")
        station.conn.execute("UPDATE bundle_out SET uploaded_at = NULL, acknowledged_at = NULL "
                             "WHERE epoch_id IS NOT NULL")
        [again] = upload.upload_pending(station, net.hub.url)
        assert (again.seq, again.status, again.sent) == (1, "duplicate", 0)
        assert again.receipt["epoch"] == station.get_meta("epoch_id")
    finally:
        net.close()


def test_a_bundle_cut_short_while_written_again_is_written_again(linked):  # noqa: F811
    """The program stopped after recording a bundle written again and before its file was in
    place: the bundle stays to be written again (it is not ``lost``: it was written once)."""
    county, station, usb = linked["county"], linked["station"], linked["usb"]
    send(station, county, usb)  # 2
    with station.transaction():
        station.conn.execute(
            "UPDATE bundle_out SET again = 1, state = 'pending', file_sha256 = 'x', "
            "path = ? WHERE seq = 2", [str(usb / "WP01-00002-again.trbundle")])
    exported = exchange.export(station, usb)
    assert [m["seq"] for _p, m in exported.again] == [2]
    assert station.row("SELECT state, again FROM bundle_out WHERE seq = 2") == {
        "state": "written", "again": 0}
    assert exchange.import_file(county, exported.again[0][0]).status == "applied"
