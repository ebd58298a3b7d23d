"""AppTest for every page registered in app.py: no exception, key elements present, filters, search, URL state."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from components import loaders, scripts
from lessons.i18n import LANGUAGES
from lessons.store import open_store

APP = str(Path(__file__).resolve().parent.parent / "app.py")
REGISTERED = re.findall(r'st\.Page\(\s*"(pages/[a-z_]+\.py)"', Path(APP).read_text())


def param(at: AppTest, name: str) -> list[str]:
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


@pytest.fixture
def tiny_path(tmp_path):
    """A store with two pilots and three lessons, including text that must never be rendered as markup."""
    path = tmp_path / "tiny.db"
    db = open_store(path)
    trust = db.execute("SELECT id FROM themes WHERE code = 'trust'").fetchone()[0]
    digital = db.execute("SELECT id FROM themes WHERE code = 'digital'").fetchone()[0]
    a = (
        db["pilots"]
        .insert({"slug": "alpha", "name": "Alpha pilot", "country": "FI", "city": "Oulu", "methodology": "improve"})
        .last_pk
    )
    b = (
        db["pilots"]
        .insert({"slug": "beta", "name": "Beta pilot", "country": "PT", "city": "Porto", "methodology": "cosie"})
        .last_pk
    )
    lessons = [
        (a, "L01", "Champions opened doors", "Local champions brought older residents in.", "enabler", "initiate", "validated", [trust], ["citizens"], "2021-03-01"),
        (a, "L02", "Online-only excluded people", "The online platform excluded people without devices.", "barrier", "co-design", "submitted", [digital], ["public", "citizens"], "2022-05-10"),
        (b, "L01", "<script>alert(1)</script> **bold** [link](http://evil.example)", "Markup ![img](http://evil.example/x.png) must show as text.", "insight", "evaluate", "submitted", [trust, digital], [], None),
    ]  # fmt: skip
    for pilot_id, key, title, text, kind, phase, status, themes, groups, recorded in lessons:
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
                    "recorded_on": recorded,
                }  # fmt: skip
            )
            .last_pk
        )
        db["lesson_themes"].insert_all({"lesson_id": lesson_id, "theme_id": t} for t in themes)
        db["lesson_groups"].insert_all({"lesson_id": lesson_id, "sector": g} for g in groups)
    db.close()
    return path


EXPLORE = (
    "pages/overview.py", "pages/lessons.py", "pages/pilots.py", "pages/recurs.py", "pages/networks.py",
    "pages/models.py", "pages/methods.py",
)  # fmt: skip
PUBLISHED = ("pages/stories.py", "pages/contributors.py")  # open to all: what is published, no write widget


def test_app_registers_the_working_pages():
    assert REGISTERED == [
        *EXPLORE,
        *PUBLISHED,
        "pages/vote.py",
        "pages/workshops.py",
        "pages/workshop_report.py",
        "pages/upload.py",
        "pages/pilot_data.py",
        "pages/vocabularies.py",
        "pages/exports.py",
        "pages/translations.py",
        "pages/users_audit.py",
    ]


@pytest.mark.parametrize("page", REGISTERED)
def test_every_registered_page_runs_on_the_demo_data(page, demo_db_path, app_on):
    at = app_on(demo_db_path).run()
    at.switch_page(page).run()
    assert not at.exception
    assert at.title[0].value in {
        "Overview",
        "Lessons",
        "Pilots",
        "What recurs",
        "Stakeholder networks",
        "Governance models",
        "Methods and tools",
        "Stories",
        "Contributors",
        "Vote in a workshop",
        "Run a workshop",
        "Workshop report",
        "Upload pilot summary",
        "Edit pilot data",
        "Vocabularies",
        "Data and exports",
        "Translate lessons",
        "Users and audit",
    }
    if page == "pages/vote.py":  # participants need no account: the join form, open to all
        assert [t.key for t in at.text_input][:1] == ["vote_code"]
    elif page == "pages/workshop_report.py":  # a public report: anyone may ask for one by its code
        assert [t.key for t in at.text_input][:1] == ["workshop_report_code"]
    elif page in PUBLISHED:
        assert [t.key for t in at.text_input] == ["auth_username", "auth_password"]
    elif page in (*EXPLORE, "pages/exports.py"):  # exports are for the public too
        assert any("Illustrative demo data" in i.value for i in at.info)
    else:  # Manage pages without sign-in: the sign-in form, no write widget of the page
        assert any(i.value.startswith("Sign in (in the sidebar)") for i in at.info)
        assert [t.key for t in at.text_input] == ["auth_username", "auth_password"]


def test_overview_counts_and_charts(tiny_path, app_on):
    at = app_on(tiny_path).run()
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


def test_overview_on_an_empty_store_says_what_to_do(tmp_path, app_on):
    path = tmp_path / "empty.db"
    open_store(path).close()
    at = app_on(path).run()
    assert not at.exception
    assert "no pilots" in at.warning[0].value


def test_lessons_filters_search_and_url_state(tiny_path, app_on):
    at = app_on(tiny_path).run()
    at.switch_page("pages/lessons.py").run()
    assert not at.exception
    assert at.markdown[0].value.startswith("**3 lessons**")

    at.multiselect(key="lessons_pilots").set_value(["alpha"]).run()
    assert at.markdown[0].value.startswith("**2 lessons**")
    assert param(at, "pilot") == ["alpha"]

    at.multiselect(key="lessons_kinds").set_value(["barrier"]).run()
    assert at.markdown[0].value.startswith("**1 lesson** matches")
    assert [b.label for b in at.button if b.key.startswith("lessons_card_")] == ["**Online\\-only excluded people**"]

    at.multiselect(key="lessons_kinds").set_value([]).run()
    at.text_input(key="lessons_query").set_value("champion").run()
    assert [b.label for b in at.button if b.key.startswith("lessons_card_")] == ["**Champions opened doors**"]
    assert "**champions**" in " ".join(m.value for m in at.markdown).lower()
    assert param(at, "q") == ["champion"]


def test_lessons_search_finds_what_was_typed(tiny_path, app_on):
    """The page searches as ``python -m lessons search`` does: a hyphenated word as written, the last word as the
    start of a word, whole words in any of their forms (#17)."""
    at = app_on(tiny_path).run()
    at.switch_page("pages/lessons.py").run()

    def cards(query):
        at.text_input(key="lessons_query").set_value(query).run()
        assert not at.exception
        return [b.label for b in at.button if b.key.startswith("lessons_card_")]

    assert cards("online-only") == ["**Online\\-only excluded people**"]
    assert cards("doors online-only") == []
    assert cards("exclud") == ["**Online\\-only excluded people**"]
    assert cards("excluding") == ["**Online\\-only excluded people**"]  # a whole word: its forms
    assert cards("older resid") == ["**Champions opened doors**"]
    assert cards("only-online") == []  # the words are there, not in that order


def test_a_link_with_filters_reopens_the_same_view(tiny_path, app_on):
    at = app_on(tiny_path)
    at.switch_page("pages/lessons.py")
    at.query_params["pilot"] = ["beta"]
    at.query_params["theme"] = ["trust", "not-a-theme"]
    at.run()
    assert not at.exception
    assert at.multiselect(key="lessons_pilots").value == ["beta"]
    assert at.multiselect(key="lessons_themes").value == ["trust"]
    assert at.markdown[0].value.startswith("**1 lesson** matches")


def test_open_a_lesson_and_go_back(tiny_path, app_on):
    at = app_on(tiny_path).run()
    at.switch_page("pages/lessons.py").run()
    at.button(key=next(b.key for b in at.button if b.label == "**Champions opened doors**")).click().run()
    assert not at.exception
    assert at.subheader[0].value == "Champions opened doors"
    assert "Local champions brought older residents in" in " ".join(m.value for m in at.markdown)
    assert "lesson" in at.query_params
    at.button(key="lessons_back").click().run()
    assert at.markdown[0].value.startswith("**3 lessons**")
    assert "lesson" not in at.query_params


def test_user_text_is_never_rendered_as_markup(tiny_path, app_on):
    at = app_on(tiny_path).run()
    at.switch_page("pages/lessons.py").run()
    at.multiselect(key="lessons_pilots").set_value(["beta"]).run()
    body = " ".join(m.value for m in at.markdown)
    assert "![img]" not in body and "\\!\\[img\\]" in body
    assert raw_html(at) == []
    at.button(key=next(b.key for b in at.button if b.key.startswith("lessons_card_"))).click().run()
    assert not at.exception
    title = at.subheader[0].value
    assert "\\<script\\>" in title and "\\*\\*bold\\*\\*" in title and "\\[link\\]\\(http\\:\u2060//evil" in title
    assert raw_html(at) == []
    root = Path(APP).parent
    ui = [Path(APP), *root.glob("pages/**/*.py"), *root.glob("components/**/*.py")]
    # One exception (#16): components/scripts.py, our tiny inline scripts that move focus, speak in a live region and
    # keep the participant's and the staff member's cookie; user text reaches them only as a JSON string.
    flagged = [p.name for p in ui if re.search(r"unsafe_allow_html|st\.html\(", p.read_text(encoding="utf-8"))]
    assert flagged == ["scripts.py"]
    votes = (root / "components" / "scripts.py").read_text(encoding="utf-8")
    assert "unsafe_allow_html" not in votes
    assert re.findall(r"st\.html\(.*", votes) == [
        'st.html(f"<script>{body}</script>", unsafe_allow_javascript=True)',
        'st.html(f"<style>{FOCUS_STYLE}</style>")',  # a constant: the visible keyboard focus (#19)
    ]


FOCUS_RING = f"<style>{scripts.FOCUS_STYLE}</style>"  # app.py's one style sheet, a constant (#19)
# and the page's language, a constant per interface language (#21)
LANGUAGE_SCRIPTS = [f"<script>{scripts.language_script(code)}</script>" for code in LANGUAGES]


def raw_html(at: AppTest) -> list[str]:
    """What the page sent to be rendered as raw HTML: Markdown with HTML allowed, and st.html elements (but app.py's
    focus style sheet)."""
    found = []

    def walk(node):
        proto = getattr(node, "proto", None)
        ours = node.type == "html" and proto.body in (FOCUS_RING, *LANGUAGE_SCRIPTS)
        if (node.type == "html" and not ours) or getattr(proto, "allow_html", False):
            found.append(str(proto)[:200])
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def test_hostile_search_never_breaks_the_page(tiny_path, app_on):
    at = app_on(tiny_path).run()
    at.switch_page("pages/lessons.py").run()
    for text in ['"unbalanced', "AND OR NOT", "NEAR(", "*", "col:value", "^", "'; DROP TABLE lessons; --", '""']:
        at.text_input(key="lessons_query").set_value(text).run()
        assert not at.exception, text
    assert at.info[-1].value.startswith("No lesson matches")


def test_a_lesson_link_to_a_removed_lesson_says_so(tiny_path, app_on):
    at = app_on(tiny_path)
    at.switch_page("pages/lessons.py")
    at.query_params["lesson"] = "999"
    at.run()
    assert not at.exception
    assert "no longer exists" in at.warning[0].value


def test_an_unreadable_database_shows_a_message_not_a_traceback(tmp_path, app_on):
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not a database" * 100)
    at = app_on(path).run()
    assert not at.exception
    assert "could not be opened" in at.error[0].value


# --- Lessons: the facets added for #5, dates, table, downloads, validation ------------------------------------


def cards(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.key.startswith("lessons_card_")]


def options(at: AppTest, key: str) -> list[str]:
    return list(at.multiselect(key=key).options)


def test_lessons_new_facets_filter_with_counts_and_go_into_the_url(tiny_path, app_on):
    at = app_on(tiny_path).run()
    at.switch_page("pages/lessons.py").run()
    assert [m.label for m in at.multiselect] == [
        "Pilot",
        "Country",
        "Theme",
        "Kind",
        "Co-creation phase",
        "Status",
        "Stakeholder group",
        "Methodology",
        "Status set by",
        "Method or tool used",
        "Language",
    ]
    assert options(at, "lessons_languages") == ["English (3)"]  # written or translated in (#21)
    assert options(at, "lessons_countries") == ["Finland (2)", "Portugal (1)"]  # named, by name
    assert options(at, "lessons_methodologies")[:2] == [
        "CoSIE pilot cycle (1)",
        "IMPROVE co-production methodology (2)",
    ]

    at.multiselect(key="lessons_countries").set_value(["PT"]).run()
    assert not at.exception
    assert at.markdown[0].value.startswith("**1 lesson** matches")
    assert param(at, "country") == ["PT"]
    # the other facets now count within Portugal; the country facet keeps its own totals
    assert options(at, "lessons_kinds") == ["Enabler (0)", "Barrier (0)", "Recommendation (0)", "Insight (1)"]
    assert options(at, "lessons_countries") == ["Finland (2)", "Portugal (1)"]

    at.multiselect(key="lessons_countries").set_value([]).run()
    at.multiselect(key="lessons_groups").set_value(["citizens"]).run()
    assert sorted(cards(at)) == ["**Champions opened doors**", "**Online\\-only excluded people**"]
    assert param(at, "group") == ["citizens"]
    at.multiselect(key="lessons_statuses").set_value(["submitted"]).run()
    assert cards(at) == ["**Online\\-only excluded people**"]
    assert param(at, "status") == ["submitted"]
    at.multiselect(key="lessons_methodologies").set_value(["cosie"]).run()
    assert at.info[-1].value.startswith("No lesson matches")
    assert param(at, "method") == ["cosie"]
    assert not at.get("download_button")  # nothing to download

    at.button(key="lessons_clear").click().run()
    assert at.markdown[0].value.startswith("**3 lessons** match")
    assert not any(param(at, p) for p in ("group", "status", "method"))


def test_lessons_date_range(tiny_path, app_on):
    at = app_on(tiny_path).run()
    at.switch_page("pages/lessons.py").run()
    assert [d.label for d in at.date_input] == ["Recorded from", "Recorded until"]
    assert "between 2021-03-01 and 2022-05-10" in at.date_input(key="lessons_from").help
    at.date_input(key="lessons_from").set_value(date(2022, 1, 1)).run()
    assert not at.exception
    assert cards(at) == ["**Online\\-only excluded people**"]  # the lesson without a date is left out
    assert param(at, "from") == ["2022-01-01"]
    at.date_input(key="lessons_from").set_value(None)
    at.date_input(key="lessons_to").set_value(date(2022, 5, 10)).run()
    assert sorted(cards(at)) == ["**Champions opened doors**", "**Online\\-only excluded people**"]  # inclusive
    assert param(at, "to") == ["2022-05-10"] and param(at, "from") == []
    at.date_input(key="lessons_from").set_value(date(2023, 1, 1)).run()
    assert "after the last date" in at.warning[0].value
    assert at.info[-1].value.startswith("No lesson matches")


def test_a_link_with_every_filter_reopens_identically(tiny_path, app_on):
    at = app_on(tiny_path).run()
    at.switch_page("pages/lessons.py").run()
    at.text_input(key="lessons_query").set_value("people")
    at.multiselect(key="lessons_countries").set_value(["FI"])
    at.multiselect(key="lessons_groups").set_value(["citizens", "public"])
    at.multiselect(key="lessons_methodologies").set_value(["improve"])
    at.multiselect(key="lessons_statuses").set_value(["submitted", "validated"])
    at.date_input(key="lessons_from").set_value(date(2021, 1, 1))
    at.date_input(key="lessons_to").set_value(date(2022, 12, 31))
    at.segmented_control(key="lessons_view").set_value("Table").run()
    assert not at.exception
    link = {name: param(at, name) for name in at.query_params}
    assert link == {
        "q": ["people"],
        "country": ["FI"],
        "status": ["submitted", "validated"],
        "group": ["citizens", "public"],
        "method": ["improve"],
        "from": ["2021-01-01"],
        "to": ["2022-12-31"],
        "view": ["Table"],
    }
    shown = at.dataframe[0].value

    again = app_on(tiny_path)
    again.switch_page("pages/lessons.py")
    for name, values in link.items():
        again.query_params[name] = values
    again.run()
    assert not again.exception
    assert again.text_input(key="lessons_query").value == "people"
    assert again.multiselect(key="lessons_countries").value == ["FI"]
    assert again.multiselect(key="lessons_groups").value == ["citizens", "public"]
    assert again.multiselect(key="lessons_methodologies").value == ["improve"]
    assert again.multiselect(key="lessons_statuses").value == ["submitted", "validated"]
    assert again.date_input(key="lessons_from").value == date(2021, 1, 1)
    assert again.date_input(key="lessons_to").value == date(2022, 12, 31)
    assert again.segmented_control(key="lessons_view").value == "Table"
    assert again.markdown[0].value == at.markdown[0].value
    pd.testing.assert_frame_equal(again.dataframe[0].value, shown)
    assert {name: param(again, name) for name in again.query_params} == link


def test_a_link_with_values_that_cannot_be_read_is_ignored(tiny_path, app_on):
    at = app_on(tiny_path)
    at.switch_page("pages/lessons.py")
    at.query_params["from"] = "yesterday"
    at.query_params["to"] = "0001-01-01"
    at.query_params["lesson"] = "abc"
    at.query_params["page"] = "-3"
    at.query_params["view"] = "Carousel"
    at.query_params["status"] = ["validated", "lost"]
    at.run()
    assert not at.exception
    assert at.date_input(key="lessons_from").value is None and at.date_input(key="lessons_to").value is None
    assert at.multiselect(key="lessons_statuses").value == ["validated"]
    assert cards(at) == ["**Champions opened doors**"]


def test_a_link_shared_before_opens_the_same_filtered_view(tiny_path, app_on):
    """A link copied from the address bar, parameter names and values as shared links have always had them."""
    link = "q=champions&theme=trust&theme=no-such-theme&kind=enabler&kind=insight&from=2021-01-01&view=Table&page=1"
    at = app_on(tiny_path)
    at.switch_page("pages/lessons.py")
    for name, values in parse_qs(link).items():
        at.query_params[name] = values
    at.run()
    assert not at.exception
    assert at.text_input(key="lessons_query").value == "champions"
    assert at.multiselect(key="lessons_themes").value == ["trust"]
    assert at.multiselect(key="lessons_kinds").value == ["enabler", "insight"]
    assert at.date_input(key="lessons_from").value == date(2021, 1, 1)
    assert at.segmented_control(key="lessons_view").value == "Table"
    assert at.dataframe[0].value["Title"].tolist() == [
        "?lesson=1&title=Champions+opened+doors"
    ]  # a link showing the title
    # what the page writes back: the same link without the value that is not offered and the default page
    assert {name: param(at, name) for name in at.query_params} == {
        "q": ["champions"],
        "theme": ["trust"],
        "kind": ["enabler", "insight"],
        "from": ["2021-01-01"],
        "view": ["Table"],
    }


def test_a_link_to_a_lesson_keeps_its_filters_for_the_way_back(tiny_path, app_on):
    with open_store(tiny_path) as db:
        lesson = db.execute("SELECT id FROM lessons WHERE title = 'Champions opened doors'").fetchone()[0]
    at = app_on(tiny_path)
    at.switch_page("pages/lessons.py")
    at.query_params["pilot"] = "alpha"
    at.query_params["lesson"] = str(lesson)
    at.run()
    assert not at.exception
    assert at.subheader[0].value == "Champions opened doors"
    at.button(key="lessons_back").click().run()
    assert at.markdown[0].value.startswith("**2 lessons**")
    assert param(at, "pilot") == ["alpha"] and "lesson" not in at.query_params


def test_lessons_downloads_hold_every_matching_lesson(tiny_path, app_on):
    at = app_on(tiny_path).run()
    at.switch_page("pages/lessons.py").run()
    at.multiselect(key="lessons_pilots").set_value(["alpha"]).run()
    buttons = {b.key: b for b in at.get("download_button")}
    assert set(buttons) == {"lessons_csv", "lessons_xlsx"}
    assert [buttons[k].label for k in ("lessons_csv", "lessons_xlsx")] == ["CSV", "XLSX"]
    assert "All 2 matching lessons" in buttons["lessons_csv"].help
    # the files the buttons make when clicked (deferred): every field, readable, countries named
    text = loaders.load_lessons_export(str(tiny_path), 0, "csv", query="", audience="all", pilots=("alpha",)).decode()
    header, *rows = text.splitlines()
    assert header.startswith("Pilot,Country,Lesson key,Title,What was learned,Context,Recommendation,Kind,")
    assert [row.split(",")[:4] for row in rows] == [
        ["Alpha pilot", "Finland", "L01", "Champions opened doors"],
        ["Alpha pilot", "Finland", "L02", "Online-only excluded people"],
    ]
    book = load_workbook(
        BytesIO(loaders.load_lessons_export(str(tiny_path), 0, "xlsx", query="champions", audience="all"))
    )
    values = [[c.value for c in row] for row in book["Lessons"].iter_rows()]
    assert len(values) == 2 and values[1][:4] == ["Alpha pilot", "Finland", "L01", "Champions opened doors"]


def test_lessons_table_view_opens_the_selected_lesson(tiny_path, app_on):
    at = app_on(tiny_path).run()
    at.switch_page("pages/lessons.py").run()
    at.segmented_control(key="lessons_view").set_value("Table").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "Pilot",
        "Country",
        "Key",
        "Title",
        "Kind",
        "Phase",
        "Status",
        "Themes",
        "Recorded on",
    ]
    # the title is a link to the lesson, showing the title (issue #19)
    assert table["Title"].tolist()[:2] == [
        "?lesson=1&title=Champions+opened+doors",
        "?lesson=2&title=Online-only+excluded+people",
    ]
    assert table["Country"].tolist()[0] == "Finland" and table["Kind"].tolist()[1] == "Barrier"
    assert cards(at) == []
    # a click on a row's selection box (AppTest sets the selection through session state)
    at.session_state["lessons_table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.subheader[0].value == "Online\\-only excluded people"
    assert param(at, "view") == ["Table"] and param(at, "lesson")
    at.button(key="lessons_back").click().run()
    assert not at.exception
    assert at.dataframe and "lesson" not in at.query_params  # back on the table; the lesson is not reopened


def test_lesson_detail_shows_validation_results_or_says_there_are_none(tiny_path, app_on):
    db = open_store(tiny_path)
    champions = db.execute("SELECT id FROM lessons WHERE title = 'Champions opened doors'").fetchone()[0]
    db["workshops"].insert({"id": 1, "code": "ABC234", "title": "Spring *validation*", "status": "closed"})
    db["statements"].insert({"id": 1, "workshop_id": 1, "key": "S01", "text": "Champions", "lesson_id": champions})
    db["participants"].insert_all({"id": i, "workshop_id": 1, "token": f"t{i}"} for i in range(1, 6))  # k = 5
    db["votes"].insert_all(
        {"participant_id": p, "statement_id": 1, "value": v, "round": 1} for p, v in ((1, 1), (2, 1), (3, -1), (4, 0))
    )
    db.close()
    at = app_on(tiny_path)
    at.switch_page("pages/lessons.py")
    at.query_params["lesson"] = str(champions)
    at.run()
    assert not at.exception
    body = " ".join(m.value for m in at.markdown)
    assert "**Validation in workshops**" in body
    assert "Spring \\*validation\\* (closed), round 1: 2 agree, 1 disagree, 1 pass" in body
    at.button(key="lessons_back").click().run()
    at.button(key=next(b.key for b in at.button if b.label == "**Online\\-only excluded people**")).click().run()
    assert any(c.value.startswith("No validation workshop has voted on this lesson yet.") for c in at.caption)
    assert "Finland" in at.caption[0].value  # the country is named
