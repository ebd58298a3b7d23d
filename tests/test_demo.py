"""The demo database keeps issue #2's promise, and a broken demo source is refused without writing anything."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from lessons import queries
from lessons.demo import DEMO_DIR, DEMO_NOTICE, DemoDataError, load_demo, read_demo
from lessons.store import KINDS, data_version, table_counts


def one(db, sql, params=()):
    return db.execute(sql, list(params)).fetchone()[0]


def column(db, sql, params=()):
    return [r[0] for r in db.execute(sql, list(params)).fetchall()]


# --- the promise of issue #2 --------------------------------------------------------------------------------


def test_pilots_countries_service_areas_and_methodologies(demo_db):
    assert one(demo_db, "SELECT count(*) FROM pilots") >= 12
    assert one(demo_db, "SELECT count(DISTINCT country) FROM pilots") >= 8
    assert one(demo_db, "SELECT count(DISTINCT lower(service_area)) FROM pilots") >= 8
    assert one(demo_db, "SELECT count(DISTINCT methodology) FROM pilots") >= 4
    assert one(demo_db, "SELECT count(*) FROM pilots WHERE methodology IS NULL OR service_area IS NULL") == 0


def test_every_pilot_has_lessons_and_stakeholders(demo_db):
    assert (
        one(
            demo_db,
            """SELECT count(*) FROM pilots p WHERE NOT EXISTS (SELECT 1 FROM lessons l WHERE l.pilot_id = p.id)
               OR NOT EXISTS (SELECT 1 FROM stakeholders s WHERE s.pilot_id = p.id)""",
        )
        == 0
    )


def test_lessons_cover_every_theme_phase_and_kind(demo_db):
    assert one(demo_db, "SELECT count(*) FROM lessons") >= 180
    uncovered = column(
        demo_db,
        """SELECT t.code FROM themes t WHERE t.controlled = 1
           AND NOT EXISTS (SELECT 1 FROM lesson_themes lt WHERE lt.theme_id = t.id) ORDER BY t.code""",
    )
    assert uncovered == []
    assert (
        column(demo_db, "SELECT code FROM phases WHERE code NOT IN (SELECT phase FROM lessons WHERE phase IS NOT NULL)")
        == []
    )
    assert sorted(column(demo_db, "SELECT DISTINCT kind FROM lessons")) == sorted(KINDS)


def test_every_lesson_has_one_to_three_themes(demo_db):
    counts = column(
        demo_db,
        "SELECT (SELECT count(*) FROM lesson_themes lt WHERE lt.lesson_id = l.id) FROM lessons l",
    )
    assert counts and min(counts) >= 1 and max(counts) <= 3


def test_stakeholders_in_every_sector(demo_db):
    assert one(demo_db, "SELECT count(*) FROM stakeholders") >= 300
    assert column(demo_db, "SELECT DISTINCT sector FROM stakeholders ORDER BY sector") == [
        "citizens",
        "civil_society",
        "private",
        "public",
        "research",
    ]


def test_an_organisation_is_active_in_several_pilots(demo_db):
    """Each organisation named in stakeholders.csv is stored once and linked to its actors in every pilot."""
    stored = {}
    for name, pilot in demo_db.execute(
        """SELECT o.name, p.slug FROM organisations o JOIN stakeholders s ON s.organisation_id = o.id
           JOIN pilots p ON p.id = s.pilot_id"""
    ):
        stored.setdefault(name, set()).add(pilot)
    with open(DEMO_DIR / "stakeholders.csv", encoding="utf-8", newline="") as f:
        source = {}
        for row in csv.DictReader(f):
            if row["organisation"]:
                source.setdefault(row["organisation"], set()).add(row["pilot"])
    assert stored == source
    assert one(demo_db, "SELECT count(*) FROM organisations") == len(source) == 14
    shared = {name: len(pilots) for name, pilots in stored.items() if len(pilots) >= 2}
    assert len(shared) == 14 and shared["Caritas Europa"] == 3 and shared["European Network of Living Labs"] == 5


def test_ties_with_baseline_and_end(demo_db):
    assert one(demo_db, "SELECT count(*) FROM ties") >= 800
    assert column(demo_db, "SELECT DISTINCT period FROM ties ORDER BY period") == ["baseline", "end"]
    assert (
        one(
            demo_db,
            """SELECT count(*) FROM ties t JOIN stakeholders a ON a.id = t.source_id JOIN stakeholders b
               ON b.id = t.target_id WHERE a.pilot_id <> t.pilot_id OR b.pilot_id <> t.pilot_id""",
        )
        == 0
    )


def test_four_governance_models_with_elements_and_lesson_links(demo_db):
    rows = demo_db.execute(
        """SELECT gm.slug,
                  (SELECT count(*) FROM model_elements e WHERE e.model_id = gm.id),
                  (SELECT count(*) FROM lesson_elements le JOIN model_elements e ON e.id = le.element_id
                   WHERE e.model_id = gm.id)
           FROM governance_models gm ORDER BY gm.slug"""
    ).fetchall()
    assert len(rows) == 4
    for slug, elements, links in rows:
        assert elements > 0, slug
        assert links > 0, slug
    assert column(demo_db, "SELECT DISTINCT stance FROM lesson_elements ORDER BY stance") == ["challenges", "supports"]


def test_two_closed_workshops_with_votes_from_40_participants_each(demo_db):
    rows = demo_db.execute(
        """SELECT w.code, w.status,
                  (SELECT count(DISTINCT v.participant_id) FROM votes v JOIN statements s ON s.id = v.statement_id
                   WHERE s.workshop_id = w.id)
           FROM workshops w ORDER BY w.code"""
    ).fetchall()
    assert len(rows) == 2
    for code, status, voters in rows:
        assert status == "closed", code
        assert voters >= 40, code


def test_votes_come_from_participants_of_the_same_workshop(demo_db):
    assert (
        one(
            demo_db,
            """SELECT count(*) FROM votes v JOIN participants p ON p.id = v.participant_id
               JOIN statements s ON s.id = v.statement_id WHERE p.workshop_id <> s.workshop_id""",
        )
        == 0
    )


def test_provenance_upload_and_audit_entry(demo_db):
    assert demo_db.execute("SELECT filename, format, status, note FROM uploads").fetchall() == [
        ("data/demo", "demo", "applied", DEMO_NOTICE)
    ]
    upload_id = one(demo_db, "SELECT id FROM uploads")
    assert one(demo_db, "SELECT count(*) FROM lessons WHERE upload_id IS NOT ?", [upload_id]) == 0
    entries = demo_db.execute("SELECT action, object_type, rows, detail FROM audit_log").fetchall()
    assert [e[:2] for e in entries] == [("demo.load", "store")]
    detail = json.loads(entries[0][3])
    assert entries[0][2] == sum(detail.values())
    assert detail["lessons"] == one(demo_db, "SELECT count(*) FROM lessons")
    assert detail["votes"] == one(demo_db, "SELECT count(*) FROM votes")
    # the upload counts pilot data; the demo accounts are not part of it
    assert one(demo_db, "SELECT rows_added FROM uploads") == sum(detail.values()) - detail["users"]
    assert detail["users"] == one(demo_db, "SELECT count(*) FROM users") == 5


def test_demo_notice_and_search(demo_db):
    assert queries.demo_notice(demo_db) == DEMO_NOTICE
    assert not queries.search_lessons(demo_db, query="trust").empty


def test_load_returns_what_it_wrote(db):
    counts = load_demo(db)
    written = table_counts(db)
    assert counts == {table: written[table] for table in counts}


# --- refusals -----------------------------------------------------------------------------------------------


def test_loading_into_a_non_empty_store_is_refused(demo_db):
    before = table_counts(demo_db)
    with pytest.raises(ValueError, match="already holds pilots"):
        load_demo(demo_db)
    assert table_counts(demo_db) == before


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


def write_rows(path: Path, fieldnames: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)


def append_row(path: Path, row: dict) -> int:
    """Append ``row`` to a CSV file; return its row number as the loader counts it (the header is row 1)."""
    fieldnames, rows = read_rows(path)
    rows.append({k: row.get(k, "") for k in fieldnames})
    write_rows(path, fieldnames, rows)
    return len(rows) + 1


@pytest.fixture
def demo_copy(tmp_path):
    copy = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, copy)
    return copy


def lesson_files(source: Path) -> list[Path]:
    return sorted((source / "lessons").glob("*.csv"))


def assert_nothing_written(db, before_counts, before_version):
    assert table_counts(db) == before_counts
    assert data_version(db) == before_version
    assert one(db, "SELECT count(*) FROM pilots") == 0
    assert one(db, "SELECT count(*) FROM uploads") == 0
    assert one(db, "SELECT count(*) FROM audit_log") == 0


def break_theme_in_first_lesson_file(source: Path) -> str:
    first = lesson_files(source)[0]
    fieldnames, rows = read_rows(first)
    rows[0]["themes"] = "trust;no-such-theme"
    write_rows(first, fieldnames, rows)
    return f"lessons/{first.name} row 2: unknown theme 'no-such-theme'"


def break_tie(source: Path) -> str:
    _, ties = read_rows(source / "ties.csv")
    pilot = ties[0]["pilot"]
    row = append_row(
        source / "ties.csv",
        {"pilot": pilot, "source": ties[0]["source"], "target": "S999", "relation": "advice", "period": "end"},
    )
    return f"ties.csv row {row}: target 'S999' is not a stakeholder of '{pilot}'"


def break_stakeholder_sector(source: Path) -> str:
    _, pilots = read_rows(source / "pilots.csv")
    row = append_row(
        source / "stakeholders.csv",
        {"pilot": pilots[0]["slug"], "key": "S998", "name": "Aliens", "sector": "aliens", "hard_to_reach": "no"},
    )
    return f"stakeholders.csv row {row}: unknown sector 'aliens'"


def break_lesson_pilot(source: Path) -> str:
    fieldnames, rows = read_rows(lesson_files(source)[0])
    # 'aaa-' sorts before every real pilot slug, so this is the first lesson file read
    write_rows(source / "lessons" / "aaa-nowhere.csv", fieldnames, [dict(rows[0])])
    return "lessons/aaa-nowhere.csv row 2: no pilot with slug 'aaa-nowhere' in pilots.csv"


def break_model_reference(source: Path) -> str:
    with open(source / "governance_models.toml", "a", encoding="utf-8") as f:
        f.write(
            '\n[[model]]\nslug = "broken-model"\nname = "Broken"\nmethodology = "cosie"\n\n'
            '[[model.element]]\nkey = "E1"\nposition = 1\nkind = "step"\nname = "Nothing"\nphase = "initiate"\n'
            'supports = ["nowhere:L01"]\nchallenges = []\n'
        )
    return "governance_models.toml model 'broken-model': element E1: no lesson 'nowhere:L01'"


BREAKAGES = {
    "unknown stakeholder in ties.csv": break_tie,
    "unknown theme in a lesson file": break_theme_in_first_lesson_file,
    "unknown sector in stakeholders.csv": break_stakeholder_sector,
    "lesson file for an unknown pilot": break_lesson_pilot,
    "model element citing an unknown lesson": break_model_reference,
}


@pytest.mark.parametrize("breakage", list(BREAKAGES), ids=list(BREAKAGES))
def test_broken_reference_is_reported_and_nothing_written(db, demo_copy, breakage):
    expected = BREAKAGES[breakage](demo_copy)
    before_counts, before_version = table_counts(db), data_version(db)
    with pytest.raises(DemoDataError) as err:
        load_demo(db, demo_copy)
    assert err.value.problems == [expected]
    assert expected in str(err.value)
    assert_nothing_written(db, before_counts, before_version)


def test_every_problem_is_listed_with_file_and_row(db, demo_copy):
    expected = [
        break_lesson_pilot(demo_copy),
        break_theme_in_first_lesson_file(demo_copy),
        break_stakeholder_sector(demo_copy),
        break_tie(demo_copy),
        break_model_reference(demo_copy),
    ]
    before_counts, before_version = table_counts(db), data_version(db)
    with pytest.raises(DemoDataError) as err:
        load_demo(db, demo_copy)
    assert sorted(err.value.problems) == sorted(expected)
    assert str(err.value).startswith("5 problem(s) in the demo data:\n")
    assert_nothing_written(db, before_counts, before_version)


def test_unbroken_copy_loads(db, demo_copy):
    counts = load_demo(db, demo_copy)
    assert counts["pilots"] == len(read_demo(demo_copy)["pilots"])


def test_row_numbers_restart_in_each_lesson_file(db, demo_copy):
    second = lesson_files(demo_copy)[1]
    fieldnames, rows = read_rows(second)
    rows[0]["themes"] = "no-such-theme"
    write_rows(second, fieldnames, rows)
    with pytest.raises(DemoDataError) as err:
        load_demo(db, demo_copy)
    assert err.value.problems == [f"lessons/{second.name} row 2: unknown theme 'no-such-theme'"]


def fresh_tie(source: Path) -> dict:
    """A valid tie between two stakeholders of one pilot that are not tied yet."""
    _, ties = read_rows(source / "ties.csv")
    _, actors = read_rows(source / "stakeholders.csv")
    tied = {(t["pilot"], t["source"], t["target"]) for t in ties}
    pilot = actors[0]["pilot"]
    keys = [a["key"] for a in actors if a["pilot"] == pilot]
    a, b = next((a, b) for a in keys for b in keys if a != b and (pilot, a, b) not in tied)
    return {
        "pilot": pilot,
        "source": a,
        "target": b,
        "relation": "advice",
        "directed": "no",
        "weight": "2",
        "period": "end",
    }


@pytest.mark.parametrize("field, value", [("period", "middle"), ("weight", "heavy"), ("weight", "0")])
def test_invalid_tie_values_are_reported(db, demo_copy, field, value):
    tie = fresh_tie(demo_copy)
    tie[field] = value
    row = append_row(demo_copy / "ties.csv", tie)
    with pytest.raises(DemoDataError) as err:
        load_demo(db, demo_copy)
    assert [p for p in err.value.problems if p.startswith(f"ties.csv row {row}:")]
    assert one(db, "SELECT count(*) FROM pilots") == 0


def write_one_vote(source: Path) -> None:
    write_rows(
        source / "participants.csv",
        ["workshop", "participant", "stakeholder_group", "pilot", "country"],
        [{"workshop": "TEST23", "participant": "1", "stakeholder_group": "public", "pilot": "", "country": ""}],
    )
    vote = {"workshop": "TEST23", "participant": "1", "statement": "S01", "round": "1", "vote": "agree"}
    write_rows(source / "votes.csv", [*vote, "importance"], [vote])


def test_workshop_without_opened_at(db, demo_copy):
    (demo_copy / "workshops.toml").write_text(
        '[[workshop]]\ncode = "TEST23"\ntitle = "Test"\nstatus = "closed"\n\n'
        '[[workshop.statement]]\nkey = "S01"\ntext = "Trust matters"\n',
        encoding="utf-8",
    )
    write_one_vote(demo_copy)
    try:
        load_demo(db, demo_copy)
    except DemoDataError:
        return
    assert one(db, "SELECT count(*) FROM votes") == 1


def test_duplicate_vote_is_reported(db, demo_copy):
    (demo_copy / "workshops.toml").write_text(
        '[[workshop]]\ncode = "TEST23"\ntitle = "Test"\nstatus = "closed"\n'
        'opened_at = "2022-05-01T09:00:00Z"\nclosed_at = "2022-05-01T12:00:00Z"\n\n'
        '[[workshop.statement]]\nkey = "S01"\ntext = "Trust matters"\n',
        encoding="utf-8",
    )
    write_one_vote(demo_copy)
    vote = {"workshop": "TEST23", "participant": "1", "statement": "S01", "round": "1", "vote": "agree"}
    write_rows(demo_copy / "votes.csv", [*vote, "importance"], [vote, dict(vote, vote="disagree")])
    with pytest.raises(DemoDataError) as err:
        load_demo(db, demo_copy)
    assert [p for p in err.value.problems if p.startswith("votes.csv row 3:")]


def test_the_demo_passwords_in_the_readme_open_the_demo_accounts(demo_db):
    import re
    from pathlib import Path

    from lessons.accounts import sign_in

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `([a-z.]+)` \| `(demo-[a-z-]+)` \|", readme, flags=re.M))
    accounts = {r[0]: r[1] for r in demo_db.execute("SELECT username, role FROM users")}
    assert set(documented) == set(accounts)
    for username, password in documented.items():
        assert sign_in(demo_db, username, password).role == accounts[username]


def test_lessons_are_tied_to_stakeholders_of_their_own_pilot(demo_db):
    links = demo_db.execute(
        """SELECT count(*), sum(l.pilot_id = s.pilot_id), count(DISTINCT ls.lesson_id)
           FROM lesson_stakeholders ls JOIN lessons l ON l.id = ls.lesson_id
           JOIN stakeholders s ON s.id = ls.stakeholder_id"""
    ).fetchone()
    assert links[0] == links[1] > 500 and links[2] > 180  # every link stays within a pilot; most lessons linked


def test_a_link_to_another_pilots_stakeholder_is_refused(db, tmp_path):
    import shutil

    from lessons.demo import DEMO_DIR, DemoDataError, load_demo

    copy = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, copy)
    with open(copy / "lesson_stakeholders.csv", "a", encoding="utf-8") as f:
        f.write("athens-innovation-network,L01,S99\n")
    with pytest.raises(DemoDataError, match="'S99' is not a stakeholder of 'athens-innovation-network'"):
        load_demo(db, copy)
