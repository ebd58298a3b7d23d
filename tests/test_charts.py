"""Chart builders (components/charts.py) and the Vega-Lite specifications the pages and briefs share
(lessons/chart_specs.py), asserted on ``chart.to_dict()``: marks, fields, types, titles, palette colours, orders.
``to_dict()`` also validates each chart against the Vega-Lite schema."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import pytest

from components import charts
from lessons import chart_specs, geo, palette, report
from lessons.queries import KIND_LABELS

OKABE_ITO_KINDS = {"enabler": "#009E73", "barrier": "#D55E00", "recommendation": "#0072B2", "insight": "#A0522D"}


def rows(spec: dict, part: dict | None = None) -> list[dict]:
    """The data rows a chart (or one of its layers) draws."""
    data = (part or spec).get("data") or spec["data"]
    return spec["datasets"][data["name"]] if "name" in data else data["values"]


def tooltip(encoding: dict) -> list[tuple[str, str, str | None]]:
    return [(t["field"], t.get("type"), t.get("title")) for t in encoding["tooltip"]]


def colours(encoding: dict) -> dict[str, str]:
    scale = encoding["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"]))


# --- The palette --------------------------------------------------------------------------------------------------


def test_the_palette_keeps_the_colours_the_pages_passed_contrast_checks_with():
    assert palette.KIND_COLOURS == OKABE_ITO_KINDS
    assert palette.FOR_COLOUR == "#009E73" and palette.AGAINST_COLOUR == "#D55E00"
    assert palette.VOTE_COLOURS == {"Agree": "#009E73", "Pass": "#767676", "Disagree": "#D55E00"}
    assert palette.ACCENT == "#0072B2"
    assert charts.KIND_COLOURS is palette.KIND_COLOURS and charts.SERIES_COLOURS is palette.SERIES_COLOURS


def test_kind_scale_lists_the_kinds_present_in_palette_order_with_labels_when_asked():
    assert palette.kind_scale({"insight", "enabler"}) == {
        "domain": ["enabler", "insight"],
        "range": ["#009E73", "#A0522D"],
    }
    assert palette.kind_scale(set()) == palette.kind_scale()  # nothing known: all four
    labelled = palette.kind_scale(labels=KIND_LABELS)
    assert labelled["domain"] == ["Enabler", "Barrier", "Recommendation", "Insight"]
    assert labelled["range"] == list(OKABE_ITO_KINDS.values())


# --- The specifications shared by pages and briefs --------------------------------------------------------------------


def test_records_are_json_ready():
    frame = pd.DataFrame({"name": ["Łódź", "b"], "n": [1, 2], "share": [0.5, None]})
    assert chart_specs.records(frame) == [{"name": "Łódź", "n": 1, "share": 0.5}, {"name": "b", "n": 2, "share": None}]


def test_kind_bars_stack_lesson_counts_by_kind():
    counts = pd.DataFrame(
        {"phase": ["One", "One", "Two"], "kind": ["Enabler", "Insight", "Barrier"], "lessons": [2, 1, 4]}
    )
    scale = palette.kind_scale(labels=KIND_LABELS)
    spec = chart_specs.kind_bars(
        counts, y="phase", y_title="Phase", title="Per phase", scale=scale, sort=["Two", "One"]
    )
    assert spec["title"] == "Per phase" and spec["mark"] == {"type": "bar"}
    enc = spec["encoding"]
    assert enc["x"] == {
        "aggregate": "sum",
        "field": "lessons",
        "type": "quantitative",
        "title": "Lessons",
        "axis": {"tickMinStep": 1},
    }
    assert (enc["y"]["field"], enc["y"]["type"], enc["y"]["title"], enc["y"]["sort"]) == (
        "phase",
        "nominal",
        "Phase",
        ["Two", "One"],
    )
    assert colours(enc) == {
        "Enabler": "#009E73",
        "Barrier": "#D55E00",
        "Recommendation": "#0072B2",
        "Insight": "#A0522D",
    }
    assert "legend" not in enc["color"] and enc["order"] == {"field": "kind", "type": "nominal"}
    assert tooltip(enc) == [
        ("phase", "nominal", "Phase"),
        ("kind", "nominal", "Kind"),
        ("lessons", "quantitative", "Lessons"),
    ]
    assert spec["data"]["values"] == counts.to_dict("records")
    alt.Chart.from_dict(spec)  # valid Vega-Lite


def test_count_bars_are_one_colour_longest_first_with_whole_number_ticks_for_counts():
    frame = pd.DataFrame({"sector": ["Research", "Public sector"], "actors": [2, 5]})
    spec = chart_specs.count_bars(
        frame, y="sector", y_title="Sector", x="actors", x_title="Stakeholders", title="By sector"
    )
    enc = spec["encoding"]
    assert spec["mark"] == {"type": "bar", "color": palette.ACCENT} and spec["title"] == "By sector"
    assert enc["y"]["sort"] == "-x" and enc["y"]["title"] == "Sector"
    assert enc["x"]["axis"] == {"tickMinStep": 1, "format": "d"} and enc["x"]["title"] == "Stakeholders"
    assert tooltip(enc) == [("sector", "nominal", "Sector"), ("actors", "quantitative", "Stakeholders")]
    assert "transform" not in spec
    measured = chart_specs.count_bars(frame, y="sector", y_title="S", x="actors", x_title="A", title="t", counts=False)
    assert "axis" not in measured["encoding"]["x"]
    alt.Chart.from_dict(spec)


def test_agreement_dots_draw_the_interval_and_the_share():
    frame = pd.DataFrame(
        {"label": ["s1", "s2"], "agree": [0.8, 0.3], "low": [0.6, 0.1], "high": [0.9, 0.5], "n": [20, 9]}
    )
    spec = chart_specs.agreement_dots(frame, title="Agreement")
    rule, dot = spec["layer"]
    assert spec["title"] == "Agreement" and len(spec["data"]["values"]) == 2
    assert rule["mark"] == {"type": "rule", "color": palette.INTERVAL_COLOUR, "strokeWidth": 2}
    assert rule["encoding"]["x"]["field"] == "low" and rule["encoding"]["x2"] == {"field": "high"}
    assert rule["encoding"]["x"]["scale"] == {"domain": [0, 1]} and rule["encoding"]["x"]["axis"] == {"format": "%"}
    assert rule["encoding"]["x"]["title"] == "Share agreeing (with 95% interval)"
    assert dot["mark"]["type"] == "point" and dot["mark"]["color"] == palette.ACCENT
    assert dot["encoding"]["x"]["field"] == "agree"
    assert rule["encoding"]["y"]["sort"] is None and dot["encoding"]["y"]["field"] == "label"  # the caller's order
    alt.LayerChart.from_dict(spec)


def test_stance_bars_group_supporting_and_challenging_lessons():
    evidence = pd.DataFrame(
        {"name": ["A", "A"], "stance": list(chart_specs.STANCES), "lessons": [3, 1]},
    )
    spec = chart_specs.stance_bars(evidence, title="For and against")
    enc = spec["encoding"]
    assert spec["mark"] == "bar" and spec["title"] == "For and against"
    assert colours(enc) == {"Supporting lessons": "#009E73", "Challenging lessons": "#D55E00"}
    assert enc["yOffset"] == {"field": "stance"} and enc["y"]["sort"] is None
    assert enc["x"]["title"] == "Lessons" and enc["color"]["title"] == "Lessons"
    alt.Chart.from_dict(spec)


# --- The pages' charts -------------------------------------------------------------------------------------------


def test_country_chart():
    counts = pd.DataFrame({"country_name": ["Finland", "Spain"], "pilots": [1, 3], "lessons": [4, 9]})
    spec = charts.country_chart(counts).to_dict()
    enc = spec["encoding"]
    assert spec["title"] == "Pilots and lessons by country" and spec["height"] == {"step": 22}
    assert spec["mark"] == {"type": "bar", "color": "#0072B2"}
    assert [r["label"] for r in rows(spec)] == ["Finland (1 pilot)", "Spain (3 pilots)"]  # plurals of the language
    assert (enc["y"]["field"], enc["y"]["title"], enc["y"]["sort"]) == ("label", "Country (pilots)", "-x")
    assert (enc["x"]["field"], enc["x"]["type"], enc["x"]["title"]) == ("lessons", "quantitative", "Lessons")
    assert tooltip(enc) == [
        ("country_name", "nominal", "Country"),
        ("pilots", "quantitative", "Pilots"),
        ("lessons", "quantitative", "Lessons"),
    ]
    assert [{k: r[k] for k in counts} for r in rows(spec)] == counts.to_dict("records")


def test_theme_kind_chart():
    counts = pd.DataFrame(
        {"theme": ["Trust", "Trust", "Data"], "kind": ["insight", "barrier", "enabler"], "lessons": [1, 2, 3]}
    )
    spec = charts.theme_kind_chart(counts).to_dict()
    enc = spec["encoding"]
    assert spec["title"] == "Lessons by theme and kind" and spec["mark"] == {"type": "bar"}
    assert enc["x"]["aggregate"] == "sum" and enc["x"]["field"] == "lessons" and enc["x"]["title"] == "Lessons"
    assert (enc["y"]["field"], enc["y"]["title"], enc["y"]["sort"]) == ("theme", "Theme", "-x")
    assert enc["color"]["scale"] == {
        "domain": ["Enabler", "Barrier", "Insight"],  # the kinds by name, in the reader's language
        "range": ["#009E73", "#D55E00", "#A0522D"],
    }
    assert enc["color"]["legend"]["orient"] == "bottom" and enc["order"]["field"] == "kind"
    assert tooltip(enc) == [
        ("theme", "nominal", "Theme"),
        ("kind", "nominal", "Kind"),
        ("lessons", "quantitative", "Lessons"),
    ]
    named = counts.assign(kind=counts["kind"].map(KIND_LABELS))
    assert spec["height"] == {"step": 22} and rows(spec) == named.to_dict("records")
    empty = charts.theme_kind_chart(pd.DataFrame(columns=["theme", "kind", "lessons"])).to_dict()
    assert empty["encoding"]["color"]["scale"]["domain"] == list(OKABE_ITO_KINDS)


def test_theme_matrix_chart_marks_gaps_and_selects_a_cell():
    counts = pd.DataFrame(
        {
            "pilot": ["p", "p", "q", "q"],
            "pilot_name": ["P", "P", "Q", "Q"],
            "theme": ["t", "u", "t", "u"],
            "theme_name": ["T", "U", "T", "U"],
            "lessons": [0, 3, 1, 4],
        }
    )
    spec = charts.theme_matrix_chart(counts).to_dict()
    cells, gaps, labels, chosen = spec["layer"]
    assert cells["title"] == "Lessons per pilot and theme"
    assert cells["mark"]["type"] == "rect" and cells["encoding"]["color"]["scale"] == {
        "scheme": "blues",
        "domain": [0, 4],
    }
    assert cells["encoding"]["x"]["field"] == "theme_name" and cells["encoding"]["x"]["title"] == "Theme"
    assert cells["encoding"]["y"]["field"] == "pilot_name" and cells["encoding"]["y"]["title"] == "Pilot"
    assert gaps["transform"] == [{"filter": "datum.lessons == 0"}]
    assert gaps["mark"]["fill"] == palette.EMPTY_FILL and gaps["mark"]["strokeDash"] == [3, 2]
    assert labels["mark"]["type"] == "text" and labels["encoding"]["text"]["field"] == "lessons"
    assert labels["encoding"]["color"] == {"field": "ink", "type": "nominal", "scale": None}
    assert [r["ink"] for r in rows(spec, labels)] == ["#000000", "#FFFFFF", "#000000", "#FFFFFF"]
    assert "opacity" not in cells["encoding"] and "opacity" not in labels["encoding"]  # no fade: numbers keep 4.5:1
    assert chosen["transform"] == [{"filter": {"param": "cell", "empty": False}}]  # the chosen cell: drawn last,
    assert chosen["mark"]["strokeWidth"] == 3 and chosen["mark"]["filled"] is False  # a thick outline on top
    (cell,) = spec["params"]
    assert cell["name"] == "cell" and cell["select"]["fields"] == ["pilot", "theme"]
    assert spec["height"] == {"step": 24} and "width" not in spec  # the column's width, shared by the cells


def test_recurrence_chart():
    themes = pd.DataFrame({"theme_name": ["Trust", "Data"], "pilots": [5, 2], "lessons": [9, 3]})
    spec = charts.recurrence_chart(themes).to_dict()
    enc = spec["encoding"]
    assert spec["title"] == "How many pilots report each theme" and spec["mark"]["color"] == "#0072B2"
    assert enc["x"]["field"] == "pilots" and enc["x"]["title"] == "Pilots reporting it"
    assert enc["x"]["axis"]["tickMinStep"] == 1
    assert (enc["y"]["field"], enc["y"]["title"], enc["y"]["sort"]) == ("theme_name", "Theme", "-x")
    assert tooltip(enc) == [
        ("theme_name", "nominal", "Theme"),
        ("pilots", "quantitative", "Pilots"),
        ("lessons", "quantitative", "Lessons"),
    ]
    assert rows(spec) == themes.to_dict("records")


def test_contradiction_chart_diverges_barriers_left_enablers_right_in_the_callers_order():
    themes = pd.DataFrame({"theme_name": ["Trust", "Data"], "enabler_pilots": [3, 1], "barrier_pilots": [2, 4]})
    spec = charts.contradiction_chart(themes).to_dict()
    enc = spec["encoding"]
    assert spec["title"] == "Enabler for some pilots, barrier for others"
    assert enc["y"]["sort"] == ["Trust", "Data"] and enc["x"]["axis"]["labelExpr"] == "abs(datum.value)"
    assert colours(enc) == {"Enabler": "#009E73", "Barrier": "#D55E00"}
    drawn = {(r["theme_name"], r["side"]): (r["pilots"], r["count"]) for r in rows(spec)}
    assert drawn[("Data", "Barrier")] == (-4, 4) and drawn[("Trust", "Enabler")] == (3, 3)
    assert tooltip(enc)[2] == ("count", "quantitative", "Pilots")


def test_phase_chart_orders_phases_by_position_and_colours_methodologies_as_series():
    counts = pd.DataFrame(
        {"phase_name": ["Plan", "Test"], "position": [1, 2], "methodology": ["Design", "Living lab"], "lessons": [3, 4]}
    )
    spec = charts.phase_chart(counts).to_dict()
    enc = spec["encoding"]
    assert spec["title"] == "Lessons by phase and methodology" and spec["height"] == {"step": 28}
    assert enc["y"]["sort"] == {"field": "position"} and enc["y"]["title"] == "Co-creation phase"
    assert enc["x"]["aggregate"] == "sum" and enc["x"]["title"] == "Lessons"
    assert colours(enc) == {"Design": "#0072B2", "Living lab": "#A0522D"}


def test_profile_chart_groups_pilots_per_theme():
    profile = pd.DataFrame(
        {"theme_name": ["Trust", "Trust"], "pilot_name": ["B", "A"], "share": [0.5, 0.25], "lessons": [2, 1]}
    )
    spec = charts.profile_chart(profile).to_dict()
    enc = spec["encoding"]
    assert spec["title"] == "Theme profiles of the chosen pilots"
    assert enc["yOffset"]["sort"] == ["B", "A"] and enc["x"]["axis"] == {"format": "%"}
    assert enc["x"]["title"] == "Share of theme tags"
    assert colours(enc) == {"B": "#0072B2", "A": "#A0522D"}
    assert tooltip(enc)[3] == ("share", "quantitative", "Share")


def test_network_chart_styles_sectors_by_colour_and_shape():
    nodes = pd.DataFrame(
        {
            "key": ["a", "b", "c"],
            "name": ["A", "B", "C"],
            "sector_name": ["Research", "Public sector", "Guild"],
            "x": [0.1, 0.5, 0.9],
            "y": [0.2, 0.3, 0.4],
            "size": [1, 2, 3],
            "focus": [True, True, False],
            "degree": [1, 2, 1],
        }
    )
    edges = pd.DataFrame(
        {
            "x": [0.1],
            "y": [0.2],
            "x2": [0.5],
            "y2": [0.3],
            "source_name": ["A"],
            "target_name": ["B"],
            "relation": ["funds"],
            "weight": [1],
            "focus": [True],
        }
    )
    spec = charts.network_chart(nodes, edges, size_title="Ties", unit_square=True).to_dict()
    ties, actors = spec["layer"][:2]
    assert spec["title"] == "Stakeholder network" and spec["height"] == 560
    assert ties["mark"] == {"type": "rule", "color": palette.NETWORK_TIE_COLOUR, "clip": False, "aria": False}
    assert [t[2] for t in tooltip(ties["encoding"])] == ["From", "To", "Relation", "Weight"]
    enc = actors["encoding"]
    assert enc["color"]["scale"] == {
        "domain": ["Public sector", "Research", "Guild"],
        "range": ["#0072B2", "#CC79A7", "#767676"],
    }
    assert enc["shape"]["scale"]["range"] == ["circle", "diamond", "circle"]
    assert enc["size"]["title"] == "Ties" and enc["x"]["scale"] == {"domain": [-0.03, 1.03]}
    assert ("degree", "quantitative", "Ties") in tooltip(enc)
    assert {p["name"] for p in spec["params"]} == {"actor"}  # the wheel scrolls the page: zoom is by buttons


def test_measure_bars_chart_draws_one_measure_a_bar_per_pilot_to_the_container_width():
    rows = pd.DataFrame({"pilot_name": ["B", "A"], "value": [0.1, 0.2]})
    spec = charts.measure_bars_chart(rows, "Density").to_dict()
    assert spec["title"] == "Density" and spec["width"] == "container"
    assert spec["mark"] == {"type": "bar", "color": "#0072B2"}
    assert spec["encoding"]["y"]["sort"] == "ascending"
    assert "2" in spec["description"] and "density" in spec["description"]


def test_element_evidence_chart_diverges_challenges_left_in_element_order():
    elements = pd.DataFrame(
        {"label": ["E1 Plan", "E2 Act"], "supports": [3, 0], "challenges": [1, 2], "position": [1, 2]}
    )
    spec = charts.element_evidence_chart(elements).to_dict()
    enc = spec["encoding"]
    assert spec["title"] == "Lessons for and against each element"
    assert enc["y"]["sort"] == {"field": "position"} and enc["x"]["title"] == "← challenging · supporting →"
    assert colours(enc) == {"Supports": "#009E73", "Challenges": "#D55E00"}
    drawn = {(r["label"], r["stance"]): r["lessons"] for r in rows(spec)}
    assert drawn[("E2 Act", "Challenges")] == -2 and drawn[("E1 Plan", "Supports")] == 3


def test_statement_votes_chart_stacks_agree_pass_disagree_as_shares():
    statements = pd.DataFrame(
        {
            "label": ["S1"],
            "n": [10],
            "agree": [6],
            "disagree": [3],
            "pass": [1],
            "agree_low": [0.3],
            "agree_high": [0.8],
            "position": [1],
        }
    )
    spec = charts.statement_votes_chart(statements).to_dict()
    enc = spec["encoding"]
    assert spec["title"] == "How the room voted on each statement"
    assert enc["x"]["stack"] == "normalize" and enc["x"]["axis"] == {"format": "%"}
    assert colours(enc) == {"Agree": "#009E73", "Pass": "#767676", "Disagree": "#D55E00"}
    assert enc["order"]["field"] == "vote_order" and enc["y"]["sort"] == {"field": "position"}
    assert sorted((r["vote"], r["votes"]) for r in rows(spec)) == [("Agree", 6), ("Disagree", 3), ("Pass", 1)]


def test_opinion_map_chart_colours_and_shapes_groups():
    participants = pd.DataFrame({"x": [0.1, -0.2], "y": [0.3, 0.0], "group": ["B", "A"]})
    spec = charts.opinion_map_chart(participants).to_dict()
    enc = spec["encoding"]
    assert spec["title"] == "Opinion groups: each dot is a participant, placed by how they voted"
    assert spec["mark"]["type"] == "point" and spec["height"] == 320
    assert colours(enc) == {"A": "#0072B2", "B": "#A0522D"}
    assert enc["shape"]["field"] == "group"
    assert enc["x"]["title"] == "First direction of disagreement" and enc["y"]["title"] == "Second direction"


# --- Pages and briefs draw with one palette ---------------------------------------------------------------------------


@pytest.fixture
def four_kinds(db):
    db["pilots"].insert_all(
        [
            {"id": 1, "slug": "a", "name": "Alpha", "country": "FI"},
            {"id": 2, "slug": "b", "name": "Beta", "country": "PT"},
        ]
    )
    theme = db.execute("SELECT id FROM themes WHERE code = 'trust'").fetchone()[0]
    for i, kind in enumerate(OKABE_ITO_KINDS, start=1):
        db["lessons"].insert(
            {"id": i, "pilot_id": 1 + i % 2, "key": f"K{i}", "title": f"T{i}", "lesson": "x", "kind": kind}
        )
        db["lesson_themes"].insert({"lesson_id": i, "theme_id": theme})
    return db


def test_the_briefs_chart_of_kinds_has_the_pages_colours(four_kinds):
    made = report.theme_brief(four_kinds, "trust")
    brief_chart = next(b for b in made.sections[0].blocks if b.kind == "chart").spec
    page_chart = charts.theme_kind_chart(
        pd.DataFrame({"theme": ["Trust"] * 4, "kind": list(OKABE_ITO_KINDS), "lessons": [1, 1, 1, 1]})
    ).to_dict()
    in_brief = colours(brief_chart["encoding"])
    on_page = colours(page_chart["encoding"])  # the page, like the brief, draws the kinds by name
    assert in_brief == on_page and in_brief["Insight"] == "#A0522D"
    # the brief's chart is the page's chart definition: the same encoding bar the legend's placement
    assert {k: v for k, v in brief_chart["encoding"].items() if k not in ("y", "color", "tooltip")} == {
        k: v for k, v in page_chart["encoding"].items() if k not in ("y", "color", "tooltip")
    }
    alt.Chart.from_dict(brief_chart)  # and valid Vega-Lite, as Altair checks a page's chart


def test_pilot_map_chart_is_drawn_from_shipped_boundaries_and_fetches_nothing():
    placed = pd.DataFrame(
        {
            "slug": ["porto", "lisbon"],
            "name": ["Porto housing", "Lisbon care"],
            "city": ["Porto", "Lisbon"],
            "country_name": ["Portugal", "Portugal"],
            "lessons": [3, 1],
            "longitude": [-8.61, None],
            "latitude": [41.15, None],
            "placed_by": ["coordinates", ""],
        }
    )
    box = (-12.0, 35.0, 2.0, 45.0)
    spec = charts.pilot_map_chart(geo.countries_within(box), placed, box).to_dict()
    text = json.dumps({k: v for k, v in spec.items() if k != "$schema"})  # the schema's address is never fetched
    assert '"url"' not in text and "http" not in text  # no tiles, no data file fetched: everything inline
    land, dots, *labels = spec["layer"]
    assert land["mark"]["type"] == "geoshape" and land["projection"]["fit"]["geometry"]["type"] == "MultiPoint"
    assert {f["properties"]["code"] for f in land["data"]["values"]} >= {"PT", "ES"}
    (chosen,) = spec["params"]  # a click on a dot chooses its pilot
    assert chosen["name"] == "pilot" and chosen["select"]["fields"] == ["slug"] and chosen["views"] == [dots["name"]]
    assert "1 more not placed" in spec["description"]
    values = spec["datasets"][dots["data"]["name"]] if "datasets" in spec else dots["data"]["values"]
    assert [v["slug"] for v in values] == ["porto"]
