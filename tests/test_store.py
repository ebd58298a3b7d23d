"""The store: schema, constraints, full-text index, data versions, path resolution and vocabularies."""

from __future__ import annotations

import sqlite3

import pytest

from lessons import store
from lessons.store import (
    TABLES,
    data_version,
    open_store,
    resolve_db_path,
    seed_vocabulary,
    table_counts,
)

PILOT_OWNED = ("lessons", "stakeholders", "ties", "uploads")


def add_pilot(db, slug="tampere", country="FI") -> int:
    return db["pilots"].insert({"slug": slug, "name": slug.title(), "country": country}).last_pk


def add_lesson(db, pilot_id, key="L01", **fields) -> int:
    row = {
        "pilot_id": pilot_id,
        "key": key,
        "title": "A lesson",
        "lesson": "Something was learned.",
        "kind": "insight",
        **fields,
    }
    return db["lessons"].insert(row).last_pk


def add_stakeholder(db, pilot_id, key) -> int:
    return db["stakeholders"].insert({"pilot_id": pilot_id, "key": key, "name": key, "sector": "public"}).last_pk


def fts_ids(db, match: str) -> list[int]:
    return [r[0] for r in db.execute("SELECT rowid FROM lessons_fts WHERE lessons_fts MATCH ? ORDER BY rowid", [match])]


# --- schema -------------------------------------------------------------------------------------------------


def test_every_table_exists(db):
    assert set(TABLES) <= set(db.table_names())


@pytest.mark.parametrize("table", PILOT_OWNED)
def test_pilot_owned_tables_have_pilot_id(db, table):
    assert "pilot_id" in db[table].columns_dict


def test_foreign_keys_are_on(db):
    assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    with pytest.raises(sqlite3.IntegrityError):
        add_lesson(db, pilot_id=999)
    assert db["lessons"].count == 0


def test_file_store_uses_wal_and_busy_timeout(tmp_path):
    db = open_store(tmp_path / "store.db")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA busy_timeout").fetchone() == (5000,)
        assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    finally:
        db.close()


def test_read_only_connection_cannot_write(tmp_path):
    path = tmp_path / "store.db"
    open_store(path).close()
    ro = store.connect(path, readonly=True)
    try:
        assert ro.execute("PRAGMA busy_timeout").fetchone() == (5000,)
        with pytest.raises(sqlite3.OperationalError):
            ro.execute("INSERT INTO pilots (slug, name, country) VALUES ('x', 'X', 'FI')")
    finally:
        ro.close()


@pytest.mark.parametrize("country", ["fi", "Fi", "FIN", "F", ""])
def test_country_must_be_two_upper_case_letters(db, country):
    with pytest.raises(sqlite3.IntegrityError):
        add_pilot(db, country=country)


@pytest.mark.parametrize("country", ["12", "F1", "éé"])
def test_country_refuses_digits_and_non_ascii(db, country):
    with pytest.raises(sqlite3.IntegrityError):
        add_pilot(db, country=country)


def test_valid_country_is_stored(db):
    add_pilot(db, country="FI")
    assert db.execute("SELECT slug, country FROM pilots").fetchall() == [("tampere", "FI")]


def make_vote_fixture(db) -> tuple[int, int]:
    workshop = db["workshops"].insert({"code": "ABC234", "title": "Validation"}).last_pk
    statement = db["statements"].insert({"workshop_id": workshop, "key": "S01", "text": "Trust matters"}).last_pk
    participant = db["participants"].insert({"workshop_id": workshop, "token": "t1"}).last_pk
    return participant, statement


def test_one_vote_per_participant_statement_and_round(db):
    participant, statement = make_vote_fixture(db)
    db["votes"].insert({"participant_id": participant, "statement_id": statement, "round": 1, "value": 1})
    with pytest.raises(sqlite3.IntegrityError):
        db["votes"].insert({"participant_id": participant, "statement_id": statement, "round": 1, "value": -1})
    db["votes"].insert({"participant_id": participant, "statement_id": statement, "round": 2, "value": -1})
    assert db.execute("SELECT participant_id, statement_id, round, value FROM votes ORDER BY round").fetchall() == [
        (participant, statement, 1, 1),
        (participant, statement, 2, -1),
    ]


@pytest.mark.parametrize("value", [2, -2])
def test_vote_value_is_agree_disagree_or_pass(db, value):
    participant, statement = make_vote_fixture(db)
    with pytest.raises(sqlite3.IntegrityError):
        db["votes"].insert({"participant_id": participant, "statement_id": statement, "value": value})


def test_self_tie_is_refused(db):
    pilot = add_pilot(db)
    a = add_stakeholder(db, pilot, "S01")
    with pytest.raises(sqlite3.IntegrityError):
        db["ties"].insert({"pilot_id": pilot, "source_id": a, "target_id": a})
    assert db["ties"].count == 0


def test_tie_across_pilots_is_refused(db):
    one, two = add_pilot(db, "tampere"), add_pilot(db, "oulu")
    a, b = add_stakeholder(db, one, "S01"), add_stakeholder(db, two, "S01")
    with pytest.raises(sqlite3.IntegrityError, match="own pilot"):
        db["ties"].insert({"pilot_id": one, "source_id": a, "target_id": b})
    with pytest.raises(sqlite3.IntegrityError, match="own pilot"):
        db["ties"].insert({"pilot_id": two, "source_id": a, "target_id": b})
    assert db["ties"].count == 0


def test_tie_cannot_be_moved_across_pilots_by_update(db):
    one, two = add_pilot(db, "tampere"), add_pilot(db, "oulu")
    a, b, c = add_stakeholder(db, one, "S01"), add_stakeholder(db, one, "S02"), add_stakeholder(db, two, "S01")
    tie = db["ties"].insert({"pilot_id": one, "source_id": a, "target_id": b}).last_pk
    with pytest.raises(sqlite3.IntegrityError, match="own pilot"):
        db.execute("UPDATE ties SET target_id = ? WHERE id = ?", [c, tie])
    assert db.execute("SELECT pilot_id, source_id, target_id, relation, period FROM ties").fetchall() == [
        (one, a, b, "collaboration", "end")
    ]


def test_tie_within_a_pilot_is_stored(db):
    pilot = add_pilot(db)
    a, b = add_stakeholder(db, pilot, "S01"), add_stakeholder(db, pilot, "S02")
    db["ties"].insert({"pilot_id": pilot, "source_id": a, "target_id": b, "weight": 3, "period": "baseline"})
    assert db.execute("SELECT pilot_id, source_id, target_id, weight, period, directed FROM ties").fetchall() == [
        (pilot, a, b, 3.0, "baseline", 0)
    ]


@pytest.mark.parametrize("kind", ["enabler", "barrier", "recommendation", "insight"])
def test_lesson_kinds_accepted(db, kind):
    add_lesson(db, add_pilot(db), kind=kind)
    assert db.execute("SELECT kind, status FROM lessons").fetchall() == [(kind, "draft")]


@pytest.mark.parametrize("field, value", [("kind", "lesson"), ("kind", "Barrier"), ("status", "approved")])
def test_lesson_kind_and_status_checks(db, field, value):
    pilot = add_pilot(db)
    with pytest.raises(sqlite3.IntegrityError):
        add_lesson(db, pilot, **{field: value})


@pytest.mark.parametrize("status", store.STATUSES)
def test_lesson_statuses_accepted(db, status):
    add_lesson(db, add_pilot(db), status=status)
    assert db.execute("SELECT status FROM lessons").fetchall() == [(status,)]


def test_lesson_key_unique_within_pilot(db):
    one, two = add_pilot(db, "tampere"), add_pilot(db, "oulu")
    add_lesson(db, one, "L01")
    add_lesson(db, two, "L01")
    with pytest.raises(sqlite3.IntegrityError):
        add_lesson(db, one, "L01")


# --- full-text search ---------------------------------------------------------------------------------------


def test_fts_follows_insert_update_and_delete(db):
    pilot = add_pilot(db)
    lesson = add_lesson(db, pilot, title="Procurement rules delayed the service", lesson="Contracts took months.")
    assert fts_ids(db, "procurement") == [lesson]
    assert fts_ids(db, "contracts") == [lesson]

    db["lessons"].update(lesson, {"title": "Interpreters doubled turnout"})
    assert fts_ids(db, "procurement") == []
    assert fts_ids(db, "interpreters") == [lesson]
    assert fts_ids(db, "contracts") == [lesson]

    db["lessons"].delete(lesson)
    assert fts_ids(db, "interpreters") == []
    assert fts_ids(db, "contracts") == []


def test_fts_indexes_context_and_recommendation(db):
    lesson = add_lesson(db, add_pilot(db), context="A change of government.", recommendation="Brief the deputy mayor.")
    assert fts_ids(db, "government") == [lesson]
    assert fts_ids(db, "mayor") == [lesson]


def test_fts_porter_stemming(db):
    pilot = add_pilot(db)
    lesson = add_lesson(db, pilot, title="Local champions brokered trust")
    assert fts_ids(db, "champion") == [lesson]
    assert fts_ids(db, "broker") == [lesson]
    assert fts_ids(db, '"local champion"') == [lesson]


def test_fts_folds_accents(db):
    pilot = add_pilot(db)
    lesson = add_lesson(db, pilot, title="Residents of Malmö met at the café in Gdańsk and Košice")
    assert fts_ids(db, "malmo") == [lesson]
    assert fts_ids(db, "cafe") == [lesson]
    assert fts_ids(db, "Malmö") == [lesson]
    assert fts_ids(db, "gdansk kosice") == [lesson]


# --- data versions ------------------------------------------------------------------------------------------


def versions(db) -> dict[str, int]:
    return dict(db.execute("SELECT area, version FROM data_versions").fetchall())


def test_data_version_areas(db):
    assert set(versions(db)) == {"lessons", "network", "models", "workshops", "accounts", "stories"}
    with pytest.raises(ValueError, match="unknown data area"):
        data_version(db, "nope")


def test_data_version_total_is_the_sum(db):
    assert data_version(db) == sum(versions(db).values())


def test_vote_bumps_workshops_only(db):
    participant, statement = make_vote_fixture(db)
    before = versions(db)
    db["votes"].insert({"participant_id": participant, "statement_id": statement, "value": 0})
    after = versions(db)
    assert after["workshops"] == before["workshops"] + 1
    assert {k: v for k, v in after.items() if k != "workshops"} == {k: v for k, v in before.items() if k != "workshops"}


@pytest.mark.parametrize(
    "area, write",
    [
        ("lessons", lambda db, p: add_lesson(db, p)),
        ("lessons", lambda db, p: db.execute("UPDATE pilots SET name = 'Renamed' WHERE id = ?", [p])),
        ("lessons", lambda db, p: db.execute("UPDATE themes SET name = 'Trust!' WHERE code = 'trust'")),
        ("network", lambda db, p: add_stakeholder(db, p, "S01")),
        ("models", lambda db, p: db["governance_models"].insert({"slug": "m", "name": "M"})),
        ("workshops", lambda db, p: db["workshops"].insert({"code": "XYZ234", "title": "W"})),
        (
            "accounts",
            lambda db, p: db["users"].insert({"username": "ann", "role": "viewer"}),
        ),
    ],
)
def test_write_bumps_only_its_area(db, area, write):
    pilot = add_pilot(db)
    before = versions(db)
    write(db, pilot)
    after = versions(db)
    assert after[area] > before[area]
    assert {k: v for k, v in after.items() if k != area} == {k: v for k, v in before.items() if k != area}


def test_delete_bumps_version(db):
    pilot = add_pilot(db)
    lesson = add_lesson(db, pilot)
    before = data_version(db, "lessons")
    db["lessons"].delete(lesson)
    assert data_version(db, "lessons") == before + 1


def test_uploads_and_audit_log_bump_nothing(db):
    before = versions(db)
    db["uploads"].insert({"filename": "x.csv"})
    db["audit_log"].insert({"actor": "me", "action": "test"})
    assert versions(db) == before


# --- path resolution ----------------------------------------------------------------------------------------


def test_resolve_db_path_explicit_beats_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LESSONS_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(tmp_path / "explicit.db") == tmp_path / "explicit.db"
    assert resolve_db_path(str(tmp_path / "explicit.db")) == tmp_path / "explicit.db"


def test_resolve_db_path_environment_beats_default(monkeypatch, tmp_path):
    monkeypatch.setenv("LESSONS_DB", str(tmp_path / "env.db"))
    assert resolve_db_path() == tmp_path / "env.db"
    assert resolve_db_path(None) == tmp_path / "env.db"


def test_resolve_db_path_default(monkeypatch):
    monkeypatch.delenv("LESSONS_DB", raising=False)
    assert resolve_db_path() == store.PROJECT_DIR / "data" / "lessons.db"
    monkeypatch.setenv("LESSONS_DB", "")
    assert resolve_db_path() == store.PROJECT_DIR / "data" / "lessons.db"


# --- vocabularies -------------------------------------------------------------------------------------------


def dump(db, table):
    return db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()


def test_seed_vocabulary_is_idempotent(db):
    vocab = ("themes", "phases", "sectors", "methodologies", "methodology_steps")
    before = {t: dump(db, t) for t in vocab}
    version = data_version(db)
    seed_vocabulary(db)
    seed_vocabulary(db)
    assert {t: dump(db, t) for t in vocab} == before
    assert data_version(db) == version


def test_seed_vocabulary_keeps_a_renamed_theme(db):
    db.execute("UPDATE themes SET name = 'Trust, above all' WHERE code = 'trust'")
    db.execute("UPDATE phases SET name = 'Kick-off' WHERE code = 'initiate'")
    seed_vocabulary(db)
    assert db.execute("SELECT code, name, controlled FROM themes WHERE code = 'trust'").fetchall() == [
        ("trust", "Trust, above all", 1)
    ]
    assert db.execute("SELECT count(*) FROM themes WHERE code = 'trust'").fetchone() == (1,)
    assert db.execute("SELECT name FROM phases WHERE code = 'initiate'").fetchone() == ("Kick-off",)


def test_seed_vocabulary_restores_missing_rows_only(db):
    db["themes"].insert({"code": "local", "name": "A local theme", "controlled": 0})
    db.execute("DELETE FROM themes WHERE code = 'policy'")
    seed_vocabulary(db)
    assert db.execute("SELECT count(*) FROM themes").fetchone() == (14,)
    assert db.execute(
        "SELECT name, controlled FROM themes WHERE code IN ('local', 'policy') ORDER BY code"
    ).fetchall() == [
        ("A local theme", 0),
        ("Policy and political support", 1),
    ]


def test_vocabulary_phases_in_order(db):
    assert db.execute("SELECT code, position FROM phases ORDER BY position").fetchall() == [
        ("initiate", 1),
        ("understand", 2),
        ("co-design", 3),
        ("co-deliver", 4),
        ("evaluate", 5),
    ]


def test_table_counts_on_the_empty_store(db):
    assert table_counts(db) == {
        "pilots": 0,
        "lessons": 0,
        "themes": 13,
        "lesson_themes": 0,
        "lesson_groups": 0,
        "lesson_translations": 0,
        "statement_translations": 0,
        "phases": 5,
        "methodologies": 5,
        "methodology_steps": 24,
        "sectors": 6,
        "organisations": 0,
        "stakeholders": 0,
        "lesson_stakeholders": 0,
        "lesson_status_history": 0,
        "ties": 0,
        "two_mode_lists": 0,
        "two_mode_actors": 0,
        "two_mode_events": 0,
        "two_mode_participations": 0,
        "governance_models": 0,
        "model_elements": 0,
        "model_versions": 0,
        "lesson_elements": 0,
        "workshops": 0,
        "statements": 0,
        "participants": 0,
        "votes": 0,
        "statement_responses": 0,
        "uploads": 0,
        "upload_changes": 0,
        "users": 0,
        "user_pilots": 0,
        "staff_sessions": 0,
        "audit_log": 0,
        "deleted_pilots": 0,
        "catalogue_problems": 0,
        "catalogue_entries": 12,  # the built-in entries (m018)
        "catalogue_translations": 0,
        "catalogue_problem_translations": 0,
        "catalogue_entry_problems": 0,
        "lesson_methods": 0,
        "pilot_methods": 0,
        "stories": 0,
        "story_lessons": 0,
        "story_images": 0,
        "contributors": 0,
        "contributions": 0,
    }
    assert list(table_counts(db)) == TABLES


def test_is_empty(db):
    assert store.is_empty(db)
    add_pilot(db)
    assert not store.is_empty(db)
