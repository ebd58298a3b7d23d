"""The one chart palette of the app and its briefs: every colour a chart draws with, named by what it means.

The colours are Okabe–Ito, which stay distinguishable with the common forms of colour blindness; they passed the
contrast checks on the pages, and the briefs draw with the same ones. :mod:`components.charts` (the pages' Altair
charts) and :mod:`lessons.chart_specs` (Vega-Lite specifications shared by pages and briefs) read them from here.

Examples
--------
>>> kind_scale({"barrier", "enabler"})
{'domain': ['enabler', 'barrier'], 'range': ['#009E73', '#D55E00']}
>>> kind_scale(labels={"enabler": "Enabler", "barrier": "Barrier", "recommendation": "Recommendation",
...                    "insight": "Insight"})["domain"]
['Enabler', 'Barrier', 'Recommendation', 'Insight']
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

#: Okabe–Ito colours for the four kinds of lesson, in the order legends and tables list the kinds.
KIND_COLOURS = {
    "enabler": "#009E73",
    "barrier": "#D55E00",
    "recommendation": "#0072B2",
    "insight": "#E69F00",
}
#: The colour of a chart of one series (bars, dots) and of the briefs' heading rules.
ACCENT = "#0072B2"
#: Okabe–Ito colours (without black and yellow, which are hard to read on white) for up to six series.
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
#: Sector colours (Okabe–Ito) and shapes, so sectors differ by shape as well as colour.
SECTOR_STYLE = {
    "Public sector": ("#0072B2", "circle"),
    "Civil society": ("#009E73", "square"),
    "Private sector": ("#E69F00", "triangle-up"),
    "Research": ("#CC79A7", "diamond"),
    "Citizens / service users": ("#D55E00", "cross"),
    "Not classified": ("#767676", "triangle-down"),  # grey: a sector the source did not give, never a guess
}
#: Colour and shape of a sector :data:`SECTOR_STYLE` does not name.
OTHER_SECTOR = ("#767676", "circle")
#: For and against, on both sides of a diverging chart: enabler/barrier, supports/challenges.
FOR_COLOUR = KIND_COLOURS["enabler"]
AGAINST_COLOUR = KIND_COLOURS["barrier"]
#: Workshop votes, in the order they stack.
VOTE_COLOURS = {"Agree": FOR_COLOUR, "Pass": "#BBBBBB", "Disagree": AGAINST_COLOUR}
#: Text and outlines on white.
INK = "#1A1A1A"
#: Text on a dark cell, and the gap between cells.
PAPER = "#FFFFFF"
#: An empty cell (no lesson), and its dashed outline.
EMPTY_FILL = "#F2F2F2"
EMPTY_STROKE = "#767676"
#: Ties between actors in a network drawing.
TIE_COLOUR = "#8C8C8C"
#: The 95% interval behind a share.
INTERVAL_COLOUR = "#555555"
#: The sequential scheme of counts in a heatmap.
COUNT_SCHEME = "blues"


def kind_scale(kinds: Collection[str] | None = None, labels: Mapping[str, str] | None = None) -> dict:
    """Return the colour scale of lesson kinds, as a Vega-Lite ``scale``: ``domain`` and ``range``.

    Parameters
    ----------
    kinds : collection of str, optional
        The kinds (codes) to list; all four when None or when none of them is a kind.
    labels : mapping of str to str, optional
        Names to show for the codes (``KIND_LABELS``), when the chart's data holds names rather than codes.

    Returns
    -------
    dict
        ``{"domain": [...], "range": [...]}`` in the order of :data:`KIND_COLOURS`.
    """
    chosen = [k for k in KIND_COLOURS if kinds is None or k in kinds] or list(KIND_COLOURS)
    return {"domain": [labels[k] if labels else k for k in chosen], "range": [KIND_COLOURS[k] for k in chosen]}


def rgb(colour: str) -> tuple[int, int, int]:
    """Return a ``#RRGGBB`` colour as three integers, for drawing libraries that take them.

    >>> rgb(ACCENT)
    (0, 114, 178)
    """
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
