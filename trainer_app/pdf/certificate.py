"""The certificate of completion: one A4 landscape page per certificate.

Drawn straight onto a reportlab canvas (no platypus: a thousand pages in well under a second
plus the QR codes). What stays the same on every page, the border, is a form drawn once and
placed on each page; the logo and seal are image XObjects stored once in the file.

Layout (points, origin bottom left, A4 landscape 842 x 595)::

    +== double frame, red outside, gold inside, fret corners =================+
    | [logo]                  结 业 证 书                                      |
    |                   Certificate of Completion                              |
    |                         ───── ◆ ─────                                    |
    |                            王小明                                        |
    |                     ─────────────────────                                |
    |    学员王小明（身份证号 4101**********123X）于……组织的「开设网店」培训，    |
    |    共 24 学时，经考核合格，准予结业，特发此证。                          |
    |        This is to certify that the holder … (English subtitle)           |
    |                                                                          |
    |  [QR]  证书编号 Certificate No.           发证单位：县农村电商公共服务中心  |
    |        WP01-2026-000123-K                          王坪村电商服务站 (seal)|
    |  扫码验证 Scan to verify                   发证日期：2026年6月30日          |
    +==========================================================================+

The seal overlaps the issuing organisation and the date, as a stamp does, and is painted with
the Multiply blend mode so the text under it stays readable (red ink over black print); it never
reaches the trainee's name, the paragraph or the serial.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from trainer_app.i18n import _
from trainer_app.pdf import atomic, fonts, qr
from trainer_app.pdf.atomic import Cancelled
from trainer_app.pdf.records import CertificatePage

__all__ = ["Cancelled", "UnprintableText", "render", "draw_page"]

PAGE_W, PAGE_H = landscape(A4)  # 841.9 x 595.3

# colours (RGB 0..1): a deep Chinese red and an old gold, dark ink for the text
RED = (0.62, 0.09, 0.09)
GOLD = (0.74, 0.58, 0.25)
INK = (0.13, 0.13, 0.13)
GREY = (0.38, 0.38, 0.38)

# frame insets from the paper's edge
OUTER, MIDDLE, INNER = 20.0, 28.0, 33.0
CORNER = 44.0  # reach of the fret ornament in each inner corner

# text block
MARGIN_X = 96.0  # left and right edge of the paragraph
TEXT_W = PAGE_W - 2 * MARGIN_X
TITLE_Y = PAGE_H - 112
SUBTITLE_Y = PAGE_H - 141
DIVIDER_Y = PAGE_H - 158
NAME_Y = PAGE_H - 218
NAME_MAX_W = 460.0
BODY_TOP = NAME_Y - 30  # highest the paragraph may start (its first line's top)
BODY_BOTTOM = 196.0  # lowest point of the paragraph and English line: above seal and QR
BODY_SIZE = 15.5
BODY_MIN_SIZE = 9.0
EN_SIZE = 10.5

# bottom left: QR code, caption, serial
QR_SIZE = 96.0  # including the quiet zone: the printed symbol is about 2.9 cm wide
QR_X, QR_Y = 72.0, 70.0
SERIAL_X = QR_X + QR_SIZE + 10
SERIAL_W = 180.0  # the serial and the reissue note shrink to this width

# bottom right: issuer and date, with the seal over them
ISSUER_RIGHT = PAGE_W - MARGIN_X
ISSUER_SIZE = 14.0
ISSUER_Y = (150.0, 128.0, 100.0)  # county, station, date baselines
ISSUER_MAX_W = 300.0  # the names' column; longer names shrink (clear of the serial)
SEAL_SIZE = 118.0  # a 4.2 cm stamp
LOGO_X = 72.0  # from the left and top edges
LOGO_W, LOGO_H = 150.0, 64.0  # the logo keeps its proportions inside this box, top left

# characters that may not begin a line, and that may not end one (Chinese line breaking)
NO_START = "，。、；：？！）」』”’》〉】…—·%,.;:?!)]"
NO_END = "（「『“‘《〈【([$"
UNITS = "年月日号时"  # never parted from the number before them (2026年 6月 30日)

FRAME_FORM = "TrainerCertificateFrame"


class UnprintableText(ValueError):
    """A page has a character no font of the program has: nothing is written."""


def render(
    pages: Sequence[CertificatePage],
    out: Path,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Write ``pages`` (one certificate each) to the PDF ``out``, atomically.

    ``progress(i, n)`` is called after each page; when ``cancelled()`` returns True the
    temporary file is removed, ``out`` is left as it was and :class:`Cancelled` is raised.
    Raises :class:`UnprintableText` (before anything is written) when a field has a
    character that no font can print, and :class:`atomic.PdfWriteError` when the file cannot
    be written.
    """
    pages = list(pages)
    if not pages:
        raise ValueError(_("There is no certificate to print."))
    main_font = fonts.register()
    for page in pages:
        _check_printable(page)
    n = len(pages)
    with atomic.binary_streams(), atomic.pdf_target(Path(out)) as fh:
        # the initial font is ours: reportlab's default would add Helvetica, not embedded
        canvas = Canvas(
            fh, pagesize=(PAGE_W, PAGE_H), pageCompression=1, initialFontName=main_font,
        )
        canvas.setTitle("结业证书 Certificates of Completion")
        canvas.setCreator("Trainer")
        canvas.setSubject(", ".join(p.serial for p in pages[:20]) + (" …" if n > 20 else ""))
        _define_frame(canvas)
        for i, page in enumerate(pages, 1):
            if cancelled is not None and cancelled():
                raise Cancelled()
            draw_page(canvas, page)
            canvas.showPage()
            if progress is not None:
                progress(i, n)
        if cancelled is not None and cancelled():
            raise Cancelled()
        canvas.save()
    return Path(out)


def _check_printable(page: CertificatePage) -> None:
    for text in (
        page.trainee_name, page.course_title, page.branding.station_name,
        page.branding.county_name, page.id_number_masked, page.start_date, page.end_date,
        page.issued_on, page.course_title_en, page.serial, page.replaces_serial,
    ):
        missing = fonts.missing_characters(text)
        if missing:
            chars = "、".join(f"{ch} (U+{ord(ch):04X})" for ch in missing)
            raise UnprintableText(
                _("Certificate {serial}: “{text}” has characters no font of this program can "
                  "print: {chars}. Nothing was printed.").format(
                    serial=page.serial, text=text, chars=chars
                )
            )


# -- drawing -----------------------------------------------------------------------------------
def draw_page(canvas: Canvas, page: CertificatePage) -> None:
    """Draw one certificate on the canvas's current page."""
    if not canvas.hasForm(FRAME_FORM):
        _define_frame(canvas)
    canvas.doForm(FRAME_FORM)
    brand = page.branding
    if brand.logo_image:
        canvas.drawImage(
            str(brand.logo_image), LOGO_X, PAGE_H - LOGO_X - LOGO_H, LOGO_W, LOGO_H,
            mask="auto", preserveAspectRatio=True, anchor="nw",
        )
    _draw_heading(canvas)
    _draw_name(canvas, page.trainee_name)
    _draw_body(canvas, page)
    _draw_verification(canvas, page)
    _draw_issuer(canvas, page)


def _draw_heading(canvas: Canvas) -> None:
    canvas.setFillColorRGB(*RED)
    _spaced(canvas, PAGE_W / 2, TITLE_Y, "结业证书", 44, 0.55 * 44, "center")
    canvas.setFillColorRGB(*GOLD)
    _spaced(canvas, PAGE_W / 2, SUBTITLE_Y, "Certificate of Completion", 14, 1.2, "center")
    # divider: two gold rules and a small diamond
    canvas.setStrokeColorRGB(*GOLD)
    canvas.setLineWidth(0.8)
    cx = PAGE_W / 2
    canvas.line(cx - 120, DIVIDER_Y, cx - 9, DIVIDER_Y)
    canvas.line(cx + 9, DIVIDER_Y, cx + 120, DIVIDER_Y)
    p = canvas.beginPath()
    p.moveTo(cx, DIVIDER_Y + 4)
    p.lineTo(cx + 4, DIVIDER_Y)
    p.lineTo(cx, DIVIDER_Y - 4)
    p.lineTo(cx - 4, DIVIDER_Y)
    p.close()
    canvas.drawPath(p, stroke=0, fill=1)


def _draw_name(canvas: Canvas, name: str) -> None:
    size = fonts.fit(name, NAME_MAX_W, 34)
    spacing = 0.25 * size if len(name) <= 3 else 0.08 * size
    width = _spaced_width(name, size, spacing)
    if width > NAME_MAX_W:
        spacing = 0.0
        width = fonts.width(name, size)
    canvas.setFillColorRGB(*INK)
    _spaced(canvas, PAGE_W / 2, NAME_Y, name, size, spacing, "center")
    half = max(width / 2 + 28, 120)
    canvas.setStrokeColorRGB(*GOLD)
    canvas.setLineWidth(0.9)
    canvas.line(PAGE_W / 2 - half, NAME_Y - 10, PAGE_W / 2 + half, NAME_Y - 10)


def body_text(page: CertificatePage) -> str:
    """The certificate's Chinese paragraph."""
    org = page.branding.station_name or page.branding.county_name
    org_part = f"参加{org}组织的" if org else "参加"
    id_part = f"（身份证号 {page.id_number_masked}）" if page.id_number_masked else ""
    return (
        f"学员{page.trainee_name}{id_part}于{page.start_date}至{page.end_date}{org_part}"
        f"「{page.course_title}」培训，共 {page.hours} 学时，经考核合格，准予结业，特发此证。"
    )


def english_text(page: CertificatePage) -> str:
    course = page.course_title_en or page.course_title
    return (
        f"This is to certify that the holder named above has completed the training course "
        f"{course} ({page.hours} hours) and passed the assessment."
    )


def _draw_body(canvas: Canvas, page: CertificatePage) -> None:
    text = body_text(page)
    tokens = _tokens(text)
    unit = [fonts.width(t, 1.0) for t in tokens]  # widths at 1 pt: scale by the size
    english = english_text(page)
    en_size = fonts.fit(english, TEXT_W, EN_SIZE, 7.5)
    room = BODY_TOP - BODY_BOTTOM
    size = BODY_SIZE
    while True:  # shrink until the paragraph and the English line fit between name and bottom
        lines = _wrap(tokens, unit, size, TEXT_W, 2 * size)
        leading = size * 1.8
        if size <= BODY_MIN_SIZE:  # a very long text: lines closer together, never lower
            fixed = 0.85 * size + 0.3 * en_size
            leading = max(1.2 * size, min(leading, (room - fixed) / (len(lines) + 0.15)))
        en_gap = 1.15 * leading  # from the paragraph's last baseline to the English line's
        block = 0.85 * size + (len(lines) - 1) * leading + en_gap + 0.3 * en_size
        if block <= room or size <= BODY_MIN_SIZE:
            break
        size = max(BODY_MIN_SIZE, size * 0.94)
    y = BODY_TOP - max(0.0, (room - block) / 2) - 0.85 * size
    canvas.setFillColorRGB(*INK)
    for k, (line, width) in enumerate(lines):
        indent = 2 * size if k == 0 else 0.0
        avail = TEXT_W - indent
        chars = len(line)
        spacing = 0.0
        if k < len(lines) - 1 and chars > 1 and 0 < avail - width < 0.15 * size * chars:
            spacing = (avail - width) / (chars - 1)  # justified, as Chinese text is set
        _spaced(canvas, MARGIN_X + indent, y, line, size, spacing, "left")
        y -= leading
    y += leading - en_gap
    canvas.setFillColorRGB(*GREY)
    fonts.draw(canvas, PAGE_W / 2, y, english, en_size, "center")


def _draw_verification(canvas: Canvas, page: CertificatePage) -> None:
    qr.draw(canvas, page.qr_text, QR_X, QR_Y, QR_SIZE)
    canvas.setFillColorRGB(*GREY)
    fonts.draw(canvas, QR_X + QR_SIZE / 2, QR_Y - 6, "扫码验证 Scan to verify", 8, "center")
    top = QR_Y + QR_SIZE - 16
    fonts.draw(canvas, SERIAL_X, top, "证书编号  Certificate No.", 9.5)
    canvas.setFillColorRGB(*INK)
    fonts.draw(canvas, SERIAL_X, top - 22, page.serial, 15, max_width=SERIAL_W)
    if page.replaces_serial:
        canvas.setFillColorRGB(*RED)
        note = f"补发，替代证书 {page.replaces_serial}（原证书作废）"
        fonts.draw(canvas, SERIAL_X, top - 42, note, 8.5, max_width=SERIAL_W)
        canvas.setFillColorRGB(*GREY)
        fonts.draw(
            canvas, SERIAL_X, top - 54, f"Reissued; replaces {page.replaces_serial}", 7.5,
            max_width=SERIAL_W,
        )


def _draw_issuer(canvas: Canvas, page: CertificatePage) -> None:
    brand = page.branding
    names = [n for n in (brand.county_name, brand.station_name) if n]
    label = "发证单位："
    label_w = fonts.width(label, ISSUER_SIZE)
    sizes = [fonts.fit(n, ISSUER_MAX_W, ISSUER_SIZE) for n in names]
    date_w = fonts.width(page.issued_on, ISSUER_SIZE)
    # the column is wide enough for the seal's centre to sit just right of the date
    names_w = max([fonts.width(n, s) for n, s in zip(names, sizes, strict=True)]
                  + [date_w + 0.2 * SEAL_SIZE + SEAL_SIZE / 2 - 14])
    x_label = ISSUER_RIGHT - names_w - label_w
    x_names = x_label + label_w
    canvas.setFillColorRGB(*INK)
    if names:
        fonts.draw(canvas, x_label, ISSUER_Y[0], label, ISSUER_SIZE)
        if len(names) == 1:
            fonts.draw(canvas, x_names, ISSUER_Y[0], names[0], sizes[0])
        else:
            for name, size, y in zip(names, sizes, ISSUER_Y, strict=False):
                fonts.draw(canvas, x_names, y, name, size)
    fonts.draw(canvas, x_label, ISSUER_Y[2], "发证日期：", ISSUER_SIZE)
    fonts.draw(canvas, x_names, ISSUER_Y[2], page.issued_on, ISSUER_SIZE)
    canvas.setFillColorRGB(*GREY)
    if names:
        fonts.draw(canvas, x_label, ISSUER_Y[0] - 12, "Issued by", 7.5)
    fonts.draw(canvas, x_label, ISSUER_Y[2] - 12, "Date of issue", 7.5)
    if brand.seal_image:
        # a stamp over the issuer's name and the date, as a stamp is pressed (骑年盖月); its
        # centre (where a seal's star is) just right of the date, so the digits stay clear
        cx = x_names + date_w + 0.2 * SEAL_SIZE
        cy = (ISSUER_Y[1] + ISSUER_Y[2]) / 2 + 4
        canvas.saveState()
        canvas.setBlendMode("Multiply")  # red ink over black print: the text stays readable
        canvas.drawImage(
            str(brand.seal_image), cx - SEAL_SIZE / 2, cy - SEAL_SIZE / 2, SEAL_SIZE, SEAL_SIZE,
            mask="auto", preserveAspectRatio=True, anchor="c",
        )
        canvas.restoreState()


# -- the frame -----------------------------------------------------------------------------------
def _define_frame(canvas: Canvas) -> None:
    """The border, drawn once as a form and placed on every page."""
    canvas.beginForm(FRAME_FORM, 0, 0, PAGE_W, PAGE_H)
    canvas.setStrokeColorRGB(*RED)
    canvas.setLineWidth(5)
    canvas.rect(OUTER, OUTER, PAGE_W - 2 * OUTER, PAGE_H - 2 * OUTER)
    canvas.setLineWidth(0.8)
    canvas.rect(MIDDLE, MIDDLE, PAGE_W - 2 * MIDDLE, PAGE_H - 2 * MIDDLE)
    canvas.setStrokeColorRGB(*GOLD)
    canvas.setLineWidth(1.6)
    canvas.rect(INNER, INNER, PAGE_W - 2 * INNER, PAGE_H - 2 * INNER)
    canvas.setFillColorRGB(*GOLD)
    canvas.setLineWidth(1.2)
    for x, y, sx, sy in (
        (INNER, INNER, 1, 1), (PAGE_W - INNER, INNER, -1, 1),
        (INNER, PAGE_H - INNER, 1, -1), (PAGE_W - INNER, PAGE_H - INNER, -1, -1),
    ):
        canvas.saveState()
        canvas.translate(x, y)
        canvas.scale(sx, sy)
        _fret(canvas)
        canvas.restoreState()
    # small diamonds in the middle of each side of the gold frame
    for x, y in ((PAGE_W / 2, INNER), (PAGE_W / 2, PAGE_H - INNER),
                 (INNER, PAGE_H / 2), (PAGE_W - INNER, PAGE_H / 2)):
        p = canvas.beginPath()
        p.moveTo(x, y + 5)
        p.lineTo(x + 5, y)
        p.lineTo(x, y - 5)
        p.lineTo(x - 5, y)
        p.close()
        canvas.drawPath(p, stroke=0, fill=1)
    canvas.endForm()


def _fret(canvas: Canvas) -> None:
    """A key-pattern (回纹) corner ornament; the corner is at the origin, drawn into +x, +y."""
    p = canvas.beginPath()
    p.moveTo(8, CORNER)
    p.lineTo(8, 8)
    p.lineTo(CORNER, 8)
    p.moveTo(30, 8)
    p.lineTo(30, 30)
    p.lineTo(15, 30)
    p.lineTo(15, 15)
    p.lineTo(23, 15)
    p.lineTo(23, 23)
    canvas.drawPath(p, stroke=1, fill=0)


# -- text helpers ---------------------------------------------------------------------------------
def _spaced_width(text: str, size: float, spacing: float) -> float:
    return fonts.width(text, size) + spacing * max(0, len(text) - 1)


def _spaced(
    canvas: Canvas, x: float, y: float, text: str, size: float, spacing: float, align: str,
) -> None:
    """Draw ``text`` with ``spacing`` points added between characters (PDF Tc), each run in
    the font that has its characters."""
    if spacing == 0:
        fonts.draw(canvas, x, y, text, size, align)
        return
    total = _spaced_width(text, size, spacing)
    if align == "center":
        x -= total / 2
    elif align == "right":
        x -= total
    for name, piece in fonts.runs(text):
        t = canvas.beginText(x, y)
        t.setFont(name, size)
        t.setCharSpace(spacing)
        t.textOut(piece)
        t.setCharSpace(0)  # Tc outlives the text object: later text must not inherit it
        canvas.drawText(t)
        x += stringWidth(piece, name, size) + spacing * len(piece)


def _tokens(text: str) -> list[str]:
    """Pieces a line may break between: each CJK character alone, runs of ASCII letters and
    digits together; closing punctuation sticks to what precedes it, opening to what follows."""
    raw: list[str] = []
    word = ""
    for ch in text:
        if ch.isascii() and not ch.isspace() and ch not in NO_START + NO_END:
            word += ch
            continue
        if word:
            raw.append(word)
            word = ""
        raw.append(ch)
    if word:
        raw.append(word)
    tokens: list[str] = []
    glue = False  # the previous token ends with an opening mark
    for tok in raw:
        unit = tok in UNITS and tokens and tokens[-1][-1:].isdigit()
        if tokens and (glue or tok in NO_START or unit):
            tokens[-1] += tok
        else:
            tokens.append(tok)
        glue = tok in NO_END
    return tokens


def _wrap(
    tokens: list[str], unit: list[float], size: float, width: float, indent: float,
) -> list[tuple[str, float]]:
    """Break ``tokens`` into lines no wider than ``width`` (the first ``indent`` narrower);
    returns ``(line, natural width)``. Spaces at a line's ends are dropped."""
    lines: list[tuple[str, float]] = []
    line, used, avail = "", 0.0, width - indent
    space = fonts.width(" ", size)
    for tok, w1 in zip(tokens, unit, strict=True):
        w = w1 * size
        if line and used + w > avail and not tok.isspace():
            stripped = line.rstrip(" ")
            lines.append((stripped, used - space * (len(line) - len(stripped))))
            line, used, avail = "", 0.0, width
        if not line and tok.isspace():
            continue
        line += tok
        used += w
    if line:
        stripped = line.rstrip(" ")
        lines.append((stripped, used - space * (len(line) - len(stripped))))
    return lines
