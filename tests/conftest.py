"""Fixtures shared by the test modules: stores on temporary files, never the user's data."""

from __future__ import annotations

import pytest

from trainer_app.services import demo
from trainer_app.store import Store


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Point the user data folder at a temporary one, so no test touches a user's files."""
    monkeypatch.setenv("TRAINER_APP_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(autouse=True)
def _no_window_outlives_its_test():
    """Delete every window a test left behind before the next test starts.

    A window whose database was closed at the end of its test would otherwise still receive
    the next test's language switch and re-read its strings from a closed database.
    """
    yield
    import sys

    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    for widget in app.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def store(tmp_path):
    """A fresh, empty station database in a temporary folder."""
    s = Store(tmp_path / "station.db", create=True)
    yield s
    s.close()


@pytest.fixture
def demo_store(store):
    """A demo station of 60 trainees, the same every run."""
    demo.fill(store, trainees=60, seed=1)
    return store
