"""The synthetic consortium: reproducible, realistically shaped, consistent, and labelled synthetic."""

from __future__ import annotations

import statistics

import pytest

from lessons import queries
from lessons.store import connect
from lessons.synth import SYNTH_NOTICE, synthesize


def build(tmp_path_factory, scale, seed):
    path = tmp_path_factory.mktemp("synth") / f"s{scale}-{seed}.db"
    counts, seconds = synthesize(path, scale=scale, seed=seed)
    return path, counts


@pytest.fixture(scope="module")
def seven(tmp_path_factory):
    return build(tmp_path_factory, 0.05, 7)


@pytest.fixture(scope="module")
def seven_again(tmp_path_factory):
    return build(tmp_path_factory, 0.05, 7)


@pytest.fixture(scope="module")
def eight(tmp_path_factory):
    return build(tmp_path_factory, 0.05, 8)


@pytest.fixture(scope="module")
def ten_pilots(tmp_path_factory):
    """Scale 0.2 is the smallest round scale with enough pilots (10) for a median to say something."""
    return build(tmp_path_factory, 0.2, 7)


@pytest.fixture
def sdb(seven):
    db = connect(seven[0], readonly=True)
    yield db
    db.close()


def rows(path, sql):
    db = connect(path, readonly=True)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


LESSON_TEXTS = (
    "SELECT pilot_id, key, title, lesson, context, recommendation, kind, phase, status FROM lessons ORDER BY id"
)


def test_same_seed_gives_the_same_consortium(seven, seven_again):
    assert seven[1] == seven_again[1]
    assert rows(seven[0], LESSON_TEXTS) == rows(seven_again[0], LESSON_TEXTS)
    for sql in (
        "SELECT slug, name, country, city, service_area, methodology FROM pilots ORDER BY id",
        "SELECT lesson_id, theme_id FROM lesson_themes ORDER BY 1, 2",
        "SELECT pilot_id, source_id, target_id, relation, weight, period FROM ties ORDER BY id",
        "SELECT participant_id, statement_id, round, value, importance FROM votes ORDER BY id",
    ):
        assert rows(seven[0], sql) == rows(seven_again[0], sql)


def test_different_seeds_differ(seven, eight):
    assert rows(seven[0], LESSON_TEXTS) != rows(eight[0], LESSON_TEXTS)
    texts_7 = {r[0] for r in rows(seven[0], "SELECT lesson FROM lessons")}
    texts_8 = {r[0] for r in rows(eight[0], "SELECT lesson FROM lessons")}
    assert len(texts_7 & texts_8) < len(texts_7) / 10
    # the sizes the scale fixes do not depend on the seed
    for table in ("pilots", "lessons", "stakeholders", "workshops", "statements"):
        assert seven[1][table] == eight[1][table]


def test_counts_at_scale(seven):
    counts = seven[1]
    assert (counts["pilots"], counts["lessons"], counts["stakeholders"]) == (2, 250, 125)
    assert (counts["workshops"], counts["statements"], counts["uploads"], counts["audit_log"]) == (1, 25, 1, 1)
    assert 4500 <= counts["votes"] <= 5500


def test_pilot_lesson_counts_are_heavy_tailed(ten_pilots):
    sizes = [r[0] for r in rows(ten_pilots[0], "SELECT count(*) FROM lessons GROUP BY pilot_id")]
    assert len(sizes) == 10
    assert sum(sizes) == 1000
    assert max(sizes) > 2 * statistics.median(sizes)


def test_every_pilot_has_at_least_eight_stakeholders(seven, ten_pilots):
    for path, _ in (seven, ten_pilots):
        sizes = rows(
            path,
            "SELECT (SELECT count(*) FROM stakeholders s WHERE s.pilot_id = p.id) FROM pilots p",
        )
        assert min(size for (size,) in sizes) >= 8


def test_ties_never_join_different_pilots(seven, ten_pilots):
    for path, counts in (seven, ten_pilots):
        assert counts["ties"] > 0
        assert rows(
            path,
            """SELECT count(*) FROM ties t JOIN stakeholders a ON a.id = t.source_id
               JOIN stakeholders b ON b.id = t.target_id
               WHERE a.pilot_id <> t.pilot_id OR b.pilot_id <> t.pilot_id OR t.source_id = t.target_id""",
        ) == [(0,)]


def test_ties_have_both_periods(sdb):
    assert sdb.execute("SELECT DISTINCT period FROM ties ORDER BY period").fetchall() == [("baseline",), ("end",)]


def test_votes_unique_per_participant_statement_and_round(seven, ten_pilots):
    for path, _ in (seven, ten_pilots):
        assert rows(
            path,
            """SELECT count(*) FROM (SELECT participant_id, statement_id, round FROM votes
               GROUP BY participant_id, statement_id, round HAVING count(*) > 1)""",
        ) == [(0,)]
        assert rows(
            path,
            """SELECT count(*) FROM votes v JOIN participants p ON p.id = v.participant_id
               JOIN statements s ON s.id = v.statement_id WHERE p.workshop_id <> s.workshop_id""",
        ) == [(0,)]


def test_lessons_are_sentences_of_prose(sdb):
    for (text,) in sdb.execute("SELECT lesson FROM lessons"):
        assert 3 <= text.count(". ") + 1 <= 6
        assert text.endswith(".")


def test_lessons_are_3_to_6_sentences_of_report_length(sdb):
    words = sorted(len(text.split()) for (text,) in sdb.execute("SELECT lesson FROM lessons"))
    assert 20 <= words[0] and words[-1] <= 300
    assert 50 <= words[len(words) // 2] <= 150


def test_every_lesson_has_themes(sdb):
    assert sdb.execute(
        "SELECT count(*) FROM lessons l WHERE NOT EXISTS (SELECT 1 FROM lesson_themes lt WHERE lt.lesson_id = l.id)"
    ).fetchone() == (0,)


def test_synthetic_upload_note_marks_the_data_synthetic(sdb):
    assert sdb.execute("SELECT filename, format, username, status, note FROM uploads").fetchall() == [
        ("synth --scale 0.05 --seed 7", "synthetic", "synth", "applied", SYNTH_NOTICE)
    ]
    assert "synthetic" in SYNTH_NOTICE.lower()
    assert "not real" in SYNTH_NOTICE
    assert queries.demo_notice(sdb) == SYNTH_NOTICE
    assert sdb.execute("SELECT count(*) FROM lessons WHERE upload_id IS NOT (SELECT id FROM uploads)").fetchone() == (
        0,
    )
    assert sdb.execute("SELECT count(*) FROM pilots WHERE slug NOT LIKE 'synthetic-%'").fetchone() == (0,)


def test_synthetic_store_is_searchable(sdb):
    assert not queries.search_lessons(sdb, query="facilitator", limit=5).empty
