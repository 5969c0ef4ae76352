"""What each paper prints, as plain records filled by the services (already formatted text
where formatting depends on the language, so the paper code only lays out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Branding:
    county_name: str
    station_name: str
    seal_image: Path | None = None  # PNG with transparency
    logo_image: Path | None = None


@dataclass(frozen=True)
class CertificatePage:
    serial: str
    trainee_name: str
    id_number_masked: str  # 4101**********123X
    course_title: str
    course_title_en: str  # English subtitle line (course code or translated title)
    hours: str  # formatted, e.g. "24"
    start_date: str  # formatted for the paper (Chinese long dates)
    end_date: str
    issued_on: str
    qr_text: str  # the signed code (trainer_app.domain.certificate_code)
    branding: Branding
    replaces_serial: str = ""


@dataclass(frozen=True)
class SheetRow:
    code: str  # trainee code; the QR of a sign-in row encodes exactly this
    name: str
    village: str
    extra: str = ""


@dataclass(frozen=True)
class SignInSheet:
    class_title: str
    course_title: str
    lesson_topic: str
    lesson_date: str
    lesson_time: str
    place: str
    trainer: str
    rows: list[SheetRow]
    branding: Branding
    blank_rows: int = 5  # for walk-ins: fewer (at least 3) where only fewer fit
    enrolled_label: str = ""  # e.g. "24 trainees enrolled" (formatted by the service)
    printed_on: str = ""
    lesson_id: str = ""  # printed in each page's code for the sheet reader; none when empty


@dataclass(frozen=True)
class TraineeCard:
    code: str
    name: str
    village: str
    branding: Branding


@dataclass(frozen=True)
class RosterRow:
    code: str
    name: str
    gender: str
    id_number_masked: str
    phone_masked: str
    village: str


@dataclass(frozen=True)
class Roster:
    class_title: str
    course_title: str
    dates: str
    trainer: str
    place: str
    rows: list[RosterRow]
    branding: Branding
    printed_on: str = ""


@dataclass(frozen=True)
class SummaryRow:
    code: str
    name: str
    marks: list[str]  # one short mark per lesson (e.g. ✓, 迟, 假, ✗, blank)
    attended_hours: str
    share: str
    completed: bool


@dataclass(frozen=True)
class ClassSummary:
    class_title: str
    course_title: str
    dates: str
    trainer: str
    place: str
    lesson_headers: list[str]  # e.g. "6/3"
    scheduled_hours: str
    required_hours: str
    rule: str
    rows: list[SummaryRow]
    branding: Branding
    totals: dict[str, str] = field(default_factory=dict)  # "label", "completed", "line"
    lesson_totals: list[str] = field(default_factory=list)  # trainees attending, per lesson
    legend: str = ""  # what each mark means
    printed_on: str = ""
