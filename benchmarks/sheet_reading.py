"""Sheet reading figures: one signed sign-in sheet page photographed at 12 megapixels and
scanned at 300 dpi, each read whole (codes, page fit, every signature cell judged) next to
decoding the same image's QR codes alone with zxing-cpp in the same run: the floor.

    python benchmarks/sheet_reading.py [--runs 5]

The images come from the test set's generator (tests/sheet_samples.py) with a fixed seed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import random
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TRAINER_APP_HOME"] = folder
        import zxingcpp

        from tests import sheet_samples
        from trainer_app.services import demo, papers
        from trainer_app.sheets import reader
        from trainer_app.store import Store
        from trainer_app.store import classes as classes_q

        store = Store(Path(folder) / "station.db", create=True)
        demo.fill(store, trainees=60, seed=1)
        lesson = classes_q.all_lessons(store)[0]["id"]
        record = papers.sign_in_sheet_record(store, lesson)
        page = sheet_samples.render_pages(papers.sign_in_sheet(store, lesson,
                                                               Path(folder) / "s.pdf"))[0]
        code = sheet_samples.page_code_of(page)
        rng = random.Random(2026)
        sheet_samples.sign_page(rng, page, [r.code for r in record.rows][:code.trainee_rows])
        images = {
            "phone photo, 12 MP": sheet_samples.photograph(rng, page.copy(), 12)[0],
            "scan, 300 dpi": sheet_samples.scan(rng, page.copy(), 300)[0],
        }
        print(f"{'image':<22}{'size':>12}{'rows':>6}{'QR codes alone':>17}{'whole page':>13}"
              f"{'ratio':>7}")
        for name, image in images.items():
            image.load()
            floor, whole = [], []
            rows = 0
            for _ in range(args.runs):
                t = time.perf_counter()
                zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
                floor.append(time.perf_counter() - t)
                t = time.perf_counter()
                rows = len(reader.read_page(image).rows)
                whole.append(time.perf_counter() - t)
            f, w = statistics.median(floor), statistics.median(whole)
            print(f"{name:<22}{image.width:>6}×{image.height:<5}{rows:>6}{f * 1000:>14.0f} ms"
                  f"{w * 1000:>10.0f} ms{w / f:>6.1f}×")
        store.close()


if __name__ == "__main__":
    main()
