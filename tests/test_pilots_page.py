"""AppTest for the Pilots page (#20): the list and map, one pilot's page, an unknown pilot, an empty store, and the
links that lead there from other pages.

A click on the map cannot be simulated in AppTest; the browser journey follows the list beside it
(tests/e2e/test_pilots.py).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lessons.store import open_store
from tests.plain_words import unplain

PAGE = "pages/pilots.py"
PILOT = "vasterbotten-home-care"


def open_page(app_on, path, params: dict | None = None) -> AppTest:
    at = app_on(path, params)
    at.run(timeout=30)
    at.switch_page(PAGE).run(timeout=120)
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    return "\n".join(
        [e.value for e in at.title]
        + [e.value for e in at.header]
        + [e.value for e in at.subheader]
        + [e.value for e in at.markdown]
        + [e.value for e in at.caption]
        + [e.value for e in at.info]
        + [e.value for e in at.warning]
    )


def links(at: AppTest) -> list[tuple[str, str]]:
    """Each page link as (label, its query string)."""
    found = []
    for node in at.get("page_link"):
        proto = node.proto
        found.append((proto.label, getattr(proto, "query_string", "")))
    return found


def test_the_list_shows_every_pilot_with_a_link_to_its_page(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path)
    assert at.title[0].value == "Pilots"
    assert any("Illustrative demo data" in i.value for i in at.info)
    with open_store(demo_db_path) as db:
        pilots = dict(db.execute("SELECT slug, name FROM pilots").fetchall())
    assert at.subheader[0].value == f"{len(pilots)} pilots"
    shown = links(at)
    for slug, name in pilots.items():
        assert (name.replace("-", "\\-"), f"pilot={slug}") in shown, name
    assert "Natural Earth" in texts(at)
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")  # the map


def test_one_pilot_shows_its_case(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": PILOT})
    assert at.title[0].value == "Rural home care with local champions"
    headers = [h.value for h in at.header]
    assert headers == [
        "Methodology and its steps",
        "Partners and stakeholder network",
        "Its lessons by phase and kind",
        "Workshops that judged its lessons",
        "What recurs elsewhere, and what contradicts it",
        "Compared with the other pilots",
    ]
    facts = at.table[0].value
    assert "Lycksele" in facts.to_string() and "Older people living alone in rural villages" in facts.to_string()
    text = texts(at)
    assert "Lead organisation" in text and "16 lessons" in text
    # the link and citation of this pilot point at its own page
    assert any(f"pilots?pilot={PILOT}" in c.value for c in at.code)
    assert any("16 lessons recorded by the pilot" in c.value for c in at.code)
    shown = links(at)
    assert (
        "Read its 16 lessons on the Lessons page (to search, filter or download them)",
        f"pilot={PILOT}",
    ) in shown
    assert sum(1 for _, query in shown if query.startswith("lesson=")) >= 16  # every lesson opens
    assert ("Explore this pilot's stakeholder network", f"pilot={PILOT}") in shown
    # its workshops, with vote counts, and the comparison with the others, each chart with its table
    assert any("HVR3QT" in str(df.value.to_dict()) for df in at.dataframe)
    assert len([e for e in at.expander if e.label.startswith("Lessons by ") and e.label.endswith("as a table")]) == 4
    assert at.query_params["pilot"] == [PILOT] or at.query_params["pilot"] == PILOT


def test_back_to_all_pilots(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": PILOT})
    at.button(key="pilots_back").click().run(timeout=60)
    assert not at.exception
    assert at.title[0].value == "Pilots"
    assert "pilot" not in at.query_params


def test_an_unknown_pilot_says_so_plainly(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": "no-such-pilot**"})
    assert at.title[0].value == "Pilots"
    assert (
        at.warning and "There is no pilot" in at.warning[0].value and "no\\-such\\-pilot\\*\\*" in at.warning[0].value
    )
    assert at.button(key="pilots_back")


def test_an_empty_store_says_what_to_do(tmp_path, app_on):
    open_store(tmp_path / "empty.db").close()  # a store that exists is not filled with the demo
    at = open_page(app_on, tmp_path / "empty.db")
    assert at.title[0].value == "Pilots"
    assert any("no pilots yet" in i.value for i in at.info)
    at = open_page(app_on, tmp_path / "empty.db", {"pilot": PILOT})
    assert "There is no pilot" in at.warning[0].value


def test_a_pilot_without_lessons_network_or_workshops(tmp_path, app_on):
    path = tmp_path / "bare.db"
    with open_store(path) as db:
        db["pilots"].insert({"slug": "bare", "name": "Bare pilot", "country": "MT", "city": "Valletta"})
        db["pilots"].insert({"slug": "other", "name": "Other pilot", "country": "ZZ"})  # no country we can place
    at = open_page(app_on, path)
    assert "Not placed" in at.dataframe[0].value.to_string()
    at = open_page(app_on, path, {"pilot": "bare"})
    text = texts(at)
    assert "The store holds no lesson of this pilot yet." in text
    assert "The store holds no stakeholder of this pilot." in text
    assert "No validation workshop has voted on a lesson of this pilot yet." in text
    assert "A comparison needs lessons of this pilot and of at least one other." in text
    assert "The pilot has not named the methodology it followed." in text


def test_pilots_are_linked_from_the_overview_and_a_lesson(demo_db_path, app_on):
    at = app_on(demo_db_path)
    at.run(timeout=60)
    assert ("About this pilot", f"pilot={PILOT}") in links(at)
    at = app_on(demo_db_path, {"lesson": "1"})
    at.run(timeout=30)
    at.switch_page("pages/lessons.py").run(timeout=60)
    assert any(label.startswith("About the pilot: ") and query.startswith("pilot=") for label, query in links(at))


def test_every_table_of_a_pilot_page_speaks_plain_words(demo_db_path, app_on):
    for slug in ("vasterbotten-home-care", "porto-homelessness-services"):
        at = open_page(app_on, demo_db_path, {"pilot": slug})
        assert unplain(at) == [], slug
