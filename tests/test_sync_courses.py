"""Retired courses between real databases with real bundle files: the county retires a catalog
course and its stations stop offering it; a station's retired local course reaches a county that
reads it; and a station of the previous version still reads the county's bundles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from trainer_app.domain.models import Course, TrainingClass
from trainer_app.services import certificates, classes, courses
from trainer_app.services.errors import OwnedElsewhereError, ValidationError
from trainer_app.store import Store, schema
from trainer_app.store import sync as q
from trainer_app.sync import bundle, exchange, site, upload
from trainer_app.sync import courses as course_sync
from trainer_app.sync import export as exporting

from . import test_sync
from .test_sync import resign

# The network of test_sync (a county and three stations with demo data), built once here too.
template = test_sync.template
net = test_sync.net
# The last commit before course retirement: the previous version's reader.
PREVIOUS_VERSION = "6ce567db78e769c2d59a40a78801d2ee36253db9"
RETIRE = schema.MIGRATIONS.index(schema._v10_course_retire)  # the version before it


def course_of(store: Store, code: str) -> dict:
    return store.row("SELECT * FROM course WHERE code = ? AND deleted = 0", [code])


def county_records(path: Path) -> list[tuple[str, dict]]:
    """The records of a county bundle (signed, not encrypted: anyone can read them)."""
    header = bundle.read_header(path)
    return list(bundle.records(path, header, None))


def offered_codes(store: Store) -> set[str]:
    return {c["code"] for c in courses.offered(store)}


def a_class(course_id: str) -> TrainingClass:
    return TrainingClass(course_id=course_id, start_date="2027-03-01", end_date="2027-03-02")


def test_the_county_retires_a_course_and_its_stations_stop_offering_it(net):
    county, wp = net.county, net.stations["WP01"]
    course = course_of(county, "EC102")
    held = [c for c in classes.list_all(wp) if c["course_id"] == course["id"]]
    issued = [c for c in certificates.register(wp) if c["course_code"] == "EC102"]
    assert held  # the station ran classes of it
    courses.retire(county, course["id"])
    assert "EC102" not in offered_codes(county)

    path, manifest = exchange.export(county, net.usb)
    assert manifest[course_sync.MANIFEST_FIELD] == {course["id"]: course_of(county, "EC102")[
        "retired_on"]}
    assert "course.retired_on" in manifest["reads"]
    # the course records are those an earlier station reads: no column it lacks
    rows = [r for t, r in county_records(path) if t == "course"]
    assert rows and all(course_sync.COLUMN not in r for r in rows)

    for st in net.stations.values():
        assert "EC102" in offered_codes(st)
        report = exchange.import_file(st, path)
        assert report.status == "applied", report.message
        assert "EC102" not in offered_codes(st)
        assert course_of(st, "EC102")["retired_on"] == course_of(county, "EC102")["retired_on"]
        # no new class takes it ...
        with pytest.raises(ValidationError) as info:
            classes.create(st, a_class(course["id"]))
        assert "retired" in info.value.errors["course_id"]
        # ... and it cannot be offered again at the station: it is the county's course
        with pytest.raises(OwnedElsewhereError):
            courses.restore(st, course["id"])
    # the station's classes and certificates of it keep it
    after = {c["id"]: c for c in classes.list_all(wp)}
    for c in held:
        assert after[c["id"]]["course_code"] == "EC102"
        assert after[c["id"]]["course_title"] == course["title"]
        classes.update(wp, c["id"], classes.get(wp, c["id"]))  # and can still be changed
    assert [c["serial"] for c in certificates.register(wp) if c["course_code"] == "EC102"] == [
        c["serial"] for c in issued]

    # offered again at the county: offered again at the stations
    courses.restore(county, course["id"])
    path, manifest = exchange.export(county, net.usb)
    assert manifest[course_sync.MANIFEST_FIELD] == {}
    for st in net.stations.values():
        assert exchange.import_file(st, path).status == "applied"
        assert "EC102" in offered_codes(st)
        classes.create(st, a_class(course["id"]))


def test_an_older_county_bundle_does_not_undo_a_newer_one(net):
    county, wp = net.county, net.stations["WP01"]
    course = course_of(county, "EC103")
    courses.retire(county, course["id"])
    older, _ = exchange.export(county, net.usb)
    courses.restore(county, course["id"])
    newer, _ = exchange.export(county, net.usb)
    assert exchange.import_file(wp, newer).status == "applied"
    assert exchange.import_file(wp, older).status == "applied"
    assert "EC103" in offered_codes(wp)


def test_a_station_updated_after_the_retirement_learns_it(net):
    """A station that took the county's course row while it ran the previous version holds it at
    the county's rev already; the next county bundle's list retires it all the same."""
    county, wp = net.county, net.stations["WP01"]
    course = course_of(county, "EC104")
    courses.retire(county, course["id"])
    path, _ = exchange.export(county, net.usb)
    assert exchange.import_file(wp, path).status == "applied"
    # what the previous version left: the row at the county's rev, without the column's value
    with wp.transaction():
        wp.conn.execute("UPDATE course SET retired_on = NULL WHERE id = ?", [course["id"]])
    assert "EC104" in offered_codes(wp)
    path, _ = exchange.export(county, net.usb)
    # nothing changed at the county since: the same records, which the station applied before
    assert exchange.import_file(wp, path).status == "duplicate"
    assert "EC104" not in offered_codes(wp)


def test_a_malformed_retired_list_rejects_the_county_bundle(net, tmp_path):
    county, wp = net.county, net.stations["WP01"]
    courses.retire(county, course_of(county, "EC105")["id"])
    path, _ = exchange.export(county, net.usb)
    signer = certificates.signing_key(county)
    before = list(q.content_digest_rows(wp))
    for bad in (["EC105"], {"EC105": "2026-12-04"}, {course_of(county, "EC105")["id"]: "soon"}):
        forged = resign(path, tmp_path / "bad.trbundle", signer,
                        lambda m, bad=bad: m.__setitem__(course_sync.MANIFEST_FIELD, bad))
        report = exchange.import_file(wp, forged)
        assert (report.status, report.reason) == ("rejected", "damaged"), bad
    assert list(q.content_digest_rows(wp)) == before


def test_a_retired_local_course_reaches_a_county_that_reads_it(net):
    county, wp = net.county, net.stations["WP01"]
    local = courses.add(wp, Course("WP-LOC", "本站直播实训", "直播电商", "", 6.0))
    courses.retire(wp, local)
    # the county's bundles say it reads the column
    path, _ = exchange.export(county, net.usb)
    assert exchange.import_file(wp, path).status == "applied"
    sent, manifest = net.export("WP01")
    assert manifest["counts"]["course"] == 1
    report = exchange.import_file(county, sent)
    assert report.status == "applied", report.message
    row = course_of(county, "WP-LOC")
    assert row["origin"] == wp.site_id and row["retired_on"] == course_of(wp, "WP-LOC")[
        "retired_on"]
    assert "WP-LOC" not in offered_codes(county)
    # the county's catalog lists it among the retired courses, and cannot change it
    assert [c["code"] for c in courses.search(county, "bzzb", include_retired=True)] == [
        "WP-LOC"]
    with pytest.raises(OwnedElsewhereError):
        courses.restore(county, local)


def test_a_county_of_the_previous_version_gets_no_column_until_it_reads_it(net, tmp_path):
    """A county bundle without ``reads`` is from the previous version, which refuses a record
    with a column it lacks: the station leaves the column out, and once the county's bundles
    list it, sends its retired courses again, with it."""
    county, wp = net.county, net.stations["WP01"]
    path, _ = exchange.export(county, net.usb)
    signer = certificates.signing_key(county)

    def as_previous_version(m: dict) -> None:
        del m["reads"], m[course_sync.MANIFEST_FIELD]

    old = resign(path, tmp_path / "XC-old.trbundle", signer, as_previous_version)
    assert exchange.import_file(wp, old).status == "applied"
    local = courses.add(wp, Course("WP-OLD", "本站旧课", "", "", 4.0))
    courses.retire(wp, local)
    sent, manifest = net.export("WP01")
    rows = [r for t, r in station_records(county, sent) if t == "course"]
    assert [r["code"] for r in rows] == ["WP-OLD"]
    previous_columns = columns_before_retirement(tmp_path)
    assert set(rows[0]) <= previous_columns  # what the previous version's county accepts
    assert exchange.import_file(county, sent).status == "applied"
    assert course_of(county, "WP-OLD")["retired_on"] is None  # it could not be told

    # the county is updated: its next bundle lists the column, the station sends it again
    newer, _ = exchange.export(county, net.usb)
    assert exchange.import_file(wp, newer).status == "applied"
    again, manifest = net.export("WP01")
    assert manifest["counts"].get("course") == 1
    assert exchange.import_file(county, again).status == "applied"
    assert course_of(county, "WP-OLD")["retired_on"] == course_of(wp, "WP-OLD")["retired_on"]


def test_a_county_learnt_from_the_hubs_answer_gets_the_column_too(tmp_path):
    """The county's word also comes in the hub's answers: learning there that the county reads
    the column has the same effect as learning it from a bundle."""
    from tests.test_hub import Network

    net = Network(tmp_path)
    try:
        county, wp = net.county, net.station
        exporting.remember_county_reads(wp, None)  # as a county of the previous version said
        local = courses.add(wp, Course("WP-HUB", "本站网店实训", "", "", 4.0))
        courses.retire(wp, local)
        exchange.export(wp, net.usb)
        assert upload.upload_pending(wp, net.hub.url)[-1].status == "applied"
        assert course_of(county, "WP-HUB")["retired_on"] is None  # it could not be told
        assert "course.retired_on" in site.county_reads(wp)  # the hub's answer said it reads it
        _path, manifest = exchange.export(wp, net.usb)
        assert manifest["counts"].get("course") == 1
        assert upload.upload_pending(wp, net.hub.url)[-1].status == "applied"
        assert course_of(county, "WP-HUB")["retired_on"] == course_of(wp, "WP-HUB")[
            "retired_on"]
    finally:
        net.close()


def station_records(county: Store, path: Path) -> list[tuple[str, dict]]:
    """The records of a station's bundle, opened with the county's key."""
    from trainer_app.sync import crypto, site

    header = bundle.read_header(path)
    enc = header.manifest["encryption"]
    opener = crypto.Opener(site.encryption_key(county), crypto.unb64(enc["ephemeral_public"]))
    return list(bundle.records(path, header, opener))


def columns_before_retirement(tmp_path: Path) -> set[str]:
    old = Store(tmp_path / "previous-schema.db", create=True, upgrade_to=RETIRE)
    try:
        return set(q.column_types(old, "course"))
    finally:
        old.close()


def test_an_upgraded_database_keeps_its_courses_offered(tmp_path):
    path = tmp_path / "station.db"
    old = Store(path, create=True, upgrade_to=RETIRE)
    with old.transaction():
        old.db["course"].insert({"id": "01900000-0000-7000-8000-000000000001",
                                 "origin": old.site_id, "rev": 1,
                                 "updated_at": "2025-01-01T00:00:00.000+00:00", "deleted": 0,
                                 "code": "EC101", "title": "开设网店", "hours": 8.0})
    assert "retired_on" not in q.column_types(old, "course")
    old.close()
    store = Store(path)
    try:
        assert store.version == schema.LATEST_VERSION
        assert [(c["code"], c["retired"]) for c in courses.list_all(store)] == [("EC101", False)]
        courses.retire(store, "01900000-0000-7000-8000-000000000001")
        assert offered_codes(store) == set()
        assert [c["code"] for c in courses.search(store, "kswd", include_retired=True)] == [
            "EC101"]
    finally:
        store.close()


# -- the previous version's own reader ---------------------------------------------------------
def previous_version(tmp_path: Path) -> Path:
    """The previous version's ``trainer_app`` package, taken from the repository's history."""
    root = Path(__file__).resolve().parent.parent
    target = tmp_path / "previous"
    target.mkdir()
    try:
        archive = subprocess.run(["git", "-C", str(root), "archive", PREVIOUS_VERSION,
                                  "trainer_app"], capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        pytest.skip("the previous version's code is not at hand (no git history)")
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True,
                   timeout=60)
    return target


OLD_STATION = textwrap.dedent("""
    import json, sys
    from trainer_app.services import classes, courses
    from trainer_app.store import Store
    from trainer_app.sync import exchange, site
    db, pack, county_bundle = sys.argv[1:4]
    st = Store(db, create=True)
    site.setup_station(st, pack)
    report = exchange.import_file(st, county_bundle)
    print(json.dumps({"status": report.status, "reason": report.reason,
                      "message": report.message,
                      "courses": sorted(c["code"] for c in courses.list_all(st))}))
""")


def previous_station_imports(tmp_path: Path, pack: Path, county_bundle: Path) -> dict:
    """A new station of the previous version, linked with ``pack``, imports ``county_bundle``:
    its import report and its courses."""
    env = {**os.environ, "PYTHONPATH": str(previous_version(tmp_path)),
           "TRAINER_APP_HOME": str(tmp_path / "old"), "LANGUAGE": "en"}
    run = subprocess.run([sys.executable, "-c", OLD_STATION, str(tmp_path / "old.db"),
                          str(pack), str(county_bundle)], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_a_station_of_the_previous_version_reads_the_countys_bundle(net, tmp_path):
    county = net.county
    code = "OLD9"
    from trainer_app.sync import site

    pack = site.write_pack(county, code, tmp_path / f"{code}.trpack", station_name="旧版服务站")
    courses.retire(county, course_of(county, "EC106")["id"])
    path, manifest = exchange.export(county, net.usb)
    assert manifest[course_sync.MANIFEST_FIELD]
    result = previous_station_imports(tmp_path, pack, path)
    assert (result["status"], result["reason"]) == ("applied", ""), result["message"]
    assert "EC106" in result["courses"]  # the previous version knows no retirement


def test_the_previous_versions_reader_refuses_the_column_itself(net, tmp_path):
    """The reason the column is left out of county course records: the previous version's reader
    refuses a course record that carries it (so this test fails if that reader ever changes)."""
    county = net.county
    from trainer_app.sync import site

    pack = site.write_pack(county, "OLD8", tmp_path / "OLD8.trpack")
    courses.retire(county, course_of(county, "EC107")["id"])
    path, _ = exchange.export(county, net.usb)
    with_column = tmp_path / "with-column.trbundle"
    rewrite_with_column(county, path, with_column)
    result = previous_station_imports(tmp_path, pack, with_column)
    assert (result["status"], result["reason"]) == ("rejected", "invalid_record")


def rewrite_with_column(county: Store, source: Path, target: Path) -> None:
    """``source`` written again with each course record carrying ``retired_on``."""
    from .test_sync import record_line, write_raw

    header = bundle.read_header(source)
    retired = header.manifest[course_sync.MANIFEST_FIELD]
    lines = []
    for table, row in county_records(source):
        if table == "course":
            row = {**row, course_sync.COLUMN: retired.get(row["id"])}
        lines.append(record_line(table, row))
    keep = {k: v for k, v in header.manifest.items() if k not in (
        "format", "version", "counts", "compression", "plaintext_size", "payload_size",
        "payload_sha256", "encryption")}
    keep["seq"] = header.manifest["seq"]
    write_raw(target, keep, lines, certificates.signing_key(county), None)


def test_the_courses_page_leaves_another_sites_course_to_its_owner(qtbot, net):
    from trainer_app.ui.courses.page import CoursesPage

    county, wp = net.county, net.stations["WP01"]
    local = courses.add(wp, Course("WP-GUI", "本站课程", "", "", 4.0))
    for store, course_id, owner in ((wp, course_of(wp, "EC101")["id"], "the county center"),
                                    (wp, local, None)):
        page = CoursesPage(store)
        qtbot.addWidget(page)
        page.table.selectRow(page.model.row_of(course_id))
        assert page.retire_button.isEnabled() is (owner is None)
        if owner:
            assert f"belongs to {owner}" in page.retire_button.toolTip()
    # at the county, a station's course is the station's
    assert exchange.import_file(county, net.export("WP01")[0]).status == "applied"
    page = CoursesPage(county)
    qtbot.addWidget(page)
    page.table.selectRow(page.model.row_of(local))
    assert not page.retire_button.isEnabled()
    assert "belongs to station WP01" in page.retire_button.toolTip()


def test_a_county_put_back_to_an_older_backup_is_still_followed(net):
    """A county restored from an older backup numbers its next bundles on from the backup's,
    below numbers its stations hold: its bundle is still its newest word on retired courses
    (its change numbers jumped past everything before), and its stations follow it."""
    from trainer_app.services import backup, restore

    county, wp = net.county, net.stations["WP01"]
    made = backup.create(county)
    for i in range(2):  # bundles the stations hold and the backup does not know of
        courses.add(county, Course(f"NEW{i}", f"新课程{i}", "其他", "", 4.0))
        path, _m = exchange.export(county, net.usb)
        assert exchange.import_file(wp, path).status == "applied"
    db = county.path
    county.close()
    restore.restore(db, made.path)
    net.county = county = Store(db)
    course = course_of(county, "EC104")
    courses.retire(county, course["id"])
    path, manifest = exchange.export(county, net.usb)
    assert manifest["seq"] < q.highest_seq(wp, county.site_id)  # numbered again from the backup
    report = exchange.import_file(wp, path)
    assert report.status == "applied", report.message
    assert "EC104" not in offered_codes(wp)
