"""Every place a pilot is named links to its page (#20): the Lessons list's cards and What recurs' groups."""

from __future__ import annotations

import re

from components.widgets import pilot_name_link
from lessons.store import open_store

LINK = re.compile(r"\]\(pilots\?pilot=([^)&]+)(&lang=\w+)?\)")


def _captions(at) -> list[str]:
    return [c.value for c in [*at.caption, *at.markdown]]


def test_a_pilots_name_is_escaped_and_its_link_is_ours():
    shown = pilot_name_link("Oulu [x](http://e.vil)", "oulu (1)")
    assert shown.startswith("[Oulu \\[x\\]") and shown.endswith("](pilots?pilot=oulu+%281%29)")
    assert pilot_name_link("Oulu", None) == "Oulu"


def test_each_lesson_card_links_its_pilots_page(demo_db_path, app_on):
    at = app_on(demo_db_path).run()
    at.switch_page("pages/lessons.py").run()
    assert not at.exception
    with open_store(demo_db_path) as db:
        slugs = {r["slug"] for r in db.query("SELECT slug FROM pilots")}
    linked = [m.group(1) for text in _captions(at) for m in [LINK.search(text)] if m]
    assert len(linked) >= 20 and set(linked) <= slugs  # one per card (20 a page)


def test_a_card_link_keeps_the_language(demo_db_path, app_on):
    at = app_on(demo_db_path, {"lang": "fi"}).run()
    at.switch_page("pages/lessons.py").run()
    assert not at.exception
    assert any(m.group(2) == "&lang=fi" for text in _captions(at) for m in [LINK.search(text)] if m)


def test_the_recurring_groups_link_their_pilots(demo_db_path, app_on):
    at = app_on(demo_db_path).run()
    at.switch_page("pages/recurs.py").run(timeout=60)
    assert not at.exception
    group = at.expander[0]
    pilots = [c.value for c in [*group.caption, *group.markdown] if c.value.startswith("Pilots")]
    assert pilots and len(LINK.findall(pilots[0])) >= 2  # a group spans two or more pilots, each linked
    members = [
        c.value for c in [*group.caption, *group.markdown] if LINK.search(c.value) and not c.value.startswith("Pilots")
    ]
    assert members  # each lesson of the group names its pilot as a link
