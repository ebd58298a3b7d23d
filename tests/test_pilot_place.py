"""A pilot's place on the map (#20): a coordinator sets or clears its latitude and longitude on Edit pilot data;
the domain checks them (ranges, both or neither), audits the change and nothing is written on bad input."""

from __future__ import annotations

import json

import pytest

from lessons.editing import EditError, create_pilot, update_pilot
from lessons.permissions import Actor, PermissionDenied, cli_actor
from lessons.store import connect
from tests.test_manage_pages import sign_in


@pytest.fixture
def pilot(db):
    return create_pilot(db, cli_actor(), "alpha", name="Alpha", country="FI")


def place(db, pilot_id):
    return db.execute("SELECT latitude, longitude FROM pilots WHERE id = ?", [pilot_id]).fetchone()


def audit(db) -> list[tuple[str, dict]]:
    rows = db.execute("SELECT action, detail FROM audit_log WHERE action = 'pilot.edit' ORDER BY id").fetchall()
    return [(a, json.loads(d)) for a, d in rows]


def test_a_place_is_set_audited_and_put_back_by_its_before_values(db, pilot):
    changed = update_pilot(db, cli_actor(), pilot, latitude="61.4978", longitude="23,761")
    assert changed == {
        "latitude": {"before": None, "after": 61.4978},
        "longitude": {"before": None, "after": 23.761},
    }
    assert place(db, pilot) == (61.4978, 23.761)
    assert audit(db) == [("pilot.edit", changed)]
    update_pilot(db, cli_actor(), pilot, **{k: d["before"] for k, d in changed.items()})  # the page's undo
    assert place(db, pilot) == (None, None)
    assert [d for _, d in audit(db)][-1] == {
        "latitude": {"before": 61.4978, "after": None},
        "longitude": {"before": 23.761, "after": None},
    }


def test_the_equator_and_the_edges_of_the_ranges_are_places(db, pilot):
    update_pilot(db, cli_actor(), pilot, latitude=0, longitude=-180)
    assert place(db, pilot) == (0.0, -180.0)
    update_pilot(db, cli_actor(), pilot, latitude="-90", longitude="180°")
    assert place(db, pilot) == (-90.0, 180.0)
    assert update_pilot(db, cli_actor(), pilot, latitude=-90.0, longitude=180.0) == {}  # the same: nothing recorded


def test_clearing_both_places_the_pilot_at_its_country_again(db, pilot):
    update_pilot(db, cli_actor(), pilot, latitude=60.17, longitude=24.94)
    update_pilot(db, cli_actor(), pilot, latitude="", longitude=" ")
    assert place(db, pilot) == (None, None)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"latitude": "91", "longitude": "20"}, "Latitude must be between -90 and 90 degrees; 91 is not."),
        ({"latitude": 10, "longitude": -180.5}, "Longitude must be between -180 and 180 degrees; -180.5 is not."),
        ({"latitude": "north", "longitude": "20"}, "Latitude must be a number of decimal degrees"),
        ({"latitude": "nan", "longitude": "20"}, "Latitude must be a number of decimal degrees"),
        ({"latitude": "10", "longitude": "inf"}, "Longitude must be a number of decimal degrees"),
        ({"latitude": "61.5", "longitude": ""}, "Give both the latitude and the longitude"),
        ({"latitude": "61.5"}, "Give both the latitude and the longitude"),
    ],
)
def test_bad_coordinates_are_refused_plainly_and_nothing_is_written(db, pilot, given, message):
    before = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with pytest.raises(EditError, match=message.replace("(", r"\(").replace(".", r"\.")):
        update_pilot(db, cli_actor(), pilot, city="Tampere", **given)
    assert place(db, pilot) == (None, None)
    assert db.execute("SELECT city FROM pilots WHERE id = ?", [pilot]).fetchone() == (None,)
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before


def test_clearing_one_of_two_stored_coordinates_is_refused(db, pilot):
    update_pilot(db, cli_actor(), pilot, latitude=61.5, longitude=23.8)
    with pytest.raises(EditError, match="Give both"):
        update_pilot(db, cli_actor(), pilot, longitude=None)
    assert place(db, pilot) == (61.5, 23.8)
    update_pilot(db, cli_actor(), pilot, latitude=62.0)  # one changed, the other kept: still both
    assert place(db, pilot) == (62.0, 23.8)


def test_a_new_pilot_may_have_a_place_but_only_a_whole_one(db):
    pilot_id = create_pilot(db, cli_actor(), "beta", name="Beta", country="IT", latitude=45.07, longitude=7.69)
    assert place(db, pilot_id) == (45.07, 7.69)
    with pytest.raises(EditError, match="Give both"):
        create_pilot(db, cli_actor(), "gamma", name="Gamma", country="IT", latitude=45.07)


def test_only_those_who_may_edit_the_pilot_set_its_place(db, pilot):
    with pytest.raises(PermissionDenied):
        update_pilot(db, Actor("vic", "viewer"), pilot, latitude=1, longitude=2)
    assert place(db, pilot) == (None, None)


# --- on the page ---------------------------------------------------------------------------------------------------


def _save_facts(app):
    app.button(key=next(b.key for b in app.button if b.label == "Save pilot facts")).click().run()
    assert not app.exception


def _field(app, label):
    return next(t for t in app.text_input if t.label == label)


def _stored(path):
    with connect(path, readonly=True) as db:
        return db.execute("SELECT latitude, longitude FROM pilots WHERE slug = 'tampere-youth-guidance'").fetchone()


def test_a_coordinator_moves_clears_and_undoes_a_place_on_edit_pilot_data(demo_db_path, app_on):
    app = sign_in(app_on(demo_db_path).run(), "coordinator")
    app.switch_page("pages/pilot_data.py").run()
    assert (_field(app, "Latitude").value, _field(app, "Longitude").value) == ("61.498", "23.761")
    _field(app, "Latitude").set_value("61.4978")
    _field(app, "Longitude").set_value("23,7603")
    _save_facts(app)
    assert "Saved: Latitude, Longitude." in [s.value for s in app.success]
    assert _stored(demo_db_path) == (61.4978, 23.7603)
    assert _field(app, "Latitude").value == "61.4978"

    _field(app, "Latitude").set_value("")
    _field(app, "Longitude").set_value("")
    _save_facts(app)
    assert _stored(demo_db_path) == (None, None)
    app.button(key="pilotdata_facts_undo").click().run()
    assert not app.exception
    assert any(s.value.startswith("The last change is undone") for s in app.success)
    assert _stored(demo_db_path) == (61.4978, 23.7603)
    with connect(demo_db_path, readonly=True) as db:
        assert (
            db.execute("SELECT actor FROM audit_log WHERE action = 'pilot.edit'").fetchall() == [("coordinator",)] * 3
        )

    _field(app, "Latitude").set_value("123")
    _save_facts(app)
    assert any("between \\-90 and 90 degrees; 123 is not" in e.value for e in app.error)  # escaped Markdown
    _field(app, "Latitude").set_value("61.5")
    _field(app, "Longitude").set_value("")
    _save_facts(app)
    assert any("Give both the latitude and the longitude" in e.value for e in app.error)
    assert _stored(demo_db_path) == (61.4978, 23.7603)
