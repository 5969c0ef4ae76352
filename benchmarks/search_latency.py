"""Search-as-you-type latency of the real Trainees page, keystroke to model updated.

    python benchmarks/search_latency.py --db PATH [--rounds 5] [--lang zh_CN] [--json]

One process: the program's QApplication (``create_app``), the real ``TraineesPage`` on the
database, shown (offscreen) at the main window's size. Each query is typed into ``page.search``
one keystroke at a time, from an empty box, then erased with Backspace one keystroke at a time:

- ASCII (pinyin, initials, digits): ``QTest.keyClick`` - a real key press/release pair through
  ``QApplication.notify`` into the QLineEdit;
- Chinese characters: a ``QInputMethodEvent`` whose commit string is the character, sent to the
  QLineEdit - what a pinyin input method delivers when the operator picks a character;
- Backspace: ``QTest.keyClick(Qt.Key_Backspace)``.

Both are synchronous: the QLineEdit's textChanged -> page -> model.set_search -> the search ->
beginResetModel/endResetModel -> the view's and the page's slots all run inside the call. A slot
connected to ``model.modelReset`` after the view's and the page's records the moment the reset
has been handled; "keystroke to model updated" is that moment minus the time taken just before
the event was sent. The repaint of the table is not part of it (Qt paints later, from the event
loop); it is reported beside it as "to repainted": the same start to the end of the
``processEvents()`` call right after, which paints the table with the new rows.

The very first keystroke of the session (``w``) is timed apart, after the worker that builds the
in-memory search index (every trainee's search key, read from SQLite once, after the window's
first paint) has finished; the time that took is reported too.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import os
import time

import benchlib

FIRST = "w"


def queries(store) -> list[tuple[str, str]]:
    """(kind, text) typed one keystroke at a time; digits are tails of real trainees' numbers."""
    rows = store.rows(
        "SELECT id_number, phone FROM trainee WHERE deleted = 0 AND phone IS NOT NULL "
        "ORDER BY rowid LIMIT 3 OFFSET 4321"
    )
    return [
        ("name", "王小明"),        # 王, 王小, 王小明
        ("name", "李"),
        ("name", "张伟"),
        ("initials", "wxm"),      # w, wx, wxm
        ("initials", "zh"),
        ("initials", "lyx"),
        ("pinyin", "zhang"),      # z, zh, zha, zhan, zhang
        ("pinyin", "li"),
        ("pinyin", "wangxiaoming"),
        ("village", "张庄"),
        ("village", "柳树沟"),
        ("digits", rows[0]["id_number"][-4:]),  # ID number tail
        ("digits", rows[1]["phone"][-4:]),      # phone tail
        ("digits", rows[2]["id_number"][-6:]),
    ]


WINDOW_SIZE = (1100, 700)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=5, help="times each query is typed")
    parser.add_argument("--lang", default="zh_CN")
    parser.add_argument("--json", action="store_true", help="one JSON line for station.py")
    opts = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    result = measure(Path(opts.db), opts.rounds, opts.lang)
    if opts.json:
        benchlib.emit(result)
    else:
        print(report(result))
    return 0 if result["ok"] else 1


def measure(db: Path, rounds: int, lang: str | None) -> dict:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtTest import QTest

    from trainer_app.ui import app as ui_app
    from trainer_app.ui import fonts, language
    from trainer_app.ui.trainees.page import TraineesPage

    app = ui_app.create_app()
    fonts.install_fallbacks(app)  # as the program has them once its window is painted
    language.apply(lang)
    store = ui_app.open_store(db)
    page = TraineesPage(store)
    page.resize(*WINDOW_SIZE)
    page.show()
    page.activateWindow()
    page.search.setFocus()
    for _ in range(3):
        app.processEvents()
    # After the first paint a worker builds the search index; an operator's first keystroke
    # comes seconds later. Wait for it (the time is reported), then type.
    shown = time.perf_counter()
    while page.index_task is None or not page.index_task.outcome:
        app.processEvents()
        time.sleep(0.001)
    index_ms = (time.perf_counter() - shown) * 1000
    model = page.model
    total_rows = model.rowCount()

    resets: list[float] = []
    model.modelReset.connect(lambda: resets.append(time.perf_counter()))

    def keystroke(char: str | None) -> tuple[float, float]:
        """Send one keystroke (``None``: Backspace); (to model updated, to repainted) in ms."""
        before = len(resets)
        t0 = time.perf_counter()
        if char is None:
            QTest.keyClick(page.search, Qt.Key.Key_Backspace)
        elif char.isascii():
            QTest.keyClick(page.search, char)
        else:
            event = QInputMethodEvent()
            event.setCommitString(char)
            app.sendEvent(page.search, event)
        if len(resets) != before + 1:
            raise RuntimeError(f"keystroke {char!r}: {len(resets) - before} model resets")
        updated = resets[-1] - t0
        app.processEvents()
        painted = time.perf_counter() - t0
        return updated * 1000, painted * 1000

    samples: list[dict] = []
    page.search.clear()
    app.processEvents()
    first_updated, first_painted = keystroke(FIRST)
    first = {"text": FIRST, "rows": model.rowCount(), "updated_ms": first_updated,
             "painted_ms": first_painted, "index_ms": index_ms}
    keystroke(None)
    if page.search.text():
        raise RuntimeError("search box not empty")

    plan = queries(store)
    for _round in range(rounds):
        for kind, text in plan:
            for i, char in enumerate(text):
                updated, painted = keystroke(char)
                if page.search.text() != text[: i + 1]:
                    raise RuntimeError(f"typed {text[: i + 1]!r}, box has {page.search.text()!r}")
                samples.append({"kind": kind, "text": text[: i + 1], "rows": model.rowCount(),
                                "updated_ms": updated, "painted_ms": painted})
            for i in range(len(text), 0, -1):
                updated, painted = keystroke(None)
                samples.append({"kind": "backspace", "text": text[: i - 1],
                                "rows": model.rowCount(), "updated_ms": updated,
                                "painted_ms": painted})
            if page.search.text():
                raise RuntimeError("search box not empty after erasing")

    found = {s["text"]: s["rows"] for s in samples if s["kind"] != "backspace"}
    ok = total_rows > 0 and all(found.get(t, 0) > 0 for t in ("王小明", "wxm", "zhang", "张庄"))
    store.close()
    page.close()
    return {
        "ok": ok,
        "total_rows": total_rows,
        "rounds": rounds,
        "first": first,
        "samples": samples,
        "matches": found,
    }


def stats(result: dict) -> dict[str, dict[str, float]]:
    """Summary of "to model updated" (ms) by kind and overall (first keystroke excluded)."""
    kinds: dict[str, list[float]] = {}
    for s in result["samples"]:
        kinds.setdefault(s["kind"], []).append(s["updated_ms"])
    out = {kind: benchlib.summary(values) for kind, values in kinds.items()}
    out["typing (no backspace)"] = benchlib.summary(
        [s["updated_ms"] for s in result["samples"] if s["kind"] != "backspace"]
    )
    out["overall"] = benchlib.summary([s["updated_ms"] for s in result["samples"]])
    out["overall, to repainted"] = benchlib.summary(
        [s["painted_ms"] for s in result["samples"]]
    )
    return out


def report(result: dict) -> str:
    lines = [
        (f"Search latency on {result['total_rows']:,} trainees, keystroke to model updated "
         f"(ms; {result['rounds']} rounds of every query):"),
        "",
        f"| {'keystrokes':<22} | {'n':>4} | {'median':>7} | {'p90':>7} | {'max':>7} |",
        f"|{'-' * 24}|{'-' * 5}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|",
    ]
    for kind, s in stats(result).items():
        lines.append(
            f"| {kind:<22} | {s['n']:>4} | {s['median']:>7.2f} | {s['p90']:>7.2f} "
            f"| {s['max']:>7.2f} |"
        )
    first = result["first"]
    lines += [
        "",
        (f"Search index built by a worker in {first['index_ms']:.0f} ms after the first paint. "
         f"First keystroke of the session ({first['text']!r}): "
         f"{first['updated_ms']:.1f} ms to model updated, {first['painted_ms']:.1f} ms to "
         f"repainted; {first['rows']:,} rows matched."),
        "Slowest keystrokes (to model updated): "
        + ", ".join(
            f"{s['text'] or '(empty)'!r} {s['updated_ms']:.1f} ms/{s['rows']:,} rows"
            for s in sorted(result["samples"], key=lambda s: -s["updated_ms"])[:5]
        ),
        "Rows found: " + ", ".join(f"{t} {n:,}" for t, n in result["matches"].items()),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
