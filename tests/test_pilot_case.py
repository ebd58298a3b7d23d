"""One pilot as a case (lessons/pilot_case.py) and its place on the offline map (lessons/geo.py), issue #20."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from lessons import geo, pilot_case, pilot_reads, synthesis
from lessons.demo import load_demo
from lessons.ingest.pipeline import check
from lessons.ingest.template import build_template
from lessons.permissions import cli_actor
from lessons.queries import pilot_summaries
from lessons.store import open_memory_store


@pytest.fixture(scope="module")
def demo():
    db = open_memory_store()
    load_demo(db)
    yield db
    db.close()


# --- The boundaries file and placing pilots -----------------------------------------------------------------------


def test_the_boundaries_file_loads_with_a_code_and_name_per_country_and_its_provenance():
    world = geo.boundaries()
    codes = [f["properties"]["code"] for f in world["features"]]
    assert world["type"] == "FeatureCollection" and len(codes) == len(set(codes)) == 175
    assert all(len(c) == 2 and c.isupper() for c in codes)
    assert {"FR", "NO", "PT", "FI", "GB", "UA", "XK"} <= set(codes)
    assert geo.BOUNDARIES.stat().st_size < 250_000  # small enough to ship and to send
    readme = (geo.BOUNDARIES.parent / "README.md").read_text(encoding="utf-8")
    assert "Natural Earth" in readme and "public domain" in readme and "sha256" in readme
    json.dumps(world)  # plain JSON, ready for a chart


def test_a_country_is_placed_at_the_centre_of_its_mainland():
    lon, lat = geo.country_centre("FR")
    assert -5 < lon < 8 and 42 < lat < 51  # not pulled towards French Guiana
    lon, lat = geo.country_centre("pt")  # any case
    assert -9.5 < lon < -6 and 37 < lat < 42.2  # mainland Portugal, not the Azores
    assert geo.country_centre("MT") == geo.EXTRA_CENTRES["MT"]  # too small for 1:110m
    assert geo.country_centre("ZZ") is None and geo.country_centre("") is None


def test_pilots_are_placed_by_their_own_coordinates_else_their_country():
    pilots = pd.DataFrame(
        {
            "slug": ["porto", "lisbon", "braga", "nowhere", "bad"],
            "country": ["PT", "PT", "PT", "ZZ", "FI"],
            "latitude": [41.15, None, None, None, 123.0],
            "longitude": [-8.61, None, None, None, 20.0],
        }
    )
    placed = geo.place_pilots(pilots).set_index("slug")
    assert placed.loc["porto", "placed_by"] == "coordinates"
    assert (placed.loc["porto", "longitude"], placed.loc["porto", "latitude"]) == (-8.61, 41.15)
    assert placed.loc["lisbon", "placed_by"] == placed.loc["braga", "placed_by"] == "country"
    # two pilots of one country without coordinates are set apart, around the centre
    assert (placed.loc["lisbon", "longitude"], placed.loc["lisbon", "latitude"]) != (
        placed.loc["braga", "longitude"],
        placed.loc["braga", "latitude"],
    )
    centre = geo.country_centre("PT")
    assert (
        abs(placed.loc["lisbon", "longitude"] - centre[0]) < 2 and abs(placed.loc["lisbon", "latitude"] - centre[1]) < 2
    )
    assert placed.loc["nowhere", "placed_by"] == "" and pd.isna(placed.loc["nowhere", "longitude"])
    assert placed.loc["bad", "placed_by"] == "country"  # a latitude out of range is not used


def test_every_demo_pilot_is_placed_at_its_city_and_the_map_holds_them(demo):
    pilots = pilot_summaries(demo).merge(pilot_reads.pilot_places(demo), on="slug")
    placed = geo.place_pilots(pilots)
    assert len(placed) == 12 and set(placed["placed_by"]) == {"coordinates"}
    box = geo.extent(placed)
    west, south, east, north = box
    assert placed["longitude"].between(west, east).all() and placed["latitude"].between(south, north).all()
    shown = {f["properties"]["code"] for f in geo.countries_within(box)["features"]}
    assert set(pilots["country"]) <= shown and "AU" not in shown
    # without coordinates every demo pilot still has a place: its country's centre
    again = geo.place_pilots(pilots.drop(columns=["latitude", "longitude"]))
    assert set(again["placed_by"]) == {"country"} and again["longitude"].notna().all()


def test_a_coordinator_gives_coordinates_in_the_pilot_sheet_and_bad_ones_are_refused():
    db = open_memory_store()

    def sheet(lat, lon) -> dict[str, bytes]:
        rows = [
            "field,value",
            "slug,porto-housing",
            "name,Porto housing",
            "country,PT",
            f"latitude,{lat}",
            f"longitude,{lon}",
        ]
        lessons = "key,title,lesson,kind\nL01,T,Something learned,insight\n"
        return [("Pilot.csv", "\n".join(rows).encode()), ("Lessons.csv", lessons.encode())]

    good = check(db, cli_actor(), sheet("41.15", "-8.61"))
    assert not good.errors, good.errors
    assert good.plan is not None
    pilot = next(c for c in good.plan.changes if c.table == "pilots")
    assert (pilot.after["latitude"], pilot.after["longitude"]) == (41.15, -8.61)
    bad = check(db, cli_actor(), sheet("95", "-8.61"))
    assert any("Latitude must be between -90 and 90" in p.message for p in bad.errors), bad.errors
    db.close()


# --- One pilot's case ----------------------------------------------------------------------------------------------


def test_a_pilot_case_holds_what_its_page_shows(demo):
    case = pilot_case.pilot_case(demo, "vasterbotten-home-care")
    facts = case["facts"]
    assert facts["name"] == "Rural home care with local champions" and facts["city"] == "Lycksele"
    assert facts["methodology_name"] and facts["latitude"] == pytest.approx(64.596)
    assert list(case["steps"].columns) == ["position", "name", "phase_name", "description"] and len(case["steps"]) >= 3
    assert case["steps"]["position"].is_monotonic_increasing
    assert len(case["partners"]) == case["sectors"]["stakeholders"].sum() > 0
    assert case["ties"] > 0
    lessons = case["lessons"]
    assert (
        len(lessons)
        == demo.execute(
            "SELECT count(*) FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = 'vasterbotten-home-care'"
        ).fetchone()[0]
    )
    assert lessons["phase_position"].is_monotonic_increasing  # by phase, in the phases' order
    assert pilot_case.pilot_case(demo, "no-such-pilot") is None


def test_the_workshops_that_judged_a_pilot_follow_the_privacy_rule(demo):
    workshops = pilot_case.pilot_workshops(demo, "vasterbotten-home-care")
    assert len(workshops) >= 1 and (workshops["votes"] >= 5).all()
    assert (workshops["agree"] + workshops["disagree"] + workshops["pass"] == workshops["votes"]).all()
    code = workshops["workshop"].iloc[0]
    db = open_memory_store()
    load_demo(db)
    # a workshop of fewer than 5 people: its votes are never shown, so it is not listed at all
    keep = [
        r[0]
        for r in db.execute(
            "SELECT p.id FROM participants p JOIN workshops w ON w.id = p.workshop_id WHERE w.code = ? LIMIT 4", [code]
        )
    ]
    db.execute(
        f"DELETE FROM participants WHERE workshop_id = (SELECT id FROM workshops WHERE code = ?) AND id NOT IN ({','.join('?' * len(keep))})",
        [code, *keep],
    )
    assert code not in set(pilot_case.pilot_workshops(db, "vasterbotten-home-care")["workshop"])
    db.close()
    assert pilot_case.pilot_workshops(demo, "no-such-pilot").empty


def test_what_recurs_and_contradicts_for_a_pilot(demo):
    groups = synthesis.clusters(synthesis.lesson_facts(demo), synthesis.similarity(demo, latest=True), 0.2, 2)
    found = pilot_case.pilot_recurring(groups, "vasterbotten-home-care")
    assert len(found) >= 1 and (found["pilots"] >= 2).all()
    own = set(groups["members"].query("pilot == 'vasterbotten-home-care'")["id"])
    assert all(set(ids) <= own and ids for ids in found["own"])
    assert not found["others"].str.contains("Rural home care with local champions").any()
    assert pilot_case.pilot_recurring(None, "vasterbotten-home-care").empty
    contested = pilot_case.pilot_contested(synthesis.theme_matrix(demo), "vasterbotten-home-care")
    assert len(contested) >= 1
    assert set(zip(contested["this_pilot"], contested["others_say"])) <= {
        ("enabler", "barrier"),
        ("barrier", "enabler"),
    }
    assert (contested["other_pilots"] >= 1).all()


def test_the_pilot_against_the_rest_pooled(demo):
    rows = pilot_case.against_the_rest(demo, "vasterbotten-home-care")
    assert set(rows["facet"]) == {"Kind", "Phase", "Status"}
    for (facet, side), part in rows.groupby(["facet", "side"]):
        assert part["share"].sum() == pytest.approx(1.0, abs=1e-3), (facet, side)
    mine = rows[rows["side"] == pilot_case.THIS_PILOT].groupby("facet")["lessons"].sum()
    rest = rows[rows["side"] == pilot_case.OTHERS].groupby("facet")["lessons"].sum()
    total = demo.execute("SELECT count(*) FROM lessons").fetchone()[0]
    assert (mine + rest == total).all() and mine["Kind"] == 16
    one = rows[(rows["facet"] == "Kind") & (rows["value"] == "Enabler")]
    assert one["difference"].nunique() == 1


def test_an_empty_store_has_no_case_and_nothing_to_compare():
    db = open_memory_store()
    assert pilot_case.pilot_case(db, "x") is None
    assert pilot_case.against_the_rest(db, "x")["lessons"].sum() == 0
    assert pilot_reads.pilot_places(db).empty
    db.close()


def test_the_template_asks_for_coordinates_on_the_pilot_sheet():
    db = open_memory_store()
    sheet = load_workbook(io.BytesIO(build_template(db)))["Pilot"]
    rows = {sheet.cell(r, 1).value: sheet.cell(r, 3).value for r in range(2, sheet.max_row + 1)}
    assert "decimal degrees" in rows["latitude"] and "Porto" in rows["longitude"]
    db.close()
