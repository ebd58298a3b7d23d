"""AppTest for every page registered in app.py: no exception, key elements present, filters, search, URL state."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from components.testing import app_test
from lessons.store import open_store

APP = str(Path(__file__).resolve().parent.parent / "app.py")
REGISTERED = re.findall(r'st\.Page\(\s*"(pages/[a-z_]+\.py)"', Path(APP).read_text())


def param(at: AppTest, name: str) -> list[str]:
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def make_app(path, monkeypatch) -> AppTest:
    monkeypatch.setenv("LESSONS_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    return app_test()


@pytest.fixture
def tiny_path(tmp_path):
    """A store with two pilots and three lessons, including text that must never be rendered as markup."""
    path = tmp_path / "tiny.db"
    db = open_store(path)
    trust = db.execute("SELECT id FROM themes WHERE code = 'trust'").fetchone()[0]
    digital = db.execute("SELECT id FROM themes WHERE code = 'digital'").fetchone()[0]
    a = db["pilots"].insert({"slug": "alpha", "name": "Alpha pilot", "country": "FI", "city": "Oulu"}).last_pk
    b = db["pilots"].insert({"slug": "beta", "name": "Beta pilot", "country": "PT", "city": "Porto"}).last_pk
    lessons = [
        (a, "L01", "Champions opened doors", "Local champions brought older residents in.", "enabler", "initiate", "validated", [trust]),
        (a, "L02", "Online-only excluded people", "The online platform excluded people without devices.", "barrier", "co-design", "submitted", [digital]),
        (b, "L01", "<script>alert(1)</script> **bold** [link](http://evil.example)", "Markup ![img](http://evil.example/x.png) must show as text.", "insight", "evaluate", "draft", [trust, digital]),
    ]  # fmt: skip
    for pilot_id, key, title, text, kind, phase, status, themes in lessons:
        lesson_id = (
            db["lessons"]
            .insert(
                {
                    "pilot_id": pilot_id,
                    "key": key,
                    "title": title,
                    "lesson": text,
                    "kind": kind,
                    "phase": phase,
                    "status": status,
                }  # fmt: skip
            )
            .last_pk
        )
        db["lesson_themes"].insert_all({"lesson_id": lesson_id, "theme_id": t} for t in themes)
    db.close()
    return path


def test_app_registers_the_working_pages():
    assert REGISTERED == [
        "pages/overview.py",
        "pages/lessons.py",
        "pages/upload.py",
        "pages/pilot_data.py",
        "pages/users_audit.py",
    ]


@pytest.mark.parametrize("page", REGISTERED)
def test_every_registered_page_runs_on_the_demo_data(page, demo_db_path, monkeypatch):
    at = make_app(demo_db_path, monkeypatch).run()
    at.switch_page(page).run()
    assert not at.exception
    assert at.title[0].value in {"Overview", "Lessons", "Upload pilot summary", "Edit pilot data", "Users and audit"}
    if page in ("pages/overview.py", "pages/lessons.py"):
        assert any("Illustrative demo data" in i.value for i in at.info)
    else:  # Manage pages without sign-in: the sign-in form, no write widget of the page
        assert any(i.value.startswith("Sign in (in the sidebar)") for i in at.info)
        assert [t.key for t in at.text_input] == ["auth_username", "auth_password"]


def test_overview_counts_and_charts(tiny_path, monkeypatch):
    at = make_app(tiny_path, monkeypatch).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Pilots": "2",
        "Lessons": "3",
        "Validated lessons": "1",
        "Stakeholders": "0",
        "Workshops": "0",
        "Votes": "0",
    }
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2
    # every chart has a table alternative
    assert [e.label for e in at.expander] == ["Pilots by country as a table", "Lessons by theme and kind as a table"]
    assert len(at.dataframe) == 2


def test_overview_on_an_empty_store_says_what_to_do(tmp_path, monkeypatch):
    path = tmp_path / "empty.db"
    open_store(path).close()
    at = make_app(path, monkeypatch).run()
    assert not at.exception
    assert "no pilots" in at.warning[0].value


def test_lessons_filters_search_and_url_state(tiny_path, monkeypatch):
    at = make_app(tiny_path, monkeypatch).run()
    at.switch_page("pages/lessons.py").run()
    assert not at.exception
    assert at.markdown[0].value.startswith("**3 lessons**")

    at.multiselect(key="lessons_pilots").set_value(["alpha"]).run()
    assert at.markdown[0].value.startswith("**2 lessons**")
    assert param(at, "pilot") == ["alpha"]

    at.multiselect(key="lessons_kinds").set_value(["barrier"]).run()
    assert at.markdown[0].value.startswith("**1 lessons**")
    assert [b.label for b in at.button if b.key.startswith("lessons_card_")] == ["**Online\\-only excluded people**"]

    at.multiselect(key="lessons_kinds").set_value([]).run()
    at.text_input(key="lessons_query").set_value("champion").run()
    assert [b.label for b in at.button if b.key.startswith("lessons_card_")] == ["**Champions opened doors**"]
    assert "**champions**" in " ".join(m.value for m in at.markdown).lower()
    assert param(at, "q") == ["champion"]


def test_a_link_with_filters_reopens_the_same_view(tiny_path, monkeypatch):
    at = make_app(tiny_path, monkeypatch)
    at.switch_page("pages/lessons.py")
    at.query_params["pilot"] = ["beta"]
    at.query_params["theme"] = ["trust", "not-a-theme"]
    at.run()
    assert not at.exception
    assert at.multiselect(key="lessons_pilots").value == ["beta"]
    assert at.multiselect(key="lessons_themes").value == ["trust"]
    assert at.markdown[0].value.startswith("**1 lessons**")


def test_open_a_lesson_and_go_back(tiny_path, monkeypatch):
    at = make_app(tiny_path, monkeypatch).run()
    at.switch_page("pages/lessons.py").run()
    at.button(key=next(b.key for b in at.button if b.label == "**Champions opened doors**")).click().run()
    assert not at.exception
    assert at.subheader[0].value == "Champions opened doors"
    assert "Local champions brought older residents in" in " ".join(m.value for m in at.markdown)
    assert "lesson" in at.query_params
    at.button(key="lessons_back").click().run()
    assert at.markdown[0].value.startswith("**3 lessons**")
    assert "lesson" not in at.query_params


def test_user_text_is_never_rendered_as_markup(tiny_path, monkeypatch):
    at = make_app(tiny_path, monkeypatch).run()
    at.switch_page("pages/lessons.py").run()
    at.multiselect(key="lessons_pilots").set_value(["beta"]).run()
    body = " ".join(m.value for m in at.markdown)
    assert "![img]" not in body and "\\!\\[img\\]" in body
    assert "unsafe_allow_html" not in Path(APP).read_text()
    at.button(key=next(b.key for b in at.button if b.key.startswith("lessons_card_"))).click().run()
    assert not at.exception
    title = at.subheader[0].value
    assert "\\<script\\>" in title and "\\*\\*bold\\*\\*" in title and "\\[link\\]\\(http\\://evil" in title


def test_hostile_search_never_breaks_the_page(tiny_path, monkeypatch):
    at = make_app(tiny_path, monkeypatch).run()
    at.switch_page("pages/lessons.py").run()
    for text in ['"unbalanced', "AND OR NOT", "NEAR(", "*", "col:value", "^", "'; DROP TABLE lessons; --", '""']:
        at.text_input(key="lessons_query").set_value(text).run()
        assert not at.exception, text
    assert at.info[-1].value.startswith("No lesson matches")


def test_a_lesson_link_to_a_removed_lesson_says_so(tiny_path, monkeypatch):
    at = make_app(tiny_path, monkeypatch)
    at.switch_page("pages/lessons.py")
    at.query_params["lesson"] = "999"
    at.run()
    assert not at.exception
    assert "no longer exists" in at.warning[0].value


def test_an_unreadable_database_shows_a_message_not_a_traceback(tmp_path, monkeypatch):
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not a database" * 100)
    at = make_app(path, monkeypatch).run()
    assert not at.exception
    assert "could not be opened" in at.error[0].value
