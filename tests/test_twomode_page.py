"""AppTest of the Upload page's two-mode option: an affiliation list → column pickers → counts → commit → undo."""

from __future__ import annotations

import pandas as pd
import pytest

from lessons.store import connect
from tests.realdata import REALDATA

SUBMIT = "FormSubmitter:auth_form-Sign in"
PILOT = "tampere-youth-guidance"
#: A small attendance list: Ann and Bo share two meetings, Cy one with each of them; Di meets nobody.
ATTENDANCE = "person,meeting,kind\nAnn,M1,ngo\nBo,M1,University\nAnn,M2,ngo\nBo,M2,University\nCy,M2,\nDi,M3,\n"
DAVIS = REALDATA / "networkx-classics" / "davis_southern_women_edges.csv"


@pytest.fixture
def coordinator(demo_db_path, app_on):
    at = app_on(demo_db_path).run()
    at.text_input(key="auth_username").set_value("coordinator")
    at.text_input(key="auth_password").set_value("demo-coordinator-pass")
    at.button(key=SUBMIT).click().run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    return at


def network_of(path, slug: str) -> tuple[int, dict]:
    with connect(path, readonly=True) as db:
        pilot = db.execute("SELECT id FROM pilots WHERE slug = ?", [slug]).fetchone()[0]
        actors = db.execute("SELECT count(*) FROM stakeholders WHERE pilot_id = ?", [pilot]).fetchone()[0]
        ties = db.execute(
            """SELECT s.key, t.key, weight FROM ties JOIN stakeholders s ON s.id = source_id
               JOIN stakeholders t ON t.id = target_id WHERE ties.pilot_id = ? AND relation = 'co-participation'""",
            [pilot],
        ).fetchall()
    return actors, {frozenset((a, b)): w for a, b, w in ties}


def upload_two_mode(at, name: str, data: bytes):
    at.checkbox(key="upload_two_mode").check()
    at.selectbox(key="upload_pilot").set_value(PILOT)
    at.get("file_uploader")[0].set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception
    return at


def test_an_affiliation_list_is_projected_into_the_pilot_and_undone(coordinator, demo_db_path):
    actors_before, ties_before = network_of(demo_db_path, PILOT)
    assert ties_before == {}
    at = upload_two_mode(coordinator, "attendance.csv", ATTENDANCE.encode())
    assert at.selectbox(key="upload_two_mode_actor").value == "person"
    assert at.selectbox(key="upload_two_mode_event").value == "meeting"
    assert {m.label: m.value for m in at.metric} == {"Actors": "4", "Events": "3", "Participations": "6", "Ties": "3"}
    at.selectbox(key="upload_two_mode_sector").set_value("kind").run()
    warnings = at.dataframe[0].value  # the problems table: the two actors without a sector
    assert warnings["severity"].tolist() == ["warning"]
    assert "2 of 4 actor(s) have no sector" in warnings["problem"].iloc[0]
    at.button(key="upload_two_mode_commit").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Upload 2 committed")
    actors, ties = network_of(demo_db_path, PILOT)
    assert actors == actors_before + 4
    assert ties == {frozenset(("Ann", "Bo")): 2, frozenset(("Ann", "Cy")): 1, frozenset(("Bo", "Cy")): 1}
    with connect(demo_db_path, readonly=True) as db:
        sectors = dict(db.execute("SELECT key, sector FROM stakeholders WHERE key IN ('Ann', 'Bo', 'Cy', 'Di')"))
    assert sectors == {"Ann": "civil_society", "Bo": "research", "Cy": "not_classified", "Di": "not_classified"}
    again = upload_two_mode(at, "attendance.csv", ATTENDANCE.encode())
    again.selectbox(key="upload_two_mode_sector").set_value("kind").run()
    assert again.info[0].value.startswith("Nothing to commit: upload 2 already imported this list into this pilot.")
    assert "upload_two_mode_commit" not in [b.key for b in again.button]
    at.selectbox(key="upload_undo_pick").set_value(2)
    at.button(key="upload_undo").click().run()
    assert not at.exception
    assert "Upload 2 undone" in at.success[-1].value
    assert network_of(demo_db_path, PILOT) == (actors_before, {})


def test_the_network_page_shows_the_projected_network(coordinator, demo_db_path, app_on):
    at = upload_two_mode(coordinator, "attendance.csv", ATTENDANCE.encode())
    at.button(key="upload_two_mode_commit").click().run()
    assert not at.exception
    page = app_on(demo_db_path, {"pilot": PILOT}).run()
    page.switch_page("pages/networks.py").run()
    assert not page.exception
    assert page.selectbox(key="networks_pilot").value == PILOT


@pytest.mark.skipif(not DAVIS.is_file(), reason=f"the shared real data is not here ({DAVIS})")
def test_davis_southern_women_through_the_page(coordinator, demo_db_path):
    frame = pd.read_csv(DAVIS)
    at = upload_two_mode(coordinator, DAVIS.name, DAVIS.read_bytes())
    shown = {m.label: m.value for m in at.metric}
    assert shown == {
        "Actors": str(frame["woman"].nunique()),
        "Events": str(frame["event"].nunique()),
        "Participations": str(len(frame.drop_duplicates())),
        "Ties": "139",
    }
    at.button(key="upload_two_mode_commit").click().run()
    assert not at.exception
    assert network_of(demo_db_path, PILOT)[1][frozenset(("Evelyn Jefferson", "Theresa Anderson"))] == 7
