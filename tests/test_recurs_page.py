"""AppTest for the What recurs page: every section, the URL state, small and hostile stores.

Clicking a heatmap cell cannot be simulated in AppTest; the browser journey does it (tests/e2e/test_explore.py).
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.widgets import safe
from lessons import synthesis
from lessons.store import open_store
from lessons.visibility import PUBLIC, scope

PAGE = "pages/recurs.py"
VIEWS = ["Recurring", "Contradicting", "Missing", "Pilot × theme", "Methodology crosswalk", "Compare pilots"]


def open_page(app_on, path, params: dict | None = None) -> AppTest:
    at = app_on(path, params)
    at.run(timeout=30)
    at.switch_page(PAGE).run(timeout=60)
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(at: AppTest) -> str:
    return "\n".join(
        [e.value for e in at.subheader]
        + [e.value for e in at.markdown]
        + [e.value for e in at.caption]
        + [e.value for e in at.info]  # fmt: skip
    )


def test_every_section_renders_on_the_demo(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path)
    with open_store(demo_db_path) as db:
        sim = synthesis.similarity(db)
        with scope(db, PUBLIC):  # what a visitor's page shows: public lessons only
            matrix = synthesis.theme_matrix(db)
            groups = synthesis.clusters(synthesis.lesson_facts(db), sim, 0.2, 3)
    shown = metrics(at)
    assert shown["Themes in 3+ pilots"] == str(len(synthesis.recurring_themes(matrix, 3)))
    assert shown["Lesson groups in 3+ pilots"] == str(len(groups["clusters"]))
    assert shown["Contested themes"] == str(len(synthesis.theme_contradictions(matrix)))
    assert shown["Themes with gaps"] == str(len(synthesis.theme_gaps(matrix)))
    # The recurring groups are listed, each as an expander named by its most typical lesson's title.
    labels = [e.label for e in at.expander]
    assert any(safe(groups["clusters"]["name"].iloc[0]) in label for label in labels)
    for view in VIEWS[1:]:
        at.segmented_control(key="recurs_view").set_value(view).run(timeout=60)
        assert not at.exception, (view, at.exception)
        assert at.query_params["view"] == [view] or at.query_params["view"] == view


def test_link_with_a_cell_reopens_its_lessons(demo_db_path, app_on):
    with open_store(demo_db_path) as db, scope(db, PUBLIC):  # a visitor's view
        expected = synthesis.cell_lessons(db, "tilburg-family-support", "trust")
    at = open_page(app_on, demo_db_path, {"view": "Pilot × theme", "pilot": "tilburg-family-support", "theme": "trust"})
    assert at.selectbox(key="recurs_pilot").value == "tilburg-family-support"
    assert any(f": {len(expected)} lessons" in s.value for s in at.subheader)
    links = [e.proto for e in at.get("page_link")]
    lesson_links = [link for link in links if "lesson=" in link.query_string]
    assert len(lesson_links) == len(expected)
    assert any("pilot=tilburg-family-support" in link.query_string for link in links)


def test_link_settings_are_restored_and_bad_values_ignored(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"k": "5", "similarity": "35", "view": "Missing"})
    assert at.slider(key="recurs_k").value == 5 and at.slider(key="recurs_similarity").value == 35
    assert "Themes in 5+ pilots" in metrics(at)
    assert any("no lesson on" in s.value for s in at.subheader)
    at = open_page(app_on, demo_db_path, {"k": "999", "similarity": "abc", "view": "<script>"})
    assert at.slider(key="recurs_k").value == 3 and at.slider(key="recurs_similarity").value == 20
    at.slider(key="recurs_k").set_value(4).run(timeout=60)
    assert at.query_params["k"] in ("4", ["4"])


def test_crosswalk_links_each_phase_to_its_lessons(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"view": "Methodology crosswalk"})
    phases = [e.proto.query_string for e in at.get("page_link")]
    assert phases == [f"phase={p}" for p in ("initiate", "understand", "co-design", "co-deliver", "evaluate")]


def test_compare_two_pilots(demo_db_path, app_on):
    at = open_page(
        app_on,
        demo_db_path,
        {"view": "Compare pilots", "compare": ["athens-innovation-network", "riga-service-desk"]},
    )
    assert at.multiselect(key="recurs_compare").value == ["athens-innovation-network", "riga-service-desk"]
    assert any("only one of them" in s.value for s in at.subheader)


def test_contested_theme_lists_both_sides(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"view": "Contradicting", "contested": "digital"})
    body = texts(at)
    assert "As an enabler" in body and "As a barrier" in body


@pytest.fixture
def hostile_path(tmp_path):
    """Two pilots whose names and lessons are Markdown and HTML that must show as text."""
    path = tmp_path / "hostile.db"
    db = open_store(path)
    trust = db.execute("SELECT id FROM themes WHERE code = 'trust'").fetchone()[0]
    for slug, name in (("a", "**Bold** [pilot](http://evil.example)"), ("b", "<b>B</b>")):
        pilot = db["pilots"].insert({"slug": slug, "name": name, "country": "FI"}).last_pk
        for key, kind in (("L1", "enabler"), ("L2", "barrier")):
            lesson = (
                db["lessons"]
                .insert(
                    {
                        "pilot_id": pilot,
                        "key": key,
                        "title": f"[x](http://evil.example) {kind} trust",
                        "lesson": "Trust grew when <script>alert(1)</script> staff listened.",
                        "kind": kind,
                        "status": "submitted",  # public: a visitor sees it
                    }  # fmt: skip
                )
                .last_pk
            )
            db["lesson_themes"].insert({"lesson_id": lesson, "theme_id": trust})
    db.close()
    return path


def test_hostile_names_are_shown_as_text(hostile_path, app_on):
    at = open_page(app_on, hostile_path, {"view": "Pilot × theme", "pilot": "a", "theme": "trust"})
    heading = next(s.value for s in at.subheader if "lessons" in s.value)
    assert "\\*\\*Bold\\*\\*" in heading and "\\[pilot\\]" in heading
    for view in VIEWS:
        at.segmented_control(key="recurs_view").set_value(view).run(timeout=60)
        assert not at.exception, (view, at.exception)
    at = open_page(app_on, hostile_path, {"view": "Contradicting", "contested": "trust"})
    assert "As an enabler" in texts(at)


def test_too_few_pilots_says_so(tmp_path, app_on):
    path = tmp_path / "one.db"
    db = open_store(path)
    db["pilots"].insert({"slug": "solo", "name": "Solo", "country": "FI"})
    db.close()
    at = open_page(app_on, path)
    assert any("at least two pilots" in i.value for i in at.info)


def test_a_lesson_lists_similar_lessons_of_other_pilots(demo_db_path, app_on):
    with open_store(demo_db_path) as db:
        lesson_id, pilot = db.execute(
            "SELECT l.id, p.slug FROM lessons l JOIN pilots p ON p.id = l.pilot_id "
            "WHERE l.title LIKE 'Hubs lost their coordinator%'"
        ).fetchone()
        db.execute("UPDATE lessons SET status = 'submitted' WHERE id = ?", [lesson_id])  # a draft: visitors see none
        db.conn.commit()
        sim = synthesis.similarity(db)
        with scope(db, PUBLIC):  # a visitor's view
            expected = synthesis.similar_lessons(db, sim, lesson_id)
    assert len(expected) >= 2 and pilot not in set(expected["pilot"])
    at = app_on(demo_db_path, {"lesson": str(lesson_id)})
    at.run(timeout=30)
    at.switch_page("pages/lessons.py").run(timeout=60)
    assert not at.exception, at.exception
    assert any(m.value == "**Similar lessons in other pilots**" for m in at.markdown)
    buttons = [b for b in at.button if b.key and b.key.startswith("lessons_similar_")]
    assert [int(b.key.rsplit("_", 1)[1]) for b in buttons] == expected["id"].tolist()
    buttons[0].click().run(timeout=60)
    assert at.session_state["lessons_open"] == int(expected["id"].iloc[0])
    assert any(s.value == expected["title"].iloc[0].replace("'", "'") for s in at.subheader)
