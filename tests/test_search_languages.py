"""Search by language (#21): each lesson and translation is stemmed in its own language, each query in every
language the store uses, so an Italian lesson is found by an inflected Italian word and an English lesson by a word
of its Italian translation."""

from __future__ import annotations

import pytest

from lessons import queries, stemming, translations
from lessons.cli import main
from lessons.permissions import Actor
from lessons.queries.fulltext import match_for
from lessons.store import connect, open_memory_store, open_store

ADMIN = Actor("ana", "admin")


def add(db, key, title, text, language):
    db.execute("INSERT OR IGNORE INTO pilots (slug, name, country) VALUES ('p', 'P', 'IT')")
    pilot_id = db.execute("SELECT id FROM pilots WHERE slug = 'p'").fetchone()[0]
    return (
        db["lessons"]
        .insert(
            {"pilot_id": pilot_id, "key": key, "title": title, "lesson": text, "kind": "insight", "language": language}
        )
        .last_pk
    )


@pytest.fixture
def db():
    db = open_memory_store()
    add(db, "IT1", "Fiducia", "Le comunità locali hanno partecipato", "it")
    english = add(db, "EN1", "Champions", "Local champions built trust", "en")
    add(db, "LV1", "Pašvaldības", "Pašvaldība iesaistīja iedzīvotājus", "lv")
    add(db, "FI1", "Luottamus", "Kunnat rakensivat luottamusta asukkaisiin", "fi")
    translations.set_translation(
        db, ADMIN, english, "it", title="Campioni", lesson="I campioni locali hanno costruito la fiducia"
    )
    return db


def keys(db, query, **options) -> list[str]:
    return sorted(queries.search_lessons(db, query=query, **options)["key"])


def test_the_stemmers_really_conflate_the_forms_searched_below():
    assert stemming.stems("comunità partecipato", "it") == stemming.stems("comunita partecipazione", "it")
    assert stemming.stems("asukkaisiin", "fi") == stemming.stems("asukkaiden", "fi")
    assert stemming.algorithm("lv") is None  # Snowball has no Latvian: words, and prefixes of the query's


def test_an_italian_lesson_is_found_by_an_inflected_form(db):
    assert keys(db, "comunita partecipazione") == ["IT1"]  # comunità, partecipato; accents folded
    assert keys(db, "partecipa") == ["IT1"]


def test_an_english_lesson_is_found_by_a_word_of_its_italian_translation(db):
    assert keys(db, "campione fiducioso") == ["EN1"]
    assert keys(db, "fiducia") == ["EN1", "IT1"]  # the Italian lesson's title, the English one's translation
    assert keys(db, "champions") == ["EN1"]


def test_finnish_by_stems_and_latvian_by_the_start_of_its_words(db):
    assert keys(db, "asukkaiden") == ["FI1"]  # asukkaisiin
    assert keys(db, "pašvaldībām") == ["LV1"]  # pašvaldīb…: pašvaldība, pašvaldības


def test_every_read_of_a_search_agrees(db):
    for query in ("fiducia", "comunita partecipazione", "campioni"):
        found = keys(db, query)
        page = queries.lesson_page(db, query=query, size=50)
        assert sorted(page.rows["key"]) == found and page.total == len(found)
        assert sorted(queries.lessons_for_export(db, query=query)["key"]) == found
        assert len(queries.search_ids(db, query)) == len(found)
        assert int(queries.facets(db, query=query)["kinds"]["lessons"].sum()) == len(found)
    assert keys(db, "fiducia", column="title") == ["IT1"]  # the one column: the Italian lesson's title


def test_a_store_all_in_english_searches_as_before():
    db = open_memory_store()
    add(db, "EN1", "Champions", "Local champions built trust", "en")
    match = match_for(db, "champion")
    assert match.stems is None and match.ranked


def test_the_index_follows_edits_translations_and_deletions(db):
    lesson = db.execute("SELECT id FROM lessons WHERE key = 'IT1'").fetchone()[0]
    db.execute("UPDATE lessons SET lesson = 'I cittadini hanno votato' WHERE id = ?", [lesson])
    assert keys(db, "comunita partecipazione") == [] and keys(db, "votare cittadino") == ["IT1"]
    english = db.execute("SELECT id FROM lessons WHERE key = 'EN1'").fetchone()[0]
    # an English lesson has the Porter indexes: only its translation is in the stems index
    assert db.execute("SELECT rowid > 0 FROM lessons_stems WHERE lesson_id = ?", [english]).fetchall() == [(0,)]
    translations.remove_translation(db, ADMIN, english, "it")
    assert keys(db, "campioni") == []
    db.execute("DELETE FROM lessons WHERE id = ?", [lesson])
    assert db.execute("SELECT count(*) FROM lessons_stems WHERE lesson_id = ?", [lesson]).fetchone()[0] == 0


def test_the_command_line_search_finds_what_the_page_finds(tmp_path, capsys):
    path = tmp_path / "lessons.db"
    db = open_store(path)
    add(db, "IT1", "Fiducia", "Le comunità locali hanno partecipato", "it")
    db.close()
    assert main(["search", "comunita partecipazione", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "IT1" in out and "1 lesson(s)" in out
    # a connection the app opens can write lessons (the stems function is there)
    db = connect(path)
    add(db, "IT2", "Partecipazione", "Partecipare insieme", "it")
    assert keys(db, "partecipa") == ["IT1", "IT2"]


def test_hyphenated_words_and_phrases_still_hold_in_a_store_of_several_languages(db):
    add(db, "EN2", "The O-ring failed", "Seals broke in the cold", "en")
    add(db, "EN3", "Chairs", "An O ring of chairs", "en")
    assert keys(db, "O-ring") == ["EN2"]
    assert keys(db, '"local champions"') == ["EN1"]


def test_the_language_filter_counts_lessons_written_or_translated_in_each_language(db):
    counted = queries.facets(db)["languages"]
    assert dict(zip(counted["value"], counted["lessons"])) == {"en": 1, "fi": 1, "it": 2, "lv": 1}
    assert keys(db, None, languages=["it"]) == ["EN1", "IT1"]  # the English lesson has an Italian translation
    assert keys(db, "fiducia", languages=["en"]) == ["EN1"]
    with_search = queries.facets(db, query="fiducia", languages=["lv"])["languages"]
    assert dict(zip(with_search["value"], with_search["lessons"])) == {"en": 1, "fi": 0, "it": 2, "lv": 0}
