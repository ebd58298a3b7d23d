"""Every table on the workshop, report, What recurs and exports pages speaks plain words (#19).

No header is a column name of the store (``mean_entropy``), no cell a code (``civil_society``), "None" or "nan":
:mod:`tests.plain_words` scans every table an AppTest run rendered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from components.export_views import problem_table
from components.workshop_views import plain_rounds
from lessons.ingest.problems import Problem
from lessons.permissions import cli_actor
from lessons.store import open_store
from lessons.workshops.outcomes import start_round
from lessons.workshops.public_report import publish_report
from tests.plain_words import unplain, unplain_frame
from tests.test_public_report import CODE, FACILITATOR, build, two_camp_workshop
from tests.test_workshop_analysis import add_people, add_workshop, cast, two_camps

ROUNDS = "RNDTWO"
VIEWS = ["Recurring", "Contradicting", "Missing", "Pilot × theme", "Methodology crosswalk", "Compare pilots"]


def two_rounds(db, code: str = ROUNDS) -> None:
    """Seventeen people of three sectors (five gave none) vote twice; one statement gets no vote at all."""
    workshop, statements = add_workshop(db, code, statements=11)
    people = add_people(db, workshop, ["civil_society"] * 6 + ["public"] * 6 + [None] * 5)
    votes = np.vstack([two_camps(), two_camps()[:1]])[:, :10]
    cast(db, people, statements[:10], votes)
    start_round(db, cli_actor(), code)
    cast(db, people, statements[:10], np.where(votes == -1, 1, votes), round=2)


@pytest.fixture
def workshops_db(demo_db_path):
    with open_store(demo_db_path) as db:
        build(db)
        two_camp_workshop(db)
        two_rounds(db)
        for code in (CODE, "CAMPS7", ROUNDS):
            publish_report(db, FACILITATOR, code)
    return demo_db_path


def test_the_facilitators_live_results_speak_plain_words(workshops_db, app_on):
    at = app_on(workshops_db, timeout=60).run()
    at.text_input(key="auth_username").set_value("facilitator")
    at.text_input(key="auth_password").set_value("demo-facilitator-pass")
    next(b for b in at.button if b.label == "Sign in").click().run()
    at.switch_page("pages/workshops.py").run()
    seen = set()
    for code in (CODE, "CAMPS7", ROUNDS):
        at.selectbox(key="workshops_code").set_value(code).run()
        assert "(free)" not in " ".join(m.value for m in at.markdown)  # a statement's origin in words
        at.session_state["workshops_view"] = "Live results"
        at.run()
        for method in ("default", "polis"):
            at.radio(key="workshops_method").set_value(method).run()
            assert not at.exception, at.exception
            assert unplain(at) == [], (code, method)
            seen |= {str(c) for frame in at.dataframe for c in frame.value.columns}
    assert {"Measure", "Round 1", "Round 2", "Civil society"} <= seen
    assert "No sector given" in seen  # the five who gave no sector, pooled under their own name


def test_the_public_report_and_a_participants_own_view_speak_plain_words(workshops_db, app_on):
    for code, token in ((CODE, None), ("CAMPS7", None), (ROUNDS, None), ("CAMPS7", "own")):
        params = {"code": code}
        if token:
            with open_store(workshops_db) as db:
                params["token"] = db.execute(
                    "SELECT p.token FROM participants p JOIN workshops w ON w.id = p.workshop_id WHERE w.code = ? "
                    "ORDER BY p.id LIMIT 1",
                    [code],
                ).fetchone()[0]
        at = app_on(workshops_db, params).run()
        at.switch_page("pages/workshop_report.py").run()
        assert not at.exception, at.exception
        assert len(at.dataframe) >= 3
        assert unplain(at) == [], code
        headers = {str(c) for frame in at.dataframe for c in frame.value.columns}
        assert "n" not in headers and "Votes" in headers


def test_what_recurs_speaks_plain_words_in_every_view(demo_db_path, app_on):
    at = app_on(demo_db_path).run()
    at.switch_page("pages/recurs.py").run(timeout=60)
    for view in VIEWS:
        at.segmented_control(key="recurs_view").set_value(view).run(timeout=60)
        if view == "Compare pilots":
            with open_store(demo_db_path) as db:
                pilots = [slug for (slug,) in db.execute("SELECT slug FROM pilots ORDER BY slug LIMIT 2")]
            at.multiselect(key="recurs_compare").set_value(pilots).run(timeout=60)
        assert not at.exception, (view, at.exception)
        assert unplain(at) == [], view
        if view == "Recurring":  # groups are named by a lesson's title, their words on a second line
            groups = next(f.value for f in at.dataframe if "Shared words" in f.value.columns)
            assert set(groups["Enabler in one pilot, barrier in another"]) <= {"Yes", "No"}
            assert any(f"Shared words: {groups['Shared words'].iloc[0]}" == c.value for c in at.caption)


def test_a_bundles_problems_are_headed_in_words():
    table = problem_table([Problem("lessons.csv", None, None, None, "The file is empty.", "Export it again.")])
    assert list(table.columns) == ["File", "Row", "Column", "What is wrong", "How to fix it"]
    assert table.iloc[0].tolist() == ["lessons.csv", "—", "—", "The file is empty.", "Export it again."]
    assert unplain_frame(table) == []


def test_the_rounds_table_names_every_measure_and_shows_no_change_as_a_dash():
    rounds = pd.DataFrame(
        {"round": [1, 2], "participants": [10, 9], "votes": [100, 90], "statements": [10, 10],
         "mean_variance": [0.6, 0.4], "mean_entropy": [0.8, 0.5], "agreement_70": [0.1, 0.3],
         "variance_change": [np.nan, -0.2], "agreement_change": [np.nan, 0.2]}
    )  # fmt: skip
    table = plain_rounds(rounds).set_index("Measure")
    assert unplain_frame(table.reset_index()) == []
    assert list(table.columns) == ["Round 1", "Round 2"]
    assert table.loc["Change in spread between rounds"].tolist() == ["—", "-0.20"]
    assert table.loc["Change in statements with 70% agreement"].tolist() == ["—", "+20 points"]
    assert table.loc["Statements with 70% agreement"].tolist() == ["10%", "30%"]
    assert table.loc["People who voted"].tolist() == ["10", "9"]


def test_the_scan_finds_what_it_is_for():
    frame = pd.DataFrame({"display_name": ["a"], "Group": ["civil_society"], "Change": [None]})
    found = unplain_frame(frame)
    assert len(found) == 3 and "display_name" in found[0] and "civil_society" in found[1] and "None" in found[2]
