"""AppTest for Run a workshop: a facilitator prepares, opens, watches results, runs a round, closes and applies."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lessons import workshops
from lessons.permissions import cli_actor
from lessons.store import open_store


def signed_in(app_on, path, username="facilitator", password="demo-facilitator-pass") -> AppTest:
    at = app_on(path, timeout=60)
    at.run()
    at.text_input(key="auth_username").set_value(username)
    at.text_input(key="auth_password").set_value(password)
    next(b for b in at.button if b.label == "Sign in").click().run()
    at.switch_page("pages/workshops.py").run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def test_a_facilitator_runs_a_workshop_end_to_end(demo_db_path, app_on):
    at = signed_in(app_on, demo_db_path)
    next(t for t in at.text_input if t.label == "Title").set_value("Spring validation")
    click(at, "Create workshop")
    code = at.session_state["workshops_code"]
    with open_store(demo_db_path) as db:
        lesson_id = db.execute("SELECT id FROM lessons WHERE status = 'submitted' LIMIT 1").fetchone()[0]
    next(m for m in at.multiselect if m.label == "From lessons").set_value([lesson_id])
    next(t for t in at.text_area if t.label == "Your own statements, one per line").set_value(
        "Every pilot should publish what it learned.\nBudgets should follow what residents ask for."
    )
    click(at, "Add statements")
    assert any("Added 3 statements" in s.value for s in at.success)
    click(at, "Open for voting")
    with open_store(demo_db_path) as db:
        tokens = [workshops.join(db, code, stakeholder_group="citizens") for _ in range(6)]
        for token in tokens:
            for key in ("S01", "S02", "S03"):
                workshops.cast_vote(db, token, key, "agree")
    at.run()
    assert {m.label: m.value for m in at.metric}["Votes"] == "18"
    click(at, "Start another round")
    with open_store(demo_db_path) as db:
        assert workshops.workshop_by_code(db, code)["current_round"] == 2
        for token in tokens:
            workshops.cast_vote(db, token, "S01", "agree")
    at.run()
    click(at, "Close voting")
    click(at, "Apply results to lessons")
    assert any("1 of 1 lessons changed status" in s.value for s in at.success)
    with open_store(demo_db_path) as db:
        assert db.execute("SELECT status FROM lessons WHERE id = ?", [lesson_id]).fetchone() == ("validated",)


def test_a_viewer_cannot_run_workshops(demo_db_path, app_on):
    at = signed_in(app_on, demo_db_path, "viewer", "demo-viewer-pass")
    assert any("prepared and run by facilitators" in i.value for i in at.info)
    assert not [b for b in at.button if b.label == "Create workshop"]


def test_applying_a_workshop_without_lesson_statements_says_so(demo_db_path, app_on):
    # found by tests/e2e/test_models_journey.py: a workshop on governance-model elements only returned no lesson
    # results, and the click on "Apply results to lessons" showed nothing at all
    with open_store(demo_db_path) as db:
        code = workshops.create_workshop(db, cli_actor(), "Elements only")
        workshops.add_statements(db, cli_actor(), code, texts=["A free statement."])
        workshops.open_workshop(db, cli_actor(), code)
        workshops.close_workshop(db, cli_actor(), code)
    at = signed_in(app_on, demo_db_path)
    at.selectbox(key="workshops_code").set_value(code).run()
    click(at, "Apply results to lessons")
    assert not at.error
    assert any("No statement of this workshop was drawn from a lesson" in i.value for i in at.info)
