"""The store's schema as an append-only list of migrations.

Never edit a migration that has shipped: add a new one below it. Each migration runs in one transaction together
with the record of it having been applied (sqlite-utils ``Migrations``), so a store is never left half-migrated.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from lessons import stemming

migrations = Migrations("cross_pilot_lessons")


def run_sql(db: Database, script: str) -> None:
    """Run a multi-statement script inside the caller's transaction.

    ``sqlite3.Connection.executescript`` would COMMIT the open transaction first, so statements are executed
    one by one, split where SQLite itself says a statement is complete (trigger bodies stay whole).
    """
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            db.execute(buffer)
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement at the end of the script: {buffer.strip()[:80]}")


def version_triggers(db: Database, table: str, area: str) -> None:
    """Create the triggers that raise the data version of ``area`` on every insert, update and delete in ``table``."""
    for event in ("INSERT", "UPDATE", "DELETE"):
        run_sql(
            db,
            f"""
CREATE TRIGGER {table}_version_{event.lower()} AFTER {event} ON {table}
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = '{area}';
END;
""",
        )


# Version areas: caches key what they show by the version of the area it comes from.
VERSION_AREAS = {
    "pilots": "lessons",
    "lessons": "lessons",
    "lesson_themes": "lessons",
    "lesson_groups": "lessons",
    "themes": "lessons",
    "stakeholders": "network",
    "ties": "network",
    "organisations": "network",
    "governance_models": "models",
    "model_elements": "models",
    "lesson_elements": "models",
    "workshops": "workshops",
    "statements": "workshops",
    "participants": "workshops",
    "votes": "workshops",
    "users": "accounts",
    "user_pilots": "accounts",
}


@migrations()
def m001_initial(db: Database) -> None:
    """Create the whole data model of PRODUCT.md."""
    run_sql(
        db,
        """
CREATE TABLE data_versions (
    area TEXT PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0
);
INSERT INTO data_versions (area) VALUES ('lessons'), ('network'), ('models'), ('workshops'), ('accounts');

CREATE TABLE sectors (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT
);
CREATE TABLE phases (
    code TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT
);
CREATE TABLE methodologies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT,
    description TEXT
);
CREATE TABLE methodology_steps (
    id INTEGER PRIMARY KEY,
    methodology TEXT NOT NULL REFERENCES methodologies(code) ON UPDATE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    phase TEXT NOT NULL REFERENCES phases(code) ON UPDATE CASCADE,
    description TEXT,
    UNIQUE (methodology, position)
);
CREATE TABLE themes (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT,
    controlled INTEGER NOT NULL DEFAULT 1 CHECK (controlled IN (0, 1))
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT,
    email TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'facilitator', 'viewer')),
    password_hash TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    last_login_at TEXT
);

CREATE TABLE pilots (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    country TEXT NOT NULL CHECK (country GLOB '[A-Z][A-Z]'),
    region TEXT,
    city TEXT,
    service_area TEXT,
    target_groups TEXT,
    methodology TEXT REFERENCES methodologies(code) ON UPDATE CASCADE,
    project TEXT,
    start_date TEXT,
    end_date TEXT,
    lead_organisation TEXT,
    summary TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT
);

CREATE TABLE user_pilots (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    pilot_id INTEGER NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, pilot_id)
);

CREATE TABLE uploads (
    id INTEGER PRIMARY KEY,
    pilot_id INTEGER REFERENCES pilots(id) ON DELETE SET NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    username TEXT,
    filename TEXT NOT NULL,
    format TEXT,
    checksum TEXT,
    uploaded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    rows_added INTEGER NOT NULL DEFAULT 0,
    rows_changed INTEGER NOT NULL DEFAULT 0,
    rows_removed INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'applied' CHECK (status IN ('applied', 'undone')),
    undone_at TEXT,
    undone_by TEXT,
    note TEXT
);

CREATE TABLE lessons (
    id INTEGER PRIMARY KEY,
    pilot_id INTEGER NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    lesson TEXT NOT NULL,
    context TEXT,
    recommendation TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('enabler', 'barrier', 'recommendation', 'insight')),
    phase TEXT REFERENCES phases(code) ON UPDATE CASCADE,
    evidence_source TEXT,
    evidence_strength TEXT CHECK (evidence_strength IN ('anecdotal', 'observed', 'measured', 'evaluated')),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (
        status IN ('draft', 'submitted', 'validated', 'contested', 'endorsed', 'applied_elsewhere')
    ),
    language TEXT NOT NULL DEFAULT 'en',
    recorded_on TEXT,
    upload_id INTEGER REFERENCES uploads(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT,
    UNIQUE (pilot_id, key)
);
CREATE INDEX idx_lessons_kind ON lessons(kind);
CREATE INDEX idx_lessons_phase ON lessons(phase);
CREATE INDEX idx_lessons_status ON lessons(status);

CREATE TABLE lesson_themes (
    lesson_id INTEGER NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
    theme_id INTEGER NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
    PRIMARY KEY (lesson_id, theme_id)
);
CREATE INDEX idx_lesson_themes_theme ON lesson_themes(theme_id);

CREATE TABLE lesson_groups (
    lesson_id INTEGER NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
    sector TEXT NOT NULL REFERENCES sectors(code) ON UPDATE CASCADE,
    PRIMARY KEY (lesson_id, sector)
);
CREATE INDEX idx_lesson_groups_sector ON lesson_groups(sector);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    sector TEXT REFERENCES sectors(code) ON UPDATE CASCADE,
    country TEXT
);

CREATE TABLE stakeholders (
    id INTEGER PRIMARY KEY,
    pilot_id INTEGER NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    organisation_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    sector TEXT NOT NULL REFERENCES sectors(code) ON UPDATE CASCADE,
    hard_to_reach INTEGER NOT NULL DEFAULT 0 CHECK (hard_to_reach IN (0, 1)),
    role TEXT,
    upload_id INTEGER REFERENCES uploads(id) ON DELETE SET NULL,
    UNIQUE (pilot_id, key)
);
CREATE INDEX idx_stakeholders_organisation ON stakeholders(organisation_id);

CREATE TABLE lesson_stakeholders (
    lesson_id INTEGER NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
    stakeholder_id INTEGER NOT NULL REFERENCES stakeholders(id) ON DELETE CASCADE,
    PRIMARY KEY (lesson_id, stakeholder_id)
);

CREATE TABLE ties (
    id INTEGER PRIMARY KEY,
    pilot_id INTEGER NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    source_id INTEGER NOT NULL REFERENCES stakeholders(id) ON DELETE CASCADE,
    target_id INTEGER NOT NULL REFERENCES stakeholders(id) ON DELETE CASCADE,
    relation TEXT NOT NULL DEFAULT 'collaboration',
    directed INTEGER NOT NULL DEFAULT 0 CHECK (directed IN (0, 1)),
    weight REAL NOT NULL DEFAULT 1 CHECK (weight > 0),
    period TEXT NOT NULL DEFAULT 'end',
    upload_id INTEGER REFERENCES uploads(id) ON DELETE SET NULL,
    CHECK (source_id <> target_id),
    UNIQUE (pilot_id, source_id, target_id, relation, period)
);
CREATE INDEX idx_ties_source ON ties(source_id);
CREATE INDEX idx_ties_target ON ties(target_id);
CREATE TRIGGER ties_same_pilot_insert BEFORE INSERT ON ties
WHEN (SELECT pilot_id FROM stakeholders WHERE id = NEW.source_id) IS NOT NEW.pilot_id
  OR (SELECT pilot_id FROM stakeholders WHERE id = NEW.target_id) IS NOT NEW.pilot_id
BEGIN
    SELECT RAISE(ABORT, 'a tie must join two stakeholders of its own pilot');
END;
CREATE TRIGGER ties_same_pilot_update BEFORE UPDATE ON ties
WHEN (SELECT pilot_id FROM stakeholders WHERE id = NEW.source_id) IS NOT NEW.pilot_id
  OR (SELECT pilot_id FROM stakeholders WHERE id = NEW.target_id) IS NOT NEW.pilot_id
BEGIN
    SELECT RAISE(ABORT, 'a tie must join two stakeholders of its own pilot');
END;

CREATE TABLE governance_models (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    inspired_by TEXT,
    methodology TEXT REFERENCES methodologies(code) ON UPDATE CASCADE,
    summary TEXT
);
CREATE TABLE model_elements (
    id INTEGER PRIMARY KEY,
    model_id INTEGER NOT NULL REFERENCES governance_models(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL DEFAULT 'principle' CHECK (kind IN ('principle', 'step')),
    name TEXT NOT NULL,
    description TEXT,
    phase TEXT REFERENCES phases(code) ON UPDATE CASCADE,
    UNIQUE (model_id, key)
);
CREATE TABLE lesson_elements (
    lesson_id INTEGER NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
    element_id INTEGER NOT NULL REFERENCES model_elements(id) ON DELETE CASCADE,
    stance TEXT NOT NULL CHECK (stance IN ('supports', 'challenges')),
    note TEXT,
    PRIMARY KEY (lesson_id, element_id)
);
CREATE INDEX idx_lesson_elements_element ON lesson_elements(element_id);

CREATE TABLE workshops (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    purpose TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    current_round INTEGER NOT NULL DEFAULT 1 CHECK (current_round >= 1),
    allow_submissions INTEGER NOT NULL DEFAULT 0 CHECK (allow_submissions IN (0, 1)),
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    opened_at TEXT,
    closed_at TEXT
);
CREATE TABLE statements (
    id INTEGER PRIMARY KEY,
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'free' CHECK (source IN ('lesson', 'element', 'free', 'participant')),
    lesson_id INTEGER REFERENCES lessons(id) ON DELETE SET NULL,
    element_id INTEGER REFERENCES model_elements(id) ON DELETE SET NULL,
    moderation TEXT NOT NULL DEFAULT 'approved' CHECK (moderation IN ('approved', 'pending', 'rejected')),
    position INTEGER,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (workshop_id, key)
);
CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    stakeholder_group TEXT REFERENCES sectors(code) ON UPDATE CASCADE,
    pilot_id INTEGER REFERENCES pilots(id) ON DELETE SET NULL,
    country TEXT,
    joined_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX idx_participants_workshop ON participants(workshop_id);
CREATE TABLE votes (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    round INTEGER NOT NULL DEFAULT 1 CHECK (round >= 1),
    value INTEGER NOT NULL CHECK (value IN (-1, 0, 1)),
    importance INTEGER CHECK (importance BETWEEN 1 AND 5),
    voted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (participant_id, statement_id, round)
);
CREATE INDEX idx_votes_statement ON votes(statement_id, round);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT,
    object_id TEXT,
    rows INTEGER NOT NULL DEFAULT 0,
    detail TEXT
);
CREATE INDEX idx_audit_log_at ON audit_log(at);
""",
    )
    for table, area in VERSION_AREAS.items():
        version_triggers(db, table, area)


@migrations()
def m002_lesson_search(db: Database) -> None:
    """Full-text index over lessons (FTS5, Porter stemming, accents folded), kept in sync by triggers."""
    db["lessons"].enable_fts(
        ["title", "lesson", "context", "recommendation"],
        fts_version="FTS5",
        create_triggers=True,
        tokenize="porter unicode61 remove_diacritics 2",
    )
    # enable_fts populates the index from rows already present, so lessons written before this migration
    # are searchable afterwards.


@migrations()
def m003_upload_history(db: Database) -> None:
    """Every row an upload inserted, changed or removed, with its image before and after, so it can be undone."""
    run_sql(
        db,
        """
CREATE TABLE upload_changes (
    id INTEGER PRIMARY KEY,
    upload_id INTEGER NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
    pilot_id INTEGER,
    table_name TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    before TEXT,
    after TEXT
);
CREATE INDEX idx_upload_changes_upload ON upload_changes(upload_id);
CREATE INDEX idx_upload_changes_pilot ON upload_changes(pilot_id, upload_id);
""",
    )


@migrations()
def m004_analysis_results(db: Database) -> None:
    """Store results of expensive analyses (lesson similarity and clusters) with the data version they came from.

    They are thus recomputed once after the data changes and not on every page view.
    """
    run_sql(
        db,
        """
CREATE TABLE analysis_results (
    name TEXT PRIMARY KEY,
    data_version INTEGER NOT NULL,
    computed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    seconds REAL,
    payload BLOB NOT NULL
);
""",
    )


@migrations()
def m005_prefix_words(db: Database) -> None:
    """Index the words as written (not stemmed), so a search ending in the start of a word finds every word so started.

    "communicat" → communication, communicated… The stemmed index alone cannot, as it holds "commun". Only its
    vocabulary is used (``detail=none`` keeps it small); triggers keep it in step with lessons.
    """
    run_sql(
        db,
        """
CREATE VIRTUAL TABLE lessons_words USING fts5(
    title, lesson, context, recommendation,
    content='lessons', content_rowid='id', tokenize='unicode61 remove_diacritics 2', detail=none
);
CREATE VIRTUAL TABLE lessons_words_vocab USING fts5vocab(lessons_words, 'row');
CREATE TRIGGER lessons_words_ai AFTER INSERT ON lessons BEGIN
    INSERT INTO lessons_words (rowid, title, lesson, context, recommendation)
    VALUES (new.id, new.title, new.lesson, new.context, new.recommendation);
END;
CREATE TRIGGER lessons_words_ad AFTER DELETE ON lessons BEGIN
    INSERT INTO lessons_words (lessons_words, rowid, title, lesson, context, recommendation)
    VALUES ('delete', old.id, old.title, old.lesson, old.context, old.recommendation);
END;
CREATE TRIGGER lessons_words_au AFTER UPDATE ON lessons BEGIN
    INSERT INTO lessons_words (lessons_words, rowid, title, lesson, context, recommendation)
    VALUES ('delete', old.id, old.title, old.lesson, old.context, old.recommendation);
    INSERT INTO lessons_words (rowid, title, lesson, context, recommendation)
    VALUES (new.id, new.title, new.lesson, new.context, new.recommendation);
END;
INSERT INTO lessons_words (lessons_words) VALUES ('rebuild');
""",
    )


@migrations()
def m006_lesson_stakeholder_versions(db: Database) -> None:
    """Make links between lessons and the stakeholders they concern raise the lessons and network data versions.

    Views of either then refresh when a link is added or removed.
    """
    for event in ("INSERT", "UPDATE", "DELETE"):
        run_sql(
            db,
            f"""
CREATE TRIGGER lesson_stakeholders_version_{event.lower()} AFTER {event} ON lesson_stakeholders
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area IN ('lessons', 'network');
END;
""",
        )


@migrations()
def m007_lesson_status_history(db: Database) -> None:
    """Record the lesson lifecycle: every change of a lesson's status with who (account and role), when, why, evidence.

    The evidence is a workshop's code, round and counts. Each lesson gets one first row with the status it had,
    "recorded before the lifecycle existed", so no status is lost and every lesson has a history.
    """
    run_sql(
        db,
        """
CREATE TABLE lesson_status_history (
    id INTEGER PRIMARY KEY,
    lesson_id INTEGER NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
    status_before TEXT,
    status TEXT NOT NULL CHECK (
        status IN ('draft', 'submitted', 'validated', 'contested', 'endorsed', 'applied_elsewhere')
    ),
    source TEXT NOT NULL CHECK (source IN ('before_lifecycle', 'decision', 'workshop', 'upload')),
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    role TEXT,
    reason TEXT,
    workshop TEXT,
    round INTEGER,
    agree INTEGER,
    disagree INTEGER,
    pass INTEGER,
    n INTEGER,
    applied_pilot_id INTEGER REFERENCES pilots(id) ON DELETE SET NULL,
    applied_where TEXT,
    applied_on TEXT,
    note TEXT
);
CREATE INDEX idx_lesson_status_history_lesson ON lesson_status_history(lesson_id, id);
INSERT INTO lesson_status_history (lesson_id, status_before, status, source, at, reason)
SELECT id, NULL, status, 'before_lifecycle', coalesce(updated_at, created_at),
       'recorded before the lifecycle existed'
FROM lessons ORDER BY id;
""",
    )
    for event in ("INSERT", "UPDATE", "DELETE"):
        run_sql(
            db,
            f"""
CREATE TRIGGER lesson_status_history_version_{event.lower()} AFTER {event} ON lesson_status_history
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'lessons';
END;
""",
        )


def _rebuild(db: Database, table: str, create_sql: str, columns: str) -> None:
    """Rebuild ``table`` from ``create_sql`` keeping its rows, ids, indexes and triggers.

    Runs inside the caller's transaction with foreign keys off, so that dropping the old table neither cascades nor
    nulls the rows that refer to it; references by name resolve to the new table once it is renamed.
    """
    kept = [
        r[0]
        for r in db.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            [table],
        )
    ]
    db.execute(create_sql.replace(f"CREATE TABLE {table} (", f"CREATE TABLE {table}_rebuilt ("))
    db.execute(f"INSERT INTO {table}_rebuilt ({columns}) SELECT {columns} FROM {table}")
    db.execute(f"DROP TABLE {table}")
    db.execute(f"ALTER TABLE {table}_rebuilt RENAME TO {table}")
    for sql in kept:
        db.execute(sql)


@migrations(transactional=False)
def m008_model_authoring(db: Database) -> None:
    """Store governance models authored in the app (issue #14).

    The ``editor`` role; models get a position, a source, a retirement date and a current version; elements belong to a
    version (a model voted on keeps the elements its workshops saw); lesson links may be proposed before they are
    accepted. Existing models become version 1.

    The users and model_elements tables are rebuilt (a CHECK and a UNIQUE constraint change), which needs foreign
    keys off; that pragma cannot change inside a transaction, so this migration opens its own.
    """
    foreign_keys = db.execute("PRAGMA foreign_keys").fetchone()[0]
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        with db.atomic():
            _rebuild(
                db,
                "users",
                """CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT,
    email TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'coordinator', 'facilitator', 'viewer')),
    password_hash TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    last_login_at TEXT
)""",
                "id, username, display_name, email, role, password_hash, active, created_at, last_login_at",
            )
            _rebuild(
                db,
                "model_elements",
                """CREATE TABLE model_elements (
    id INTEGER PRIMARY KEY,
    model_id INTEGER NOT NULL REFERENCES governance_models(id) ON DELETE CASCADE,
    version INTEGER NOT NULL DEFAULT 1,
    key TEXT NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL DEFAULT 'principle' CHECK (kind IN ('principle', 'step')),
    name TEXT NOT NULL,
    description TEXT,
    phase TEXT REFERENCES phases(code) ON UPDATE CASCADE,
    UNIQUE (model_id, version, key)
)""",
                "id, model_id, key, position, kind, name, description, phase",
            )
            run_sql(
                db,
                """
ALTER TABLE governance_models ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE governance_models ADD COLUMN position INTEGER;
ALTER TABLE governance_models ADD COLUMN source TEXT;
ALTER TABLE governance_models ADD COLUMN retired_at TEXT;
UPDATE governance_models SET position = (SELECT count(*) FROM governance_models g2 WHERE g2.name < governance_models.name
                                         OR (g2.name = governance_models.name AND g2.id <= governance_models.id));
ALTER TABLE lesson_elements ADD COLUMN status TEXT NOT NULL DEFAULT 'accepted'
    CHECK (status IN ('accepted', 'proposed'));
ALTER TABLE lesson_elements ADD COLUMN proposed_by TEXT;
CREATE TABLE model_versions (
    id INTEGER PRIMARY KEY,
    model_id INTEGER NOT NULL REFERENCES governance_models(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    note TEXT,
    UNIQUE (model_id, number)
);
INSERT INTO model_versions (model_id, number, note) SELECT id, 1, 'as first recorded' FROM governance_models;
CREATE INDEX idx_model_elements_model ON model_elements(model_id, version, position);
""",
            )
            for event in ("INSERT", "UPDATE", "DELETE"):
                run_sql(
                    db,
                    f"""
CREATE TRIGGER model_versions_version_{event.lower()} AFTER {event} ON model_versions
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'models';
END;
""",
                )
            broken = db.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise sqlite3.IntegrityError(f"foreign keys broken by the rebuild: {broken[:5]}")
    finally:
        if foreign_keys:
            db.execute("PRAGMA foreign_keys = ON")


@migrations()
def m009_vocabulary_and_pilot_archive(db: Database) -> None:
    """Let themes be retired and keep a deleted pilot's rows in ``deleted_pilots`` (#14).

    A retired theme is kept on the lessons that carry it and no longer offered for new ones; an administrator can undo a
    pilot's deletion.
    """
    run_sql(
        db,
        """
ALTER TABLE themes ADD COLUMN retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1));
CREATE TABLE deleted_pilots (
    id INTEGER PRIMARY KEY,
    pilot_id INTEGER NOT NULL,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    deleted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    deleted_by TEXT NOT NULL,
    rows INTEGER NOT NULL,
    archive TEXT NOT NULL,
    restored_at TEXT,
    restored_by TEXT
);
CREATE INDEX idx_deleted_pilots_slug ON deleted_pilots(slug);
""",
    )


@migrations()
def m010_model_uploads(db: Database) -> None:
    """Let uploads carry governance models (sheets Models, Model elements, Lesson links).

    The fingerprint of the models an upload changed is kept, so that undoing it is refused once they changed again
    (#14).
    """
    run_sql(db, "ALTER TABLE uploads ADD COLUMN models_fingerprint TEXT;")


@migrations()
def m011_workshop_reports(db: Database) -> None:
    """Let a facilitator publish a workshop's report and answer each statement and suggestion in writing (#16).

    ``workshops.published_at`` is when the public report was published (NULL: not published);
    ``statement_responses`` holds the facilitator's one written response per statement.
    """
    run_sql(
        db,
        """
ALTER TABLE workshops ADD COLUMN published_at TEXT;
CREATE TABLE statement_responses (
    statement_id INTEGER PRIMARY KEY REFERENCES statements(id) ON DELETE CASCADE,
    response TEXT NOT NULL,
    responded_by_role TEXT,
    responded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
""",
    )
    for event in ("INSERT", "UPDATE", "DELETE"):
        run_sql(
            db,
            f"""
CREATE TRIGGER statement_responses_version_{event.lower()} AFTER {event} ON statement_responses
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'workshops';
END;
""",
        )


@migrations()
def m012_staff_sessions(db: Database) -> None:
    """Keep staff signed in across a reload, until they sign out or the session expires (#16).

    A session is known by the SHA-256 hash of its secret token (the browser holds the token in a cookie); signing
    out, a new password or a disabled account ends it here, whatever the browser still holds.
    """
    run_sql(
        db,
        """
CREATE TABLE staff_sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE INDEX idx_staff_sessions_user ON staff_sessions(user_id);
""",
    )


@migrations()
def m013_theme_counts(db: Database) -> None:
    """Keep lesson counts per pilot, theme and kind in a summary table kept by triggers (#18).

    The Overview and *What recurs* then need not visit every lesson; a narrow index on ``lessons(pilot_id, status)``
    lets the per-pilot counts read an index instead of the wide lesson rows. ``lesson_theme_counts`` holds one row per pilot, theme and kind with at least one lesson. Triggers keep it
    equal to a recount on every write: a theme linked or unlinked, a lesson's kind or pilot changed, a lesson
    deleted (directly or with its pilot; its links go after it and then find no lesson, so nothing counts twice).
    """
    run_sql(
        db,
        """
CREATE INDEX idx_lessons_pilot_status ON lessons(pilot_id, status);
CREATE TABLE lesson_theme_counts (
    pilot_id INTEGER NOT NULL,
    theme_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    lessons INTEGER NOT NULL,
    PRIMARY KEY (pilot_id, theme_id, kind)
) WITHOUT ROWID;
INSERT INTO lesson_theme_counts (pilot_id, theme_id, kind, lessons)
    SELECT l.pilot_id, lt.theme_id, l.kind, count(*)
    FROM lesson_themes lt JOIN lessons l ON l.id = lt.lesson_id
    GROUP BY l.pilot_id, lt.theme_id, l.kind;
CREATE TRIGGER lesson_theme_counts_link AFTER INSERT ON lesson_themes
BEGIN
    INSERT INTO lesson_theme_counts (pilot_id, theme_id, kind, lessons)
        SELECT l.pilot_id, new.theme_id, l.kind, 1 FROM lessons l WHERE l.id = new.lesson_id
        ON CONFLICT (pilot_id, theme_id, kind) DO UPDATE SET lessons = lessons + 1;
END;
CREATE TRIGGER lesson_theme_counts_unlink AFTER DELETE ON lesson_themes
BEGIN
    UPDATE lesson_theme_counts SET lessons = lessons - 1
        WHERE theme_id = old.theme_id
          AND (pilot_id, kind) = (SELECT l.pilot_id, l.kind FROM lessons l WHERE l.id = old.lesson_id);
    DELETE FROM lesson_theme_counts WHERE theme_id = old.theme_id AND lessons <= 0;
END;
CREATE TRIGGER lesson_theme_counts_relink AFTER UPDATE OF lesson_id, theme_id ON lesson_themes
BEGIN
    UPDATE lesson_theme_counts SET lessons = lessons - 1
        WHERE theme_id = old.theme_id
          AND (pilot_id, kind) = (SELECT l.pilot_id, l.kind FROM lessons l WHERE l.id = old.lesson_id);
    DELETE FROM lesson_theme_counts WHERE theme_id = old.theme_id AND lessons <= 0;
    INSERT INTO lesson_theme_counts (pilot_id, theme_id, kind, lessons)
        SELECT l.pilot_id, new.theme_id, l.kind, 1 FROM lessons l WHERE l.id = new.lesson_id
        ON CONFLICT (pilot_id, theme_id, kind) DO UPDATE SET lessons = lessons + 1;
END;
CREATE TRIGGER lesson_theme_counts_forget BEFORE DELETE ON lessons
BEGIN
    UPDATE lesson_theme_counts SET lessons = lessons - 1
        WHERE pilot_id = old.pilot_id AND kind = old.kind
          AND theme_id IN (SELECT theme_id FROM lesson_themes WHERE lesson_id = old.id);
    DELETE FROM lesson_theme_counts WHERE pilot_id = old.pilot_id AND kind = old.kind AND lessons <= 0;
END;
CREATE TRIGGER lesson_theme_counts_move AFTER UPDATE OF pilot_id, kind ON lessons
    WHEN old.pilot_id IS NOT new.pilot_id OR old.kind IS NOT new.kind
BEGIN
    UPDATE lesson_theme_counts SET lessons = lessons - 1
        WHERE pilot_id = old.pilot_id AND kind = old.kind
          AND theme_id IN (SELECT theme_id FROM lesson_themes WHERE lesson_id = old.id);
    DELETE FROM lesson_theme_counts WHERE pilot_id = old.pilot_id AND kind = old.kind AND lessons <= 0;
    INSERT INTO lesson_theme_counts (pilot_id, theme_id, kind, lessons)
        SELECT new.pilot_id, theme_id, new.kind, 1 FROM lesson_themes WHERE lesson_id = new.id
        ON CONFLICT (pilot_id, theme_id, kind) DO UPDATE SET lessons = lessons + 1;
END;
""",
    )


@migrations()
def m014_polis_meta_and_source_ids(db: Database) -> None:
    """Keep a statement's meta flag and a participant's id in the source export (#17).

    ``statements.is_meta`` is 1 for a meta statement (Pol.is's ``is_meta``: about the participant or the process, not
    an opinion), stored and shown but left out of the analysis; ``participants.source_id`` is the participant's id in
    the file it was imported from (Pol.is's ``voter-id``), NULL for people who joined here.
    """
    run_sql(
        db,
        """
ALTER TABLE statements ADD COLUMN is_meta INTEGER NOT NULL DEFAULT 0 CHECK (is_meta IN (0, 1));
ALTER TABLE participants ADD COLUMN source_id TEXT;
""",
    )


@migrations()
def m015_words_as_written(db: Database) -> None:
    """Index the words as written with their positions, so a search finds a word's start and hyphenated words as typed.

    m005's ``lessons_words`` kept only its vocabulary (``detail=none``); searching it needs the positions
    (``detail=full``): "communicat" finds communication but not community (both "commun" in the stemmed index), and
    "O-ring" finds the two words side by side. The index is made anew from the lessons already stored; the triggers
    keep it in step as before (#17).
    """
    run_sql(
        db,
        """
DROP TRIGGER IF EXISTS lessons_words_ai;
DROP TRIGGER IF EXISTS lessons_words_ad;
DROP TRIGGER IF EXISTS lessons_words_au;
DROP TABLE IF EXISTS lessons_words_vocab;
DROP TABLE IF EXISTS lessons_words;
CREATE VIRTUAL TABLE lessons_words USING fts5(
    title, lesson, context, recommendation,
    content='lessons', content_rowid='id', tokenize='unicode61 remove_diacritics 2', detail=full
);
CREATE VIRTUAL TABLE lessons_words_vocab USING fts5vocab(lessons_words, 'row');
CREATE TRIGGER lessons_words_ai AFTER INSERT ON lessons BEGIN
    INSERT INTO lessons_words (rowid, title, lesson, context, recommendation)
    VALUES (new.id, new.title, new.lesson, new.context, new.recommendation);
END;
CREATE TRIGGER lessons_words_ad AFTER DELETE ON lessons BEGIN
    INSERT INTO lessons_words (lessons_words, rowid, title, lesson, context, recommendation)
    VALUES ('delete', old.id, old.title, old.lesson, old.context, old.recommendation);
END;
CREATE TRIGGER lessons_words_au AFTER UPDATE ON lessons BEGIN
    INSERT INTO lessons_words (lessons_words, rowid, title, lesson, context, recommendation)
    VALUES ('delete', old.id, old.title, old.lesson, old.context, old.recommendation);
    INSERT INTO lessons_words (rowid, title, lesson, context, recommendation)
    VALUES (new.id, new.title, new.lesson, new.context, new.recommendation);
END;
INSERT INTO lessons_words (lessons_words) VALUES ('rebuild');
""",
    )


@migrations()
def m016_two_mode(db: Database) -> None:
    """Keep an affiliation list two-mode: its actors, its events and who took part in what (#17).

    ``two_mode_lists`` is one imported list (the upload, the pilot whose network holds its projection, the scope: one
    pilot or the whole consortium, and the two columns read); ``two_mode_actors`` (each tied to the stakeholder it
    became), ``two_mode_events`` and ``two_mode_participations`` (one per distinct actor and event, with the row it
    was first read from) hold the two modes. Deleting a list deletes its actors, events and participations.
    """
    run_sql(
        db,
        """
CREATE TABLE two_mode_lists (
    id INTEGER PRIMARY KEY,
    upload_id INTEGER REFERENCES uploads(id) ON DELETE CASCADE,
    pilot_id INTEGER NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    scope TEXT NOT NULL CHECK (scope IN ('pilot', 'consortium')),
    filename TEXT NOT NULL,
    actor_column TEXT NOT NULL,
    event_column TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX idx_two_mode_lists_pilot ON two_mode_lists(pilot_id);
CREATE TABLE two_mode_actors (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES two_mode_lists(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    stakeholder_id INTEGER REFERENCES stakeholders(id) ON DELETE SET NULL,
    UNIQUE (list_id, key)
);
CREATE INDEX idx_two_mode_actors_stakeholder ON two_mode_actors(stakeholder_id);
CREATE TABLE two_mode_events (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES two_mode_lists(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    UNIQUE (list_id, key)
);
CREATE TABLE two_mode_participations (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES two_mode_lists(id) ON DELETE CASCADE,
    actor_id INTEGER NOT NULL REFERENCES two_mode_actors(id) ON DELETE CASCADE,
    event_id INTEGER NOT NULL REFERENCES two_mode_events(id) ON DELETE CASCADE,
    row INTEGER,
    UNIQUE (actor_id, event_id)
);
CREATE INDEX idx_two_mode_participations_event ON two_mode_participations(event_id);
CREATE INDEX idx_two_mode_participations_list ON two_mode_participations(list_id);
""",
    )
    for table in ("two_mode_lists", "two_mode_actors", "two_mode_events", "two_mode_participations"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            run_sql(
                db,
                f"""
CREATE TRIGGER {table}_version_{event.lower()} AFTER {event} ON {table}
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE area = 'network';
END;
""",
            )


@migrations()
def m017_network_attributes(db: Database) -> None:
    """Keep what a network file carries beyond our columns: ``attributes`` of stakeholders and ties (#17).

    A JSON object (attribute name → value: text, number, true/false, or a list for values over time) or NULL, e.g.
    Gephi's *Modularity Class* and layout (``viz:x``, ``viz:y``, ``viz:size``, ``viz:color``), karate's ``club``,
    a GEXF edge ``label``. Written by uploads (logged and undone with the row), written back on GraphML/GEXF export.

    Communities are now found on the network in a canonical order (stable whatever the order of the rows), so the
    stored network analyses are dropped: they are computed again on first view.
    """
    run_sql(
        db,
        """
ALTER TABLE stakeholders ADD COLUMN attributes TEXT CHECK (attributes IS NULL OR json_valid(attributes));
ALTER TABLE ties ADD COLUMN attributes TEXT CHECK (attributes IS NULL OR json_valid(attributes));
DELETE FROM analysis_results WHERE name LIKE 'network%';
""",
    )


def _csv_rows(name: str) -> list[dict]:
    """Read ``lessons/vocabulary/<name>.csv`` (as shipped with the migration that reads it)."""
    with open(Path(__file__).resolve().parent / "vocabulary" / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@migrations()
def m018_catalogue(db: Database) -> None:
    """Add the catalogue of methods and tools, their problems and translations, and who used them (#20).

    Entries (INTERLINK's interlinkers, Participedia's methods, the IMPROVE living lab, We-novate's stages) with the
    problem each addresses, the phase, the effort, a link and a source; their texts in other languages; INTERLINK's
    problem profiles and which entries address them; and the lessons and pilots that used an entry, with who linked
    them. The built-in entries are seeded like the vocabularies (``vocabulary/catalogue.csv``); INTERLINK's
    catalogue is imported (``python -m lessons catalogue import``).
    """
    run_sql(
        db,
        """
CREATE TABLE catalogue_problems (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT,
    phase TEXT REFERENCES phases(code) ON UPDATE CASCADE,
    language TEXT NOT NULL DEFAULT 'en',
    source TEXT
);
CREATE TABLE catalogue_entries (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('method', 'process', 'stage', 'knowledge', 'software')),
    name TEXT NOT NULL,
    description TEXT,
    problem TEXT,
    phase TEXT REFERENCES phases(code) ON UPDATE CASCADE,
    effort TEXT CHECK (effort IS NULL OR effort IN ('low', 'medium', 'high')),
    link TEXT,
    source TEXT,
    licence TEXT,
    language TEXT NOT NULL DEFAULT 'en',
    catalogue TEXT NOT NULL DEFAULT 'built-in',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT
);
CREATE INDEX idx_catalogue_entries_phase ON catalogue_entries(phase);
CREATE TABLE catalogue_translations (
    entry_id INTEGER NOT NULL REFERENCES catalogue_entries(id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    field TEXT NOT NULL CHECK (field IN ('name', 'description', 'problem')),
    text TEXT NOT NULL,
    PRIMARY KEY (entry_id, language, field)
);
CREATE TABLE catalogue_problem_translations (
    problem_id INTEGER NOT NULL REFERENCES catalogue_problems(id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    field TEXT NOT NULL CHECK (field IN ('name', 'description', 'functionality')),
    text TEXT NOT NULL,
    PRIMARY KEY (problem_id, language, field)
);
CREATE TABLE catalogue_entry_problems (
    entry_id INTEGER NOT NULL REFERENCES catalogue_entries(id) ON DELETE CASCADE,
    problem_id INTEGER NOT NULL REFERENCES catalogue_problems(id) ON DELETE CASCADE,
    PRIMARY KEY (entry_id, problem_id)
);
CREATE INDEX idx_catalogue_entry_problems_problem ON catalogue_entry_problems(problem_id);
CREATE TABLE lesson_methods (
    lesson_id INTEGER NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
    entry_id INTEGER NOT NULL REFERENCES catalogue_entries(id) ON DELETE CASCADE,
    linked_by TEXT,
    linked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (lesson_id, entry_id)
);
CREATE INDEX idx_lesson_methods_entry ON lesson_methods(entry_id);
CREATE TABLE pilot_methods (
    pilot_id INTEGER NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    entry_id INTEGER NOT NULL REFERENCES catalogue_entries(id) ON DELETE CASCADE,
    linked_by TEXT,
    linked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (pilot_id, entry_id)
);
CREATE INDEX idx_pilot_methods_entry ON pilot_methods(entry_id);
""",
    )
    # The built-in entries, written before the triggers so migrating changes no data version. The phases they
    # name are seeded first where missing (a new store seeds its vocabularies after the migrations).
    for row in _csv_rows("phases"):
        db.execute(
            "INSERT OR IGNORE INTO phases (code, position, name, description) VALUES (?, ?, ?, ?)",
            [row["code"], int(row["position"]), row["name"], row["description"]],
        )
    for row in _csv_rows("catalogue"):
        db.execute(
            """INSERT OR IGNORE INTO catalogue_entries
                   (code, kind, name, phase, effort, link, source, problem, description)
               VALUES (?, ?, ?, (SELECT code FROM phases WHERE code = ?), ?, ?, ?, ?, ?)""",
            [
                row[c] or None
                for c in ("code", "kind", "name", "phase", "effort", "link", "source", "problem", "description")
            ],
        )
    tables = (
        "catalogue_problems", "catalogue_entries", "catalogue_translations", "catalogue_problem_translations",
        "catalogue_entry_problems", "lesson_methods", "pilot_methods",
    )  # fmt: skip
    for table in tables:  # lessons filter on methods: one data version with them
        version_triggers(db, table, "lessons")


@migrations()
def m019_visibility(db: Database) -> None:
    """Give each pilot and lesson a visibility: ``public``, ``consortium`` (signed-in users) or ``private`` (#20).

    ``private`` is private to the pilot: its coordinators and the administrators. Existing records are public, as
    they were shown before; a lesson is never public while it is a draft, whatever its visibility says: its
    *audience* (the expression ``lessons.visibility.AUDIENCE_SQL``, used by the read scope and the theme counts) is
    then ``consortium``. ``lesson_theme_counts`` gains the audience, so the Overview and *What recurs* count a
    visitor's lessons from the summary without visiting lessons; its triggers now also follow a lesson's status and
    visibility. The narrow index on ``lessons(pilot_id, status)`` gains ``visibility``, so a reader's counts still
    come from the index alone. Files prepared for download before are dropped: they held every record, and are now
    prepared with the public ones only.
    """
    run_sql(
        db,
        """
ALTER TABLE pilots ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
    CHECK (visibility IN ('public', 'consortium', 'private'));
ALTER TABLE lessons ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
    CHECK (visibility IN ('public', 'consortium', 'private'));
CREATE INDEX idx_lessons_pilot_status_visibility ON lessons(pilot_id, status, visibility);
DROP INDEX idx_lessons_pilot_status;
DELETE FROM analysis_results WHERE name LIKE 'prepared:%';
DROP TRIGGER lesson_theme_counts_link;
DROP TRIGGER lesson_theme_counts_unlink;
DROP TRIGGER lesson_theme_counts_relink;
DROP TRIGGER lesson_theme_counts_forget;
DROP TRIGGER lesson_theme_counts_move;
DROP TABLE lesson_theme_counts;
CREATE TABLE lesson_theme_counts (
    pilot_id INTEGER NOT NULL,
    theme_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    audience TEXT NOT NULL,
    lessons INTEGER NOT NULL,
    PRIMARY KEY (pilot_id, theme_id, kind, audience)
) WITHOUT ROWID;
INSERT INTO lesson_theme_counts (pilot_id, theme_id, kind, audience, lessons)
    SELECT l.pilot_id, lt.theme_id, l.kind, (CASE WHEN l.status = 'draft' AND l.visibility = 'public' THEN 'consortium' ELSE l.visibility END), count(*)
    FROM lesson_themes lt JOIN lessons l ON l.id = lt.lesson_id
    GROUP BY l.pilot_id, lt.theme_id, l.kind, (CASE WHEN l.status = 'draft' AND l.visibility = 'public' THEN 'consortium' ELSE l.visibility END);
CREATE TRIGGER lesson_theme_counts_link AFTER INSERT ON lesson_themes
BEGIN
    INSERT INTO lesson_theme_counts (pilot_id, theme_id, kind, audience, lessons)
        SELECT l.pilot_id, new.theme_id, l.kind, (CASE WHEN l.status = 'draft' AND l.visibility = 'public' THEN 'consortium' ELSE l.visibility END), 1 FROM lessons l WHERE l.id = new.lesson_id
        ON CONFLICT (pilot_id, theme_id, kind, audience) DO UPDATE SET lessons = lessons + 1;
END;
CREATE TRIGGER lesson_theme_counts_unlink AFTER DELETE ON lesson_themes
BEGIN
    UPDATE lesson_theme_counts SET lessons = lessons - 1
        WHERE theme_id = old.theme_id
          AND (pilot_id, kind, audience) = (SELECT l.pilot_id, l.kind, (CASE WHEN l.status = 'draft' AND l.visibility = 'public' THEN 'consortium' ELSE l.visibility END) FROM lessons l WHERE l.id = old.lesson_id);
    DELETE FROM lesson_theme_counts WHERE theme_id = old.theme_id AND lessons <= 0;
END;
CREATE TRIGGER lesson_theme_counts_relink AFTER UPDATE OF lesson_id, theme_id ON lesson_themes
BEGIN
    UPDATE lesson_theme_counts SET lessons = lessons - 1
        WHERE theme_id = old.theme_id
          AND (pilot_id, kind, audience) = (SELECT l.pilot_id, l.kind, (CASE WHEN l.status = 'draft' AND l.visibility = 'public' THEN 'consortium' ELSE l.visibility END) FROM lessons l WHERE l.id = old.lesson_id);
    DELETE FROM lesson_theme_counts WHERE theme_id = old.theme_id AND lessons <= 0;
    INSERT INTO lesson_theme_counts (pilot_id, theme_id, kind, audience, lessons)
        SELECT l.pilot_id, new.theme_id, l.kind, (CASE WHEN l.status = 'draft' AND l.visibility = 'public' THEN 'consortium' ELSE l.visibility END), 1 FROM lessons l WHERE l.id = new.lesson_id
        ON CONFLICT (pilot_id, theme_id, kind, audience) DO UPDATE SET lessons = lessons + 1;
END;
CREATE TRIGGER lesson_theme_counts_forget BEFORE DELETE ON lessons
BEGIN
    UPDATE lesson_theme_counts SET lessons = lessons - 1
        WHERE pilot_id = old.pilot_id AND kind = old.kind AND audience = (CASE WHEN old.status = 'draft' AND old.visibility = 'public' THEN 'consortium' ELSE old.visibility END)
          AND theme_id IN (SELECT theme_id FROM lesson_themes WHERE lesson_id = old.id);
    DELETE FROM lesson_theme_counts
        WHERE pilot_id = old.pilot_id AND kind = old.kind AND audience = (CASE WHEN old.status = 'draft' AND old.visibility = 'public' THEN 'consortium' ELSE old.visibility END) AND lessons <= 0;
END;
CREATE TRIGGER lesson_theme_counts_move AFTER UPDATE OF pilot_id, kind, status, visibility ON lessons
    WHEN old.pilot_id IS NOT new.pilot_id OR old.kind IS NOT new.kind OR (CASE WHEN old.status = 'draft' AND old.visibility = 'public' THEN 'consortium' ELSE old.visibility END) IS NOT (CASE WHEN new.status = 'draft' AND new.visibility = 'public' THEN 'consortium' ELSE new.visibility END)
BEGIN
    UPDATE lesson_theme_counts SET lessons = lessons - 1
        WHERE pilot_id = old.pilot_id AND kind = old.kind AND audience = (CASE WHEN old.status = 'draft' AND old.visibility = 'public' THEN 'consortium' ELSE old.visibility END)
          AND theme_id IN (SELECT theme_id FROM lesson_themes WHERE lesson_id = old.id);
    DELETE FROM lesson_theme_counts
        WHERE pilot_id = old.pilot_id AND kind = old.kind AND audience = (CASE WHEN old.status = 'draft' AND old.visibility = 'public' THEN 'consortium' ELSE old.visibility END) AND lessons <= 0;
    INSERT INTO lesson_theme_counts (pilot_id, theme_id, kind, audience, lessons)
        SELECT new.pilot_id, theme_id, new.kind, (CASE WHEN new.status = 'draft' AND new.visibility = 'public' THEN 'consortium' ELSE new.visibility END), 1 FROM lesson_themes WHERE lesson_id = new.id
        ON CONFLICT (pilot_id, theme_id, kind, audience) DO UPDATE SET lessons = lessons + 1;
END;
""",
    )


@migrations()
def m020_stories_and_contributors(db: Database) -> None:
    """Keep pilots' stories and credit their contributors (#20).

    ``stories`` is a pilot's story (title, lead sentence, body in the plain-text markup of ``lessons.stories``, the
    "what others can reuse" box, status draft → submitted → published, visibility); ``story_lessons`` the lessons
    it rests on; ``story_images`` the PNG and JPEG images uploaded with it (re-encoded, alt text required).
    ``contributors`` are people or organisations (with their consent to be named) and ``contributions`` what each gave:
    a lesson, a story or a catalogue entry (``item_kind``, ``item_id`` as text: no foreign key, the catalogue has its
    own tables) and their role. Writes raise the data version of the new area ``stories``.
    """
    run_sql(
        db,
        """
INSERT OR IGNORE INTO data_versions (area) VALUES ('stories');
CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    pilot_id INTEGER NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    lead TEXT,
    body TEXT,
    reuse TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'published')),
    visibility TEXT NOT NULL DEFAULT 'consortium' CHECK (visibility IN ('public', 'consortium', 'private')),
    created_by TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT,
    submitted_at TEXT,
    published_at TEXT,
    published_by TEXT
);
CREATE INDEX idx_stories_pilot ON stories(pilot_id);
CREATE TABLE story_lessons (
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    lesson_id INTEGER NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (story_id, lesson_id)
);
CREATE INDEX idx_story_lessons_lesson ON story_lessons(lesson_id);
CREATE TABLE story_images (
    id INTEGER PRIMARY KEY,
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg')),
    alt TEXT NOT NULL CHECK (length(trim(alt)) > 0),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (story_id, filename)
);
CREATE TABLE contributors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    kind TEXT NOT NULL CHECK (kind IN ('person', 'organisation')),
    organisation TEXT,
    consent INTEGER NOT NULL DEFAULT 0 CHECK (consent IN (0, 1)),
    consent_date TEXT,
    consent_recorded_by TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE contributions (
    id INTEGER PRIMARY KEY,
    contributor_id INTEGER NOT NULL REFERENCES contributors(id) ON DELETE CASCADE,
    item_kind TEXT NOT NULL CHECK (item_kind IN ('lesson', 'story', 'catalogue')),
    item_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (length(trim(role)) > 0),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (contributor_id, item_kind, item_id, role)
);
CREATE INDEX idx_contributions_item ON contributions(item_kind, item_id);
""",
    )
    for table in ("stories", "story_lessons", "story_images", "contributors", "contributions"):
        version_triggers(db, table, "stories")


@migrations()
def m021_pilot_places(db: Database) -> None:
    """Give pilots a place on the map: ``latitude`` and ``longitude`` (decimal degrees, WGS 84), both optional (#20).

    A pilot without them is placed at its country's centre (:mod:`lessons.geo`).
    """
    run_sql(
        db,
        """
ALTER TABLE pilots ADD COLUMN latitude REAL CHECK (latitude IS NULL OR (latitude BETWEEN -90 AND 90));
ALTER TABLE pilots ADD COLUMN longitude REAL CHECK (longitude IS NULL OR (longitude BETWEEN -180 AND 180));
""",
    )


def _stems_row(prefix: str, language: str) -> str:
    """Return the SQL values of one row of ``lessons_stems``: the four texts of ``prefix`` stemmed in ``language``."""
    return ", ".join(f"lessons_stems({prefix}{column}, {language})" for column in _SEARCHED)


_SEARCHED = ("title", "lesson", "context", "recommendation")


def _not_english(prefix: str) -> str:
    """Return the SQL condition that a lesson (its columns after ``prefix``) is not written in English."""
    return f"lower(substr(coalesce({prefix}language, 'en'), 1, 2)) <> 'en'"


@migrations()
def m022_lesson_translations(db: Database) -> None:
    """Let a lesson have translations, and search every lesson and translation by the stems of its own language (#21).

    ``lesson_translations`` holds a lesson's title, text, context and recommendation in another language, with who
    translated it and when. ``lessons_stems`` (FTS5) holds the Snowball stems of each lesson not written in English
    (rowid: the lesson's id; English lessons are searched by the Porter indexes of m002 and m015 as before) and of
    each translation (rowid: minus the translation's rowid) in that text's language, written by triggers
    through the SQLite function ``lessons_stems(text, language)`` (:mod:`lessons.stemming`), which every connection
    the app opens has (:func:`lessons.store.connect`); a connection without it cannot write lessons.
    """
    stemming.register(db.conn)
    columns = ", ".join(_SEARCHED)
    run_sql(
        db,
        f"""
CREATE TABLE lesson_translations (
    lesson_id INTEGER NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
    language TEXT NOT NULL CHECK (length(language) BETWEEN 2 AND 8),
    title TEXT NOT NULL,
    lesson TEXT NOT NULL,
    context TEXT,
    recommendation TEXT,
    translated_by TEXT,
    translated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (lesson_id, language)
);
CREATE INDEX idx_lesson_translations_language ON lesson_translations(language);
CREATE INDEX idx_lessons_language ON lessons(language);
CREATE VIRTUAL TABLE lessons_stems USING fts5(
    {columns}, lesson_id UNINDEXED, language UNINDEXED, tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER lessons_stems_ai AFTER INSERT ON lessons WHEN {_not_english("NEW.")} BEGIN
    INSERT INTO lessons_stems (rowid, {columns}, lesson_id, language)
    VALUES (NEW.id, {_stems_row("NEW.", "NEW.language")}, NEW.id, NEW.language);
END;
CREATE TRIGGER lessons_stems_ad AFTER DELETE ON lessons BEGIN
    DELETE FROM lessons_stems WHERE rowid = OLD.id;
END;
CREATE TRIGGER lessons_stems_au AFTER UPDATE OF {columns}, language ON lessons BEGIN
    DELETE FROM lessons_stems WHERE rowid = OLD.id;
    INSERT INTO lessons_stems (rowid, {columns}, lesson_id, language)
    SELECT NEW.id, {_stems_row("NEW.", "NEW.language")}, NEW.id, NEW.language WHERE {_not_english("NEW.")};
END;
CREATE TRIGGER lesson_translations_stems_ai AFTER INSERT ON lesson_translations BEGIN
    INSERT INTO lessons_stems (rowid, {columns}, lesson_id, language)
    VALUES (-NEW.rowid, {_stems_row("NEW.", "NEW.language")}, NEW.lesson_id, NEW.language);
END;
CREATE TRIGGER lesson_translations_stems_ad AFTER DELETE ON lesson_translations BEGIN
    DELETE FROM lessons_stems WHERE rowid = -OLD.rowid;
END;
CREATE TRIGGER lesson_translations_stems_au AFTER UPDATE ON lesson_translations BEGIN
    DELETE FROM lessons_stems WHERE rowid = -OLD.rowid;
    INSERT INTO lessons_stems (rowid, {columns}, lesson_id, language)
    VALUES (-NEW.rowid, {_stems_row("NEW.", "NEW.language")}, NEW.lesson_id, NEW.language);
END;
INSERT INTO lessons_stems (rowid, {columns}, lesson_id, language)
SELECT id, {_stems_row("", "language")}, id, language FROM lessons WHERE {_not_english("")} ORDER BY id;
""",
    )
    version_triggers(db, "lesson_translations", "lessons")


@migrations()
def m023_statement_translations(db: Database) -> None:
    """Let a workshop statement carry translations, one per language, entered by a facilitator (#21).

    Participants see the statement in their language where a translation exists, the original otherwise; votes stay
    on the statement, so results count it once across languages.
    """
    run_sql(
        db,
        """
CREATE TABLE statement_translations (
    statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    language TEXT NOT NULL CHECK (length(trim(language)) > 0),
    text TEXT NOT NULL CHECK (length(trim(text)) > 0),
    translated_by TEXT,
    translated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (statement_id, language)
);
""",
    )
    version_triggers(db, "statement_translations", "workshops")
