"""The Lessons page's pages of lessons (issue #18): counted and cut by the database, snippets for the page only."""

from __future__ import annotations

import pandas as pd
import pytest

from lessons import queries
from lessons.queries import MATCH_START, lesson_page, search_lessons
from tests.test_queries import SEARCH_COLUMNS, ids, tiny  # noqa: F401 (the tiny store)

CHOICES = [
    {},
    {"query": "champions"},
    {"query": "trust"},
    {"kinds": ["enabler", "barrier"]},
    {"pilots": ["tampere", "oulu"], "statuses": ["validated", "submitted", "draft"]},
    {"query": "champion", "themes": ["champions", "trust"], "kinds": ["enabler"]},
    {"query": "trust", "pilots": ["oulu"]},
    {"recorded_from": "2021-03-01", "kinds": ["barrier", "enabler", "insight", "recommendation"]},
    {"query": "nothing-matches-this"},
    {"query": "*"},
]


@pytest.mark.parametrize("choice", CHOICES)
def test_count_is_the_unpaged_search_and_pages_continue_each_other(tiny, choice):  # noqa: F811
    everything = search_lessons(tiny, **choice)
    pages = [lesson_page(tiny, page=n, size=2, **choice) for n in (1, 2, 3, 4)]
    assert {p.total for p in pages} == {len(everything)}
    assert pages[0].pages == max(1, -(-len(everything) // 2))
    shown = [i for p in pages[: pages[0].pages] for i in ids(p.rows)]
    assert shown == ids(everything)  # page 2 starts where page 1 ends, in the same order
    assert all(len(p.rows) <= 2 for p in pages)
    assert all(list(p.rows.columns) == SEARCH_COLUMNS for p in pages)


def test_a_page_past_the_last_gives_the_last(tiny):  # noqa: F811
    last = lesson_page(tiny, page=99, size=4)
    assert (last.total, last.page, last.pages) == (6, 2, 2)
    assert ids(last.rows) == ids(search_lessons(tiny))[4:]
    assert lesson_page(tiny, page=0, size=4).page == 1


def test_snippets_only_for_the_page(tiny):  # noqa: F811
    found = lesson_page(tiny, query="champion", page=2, size=1)
    assert found.total == 2 and len(found.rows) == 1
    assert ids(found.rows) == ids(search_lessons(tiny, query="champion"))[1:]
    assert found.rows["snippet"].str.contains(MATCH_START).all()
    plain = lesson_page(tiny, size=3)
    assert len(plain.rows) == 3 and plain.rows["snippet"].notna().all()
    assert not plain.rows["snippet"].str.contains(MATCH_START).any()  # no search: the start of the lesson


def test_filters_and_search_combined(tiny):  # noqa: F811
    found = lesson_page(tiny, query="champions", kinds=["enabler"], phases=["co-design"])
    assert (found.total, ids(found.rows)) == (1, [6])
    assert lesson_page(tiny, query="champions", pilots=["oulu"]).rows.empty
    assert lesson_page(tiny, query="trust", pilots=["oulu"]).rows["pilot"].tolist() == ["oulu"]


def test_same_rows_as_the_search(tiny):  # noqa: F811
    pd.testing.assert_frame_equal(lesson_page(tiny, query="trust", size=50).rows, search_lessons(tiny, query="trust"))
    with pytest.raises(TypeError):
        queries.lesson_page(tiny, pilot=["oulu"])
