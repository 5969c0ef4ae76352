"""Sign-in sheets, trainee cards, rosters and class summaries: real PDFs from a real demo
database, read back with pypdf, rendered with pdfium, and their QR codes decoded with zxing-cpp
and fed to the attendance scanner."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader

from trainer_app import i18n
from trainer_app.domain import idcard, phone, sheet_code
from trainer_app.domain.models import Lesson
from trainer_app.pdf import atomic, fonts
from trainer_app.pdf.papers.layout import LEAST_BLANKS
from trainer_app.services import attendance, classes, demo, papers
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.store import attendance as attendance_q
from trainer_app.store import classes as classes_q

TODAY = dt.date(2026, 11, 23)
CODE = re.compile(r"T\d{6}")


@pytest.fixture(autouse=True)
def _english(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    before = i18n.language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


@pytest.fixture
def station(tmp_path):
    s = Store(tmp_path / "station.db", create=True)
    demo.fill(s, trainees=60, seed=11, today=TODAY)
    yield s
    s.close()


def class_with(store: Store, status: str) -> dict:
    return next(c for c in classes.list_all(store) if c["status"] == status)


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def embedded_font_files(path: Path) -> set[str]:
    """The kind of font program (FontFile, FontFile2, FontFile3) every font embeds; a font
    without one (a non-embedded font) counts as "none"."""
    kinds: set[str] = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (
                descendants[0].get_object()["/FontDescriptor"] if descendants
                else font.get("/FontDescriptor")
            )
            descriptor = descriptor.get_object() if descriptor else {}
            found = [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor]
            kinds.add(found[0][1:] if found else "none")
    return kinds


def decode_page(path: Path, index: int = 0, scale: float = 3) -> list[str]:
    doc = pdfium.PdfDocument(str(path))
    try:
        image = doc[index].render(scale=scale).to_pil()
    finally:
        doc.close()
    return [r.text for r in zxingcpp.read_barcodes(image)]


# -- sign-in sheet -------------------------------------------------------------------------------
def test_sign_in_sheet_lists_the_class_and_its_qr_codes_mark_attendance(station, tmp_path):
    cls = class_with(station, "planned")  # no marks yet
    lesson = classes.lessons(station, cls["id"])[0]
    enrolled = classes.enrolled(station, cls["id"])
    codes = {t["code"] for t in enrolled}
    out = tmp_path / papers.suggested_name(station, "sign_in_sheet", lesson["id"])
    assert out.name == f"Sign-in sheet {cls['title']} {lesson['date']}.pdf"

    progress: list[tuple[int, int]] = []
    assert papers.sign_in_sheet(station, lesson["id"], out, lambda d, t: progress.append((d, t)))
    pages = pdf_text(out)
    text = "\n".join(pages)
    assert progress[-1] == (len(pages), len(pages))
    for t in enrolled:
        assert t["name"] in text and t["code"] in text
    for expected in (cls["title"], lesson["topic"], cls["trainer"], cls["place"],
                     demo.STATION_NAME, demo.COUNTY_NAME, "Signature",
                     "Trainer's signature", f"Page 1 of {len(pages)}"):
        assert expected in text
    # numbered rows continue into the blank rows for walk-ins (at least three)
    numbers = [int(n) for n in re.findall(r"^(\d+)$", pages[-1], re.M)]
    assert len(enrolled) + LEAST_BLANKS <= max(numbers) <= len(enrolled) + papers.BLANK_ROWS
    assert numbers == list(range(numbers[0], numbers[-1] + 1))
    assert embedded_font_files(out) == {"FontFile2"}

    everything = decode_page(out)
    page_codes = [sheet_code.decode(t) for t in everything if sheet_code.decode(t)]
    assert [(c.lesson_id, c.page) for c in page_codes] == [(lesson["id"], 1)]
    decoded = [t for t in everything if not sheet_code.decode(t)]
    on_page = set(CODE.findall(pages[0]))
    assert decoded and set(decoded) == on_page  # every QR code of the page, and only codes
    assert set(decoded) <= codes

    first = decoded[0]
    trainee = next(t for t in enrolled if t["code"] == first)
    result = attendance.scan(station, lesson["id"], first)
    assert result.outcome is attendance.ScanOutcome.MARKED
    marks = {m["trainee_id"]: m for m in attendance_q.list_for_lesson(station, lesson["id"])}
    assert (marks[trainee["id"]]["status"], marks[trainee["id"]]["method"]) == ("present", "scan")


def test_long_sign_in_sheet_repeats_the_table_header_on_every_page(station, tmp_path):
    cls = class_with(station, "running")
    everyone = [r["id"] for r in station.rows("SELECT id FROM trainee WHERE deleted = 0")]
    classes.enroll(station, cls["id"], everyone)
    lesson = classes.lessons(station, cls["id"])[-1]
    out = papers.sign_in_sheet(station, lesson["id"], tmp_path / "sheet.pdf", blank_rows=3)
    pages = pdf_text(out)
    assert len(pages) >= 4
    for number, text in enumerate(pages, 1):
        assert "Signature" in text and "No." in text
        assert f"Page {number} of {len(pages)}" in text
    all_codes = CODE.findall("\n".join(pages))
    assert sorted(all_codes) == sorted(t["code"] for t in classes.enrolled(station, cls["id"]))
    last = decode_page(out, len(pages) - 1)
    assert {t for t in last if not sheet_code.decode(t)} == set(CODE.findall(pages[-1]))
    assert sheet_code.decode(next(t for t in last if sheet_code.decode(t))).page == len(pages)


def test_cancelled_lesson_has_no_sheet(station, tmp_path):
    lesson = classes.lessons(station, class_with(station, "planned")["id"])[0]
    classes.cancel_lesson(station, lesson["id"])
    with pytest.raises(ServiceError, match="cancelled"):
        papers.sign_in_sheet(station, lesson["id"], tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


# -- trainee cards -------------------------------------------------------------------------------
def test_cards_of_a_class_ten_per_page_with_scannable_codes(station, tmp_path):
    cls = class_with(station, "finished")
    enrolled = classes.enrolled(station, cls["id"])
    out = papers.trainee_cards(station, cls["id"], tmp_path / "cards.pdf")
    reader = PdfReader(out)
    assert len(reader.pages) == math.ceil(len(enrolled) / 10)
    text = "\n".join(pdf_text(out))
    for t in enrolled:
        assert t["name"] in text and t["code"] in text
    assert demo.STATION_NAME in text
    assert embedded_font_files(out) == {"FontFile2"}
    # cards go in enrollment order, row by row: the first page holds the first ten
    assert sorted(decode_page(out, scale=2)) == sorted(t["code"] for t in enrolled[:10])


def test_cards_for_chosen_trainees(station, tmp_path):
    cls = class_with(station, "finished")
    chosen = [t["id"] for t in classes.enrolled(station, cls["id"])[:3]]
    out = papers.trainee_cards(station, None, tmp_path / "three.pdf", trainee_ids=chosen)
    assert len(PdfReader(out).pages) == 1
    codes = [station.row("SELECT code FROM trainee WHERE id = ?", [i])["code"] for i in chosen]
    assert sorted(decode_page(out, scale=2)) == sorted(codes)
    with pytest.raises(ServiceError):
        papers.trainee_cards(station, None, tmp_path / "none.pdf", trainee_ids=["nope"])
    with pytest.raises(ServiceError):
        papers.trainee_cards(station, None, tmp_path / "none.pdf", trainee_ids=[])
    assert not (tmp_path / "none.pdf").exists()


# -- roster --------------------------------------------------------------------------------------
def test_roster_shows_masked_numbers_only(station, tmp_path):
    cls = class_with(station, "running")
    enrolled = classes.enrolled(station, cls["id"])
    out = papers.roster(station, cls["id"], tmp_path / "roster.pdf")
    text = "\n".join(pdf_text(out))
    assert cls["title"] in text and cls["course_title"] in text
    assert f"{len(enrolled)} trainees" in text
    for t in enrolled:
        assert t["name"] in text and t["code"] in text
        assert idcard.mask(t["id_number"]) in text
        assert t["id_number"] not in text
        if t["phone"]:
            assert phone.mask(t["phone"]) in text
            assert t["phone"] not in text
    assert embedded_font_files(out) == {"FontFile2"}


def test_rare_name_characters_print_through_the_fallback_fonts(station, tmp_path):
    cls = class_with(station, "running")
    trainee = classes.enrolled(station, cls["id"])[0]
    with station.transaction():
        station.db["trainee"].update(trainee["id"], {"name": "王𠮷䶮"})
    assert fonts.missing_characters("王𠮷䶮") == []
    out = papers.roster(station, cls["id"], tmp_path / "roster.pdf")
    text = "\n".join(pdf_text(out))
    # each font's run comes back as its own line; 𠮷 (beyond the BMP) comes back too
    assert re.search(rf"{trainee['code']}\s*王\s*𠮷\s*䶮", text)
    assert embedded_font_files(out) == {"FontFile2"}
    names = {str(f.get_object()["/BaseFont"]) for f in
             PdfReader(out).pages[0]["/Resources"]["/Font"].values()}
    assert any("HanaMinA" in n for n in names) and any("HanaMinB" in n for n in names)



# -- summary -------------------------------------------------------------------------------------
def test_summary_agrees_with_the_completion_report(station, tmp_path):
    cls = class_with(station, "finished")
    report = classes.completion_report(station, cls["id"])
    lessons = classes_q.lessons(station, cls["id"], include_cancelled=False)
    record = papers.summary_record(station, cls["id"])

    assert [r.code for r in record.rows] == [r["code"] for r in report]
    for row, r in zip(record.rows, report, strict=True):
        assert row.completed == r["completed"]
        assert row.attended_hours == i18n.format_number(r["attended_hours"])
        assert len(row.marks) == len(lessons)
        # hours attended are the lessons marked present or late
        attended = sum(
            lesson["hours"] for lesson, mark in zip(lessons, row.marks, strict=True)
            if mark in ("✓", "L")
        )
        assert attended == pytest.approx(r["attended_hours"])
    done = sum(r["completed"] for r in report)
    assert record.totals["completed"] == f"{done} / {len(report)}"
    marks = attendance_q.class_marks(station, cls["id"])
    for lesson, total in zip(lessons, record.lesson_totals, strict=True):
        expected = sum(
            1 for m in marks if m["lesson_id"] == lesson["id"] and m["status"] in
            ("present", "late")
        )
        assert total == str(expected)

    out = papers.class_summary(station, cls["id"], tmp_path / "summary.pdf")
    reader = PdfReader(out)
    text = "\n".join(pdf_text(out))
    assert f"{done} of {len(report)} trainees" in text
    assert f"{done} / {len(report)}" in text
    assert "Trainees attending" in text
    for r in report:
        assert r["name"] in text
    box = reader.pages[0].mediabox
    assert box.width < box.height  # a handful of lessons fit on a portrait page
    assert embedded_font_files(out) == {"FontFile2"}
    assert not fonts.missing_characters("".join(papers.marks().values()))


def test_summary_turns_landscape_for_many_lessons(station, tmp_path):
    cls = class_with(station, "planned")
    start = dt.date.fromisoformat(cls["start_date"])
    with station.transaction():
        station.db["training_class"].update(
            cls["id"], {"end_date": (start + dt.timedelta(days=60)).isoformat()}
        )
    for k in range(1, 16):
        classes.add_lesson(station, cls["id"], Lesson(
            date=(start + dt.timedelta(days=k)).isoformat(), start_time="09:00", hours=2,
            topic=f"课{k}",
        ))
    out = papers.class_summary(station, cls["id"], tmp_path / "summary.pdf")
    box = PdfReader(out).pages[0].mediabox
    assert box.width > box.height


# -- refusals, cancel, file names ----------------------------------------------------------------
def test_a_character_no_font_has_is_refused_naming_it_and_the_trainee(station, tmp_path):
    assert fonts.missing_characters("张\ue000") == ["\ue000"]  # private use: no font has it
    cls = class_with(station, "running")
    trainee = classes.enrolled(station, cls["id"])[0]
    with station.transaction():
        station.db["trainee"].update(trainee["id"], {"name": "张\ue000"})
    lesson = classes.lessons(station, cls["id"])[0]
    calls = [
        lambda out: papers.sign_in_sheet(station, lesson["id"], out),
        lambda out: papers.trainee_cards(station, cls["id"], out),
        lambda out: papers.roster(station, cls["id"], out),
        lambda out: papers.class_summary(station, cls["id"], out),
    ]
    folder = tmp_path / "papers"
    folder.mkdir()
    for k, call in enumerate(calls):
        out = folder / f"paper{k}.pdf"
        with pytest.raises(ServiceError) as err:
            call(out)
        message = str(err.value)
        assert "U+E000" in message and trainee["code"] in message, message
        assert not out.exists()
    assert list(folder.iterdir()) == []


def test_a_station_name_no_font_has_is_refused(station, tmp_path):
    station.set_meta("station_name", "服务站\ue001")
    with pytest.raises(ServiceError, match="U\\+E001"):
        papers.roster(station, class_with(station, "running")["id"], tmp_path / "r.pdf")


def test_cancel_writes_nothing_and_keeps_the_old_file(station, tmp_path):
    cls = class_with(station, "finished")
    everyone = [r["id"] for r in station.rows("SELECT id FROM trainee WHERE deleted = 0")]
    classes.enroll(station, cls["id"], everyone)
    folder = tmp_path / "papers"
    folder.mkdir()
    out = folder / "cards.pdf"
    out.write_bytes(b"old")
    progress: list[tuple[int, int]] = []
    with pytest.raises(atomic.Cancelled):
        papers.trainee_cards(station, cls["id"], out, None, lambda d, t: progress.append((d, t)),
                             lambda: len(progress) >= 2)  # cancelled after two pages
    assert progress == [(10, 60), (20, 60)]
    assert out.read_bytes() == b"old"
    assert [p.name for p in folder.iterdir()] == ["cards.pdf"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("签到表 开设网店（第1期） 2026-11-23", "签到表 开设网店（第1期） 2026-11-23"),
        ('a<b>c:d"e/f\\g|h?i*j', "abc-de-f-g-hij"),
        ("line\nbreak\ttab", "line break tab"),
        ("bell\x07 and \x1f", "bell and"),
        ("trailing dots... ", "trailing dots"),
        ("CON", "_CON"),
        ("con.pdf", "_con.pdf"),
        ("NUL .txt", "_NUL .txt"),
        ("LPT9", "_LPT9"),
        ("COM1.roster", "_COM1.roster"),
        ("CONSOLE", "CONSOLE"),
        ("COM10", "COM10"),
        ("", "_"),
        ("?*<>", "_"),
        ("  spaced   out  ", "spaced out"),
    ],
)
def test_safe_filename(text, expected):
    assert papers.safe_filename(text) == expected


def test_safe_filename_is_short_enough():
    assert len(papers.safe_filename("名" * 400)) == 120
    assert not papers.safe_filename("a" * 119 + " .b").endswith((" ", "."))


def test_default_names(station):
    assert papers.default_name("sign_in_sheet", "开设网店（第1期）", "2026-11-23") == (
        "Sign-in sheet 开设网店（第1期） 2026-11-23.pdf"
    )
    assert papers.default_name("roster", "a/b") == "Class roster a-b.pdf"
    cls = class_with(station, "running")
    for kind in ("cards", "roster", "summary"):
        name = papers.suggested_name(station, kind, cls["id"])
        assert name.endswith(f" {cls['title']}.pdf") and name == papers.safe_filename(name)
    with pytest.raises(ValueError):
        papers.default_name("poster", "x")
