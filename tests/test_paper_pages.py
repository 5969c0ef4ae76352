"""No page of a paper holds only a remnant: every sign-in sheet, roster, class summary and
report PDF is rendered for 1 to 60 rows and read back page by page (pypdf). A page without a
trainee (or report row) of its own — only blank rows, only a totals row, only a header — fails.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from trainer_app import i18n
from trainer_app.pdf.papers import layout, roster, sheet, summary
from trainer_app.pdf.records import (
    Branding,
    ClassSummary,
    Roster,
    RosterRow,
    SheetRow,
    SignInSheet,
    SummaryRow,
)
from trainer_app.services import report_pdf, reports

COUNTS = {"en": range(1, 61), "zh_CN": range(1, 61, 3)}  # every count once, Chinese spot checks
CODE = re.compile(r"T9\d{5}")
TOTAL = "TOTALS-ROW"
BRANDING = Branding("襄城县农村电商公共服务中心", "王庄村服务站")


@pytest.fixture(params=["en", "zh_CN"])
def language(request, tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path / "home"))
    before = i18n.language()
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language(before)


def pages_of(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def code(i: int) -> str:
    return f"T9{i:05d}"


# -- the rules, on their own ---------------------------------------------------------------------
@pytest.mark.parametrize("first", [0, 1, 2, 5, 12, 20])
@pytest.mark.parametrize("rest", [1, 2, 3, 16, 30])
def test_paginate_keeps_the_last_rows_together(first, rest):
    for count in range(0, 80):
        for keep in (1, 2, 3):
            pages = layout.paginate(count, first, rest, keep_last=keep)
            assert [i for p in pages for i in p] == list(range(count))
            assert len(pages[0]) <= max(first, 0) and all(len(p) <= rest for p in pages[1:])
            assert all(pages[1:]), (count, pages)  # no empty page after the first
            if len(pages) > 1 and len(pages[-2]) > 1:
                assert len(pages[-1]) >= min(keep, count, rest)


@pytest.mark.parametrize("first", [1, 3, 12, 20])
@pytest.mark.parametrize("rest", [4, 16, 30])
@pytest.mark.parametrize("blanks", [0, 1, 3, 5])
def test_blank_rows_follow_the_rows_and_never_stand_alone(first, rest, blanks):
    for count in range(0, 80):
        pages, n_blank = layout.paginate_with_blanks(count, blanks, first, rest)
        assert [i for p in pages for i in p] == list(range(count + n_blank))
        capacities = [first, *[rest] * (len(pages) - 1)]
        assert all(len(p) <= cap for p, cap in zip(pages, capacities, strict=True))
        if count:
            assert all(p.start < count for p in pages), (count, pages)  # a trainee on each
            wanted = min(blanks, rest - 1)
            if not (len(pages) == 1 and count == 1):
                assert min(layout.LEAST_BLANKS, wanted) <= n_blank <= wanted
            # fewer than asked only where they fill the last page to its end
            assert n_blank == wanted or len(pages[-1]) == capacities[-1]
        else:
            assert len(pages) == 1 or first < blanks


# -- the papers, rendered ------------------------------------------------------------------------
def sign_in_sheet(n: int) -> SignInSheet:
    rows = [SheetRow(code(i), f"学员{i}", "王庄村") for i in range(n)]
    return SignInSheet("开设网店（第3期）", "开设网店", "选品与上架", "2026年12月3日",
                       "14:00", "王庄村服务站", "李老师", rows, BRANDING)


def class_summary(n: int, lessons: int) -> ClassSummary:
    rows = [SummaryRow(code(i), f"学员{i}", ["✓"] * lessons, "24", "100%", True)
            for i in range(n)]
    return ClassSummary(
        "开设网店（第3期）", "开设网店", "2026年12月1日 至 2026年12月19日", "李老师", "服务站",
        [f"12/{d + 1}" for d in range(lessons)], "24", "19.2", "至少 80% 的学时", rows, BRANDING,
        totals={"label": TOTAL, "completed": str(n), "line": f"{n} / {n}"},
        lesson_totals=[str(n)] * lessons, legend="✓ 出勤",
    )


def class_roster(n: int) -> Roster:
    rows = [RosterRow(code(i), f"学员{i}", "女", "4101**********1234", "138****5678", "王庄村")
            for i in range(n)]
    return Roster("开设网店（第3期）", "开设网店", "2026年12月1日 至 12月19日", "李老师",
                  "服务站", rows, BRANDING)


def report(n: int, chart: bool) -> reports.Report:
    columns = [reports.Column("village", "村", "text"), reports.Column("code", "代码", "text"),
               reports.Column("people", "人数", "int")]
    rows = [{"village": f"村{i}", "code": code(i), "people": i} for i in range(n)]
    return reports.Report(
        "by-village", "按村统计", columns, rows,
        {"village": TOTAL, "code": "", "people": sum(range(n))},
        reports.Chart("人数", "village", "people") if chart else None,
        reports.Filters(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    )


def test_sign_in_sheets_never_end_on_blank_rows(language, tmp_path):
    for n in COUNTS[language]:
        pages = pages_of(sheet.render(sign_in_sheet(n), tmp_path / f"sheet{n}.pdf"))
        assert all(CODE.search(p) for p in pages), (n, [len(CODE.findall(p)) for p in pages])
        numbers = [int(x) for x in re.findall(r"^(\d+)$", pages[-1], re.M)]
        assert max(numbers) >= n + layout.LEAST_BLANKS  # the walk-ins' rows
        assert CODE.findall("\n".join(pages)) == [code(i) for i in range(n)]


def test_class_summary_keeps_its_totals_with_trainees(language, tmp_path):
    for lessons in (8, 24):  # portrait and landscape
        for n in COUNTS[language][:: 1 if lessons < 10 else 2]:
            pages = pages_of(summary.render(class_summary(n, lessons), tmp_path / "s.pdf"))
            assert all(CODE.search(p) for p in pages), (lessons, n)
            assert TOTAL in pages[-1]
            assert len(CODE.findall(pages[-1])) >= min(n, summary.KEEP_WITH_TOTALS)
            assert CODE.findall("\n".join(pages)) == [code(i) for i in range(n)]


def test_roster_pages_all_hold_trainees(language, tmp_path):
    for n in COUNTS[language]:
        pages = pages_of(roster.render(class_roster(n), tmp_path / "r.pdf"))
        assert all(CODE.search(p) for p in pages), n
        assert CODE.findall("\n".join(pages)) == [code(i) for i in range(n)]


def test_report_pdf_keeps_its_totals_with_rows(language, tmp_path):
    for chart in (True, False):
        for n in range(1, 90, 2 if chart else 5)[:: 1 if language == "en" else 3]:
            out = report_pdf.write(report(n, chart), tmp_path / "r.pdf", BRANDING.county_name)
            pages = pages_of(out)
            assert all(CODE.search(p) for p in pages), (chart, n)
            assert TOTAL in pages[-1]
            assert len(CODE.findall(pages[-1])) >= min(n, report_pdf.KEEP_WITH_TOTALS)
