"""Reading signed sign-in sheets from photographs and scans (issue 11)."""

from __future__ import annotations

import collections
import dataclasses
import math
import random
import types

import pytest
from PIL import Image, ImageDraw, ImageFilter

from tests import sheet_samples
from trainer_app.domain import ids, sheet_code
from trainer_app.domain.sheet_code import PageCode
from trainer_app.pdf.papers.layout import LEAST_BLANKS
from trainer_app.services import demo, papers, sheets
from trainer_app.sheets import homography, reader
from trainer_app.store import classes as classes_q

LESSON = "01a23dee-643c-705c-b13f-1451b672f694"


def test_page_code_round_trip_and_rejects_others():
    code = PageCode(LESSON, 2, 612.3, 14, 5, 10, sheet_code.rows_digest(["T000001", "T000002"]))
    text = sheet_code.encode(code)
    assert len(text) == 55 and text.isalnum() and text.upper() == text
    back = sheet_code.decode(text)
    assert back.lesson_id == LESSON and (back.page, back.first_row, back.rows) == (2, 14, 10)
    assert abs(back.table_top - code.table_top) < 0.3
    damaged = text[:10] + ("0" if text[10] != "0" else "1") + text[11:]
    assert sheet_code.decode(damaged) is None
    assert sheet_code.decode("T000031") is None
    # a sheet printed before the trainees' digest (format S1) is still read, without it
    body = "S1" + text[2:-8]
    earlier = sheet_code.decode(body + sheet_code._check(body))
    assert earlier == dataclasses.replace(back, trainees="")


def test_homography_recovers_a_projective_map():
    truth = [[1.2, 0.1, 30.0], [-0.05, 0.9, 12.0], [0.0004, -0.0002, 1.0]]
    src = [(x * 50.0, y * 70.0) for x in range(4) for y in range(4)]
    dst = [homography.apply(truth, p) for p in src]
    fitted = homography.fit(src, dst)
    for p in [(10.0, 20.0), (140.0, 190.0)]:
        a, b = homography.apply(fitted, p), homography.apply(truth, p)
        assert abs(a[0] - b[0]) < 1e-6 and abs(a[1] - b[1]) < 1e-6


def test_every_page_of_a_sheet_carries_its_page_code(demo_store, tmp_path):
    lesson = classes_q.all_lessons(demo_store)[0]
    record = papers.sign_in_sheet_record(demo_store, lesson["id"])
    pdf = papers.sign_in_sheet(demo_store, lesson["id"], tmp_path / "sheet.pdf")
    codes = [sheet_samples.page_code_of(page) for page in sheet_samples.render_pages(pdf, 150)]
    assert [c.page for c in codes] == list(range(1, len(codes) + 1))
    assert {c.lesson_id for c in codes} == {lesson["id"]}
    assert sum(c.trainee_rows for c in codes) == len(record.rows)
    assert LEAST_BLANKS <= sum(c.rows for c in codes) - len(record.rows) <= record.blank_rows


def test_images_without_a_readable_sheet_say_why():
    with pytest.raises(reader.SheetNotRead) as blank:
        reader.read_page(Image.new("RGB", (1200, 1600), (235, 230, 220)))
    assert blank.value.problem is reader.Problem.NO_SHEET
    with pytest.raises(reader.SheetNotRead) as dark:
        reader.read_page(Image.new("RGB", (1200, 1600), (12, 10, 14)))
    assert dark.value.problem is reader.Problem.TOO_DARK


def test_a_shaken_photo_of_a_sheet_is_too_blurred_and_a_sharp_one_of_no_sheet_is_not(
        demo_store, tmp_path):
    lesson = classes_q.all_lessons(demo_store)[0]
    page = sheet_samples.render_pages(papers.sign_in_sheet(demo_store, lesson["id"],
                                                           tmp_path / "sheet.pdf"))[0]
    photo = sheet_samples.photograph(random.Random(1), page, 12)[0]
    for radius in (3, 5, 8):  # the page still shows, its codes no longer do
        with pytest.raises(reader.SheetNotRead) as shaken:
            reader.read_page(photo.filter(ImageFilter.GaussianBlur(radius)))
        assert shaken.value.problem is reader.Problem.TOO_BLURRED, radius
    chart = Image.new("RGB", (1600, 1200), "white")  # sharp, but no sheet: a printed chart
    draw = ImageDraw.Draw(chart)
    for x in range(0, 1600, 40):
        draw.line([(x, 100), (x + 300, 1100)], fill="black", width=3)
    with pytest.raises(reader.SheetNotRead) as other:
        reader.read_page(chart)
    assert other.value.problem is reader.Problem.NO_SHEET


def _evaluate(store, tmp_path, seed: int, rows: int, photo_share: float) -> collections.Counter:
    """Read every generated page as the operator's files are read (the service: the codes, a
    row whose code was not read known by its place, the trainees looked up); count outcomes
    by (truth, reading) and print the table."""
    table: collections.Counter = collections.Counter()
    path = tmp_path / "page.jpg"
    for sample in sheet_samples.generate(store, seed, rows, tmp_path, photo_share):
        path.write_bytes(sample.jpeg)
        batch = sheets.read(store, [path])
        if batch.pages[0].problem:
            table[("page not read", batch.pages[0].problem.value)] += len(sample.truth)
            continue
        truth = {t.code: t for t in sample.truth}
        read = {}
        for p in batch.proposals:
            if (p.code not in truth or truth[p.code].row != p.row or not p.trainee_id
                    or p.lesson_id != sample.lesson_id):
                table["wrong trainee"] += 1
            else:
                read[p.code] = p
                table["rows known by their place (code not read)"] += p.by_place
        for t in sample.truth:
            table[(t.signed, read[t.code].signed if t.code in read else "row not read")] += 1
        table["walk-ins found"] += len({h.row for h in batch.handwritten} & set(sample.walk_ins))
        table["walk-ins written"] += len(sample.walk_ins)
    print("\nconfusion table (truth signed?, read as):")
    for key, n in sorted(table.items(), key=str):
        print(f"  {key!s:44} {n}")
    return table


def _check(table: collections.Counter, at_least: int = 0) -> None:
    """No row given to the wrong trainee or read wrongly as signed or unsigned; at most 1 % of
    the rows (and no fewer than ``at_least``) left to the operator."""
    rows = sum(n for k, n in table.items() if isinstance(k, tuple))
    wrong = table[(True, False)] + table[(False, True)] + table["wrong trainee"]
    uncertain = rows - wrong - table[(True, True)] - table[(False, False)]
    assert wrong == 0, table
    assert uncertain <= max(at_least, math.ceil(0.01 * rows)), table


@pytest.fixture
def seeded_ids(monkeypatch):
    """Record ids from a seeded source: a page code carries its lesson's id, so with random ids
    each run would print (and so read) different codes; with these every run reads the same
    pages and the figures are the same everywhere."""
    seeded = random.Random(20261204)
    clock = iter(range(1_796_000_000_000_000_000, 1 << 62, 1_000_000))  # one id a millisecond
    monkeypatch.setattr(ids, "os", types.SimpleNamespace(urandom=seeded.randbytes))
    monkeypatch.setattr(ids, "time", types.SimpleNamespace(time_ns=lambda: next(clock)))
    monkeypatch.setattr(ids, "_last_ms", 0)  # put back afterwards, as the other two
    monkeypatch.setattr(ids, "_counter", 0)


def test_a_small_sample_of_photographed_and_scanned_sheets(store, tmp_path, seeded_ids):
    demo.fill(store, trainees=40, seed=3)
    # 1 % of these 72 rows is less than one: two may be left to the operator
    _check(_evaluate(store, tmp_path, seed=11, rows=50, photo_share=0.5), at_least=2)


@pytest.mark.slow
def test_three_thousand_generated_rows(store, tmp_path, seeded_ids):
    demo.fill(store, trainees=200, seed=1)
    _check(_evaluate(store, tmp_path, seed=2026, rows=3000, photo_share=0.6))


def test_the_reading_says_how_to_turn_the_page_upright(demo_store, tmp_path):
    lesson = classes_q.all_lessons(demo_store)[0]
    pdf = papers.sign_in_sheet(demo_store, lesson["id"], tmp_path / "sheet.pdf")
    page = sheet_samples.render_pages(pdf, 150)[0]
    for turned_by, transpose in ((0, None), (90, Image.Transpose.ROTATE_90),
                                 (180, Image.Transpose.ROTATE_180),
                                 (270, Image.Transpose.ROTATE_270)):
        image = page.transpose(transpose) if transpose else page
        assert reader.read_page(image).turn == (360 - turned_by) % 360
