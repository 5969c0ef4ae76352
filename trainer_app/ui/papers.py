"""Printing the station's papers from the screens: a sign-in sheet for a lesson, trainee cards,
a class roster, a class summary.

Each action writes the PDF in the background (a progress dialog with Cancel appears only when it
takes a while), into ``papers/`` in the data folder under a readable name, then opens the print
preview (Print…, Save as…). Call sites are one line::

    papers.sign_in_sheet(store, lesson_id, parent=self)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from trainer_app import paths
from trainer_app.i18n import N_, _
from trainer_app.services import papers as service
from trainer_app.store import Store
from trainer_app.ui.errors import show_error
from trainer_app.ui.pdf_view import PdfPreview
from trainer_app.ui.tasks import Task, store_task

# kind -> what the progress dialog says while the paper is written
LABELS = {
    "sign_in_sheet": N_("Writing the sign-in sheet…"),
    "cards": N_("Writing the trainee cards…"),
    "roster": N_("Writing the class roster…"),
    "summary": N_("Writing the class summary…"),
}

_running: dict[tuple[str, str], Task] = {}  # one job per paper at a time (no double clicks)


def output_folder() -> Path:
    """Where papers are written before they are printed or saved elsewhere."""
    folder = paths.data_dir() / "papers"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _free_path(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name (2)``… when that file is held open by another program (on
    Windows a PDF open in a reader cannot be replaced)."""
    target = folder / name
    stem, suffix = target.stem, target.suffix
    n = 1
    while target.exists():
        try:
            with target.open("r+b"):
                return target
        except OSError:
            n += 1
            target = folder / f"{stem} ({n}){suffix}"
    return target


def _write(kind: str, key: str, trainee_ids: list[str] | None):
    """The work run off the UI thread with its own store: name the file, write the paper."""

    def work(store: Store, progress, cancelled) -> Path:
        out = _free_path(output_folder(), service.suggested_name(store, kind, key))
        if kind == "sign_in_sheet":
            return service.sign_in_sheet(store, key, out, progress, cancelled)
        if kind == "cards":
            return service.trainee_cards(store, key, out, trainee_ids, progress, cancelled)
        if kind == "roster":
            return service.roster(store, key, out, progress, cancelled)
        if kind == "summary":
            return service.class_summary(store, key, out, progress, cancelled)
        raise ValueError(kind)

    return work


def produce(
    store: Store,
    kind: str,
    key: str,
    parent: QWidget | None = None,
    trainee_ids: Iterable[str] | None = None,
    preview: bool = True,
) -> Task | None:
    """Write paper ``kind`` (one of ``services.papers.KINDS``) for lesson or class ``key`` in
    the background, then open the preview. Returns the running task (None when the same paper
    is already being written)."""
    if kind not in LABELS:
        raise ValueError(kind)
    job = (kind, key)
    if job in _running and _running[job].is_running():
        return None
    ids = list(trainee_ids) if trainee_ids is not None else None
    task = store_task(store.path, _write(kind, key, ids), _(LABELS[kind]), parent)
    task.failed.connect(lambda exc: show_error(parent, exc))
    if preview:
        task.succeeded.connect(lambda path: open_preview(Path(path), kind, parent))
    task.ended.connect(lambda: _running.pop(job, None))
    _running[job] = task
    task.start()
    return task


def open_preview(path: Path, kind: str, parent: QWidget | None = None) -> None:
    """Show a written paper with Print… and Save as… (modal)."""
    dialog = PdfPreview(path, os.path.basename(path), service.kind_label(kind), parent)
    dialog.exec()
    dialog.deleteLater()


# -- one call per paper ---------------------------------------------------------------------------
def sign_in_sheet(store: Store, lesson_id: str, parent: QWidget | None = None) -> Task | None:
    return produce(store, "sign_in_sheet", lesson_id, parent)


def trainee_cards(
    store: Store, class_id: str, parent: QWidget | None = None,
    trainee_ids: Iterable[str] | None = None,
) -> Task | None:
    """Cards for ``trainee_ids`` (in that order), or for everyone enrolled in the class."""
    return produce(store, "cards", class_id, parent, trainee_ids)


def roster(store: Store, class_id: str, parent: QWidget | None = None) -> Task | None:
    return produce(store, "roster", class_id, parent)


def class_summary(store: Store, class_id: str, parent: QWidget | None = None) -> Task | None:
    return produce(store, "summary", class_id, parent)
