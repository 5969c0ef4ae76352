"""Which language the program speaks: Chinese first, the menu's choice remembered, and papers
made from the command line in the language chosen in the program, not the shell's."""

from __future__ import annotations

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from pypdf import PdfReader

from trainer_app import i18n
from trainer_app.cli import main
from trainer_app.services import demo
from trainer_app.store import Store
from trainer_app.ui import language
from trainer_app.ui.main_window import MainWindow

LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def system_with(monkeypatch, **env: str) -> str:
    for name in LOCALE_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return i18n.system_language()


def test_chinese_unless_the_system_asks_for_english(monkeypatch):
    assert system_with(monkeypatch, LANG="C.UTF-8") == "zh_CN"  # no language set
    assert system_with(monkeypatch, LANG="C") == "zh_CN"
    assert system_with(monkeypatch, LANG="fr_FR.UTF-8") == "zh_CN"
    assert system_with(monkeypatch, LANG="de_DE.UTF-8", LC_ALL="C.UTF-8") == "zh_CN"
    assert system_with(monkeypatch, LANG="en_US.UTF-8") == "en"
    assert system_with(monkeypatch, LANG="zh_TW.UTF-8") == "zh_CN"
    assert system_with(monkeypatch, LANGUAGE="en_GB:zh_CN", LANG="C.UTF-8") == "en"


def test_the_menu_choice_is_remembered_for_the_next_start(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert i18n.saved_language() is None
    language.apply(None)
    assert i18n.language() == "en"
    store = Store(tmp_path / "station.db", create=True)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.language_actions["zh_CN"].trigger()
    assert i18n.saved_language() == "zh_CN"
    i18n.set_language("en")
    assert i18n.set_language(None) == "zh_CN"  # the next start, the shell still says English
    language.apply("en")
    window.close()
    store.close()


def test_cli_papers_follow_the_programs_language(qtbot, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path))
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    db = tmp_path / "station.db"
    store = Store(db, create=True)
    demo.fill(store, trainees=20, seed=5)
    store.close()
    language.apply("en", remember=True)  # chosen in the program's menu
    assert main(["--db", str(db), "classes", "list", "--json"]) == 0
    finished = next(c for c in json.loads(capsys.readouterr().out)
                    if c["status"] == "finished")
    out = tmp_path / "summary.pdf"
    assert main(["--db", str(db), "papers", "summary", "--class", finished["id"],
                 "--out", str(out)]) == 0
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Class summary" in text and "培训班汇总表" not in text
