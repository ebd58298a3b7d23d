"""The one chart palette of the app and its briefs: every colour a chart draws with, named by what it means.

The colours are Okabe–Ito and Paul Tol's, which stay distinguishable with the common forms of colour blindness, made
dark enough for graphics on white (WCAG 1.4.11, at least 3:1): Okabe–Ito's orange #E69F00 (2.25:1) became sienna
#A0522D and its sky blue #56B4E9 (2.31:1) Tol's indigo #332288; the pass grey #BBBBBB (1.92:1) became #767676.
tests/test_palette_contrast.py checks every colour against white and that they stay apart under simulated
protanopia, deuteranopia and tritanopia; the briefs draw with the same colours. :mod:`components.charts` (the pages' Altair
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
    "insight": "#A0522D",
}
#: The colour of a chart of one series (bars, dots) and of the briefs' heading rules.
ACCENT = "#0072B2"
#: Colour-blind-safe colours for up to six series, each at least 3:1 on white (no yellow, no light blue).
SERIES_COLOURS = ["#0072B2", "#A0522D", "#009E73", "#CC79A7", "#332288", "#D55E00"]
#: Sector colours (Okabe–Ito) and shapes, so sectors differ by shape as well as colour.
SECTOR_STYLE = {
    "Public sector": ("#0072B2", "circle"),
    "Civil society": ("#009E73", "square"),
    "Private sector": ("#A0522D", "triangle-up"),
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
VOTE_COLOURS = {"Agree": FOR_COLOUR, "Pass": "#767676", "Disagree": AGAINST_COLOUR}
#: Text and outlines on white, chart axis and legend text included (17.4:1).
INK = "#1A1A1A"
#: Text on a dark cell, and the gap between cells.
PAPER = "#FFFFFF"
#: An empty cell (no lesson), and its dashed outline.
EMPTY_FILL = "#F2F2F2"
EMPTY_STROKE = "#767676"
#: Ties in a network drawing, drawn opaque: 4.54:1 on white, so a tie stands out for graphics (WCAG 1.4.11, 3:1);
#: the former #8C8C8C at 8–45 % opacity fell below it. Thin lines keep a dense network readable.
NETWORK_TIE_COLOUR = "#767676"
#: Colours for up to nine categories of one attribute (a network's communities, a file's own attribute), in order:
#: each at least 3:1 on white and all apart under simulated colour blindness (Vega's tableau20 was not, #19).
CATEGORY_COLOURS = ["#0072B2", "#A0522D", "#009E73", "#CC79A7", "#332288", "#D55E00", "#882255", "#767676", "#6F4E00"]
#: The 95% interval behind a share.
INTERVAL_COLOUR = "#555555"
#: The sequential scheme of counts in a heatmap.
COUNT_SCHEME = "blues"
#: Numbers in a heatmap's cells: black, or white (PAPER) where that reads better (:func:`ink_on`); either way at
#: least 4.5:1 on every shade of Vega's "blues" (4.58:1 at worst, checked in tests/test_palette_contrast.py).
CELL_INK = "#000000"
#: The stops of Vega's "blues" (vega-scale), which a continuous scale interpolates in RGB: :func:`count_fill`.
COUNT_STOPS = ("#CFE1F2", "#BED8EC", "#A8CEE5", "#8FC1DE", "#74B2D7", "#5BA3CF", "#4592C6", "#3181BD", "#206FB2",
               "#125CA4", "#0A4A90")  # fmt: skip


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


def count_fill(t: float) -> str:
    """Return the colour Vega draws a heatmap cell with at ``t`` (0 to 1) along :data:`COUNT_SCHEME`.

    >>> count_fill(0), count_fill(1)
    ('#CFE1F2', '#0A4A90')
    """
    x = min(1.0, max(0.0, t)) * (len(COUNT_STOPS) - 1)
    i = min(int(x), len(COUNT_STOPS) - 2)
    ends = zip(rgb(COUNT_STOPS[i]), rgb(COUNT_STOPS[i + 1]))
    return "#" + "".join(f"{round(a + (b - a) * (x - i)):02X}" for a, b in ends)


def luminance(colour: str) -> float:
    """Return the WCAG 2.1 relative luminance of a ``#RRGGBB`` colour.

    >>> luminance("#FFFFFF"), luminance("#000000")
    (1.0, 0.0)
    """
    channels = [c / 255 for c in rgb(colour)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str = PAPER) -> float:
    """Return the WCAG 2.1 contrast ratio of two colours, from 1 to 21.

    >>> round(contrast("#767676"), 2)
    4.54
    """
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ink_on(fill: str) -> str:
    """Return the text colour that reads best on ``fill``: :data:`CELL_INK` (black) or :data:`PAPER` (white).

    >>> ink_on("#CFE1F2"), ink_on("#0A4A90")
    ('#000000', '#FFFFFF')
    """
    return CELL_INK if contrast(CELL_INK, fill) >= contrast(PAPER, fill) else PAPER


def rgb(colour: str) -> tuple[int, int, int]:
    """Return a ``#RRGGBB`` colour as three integers, for drawing libraries that take them.

    >>> rgb(ACCENT)
    (0, 114, 178)
    """
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
