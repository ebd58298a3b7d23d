"""The network drawing a policy-maker can read (#19): names on the most central actors, find-to-highlight, zoom by
buttons (the wheel scrolls the page), legends that keep their colours, ties and categories at 3:1 on white, and a
line in plain words beside each measure. Pages via AppTest on the demo store and on a real network file imported
through the user's path (``python -m lessons import``)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from components import charts
from components import network_views as views
from components.network_tables import ACTOR_COLUMNS, MEANINGS
from lessons import network, palette
from lessons.cli import EXIT_OK, main
from lessons.store import open_store
from tests.realdata import REALDATA, needs_realdata
from tests.test_palette_contrast import SIMULATIONS, contrast, distance

PAGE = "pages/networks.py"
PILOT = "ghent-newcomer-welcome"


def open_page(app_on, path, params: dict | None = None):
    at = app_on(path, params, timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def network_spec(at) -> dict:
    """The Vega-Lite spec of the page's main drawing."""
    found = [c for c in at.get("vega_lite_chart") if "Stakeholder network of" in c.proto.spec]
    assert len(found) == 1
    return with_data(found[0].proto)


def with_data(proto) -> dict:
    """A chart's spec with the rows Streamlit sends beside it (as Arrow) under ``datasets``."""
    spec = json.loads(proto.spec)
    spec["datasets"] = {
        d.name: convert_arrow_bytes_to_pandas_df(d.data.data).to_dict("records") for d in proto.datasets
    }
    return spec


def layers(spec: dict) -> list[dict]:
    return spec["layer"]


def drawn(spec: dict, layer: dict) -> list[dict]:
    """The rows a layer draws (its named dataset)."""
    name = layer.get("data", {}).get("name") or spec.get("data", {}).get("name")
    return spec["datasets"][name]


def actor_layer(spec: dict) -> dict:
    return next(layer for layer in layers(spec) if "shape" in layer.get("encoding", {}))


def named(spec: dict) -> set[str]:
    """The names written in the drawing."""
    layer = actor_layer(spec)
    return {row["label"] for row in drawn(spec, layer) if row["label"]}


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def top_actors(path, pilot: str, measure: str, n: int) -> list[str]:
    with open_store(path) as db:
        actors = network.analysis(db, pilot).actors
    return list(actors.sort_values([measure, "name"], ascending=[False, True])["name"].head(n))


def test_the_most_central_actors_are_named_and_the_drawing_has_a_name_and_a_description(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": PILOT})
    spec = network_spec(at)
    shown = named(spec)
    assert 4 <= len(shown) <= views.LABELLED  # the top ones, less any whose name would cover another's
    assert top_actors(demo_db_path, PILOT, "degree", 1)[0] in shown
    assert shown <= set(top_actors(demo_db_path, PILOT, "degree", views.LABELLED + 2))
    assert spec["title"][0] == "Stakeholder network of" and spec["title"][1] == "Welcome services for newcomers"
    assert "actors and" in spec["description"] and "tables below" in spec["description"]
    assert spec["description"].count(". ") == 0  # one sentence
    assert "params" in spec and [p["name"] for p in spec["params"]] == ["actor"]  # no wheel zoom, no drag
    assert not any("bind" in p for layer in layers(spec) for p in layer.get("params", []))
    # the table alternative stays
    assert {e.label for e in at.expander} >= {"Every actor and its measures (sortable)", "Every tie (table)"}


def test_sizing_by_betweenness_names_the_brokers(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": PILOT, "size": "betweenness"})
    assert top_actors(demo_db_path, PILOT, "betweenness", 1)[0] in named(network_spec(at))
    assert MEANINGS["betweenness"] in captions(at)


def test_finding_an_actor_rings_names_and_enlarges_it(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": PILOT})
    with open_store(demo_db_path) as db:
        actors = network.analysis(db, PILOT).actors
    quiet = actors.sort_values(["degree", "name"]).iloc[0]  # the least tied: never named otherwise
    assert quiet["name"] not in named(network_spec(at))
    at.selectbox(key="networks_find").set_value(quiet["key"]).run()
    assert not at.exception
    spec = network_spec(at)
    assert quiet["name"] in named(spec) and quiet["name"] in spec["description"]
    rows = drawn(spec, actor_layer(spec))
    assert [r["name"] for r in rows if r["highlight"]] == [quiet["name"]]
    ring = next(layer for layer in layers(spec) if layer.get("transform") == [{"filter": "datum.highlight"}])
    assert ring["mark"]["stroke"] == palette.INK and ring["mark"]["filled"] is False  # outlined, not colour alone
    size = actor_layer(spec)["encoding"]["size"]
    assert size["condition"] == {"test": "datum.highlight", "value": 700}  # drawn at the largest size
    assert "The whole network. Zoom in to look closer around " + quiet["name"] in captions(at)


def test_zoom_buttons_change_the_view_and_show_all_resets_it(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": PILOT})
    whole = actor_layer(network_spec(at))["encoding"]["x"]["scale"]
    assert "domain" not in whole
    assert at.button(key="networks_zoom_out").disabled and at.button(key="networks_zoom_reset").disabled
    spans = []
    for _ in range(views.MAX_ZOOM):
        at.button(key="networks_zoom_in").click().run()
        assert not at.exception
        x = actor_layer(network_spec(at))["encoding"]["x"]["scale"]["domain"]
        spans.append(x[1] - x[0])
    assert all(b == pytest.approx(a / 2, rel=1e-3) for a, b in zip(spans, spans[1:]))
    assert at.button(key="networks_zoom_in").disabled  # the closest zoom
    assert "Zoomed ×8" in captions(at)
    assert all(layer["mark"].get("clip") for layer in layers(network_spec(at)))  # nothing drawn outside
    at.button(key="networks_zoom_out").click().run()
    assert "Zoomed ×4" in captions(at)
    at.button(key="networks_zoom_reset").click().run()
    assert "domain" not in actor_layer(network_spec(at))["encoding"]["x"]["scale"]


def test_zoom_centres_on_the_found_actor(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": PILOT})
    with open_store(demo_db_path) as db:
        result = network.analysis(db, PILOT)
    corner = result.layout.merge(result.actors, on="id").sort_values("x").iloc[0]  # the leftmost actor
    at.selectbox(key="networks_find").set_value(corner["key"]).run()
    at.button(key="networks_zoom_in").click().run()
    spec = network_spec(at)
    x0, x1 = actor_layer(spec)["encoding"]["x"]["scale"]["domain"]
    assert (x0 + x1) / 2 == pytest.approx(corner["x"], abs=1e-5) and f"centred on {corner['name']}" in captions(at)
    assert corner["name"] in named(spec)


def test_each_measure_has_a_line_in_plain_words(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": PILOT})
    text = captions(at)
    for key in ("nodes", "ties", "communities", "degree"):
        assert MEANINGS[key] in text, key
    assert "About one pair of actors in " in text or "of all pairs of actors work together" in text  # density
    assert "(−1: every tie within a sector; +1: every tie across.)" in text  # E-I index, read out
    assert any(w in text for w in ("stay within a sector", "cross from one sector", "split between"))
    table = next(d.value for d in at.dataframe if "Actor" in d.value.columns)
    assert {ACTOR_COLUMNS[c] for c in ("betweenness", "closeness", "pagerank")} <= set(table.columns)
    assert "Betweenness" not in table.columns  # the raw name is gone
    measures = next(d.value for d in at.dataframe if "Measure" in d.value.columns)
    meaning = dict(zip(measures["Measure"], measures["What it means"]))
    assert meaning["Density (share of possible ties)"] == MEANINGS["density"]
    assert meaning["E-I index across sectors"] == MEANINGS["ei_index"]


def test_focusing_an_actor_explains_its_measures(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": "gdansk-senior-housing", "actor": "S01"})
    spec = network_spec(at)
    with open_store(demo_db_path) as db:
        name = db.execute("SELECT name FROM stakeholders WHERE key = 'S01' AND pilot_id = "
                          "(SELECT id FROM pilots WHERE slug = 'gdansk-senior-housing')").fetchone()[0]  # fmt: skip
    assert name in named(spec)
    text = captions(at)
    assert MEANINGS["betweenness"] in text and MEANINGS["closeness"] in text


def test_every_view_s_drawing_has_a_description(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": PILOT})
    for view in ("Change over time", "Across pilots"):
        at.segmented_control(key="networks_view").set_value(view).run()
        assert not at.exception
        specs = [with_data(c.proto) for c in at.get("vega_lite_chart")]
        drawings = [s for s in specs if "layer" in s]
        assert drawings and all(s.get("description") for s in drawings), view
        assert all(named_any(s) for s in drawings), view


def named_any(spec: dict) -> bool:
    return bool(named(spec))


def test_labels_go_to_the_named_and_the_most_central_without_crowding():
    crowd = pd.DataFrame({"id": range(30), "name": [f"Actor number {i}" for i in range(30)],
                          "x": [0.5 + (i % 3) * 0.001 for i in range(30)], "y": [0.5] * 30, "size": range(30)})  # fmt: skip
    labels = views.label_actors(crowd, {0})
    named = set(crowd.loc[labels["label"] != "", "id"])
    assert 0 in named  # the found actor, however crowded
    assert 29 in named and len(named) <= 3  # the most central first; the rest would cover one another
    spread = crowd.assign(x=[i / 29 for i in range(30)], y=[(i * 7 % 30) / 29 for i in range(30)])
    labels = views.label_actors(spread, set())
    assert (labels["label"] != "").sum() <= views.LABELLED
    assert labels.at[29, "label"] == "Actor number 29" and labels.at[29, "right_side"]  # at the right edge: left


# --- the chart's colours and legends -------------------------------------------------------------------------------


def small_frames(colour_values: list | None = None):
    n = len(colour_values or [0, 1, 2])
    nodes = pd.DataFrame(
        {
            "id": range(n), "key": [f"k{i}" for i in range(n)], "name": [f"Actor {i}" for i in range(n)],
            "sector_name": ["Public sector", "Research", "Civil society"] * (n // 3) + ["Research"] * (n % 3),
            "x": [i / max(n - 1, 1) for i in range(n)], "y": [0.5] * n, "size": range(n), "focus": True,
        }
    )  # fmt: skip
    if colour_values is not None:
        nodes["colour"] = colour_values
    edges = pd.DataFrame({"x": [0.0], "y": [0.5], "x2": [1.0], "y2": [0.5], "source_name": ["Actor 0"],
                          "target_name": [f"Actor {n - 1}"], "relation": ["x"], "weight": [1], "focus": [True]})  # fmt: skip
    return nodes, edges


def test_ties_and_category_colours_reach_3_to_1_and_stay_apart():
    nodes, edges = small_frames([str(i % 9) for i in range(9)])
    spec = charts.network_chart(nodes, edges, size_title="Ties", colour_title="Group").to_dict()
    ties = layers(spec)[0]
    assert ties["mark"]["color"] == palette.NETWORK_TIE_COLOUR and contrast(palette.NETWORK_TIE_COLOUR) >= 3
    assert ties["encoding"]["opacity"]["condition"]["value"] == 1.0  # ties in view are drawn opaque
    scale = actor_layer(spec)["encoding"]["color"]["scale"]
    assert scale == {"range": palette.CATEGORY_COLOURS} and "scheme" not in scale
    for colour in palette.CATEGORY_COLOURS:
        assert contrast(colour) >= 3, colour
    for vision in SIMULATIONS:
        for i, a in enumerate(palette.CATEGORY_COLOURS):
            for b in palette.CATEGORY_COLOURS[i + 1 :]:
                assert distance(a, b, vision) >= 9, (a, b, vision)


def test_legends_keep_their_colours_and_stack_below_the_drawing():
    nodes, edges = small_frames()
    spec = charts.network_chart(nodes, edges, size_title="Ties", height=500).to_dict()
    enc = actor_layer(spec)["encoding"]
    colour, shape = enc["color"]["legend"], enc["shape"]["legend"]
    size = actor_layer(spec)["encoding"]["size"]["legend"]
    assert colour["symbolStrokeWidth"] == 0 and colour["symbolOpacity"] == 1  # no dark outline over the colour
    assert colour["orient"] == shape["orient"] == size["orient"] == "none"
    assert colour["legendY"] == shape["legendY"]  # sector colours and shapes: one legend

    def tops(legend):  # where a legend starts on a phone's narrow chart and on a wide one
        narrow, wide = re.fullmatch(
            r"containerSize\(\)\[0\] < 560 \? (\d+) : (\d+)", legend["legendY"]["expr"]
        ).groups()
        return int(narrow), int(wide)

    assert 500 < tops(colour)[0] < tops(size)[0] and 500 < tops(colour)[1] < tops(size)[1]  # one under another
    assert tops(size)[0] > tops(size)[1]  # one column on a phone takes more rows
    assert colour["legendX"] == size["legendX"] == 0 and colour["columns"] == {
        "expr": "containerSize()[0] < 560 ? 1 : 2"
    }
    assert actor_layer(spec)["mark"].get("stroke") is None  # outline by encoding: white, dark only when marked


# --- a real network file, imported as a user would -------------------------------------------------------------------


@needs_realdata
def test_a_real_network_is_named_found_and_zoomed(tmp_path, app_on):
    db = str(tmp_path / "real.db")
    assert main(["init", "--db", db]) == EXIT_OK
    mapping = tmp_path / "sector.json"
    mapping.write_text(json.dumps({"defaults": {"Stakeholders": {"sector": "civil_society"}}}), encoding="utf-8")
    graph = REALDATA / "networkx-classics" / "les_miserables.graphml"
    args = ["import", str(graph), "--db", db, "--pilot", "lesmis", "--country", "FR", "--mapping", str(mapping)]
    assert main([*args, "--quiet"]) == EXIT_OK
    at = open_page(app_on, db, {"pilot": "lesmis", "size": "betweenness"})
    assert "Valjean" in named(network_spec(at))  # the most central character of the novel
    with open_store(db) as store:
        actors = network.analysis(store, "lesmis").actors
    quiet = actors.sort_values(["degree", "name"]).iloc[0]
    at.selectbox(key="networks_find").set_value(quiet["key"]).run()
    at.button(key="networks_zoom_in").click().run()
    assert not at.exception
    spec = network_spec(at)
    assert quiet["name"] in named(spec) and "domain" in actor_layer(spec)["encoding"]["x"]["scale"]


def test_compare_and_change_views_say_what_the_measures_mean(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": PILOT, "view": "Compare pilots"})
    assert MEANINGS["ei_index"] in captions(at) and MEANINGS["density"] in captions(at)
    at.segmented_control(key="networks_view").set_value("Change over time").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Measure" in d.value.columns)
    assert "What it means" in table.columns and MEANINGS["density"] in set(table["What it means"])
