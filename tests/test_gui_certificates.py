"""Certificates through their real widgets: issue a class's certificates in the dialog, wait for
the background PDF, look at the preview, print it (to a PDF file) and save it; find them in the
register, withdraw and reissue; cancel a long batch; errors of background work reach the user as
a message, never a traceback."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
import time
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton

from tests.earlier_codes import make_earlier
from trainer_app import i18n
from trainer_app.cancel import Cancelled
from trainer_app.services import certificates, classes, demo, trainees
from trainer_app.services.certificates import Verdict
from trainer_app.services.errors import ServiceError
from trainer_app.store import Store
from trainer_app.ui import ask, tasks
from trainer_app.ui.certificates.issue_dialog import IssueDialog, printout_path
from trainer_app.ui.certificates.page import CertificatesPage
from trainer_app.ui.classes.detail import ClassDetail
from trainer_app.ui.pdf_view import PdfPreview, file_name
from trainer_app.ui.tasks import Task, store_task

from .qt_input import type_text

LEFT = Qt.MouseButton.LeftButton
TASK_TIMEOUT = 60_000


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path))
    i18n.set_language("en")
    s = Store(tmp_path / "station.db", create=True)
    demo.fill(s, trainees=60, seed=11)
    yield s
    s.close()


@pytest.fixture
def messages(monkeypatch):
    """Every message box the code opens, answered Yes, recorded as (kind, text)."""
    shown: list[tuple[str, str]] = []

    def record(kind):
        def box(_parent, _title, text, *args, **kwargs):
            shown.append((kind, text))
            return QMessageBox.StandardButton.Yes if kind == "question" else \
                QMessageBox.StandardButton.Ok
        return box

    for kind in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return shown


def finished_class(store: Store) -> tuple[str, list[dict]]:
    """The finished class with the most trainees who completed it, and its report."""
    best: tuple[str, list[dict]] | None = None
    for c in classes.list_all(store):
        if c["status"] != "finished":
            continue
        report = classes.completion_report(store, c["id"])
        done = sum(r["completed"] for r in report)
        if best is None or done > sum(r["completed"] for r in best[1]):
            best = (c["id"], report)
    assert best is not None and any(r["completed"] for r in best[1])
    return best


def wait_task(qtbot, task: Task | None) -> Task:
    assert task is not None
    qtbot.waitUntil(lambda: task.outcome != "", timeout=TASK_TIMEOUT)
    return task


def open_dialog(qtbot, store: Store, class_id: str) -> IssueDialog:
    dialog = IssueDialog(store, class_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def click_issue(qtbot, dialog: IssueDialog) -> Task:
    assert dialog.issue_button.isEnabled()
    qtbot.mouseClick(dialog.issue_button, LEFT)
    return wait_task(qtbot, dialog.printer.task)


def pdf_pages(path: Path) -> int:
    return len(pypdf.PdfReader(str(path)).pages)


# -- issuing through the dialog ------------------------------------------------------------------


def test_issue_dialog_shows_who_is_eligible(qtbot, store):
    class_id, report = finished_class(store)
    dialog = open_dialog(qtbot, store, class_id)
    model = dialog.model
    assert model.rowCount() == len(report)
    eligible = [r["trainee_id"] for r in report if r["completed"]]
    assert sorted(model.picked()) == sorted(eligible)  # all eligible ticked at the start
    for i in range(model.rowCount()):
        row = model.row(i)
        box = model.index(i, 0)
        checkable = bool(model.flags(box) & Qt.ItemFlag.ItemIsUserCheckable)
        assert checkable == row["eligible"]  # no tick box for anyone not eligible
        if not row["eligible"]:
            assert box.data(Qt.ItemDataRole.CheckStateRole) is None
            assert model.index(i, 5).data() == "No"
            reason = model.index(i, 2).data(Qt.ItemDataRole.ToolTipRole)
            assert "attended" in reason and "required" in reason
    # untick everything: nothing to issue
    qtbot.mouseClick(dialog.none_button, LEFT)
    assert model.picked() == [] and not dialog.issue_button.isEnabled()
    qtbot.mouseClick(dialog.all_button, LEFT)
    assert sorted(model.picked()) == sorted(eligible) and dialog.issue_button.isEnabled()
    # a tick box toggled as a user does, through the model's check state
    first = model.row_of(eligible[0])
    assert model.setData(model.index(first, 0), Qt.CheckState.Unchecked.value,
                         Qt.ItemDataRole.CheckStateRole)
    assert eligible[0] not in model.picked()
    if len(eligible) < len(report):
        assert "cannot have one" in dialog.summary.text()


def test_issue_and_print_then_find_in_register(qtbot, store, messages, tmp_path):
    class_id, report = finished_class(store)
    eligible = [r for r in report if r["completed"]]
    dialog = open_dialog(qtbot, store, class_id)
    task = click_issue(qtbot, dialog)
    assert task.outcome == "succeeded", task.error

    result = dialog.result
    assert result is not None and len(result.new_serials) == len(eligible)
    assert not result.refused and messages == []
    preview = dialog.printer.preview
    assert preview is not None and preview.isVisible()
    assert preview.page_count() == len(eligible)
    assert pdf_pages(dialog.printer.path) == len(eligible)
    assert dialog.printer.path.parent == tmp_path / "printouts"
    # the preview shows a rendered page and can move through them
    assert preview.image() is not None and not preview.image().isNull()
    qtbot.mouseClick(preview.next_button, LEFT)
    assert preview.current_page() == 1
    # the dialog now shows each trainee's serial
    serials = {dialog.model.row(i)["serial"] for i in range(dialog.model.rowCount())}
    assert set(result.new_serials) <= serials
    assert "Issued" in dialog.outcome.text()

    page = CertificatesPage(store)
    qtbot.addWidget(page)
    page.show()
    rows = {r["serial"]: r for r in page.model.rows()}
    assert set(result.new_serials) == set(rows)
    status_column = [c[0] for c in page.model.COLUMNS].index("status")
    for i in range(page.model.rowCount()):
        assert page.model.row(i)["status"] == "valid"
        assert page.model.index(i, status_column).data() == "Valid"
    # search by part of a serial, then by name
    one = result.certificates[0]
    page.search.setText(one["serial"][-8:])
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    page.search.setText(one["trainee_name"])
    qtbot.waitUntil(
        lambda: one["serial"] in [r["serial"] for r in page.model.rows()], timeout=3000
    )
    assert all(one["trainee_name"] in r["trainee_name"] for r in page.model.rows())


def test_issuing_again_reprints_the_same_serials(qtbot, store, messages):
    class_id, _report = finished_class(store)
    dialog = open_dialog(qtbot, store, class_id)
    click_issue(qtbot, dialog)
    first = list(dialog.result.new_serials)
    dialog.printer.preview.close()

    again = open_dialog(qtbot, store, class_id)
    shown = [again.model.row(i)["serial"] for i in range(again.model.rowCount())]
    assert set(first) <= set(shown)  # the existing serials are shown before issuing
    assert "already hold" in again.summary.text()
    task = click_issue(qtbot, again)
    assert task.outcome == "succeeded"
    assert again.result.new_serials == []
    assert sorted(again.result.reprinted) == sorted(first)
    assert "Printing again" in again.outcome.text()
    assert len(certificates.register(store)) == len(first)
    assert again.printer.preview.page_count() == len(first)


def test_refused_trainee_is_named_with_the_reason(qtbot, store, messages):
    class_id, report = finished_class(store)
    holder = next(r for r in report if r["completed"])
    trainee = trainees.get(store, holder["trainee_id"])
    trainee.name = "王\U0002b740"  # CJK Extension D: no font of the program has it
    trainees.update(store, holder["trainee_id"], trainee)

    dialog = open_dialog(qtbot, store, class_id)
    task = click_issue(qtbot, dialog)
    assert task.outcome == "succeeded"
    warnings = [text for kind, text in messages if kind == "warning"]
    assert len(warnings) == 1 and "U+2B740" in warnings[0]
    assert len(dialog.result.refused) == 1
    assert dialog.printer.preview.page_count() == len(dialog.result.certificates)


def test_cancel_during_a_long_batch_leaves_no_pdf(qtbot, store, messages, monkeypatch):
    class_id, report = finished_class(store)
    real = certificates.write_pdf

    def slow(store, rows, out, progress=None, cancelled=None):
        def slow_progress(done: int, total: int) -> None:
            time.sleep(0.1)
            progress(done, total)

        return real(store, rows, out, slow_progress, cancelled)

    monkeypatch.setattr(certificates, "write_pdf", slow)
    dialog = open_dialog(qtbot, store, class_id)
    qtbot.mouseClick(dialog.issue_button, LEFT)
    task = dialog.printer.task
    assert task is not None and task.is_running()
    assert task.dialog is None  # no progress window for the first moments
    qtbot.waitUntil(lambda: task.dialog is not None and task.dialog.isVisible(), timeout=5000)
    assert not dialog.issue_button.isEnabled()  # no second batch meanwhile
    qtbot.waitUntil(lambda: task.progress()[0] >= 2, timeout=10_000)
    cancel = task.dialog.findChild(QPushButton)
    qtbot.mouseClick(cancel, LEFT)  # the progress dialog's own Cancel button
    wait_task(qtbot, task)
    assert task.outcome == "cancelled"
    out = dialog.printer.path
    assert out is not None and not out.exists()
    assert list(out.parent.glob("*")) == []  # no temporary file left behind either
    assert dialog.printer.preview is None
    assert messages == []  # cancelling is not an error
    assert dialog.issue_button.isEnabled()
    # the certificates themselves were issued (one quick transaction before the PDF)
    assert len(certificates.register(store)) == len(dialog.result.new_serials)


def test_error_in_the_background_is_shown_not_raised(qtbot, store, messages, monkeypatch):
    class_id, _report = finished_class(store)

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(certificates, "write_pdf", broken)
    dialog = open_dialog(qtbot, store, class_id)
    task = click_issue(qtbot, dialog)
    assert task.outcome == "failed" and isinstance(task.error, RuntimeError)
    assert [kind for kind, _text in messages] == ["critical"]
    assert "Something went wrong" in messages[0][1] and "disk on fire" not in messages[0][1]
    assert dialog.printer.preview is None

    def refused(*args, **kwargs):
        raise ServiceError("The printer folder is full.")

    monkeypatch.setattr(certificates, "write_pdf", refused)
    task = click_issue(qtbot, dialog)
    assert task.outcome == "failed"
    assert messages[-1] == ("warning", "The printer folder is full.")


# -- the register: withdraw, reissue, reprint ----------------------------------------------------


def issued(store: Store) -> list[dict]:
    class_id, _report = finished_class(store)
    return certificates.issue(store, class_id).certificates


def register_page(qtbot, store: Store) -> CertificatesPage:
    page = CertificatesPage(store)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    return page


def issued_in_two_classes(store: Store) -> dict[str, list[str]]:
    """Certificates issued for every finished class someone completed: class id -> serials."""
    found: dict[str, list[str]] = {}
    for c in classes.list_all(store):
        if c["status"] == "finished":
            try:
                result = certificates.issue(store, c["id"])
                found[c["id"]] = [r["serial"] for r in result.certificates]
            except ServiceError:  # no one completed it
                continue
    assert len(found) >= 2
    return found


def test_register_has_a_class_column_and_a_class_filter(qtbot, store):
    issued = issued_in_two_classes(store)
    titles = {c["id"]: c["title"] for c in classes.list_all(store)}
    page = CertificatesPage(store)
    qtbot.addWidget(page)
    page.show()
    class_col = [f for f, _h in page.model.COLUMNS].index("class_title")
    assert page.model.headerData(class_col, Qt.Orientation.Horizontal) == "Class"
    for r in range(page.model.rowCount()):
        row = page.model.row(r)
        assert page.model.index(r, class_col).data() == titles[row["class_id"]]
    # the filter offers the classes with certificates, the latest first
    offered = [page.class_filter.itemData(i) for i in range(page.class_filter.count())]
    assert offered[0] is None and sorted(offered[1:]) == sorted(issued)
    assert page.class_filter.itemText(0) == "All classes"
    page.class_filter.setFocus()
    qtbot.keyClick(page.class_filter, Qt.Key.Key_Down)
    chosen = page.class_filter.currentData()
    assert page.class_filter.currentText().startswith(titles[chosen])
    assert sorted(r["serial"] for r in page.model.rows()) == sorted(issued[chosen])
    n = len(issued[chosen])
    assert page.count.text() == (f"{n} certificate" if n == 1 else f"{n} certificates")
    # with a search and the status filter as well
    type_text(qtbot, page.search, issued[chosen][0])
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.filter.setCurrentIndex(page.filter.findData("withdrawn"))
    assert page.model.rowCount() == 0
    # selecting a certificate of another class shows it, the filters cleared
    other = next(serials for class_id, serials in issued.items() if class_id != chosen)
    page.select(other[0])
    assert page.class_filter.currentData() is None
    assert page.selected_serials() == [other[0]]


def test_withdraw_through_the_page(qtbot, store, messages, monkeypatch):
    cert = issued(store)[0]
    page = register_page(qtbot, store)
    page.select(cert["serial"])
    assert page.selected_serials() == [cert["serial"]]
    assert page.withdraw_button.isEnabled()
    asked: list[str] = []

    def reason(_parent, _title, label):
        asked.append(label)
        return "Issued to the wrong person"

    monkeypatch.setattr(ask, "text", reason)
    changed: list[bool] = []
    page.changed.connect(lambda: changed.append(True))
    qtbot.mouseClick(page.withdraw_button, LEFT)
    assert asked and cert["serial"] in asked[0]
    assert [kind for kind, _text in messages] == ["question"]  # confirmed before withdrawing
    row = page.model.row(page.model.row_of(cert["serial"]))
    assert row["status"] == "withdrawn"
    assert "Issued to the wrong person" in page.model.note(row)
    assert changed == [True]
    assert not page.withdraw_button.isEnabled() and not page.reprint_button.isEnabled()
    for text in (cert["serial"], cert["qr_text"]):
        verdict = certificates.verify(store, text)
        assert verdict.verdict is Verdict.WITHDRAWN
        assert "Issued to the wrong person" in verdict.message
    # the status filter shows it among the withdrawn ones only
    page.filter.setCurrentIndex(page.filter.findData("withdrawn"))
    assert [r["serial"] for r in page.model.rows()] == [cert["serial"]]


def test_withdraw_needs_a_reason_and_a_yes(qtbot, store, messages, monkeypatch):
    cert = issued(store)[0]
    page = register_page(qtbot, store)
    page.select(cert["serial"])
    monkeypatch.setattr(ask, "text", lambda *a: "")
    qtbot.mouseClick(page.withdraw_button, LEFT)
    assert messages[-1][0] == "warning"
    monkeypatch.setattr(ask, "text", lambda *a: "typo")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    qtbot.mouseClick(page.withdraw_button, LEFT)
    assert certificates.get(store, cert["serial"])["status"] == "valid"


def test_reissue_through_the_page_prints_the_new_one(qtbot, store, messages, monkeypatch):
    cert = issued(store)[0]
    page = register_page(qtbot, store)
    page.select(cert["serial"])
    labels: list[str] = []

    def reason(_parent, _title, label):
        labels.append(label)
        return "Name corrected"

    monkeypatch.setattr(ask, "text", reason)
    qtbot.mouseClick(page.reissue_button, LEFT)
    assert "correct the trainee's record" in labels[0]  # told to correct the record first
    task = wait_task(qtbot, page.printer.task)
    assert task.outcome == "succeeded"
    new_serial = page.selected_serials()[0]
    assert new_serial != cert["serial"]
    statuses = {r["serial"]: r["status"] for r in page.model.rows()}
    assert statuses[cert["serial"]] == "replaced" and statuses[new_serial] == "valid"
    assert page.printer.preview.page_count() == 1
    assert certificates.verify(store, cert["serial"]).verdict is Verdict.WITHDRAWN
    assert certificates.verify(store, new_serial).verdict is Verdict.GENUINE


def test_reprint_selected_certificates(qtbot, store, messages):
    certs = issued(store)
    page = register_page(qtbot, store)
    page.table.selectAll()
    assert len(page.selected_rows()) == len(certs)
    qtbot.mouseClick(page.reprint_button, LEFT)
    task = wait_task(qtbot, page.printer.task)
    assert task.outcome == "succeeded"
    assert page.printer.preview.page_count() == len(certs)
    assert len(certificates.register(store)) == len(certs)  # no new serial


def test_reprint_an_earlier_format_certificate_in_the_current_format(qtbot, store, messages):
    certs = issued(store)
    key = certificates.signing_key(store)
    old = make_earlier(store, key, certs[0]["serial"])
    page = register_page(qtbot, store)
    page.select(old["serial"])
    assert "earlier format" in page.model.note(page.selected_rows()[0])
    assert "earlier format" in page.details.text()
    changed: list[bool] = []
    page.changed.connect(lambda: changed.append(True))
    qtbot.mouseClick(page.reprint_button, LEFT)
    task = wait_task(qtbot, page.printer.task)
    assert task.outcome == "succeeded" and page.printer.preview.page_count() == 1
    row = certificates.get(store, old["serial"])
    assert row["qr_text"] == certs[0]["qr_text"]  # current format, same serial and facts
    assert page.selected_serials() == [old["serial"]] and changed == [True]
    assert "earlier format" not in page.model.note(page.selected_rows()[0])
    assert len(certificates.register(store)) == len(certs)  # no new serial
    assert certificates.verify(store, old["qr_text"]).genuine  # the earlier paper stays good


# -- the preview: print and save -----------------------------------------------------------------


@pytest.fixture
def sample_pdf(store, tmp_path) -> tuple[Path, int]:
    certs = issued(store)[:3]
    out = certificates.write_pdf(store, certs, tmp_path / "sample.pdf")
    return Path(out), len(certs)


def test_preview_prints_through_the_print_dialog(qtbot, sample_pdf, tmp_path, monkeypatch):
    path, count = sample_pdf
    preview = PdfPreview(path, "证书.pdf")
    qtbot.addWidget(preview)
    preview.show()
    assert preview.page_count() == count
    printed = tmp_path / "printed.pdf"
    page_range: list[int] = []
    made = PdfPreview.make_printer

    def to_file(self):
        printer = made(self)
        # what a user picks in the system print dialog: a PDF printer, maybe some pages
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        if page_range:
            printer.setPrintRange(QPrinter.PrintRange.PageRange)
            printer.setFromTo(*page_range)
        return printer

    monkeypatch.setattr(PdfPreview, "make_printer", to_file)
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    qtbot.mouseClick(preview.print_button, LEFT)
    task = wait_task(qtbot, preview.print_task)
    assert task.outcome == "succeeded", task.error
    reader = pypdf.PdfReader(str(printed))
    assert len(reader.pages) == count
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape, as the certificate
    assert "3 pages" in preview.status.text()

    page_range[:] = [2, 3]
    qtbot.mouseClick(preview.print_button, LEFT)
    wait_task(qtbot, preview.print_task)
    assert len(pypdf.PdfReader(str(printed)).pages) == 2

    # cancelling the system dialog prints nothing
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    before = preview.print_task
    qtbot.mouseClick(preview.print_button, LEFT)
    assert preview.print_task is before


def test_preview_saves_a_copy(qtbot, sample_pdf, tmp_path, monkeypatch):
    path, _count = sample_pdf
    preview = PdfPreview(path, "开设网店 证书.pdf")
    qtbot.addWidget(preview)
    offered: list[str] = []

    def choose(_parent, _title, start, _filter, *args, **kwargs):
        offered.append(start)
        return str(tmp_path / "copy"), ""

    monkeypatch.setattr("trainer_app.ui.pdf_view.QFileDialog.getSaveFileName", choose)
    qtbot.mouseClick(preview.save_button, LEFT)
    assert offered[0].endswith("开设网店 证书.pdf")  # the caller's default name
    assert (tmp_path / "copy.pdf").read_bytes() == path.read_bytes()
    assert preview.saved_to == tmp_path / "copy.pdf"


def test_preview_zoom_and_navigation(qtbot, sample_pdf):
    path, count = sample_pdf
    preview = PdfPreview(path)
    qtbot.addWidget(preview)
    preview.show()
    assert not preview.prev_button.isEnabled()
    preview.set_zoom(1.0)
    width_100 = preview.image().width() / preview.image().devicePixelRatio()
    preview.set_zoom(2.0)
    width_200 = preview.image().width() / preview.image().devicePixelRatio()
    assert width_200 == pytest.approx(2 * width_100, abs=2)
    preview.page_box.setValue(count)
    assert preview.current_page() == count - 1 and not preview.next_button.isEnabled()


def test_file_names_are_valid_on_windows():
    assert file_name('证书: 王/李 "A"?') == "证书_ 王_李 _A__.pdf"
    assert file_name("CON") == "_CON.pdf"
    assert file_name("开设网店（第1期）. ") == "开设网店（第1期）.pdf"
    assert printout_path("班级").name.startswith("班级 ")


# -- the task runner -----------------------------------------------------------------------------


def test_task_reports_progress_and_result_on_the_ui_thread(qtbot):
    seen: list[tuple[int, int, bool]] = []
    ui_thread = threading.get_ident()

    def work(progress, cancelled):
        for i in range(3):
            progress(i + 1, 3)
        return threading.get_ident()

    task = Task(work, "Counting")
    task.progressed.connect(lambda d, t: seen.append((d, t, threading.get_ident() == ui_thread)))
    with qtbot.waitSignal(task.succeeded, timeout=5000) as signal:
        task.start()
    assert signal.args[0] != ui_thread  # the work ran on a worker thread
    assert seen == [(1, 3, True), (2, 3, True), (3, 3, True)]
    assert task.dialog is None  # quick work never shows a progress window


def test_task_reports_an_exception_as_a_signal(qtbot):
    task = Task(lambda progress, cancelled: 1 / 0, "Dividing")
    with qtbot.waitSignal(task.failed, timeout=5000) as signal:
        task.start()
    assert isinstance(signal.args[0], ZeroDivisionError)
    assert task.outcome == "failed" and not task.is_running()


def test_store_task_opens_its_own_store(qtbot, store):
    def work(worker_store, progress, cancelled):
        assert worker_store is not store and worker_store.path == store.path
        return len(certificates.eligibility(worker_store, finished_class(worker_store)[0]))

    task = store_task(store.path, work)
    with qtbot.waitSignal(task.succeeded, timeout=10_000) as signal:
        task.start()
    assert signal.args[0] == len(finished_class(store)[1])


def test_cancelled_task_reports_cancelled(qtbot, monkeypatch):
    monkeypatch.setattr(tasks, "SHOW_AFTER_MS", 0)

    def work(progress, cancelled):
        for _i in range(500):
            if cancelled():
                raise Cancelled
            time.sleep(0.01)
        return "done"

    task = Task(work, "Waiting", show_after_ms=50)
    task.start()
    qtbot.waitUntil(lambda: task.dialog is not None, timeout=5000)
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        task.cancel()
    assert task.outcome == "cancelled" and task.dialog is None


def test_a_real_error_after_cancel_is_still_shown(qtbot, monkeypatch):
    def work(progress, cancelled):
        for _i in range(500):
            if cancelled():
                raise OSError("disk full")
            time.sleep(0.01)
        return "done"

    task = Task(work, "Waiting", show_after_ms=50)
    task.start()
    qtbot.waitUntil(lambda: task.dialog is not None, timeout=5000)
    with qtbot.waitSignal(task.failed, timeout=5000):
        task.cancel()
    assert task.outcome == "failed" and isinstance(task.error, OSError)


# -- from the Classes section --------------------------------------------------------------------


def test_class_detail_opens_the_issue_dialog(qtbot, store, monkeypatch):
    class_id, _report = finished_class(store)
    detail = ClassDetail(store)
    qtbot.addWidget(detail)
    detail.show()
    detail.set_class(class_id)
    opened: list[IssueDialog] = []
    monkeypatch.setattr(IssueDialog, "exec", lambda self: opened.append(self) or 0)
    assert detail.certificates_button.isVisible()
    qtbot.mouseClick(detail.certificates_button, LEFT)
    assert len(opened) == 1 and opened[0].model.rowCount() > 0

def test_old_printouts_are_tidied(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path))
    folder = tmp_path / "printouts"
    folder.mkdir()
    old, recent, temp = folder / "old.pdf", folder / "recent.pdf", folder / ".x.pdf.ab12.tmp"
    for path in (old, recent, temp):
        path.write_bytes(b"%PDF-")
    long_ago = time.time() - 40 * 86400
    os.utime(old, (long_ago, long_ago))
    os.utime(temp, (time.time() - 2 * 86400,) * 2)
    printout_path("班级")
    assert not old.exists() and not temp.exists() and recent.exists()
