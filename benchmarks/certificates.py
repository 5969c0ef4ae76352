"""Certificate figures: 1,000 certificates issued, printed into one PDF next to the same pages
without QR codes, and as 1,000 separate files.

    python benchmarks/certificates.py [--n 1000] [--runs 3] [--keep DIR] [--profile]

Run from the project root (or anywhere: the project root is put on ``sys.path``). Everything
runs in this process with ``TRAINER_APP_HOME`` in a temporary folder (the station's key files
go there), on a new station database in the same folder. See README.md here for what each
figure means.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import math
import platform
import pstats
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator

import benchlib

TARGET_RATIO = 3.0  # QR pages at most 3 x the same pages without QR codes
ISSUE_DAY = dt.date(2026, 6, 30)
COURSE = ("BM201", "农村电商综合实训", "网店运营", "开店、拍摄上架、直播、物流与客服的综合实训。")
LESSONS = 6  # of 4 hours: 24 hours, all attended ('present'), so everyone is eligible
WIDGET_PAGES = 100  # reportlab's own QR widget is slow: this many pages, extrapolated


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000,
                        help="trainees in the class, certificates issued and pages (default 1000)")
    parser.add_argument("--runs", type=int, default=3,
                        help="timed renders of each kind, alternating (the median is reported)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="work in this folder and keep it (database, PDFs); default: a "
                             "temporary folder removed afterwards")
    parser.add_argument("--no-images", action="store_true",
                        help="no seal and logo on the certificates (default: both, as a real "
                             "station has them)")
    parser.add_argument("--profile", action="store_true",
                        help="also run cProfile over one render with QR codes and print where "
                             "the time goes")
    opts = parser.parse_args()

    with benchlib.work_folder(opts.keep, "trainer-bench-cert-") as tmp:
        return run(opts, tmp)


def run(opts: argparse.Namespace, tmp: Path) -> int:
    t_start = time.perf_counter()
    from trainer_app import i18n
    from trainer_app.pdf import qr
    from trainer_app.services import certificates
    from trainer_app.store import Store

    i18n.set_language("zh_CN")
    print(machine())
    print()
    n = opts.n

    # 0. The station -----------------------------------------------------------------------------
    print(f"0. Station: demo.fill with {n:,} trainees, one class of all of them ...", flush=True)
    store = Store(tmp / "station.db", create=True)
    t0 = time.perf_counter()
    class_id = build_station(store, n, tmp, images=not opts.no_images)
    build_s = time.perf_counter() - t0
    report = certificates.eligibility(store, class_id)
    eligible = sum(r["eligible"] for r in report)
    print(f"   built in {build_s:.1f} s: {len(report):,} enrolled, {eligible:,} eligible "
          f"(seal and logo: {'no' if opts.no_images else 'yes'})")
    if eligible != n:
        raise SystemExit(f"expected {n} eligible trainees, found {eligible}")
    certificates.signing_key(store)  # made at set-up in the program (or on first need)
    print()

    # (a) Issuing --------------------------------------------------------------------------------
    print(f"(a) Issuing {n:,} certificates (services.certificates.issue, one call) ...",
          flush=True)
    t0 = time.perf_counter()
    result = certificates.issue(store, class_id, today=ISSUE_DAY)
    issue_s = time.perf_counter() - t0
    rows = result.certificates
    print(f"    {len(result.new_serials):,} new serials ({rows[0]['serial']} … "
          f"{rows[-1]['serial']}), {len(result.refused)} refused, in {issue_s:.2f} s "
          f"= {issue_s / max(1, len(rows)) * 1000:.2f} ms a certificate")
    for reason in result.refused[:5]:
        print(f"    refused: {reason}")
    if len(rows) != n:
        raise SystemExit(f"expected {n} certificates, got {len(rows)}")
    print()

    # (b) One PDF, with and without QR codes ----------------------------------------------------
    out = tmp / "pdf"
    out.mkdir(exist_ok=True)
    real_draw = qr.draw

    def render(kind: str, subset: list[dict], name: str) -> tuple[float, Path]:
        path = out / name
        with patched_qr(qr, kind, real_draw):
            t0 = time.perf_counter()
            certificates.write_pdf(store, subset, path)
            seconds = time.perf_counter() - t0
        return seconds, path

    print(f"(b) {n:,} certificates into one PDF (services.certificates.write_pdf → "
          f"pdf.certificate.render), {opts.runs} runs of each, alternating, after a warm-up",
          flush=True)
    render("qr", rows[:20], "warm-qr.pdf")
    render("none", rows[:20], "warm-none.pdf")
    with_qr: list[float] = []
    without: list[float] = []
    for i in range(opts.runs):
        order = ("none", "qr") if i % 2 == 0 else ("qr", "none")
        for kind in order:
            seconds, path = render(kind, rows, f"all-{kind}.pdf")
            (with_qr if kind == "qr" else without).append(seconds)
    qr_pdf, floor_pdf = out / "all-qr.pdf", out / "all-none.pdf"
    pages_qr, pages_floor = page_count(qr_pdf), page_count(floor_pdf)
    if pages_qr != n or pages_floor != n:
        raise SystemExit(f"expected {n} pages, found {pages_qr} and {pages_floor}")
    qr_s, floor_s = statistics.median(with_qr), statistics.median(without)
    ratio = qr_s / floor_s
    print(f"    without QR codes (floor): median {floor_s:.2f} s "
          f"(runs: {secs(without)}), {floor_pdf.stat().st_size / 1e6:.1f} MB, {pages_floor} pages")
    print(f"    with QR codes (program):  median {qr_s:.2f} s "
          f"(runs: {secs(with_qr)}), {qr_pdf.stat().st_size / 1e6:.1f} MB, {pages_qr} pages")
    print(f"    ratio {ratio:.2f} (target <= {TARGET_RATIO:.1f}); "
          f"{qr_s / n * 1000:.2f} ms a page, of which QR codes "
          f"{(qr_s - floor_s) / n * 1000:.2f} ms")
    decoded = decode_first_qr(qr_pdf)
    qr_ok = decoded == rows[0]["qr_text"]
    print(f"    page 1's QR code decodes to the certificate's code: "
          f"{'yes' if qr_ok else f'NO ({decoded!r})'}"
          + ("" if decoded is not None else " (pypdfium2 or zxing-cpp missing: not checked)"))

    # reportlab's own widget, for reference
    k = min(WIDGET_PAGES, n)
    print(f"    for reference, reportlab's QrCodeWidget drawn with renderPDF.draw in place of "
          f"the program's QR code: {k} pages ...", flush=True)
    render("widget", rows[:5], "warm-widget.pdf")
    widget_s, _path = render("widget", rows[:k], "widget.pdf")
    widget_est = widget_s * n / k
    widget_ratio = widget_est / floor_s
    print(f"    {k} pages in {widget_s:.2f} s; extrapolated ×{n / k:g} to {n:,} pages: "
          f"{widget_est:.1f} s = {widget_ratio:.0f} × the floor")
    print()

    # (c) Separate files ------------------------------------------------------------------------
    from trainer_app.services.papers import safe_filename

    print(f"(c) {n:,} separate PDF files, one certificate each (write_pdf once per file)",
          flush=True)
    folder = out / "separate"
    folder.mkdir(exist_ok=True)
    each: list[float] = []
    t_all = time.perf_counter()
    for row in rows:
        name = safe_filename(f"结业证书 {row['trainee_name']} {row['serial']}") + ".pdf"
        t0 = time.perf_counter()
        certificates.write_pdf(store, [row], folder / name)
        each.append(time.perf_counter() - t0)
    separate_s = time.perf_counter() - t_all
    files = list(folder.glob("*.pdf"))
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    s = benchlib.summary([x * 1000 for x in each])
    print(f"    {len(files):,} files, {size_mb:.1f} MB in all, in {separate_s:.1f} s: per file "
          f"median {s['median']:.1f} ms, p90 {s['p90']:.1f}, max {s['max']:.1f} ms")
    print(f"    e.g. {sorted(f.name for f in files)[0]}")
    print()

    if opts.profile:
        profile("one render of all pages with QR codes", lambda: render("qr", rows, "profile.pdf"))
        profile(f"{min(100, n)} separate files", lambda: [
            certificates.write_pdf(store, [row], folder / f"profile-{i}.pdf")
            for i, row in enumerate(rows[:100])])

    store.close()
    total_s = time.perf_counter() - t_start

    # The table ----------------------------------------------------------------------------------
    table = [
        (f"Issuing {n:,} certificates (serial, signature, QR text, row)", "—",
         f"{issue_s:.2f} s ({issue_s / n * 1000:.2f} ms each)", None),
        (f"{n:,} certificates into one PDF, with QR codes vs the same pages without",
         f"≤ {TARGET_RATIO:.0f} × the floor",
         f"{qr_s:.2f} s vs {floor_s:.2f} s = {ratio:.2f} ×", ratio <= TARGET_RATIO),
        (f"… for reference: reportlab's QrCodeWidget ({k} pages, extrapolated ×{n / k:g})",
         "—", f"{widget_est:.1f} s = {widget_ratio:.0f} × the floor", None),
        (f"{n:,} separate PDF files, one certificate each", "—",
         f"{separate_s:.1f} s ({s['median']:.1f} ms a file, max {s['max']:.0f} ms)", None),
    ]
    print(f"Whole run: {total_s:.0f} s. Load average at the end: {load()}")
    print()
    print(f"Figures ({dt.date.today().isoformat()}, {machine(short=True)}):")
    print()
    print("| Figure | Target | Measured | Result |")
    print("|---|---|---|---|")
    for figure, target, measured, passed in table:
        verdict = "—" if passed is None else "pass" if passed else "**fail**"
        print(f"| {figure} | {target} | {measured} | {verdict} |")
    return 0 if qr_ok or decoded is None else 1


# -- the station ----------------------------------------------------------------------------------
def build_station(store, n: int, tmp: Path, images: bool) -> str:
    """demo.fill with ``n`` trainees (the station's names, keys, courses and a few classes),
    then one finished class of all of them, every lesson attended; returns the class id."""
    from trainer_app.domain.models import ClassStatus, Course, Lesson, TrainingClass
    from trainer_app.services import classes, courses, demo, station
    from trainer_app.store import records

    demo.fill(store, trainees=n, seed=7, today=ISSUE_DAY)
    if images:
        station.set_image(store, "seal", make_seal(tmp / "seal.png"))
        station.set_image(store, "logo", make_logo(tmp / "logo.png"))
    code, title, category, description = COURSE
    course_id = courses.add(store, Course(code, title, category, description,
                                          hours=4.0 * LESSONS))
    first = ISSUE_DAY - dt.timedelta(days=3 * LESSONS)
    days = [first + dt.timedelta(days=3 * j) for j in range(LESSONS)]
    class_id = classes.create(store, TrainingClass(
        course_id=course_id, title=f"{title}（第1期）", trainer="刘建华",
        place="王坪村电商服务站培训室", start_date=days[0].isoformat(),
        end_date=days[-1].isoformat(), status=ClassStatus.FINISHED,
        lessons=[Lesson(date=d.isoformat(), start_time="09:00", hours=4.0, topic=f"第{j + 1}课")
                 for j, d in enumerate(days)],
    ))
    trainee_ids = [r[0] for r in store.conn.execute(
        "SELECT id FROM trainee WHERE deleted = 0 ORDER BY code LIMIT ?", [n])]
    lesson_ids = [r["id"] for r in classes.lessons(store, class_id)]
    now = "2026-06-30T10:00:00.000+00:00"
    with store.transaction():
        records.insert_many(store, "enrollment",
                            [{"class_id": class_id, "trainee_id": t} for t in trainee_ids])
        records.insert_many(store, "attendance", [
            {"lesson_id": lesson, "trainee_id": t, "status": "present", "recorded_at": now,
             "method": "sheet"}
            for lesson in lesson_ids for t in trainee_ids
        ])
    return class_id


def make_seal(path: Path, size: int = 300) -> Path:
    """A red round seal (ring and five-pointed star) on a transparent background."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    red = (205, 25, 25, 235)
    margin = size * 0.03
    draw.ellipse([margin, margin, size - margin, size - margin], outline=red,
                 width=int(size * 0.04))
    c = size / 2
    draw.polygon([
        (c + size * (0.2 if k % 2 == 0 else 0.08) * math.cos(-math.pi / 2 + k * math.pi / 5),
         c + size * (0.2 if k % 2 == 0 else 0.08) * math.sin(-math.pi / 2 + k * math.pi / 5))
        for k in range(10)
    ], fill=red)
    img.save(path)
    return path


def make_logo(path: Path) -> Path:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    ImageDraw.Draw(img).rounded_rectangle([2, 2, 198, 98], 20, fill=(20, 120, 60, 255))
    img.save(path)
    return path


# -- QR code variants ------------------------------------------------------------------------------
@contextlib.contextmanager
def patched_qr(qr_module, kind: str, real_draw: Callable) -> Iterator[None]:
    """``qr``: the program's own ``trainer_app.pdf.qr.draw``; ``none``: a no-op (the floor);
    ``widget``: reportlab's QrCodeWidget in a Drawing, drawn with renderPDF.draw."""
    replacement = {"qr": real_draw, "none": _no_qr, "widget": _widget_qr}[kind]
    qr_module.draw = replacement
    try:
        yield
    finally:
        qr_module.draw = real_draw


def _no_qr(canvas, text, x, y, size, ec_level="M", quiet_zone=True) -> None:
    return None


def _widget_qr(canvas, text, x, y, size, ec_level="M", quiet_zone=True) -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(text, barLevel=ec_level, barBorder=4 if quiet_zone else 0)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


# -- checks and profile ----------------------------------------------------------------------------
def page_count(path: Path) -> int:
    import pypdf

    return len(pypdf.PdfReader(str(path)).pages)


def decode_first_qr(path: Path) -> str | None:
    """Page 1 rendered with pdfium and its QR code read with zxing-cpp (None: not available)."""
    try:
        import pypdfium2 as pdfium
        import zxingcpp
    except ImportError:
        return None
    doc = pdfium.PdfDocument(str(path))
    try:
        image = doc[0].render(scale=2).to_pil()
    finally:
        doc.close()
    found = [b.text for b in zxingcpp.read_barcodes(image)
             if b.format == zxingcpp.BarcodeFormat.QRCode]
    return found[0] if found else ""


def profile(what: str, fn: Callable[[], object]) -> None:
    print(f"Where the time goes: cProfile over {what} (profiling slows it)")
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats(order).print_stats(22)
        body = text.getvalue().split("ncalls", 1)
        print(f"    by {order}:")
        print(indent("ncalls" + body[1] if len(body) > 1 else text.getvalue(), "      "))
    print()


# -- printing --------------------------------------------------------------------------------------
def secs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def machine(short: bool = False) -> str:
    import importlib.metadata as md

    def version(dist: str) -> str:
        try:
            return md.version(dist)
        except md.PackageNotFoundError:
            return "?"

    libs = f"reportlab {version('reportlab')}, zxing-cpp {version('zxing-cpp')}"
    if short:
        return f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {libs}"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"Machine: {platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}); "
            f"Python {platform.python_version()}, {libs}, SQLite {sqlite3.sqlite_version}; "
            f"load average {load()}")


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "?"


if __name__ == "__main__":
    sys.exit(main())
