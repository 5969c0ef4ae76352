"""The station's other papers: sign-in sheets, trainee cards, class rosters, class summaries.

Each ``render(record, out, progress=None, cancelled=None) -> Path`` checks that every text it
will print has a font (:class:`~trainer_app.pdf.papers.layout.UnprintableText` otherwise, before
anything is written), draws the pages, and writes ``out`` atomically. ``progress(done, total)``
is called after each page; when ``cancelled()`` turns true the work stops with
``trainer_app.pdf.atomic.Cancelled`` and no file is written.
"""

from trainer_app.pdf.papers import cards, roster, sheet, summary
from trainer_app.pdf.papers.layout import UnprintableText

__all__ = ["UnprintableText", "cards", "roster", "sheet", "summary"]
