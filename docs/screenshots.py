"""Make the README's pictures from the real program: a demo station in Chinese, and a county
built from three demo stations' real bundles (its Overview and a report).

    QT_QPA_PLATFORM=offscreen python docs/screenshots.py

Writes docs/images/*.png (screens grabbed from the real widgets; papers rendered from the PDFs
the program writes) and the smaller pictures of the program's manual: resources/manual/images/
for the Chinese manual, resources/manual/images/en/ (the same screens in English) for the
English one.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "images"
MANUAL = ROOT / "resources" / "manual" / "images"
MANUAL_PICTURES = ("trainees", "classes", "attendance", "certificates", "sync")
MANUAL_WIDTH = 560


def _import_preview(store, home: Path) -> None:
    """The import dialog's preview of a committee's list (title row, an unknown header mapped by
    hand, a duplicate, an ID number Excel stored as a number)."""
    from PySide6.QtWidgets import QApplication

    from tests.sheets import committee_xlsx
    from trainer_app.ui.trainees.import_dialog import ImportDialog

    path = committee_xlsx(home / "王坪村报名表.xlsx", extra=[
        [5, "王小明", "", "41102519900307137X", "", "", "王坪村", "", "", "", ""],
        [6, "钱多", "", "410102199901011234", "1999-01-01", "1381234", "王坪村", "", "", "", ""],
        [7, "孙强", "男", 411025199003071000, "", "", "王坪村", "", "", "", ""],
    ])
    dialog = ImportDialog(store, path)
    dialog.show()
    while dialog.task.is_running():
        QApplication.processEvents()
    dialog.mapping_step.set_field(dialog.sheet.rows[dialog.header].index("住址"), "village")
    dialog.make_preview()
    while dialog.task.is_running():
        QApplication.processEvents()
    for _ in range(5):
        QApplication.processEvents()
    dialog.grab().save(str(OUT / "screen-import.png"))
    dialog.close()


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="trainer-shots-"))
    os.environ["TRAINER_APP_HOME"] = str(home)
    import pypdfium2 as pdfium
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from trainer_app.services import certificates, classes, demo, papers
    from trainer_app.store import Store
    from trainer_app.ui import fonts, language
    from trainer_app.ui.app import create_app
    from trainer_app.ui.main_window import MainWindow

    app = create_app()
    fonts.install_fallbacks(app)  # the program registers them once its window is painted
    language.apply("zh_CN")
    store = Store(home / "station.db", create=True)
    demo.fill(store, trainees=300, seed=7)
    OUT.mkdir(parents=True, exist_ok=True)
    MANUAL.mkdir(parents=True, exist_ok=True)

    finished = next(c for c in classes.list_all(store) if c["status"] == "finished")
    issued = certificates.issue(store, finished["id"])

    window = MainWindow(store)
    window.resize(1200, 720)
    window.show()
    sections = ("trainees", "courses", "classes", "attendance", "certificates", "sync")
    for name in sections:
        window.show_section(name)
        for _ in range(5):
            QApplication.processEvents()
        shot = window.grab()
        shot.save(str(OUT / f"screen-{name}.png"))
        if name in MANUAL_PICTURES:
            shot.scaledToWidth(MANUAL_WIDTH, Qt.TransformationMode.SmoothTransformation).save(
                str(MANUAL / f"{name}.png"))
    language.apply("en")
    (MANUAL / "en").mkdir(exist_ok=True)
    for name in MANUAL_PICTURES:
        window.show_section(name)
        for _ in range(5):
            QApplication.processEvents()
        window.grab().scaledToWidth(MANUAL_WIDTH, Qt.TransformationMode.SmoothTransformation) \
            .save(str(MANUAL / "en" / f"{name}.png"))
    language.apply("zh_CN")
    county_screens(home)

    _import_preview(store, home)

    pdf = home / "certificates.pdf"
    certificates.write_pdf(store, issued.certificates[:1], pdf)
    lesson = classes.lessons(store, finished["id"])[0]
    sheet = papers.sign_in_sheet(store, lesson["id"], home / "sheet.pdf")
    for source, name in ((pdf, "certificate"), (sheet, "sign-in-sheet")):
        page = pdfium.PdfDocument(str(source))[0]
        page.render(scale=1.4).to_pil().save(OUT / f"{name}.png")
    window.close()
    store.close()
    app.quit()
    print(f"wrote {', '.join(sorted(p.name for p in OUT.glob('*.png')))}")


def county_screens(home: Path) -> None:
    """The county's Overview and its by-station report over the demo stations' year."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from trainer_app.domain.models import Course
    from trainer_app.services import certificates, classes, courses, demo
    from trainer_app.store import Store
    from trainer_app.sync import exchange, site
    from trainer_app.ui.main_window import MainWindow

    county = Store(home / "county.db", create=True)
    site.setup_county(county, "XC", demo.COUNTY_NAME)
    for code, title, category, description, hours in demo.COURSES:
        courses.add(county, Course(code, title, category, description, float(hours)))
    (home / "usb").mkdir()
    for code, name, seed in (("WP01", "王坪村电商服务站", 1), ("ZZ02", "张庄村电商服务站", 2),
                             ("LJ03", "李家湾村电商服务站", 3)):
        station = Store(home / f"{code}.db", create=True)
        site.setup_station(station, site.write_pack(county, code, home / f"{code}.trpack",
                                                    station_name=name))
        demo.fill(station, trainees=120, seed=seed)
        for row in classes.list_all(station):
            if row["status"] == "finished":
                certificates.issue(station, row["id"])
        exchange.import_file(county, exchange.export(station, home / "usb")[0])
        exchange.approve(county, code)
        station.close()

    def settle(page) -> None:
        while page.task is not None:
            loop = QEventLoop()
            page.task.ended.connect(loop.quit)
            QTimer.singleShot(30_000, loop.quit)
            loop.exec()
        for _ in range(5):
            QApplication.processEvents()

    window = MainWindow(county)
    window.resize(1200, 720)
    window.show()
    overview = window.show_section("overview")  # the default period: this year
    settle(overview)
    window.grab().save(str(OUT / "screen-overview.png"))
    reports_page = window.show_section("reports")
    settle(reports_page)
    reports_page.show_report("by-station", overview.filters.filters())
    settle(reports_page)
    window.grab().save(str(OUT / "screen-report.png"))
    window.close()
    county.close()


if __name__ == "__main__":
    main()
