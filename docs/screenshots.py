"""Make the README's pictures from the real program: a demo station in Chinese.

    QT_QPA_PLATFORM=offscreen python docs/screenshots.py

Writes docs/images/*.png (screens grabbed from the real widgets; papers rendered from the PDFs
the program writes) and the smaller pictures of the program's manual, resources/manual/images/.
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


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="trainer-shots-"))
    os.environ["TRAINER_APP_HOME"] = str(home)
    import pypdfium2 as pdfium
    from PySide6.QtCore import Qt
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
    MANUAL.mkdir(parents=True, exist_ok=True)

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
        shot = window.grab()
        shot.save(str(OUT / f"screen-{name}.png"))
        if name in MANUAL_PICTURES:
            shot.scaledToWidth(MANUAL_WIDTH, Qt.TransformationMode.SmoothTransformation).save(
                str(MANUAL / f"{name}.png"))

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
