"""The station's side of Sync: link to the county with its pack, send bundles (to a USB stick
or any folder), upload them to the county hub, import the county's bundle, and the history of
the bundles sent."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app import cancel
from trainer_app.domain import bundle_numbers
from trainer_app.i18n import _
from trainer_app.store import Store
from trainer_app.sync import exchange, site, upload
from trainer_app.sync import export as exporting
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.sync import drives, prefs
from trainer_app.ui.sync.demo_question import link_asking
from trainer_app.ui.sync.fingerprint import fingerprint_groups, fingerprint_label
from trainer_app.ui.sync.history_model import BundleHistoryModel
from trainer_app.ui.sync.import_panel import bundle_filter
from trainer_app.ui.sync.importer import Batch, Importer
from trainer_app.ui.sync.kinds import counts_text
from trainer_app.ui.sync.report_model import reason_label, status_label
from trainer_app.ui.tables import EmptyHint, configure_table
from trainer_app.ui.tasks import Task, store_task

DRIVES_POLL_MS = 3000  # look for USB sticks plugged in while the page is shown
PACK_SUFFIX = site.PACK_SUFFIX


class ExportCancelled(cancel.Cancelled):
    """Raised inside the export when the user cancels; nothing is written or recorded."""


def written_again_text(again: list[tuple[Path, dict]]) -> str:
    """Bundles written again before a new one (the county lost them)."""
    return _("Bundles {numbers} were written again too (the county had lost them): take them "
             "as well.").format(numbers=bundle_numbers.text(
                 bundle_numbers.runs(m["seq"] for _p, m in again)))


def upload_line(result: upload.UploadResult) -> str:
    says = {
        "applied": _("received and applied by the county"),
        "duplicate": _("the county had it already"),
        "pending": _("received; the county applies it once it approves this station"),
    }.get(result.status)
    if says is None:
        says = result.message or result.status
    return _("Bundle {seq} ({file}): {says}").format(seq=result.seq, file=result.file, says=says)


class StationPanel(Retranslating, QWidget):
    changed = Signal()  # the county's pack or bundle changed records here (catalog, ...)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._status: dict = {}
        self._drives: list[drives.Drive] = []
        self.export_task: Task | None = None
        self.upload_task: Task | None = None
        self.last_export: tuple[Path, dict] | None = None
        self.last_upload: list[upload.UploadResult] = []
        self.importer = Importer(store, self)
        self.importer.finished.connect(self._county_imported)
        self.importer.failed.connect(lambda _batch, exc: show_error(self, exc))

        # -- link ------------------------------------------------------------------------------
        self.link_box = QGroupBox(objectName="link_box")
        self.link_text = QLabel(objectName="link_text", wordWrap=True)
        self.link_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.link_button = QPushButton(objectName="import_pack")
        self.link_button.clicked.connect(self.import_pack)
        self.fingerprint_title = QLabel(objectName="fingerprint_title", wordWrap=True)
        self.fingerprint = fingerprint_label("fingerprint")
        self.fingerprint_hint = QLabel(objectName="fingerprint_hint", wordWrap=True)
        self.fingerprint_hint.setStyleSheet("color: #555;")
        # a new PC of a station lost with no backup: its records back from the county
        self.rebuild_button = QPushButton(objectName="rebuild_station")
        self.rebuild_button.clicked.connect(self.open_rebuild)
        link = QVBoxLayout(self.link_box)
        link.addWidget(self.link_text)
        link.addWidget(self.link_button, 0, Qt.AlignmentFlag.AlignLeft)
        link.addWidget(self.fingerprint_title)
        link.addWidget(self.fingerprint, 0, Qt.AlignmentFlag.AlignLeft)
        link.addWidget(self.fingerprint_hint)
        link.addWidget(self.rebuild_button, 0, Qt.AlignmentFlag.AlignLeft)

        # -- send ------------------------------------------------------------------------------
        self.send_box = QGroupBox(objectName="send_box")
        self.dest_label = QLabel()
        self.dest_combo = QComboBox(objectName="send_destination")
        self.dest_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.dest_combo.setMinimumContentsLength(24)
        self.dest_combo.activated.connect(self._destination_activated)
        self.dest_combo.currentIndexChanged.connect(
            lambda _i: self.dest_combo.setToolTip(self.dest_combo.currentText()))
        self.dest_label.setBuddy(self.dest_combo)
        self.full_check = QCheckBox(objectName="send_full")
        self.send_button = QPushButton(objectName="send_to_county")
        self.send_button.clicked.connect(self.send)
        self.pending_label = QLabel(objectName="pending_changes", wordWrap=True)
        self.send_result = QLabel(objectName="send_result", wordWrap=True)
        self.send_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        send = QGridLayout(self.send_box)
        send.addWidget(self.dest_label, 0, 0)
        send.addWidget(self.dest_combo, 0, 1)
        send.addWidget(self.full_check, 1, 1)
        send.addWidget(self.send_button, 2, 1, Qt.AlignmentFlag.AlignLeft)
        send.addWidget(self.pending_label, 3, 0, 1, 2)
        send.addWidget(self.send_result, 4, 0, 1, 2)
        send.setColumnStretch(1, 1)

        # -- upload ----------------------------------------------------------------------------
        self.upload_box = QGroupBox(objectName="upload_box")
        self.hub_label = QLabel()
        self.hub_edit = QLineEdit(objectName="hub_address")
        self.hub_edit.setText(prefs.get(prefs.HUB_URL))
        self.hub_label.setBuddy(self.hub_edit)
        self.hub_edit.returnPressed.connect(self.upload)
        self.upload_button = QPushButton(objectName="upload")
        self.upload_button.clicked.connect(self.upload)
        self.upload_result = QLabel(objectName="upload_result", wordWrap=True)
        self.upload_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        up = QGridLayout(self.upload_box)
        up.addWidget(self.hub_label, 0, 0)
        up.addWidget(self.hub_edit, 0, 1)
        up.addWidget(self.upload_button, 0, 2)
        up.addWidget(self.upload_result, 1, 0, 1, 3)
        up.setColumnStretch(1, 1)

        # -- from the county -------------------------------------------------------------------
        self.county_box = QGroupBox(objectName="county_box")
        self.county_button = QPushButton(objectName="import_county_bundle")
        self.county_button.clicked.connect(self.import_county_bundle)
        self.county_hint = QLabel(wordWrap=True)
        self.county_hint.setStyleSheet("color: #555;")
        self.county_result = QLabel(objectName="county_result", wordWrap=True)
        self.county_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        county = QVBoxLayout(self.county_box)
        county.addWidget(self.county_hint)
        county.addWidget(self.county_button, 0, Qt.AlignmentFlag.AlignLeft)
        county.addWidget(self.county_result)

        # -- history ---------------------------------------------------------------------------
        self.history_box = QGroupBox(objectName="history_box")
        self.history = BundleHistoryModel(self)
        self.history_table = QTableView(objectName="bundle_history")
        self.history_table.setModel(self.history)
        configure_table(self.history_table, (50, 150, 90, 420, 210, 200), stretch=3)
        self.history_hint = EmptyHint(self.history_table, lambda: _(
            "No bundles sent yet: Send to county writes the first."))
        self.history_table.setMinimumHeight(140)
        hist = QVBoxLayout(self.history_box)
        hist.addWidget(self.history_table)

        for label in (self.send_result, self.upload_result, self.county_result):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        # Two columns over the history; all of it scrolls when the window is too small for
        # it, so that no message is ever cut off.
        left = QVBoxLayout()
        left.addWidget(self.link_box)
        left.addWidget(self.county_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.send_box)
        right.addWidget(self.upload_box)
        right.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(left, 1)
        top.addLayout(right, 1)
        content = QWidget(objectName="station_sync_content")
        inner = QVBoxLayout(content)
        inner.addLayout(top)
        inner.addWidget(self.history_box, 1)
        self.scroll = QScrollArea(objectName="station_sync_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)

        self._drive_timer = QTimer(self, interval=DRIVES_POLL_MS)
        self._drive_timer.timeout.connect(self.refresh_destinations)

        self.retranslate()
        self.refresh()

    # -- showing ---------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.link_box.setTitle(_("Link to the county"))
        self.link_button.setText(_("Import county &pack…"))
        self.link_button.setToolTip(_(
            "The county service center gives each station a county pack ({suffix}) on a USB "
            "stick or by message.").format(suffix=PACK_SUFFIX))
        self.fingerprint_title.setText(_("This station's key:"))
        self.rebuild_button.setText(_("&Rebuild this station from the county's file…"))
        self.rebuild_button.setToolTip(_(
            "On a new PC that replaces this station's PC, lost with no backup: its records back "
            "from the county, in the rebuild file the county writes for this PC."))
        self.send_box.setTitle(_("Send to county"))
        self.dest_label.setText(_("Save the &file to:"))
        self.full_check.setText(_("&Full (everything, not only changes)"))
        self.full_check.setToolTip(_(
            "Write every record of this station, e.g. when the county asks for it again."))
        self.send_button.setText(_("&Send to county"))
        self.upload_box.setTitle(_("Upload over the internet"))
        self.hub_label.setText(_("County &hub address:"))
        self.hub_edit.setPlaceholderText(_("e.g. http://192.168.1.10:8470"))
        self.upload_button.setText(_("&Upload"))
        self.upload_button.setToolTip(_(
            "Writes a bundle of the changes not sent yet, then uploads every bundle the county "
            "does not have."))
        self.county_box.setTitle(_("From the county"))
        self.county_button.setText(_("Import county &bundle…"))
        self.county_hint.setText(_(
            "The county's bundle brings the course catalog, withdrawn certificates, merged "
            "persons and receipts saying which of your bundles the county holds."))
        self.history_box.setTitle(_("Bundles sent"))
        self.history.retranslate()
        self.refresh_destinations()
        self._show_status()

    def refresh(self) -> None:
        """Read the link and the bundles sent again."""
        try:
            self._status = exchange.status(self._store)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            self._status = {}
        self.history.set_bundles(self._status.get("bundles", []))
        self._show_status()

    def linked(self) -> bool:
        return site.role(self._store) == "station"

    def _unlinked_text(self) -> str:
        if site.holds_demo(self._store):
            return _(
                "This is a demo station: its trainees, classes and certificates, and the county "
                "named on them, are practice examples. It is not linked to a county. To start "
                "for real, import this station's county pack (a {suffix} file) from the county "
                "service center: the practice records are removed then.").format(
                    suffix=PACK_SUFFIX)
        return _(
            "This station is not linked to a county yet. Ask the county service center "
            "for this station's county pack (a {suffix} file), then import it here. "
            "Until then nothing can be sent. A new PC replacing a station's lost PC is linked "
            "the same way; it then gets the station's records back from the county.").format(
                suffix=PACK_SUFFIX)

    def _show_status(self) -> None:
        linked = self.linked()
        self.link_button.setVisible(not linked)
        for w in (self.fingerprint_title, self.fingerprint, self.fingerprint_hint):
            w.setVisible(linked)
        self.rebuild_button.setVisible(linked and not any(
            b.get("acknowledged_at") for b in self._status.get("bundles", [])))
        for box in (self.send_box, self.upload_box, self.county_box):
            box.setEnabled(linked)
        if not linked:
            self.link_text.setText(self._unlinked_text())
            self.pending_label.setText("")
            return
        county = site.county(self._store)
        self.link_text.setText(_(
            "Linked to <b>{county}</b> ({county_code}).<br>This station: <b>{station}</b> "
            "{name}").format(
                county=county.name.replace("<", "&lt;"), county_code=county.code,
                station=self._store.get_meta("station_code") or "",
                name=(self._store.get_meta("station_name") or "").replace("<", "&lt;")))
        self.fingerprint.setText(fingerprint_groups(self._status.get("fingerprint", "")))
        bundles = self._status.get("bundles", [])
        if any(b.get("acknowledged_at") for b in bundles):
            self.fingerprint_hint.setText(_(
                "The county has approved this key: it holds bundles from this station."))
        else:
            self.fingerprint_hint.setText(_(
                "Read these groups aloud to the county coordinator. They compare them with the "
                "key in this station's first bundle before approving the station; until then "
                "its bundles wait at the county."))
        last = bundles[0] if bundles else None
        if self._status.get("pending_changes"):
            self.pending_label.setText(
                _("There are changes the county does not have yet.") if last else
                _("Nothing has been sent yet: the first bundle holds everything."))
        elif last:
            self.pending_label.setText(_(
                "Nothing changed since bundle {seq}.").format(seq=last["seq"]))
        else:
            self.pending_label.setText("")

    # -- destinations (USB drives first) -------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.refresh_destinations()
        self._drive_timer.start()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._drive_timer.stop()
        super().hideEvent(event)

    def refresh_destinations(self) -> None:
        if self.dest_combo.view().isVisible():
            return  # not while the user looks at the list
        found = drives.removable_drives()
        current = self.dest_combo.currentData()
        items: list[tuple[str, str | None]] = [(d.text(), d.root) for d in found]
        last = prefs.get(prefs.EXPORT_DIR)
        roots = {d.root for d in found}
        if last and last not in roots:
            items.append((_("Folder {path}").format(path=last), last))
        items.append((_("Choose a folder…"), None))
        if [(t, d) for t, d in items] == [
                (self.dest_combo.itemText(i), self.dest_combo.itemData(i))
                for i in range(self.dest_combo.count())]:
            return
        new_drives = [d.root for d in found if d.root not in {x.root for x in self._drives}]
        self._drives = found
        self.dest_combo.blockSignals(True)
        self.dest_combo.clear()
        for text, data in items:
            self.dest_combo.addItem(text, data)
        # a stick just plugged in is the likely target; else keep the choice
        wanted = new_drives[0] if new_drives else current
        index = self.dest_combo.findData(wanted) if wanted else -1
        self.dest_combo.setCurrentIndex(index if index >= 0 else 0)
        self.dest_combo.blockSignals(False)

    def _destination_activated(self, index: int) -> None:
        if self.dest_combo.itemData(index) is None:
            self._choose_folder()

    def _choose_folder(self) -> str:
        folder = QFileDialog.getExistingDirectory(
            self, _("Where to write the bundle"), prefs.get(prefs.EXPORT_DIR))
        if folder:
            prefs.put(prefs.EXPORT_DIR, folder)
            self.refresh_destinations()
            self.dest_combo.setCurrentIndex(max(0, self.dest_combo.findData(folder)))
        return folder

    def destination(self) -> str:
        """The folder chosen in the list, asking for one when there is none."""
        folder = self.dest_combo.currentData()
        if not folder or not Path(folder).is_dir():
            folder = self._choose_folder()
        return folder or ""

    # -- actions ---------------------------------------------------------------------------
    def import_pack(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Import county pack"), "",
            _("County packs (*{suffix});;All files (*)").format(suffix=PACK_SUFFIX))
        if not name:
            return
        try:
            done, _county = link_asking(
                self, lambda discard: site.setup_station(self._store, Path(name),
                                                         discard_demo=discard))
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc)
            return
        if not done:
            return  # the demo's records stay, and the station stays unlinked
        self.refresh()
        self.changed.emit()

    def open_rebuild(self):
        """The rebuild dialog (:mod:`.rebuild_dialog`), modeless; returns it."""
        from trainer_app.ui.sync.rebuild_dialog import RebuildDialog

        dialog = RebuildDialog(self._store, self)
        dialog.rebuilt.connect(self._rebuilt)
        dialog.open()
        return dialog

    def _rebuilt(self, _result: dict) -> None:
        self.refresh()
        self.changed.emit()

    def send(self) -> None:
        if self.export_task is not None or not self.linked():
            return
        folder = self.destination()
        if not folder:
            return
        full = self.full_check.isChecked()

        def work(store: Store, progress, cancelled):
            def rows_written(n: int) -> None:
                progress(n, 0)
                if cancelled():
                    raise ExportCancelled

            return exchange.export(store, Path(folder), full=full, progress=rows_written)

        self.send_result.setText(_("Writing the bundle to {folder}…").format(folder=folder))
        self.send_button.setEnabled(False)
        task = store_task(self._store.path, work, label=_("Writing the bundle…"), parent=self)
        task.succeeded.connect(self._sent)
        task.failed.connect(self._send_failed)
        task.cancelled.connect(
            lambda: self.send_result.setText(_("Stopped: no bundle was written.")))
        task.ended.connect(self._send_ended)
        self.export_task = task
        task.start()

    def _sent(self, result: exporting.Exported) -> None:
        path, manifest = result
        self.last_export = (path, manifest)
        self.full_check.setChecked(False)
        self.send_result.setText(_(
            "Bundle {seq} was written and checked: {path}\nIt holds: {counts}.\nTake it to "
            "the county service center, or press Upload when there is a connection.").format(
                seq=manifest["seq"], path=path,
                counts=counts_text(manifest.get("counts"), _("no records (nothing had changed)"))))
        if result.again:
            self.send_result.setText(self.send_result.text() + "\n" +
                                     written_again_text(result.again))

    def _send_failed(self, exc: BaseException) -> None:
        self.send_result.setText(_("No bundle was written."))
        show_error(self, exc)

    def _send_ended(self) -> None:
        self.export_task = None
        self.send_button.setEnabled(True)
        self.refresh()

    def upload(self) -> None:
        if self.upload_task is not None or not self.linked():
            return
        url = self.hub_edit.text().strip()
        if not url:
            self.upload_result.setText(_(
                "Enter the county hub's address first; the county service center tells you "
                "which (e.g. http://192.168.1.10:8470)."))
            self.hub_edit.setFocus()
            return
        prefs.put(prefs.HUB_URL, url)

        def work(store: Store, progress, cancelled):
            if not upload.hub_answers(url):
                raise upload.HubUnavailable(upload.not_answering(url))
            written = None
            if exchange.status(store).get("pending_changes"):
                folder = exporting.outbox_dir()
                folder.mkdir(parents=True, exist_ok=True)
                written = exchange.export(store, folder)
            results = upload.upload_pending(
                store, url, progress=lambda sent, total: progress(sent // 1024, total // 1024),
                cancelled=cancelled)
            return written, results

        self.upload_result.setText(_("Asking the county hub at {url}…").format(url=url))
        self.upload_button.setEnabled(False)
        task = store_task(self._store.path, work,
                          label=_("Uploading bundles to the county hub (kilobytes)…"),
                          parent=self)
        task.succeeded.connect(self._uploaded)
        task.failed.connect(self._upload_failed)
        task.cancelled.connect(lambda: self.upload_result.setText(
            _("Upload stopped. The bundles not uploaded stay pending.")))
        task.ended.connect(self._upload_ended)
        self.upload_task = task
        task.start()

    def _uploaded(self, result) -> None:
        written, results = result
        self.last_upload = list(results)
        lines = []
        if written is not None:
            lines.append(_("Bundle {seq} was written with the changes not sent yet.").format(
                seq=written[1]["seq"]))
        if not results:
            lines.append(_("Nothing to upload: the county has every bundle of this station."))
        lines += [upload_line(r) for r in results]
        held = next((r.receipt.get("held") for r in reversed(results)
                     if isinstance(r.receipt.get("held"), list)), None)
        if held:
            lines.append(_("The county holds bundles {numbers}.").format(
                numbers=bundle_numbers.text(bundle_numbers.runs(
                    s for s in held if type(s) is int))))
        self.upload_result.setText("\n".join(lines))

    def _upload_failed(self, exc: BaseException) -> None:
        done = getattr(exc, "results", []) or []
        self.last_upload = list(done)
        if isinstance(exc, upload.HubUnavailable | upload.HubRefused):
            self.upload_result.setText("\n".join([upload_line(r) for r in done] + [str(exc)]))
            return
        self.upload_result.setText(_("The upload did not complete. Your bundles stay pending."))
        show_error(self, exc)

    def _upload_ended(self) -> None:
        self.upload_task = None
        self.upload_button.setEnabled(True)
        self.refresh()

    def import_county_bundle(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(
            self, _("Import the county's bundle"), prefs.get(prefs.IMPORT_DIR), bundle_filter())
        if names:
            prefs.put(prefs.IMPORT_DIR, str(Path(names[0]).parent))
            self.county_result.setText(_("Importing…"))
            self.importer.run(Batch([Path(n) for n in names], "county"))

    def _county_imported(self, batch: Batch) -> None:
        lines = []
        for r in batch.reports:
            line = _("{file}: {result}").format(file=r.file, result=status_label(r.status))
            why = reason_label(r)
            if why:
                line += _(" — {reason}").format(reason=why)
            if r.status == "applied":
                line += _(". New: {new}. Changed: {changed}.").format(
                    new=counts_text(r.new), changed=counts_text(r.changed))
            lines.append(line)
        if batch.stopped:
            lines.append(_("Stopped before the end."))
        self.county_result.setText("\n".join(lines) or _("No bundle was found to import."))
        self.refresh()
        if any(r.status == "applied" for r in batch.reports):
            self.changed.emit()
