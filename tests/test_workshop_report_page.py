"""AppTest for the public workshop report page: unpublished, published, unknown code, and the facilitator's panel."""

from __future__ import annotations

import re

import pytest

from lessons.permissions import cli_actor
from lessons.store import open_store
from lessons.workshops import moderate, submit_statement
from lessons.workshops.public_report import publish_report, published_at, respond
from tests.test_public_report import CODE, FACILITATOR, build, two_camp_workshop


@pytest.fixture
def workshop_db(demo_db_path):
    with open_store(demo_db_path) as db:
        build(db)
    return demo_db_path


def shown_text(at) -> str:
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info") for e in at.get(kind)]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(str(p) for p in parts)


def test_an_unpublished_report_says_so_and_shows_no_numbers(workshop_db, app_on):
    at = app_on(workshop_db, {"code": CODE}).run()
    at.switch_page("pages/workshop_report.py").run()
    assert not at.exception, at.exception
    assert any("not published yet" in i.value for i in at.info)
    assert len(at.dataframe) == 0 and len(at.get("vega_lite_chart")) == 0
    assert "Start with trust" not in shown_text(at)


def test_a_published_report_shows_the_numbers_to_anyone(workshop_db, app_on):
    with open_store(workshop_db) as db:
        publish_report(db, FACILITATOR, CODE)
        respond(db, FACILITATOR, CODE, "S02", "We will **raise** budgets in May.")
    at = app_on(workshop_db, {"code": CODE}).run()
    at.switch_page("pages/workshop_report.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("Workshop report") and "Trust in Tampere" in at.title[0].value
    assert len(at.get("vega_lite_chart")) == 1
    votes = at.dataframe[0].value
    first = votes[votes["No."] == 1].iloc[0]
    assert (first["Agree"], first["Disagree"], first["Pass"], first["Votes"]) == (7, 2, 2, 11)
    assert first["95% interval"] == "35–85%"
    text = shown_text(at)
    assert "We will **raise** budgets in May." in text  # a response is a table cell: plain text
    assert "secret-token" not in text and "participant_id" not in text
    # a figure the report does not have is a dash, never "None" or "nan" (S03 has no importance rating)
    cells = {str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()}
    assert not cells & {"None", "nan", "<NA>"} and "–" in cells
    assert [b.label for b in at.get("download_button")] == [
        "Download the report (HTML page)",
        "Download the report (PDF)",
    ]
    assert not [e for e in at.get("expander") if "Facilitator" in e.label]  # no staff panel for visitors


def test_an_unknown_code_is_told_plainly(workshop_db, app_on):
    at = app_on(workshop_db, {"code": "NOSUCH"}).run()
    at.switch_page("pages/workshop_report.py").run()
    assert not at.exception, at.exception
    assert any("There is no workshop with the code NOSUCH" in i.value for i in at.info)


def test_a_facilitator_publishes_from_the_page(workshop_db, app_on):
    at = app_on(workshop_db, {"code": CODE}, timeout=60).run()
    at.text_input(key="auth_username").set_value("facilitator")
    at.text_input(key="auth_password").set_value("demo-facilitator-pass")
    next(b for b in at.button if b.label == "Sign in").click().run()
    at.switch_page("pages/workshop_report.py").run()
    assert not at.exception, at.exception
    assert (
        at.title[0].value.startswith("Workshop report") and "Trust in Tampere" in at.title[0].value
    )  # the facilitator's preview
    publish = next(b for b in at.button if b.label == "Publish the report")
    assert publish.disabled  # the consequence must be confirmed first
    at.checkbox(key="workshop_report_sure").check().run()
    next(b for b in at.button if b.label == "Publish the report").click().run()
    assert not at.exception, at.exception
    with open_store(workshop_db) as db:
        assert published_at(db, CODE) is not None


def test_a_participant_with_their_own_link_sees_their_suggestion_and_group(demo_db_path, app_on):
    with open_store(demo_db_path) as db:
        workshop, _ = two_camp_workshop(db)
        token = f"t{workshop}-0"
        key = submit_statement(db, token, "Open the town hall on Sundays")
        moderate(db, cli_actor(), "CAMPS7", key, approve=False)
        respond(db, FACILITATOR, "CAMPS7", key, "Not this year: the hall is being repaired.")
        publish_report(db, FACILITATOR, "CAMPS7")
    at = app_on(demo_db_path, {"code": "CAMPS7", "token": token}).run()
    at.switch_page("pages/workshop_report.py").run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("Your own view") for s in at.subheader)
    text = shown_text(at)
    assert "Open the town hall on Sundays" in text and "Not this year" in text
    assert re.search(r"your votes fall in opinion group [AB], with 8 people", text)
    assert token not in text
    # the same page without the personal link shows no own view and not the rejected suggestion's words
    at = app_on(demo_db_path, {"code": "CAMPS7"}).run()
    at.switch_page("pages/workshop_report.py").run()
    assert not any(s.value.startswith("Your own view") for s in at.subheader)
    assert "Open the town hall on Sundays" not in shown_text(at)


def test_a_facilitator_responds_to_a_suggestion_from_the_page(workshop_db, app_on):
    at = app_on(workshop_db, {"code": CODE}, timeout=60).run()
    at.text_input(key="auth_username").set_value("facilitator")
    at.text_input(key="auth_password").set_value("demo-facilitator-pass")
    next(b for b in at.button if b.label == "Sign in").click().run()
    at.switch_page("pages/workshop_report.py").run()
    assert not at.exception, at.exception
    picker = at.selectbox(key="workshop_report_statement")
    assert "Suggestion S04 (not put to the vote)" in picker.options
    picker.set_value("S04")
    at.text_area(key="workshop_report_response").set_value("Not put to the vote: it named a person.")
    next(b for b in at.button if b.label == "Save the response").click().run()
    assert not at.exception, at.exception
    with open_store(workshop_db) as db:
        assert db.execute(
            "SELECT s.key, r.response, r.responded_by_role FROM statement_responses r "
            "JOIN statements s ON s.id = r.statement_id"
        ).fetchall() == [("S04", "Not put to the vote: it named a person.", "facilitator")]
