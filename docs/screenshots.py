"""Make the README's pictures from the real program: a demo station in Chinese.

    QT_QPA_PLATFORM=offscreen python docs/screenshots.py

Writes docs/images/*.png (screens grabbed from the real widgets; papers rendered from the PDFs
the program writes).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "images"


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
    from PySide6.QtWidgets import QApplication

    from trainer_app.services import certificates, classes, demo, papers
    from trainer_app.store import Store
    from trainer_app.ui import language
    from trainer_app.ui.app import create_app
    from trainer_app.ui.main_window import MainWindow

    app = create_app()
    language.apply("zh_CN")
    store = Store(home / "station.db", create=True)
    demo.fill(store, trainees=300, seed=7)
    OUT.mkdir(parents=True, exist_ok=True)

    finished = next(c for c in classes.list_all(store) if c["status"] == "finished")
    issued = certificates.issue(store, finished["id"])

    window = MainWindow(store)
    window.resize(1200, 720)
    window.show()
    sections = ("trainees", "courses", "classes", "attendance", "certificates", "sync")
    for index, name in enumerate(sections):
        window.tabs.setCurrentIndex(index)
        for _ in range(5):
            QApplication.processEvents()
        window.grab().save(str(OUT / f"screen-{name}.png"))

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


if __name__ == "__main__":
    main()
