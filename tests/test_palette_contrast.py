"""The chart palette keeps its contrast (#19): WCAG 2.1 contrast ratios of every colour a chart draws with against
the page's white, at least 3:1 for graphics (1.4.11) and 4.5:1 for text (1.4.3); the colours of one chart stay
apart under simulated colour blindness; chart text is drawn in ink, not Streamlit's grey."""

from __future__ import annotations

import itertools

import altair as alt
import pandas as pd
import pytest

from components import charts
from lessons import palette

WHITE = "#FFFFFF"


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a #RRGGBB colour."""
    channels = [c / 255 for c in palette.rgb(colour)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str = WHITE) -> float:
    """WCAG 2.1 contrast ratio, 1 to 21."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


#: Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
SIMULATIONS = {
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def lab(colour: str, vision: str) -> tuple[float, float, float]:
    """CIELAB (D65) of a colour as seen with ``vision``."""
    linear = [c / 255 for c in palette.rgb(colour)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in linear]
    r, g, b = [min(1.0, max(0.0, sum(m * c for m, c in zip(row, linear)))) for row in SIMULATIONS[vision]]
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def distance(a: str, b: str, vision: str) -> float:
    """CIE76 colour difference as seen with ``vision``."""
    return sum((p - q) ** 2 for p, q in zip(lab(a, vision), lab(b, vision))) ** 0.5


GRAPHICS = {
    **{f"KIND_COLOURS[{k}]": v for k, v in palette.KIND_COLOURS.items()},
    **{f"SERIES_COLOURS[{i}]": v for i, v in enumerate(palette.SERIES_COLOURS)},
    **{f"SECTOR_STYLE[{k}]": v for k, (v, _shape) in palette.SECTOR_STYLE.items()},
    **{f"VOTE_COLOURS[{k}]": v for k, v in palette.VOTE_COLOURS.items()},
    "ACCENT": palette.ACCENT,
    "OTHER_SECTOR": palette.OTHER_SECTOR[0],
    "EMPTY_STROKE": palette.EMPTY_STROKE,
    "INTERVAL_COLOUR": palette.INTERVAL_COLOUR,
}
#: Colours of marks drawn in one chart side by side, which must stay apart for every reader.
TOGETHER = {
    "kinds": list(palette.KIND_COLOURS.values()),
    "series": palette.SERIES_COLOURS,
    "sectors": [c for c, _shape in palette.SECTOR_STYLE.values()],
    "votes": list(palette.VOTE_COLOURS.values()),
}


def test_the_contrast_formula_gives_wcag_s_own_figures():
    assert contrast("#000000") == pytest.approx(21.0)
    assert contrast("#767676") == pytest.approx(4.54, abs=0.01)
    assert contrast("#E69F00") == pytest.approx(2.25, abs=0.01)  # the orange this palette no longer uses


@pytest.mark.parametrize("name", GRAPHICS)
def test_every_chart_colour_stands_out_from_white_for_graphics(name):
    assert contrast(GRAPHICS[name]) >= 3.0, f"{name} {GRAPHICS[name]}: {contrast(GRAPHICS[name]):.2f}:1"


def test_chart_text_reads_on_white_and_in_dark_cells():
    assert contrast(palette.INK) >= 4.5
    assert contrast(palette.INK, palette.EMPTY_FILL) >= 4.5


@pytest.mark.parametrize("group", TOGETHER)
def test_colours_of_one_chart_stay_apart_with_colour_blindness(group):
    for vision in SIMULATIONS:
        for a, b in itertools.combinations(TOGETHER[group], 2):
            assert distance(a, b, vision) >= 9, f"{group}: {a} and {b} look alike with {vision}"


#: Vega's "blues" scheme (vega-scale), which a continuous scale interpolates in RGB.
BLUES = "cfe1f2bed8eca8cee58fc1de74b2d75ba3cf4592c63181bd206fb2125ca40a4a90"


def blues(t: float) -> str:
    """The colour of Vega's "blues" at ``t`` from 0 to 1."""
    stops = [palette.rgb("#" + BLUES[i : i + 6]) for i in range(0, len(BLUES), 6)]
    x = t * (len(stops) - 1)
    i = min(int(x), len(stops) - 2)
    return "#" + "".join(f"{round(a + (b - a) * (x - i)):02X}" for a, b in zip(stops[i], stops[i + 1]))


def test_numbers_in_heatmap_cells_read_at_4_5_to_1_on_every_shade():
    assert palette.COUNT_SCHEME == "blues" and blues(0) == "#CFE1F2" and blues(1) == "#0A4A90"
    for step in range(1001):
        t = step / 1000
        assert palette.count_fill(t) == blues(t)
        text = palette.ink_on(blues(t))
        assert contrast(text, blues(t)) >= 4.5, (t, text, blues(t))
    assert palette.contrast("#767676") == pytest.approx(contrast("#767676"))


def test_every_number_the_heatmap_prints_reads_at_4_5_to_1_on_its_own_cell():
    """The chart's own data: each cell's count, the colour Vega fills it with, the ink printed on it (#19: the fade of
    unselected cells once lowered this; cells no longer fade)."""
    lessons = [0, 1, 2, 3, 5, 8, 9, 13, 21]
    counts = pd.DataFrame(
        {
            "pilot": [f"p{i}" for i in range(len(lessons))],
            "pilot_name": [f"P{i}" for i in range(len(lessons))],
            "theme": "t",
            "theme_name": "T",
            "lessons": lessons,
        }
    )
    spec = charts.theme_matrix_chart(counts).to_dict()
    cells, _gaps, labels, _chosen = spec["layer"]
    assert "opacity" not in cells["encoding"] and "opacity" not in labels["encoding"]
    assert "opacity" not in labels["mark"]
    top = cells["encoding"]["color"]["scale"]["domain"][1]
    for row in spec["datasets"][spec["data"]["name"]]:
        fill = palette.EMPTY_FILL if row["lessons"] == 0 else blues(row["lessons"] / top)
        assert contrast(row["ink"], fill) >= 4.5, row


def test_chart_axis_and_legend_text_is_ink_not_streamlit_grey():
    counts = pd.DataFrame({"country": ["FI"], "country_name": ["Finland"], "pilots": [1], "lessons": [2]})
    assert alt.theme.active == charts.THEME
    config = charts.country_chart(counts).to_dict()["config"]
    for part in ("axis", "legend", "header"):
        assert config[part]["labelColor"] == config[part]["titleColor"] == palette.INK
    assert config["title"]["color"] == palette.INK
