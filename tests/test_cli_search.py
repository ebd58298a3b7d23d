"""``python -m lessons search``: the Lessons page's search on the command line (#17).

Lessons go in through ``python -m lessons import``; each search's results are those of ``queries.search_lessons``,
the function the Lessons page calls (``components.loaders.load_lessons``), in the same order.
"""

from __future__ import annotations

import csv
import json

import pytest

from lessons.cli import EXIT_INVALID, EXIT_OK, main
from lessons.queries import search_lessons
from lessons.store import open_store

LESSONS = [
    ("S1", "The O-ring failed in the cold", "Communication with the launch team failed at night."),
    ("S2", "Community meetings", "The community met weekly; an O ring of chairs."),
    ("S3", "Co-creation with residents", "Residents communicated needs; a follow-up visit was planned."),
    ("S4", "Budget reviews", "Reviewing the budget early avoided a shortfall."),
]
QUERIES = ["communicat", "communit", "O-ring", "co-creation", "review", '"budget early"', "residents communicat"]


@pytest.fixture
def store_path(tmp_path, capsys):
    path = tmp_path / "search.db"
    open_store(path).close()
    source = tmp_path / "lessons.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([("key", "title", "lesson", "kind"), *((*row, "insight") for row in LESSONS)])
    assert (
        main(["import", str(source), "--pilot", "search-pilot", "--country", "FI", "--db", str(path), "--quiet"]) == 0
    )
    capsys.readouterr()
    return path


def run(capsys, *args):
    code = main(["search", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("query", QUERIES)
def test_search_gives_what_the_lessons_page_gives(store_path, capsys, query):
    code, out, _ = run(capsys, query, "--db", str(store_path), "--json")
    assert code == EXIT_OK
    with open_store(store_path) as db:
        page = search_lessons(db, query=query)
    assert [r["key"] for r in json.loads(out)] == list(page["key"])
    code, out, _ = run(capsys, query, "--db", str(store_path), "--count")
    assert (code, out) == (EXIT_OK, f"{len(page)}\n")


def test_search_finds_what_was_typed(store_path, capsys):
    def keys(*args):
        code, out, _ = run(capsys, *args, "--db", str(store_path), "--json")
        assert code == EXIT_OK
        return sorted(r["key"] for r in json.loads(out))

    assert keys("communicat") == ["S1", "S3"]  # not community
    assert keys("O-ring") == ["S1"]  # not "an O ring of chairs"
    assert keys("co-creation") == ["S3"]
    assert keys("review") == ["S4"]
    assert keys("O", "ring") == ["S1", "S2"]  # several words on the command line are one search
    assert keys("communicat", "--column", "title") == []
    assert keys("communicat", "--column", "lesson") == ["S1", "S3"]


def test_search_table_marks_the_matched_words(store_path, capsys):
    code, out, _ = run(capsys, "O-ring", "--db", str(store_path))
    lines = out.splitlines()
    assert code == EXIT_OK
    assert lines[0].split() == ["key", "pilot", "title", "snippet"]
    assert lines[2].startswith("S1   search-pilot  The O-ring failed in the cold")
    assert "[O-ring]" in lines[2]
    assert lines[-1] == "1 lesson(s), best matches first."


def test_search_json_fields_and_count(store_path, capsys):
    code, out, _ = run(capsys, "communicat", "--db", str(store_path), "--json", "--limit", "1")
    (first,) = json.loads(out)
    assert code == EXIT_OK
    assert list(first) == [
        "id", "key", "pilot", "pilot_name", "country", "title", "kind", "status", "recorded_on", "themes", "snippet",
    ]  # fmt: skip
    assert first["pilot"] == "search-pilot" and first["country"] == "FI" and "[communicat" in first["snippet"]
    code, out, _ = run(capsys, "communicat", "--db", str(store_path), "--count", "--json", "--limit", "1")
    assert json.loads(out) == {"query": "communicat", "column": None, "count": 2}  # --count counts every match


def test_search_says_when_nothing_matches_or_nothing_was_typed(store_path, capsys):
    assert run(capsys, "zebra", "--db", str(store_path)) == (EXIT_OK, "No lesson matches 'zebra'.\n", "")
    code, out, err = run(capsys, "zebra", "--column", "context", "--db", str(store_path))
    assert out == "No lesson matches 'zebra' in the context column.\n"
    code, out, err = run(capsys, "*", "--db", str(store_path))
    assert (code, out) == (EXIT_INVALID, "")
    assert err == "Nothing to search for in '*': type at least one word (letters or digits).\n"
    code, _, err = run(capsys, "budget", "--limit", "0", "--db", str(store_path))
    assert code == EXIT_INVALID and "--limit must be 1 or more" in err
    with pytest.raises(SystemExit):
        main(["search", "budget", "--column", "pilot", "--db", str(store_path)])
    assert "invalid choice: 'pilot'" in capsys.readouterr().err
