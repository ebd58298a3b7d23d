"""Every chart the app draws has an accessible name and says what it shows (#19, WCAG 1.1.1): a title and a
one-sentence ``description`` (Vega draws it as the SVG's ``aria-label``), and reads on a phone: labels and legends
take a share of the chart's width rather than a fixed one, legends sit below the marks.

Two guards: each builder of components/charts.py is drawn here with a small frame (a new builder without a sample
fails the test), and every ``st.altair_chart`` call in pages/ and components/ draws a chart one of those builders
made (an inline chart would bypass them)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pandas as pd
import pytest

from components import charts
from lessons import chart_specs, geo, palette

ROOT = Path(__file__).resolve().parents[1]

SAMPLES = {
    "country_chart": lambda: charts.country_chart(
        pd.DataFrame({"country": ["FI"], "country_name": ["Finland"], "pilots": [1], "lessons": [4]})
    ),
    "theme_kind_chart": lambda: charts.theme_kind_chart(
        pd.DataFrame({"theme": ["Trust", "Trust"], "kind": ["barrier", "insight"], "lessons": [2, 1]})
    ),
    "theme_matrix_chart": lambda: charts.theme_matrix_chart(
        pd.DataFrame(
            {"pilot": ["p"], "pilot_name": ["P"], "theme": ["t"], "theme_name": ["T"], "lessons": [2]}  # fmt: skip
        )
    ),
    "recurrence_chart": lambda: charts.recurrence_chart(
        pd.DataFrame({"theme_name": ["Trust"], "pilots": [3], "lessons": [5]})
    ),
    "contradiction_chart": lambda: charts.contradiction_chart(
        pd.DataFrame({"theme_name": ["Trust"], "enabler_pilots": [2], "barrier_pilots": [1]})
    ),
    "phase_chart": lambda: charts.phase_chart(
        pd.DataFrame({"phase_name": ["Design"], "position": [1], "methodology": ["CoSIE"], "lessons": [3]})
    ),
    "profile_chart": lambda: charts.profile_chart(
        pd.DataFrame({"theme_name": ["Trust"], "pilot_name": ["P"], "share": [0.5], "lessons": [2]})
    ),
    "network_chart": lambda: charts.network_chart(
        pd.DataFrame(
            {
                "key": ["a"],
                "name": ["A"],
                "sector_name": ["Research"],
                "x": [0.1],
                "y": [0.2],
                "size": [1],
                "focus": [True],
                "selected": [False],
            }  # fmt: skip
        ),
        pd.DataFrame(columns=["x", "y", "x2", "y2", "source_name", "target_name", "relation", "weight", "focus"]),
        size_title="Ties",
    ),
    "measure_bars_chart": lambda: charts.measure_bars_chart(
        pd.DataFrame({"pilot_name": ["P"], "value": [0.4]}), "Density"
    ),
    "element_evidence_chart": lambda: charts.element_evidence_chart(
        pd.DataFrame({"label": ["E1 · Trust"], "supports": [2], "challenges": [1], "position": [1]})
    ),
    "statement_votes_chart": lambda: charts.statement_votes_chart(
        pd.DataFrame(
            {
                "label": ["S1"],
                "n": [10],
                "agree": [5],
                "disagree": [3],
                "pass": [2],
                "agree_low": [0.2],
                "agree_high": [0.8],
                "position": [1],
            }  # fmt: skip
        )
    ),
    "pilot_map_chart": lambda: charts.pilot_map_chart(
        geo.countries_within((-10.0, 36.0, 5.0, 44.0)),
        pd.DataFrame(
            {
                "slug": ["porto"],
                "name": ["Porto housing"],
                "city": ["Porto"],
                "country_name": ["Portugal"],
                "lessons": [3],
                "longitude": [-8.61],
                "latitude": [41.15],
                "placed_by": ["coordinates"],
            }  # fmt: skip
        ),
        (-10.0, 36.0, 5.0, 44.0),
    ),
    "pilot_share_chart": lambda: charts.pilot_share_chart(
        pd.DataFrame(
            {
                "value": ["Enabler", "Enabler"],
                "position": [0, 0],
                "side": ["This pilot", "Other pilots (pooled)"],
                "lessons": [2, 5],
                "share": [0.5, 0.25],
                "difference": [25.0, 25.0],
            }  # fmt: skip
        ),
        "Kind",
        "Porto housing",
    ),
    "opinion_map_chart": lambda: charts.opinion_map_chart(
        pd.DataFrame({"x": [0.1], "y": [0.2], "group": ["A"], "stakeholder_group": ["Citizens"]})
    ),
}

BUILDERS = sorted(name for name in charts.__all__ if name.endswith("_chart"))


def test_every_chart_builder_has_a_sample_here():
    assert BUILDERS == sorted(SAMPLES)


def title_text(title) -> str:
    return title if isinstance(title, str) else (title or {}).get("text", "")


@pytest.mark.parametrize("name", BUILDERS)
def test_every_chart_has_a_title_and_a_one_sentence_description(name):
    spec = SAMPLES[name]().to_dict()
    description = spec.get("description", "")
    assert description.endswith(".") and 40 <= len(description) <= 400, description
    assert description.count(". ") == 0, f"one sentence: {description}"
    titles = [title_text(spec.get("title"))] + [title_text(layer.get("title")) for layer in spec.get("layer", [])]
    assert any(titles), f"{name} has no title"


@pytest.mark.parametrize("name", BUILDERS)
def test_no_chart_sets_a_label_or_legend_width_a_phone_cannot_give(name):
    """A fixed labelLimit above 120 px or a legend beside the marks squeezes them out at 390 px (the bars of
    Governance models vanished so); limits follow the chart's width instead (charts.AXIS_LABELS)."""
    text = json.dumps(SAMPLES[name]().to_dict())
    spec = json.loads(text)

    def walk(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "labelLimit" and isinstance(value, (int, float)):
                    assert value <= 120, f"{name}: {path}.labelLimit {value}"
                if key == "legend" and isinstance(value, dict) and path.endswith(("color", "shape", "size")):
                    stacked_below = value.get("orient") == "none" and value.get("legendX") == 0  # network_chart
                    assert value.get("orient") == "bottom" or stacked_below, f"{name}: {path} legend {value}"
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    walk(spec)


def chart_calls():
    """Every ``st.altair_chart(...)`` in pages/ and components/, with the file and line."""
    for path in sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("components/*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "altair_chart":
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node


def made_by_a_builder(node: ast.AST) -> bool:
    """``charts.<builder>(...)``, maybe followed by ``.properties(...)`` and the like."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        func = node.func
        if isinstance(func.value, ast.Name) and func.value.id == "charts" and func.attr in BUILDERS:
            return True
        node = func.value
    return False


def test_every_chart_a_page_draws_comes_from_a_described_builder():
    calls = list(chart_calls())
    assert len(calls) >= 10
    for where, call in calls:
        assert call.args and made_by_a_builder(call.args[0]), (
            f"{where}: draw the chart with a components.charts builder"
        )


SPECS = {
    "count_bars": lambda: chart_specs.count_bars(
        pd.DataFrame({"sector": ["Research"], "actors": [3]}),
        y="sector",
        y_title="Sector",
        x="actors",
        x_title="Stakeholders",
        title="Stakeholders by sector",
    ),
    "kind_bars": lambda: chart_specs.kind_bars(
        pd.DataFrame({"phase": ["One"], "kind": ["Enabler"], "lessons": [2]}),
        y="phase",
        y_title="Phase",
        title="Lessons per phase",
        scale=palette.kind_scale(),
    ),
    "agreement_dots": lambda: chart_specs.agreement_dots(
        pd.DataFrame({"label": ["S1"], "agree": [0.5], "low": [0.3], "high": [0.7], "n": [20]}), title="Agreement"
    ),
    "stance_bars": lambda: chart_specs.stance_bars(
        pd.DataFrame({"name": ["E1"], "stance": [chart_specs.STANCES[0]], "lessons": [2]}), title="Evidence"
    ),
}


@pytest.mark.parametrize("name", SPECS)
def test_the_charts_briefs_share_say_what_they_show_too(name):
    """The briefs' specifications (lessons/chart_specs.py), which the Exports page's report preview draws as well."""
    spec = SPECS[name]()
    description = spec["description"]
    assert spec["title"] in description and description.endswith(".") and ". " not in description, description
