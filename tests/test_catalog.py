"""The catalog: a short word used in two places means the same in both, or it has a context.

"None" once shared one entry between the education level and the empty seal box, so the seal
box said "未上学" ("never went to school"). Every short string (one or two words) used in more
than one module is either given a ``pgettext`` context per meaning or listed below after a
reader checked that it means the same thing everywhere it is used.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from babel.messages.extract import extract_from_dir

from trainer_app import i18n

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "NP_": ((1, "c"), 2)}

# Checked by reading every use: the same meaning (and so the same translation) in each module.
SAME_MEANING = frozenset({
    "trainees", "courses", "classes", "lessons", "attendance marks", "yes", "no", "none",
    "Code", "Name", "Gender", "Birth date", "ID number", "Phone", "Village", "Group", "Id",
    "Poor household", "Education", "Notes", "Title", "Category", "Hours", "Completion rule",
    "Course", "Status", "Start", "Enrolled", "Lessons", "Date", "Topic", "Cancelled",
    "Scheduled hours", "Share", "Completed", "TEXT", "Serial", "Reason", "Dates", "Station",
    "Signing key", "village", "village group", "Approved", "Key fingerprint", "Last bundle",
    "applied", "rejected", "stopped", "Written", "Records", "File", "County center",
    "Trainee cards", ": ", "No.", "Class roster", "Class", "Trainer", "Place", "Trainees",
    "Sign-in sheet", "Class summary", "Yes", "No", "name", "course title", "station name",
    "county name", "Classes", "Attendance", "Certificates", "&Close", "Choose…", "Remove",
    "Withdrawn", "Issued on", "Valid", "Replaced", ", ", "Note", "Attended", "Required",
    "Sho&w:", "All certificates", "h", "&Edit…", "Stations", "Importing bundles…",
    "All stations", "Bundles", "CODE", "Certificates issued", "Count", "DATE", "Export…", "FILE",
    "First came", "Holds", "Mobile", "NAME", "New", "People trained", "Trainee list", "unknown",
    "Backed up", "Backing up…", "Bundles applied", "Bundles held", "FINGERPRINT", "From bundle",
    "Size", "certificates", "stations", "; ", "All classes", "Retired on", "Backup folder",
    "no records",
    # the sheet's signature column, and what the reader found in it (review screen and CLI)
    "Signature", "signed", "not signed", "uncertain",
})


def _uses() -> dict[tuple[str | None, str], set[str]]:
    """(context, msgid) -> the modules using it, extracted from the source as dev.py does."""
    uses: dict[tuple[str | None, str], set[str]] = defaultdict(set)
    for filename, _lineno, message, _comments, context in extract_from_dir(
        ROOT / "trainer_app", method_map=[("**.py", "python")], keywords=KEYWORDS,
    ):
        msgid = message if isinstance(message, str) else message[0]
        uses[(context, msgid)].add(filename)
    return uses


def test_short_strings_shared_between_modules_are_reviewed_or_have_a_context():
    unreviewed = sorted(
        msgid for (context, msgid), files in _uses().items()
        if context is None and len(files) > 1 and len(msgid.split()) <= 2
        and "{" not in msgid and msgid not in SAME_MEANING
    )
    assert not unreviewed, (
        "short strings used in several modules without a context: give each meaning a "
        f"pgettext context, or add it to SAME_MEANING after checking every use: {unreviewed}"
    )


def test_none_has_a_context_for_each_meaning():
    uses = _uses()
    assert (None, "None") not in uses
    assert ("education", "None") in uses and ("no image chosen", "None") in uses


def test_the_two_nones_translate_differently():
    try:
        i18n.set_language("zh_CN")
        assert i18n.pgettext("education", "None") == "未上学"
        assert i18n.pgettext("no image chosen", "None") == "无"
    finally:
        i18n.set_language("en")


def test_the_compiled_table_answers_as_gettext_answers_from_a_mo_file(tmp_path):
    """i18n.Messages (a marshalled table, quick to load) against gettext's own reading of the
    .mo file babel writes from the same .po: every entry, plural forms and contexts included."""
    import gettext
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = ROOT / "translations" / "zh_CN.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    reference = gettext.GNUTranslations(mo)
    ours = i18n.Messages.loads(i18n.Messages.from_po(po).dumps())
    messages = [m for m in list(catalog)[1:] if m.string and not m.fuzzy]
    assert len(messages) > 1500 and any(isinstance(m.id, tuple) for m in messages)
    for m in [*messages, *[type(m)(("never seen", "never seens")) for m in messages[:1]]]:
        if isinstance(m.id, tuple):
            for n in (0, 1, 2, 5, 100):
                args = (*m.id, n)
                if m.context:
                    assert ours.npgettext(m.context, *args) == reference.npgettext(m.context,
                                                                                   *args)
                else:
                    assert ours.ngettext(*args) == reference.ngettext(*args)
        elif m.context:
            assert ours.pgettext(m.context, m.id) == reference.pgettext(m.context, m.id)
        else:
            assert ours.gettext(m.id) == reference.gettext(m.id)
    assert ours.gettext("a sentence no one wrote") == "a sentence no one wrote"


def test_a_stale_or_damaged_compiled_catalog_gives_way_to_the_po(tmp_path, monkeypatch):
    import os
    import shutil

    (tmp_path / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(ROOT / "translations" / "zh_CN.po", tmp_path / "zh_CN.po")
    monkeypatch.setattr(i18n.paths, "translations_dir", lambda: tmp_path)
    compiled = i18n.compiled_path("zh_CN")
    compiled.write_bytes(i18n.Messages({"Name": "compiled"}, "0").dumps())
    po_time = (tmp_path / "zh_CN.po").stat().st_mtime
    os.utime(compiled, (po_time + 10, po_time + 10))
    assert i18n._load_catalog("zh_CN").gettext("Name") == "compiled"
    os.utime(compiled, (po_time - 10, po_time - 10))  # the .po was edited since
    assert i18n._load_catalog("zh_CN").gettext("Name") == "姓名"
    compiled.write_bytes(b"\x00 not a table")
    os.utime(compiled, (po_time + 10, po_time + 10))
    assert i18n._load_catalog("zh_CN").gettext("Name") == "姓名"
    compiled.unlink()
    (tmp_path / "zh_CN.po").unlink()
    assert i18n._load_catalog("zh_CN").gettext("Name") == "Name"  # no catalog at all: English
