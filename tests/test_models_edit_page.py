"""AppTest for *Governance models → Edit* (issue #14): an administrator authors a model and links lessons, a
coordinator proposes a link, a viewer sees no edit controls, and a fresh store's page says how to start."""

from __future__ import annotations

import pytest

from components.models_views import EMPTY_STATE
from lessons.store import connect, open_store
from tests.test_manage_pages import sign_in


@pytest.fixture
def app(demo_db_path, app_on):
    return app_on(demo_db_path).run()


def edit_keys(at) -> list[str]:
    keys = [w.key for kind in ("text_input", "text_area", "multiselect", "button", "radio") for w in getattr(at, kind)]
    return [k for k in keys if k and ("models_" in k and k != "models_model")]


def test_an_administrator_creates_a_model_with_three_elements_and_links_two_lessons(app, demo_db_path):
    at = sign_in(app, "admin")
    at.switch_page("pages/models.py").run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Model", "Edit"]
    at.text_input(key="models_create_new_slug").set_value("test-model")
    at.text_input(key="models_create_new_name").set_value("A test model")
    at.text_area(key="models_create_new_text").set_value("What it says")
    at.button(key="FormSubmitter:models_create_new-Create model").click().run()
    assert not at.exception and not at.error
    at.selectbox(key="models_model").set_value("test-model").run()
    for title in ("Shared decisions", "Local champions", "Open data"):
        at.text_input(key="models_add_test-model_new_name").set_value(title)
        at.button(key="FormSubmitter:models_add_test-model_new-Add element").click().run()
        assert not at.exception and not at.error
    with connect(demo_db_path) as db:
        lessons = [r[0] for r in db.execute("SELECT id FROM lessons ORDER BY id LIMIT 2")]
        assert db.execute(
            """SELECT e.position, e.name FROM model_elements e JOIN governance_models gm ON gm.id = e.model_id
               WHERE gm.slug = 'test-model' ORDER BY e.position"""
        ).fetchall() == [(1, "Shared decisions"), (2, "Local champions"), (3, "Open data")]
    element_labels = at.selectbox(key="models_link_element").options
    assert element_labels == ["1. Shared decisions", "2. Local champions", "3. Open data"]
    with connect(demo_db_path) as db:
        second = db.execute(
            """SELECT e.id FROM model_elements e JOIN governance_models gm ON gm.id = e.model_id
               WHERE gm.slug = 'test-model' AND e.position = 2"""
        ).fetchone()[0]
    at.selectbox(key="models_link_element").set_value(second)
    at.multiselect(key="models_link_lessons").set_value(lessons)
    at.radio(key="models_link_stance").set_value("challenges")
    at.text_input(key="models_link_note").set_value("Seen in two pilots")
    at.run()
    at.button(key="models_link_go").click().run()
    assert not at.exception and not at.error
    with connect(demo_db_path) as db:
        assert db.execute(
            """SELECT le.lesson_id, e.name, le.stance, le.note, le.status FROM lesson_elements le
               JOIN model_elements e ON e.id = le.element_id JOIN governance_models gm ON gm.id = e.model_id
               WHERE gm.slug = 'test-model' ORDER BY le.lesson_id"""
        ).fetchall() == [(i, "Local champions", "challenges", "Seen in two pilots", "accepted") for i in lessons]
    # the choice is emptied after linking, so the next link does not carry the same lessons along unseen
    assert at.multiselect(key="models_link_lessons").value == [] and at.text_input(key="models_link_note").value == ""


def test_a_coordinator_proposes_a_link_for_their_own_lesson(app, demo_db_path):
    at = sign_in(app, "coordinator")
    at.switch_page("pages/models.py").run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Model", "Propose a link"]
    assert not [k for k in edit_keys(at) if k.startswith(("models_create", "models_el_", "models_review"))]
    with connect(demo_db_path) as db:
        own = db.execute(
            """SELECT l.id FROM lessons l JOIN user_pilots up ON up.pilot_id = l.pilot_id
               JOIN users u ON u.id = up.user_id WHERE u.username = 'coordinator'
                 AND l.id NOT IN (SELECT lesson_id FROM lesson_elements) ORDER BY l.id LIMIT 1"""
        ).fetchone()[0]
        title = db.execute("SELECT title FROM lessons WHERE id = ?", [own]).fetchone()[0]
        pilot = db.execute(
            "SELECT name FROM pilots WHERE id = (SELECT pilot_id FROM lessons WHERE id = ?)", [own]
        ).fetchone()[0]
    offered = at.multiselect(key="models_link_lessons").options
    assert f"{pilot} · {title}" in offered and all(o.startswith(f"{pilot} · ") for o in offered)
    at.multiselect(key="models_link_lessons").set_value([own])
    at.run()
    at.button(key="models_link_go").click().run()
    assert not at.exception and not at.error
    with connect(demo_db_path) as db:
        assert db.execute("SELECT status, proposed_by FROM lesson_elements WHERE lesson_id = ?", [own]).fetchall() == [
            ("proposed", "coordinator")
        ]


@pytest.mark.parametrize("who", ["viewer", None])
def test_a_viewer_and_a_visitor_see_no_edit_controls(app, who):
    at = sign_in(app, who) if who else app
    at.switch_page("pages/models.py").run()
    assert not at.exception
    assert not at.tabs
    assert edit_keys(at) == []
    assert any("validated" in e.label or "untested" in e.label for e in at.expander)


def test_a_fresh_store_says_who_creates_a_model_and_how(tmp_path, app_on):
    path = tmp_path / "empty.db"
    open_store(path).close()
    at = app_on(path).run()
    at.switch_page("pages/models.py").run()
    assert not at.exception
    assert at.info[-1].value == EMPTY_STATE
    assert "python -m lessons model add SLUG --name TEXT" in EMPTY_STATE and "model editors" in EMPTY_STATE
    assert edit_keys(at) == []


def test_reordering_a_voted_model_on_the_page_makes_version_2(app, demo_db_path):
    at = sign_in(app, "admin")
    at.switch_page("pages/models.py").run()
    at.selectbox(key="models_model").set_value("local-champions").run()
    with connect(demo_db_path) as db:
        voted = db.execute(
            """SELECT s.id, e.id, e.version FROM statements s JOIN model_elements e ON e.id = s.element_id
               JOIN governance_models gm ON gm.id = e.model_id WHERE gm.slug = 'local-champions' ORDER BY s.id"""
        ).fetchall()
    assert voted and {v[2] for v in voted} == {1}
    at.button(key="models_el_2_up").click().run()
    assert not at.exception and not at.error
    with connect(demo_db_path) as db:
        assert db.execute("SELECT version FROM governance_models WHERE slug = 'local-champions'").fetchone() == (2,)
        assert (
            db.execute(
                """SELECT s.id, e.id, e.version FROM statements s JOIN model_elements e ON e.id = s.element_id
                   JOIN governance_models gm ON gm.id = e.model_id WHERE gm.slug = 'local-champions' ORDER BY s.id"""
            ).fetchall()
            == voted
        )
    shown = at.caption
    assert any(c.value.startswith("Version 2") for c in shown)
    since = [i.value for i in at.info if "workshops voted on version 1" in i.value]
    assert len(since) == 1 and "- moved: E2" in since[0] and "- moved: E1" in since[0]


def test_the_first_model_created_on_a_fresh_store_opens_without_an_error(tmp_path, app_on):
    # found by tests/e2e/test_models_journey.py: the empty page left models_model None in the session, and the
    # rerun after "Create model" looked that None up in the catalogue (KeyError)
    from lessons.accounts import add_user
    from lessons.permissions import cli_actor

    path = tmp_path / "empty.db"
    with open_store(path) as db:
        add_user(db, cli_actor(), "first-admin", "a-long-admin-passphrase", role="admin")
    at = sign_in(app_on(path).run(), "first-admin", "a-long-admin-passphrase")
    at.switch_page("pages/models.py").run()
    assert at.info[-1].value == EMPTY_STATE
    at.text_input(key="models_create_new_slug").set_value("first-model")
    at.text_input(key="models_create_new_name").set_value("The first model")
    at.button(key="FormSubmitter:models_create_new-Create model").click().run()
    assert not at.exception and not at.error
    assert at.selectbox(key="models_model").value == "first-model"
    assert [t.label for t in at.tabs] == ["Model", "Edit"]
