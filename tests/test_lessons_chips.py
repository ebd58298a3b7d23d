"""The Lessons page's chips (the search and filters in force, above the results), its pages read one at a time from
the database, a lesson's link and citation (issues #18, #19), through AppTest."""

from __future__ import annotations

from datetime import date

from components.widgets import safe
from lessons.store import open_store
from lessons.visibility import PUBLIC, scope
from tests.test_pages import cards, param, tiny_path  # noqa: F401 (the tiny store: two pilots, three lessons)


def chips(at) -> list[str]:
    return [b.label for b in at.button if b.key.startswith("lessons_chip_")]


def test_chips_show_what_applies_and_remove_it(tiny_path, app_on):  # noqa: F811
    at = app_on(tiny_path, {"q": "people", "pilot": "alpha", "kind": ["barrier", "insight"]}).run()
    at.switch_page("pages/lessons.py").run()
    assert not at.exception
    assert chips(at) == ["Search: people ✕", "Pilot: Alpha pilot \\(FI\\) ✕", "Kind: Barrier ✕",
                         "Kind: Insight ✕"]  # fmt: skip
    assert [b.help for b in at.button if b.key == "lessons_chip_kinds_barrier"] == ["Remove filter Kind: Barrier"]
    at.button(key="lessons_chip_kinds_barrier").click().run()
    assert at.multiselect(key="lessons_kinds").value == ["insight"]
    assert param(at, "kind") == ["insight"] and param(at, "q") == ["people"]
    at.button(key="lessons_chip_query_None").click().run()
    assert at.text_input(key="lessons_query").value == "" and not param(at, "q")
    assert len(chips(at)) == 2
    at.button(key="lessons_chips_clear").click().run()
    assert chips(at) == [] and dict(at.query_params) == {}
    assert at.markdown[0].value.startswith("**3 lessons**")


def test_no_chips_without_a_choice(tiny_path, app_on):  # noqa: F811
    at = app_on(tiny_path).run()
    at.switch_page("pages/lessons.py").run()
    assert chips(at) == [] and not [b for b in at.button if b.key == "lessons_chips_clear"]
    at.date_input(key="lessons_from").set_value(date(2022, 1, 1)).run()
    assert chips(at) == ["Recorded from: 2022\\-01\\-01 ✕"]
    at.button(key="lessons_chip_from_None").click().run()
    assert at.date_input(key="lessons_from").value is None and at.markdown[0].value.startswith("**3 lessons**")


def test_pages_come_one_at_a_time(demo_db_path, app_on):
    with open_store(demo_db_path) as db, scope(db, PUBLIC):  # what a visitor sees: no draft
        total = db.execute("SELECT count(*) FROM lessons").fetchone()[0]
        titles = [r[0] for r in db.execute(
            "SELECT l.title FROM lessons l JOIN pilots p ON p.id = l.pilot_id ORDER BY p.name, l.key, l.id")]  # fmt: skip
    assert total > 20
    at = app_on(demo_db_path).run()
    at.switch_page("pages/lessons.py").run()
    pages = -(-total // 20)
    assert at.markdown[0].value.startswith(f"**{total:,} lessons** match · page 1 of {pages}")
    first = cards(at)
    assert len(first) == 20
    at.number_input(key="lessons_pageno").set_value(2).run()
    assert not at.exception and param(at, "page") == ["2"]
    second = cards(at)
    assert len(second) == min(20, total - 20) and not set(first) & set(second)
    assert at.markdown[0].value.endswith(f"page 2 of {pages}")
    assert first + second == [f"**{safe(title)}**" for title in titles[:40]]  # in the list's order, by pilot and key


def test_a_lesson_has_a_link_to_copy_and_a_citation(tiny_path, app_on):  # noqa: F811
    at = app_on(tiny_path, {"lesson": "1"}).run()
    at.switch_page("pages/lessons.py").run()
    assert not at.exception
    link, citation = [c.value for c in at.code]
    assert link.endswith("lessons?lesson=1")
    assert citation.startswith("L1 (Alpha pilot): “Champions opened doors”, lesson L01, recorded 2021-03-01, status ")
    assert citation.endswith(f"Cross-Pilot Lessons, {link}")


def test_a_chip_shows_the_search_as_text(tiny_path, app_on):  # noqa: F811
    at = app_on(tiny_path, {"q": "[x](http://e.vil) :material/home: **b**"}).run()
    at.switch_page("pages/lessons.py").run()
    (label,) = chips(at)
    assert label.startswith("Search: \\[x\\]\\(http\\:\u2060//e\\.vil\\) \\:\u2060material/home\\:\u2060 \\*\\*b\\*\\*")


def test_a_list_of_one_pilot_offers_its_link_and_citation(demo_db_path, app_on):
    """Each pilot has a permanent link and a citation (#19): its lessons, with its total whatever else is chosen."""
    from lessons.store import connect

    with connect(demo_db_path, readonly=True) as db, scope(db, PUBLIC):  # what a visitor sees: no draft
        slug, name, country, total = db.execute(
            """SELECT p.slug, p.name, p.country, count(l.id) FROM pilots p JOIN lessons l ON l.pilot_id = p.id
               GROUP BY p.id ORDER BY p.id LIMIT 1"""
        ).fetchone()
    at = app_on(demo_db_path, {"pilot": slug, "kind": "barrier"}).run()
    at.switch_page("pages/lessons.py").run()
    assert not at.exception
    codes = [c.value for c in at.code]
    assert any(c.endswith(f"lessons?pilot={slug}") for c in codes), codes
    assert f"{name} ({country}): {total} lessons recorded by the pilot. Cross-Pilot Lessons, " in " ".join(codes)
    at = app_on(demo_db_path).run()
    at.switch_page("pages/lessons.py").run()
    assert not [c for c in at.code if "recorded by the pilot" in c.value]  # all pilots: nothing to cite as one
