"""Every dialog fits in the main window's default size, in Chinese and in English: long
explanations wrap instead of pushing OK and Cancel off the screen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from trainer_app.services import certificates, classes, courses, demo, trainees
from trainer_app.store import Store
from trainer_app.ui import ask, language
from trainer_app.ui.main_window import MainWindow

LANGS = ("zh_CN", "en")


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "station.db", create=True)
    demo.fill(s, trainees=40, seed=7)
    yield s
    s.close()


@pytest.fixture
def default_size(qtbot, store):
    window = MainWindow(store)
    qtbot.addWidget(window)
    size = window.size()
    window.close()
    return size


def finished_class(store: Store) -> dict:
    return next(c for c in classes.list_all(store) if c["status"] == "finished")


def dialogs(store: Store, tmp_path) -> dict[str, QDialog]:
    from trainer_app.services import papers as paper_service
    from trainer_app.ui.certificates.issue_dialog import IssueDialog
    from trainer_app.ui.certificates.page import reissue_question
    from trainer_app.ui.classes.form import ClassForm
    from trainer_app.ui.classes.lesson_dialog import LessonDialog
    from trainer_app.ui.county.add_station import AddStationDialog
    from trainer_app.ui.county.approve import ApproveDialog
    from trainer_app.ui.county.rekey import RekeyDialog
    from trainer_app.ui.county.settings import CountySettingsDialog
    from trainer_app.ui.courses.form import CourseForm
    from trainer_app.ui.help import HelpDialog
    from trainer_app.ui.pdf_view import PdfPreview
    from trainer_app.ui.station_settings import StationSettingsDialog
    from trainer_app.ui.sync.rebuild_dialog import RebuildDialog
    from trainer_app.ui.trainee_picker import TraineePicker
    from trainer_app.ui.trainees.form import TraineeForm
    from trainer_app.ui.verify_dialog import VerifyDialog

    cls = finished_class(store)
    lesson = classes.lessons(store, cls["id"])[0]
    trainee = trainees.search(store, "")[0]
    course = courses.list_all(store)[0]
    pdf = paper_service.class_summary(store, cls["id"], tmp_path / "summary.pdf")
    certificates.issue(store, cls["id"])
    return {
        "trainee form (new)": TraineeForm(store),
        "trainee form (edit)": TraineeForm(store, trainee["id"]),
        "course form": CourseForm(store, course["id"]),
        "class form (new)": ClassForm(store),
        "class form (edit)": ClassForm(store, cls["id"]),
        "lesson": LessonDialog(store, cls, lesson),
        "issue certificates": IssueDialog(store, cls["id"]),
        "trainee picker": TraineePicker(store),
        "pdf preview": PdfPreview(pdf),
        "station settings": StationSettingsDialog(store),
        "verify": VerifyDialog(store),
        "manual": HelpDialog(),
        "about": HelpDialog(store.path),
        "add station": AddStationDialog(store),
        "approve station": ApproveDialog({"code": "WP01", "name": "王坪村电商服务站",
                                          "fingerprint": "ab" * 16}),
        "new PC for a station": RekeyDialog({"code": "WP01", "name": "王坪村电商服务站",
                                             "waiting_keys": [
            {"fingerprint": "3F2A-91C0-7B4D-0E11-AB12-CD34-EF56-7890", "via": ["file"],
             "first_at": "2026-12-03T08:00:00+00:00", "bundles": 1}]}),
        "rebuild this station": RebuildDialog(store),
        "county settings": CountySettingsDialog(),
        "reissue reason": ask.text_dialog(
            None, "Reissue certificate", reissue_question("WP01-2026-000123-K", "王小明")),
    }


@pytest.mark.parametrize("lang", LANGS)
def test_every_dialog_fits_the_main_window(qtbot, store, default_size, tmp_path, lang):
    language.apply(lang)
    try:
        too_big = []
        for name, dialog in dialogs(store, tmp_path).items():
            qtbot.addWidget(dialog)
            hint = dialog.sizeHint().expandedTo(dialog.minimumSizeHint())
            if hint.width() > default_size.width() or hint.height() > default_size.height():
                too_big.append(f"{name}: {hint.width()}×{hint.height()}")
        assert not too_big, f"wider or taller than {default_size.toTuple()} in {lang}: {too_big}"
    finally:
        language.apply("en")


def test_a_question_that_removes_something_defaults_to_no(qtbot, store):
    """Enter on the question keeps the records: the trainees page's Remove, then the helper
    every removing, withdrawing or cancelling question goes through."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import Qt

    from trainer_app.ui.trainees.page import TraineesPage

    seen: list[bool] = []

    def press_enter() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.defaultButton() is box.button(QMessageBox.StandardButton.No))
        qtbot.keyClick(box, Qt.Key.Key_Return)

    page = TraineesPage(store)
    qtbot.addWidget(page)
    page.table.selectRow(0)
    before = page.model.total()
    QTimer.singleShot(50, press_enter)
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert page.model.total() == before and seen == [True]

    QTimer.singleShot(50, press_enter)
    assert ask.confirm(None, "Remove trainee", "Remove 王小明 from the register?") is False
    assert seen == [True, True]


def test_empty_tables_say_what_to_do(qtbot, tmp_path, store):
    from trainer_app.ui.certificates.page import CertificatesPage
    from trainer_app.ui.classes.page import ClassesPage
    from trainer_app.ui.trainees.page import TraineesPage

    empty = Store(tmp_path / "empty.db", create=True)
    try:
        pages = [TraineesPage(empty), ClassesPage(empty), CertificatesPage(empty)]
        for page in pages:
            qtbot.addWidget(page)
            page.resize(900, 500)
            page.show()
        hints = [page.empty_hint for page in pages]
        assert all(h.isVisible() for h in hints)
        assert "Register…" in hints[0].text() and "New class…" in hints[1].text()
        assert "Issue certificates" in hints[2].text()
        language.apply("zh_CN")
        assert "登记" in hints[0].text()
    finally:
        language.apply("en")
        for page in pages:
            page.close()
        empty.close()
    # a search that finds no one says so; a table with rows shows no hint
    page = TraineesPage(store)
    qtbot.addWidget(page)
    page.show()
    assert not page.empty_hint.isVisible()
    qtbot.keyClicks(page.search, "qqqzzz")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert page.empty_hint.isVisible() and "qqqzzz" in page.empty_hint.text()


@pytest.mark.parametrize("lang", LANGS)
def test_class_list_dates_are_not_clipped_and_more_than_five_classes_show(qtbot, store, lang):
    language.apply(lang)
    try:
        window = MainWindow(store)
        qtbot.addWidget(window)
        window.show()
        window.tabs.setCurrentIndex(2)
        page = window.classes
        qtbot.waitUntil(lambda: page.model.rowCount() > 0)
        QApplication.processEvents()
        table, model = page.table, page.model
        column = [f for f, _h in model.COLUMNS].index("start_date")
        metrics = table.fontMetrics()
        for row in range(model.rowCount()):
            text = model.index(row, column).data()
            assert metrics.horizontalAdvance(text) + 8 <= table.columnWidth(column), text
        assert table.viewport().height() // table.rowHeight(0) >= 7
    finally:
        language.apply("en")
