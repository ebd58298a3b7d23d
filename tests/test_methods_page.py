"""The Methods and tools page (AppTest): the list and its filters, an entry in full, hostile text shown as text."""

from __future__ import annotations

import pytest

from components.widgets import safe
from lessons import catalogue
from lessons.permissions import Actor
from lessons.store import open_store

HOSTILE = "<script>alert(1)</script> **bold** [link](http://evil.example) :rocket:"
HOSTILE_TEXT = "<p>Not <b>HTML</b></p> ![img](http://evil.example/x.png)\n# Heading"
ADMIN = Actor("ada", "admin")


@pytest.fixture
def store_path(tmp_path):
    """A store with two pilots, three lessons, a hostile entry and the lessons linked to the world café."""
    path = tmp_path / "methods.db"
    db = open_store(path)
    ids = []
    for slug, key, kind, status in (("alpha", "L01", "enabler", "validated"), ("alpha", "L02", "barrier", "submitted"),
                                    ("beta", "L01", "insight", "endorsed")):  # fmt: skip
        row = db.execute("SELECT id FROM pilots WHERE slug = ?", [slug]).fetchone()
        pilot = (
            row[0]
            if row
            else db["pilots"].insert({"slug": slug, "name": f"{slug.title()} pilot", "country": "FI"}).last_pk
        )
        ids.append(
            db["lessons"].insert(
                {"pilot_id": pilot, "key": key, "title": f"{slug.title()} {key} lesson", "lesson": "x", "kind": kind,
                 "status": status}
            ).last_pk
        )  # fmt: skip
    catalogue.link_lessons(db, ADMIN, ids, "world-cafe")
    sheet = tmp_path / "hostile.csv"
    sheet.write_text(
        "code,name,kind,source,description,phase,name_lv\n"
        f'hostile,"{HOSTILE}",software,"<i>Somewhere</i> **odd**","{HOSTILE_TEXT}",evaluate,Latviski\n',
        encoding="utf-8",
    )
    catalogue.import_sheet(db, ADMIN, sheet)
    db.close()
    return path


def param(at, name: str) -> list[str]:
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def markdown_of(at) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]


def test_the_list_filters_and_keeps_its_state_in_the_link(store_path, app_on):
    at = app_on(store_path).run()
    at.switch_page("pages/methods.py").run()
    assert not at.exception
    assert at.title[0].value == "Methods and tools"
    assert at.caption[0].value == "13 of 13 entries"
    assert [m.label for m in at.multiselect] == ["Kind", "Co-creation phase", "Problem addressed", "Language available"]
    table = at.dataframe[0].value
    assert len(table) == 13 and "?entry=world-cafe&name=World+caf%C3%A9" in list(table["Name"])
    at.multiselect(key="methods_kinds").set_value(["method"]).run()
    assert at.caption[0].value == "5 of 13 entries"
    at.multiselect(key="methods_phases").set_value(["understand"]).run()
    assert sorted(at.dataframe[0].value["Kind"]) == ["Participatory method"] * 2
    assert param(at, "kind") == ["method"] and param(at, "phase") == ["understand"]
    at.multiselect(key="methods_phases").set_value([]).run()
    at.multiselect(key="methods_kinds").set_value([]).run()
    at.multiselect(key="methods_languages").set_value(["lv"]).run()
    assert list(at.dataframe[0].value["Catalogue"]) == ["hostile.csv"]
    at.text_input(key="methods_q").set_value("jury").run()
    assert at.info and "No entry matches" in at.info[0].value


def test_an_entry_opens_from_the_list_with_who_used_it_and_how_it_went(store_path, app_on):
    at = app_on(store_path).run()
    at.switch_page("pages/methods.py").run()
    at.selectbox(key="methods_pick").set_value("world-cafe").run()
    assert not at.exception
    assert param(at, "entry") == ["world-cafe"]
    assert at.subheader[0].value == safe("World café")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Lessons": "3", "Validated or beyond": "2", "Pilots": "2"}
    kinds, statuses = (frame.value for frame in at.dataframe[:2])
    assert dict(zip(kinds["Kind"], kinds["Lessons"])) == {"Enabler": 1, "Barrier": 1, "Recommendation": 0, "Insight": 1}
    assert dict(zip(statuses["Status"], statuses["Lessons"]))["Endorsed"] == 1
    assert any(m.startswith("**Source:** Participedia") for m in markdown_of(at))
    labels = [p.proto.label for p in at.get("page_link")]
    assert "These 3 lessons on the Lessons page" in labels
    assert {safe("Alpha L01 lesson"), safe("Alpha L02 lesson"), safe("Beta L01 lesson")} <= set(labels)
    at.button(key="methods_back").click().run()
    assert at.caption[0].value == "13 of 13 entries" and param(at, "entry") == []


def test_a_shared_link_opens_the_entry_and_an_unknown_one_the_list(store_path, app_on):
    at = app_on(store_path, {"entry": "wenovate-4-design"}).run()
    at.switch_page("pages/methods.py").run()
    assert at.subheader[0].value == safe("We-novate stage 4: design workshop")
    assert "No lesson or pilot is linked to it yet." in [c.value for c in at.caption]
    at = app_on(store_path, {"entry": "no-such-entry"}).run()
    at.switch_page("pages/methods.py").run()
    assert not at.exception and at.caption[0].value == "13 of 13 entries"


def test_hostile_names_and_texts_are_shown_as_text(store_path, app_on):
    at = app_on(store_path, {"entry": "hostile"}).run()
    at.switch_page("pages/methods.py").run()
    assert not at.exception
    assert at.subheader[0].value == safe(HOSTILE)
    shown = markdown_of(at)
    # its two lines: one paragraph, the line break kept, each line escaped
    assert safe("<p>Not <b>HTML</b></p> ![img](http://evil.example/x.png)") + "  \n" + safe("# Heading") in shown
    assert "**Source:** " + safe("<i>Somewhere</i> **odd**") in shown
    assert not any("<script>" in text or "](http" in text for text in shown)
    # its Latvian name: among the texts in other languages, as text
    assert any(e.label.startswith("Its texts in other languages (Latvian)") for e in at.expander)
    at = app_on(store_path).run()
    at.switch_page("pages/methods.py").run()
    assert HOSTILE in list(at.selectbox(key="methods_pick").options)  # options are plain text already


def test_the_lessons_page_filters_by_the_method_used(store_path, app_on):
    at = app_on(store_path, {"uses": "world-cafe"}).run()
    at.switch_page("pages/lessons.py").run()
    assert not at.exception
    assert at.multiselect(key="lessons_methods").value == ["world-cafe"]
    assert any(b.label.startswith("Method or tool used: World café") for b in at.button)


def test_a_lesson_names_the_methods_it_used_with_a_link_to_each(store_path, app_on):
    at = app_on(store_path, {"lesson": "1"}).run()
    at.switch_page("pages/lessons.py").run()
    assert not at.exception
    assert "**Methods and tools it used**" in [m.value for m in at.markdown]
    links = {p.proto.label: p.proto.query_string for p in at.get("page_link")}
    assert links[safe("World café")] == "entry=world-cafe"


def test_an_entry_counts_only_the_lessons_the_reader_may_see(store_path, app_on):
    """A draft that used the method is not counted for a visitor (#20: what is public)."""
    with open_store(store_path) as db:
        db.execute("UPDATE lessons SET status = 'draft' WHERE key = 'L02'")
        db.conn.commit()
    at = app_on(store_path, {"entry": "world-cafe"}).run()
    at.switch_page("pages/methods.py").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Lessons"] == "2"
    assert safe("Alpha L02 lesson") not in [p.proto.label for p in at.get("page_link")]
