"""The versioned schema. ``MIGRATIONS[n]`` upgrades a database from version ``n`` to ``n + 1``.

Never edit a migration that has shipped: add a new one. ``PRAGMA user_version`` holds the
version and ``PRAGMA application_id`` marks the file as ours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

APPLICATION_ID = 0x54524E52  # "TRNR"

# Columns every synced table carries (DESIGN.md §3).
SYNC_COLUMNS = """
    id TEXT PRIMARY KEY NOT NULL,
    origin TEXT NOT NULL,
    rev INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
"""

SYNCED_TABLES = ("course", "trainee", "training_class", "lesson", "enrollment", "attendance")
# Tables added by later migrations, with the version that added them.
LATER_SYNCED_TABLES = {
    "site_key": 3, "certificate": 3, "revocation": 3, "station": 4, "person_merge": 4,
    "sheet_evidence": 5,
}


def _v1_core(db: sqlite_utils.Database) -> None:
    """Meta data and the station's core records."""
    db.executescript(
        f"""
        CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);

        CREATE TABLE course ({SYNC_COLUMNS},
            code TEXT NOT NULL CHECK (length(code) > 0),
            title TEXT NOT NULL CHECK (length(title) > 0),
            category TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            hours REAL NOT NULL CHECK (hours > 0),
            min_share REAL NOT NULL DEFAULT 0.8 CHECK (min_share > 0 AND min_share <= 1)
        );
        CREATE UNIQUE INDEX course_code_live ON course(code) WHERE deleted = 0;

        CREATE TABLE trainee ({SYNC_COLUMNS},
            code TEXT NOT NULL,
            name TEXT NOT NULL CHECK (length(name) > 0),
            gender TEXT CHECK (gender IN ('M', 'F')),
            birth_date TEXT,
            id_number TEXT,
            phone TEXT,
            village TEXT NOT NULL DEFAULT '',
            village_group TEXT NOT NULL DEFAULT '',
            poor_household INTEGER NOT NULL DEFAULT 0 CHECK (poor_household IN (0, 1)),
            education TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT ''
        );
        CREATE UNIQUE INDEX trainee_code ON trainee(code);
        CREATE UNIQUE INDEX trainee_id_number_live ON trainee(id_number) WHERE deleted = 0;

        CREATE TABLE training_class ({SYNC_COLUMNS},
            course_id TEXT NOT NULL REFERENCES course(id),
            title TEXT NOT NULL DEFAULT '',
            trainer TEXT NOT NULL DEFAULT '',
            place TEXT NOT NULL DEFAULT '',
            start_date TEXT NOT NULL,
            end_date TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'planned'
                CHECK (status IN ('planned', 'running', 'finished', 'cancelled'))
        );

        CREATE TABLE lesson ({SYNC_COLUMNS},
            class_id TEXT NOT NULL REFERENCES training_class(id),
            date TEXT NOT NULL,
            start_time TEXT NOT NULL,
            hours REAL NOT NULL CHECK (hours > 0),
            topic TEXT NOT NULL DEFAULT '',
            cancelled INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1))
        );

        CREATE TABLE enrollment ({SYNC_COLUMNS},
            class_id TEXT NOT NULL REFERENCES training_class(id),
            trainee_id TEXT NOT NULL REFERENCES trainee(id),
            UNIQUE (class_id, trainee_id)
        );

        CREATE TABLE attendance ({SYNC_COLUMNS},
            lesson_id TEXT NOT NULL REFERENCES lesson(id),
            trainee_id TEXT NOT NULL REFERENCES trainee(id),
            status TEXT NOT NULL CHECK (status IN ('present', 'late', 'excused', 'absent')),
            recorded_at TEXT NOT NULL,
            method TEXT NOT NULL DEFAULT 'manual' CHECK (method IN ('manual', 'scan', 'sheet')),
            UNIQUE (lesson_id, trainee_id)
        );
        """
    )
    for table in SYNCED_TABLES:
        db.execute(f"CREATE INDEX {table}_origin_rev ON {table}(origin, rev)")


def _v2_search(db: sqlite_utils.Database) -> None:
    """Search keys (name, pinyin, initials, code, ID and phone digits, village), pinyin sort
    order, and indexes for every list."""
    from trainer_app.domain.search import build_key, pinyin_forms

    db.executescript(
        """
        ALTER TABLE trainee ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE trainee ADD COLUMN name_sort TEXT NOT NULL DEFAULT '';
        """
    )
    rows = db.execute(
        "SELECT rowid, name, code, id_number, phone, village, village_group FROM trainee"
    ).fetchall()
    for rowid, name, code, id_number, phone, village, group in rows:
        db.execute(
            "UPDATE trainee SET search_key = ?, name_sort = ? WHERE rowid = ?",
            [
                build_key(name, code, id_number, phone, village, group),
                pinyin_forms(name)[0] + " " + name,
                rowid,
            ],
        )
    db.executescript(
        """
        CREATE INDEX trainee_list_name ON trainee(deleted, name_sort);
        CREATE INDEX trainee_list_village ON trainee(deleted, village, village_group);
        CREATE INDEX trainee_list_birth ON trainee(deleted, birth_date);
        CREATE INDEX trainee_list_updated ON trainee(deleted, updated_at);
        CREATE INDEX trainee_phone ON trainee(phone);
        CREATE INDEX course_list ON course(deleted, code);
        CREATE INDEX class_list ON training_class(deleted, start_date);
        CREATE INDEX class_course ON training_class(course_id);
        CREATE INDEX lesson_class ON lesson(class_id, date, start_time);
        CREATE INDEX lesson_date ON lesson(date);
        CREATE INDEX enrollment_trainee ON enrollment(trainee_id);
        CREATE INDEX attendance_trainee ON attendance(trainee_id);
        """
    )


def _v3_certificates(db: sqlite_utils.Database) -> None:
    """Certificates, their withdrawals, and the public keys that verify them."""
    db.executescript(
        f"""
        CREATE TABLE site_key ({SYNC_COLUMNS},
            site_id TEXT NOT NULL,
            key_id TEXT NOT NULL,
            public_key TEXT NOT NULL,
            purpose TEXT NOT NULL DEFAULT 'sign' CHECK (purpose IN ('sign', 'encrypt')),
            label TEXT NOT NULL DEFAULT ''
        );
        CREATE UNIQUE INDEX site_key_key_id ON site_key(key_id);

        CREATE TABLE certificate ({SYNC_COLUMNS},
            serial TEXT NOT NULL,
            trainee_id TEXT NOT NULL REFERENCES trainee(id),
            class_id TEXT NOT NULL REFERENCES training_class(id),
            trainee_name TEXT NOT NULL,
            id_number_masked TEXT NOT NULL DEFAULT '',
            course_code TEXT NOT NULL,
            course_title TEXT NOT NULL,
            hours REAL NOT NULL,
            start_date TEXT NOT NULL,
            end_date TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            key_id TEXT NOT NULL,
            qr_text TEXT NOT NULL,
            replaces TEXT REFERENCES certificate(id)
        );
        CREATE UNIQUE INDEX certificate_serial ON certificate(serial);
        CREATE INDEX certificate_holder ON certificate(trainee_id, class_id);
        CREATE INDEX certificate_class ON certificate(class_id);
        CREATE INDEX certificate_name ON certificate(trainee_name);

        CREATE TABLE revocation ({SYNC_COLUMNS},
            certificate_id TEXT NOT NULL REFERENCES certificate(id),
            serial TEXT NOT NULL,
            reason TEXT NOT NULL CHECK (length(reason) > 0),
            revoked_by TEXT NOT NULL DEFAULT '',
            revoked_at TEXT NOT NULL
        );
        CREATE INDEX revocation_serial ON revocation(serial);
        CREATE INDEX revocation_certificate ON revocation(certificate_id);
        """
    )
    for table in ("site_key", "certificate", "revocation"):
        db.execute(f"CREATE INDEX {table}_origin_rev ON {table}(origin, rev)")


def _v4_sync(db: sqlite_utils.Database) -> None:
    """Sync between stations and their county: the station register, bundles sent and received,
    merged persons, and uniqueness per origin (a county holds many stations' rows)."""
    db.executescript(
        f"""
        DROP INDEX trainee_code;
        DROP INDEX trainee_id_number_live;
        DROP INDEX course_code_live;
        CREATE UNIQUE INDEX trainee_code ON trainee(origin, code);
        CREATE UNIQUE INDEX trainee_id_number_live ON trainee(origin, id_number)
            WHERE deleted = 0;
        CREATE UNIQUE INDEX course_code_live ON course(origin, code) WHERE deleted = 0;
        ALTER TABLE trainee ADD COLUMN id_hash TEXT;
        CREATE INDEX trainee_id_hash ON trainee(id_hash) WHERE id_hash IS NOT NULL;

        CREATE TABLE station ({SYNC_COLUMNS},
            code TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            township TEXT NOT NULL DEFAULT '',
            village TEXT NOT NULL DEFAULT '',
            contact TEXT NOT NULL DEFAULT '',
            site_id TEXT,
            sign_key TEXT,
            approved INTEGER NOT NULL DEFAULT 0 CHECK (approved IN (0, 1))
        );
        CREATE UNIQUE INDEX station_code_live ON station(code) WHERE deleted = 0;
        CREATE INDEX station_site ON station(site_id);
        CREATE INDEX station_origin_rev ON station(origin, rev);

        CREATE TABLE person_merge ({SYNC_COLUMNS},
            merged_id TEXT NOT NULL,
            into_id TEXT NOT NULL,
            merged_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX person_merge_live ON person_merge(merged_id) WHERE deleted = 0;
        CREATE INDEX person_merge_origin_rev ON person_merge(origin, rev);

        -- not synced: this site's own log of bundles written and read
        CREATE TABLE bundle_out (
            seq INTEGER PRIMARY KEY,
            file_name TEXT NOT NULL,
            path TEXT NOT NULL,
            created_at TEXT NOT NULL,
            from_rev INTEGER NOT NULL,
            to_rev INTEGER NOT NULL,
            full INTEGER NOT NULL DEFAULT 0,
            counts TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            uploaded_at TEXT,
            acknowledged_at TEXT
        );
        CREATE TABLE bundle_in (
            id INTEGER PRIMARY KEY,
            sender_site TEXT NOT NULL,
            sender_code TEXT NOT NULL DEFAULT '',
            seq INTEGER,
            sha256 TEXT NOT NULL,
            file_name TEXT NOT NULL DEFAULT '',
            received_at TEXT NOT NULL,
            from_rev INTEGER,
            to_rev INTEGER,
            counts TEXT NOT NULL DEFAULT '{{}}',
            status TEXT NOT NULL CHECK (status IN ('applied', 'rejected', 'pending')),
            reason TEXT NOT NULL DEFAULT '',
            stored_path TEXT
        );
        CREATE INDEX bundle_in_sender ON bundle_in(sender_site, seq);
        CREATE INDEX bundle_in_sha ON bundle_in(sha256);
        """
    )


def _v5_bundle_states(db: sqlite_utils.Database) -> None:
    """A bundle's row is written before its file can appear (``state`` 'pending', with the
    whole file's SHA-256), so a number that may exist outside the database is never given to
    other content; 'written' once it is in place, 'lost' when it never was (see
    :func:`trainer_app.sync.exchange.settle`)."""
    db.executescript(
        """
        ALTER TABLE bundle_out ADD COLUMN state TEXT NOT NULL DEFAULT 'written'
            CHECK (state IN ('pending', 'written', 'lost'));
        ALTER TABLE bundle_out ADD COLUMN file_sha256 TEXT;
        """
    )


def _v6_reports(db: sqlite_utils.Database) -> None:
    """Reports: the attendance marks that count as attended, lesson by lesson, read from the
    index alone (reports scan millions of marks at a county)."""
    db.execute(
        "CREATE INDEX attendance_attended ON attendance(lesson_id, trainee_id) "
        "WHERE deleted = 0 AND status IN ('present', 'late')"
    )


def _v7_name_order(db: sqlite_utils.Database) -> None:
    """Names sort syllable by syllable (李民丽, 李秀兰, 林怡胜), no longer by the joined pinyin
    (which put 林怡胜 between them)."""
    from trainer_app.domain.search import name_sort_key

    rows = db.execute("SELECT rowid, name FROM trainee").fetchall()
    db.conn.executemany("UPDATE trainee SET name_sort = ? WHERE rowid = ?",
                        [(name_sort_key(name), rowid) for rowid, name in rows])


def _v8_epochs(db: sqlite_utils.Database) -> None:
    """Epochs (a restore starts one): which epoch each bundle was sent in and, at the county,
    the epochs each station's bundles came from, so that two PCs restored from one backup
    are told apart."""
    db.executescript(
        """
        ALTER TABLE bundle_out ADD COLUMN epoch_id TEXT;
        ALTER TABLE bundle_in ADD COLUMN epoch_id TEXT;
        CREATE TABLE site_epoch (
            epoch_id TEXT PRIMARY KEY NOT NULL,
            site_id TEXT NOT NULL,
            epoch INTEGER NOT NULL,
            parent_id TEXT NOT NULL DEFAULT '',
            base_seq INTEGER NOT NULL DEFAULT 0,
            started_at TEXT NOT NULL DEFAULT '',
            first_seen TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'held', 'stopped')),
            retake INTEGER NOT NULL DEFAULT 0  -- chosen after another one had been applied
        );
        CREATE INDEX site_epoch_site ON site_epoch(site_id);
        """
    )


def _v9_sheet_evidence(db: sqlite_utils.Database) -> None:
    """Photographed or scanned signed sign-in sheets kept as evidence of a lesson's attendance.

    ``sheet_evidence`` is a synced kind of record (its hash travels to the county, once the
    county reads it); the compressed images themselves stay in the station's database (so its
    backups hold them) in ``sheet_image``, keyed by their SHA-256, and are not synced.
    """
    db.executescript(
        f"""
        CREATE TABLE sheet_evidence ({SYNC_COLUMNS},
            lesson_id TEXT NOT NULL,
            page INTEGER NOT NULL CHECK (page > 0),
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
            size INTEGER NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            file_name TEXT NOT NULL DEFAULT '',
            read_at TEXT NOT NULL
        );
        CREATE INDEX sheet_evidence_lesson ON sheet_evidence(lesson_id, page);
        CREATE UNIQUE INDEX sheet_evidence_sha_live ON sheet_evidence(origin, sha256)
            WHERE deleted = 0;
        CREATE INDEX sheet_evidence_origin_rev ON sheet_evidence(origin, rev);

        -- not synced: the images, JPEG, about 200 KB a page
        CREATE TABLE sheet_image (
            sha256 TEXT PRIMARY KEY NOT NULL,
            jpeg BLOB NOT NULL
        );
        """
    )


def _v10_course_retire(db: sqlite_utils.Database) -> None:
    """A course no longer offered is retired, not deleted: its classes, certificates and figures
    keep naming it, but no new class may be scheduled for it. ``retired_on`` is the day it was
    retired (NULL: offered); a row from a bundle written before this column existed has none,
    and so stays offered."""
    db.execute("ALTER TABLE course ADD COLUMN retired_on TEXT")


def _v11_epoch_numbers(db: sqlite_utils.Database) -> None:
    """Bundle numbers restart within a station's new epoch, so a station's bundle is its
    (epoch, number): ``bundle_out`` gets a row id of its own (the old number, so the order
    stays) and one number per epoch; each row keeps its manifest's ``epoch`` (to write it
    again) and ``again`` (the county lost it: write it again). At the county, ``site_epoch``
    records whether an epoch's numbers restart."""
    db.executescript(
        """
        CREATE TABLE bundle_out_v11 (
            id INTEGER PRIMARY KEY,
            epoch_id TEXT,
            seq INTEGER NOT NULL,
            file_name TEXT NOT NULL,
            path TEXT NOT NULL,
            created_at TEXT NOT NULL,
            from_rev INTEGER NOT NULL,
            to_rev INTEGER NOT NULL,
            full INTEGER NOT NULL DEFAULT 0,
            counts TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            uploaded_at TEXT,
            acknowledged_at TEXT,
            state TEXT NOT NULL DEFAULT 'written'
                CHECK (state IN ('pending', 'written', 'lost')),
            file_sha256 TEXT,
            epoch TEXT,
            again INTEGER NOT NULL DEFAULT 0 CHECK (again IN (0, 1))
        );
        INSERT INTO bundle_out_v11 (id, epoch_id, seq, file_name, path, created_at, from_rev,
                                    to_rev, full, counts, sha256, uploaded_at, acknowledged_at,
                                    state, file_sha256)
            SELECT seq, epoch_id, seq, file_name, path, created_at, from_rev, to_rev, full,
                   counts, sha256, uploaded_at, acknowledged_at, state, file_sha256
              FROM bundle_out;
        DROP TABLE bundle_out;
        ALTER TABLE bundle_out_v11 RENAME TO bundle_out;
        CREATE UNIQUE INDEX bundle_out_number ON bundle_out(coalesce(epoch_id, ''), seq);
        ALTER TABLE site_epoch ADD COLUMN restart INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX bundle_in_epoch ON bundle_in(epoch_id, seq) WHERE epoch_id IS NOT NULL;
        """
    )


def _v12_live_trainees(db: sqlite_utils.Database) -> None:
    """The count of live trainees (the window's first line) from an index of only them, a few
    bytes an entry, instead of scanning a wider one (a county holds 100,000)."""
    db.execute("CREATE INDEX trainee_live ON trainee(deleted) WHERE deleted = 0")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1_core,
    _v2_search,
    _v3_certificates,
    _v4_sync,
    _v5_bundle_states,
    _v6_reports,
    _v7_name_order,
    _v8_epochs,
    _v9_sheet_evidence,
    _v10_course_retire,
    _v11_epoch_numbers,
    _v12_live_trainees,
]
LATEST_VERSION = len(MIGRATIONS)
