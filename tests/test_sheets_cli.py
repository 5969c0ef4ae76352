"""Reading signed sheets through the service and ``attendance read-sheet`` (issue 11)."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests import sheet_samples
from trainer_app import i18n
from trainer_app.cli import main
from trainer_app.domain import sheet_layout as geo
from trainer_app.services import attendance, classes, papers, sheets, trainees
from trainer_app.store import Store
from trainer_app.store import classes as classes_q


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def _signed_scan(store, lesson_id: str, folder: Path, seed: int = 5) -> tuple[Path, list]:
    """A scanned JPEG of the first page of the lesson's signed sheet, and the truth."""
    record = papers.sign_in_sheet_record(store, lesson_id)
    pdf = papers.sign_in_sheet(store, lesson_id, folder / f"{lesson_id}.pdf")
    page = sheet_samples.render_pages(pdf)[0]
    code = sheet_samples.page_code_of(page)
    rng = random.Random(seed)
    truth, _walk_ins = sheet_samples.sign_page(
        rng, page, [r.code for r in record.rows][:code.trainee_rows])
    _image, data = sheet_samples.scan(rng, page, 200)
    out = folder / f"scan-{lesson_id[-6:]}-{seed}.jpg"
    out.write_bytes(data)
    return out, truth


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_read_sheet_lists_then_applies_and_keeps_the_evidence(demo_store, tmp_path, capsys):
    lesson = classes_q.all_lessons(demo_store)[0]
    scan, truth = _signed_scan(demo_store, lesson["id"], tmp_path)
    first = next(t for t in truth if t.signed)
    trainee = {t["code"]: t for t in attendance.sheet(demo_store, lesson["id"])}
    attendance.mark(demo_store, lesson["id"], trainee[first.code]["trainee_id"], "excused")
    demo_store.close()
    db = str(demo_store.path)

    code, out, err = run(capsys, "--db", db, "attendance", "read-sheet", str(scan),
                         "--lesson", lesson["id"], "--json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [r["code"] for r in rows] == [t.code for t in truth]  # this page's rows only
    read = {r["code"]: r["signed"] for r in rows if r["signed"] is not None}
    assert read == {t.code: t.signed for t in truth if t.code in read}
    assert len(read) >= len(rows) - 1  # at most one row left to the operator
    assert all({"trainee_id", "code", "signed", "confidence"} <= r.keys() for r in rows)
    store = Store(Path(db))  # nothing written without --apply
    assert sheets.evidence_for_lesson(store, lesson["id"]) == []
    store.close()

    code, out, err = run(capsys, "--db", db, "attendance", "read-sheet", str(scan), "--apply")
    assert (code, err) == (0, "")
    store = Store(Path(db))
    marks = {m["code"]: m for m in attendance.sheet(store, lesson["id"])}
    for t in truth:
        if t.code == first.code:  # already marked: left as it was
            assert (marks[t.code]["status"], marks[t.code]["method"]) == ("excused", "manual")
        elif t.code in read:
            assert marks[t.code]["status"] == ("present" if t.signed else "absent")
            assert marks[t.code]["method"] == "sheet"
        else:  # uncertain: left to the operator
            assert marks[t.code]["status"] is None
    kept = sheets.evidence_for_lesson(store, lesson["id"])
    assert [(k["page"], len(k["sha256"])) for k in kept] == [(1, 64)]
    jpeg = sheets.evidence_image(store, kept[0]["sha256"])
    assert 20_000 < len(jpeg) <= 220_000
    assert hashlib.sha256(jpeg).hexdigest() == kept[0]["sha256"]
    store.close()

    code, out, err = run(capsys, "--db", db, "attendance", "read-sheet", str(scan), "--apply")
    assert code == 2 and "read before" in err


def test_read_sheet_refuses_what_is_not_this_lessons_sheet(demo_store, tmp_path, capsys):
    lessons = classes_q.all_lessons(demo_store)
    scan, _truth = _signed_scan(demo_store, lessons[0]["id"], tmp_path)
    blank = tmp_path / "blank.png"
    Image.new("RGB", (1200, 1600), (240, 238, 230)).save(blank)
    dark = tmp_path / "dark.jpg"
    Image.new("RGB", (1200, 1600), (8, 8, 10)).save(dark)
    not_image = tmp_path / "notes.jpg"
    not_image.write_text("not a picture")
    demo_store.close()
    db = str(demo_store.path)
    before = _marks(db)

    code, out, err = run(capsys, "--db", db, "attendance", "read-sheet", str(scan),
                         "--lesson", lessons[1]["id"], "--apply")
    assert code == 2 and "another lesson" in err
    for path, reason in ((blank, "No sign-in sheet"), (dark, "too dark"),
                         (not_image, "not an image")):
        code, out, err = run(capsys, "--db", db, "attendance", "read-sheet", str(path), "--apply")
        assert code == 2 and reason in err, err
    assert _marks(db) == before


def test_a_sheet_of_another_station_is_refused(demo_store, tmp_path):
    from trainer_app.services import demo

    other = Store(tmp_path / "other.db", create=True)
    demo.fill(other, trainees=20, seed=9)
    lesson = classes_q.all_lessons(other)[0]
    scan, _truth = _signed_scan(other, lesson["id"], tmp_path)
    other.close()
    batch = sheets.read(demo_store, [scan])
    assert [p.problem for p in batch.pages] == [sheets.Problem.UNKNOWN_LESSON]
    assert batch.proposals == [] and sheets.apply(demo_store, batch) == 0


def _marks(db: str) -> list:
    store = Store(Path(db))
    try:
        return store.rows("SELECT lesson_id, trainee_id, status, method FROM attendance "
                          "ORDER BY id")
    finally:
        store.close()


def test_a_row_whose_code_is_unreadable_is_known_by_its_place_while_the_list_is_unchanged(
        demo_store, tmp_path):
    """A row code blotted out on the paper: its row is still read, for the trainee the page
    lists there, as long as the class's enrolment gives the page code's digest; once the list
    has changed, the row is left to the operator and never guessed."""
    lesson = classes_q.all_lessons(demo_store)[0]
    record = papers.sign_in_sheet_record(demo_store, lesson["id"])
    page = sheet_samples.render_pages(papers.sign_in_sheet(demo_store, lesson["id"],
                                                           tmp_path / "sheet.pdf"))[0]
    code = sheet_samples.page_code_of(page)
    rng = random.Random(8)
    listed = [r.code for r in record.rows][:code.trainee_rows]
    truth, _walk_ins = sheet_samples.sign_page(rng, page, listed)
    hidden = 2
    x, y = geo.qr_origin(code.table_top, hidden)
    px = sheet_samples.PAPER_DPI / 72
    top = geo.PAGE_H - y - geo.QR_SIZE  # the code blotted out: the row's place remains
    ImageDraw.Draw(page).rectangle([x * px, top * px, (x + geo.QR_SIZE) * px,
                                    (top + geo.QR_SIZE) * px], fill="white")
    scan = tmp_path / "scan.jpg"
    scan.write_bytes(sheet_samples.scan(rng, page, 200)[1])

    batch = sheets.read(demo_store, [scan], lesson["id"])
    by_row = {p.row: p for p in batch.proposals}
    row = code.first_row + hidden
    assert by_row[row].code == listed[hidden] and by_row[row].trainee_id
    assert [p.row for p in batch.proposals if p.by_place] == [row]  # the review says so
    assert by_row[row].signed == truth[hidden].signed
    assert batch.pages[0].unread_rows == []

    first = trainees.find_by_code(demo_store, listed[0])["id"]
    classes.unenroll(demo_store, lesson["class_id"], [first])  # the list is not the printed one
    batch = sheets.read(demo_store, [scan], lesson["id"])
    assert row not in {p.row for p in batch.proposals}
    assert batch.pages[0].unread_rows == [row]
    assert {p.code for p in batch.proposals} == set(listed) - {listed[hidden]}
