"""Chart builders as plain Vega-Lite specifications (dicts).

One definition for a chart the pages and the briefs both draw.

:mod:`lessons` draws no UI and imports no Altair, yet the briefs (made by the CLI as well as by the app) carry
charts; so the charts both sides share are written here, once, as specifications. A brief puts the dict in its
report and vl-convert draws it; :mod:`components.charts` wraps the same dict with ``alt.Chart.from_dict`` for a
page. Like an Altair builder, each function takes an already-aggregated frame and returns a value, with no side
effects. Colours come from :mod:`lessons.palette`.

Examples
--------
>>> import pandas as pd
>>> spec = count_bars(pd.DataFrame({"sector": ["Research"], "actors": [3]}), y="sector", y_title="Sector",
...                   x="actors", x_title="Stakeholders", title="Stakeholders by sector")
>>> spec["mark"], spec["data"]["values"]
({'type': 'bar', 'color': '#0072B2'}, [{'sector': 'Research', 'actors': 3}])
"""

from __future__ import annotations

import json

import pandas as pd

from lessons.i18n import N_, _, number
from lessons.palette import ACCENT, AGAINST_COLOUR, FOR_COLOUR, INTERVAL_COLOUR


def records(frame: pd.DataFrame) -> list[dict]:
    """Return a frame as JSON-ready rows: numpy numbers as Python numbers, missing values as None.

    >>> records(pd.DataFrame({"a": [1, None]}))
    [{'a': 1.0}, {'a': None}]
    """
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def kind_bars(counts: pd.DataFrame, *, y: str, y_title: str, title: str, scale: dict, sort="-x", legend=None) -> dict:
    """Horizontal bars of lesson counts, stacked by kind.

    Parameters
    ----------
    counts : DataFrame
        Columns ``y``, kind and lessons (a count); the kind column holds what ``scale``'s domain names (codes or
        labels).
    y, y_title : str
        The column of the bars and its axis title.
    title : str
        The chart's title.
    scale : dict
        The kinds' colour scale, from :func:`lessons.palette.kind_scale`.
    sort : str or list, default "-x"
        The order of the bars: longest first, or the values of ``y`` in order.
    legend : dict, optional
        The colour legend's properties (Vega-Lite's defaults when None).

    Returns
    -------
    dict
        A Vega-Lite specification with its data inline, with a one-sentence ``description`` (its accessible name).
    """
    colour = {"field": "kind", "type": "nominal", "title": _("Kind"), "scale": scale}
    if legend is not None:
        colour["legend"] = legend
    bars = counts[y].nunique() if y in counts else 0
    return {
        "title": title,
        "description": _("Stacked bar chart, {title}: a bar per {bar} ({n}), split by kind.").format(
            title=title, bar=y_title.lower(), n=number(bars)
        ),
        "data": {"values": records(counts)},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "aggregate": "sum",
                "field": "lessons",
                "type": "quantitative",
                "title": _("Lessons"),
                "axis": {"tickMinStep": 1},
            },
            "y": {"field": y, "type": "nominal", "title": y_title, "sort": sort, "axis": {"labelLimit": 260}},
            "color": colour,
            "order": {"field": "kind", "type": "nominal"},
            "tooltip": [
                {"field": y, "type": "nominal", "title": y_title},
                {"field": "kind", "type": "nominal", "title": _("Kind")},
                {"field": "lessons", "type": "quantitative", "title": _("Lessons")},
            ],
        },
    }


def count_bars(
    frame: pd.DataFrame,
    *,
    y: str,
    y_title: str,
    x: str,
    x_title: str,
    title: str,
    counts: bool = True,
    tooltip: list[dict] | None = None,
    transform: list[dict] | None = None,
) -> dict:
    """Horizontal bars of one series, longest first.

    Parameters
    ----------
    frame : DataFrame
        Columns ``y`` and ``x`` (and any the tooltip or transform use).
    y, y_title, x, x_title : str
        The bars' column and axis title, the lengths' column and axis title.
    title : str
        The chart's title.
    counts : bool, default True
        ``x`` holds whole numbers: ticks at whole numbers only.
    tooltip : list of dict, optional
        Vega-Lite tooltip fields; ``y`` and ``x`` under their axis titles when None.
    transform : list of dict, optional
        Vega-Lite transforms run before drawing (for example a ``calculate`` making the ``y`` labels).

    Returns
    -------
    dict
        A Vega-Lite specification with its data inline.
    """
    spec = {
        "title": title,
        "description": _("Bar chart, {title}: a bar per {bar} ({n}), longest first.").format(
            title=title, bar=y_title.lower(), n=number(len(frame))
        ),
        "data": {"values": records(frame)},
        "mark": {"type": "bar", "color": ACCENT},
        "encoding": {
            "x": {"field": x, "type": "quantitative", "title": x_title},
            "y": {"field": y, "type": "nominal", "title": y_title, "sort": "-x", "axis": {"labelLimit": 260}},
            "tooltip": tooltip
            or [
                {"field": y, "type": "nominal", "title": y_title},
                {"field": x, "type": "quantitative", "title": x_title},
            ],
        },
    }
    if counts:
        spec["encoding"]["x"]["axis"] = {"tickMinStep": 1, "format": "d"}
    if transform:
        spec["transform"] = transform
    return spec


def agreement_dots(frame: pd.DataFrame, *, title: str) -> dict:
    """Draw the share agreeing with each statement as a dot, with its 95% interval as a line.

    Parameters
    ----------
    frame : DataFrame
        Columns label, agree (share), low, high (the interval's ends) and n, one row per statement, in the order
        to draw.
    title : str
        The chart's title.

    Returns
    -------
    dict
        A layered Vega-Lite specification with its data inline.
    """
    base_y = {"field": "label", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 300}}
    return {
        "title": title,
        "description": _("Dot chart, {title}: a dot per statement ({n}) with a line for its 95% interval.").format(
            title=title, n=number(len(frame))
        ),
        "data": {"values": records(frame)},
        "layer": [
            {
                "mark": {"type": "rule", "color": INTERVAL_COLOUR, "strokeWidth": 2},
                "encoding": {
                    "y": base_y,
                    "x": {
                        "field": "low",
                        "type": "quantitative",
                        "title": _("Share agreeing (with 95% interval)"),
                        "scale": {"domain": [0, 1]},
                        "axis": {"format": "%"},
                    },
                    "x2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 70, "color": ACCENT},
                "encoding": {"y": base_y, "x": {"field": "agree", "type": "quantitative"}},
            },
        ],
    }


#: The two stances of :func:`stance_bars`, in legend order (in English in the data; drawn in the reader's language).
STANCES = (N_("Supporting lessons"), N_("Challenging lessons"))


def stance_bars(evidence: pd.DataFrame, *, title: str) -> dict:
    """Draw grouped bars per model element: lessons supporting it and lessons challenging it.

    Parameters
    ----------
    evidence : DataFrame
        Columns name (the element), stance (one of :data:`STANCES`) and lessons (a count), elements in order.
    title : str
        The chart's title.

    Returns
    -------
    dict
        A Vega-Lite specification with its data inline.
    """
    elements = evidence["name"].nunique() if "name" in evidence else 0
    if "stance" in evidence:
        evidence = evidence.assign(stance=evidence["stance"].map(lambda v: _(v) if isinstance(v, str) else v))
    return {
        "title": title,
        "description": _(
            "Grouped bar chart, {title}: for each model element ({n}), the lessons supporting and challenging it."
        ).format(title=title, n=number(elements)),
        "data": {"values": records(evidence)},
        "mark": "bar",
        "encoding": {
            "y": {"field": "name", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 280}},
            "x": {"field": "lessons", "type": "quantitative", "title": _("Lessons"), "axis": {"tickMinStep": 1}},
            "color": {
                "field": "stance",
                "type": "nominal",
                "title": _("Lessons"),
                "scale": {"domain": [_(s) for s in STANCES], "range": [FOR_COLOUR, AGAINST_COLOUR]},
            },
            "yOffset": {"field": "stance"},
        },
    }
