"""Previewing a PDF the program wrote, then printing it through the system dialog or saving it.

Pages are rendered with pdfium (pypdfium2) to images: the Qt build we ship has no QtPdf module.
Printing paints each page, rendered at 300 dpi, onto the printer's page, off the UI thread.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QMarginsF, QRectF, QSizeF, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QPixmap, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from trainer_app import cancel, i18n
from trainer_app.files import copy_atomic, write_error
from trainer_app.i18n import _
from trainer_app.services.errors import ServiceError
from trainer_app.ui.errors import show_error
from trainer_app.ui.retranslate import Retranslating
from trainer_app.ui.tasks import Task

PRINT_DPI = 300
SCREEN_DPI = 96
ZOOMS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
FIT_WIDTH, FIT_PAGE = "width", "page"

# pdfium must never run in two threads at once, even on different documents.
PDFIUM = threading.Lock()

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10)}


def file_name(text: str, suffix: str = ".pdf", limit: int = 120) -> str:
    """A readable file name valid on Windows: Chinese is kept, the characters Windows forbids
    become "_", no trailing dots or spaces, no reserved device names."""
    name = _FORBIDDEN.sub("_", text)
    name = " ".join(name.split())[:limit].rstrip(". ") or "document"
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    return name + suffix


def render_page(document: pdfium.PdfDocument, index: int, scale: float) -> QImage:
    """Page ``index`` as an RGB image, ``scale`` pixels per PDF point."""
    with PDFIUM:
        page = document[index]
        try:
            bitmap = page.render(scale=scale)
            try:
                pil = bitmap.to_pil().convert("RGB")  # a copy: the bitmap can go
            finally:
                bitmap.close()
        finally:
            page.close()
    data = pil.tobytes()
    image = QImage(data, pil.width, pil.height, 3 * pil.width, QImage.Format.Format_RGB888)
    return image.copy()  # owns its pixels; ``data`` may go


def page_numbers(printer: QPrinter, count: int, current: int) -> list[int]:
    """The 0-based pages to print, as chosen in the print dialog (all, a range, the current)."""
    mode = printer.printRange()
    if mode == QPrinter.PrintRange.CurrentPage:
        return [current]
    if mode == QPrinter.PrintRange.PageRange:
        ranges = printer.pageRanges()
        if not ranges.isEmpty():
            return [i for i in range(count) if ranges.contains(i + 1)]
        first, last = printer.fromPage(), printer.toPage()
        if first or last:
            return list(range(max(first, 1) - 1, min(last or count, count)))
    return list(range(count))


def print_pdf(
    pdf_bytes: bytes, printer: QPrinter, numbers: list[int], progress=None, cancelled=None,
) -> int:
    """Paint pages ``numbers`` of the PDF onto ``printer`` (may run off the UI thread: painting
    on a QPrinter is allowed there). Returns the number of pages printed."""
    with PDFIUM:
        document = pdfium.PdfDocument(pdf_bytes)
    painter = QPainter()
    printed = 0
    try:
        if not painter.begin(printer):
            raise ServiceError(_("The printer could not be started. Check that it is switched on "
                            "and connected, then try again."))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        area = printer.pageRect(QPrinter.Unit.DevicePixel)
        for k, index in enumerate(numbers):
            if cancelled and cancelled():
                printer.abort()
                raise PrintCancelled
            if k:
                printer.newPage()
            image = render_page(document, index, PRINT_DPI / 72)
            target = QSizeF(image.size()).scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (area.width() - target.width()) / 2
            y = (area.height() - target.height()) / 2
            painter.drawImage(QRectF(x, y, target.width(), target.height()), image)
            printed += 1
            if progress:
                progress(k + 1, len(numbers))
    finally:
        if painter.isActive():
            painter.end()
        with PDFIUM:
            document.close()
    return printed


class PrintCancelled(cancel.Cancelled):
    """The user stopped printing."""


class PdfPreview(Retranslating, QDialog):
    """A PDF shown page by page, with Print…, Save as… and Close."""

    def __init__(
        self, path: str | Path, default_name: str = "", title: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pdf_preview")
        self.path = Path(path)
        self.default_name = default_name or self.path.name
        self._title = title
        self._data = self.path.read_bytes()  # kept in memory: the file itself stays free
        with PDFIUM:
            self._document = pdfium.PdfDocument(self._data)
            self._sizes = [self._document.get_page_size(i) for i in range(len(self._document))]
        self._index = 0
        self._zoom: float | str = FIT_PAGE
        self._image: QImage | None = None
        self.print_task: Task | None = None
        self.saved_to: Path | None = None

        self.page_label = QLabel(objectName="pdf_page_image")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setStyleSheet("background: white; border: 1px solid #999;")
        self.scroll = QScrollArea(objectName="pdf_scroll")
        self.scroll.setWidget(self.page_label)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll.setStyleSheet("QScrollArea { background: #6b6b6b; }")
        self.scroll.setWidgetResizable(False)

        self.prev_button = QPushButton(objectName="pdf_prev")
        self.next_button = QPushButton(objectName="pdf_next")
        self.prev_button.clicked.connect(lambda: self.show_page(self._index - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self._index + 1))
        self.page_box = QSpinBox(objectName="pdf_page")
        self.page_box.setRange(1, max(1, self.page_count()))
        self.page_box.valueChanged.connect(lambda n: self.show_page(n - 1))
        self.of_label = QLabel()
        self.zoom_label = QLabel()
        self.zoom = QComboBox(objectName="pdf_zoom")
        self.zoom_label.setBuddy(self.zoom)
        self.zoom.activated.connect(self._zoom_chosen)

        self.print_button = QPushButton(objectName="pdf_print")
        self.save_button = QPushButton(objectName="pdf_save")
        self.close_button = QPushButton(objectName="pdf_close")
        self.print_button.clicked.connect(self.print_)
        self.save_button.clicked.connect(self.save_as)
        self.close_button.clicked.connect(self.reject)
        self.print_button.setDefault(True)
        self.status = QLabel(objectName="pdf_status")
        self.status.setStyleSheet("color: #14532d;")

        bar = QHBoxLayout()
        bar.addWidget(self.prev_button)
        bar.addWidget(self.page_box)
        bar.addWidget(self.of_label)
        bar.addWidget(self.next_button)
        bar.addSpacing(16)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.zoom)
        bar.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(buttons)

        QShortcut(QKeySequence.StandardKey.MoveToNextPage, self,
                  lambda: self.show_page(self._index + 1))
        QShortcut(QKeySequence.StandardKey.MoveToPreviousPage, self,
                  lambda: self.show_page(self._index - 1))
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_as)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, lambda: self._step_zoom(1))
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, lambda: self._step_zoom(-1))
        self._rerender = QTimer(self, singleShot=True, interval=60)
        self._rerender.timeout.connect(self._render)

        self.resize(1000, 780)
        self.retranslate()
        self._render()

    def retranslate(self) -> None:
        self.setWindowTitle(self._title or _("Print preview"))
        self.prev_button.setText(_("◀ &Previous"))
        self.next_button.setText(_("&Next ▶"))
        self.of_label.setText(
            _("of {count}").format(count=i18n.format_number(self.page_count(), 0))
        )
        self.zoom_label.setText(_("&Zoom:"))
        self.zoom.clear()
        self.zoom.addItem(_("Fit width"), FIT_WIDTH)
        self.zoom.addItem(_("Whole page"), FIT_PAGE)
        for z in ZOOMS:
            self.zoom.addItem(i18n.format_percent(z), z)
        self.zoom.setCurrentIndex(max(0, self.zoom.findData(self._zoom)))
        self.print_button.setText(_("&Print…"))
        self.save_button.setText(_("&Save as…"))
        self.close_button.setText(_("&Close"))

    # -- showing ------------------------------------------------------------------------------
    def page_count(self) -> int:
        return len(self._sizes)

    def current_page(self) -> int:
        """0-based."""
        return self._index

    def image(self) -> QImage | None:
        """The current page as shown."""
        return self._image

    def show_page(self, index: int) -> None:
        index = max(0, min(index, self.page_count() - 1))
        if index == self._index and self._image is not None:
            return
        self._index = index
        self._render()

    def set_zoom(self, zoom: float | str) -> None:
        self._zoom = zoom
        self.zoom.setCurrentIndex(max(0, self.zoom.findData(zoom)))
        self._render()

    def _zoom_chosen(self, index: int) -> None:
        self.set_zoom(self.zoom.itemData(index))

    def _step_zoom(self, step: int) -> None:
        current = self._scale() * 72 / SCREEN_DPI
        if step > 0:
            bigger = [z for z in ZOOMS if z > current + 0.01]
            self.set_zoom(bigger[0] if bigger else ZOOMS[-1])
        else:
            smaller = [z for z in ZOOMS if z < current - 0.01]
            self.set_zoom(smaller[-1] if smaller else ZOOMS[0])

    def _scale(self) -> float:
        """Screen pixels per PDF point for the current page and zoom."""
        if not self._sizes:
            return 1.0
        width, height = self._sizes[self._index]
        if isinstance(self._zoom, float | int):
            return float(self._zoom) * SCREEN_DPI / 72
        view = self.scroll.viewport().size()
        room_w = max(100, view.width() - 24)
        room_h = max(100, view.height() - 24)
        fit_w = room_w / width
        return fit_w if self._zoom == FIT_WIDTH else min(fit_w, room_h / height)

    def _render(self) -> None:
        if not self._sizes:
            self.page_label.setText(_("This document has no pages."))
            return
        if self.print_task is not None and self.print_task.is_running():
            self._rerender.start()  # pdfium is busy printing; try again shortly
            return
        ratio = self.devicePixelRatioF()
        scale = self._scale()
        image = render_page(self._document, self._index, scale * ratio)
        image.setDevicePixelRatio(ratio)
        self._image = image
        self.page_label.setPixmap(QPixmap.fromImage(image))
        self.page_label.resize(self.page_label.sizeHint())
        self.page_box.blockSignals(True)
        self.page_box.setValue(self._index + 1)
        self.page_box.blockSignals(False)
        self.prev_button.setEnabled(self._index > 0)
        self.next_button.setEnabled(self._index < self.page_count() - 1)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not isinstance(self._zoom, float | int):
            self._render()  # the view has its real size only now

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if not isinstance(self._zoom, float | int):
            self._rerender.start()

    # -- printing -----------------------------------------------------------------------------
    def make_printer(self) -> QPrinter:
        """A printer set up for this document: its paper size and orientation, no margins of
        our own (the printer keeps its unprintable edge)."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.default_name)
        if self._sizes:
            width, height = self._sizes[0]
            size = QPageSize(
                QSizeF(min(width, height), max(width, height)), QPageSize.Unit.Point, "",
                QPageSize.SizeMatchPolicy.FuzzyMatch,
            )
            orientation = (
                QPageLayout.Orientation.Landscape if width > height
                else QPageLayout.Orientation.Portrait
            )
            printer.setPageLayout(
                QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
            )
        printer.setFromTo(1, max(1, self.page_count()))
        return printer

    def print_(self) -> Task | None:
        """Ask for the printer and pages in the system dialog, then print in the background."""
        if self.print_task is not None and self.print_task.is_running():
            return None
        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintCurrentPage, True)
        dialog.setMinMax(1, max(1, self.page_count()))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.print_to(printer)

    def print_to(self, printer: QPrinter) -> Task:
        numbers = page_numbers(printer, self.page_count(), self._index)
        self._printer = printer  # alive until the task ends
        data = self._data
        task = Task(
            lambda progress, cancelled: print_pdf(data, printer, numbers, progress, cancelled),
            _("Sending the pages to the printer…"),
            self,
        )
        task.succeeded.connect(self._printed)
        task.failed.connect(lambda exc: show_error(self, exc))
        task.cancelled.connect(lambda: self.status.setText(_("Printing was cancelled.")))
        task.ended.connect(lambda: self.print_button.setEnabled(True))
        self.print_button.setEnabled(False)
        self.status.clear()
        self.print_task = task
        task.start()
        return task

    def _printed(self, count: int) -> None:
        self.status.setText(
            i18n.ngettext("{n} page sent to the printer.", "{n} pages sent to the printer.",
                          count).format(n=i18n.format_number(count, 0))
        )

    # -- saving -------------------------------------------------------------------------------
    def save_as(self) -> Path | None:
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        ) or str(Path.home())
        chosen, _filter = QFileDialog.getSaveFileName(
            self, _("Save PDF as"), str(Path(folder) / self.default_name),
            _("PDF files (*.pdf)"),
        )
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            if target.resolve() != self.path.resolve():
                copy_atomic(self.path, target)
        except OSError as exc:
            show_error(self, write_error(exc, target))
            return None
        self.saved_to = target
        self.status.setText(_("Saved to {path}").format(path=target))
        return target

    # -- closing ------------------------------------------------------------------------------
    def done(self, result: int) -> None:
        if self.print_task is not None and self.print_task.is_running():
            self.print_task.cancel()
        super().done(result)
