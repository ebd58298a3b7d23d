"""Migrations: an older store moves forward without losing a row; a failing migration changes nothing."""

from __future__ import annotations

import pytest
from sqlite_utils.migrations import Migrations

from lessons import migrations
from lessons.migrations import run_sql
from lessons.store import connect, migrate, open_store, seed_vocabulary

ALL = [
    "m001_initial",
    "m002_lesson_search",
    "m003_upload_history",
    "m004_analysis_results",
    "m005_prefix_words",
    "m006_lesson_stakeholder_versions",
    "m007_lesson_status_history",
    "m008_model_authoring",
    "m009_vocabulary_and_pilot_archive",
    "m010_model_uploads",
    "m011_workshop_reports",
    "m012_staff_sessions",
    "m013_theme_counts",
    "m014_polis_meta_and_source_ids",
    "m015_words_as_written",
    "m016_two_mode",
    "m017_network_attributes",
    "m018_catalogue",
    "m019_visibility",
    "m020_stories_and_contributors",
    "m021_pilot_places",
    "m022_lesson_translations",
    "m023_statement_translations",
]

#: The tables written by ``write_old_store``, with an ORDER BY that makes their dumps comparable.
WRITTEN = {
    "pilots": "id",
    "themes": "id",
    "lessons": "id",
    "lesson_themes": "lesson_id, theme_id",
    "workshops": "id",
    "statements": "id",
    "participants": "id",
    "votes": "id",
    "data_versions": "area",
}


def write_old_store(path):
    """A store as the first release left it: schema m001 only, vocabularies seeded, some data written."""
    db = connect(path)
    migrations.migrations.apply(db, stop_before="m002_lesson_search")
    seed_vocabulary(db)
    with db.atomic():
        db["pilots"].insert(
            {
                "id": 1,
                "slug": "tampere-youth",
                "name": "Youth guidance in Tampere",
                "country": "FI",
                "city": "Tampere",
                "methodology": "cosie",
                "created_at": "2021-01-01T00:00:00Z",
            }
        )
        db["themes"].insert({"id": 100, "code": "night-work", "name": "Night work", "controlled": 0})
        db.execute("UPDATE themes SET name = 'Trust first' WHERE code = 'trust'")
        for lesson_id, key, title, text, kind in [
            (
                1,
                "L01",
                "Local champions kept young people coming",
                "Champions from the youth centre helped.",
                "enabler",
            ),
            (2, "L02", "Procurement delayed the booking system", "Contracts took nine months.", "barrier"),
            (3, "L03", "Feedback in Malmö café sessions", "Participants returned after feedback.", "insight"),
        ]:
            db["lessons"].insert(
                {
                    "id": lesson_id,
                    "pilot_id": 1,
                    "key": key,
                    "title": title,
                    "lesson": text,
                    "kind": kind,
                    "phase": "co-design",
                    "status": "validated",
                    "created_at": "2021-02-01T00:00:00Z",
                }
            )
        trust = db.execute("SELECT id FROM themes WHERE code = 'trust'").fetchone()[0]
        db["lesson_themes"].insert_all(
            [
                {"lesson_id": 1, "theme_id": trust},
                {"lesson_id": 2, "theme_id": 100},
                {"lesson_id": 3, "theme_id": trust},
            ]
        )
        db["workshops"].insert(
            {"id": 1, "code": "ABC234", "title": "Validation", "status": "closed", "created_at": "2021-03-01T00:00:00Z"}
        )
        db["statements"].insert_all(
            [
                {"id": 1, "workshop_id": 1, "key": "S01", "text": "Champions matter", "lesson_id": 1},
                {"id": 2, "workshop_id": 1, "key": "S02", "text": "Procurement is slow", "lesson_id": 2},
            ]
        )
        db.execute("UPDATE statements SET created_at = '2021-03-01T00:00:00Z'")
        db["participants"].insert_all(
            [
                {"id": 1, "workshop_id": 1, "token": "tok-1", "stakeholder_group": "public"},
                {"id": 2, "workshop_id": 1, "token": "tok-2", "stakeholder_group": "citizens"},
            ]
        )
        db.execute("UPDATE participants SET joined_at = '2021-03-01T10:00:00Z'")
        db["votes"].insert_all(
            [
                {"id": 1, "participant_id": 1, "statement_id": 1, "value": 1, "importance": 5},
                {"id": 2, "participant_id": 1, "statement_id": 2, "value": -1},
                {"id": 3, "participant_id": 2, "statement_id": 1, "value": 0},
            ]
        )
        db.execute("UPDATE votes SET voted_at = '2021-03-01T11:00:00Z'")
    assert "lessons_fts" not in db.table_names()
    return db


#: Columns later migrations added to old tables (with defaults): left out when an old store is compared.
ADDED = {
    "themes": {"retired"},
    "workshops": {"published_at"},
    "statements": {"is_meta"},
    "participants": {"source_id"},
    "lessons": {"visibility"},
    "pilots": {"visibility", "latitude", "longitude"},
}


def dump(db) -> dict[str, list[tuple]]:
    def columns(table):
        return ", ".join(r[1] for r in db.execute(f"PRAGMA table_info({table})") if r[1] not in ADDED.get(table, ()))

    return {
        table: db.execute(f"SELECT {columns(table)} FROM {table} ORDER BY {order}").fetchall()
        for table, order in WRITTEN.items()
    }


@pytest.fixture
def old_store(tmp_path):
    """The path of a closed store at schema m001 with data in it, and a dump of that data."""
    path = tmp_path / "old.db"
    db = write_old_store(path)
    before = dump(db)
    db.close()
    return path, before


def test_old_store_has_only_the_first_migration(old_store):
    path, _ = old_store
    db = connect(path)
    assert [m.name for m in migrations.migrations.applied(db)] == ["m001_initial"]
    assert [m.name for m in migrations.migrations.pending(db)] == ALL[1:]
    db.close()


#: Data areas later migrations add: they start at version 0 beside the old store's (m020: stories).
NEW_AREAS = {"stories": 0}


def old_areas(rows: list[tuple]) -> list[tuple]:
    """The data versions of the areas an m001 store had, after checking that every newer area starts at 0."""
    assert {area: version for area, version in rows if area in NEW_AREAS} == NEW_AREAS
    return [(area, version) for area, version in rows if area not in NEW_AREAS]


def test_reopening_an_old_store_keeps_every_row(old_store):
    path, before = old_store
    db = open_store(path)
    after = dump(db)
    after["data_versions"] = old_areas(after["data_versions"])
    assert after == before
    db.close()


def test_reopened_old_store_literal_rows(old_store):
    path, _ = old_store
    db = open_store(path)
    assert db.execute("SELECT id, slug, name, country, city, methodology FROM pilots").fetchall() == [
        (1, "tampere-youth", "Youth guidance in Tampere", "FI", "Tampere", "cosie")
    ]
    assert db.execute("SELECT id, pilot_id, key, title, kind, phase, status FROM lessons ORDER BY id").fetchall() == [
        (1, 1, "L01", "Local champions kept young people coming", "enabler", "co-design", "validated"),
        (2, 1, "L02", "Procurement delayed the booking system", "barrier", "co-design", "validated"),
        (3, 1, "L03", "Feedback in Malmö café sessions", "insight", "co-design", "validated"),
    ]
    assert db.execute(
        """SELECT lt.lesson_id, t.code, t.name FROM lesson_themes lt JOIN themes t ON t.id = lt.theme_id
           ORDER BY lt.lesson_id"""
    ).fetchall() == [(1, "trust", "Trust first"), (2, "night-work", "Night work"), (3, "trust", "Trust first")]
    assert db.execute("SELECT count(*) FROM themes").fetchone() == (14,)
    assert db.execute("SELECT id, code, title, status FROM workshops").fetchall() == [
        (1, "ABC234", "Validation", "closed")
    ]
    assert db.execute(
        "SELECT id, participant_id, statement_id, round, value, importance FROM votes ORDER BY id"
    ).fetchall() == [(1, 1, 1, 1, 1, 5), (2, 1, 2, 1, -1, None), (3, 2, 1, 1, 0, None)]
    db.close()


def test_new_index_finds_lessons_written_before_the_migration(old_store):
    path, _ = old_store
    db = open_store(path)

    def found(match):
        return [
            r[0] for r in db.execute("SELECT rowid FROM lessons_fts WHERE lessons_fts MATCH ? ORDER BY rowid", [match])
        ]

    assert found("champion") == [1]
    assert found("procurement") == [2]
    assert found("contracts") == [2]
    assert found("malmo cafe") == [3]
    # and the triggers keep it in sync from now on
    db.execute("UPDATE lessons SET title = 'Interpreters doubled turnout' WHERE id = 2")
    assert found("procurement") == []
    assert found("interpreters") == [2]
    db.close()


def test_words_index_is_rebuilt_with_positions_for_lessons_already_stored(tmp_path):
    """A store from before m016 (words index without positions) is searched as written once reopened (#17)."""
    from lessons.queries import search_lessons

    path = tmp_path / "m011.db"
    db = connect(path)
    migrations.migrations.apply(db, stop_before="m015_words_as_written")
    seed_vocabulary(db)
    pilot = db["pilots"].insert({"slug": "p", "name": "P", "country": "FI"}).last_pk
    for key, text in {"L1": "Communication and the O-ring.", "L2": "The community, an O ring."}.items():
        db["lessons"].insert({"pilot_id": pilot, "key": key, "title": key, "lesson": text, "kind": "insight"})
    db.close()
    db = open_store(path)
    assert "detail=full" in db.execute("SELECT sql FROM sqlite_master WHERE name = 'lessons_words'").fetchone()[0]
    assert list(search_lessons(db, query="communicat")["key"]) == ["L1"]
    assert list(search_lessons(db, query="O-ring")["key"]) == ["L1"]
    db["lessons"].insert({"pilot_id": pilot, "key": "L3", "title": "L3", "lesson": "Communicating.", "kind": "insight"})
    assert sorted(search_lessons(db, query="communicat")["key"]) == ["L1", "L3"]  # triggers still keep it in step
    db.close()


def test_migrations_table_lists_every_migration_and_reopening_applies_nothing(old_store):
    path, _ = old_store
    db = connect(path)
    assert migrate(db) == ALL[1:]
    db.close()
    db = open_store(path)
    assert db.execute("SELECT migration_set, name FROM _sqlite_migrations ORDER BY id").fetchall() == [
        ("cross_pilot_lessons", "m001_initial"),
        ("cross_pilot_lessons", "m002_lesson_search"),
        ("cross_pilot_lessons", "m003_upload_history"),
        ("cross_pilot_lessons", "m004_analysis_results"),
        ("cross_pilot_lessons", "m005_prefix_words"),
        ("cross_pilot_lessons", "m006_lesson_stakeholder_versions"),
        ("cross_pilot_lessons", "m007_lesson_status_history"),
        ("cross_pilot_lessons", "m008_model_authoring"),
        ("cross_pilot_lessons", "m009_vocabulary_and_pilot_archive"),
        ("cross_pilot_lessons", "m010_model_uploads"),
        ("cross_pilot_lessons", "m011_workshop_reports"),
        ("cross_pilot_lessons", "m012_staff_sessions"),
        ("cross_pilot_lessons", "m013_theme_counts"),
        ("cross_pilot_lessons", "m014_polis_meta_and_source_ids"),
        ("cross_pilot_lessons", "m015_words_as_written"),
        ("cross_pilot_lessons", "m016_two_mode"),
        ("cross_pilot_lessons", "m017_network_attributes"),
        ("cross_pilot_lessons", "m018_catalogue"),
        ("cross_pilot_lessons", "m019_visibility"),
        ("cross_pilot_lessons", "m020_stories_and_contributors"),
        ("cross_pilot_lessons", "m021_pilot_places"),
        ("cross_pilot_lessons", "m022_lesson_translations"),
        ("cross_pilot_lessons", "m023_statement_translations"),
    ]
    assert migrate(db) == []
    db.close()


def test_new_store_applies_every_migration_once(tmp_path):
    db = connect(tmp_path / "new.db")
    assert migrate(db) == ALL
    assert migrate(db) == []
    db.close()


def test_data_version_survives_the_migration(old_store):
    path, before = old_store
    db = open_store(path)
    assert (
        old_areas(db.execute("SELECT area, version FROM data_versions ORDER BY area").fetchall())
        == before["data_versions"]
    )
    db.close()


def schema(db) -> list[tuple]:
    return db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def test_failing_migration_leaves_the_store_unchanged(tmp_path):
    path = tmp_path / "store.db"
    write_old_store(path).close()
    db = open_store(path)
    before_rows, before_schema = dump(db), schema(db)
    before_applied = db.execute("SELECT migration_set, name FROM _sqlite_migrations ORDER BY id").fetchall()

    throwaway = Migrations("throwaway_for_tests")

    @throwaway()
    def t001_works(db):
        db["scratch"].create({"id": int}, pk="id")

    @throwaway()
    def t002_fails_half_way(db):
        run_sql(
            db,
            """
ALTER TABLE lessons ADD COLUMN summary TEXT;
UPDATE lessons SET summary = 'changed', title = 'changed';
DELETE FROM votes;
CREATE TABLE half_done (id INTEGER PRIMARY KEY);
CREATE TRIGGER half_done_trigger AFTER INSERT ON half_done
BEGIN
    UPDATE data_versions SET version = version + 100;
END;
""",
        )
        raise RuntimeError("boom")

    throwaway.apply(db, stop_before="t002_fails_half_way")
    after_first = schema(db)
    with pytest.raises(RuntimeError, match="boom"):
        throwaway.apply(db)
    db.close()

    db = connect(path)
    assert dump(db) == before_rows
    assert schema(db) == after_first
    assert "summary" not in db["lessons"].columns_dict
    assert "half_done" not in db.table_names()
    assert [s for s in schema(db) if s not in before_schema] == [s for s in after_first if s not in before_schema]
    assert db.execute("SELECT migration_set, name FROM _sqlite_migrations ORDER BY id").fetchall() == before_applied + [
        ("throwaway_for_tests", "t001_works")
    ]
    assert [m.name for m in throwaway.pending(db)] == ["t002_fails_half_way"]
    assert migrate(db) == []
    db.close()


def test_run_sql_keeps_trigger_bodies_whole_and_refuses_a_dangling_statement(db):
    run_sql(
        db,
        """
CREATE TABLE t (x INTEGER);
CREATE TABLE t_log (x INTEGER);
CREATE TRIGGER t_ai AFTER INSERT ON t
BEGIN
    INSERT INTO t_log VALUES (new.x);
    INSERT INTO t_log VALUES (new.x * 10);
END;
INSERT INTO t VALUES (2);
""",
    )
    assert db.execute("SELECT x FROM t_log ORDER BY x").fetchall() == [(2,), (20,)]
    with pytest.raises(ValueError, match="incomplete SQL statement"):
        run_sql(db, "INSERT INTO t VALUES (3);\nINSERT INTO t VALUES (4)")
