"""Pure Altair chart builders: each takes an already-aggregated frame and returns a chart (no Streamlit here).

Colours come from the Okabe–Ito palette, which stays distinguishable with the common forms of colour blindness.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

#: Okabe–Ito colours for the four kinds of lesson.
KIND_COLOURS = {
    "enabler": "#009E73",
    "barrier": "#D55E00",
    "recommendation": "#0072B2",
    "insight": "#E69F00",
}


def country_chart(counts: pd.DataFrame) -> alt.Chart:
    """Horizontal bars of lessons per country, each labelled with its number of pilots;
    expects columns country_name, pilots, lessons."""
    return (
        alt.Chart(counts, title="Pilots and lessons by country")
        .transform_calculate(
            label="datum.country_name + ' (' + datum.pilots + (datum.pilots == 1 ? ' pilot)' : ' pilots)')"
        )
        .mark_bar(color="#0072B2")
        .encode(
            alt.X("lessons:Q").title("Lessons"),
            alt.Y("label:N").title("Country (pilots)").sort("-x").axis(labelLimit=260),
            tooltip=[
                alt.Tooltip("country_name:N", title="Country"),
                alt.Tooltip("pilots:Q", title="Pilots"),
                alt.Tooltip("lessons:Q", title="Lessons"),
            ],
        )
        .properties(height=alt.Step(22))
    )


def theme_kind_chart(counts: pd.DataFrame) -> alt.Chart:
    """Stacked bars of lessons per theme, coloured by kind; expects columns theme, kind, lessons."""
    kinds = [k for k in KIND_COLOURS if k in set(counts.get("kind", []))] or list(KIND_COLOURS)
    return (
        alt.Chart(counts, title="Lessons by theme and kind")
        .mark_bar()
        .encode(
            alt.X("sum(lessons):Q").title("Lessons"),
            alt.Y("theme:N").title("Theme").sort("-x").axis(labelLimit=260),
            alt.Color("kind:N")
            .title("Kind")
            .scale(domain=kinds, range=[KIND_COLOURS[k] for k in kinds])
            .legend(orient="bottom", direction="horizontal", columns=2, labelLimit=200),
            alt.Order("kind:N"),
            tooltip=[
                alt.Tooltip("theme:N", title="Theme"),
                alt.Tooltip("kind:N", title="Kind"),
                alt.Tooltip("lessons:Q", title="Lessons"),
            ],
        )
        .properties(height=alt.Step(22))
    )


def theme_matrix_chart(counts: pd.DataFrame) -> alt.Chart:
    """Heatmap of lesson counts, pilots by theme, where a click selects a cell (named selection ``cell``).

    Expects columns pilot, pilot_name, theme, theme_name, lessons. Empty cells (gaps) are drawn in light grey with
    a dashed outline so "no lesson" is not confused with "few lessons"; numbers are printed in each cell.
    """
    cell = alt.selection_point(name="cell", fields=["pilot", "theme"], on="click", clear="dblclick")
    base = alt.Chart(counts, title="Lessons per pilot and theme").encode(
        alt.X("theme_name:N").title("Theme").axis(labelAngle=-40, labelLimit=200, labelOverlap=False),
        alt.Y("pilot_name:N").title("Pilot").axis(labelLimit=240),
        tooltip=[
            alt.Tooltip("pilot_name:N", title="Pilot"),
            alt.Tooltip("theme_name:N", title="Theme"),
            alt.Tooltip("lessons:Q", title="Lessons"),
        ],
    )
    top = max(1, int(counts["lessons"].max() or 1)) if not counts.empty else 1
    cells = base.mark_rect(stroke="#FFFFFF", strokeWidth=1).encode(
        alt.Color("lessons:Q")
        .title("Lessons")
        .scale(scheme="blues", domain=[0, top])
        .legend(orient="right", gradientLength=160),
        opacity=alt.condition(cell, alt.value(1.0), alt.value(0.35)),
    )
    gaps = (
        base.transform_filter("datum.lessons == 0")
        .mark_rect(fill="#F2F2F2", stroke="#767676", strokeDash=[3, 2], strokeWidth=0.6)
        .encode()
    )
    labels = base.mark_text(fontSize=11).encode(
        alt.Text("lessons:Q"),
        color=alt.condition(f"datum.lessons > {top / 2}", alt.value("#FFFFFF"), alt.value("#1A1A1A")),
    )
    return (cells.add_params(cell) + gaps + labels).properties(height=alt.Step(24), width=alt.Step(52))


def recurrence_chart(themes: pd.DataFrame) -> alt.Chart:
    """Bars of how many pilots report each theme; expects columns theme_name, pilots, lessons."""
    return (
        alt.Chart(themes, title="How many pilots report each theme")
        .mark_bar(color="#0072B2")
        .encode(
            alt.X("pilots:Q").title("Pilots with at least one lesson on the theme").axis(tickMinStep=1),
            alt.Y("theme_name:N").title("Theme").sort("-x").axis(labelLimit=260),
            tooltip=[
                alt.Tooltip("theme_name:N", title="Theme"),
                alt.Tooltip("pilots:Q", title="Pilots"),
                alt.Tooltip("lessons:Q", title="Lessons"),
            ],
        )
        .properties(height=alt.Step(22))
    )


def contradiction_chart(themes: pd.DataFrame) -> alt.Chart:
    """Diverging bars per theme: pilots reporting it as an enabler (right) and as a barrier (left).

    Expects columns theme_name, enabler_pilots, barrier_pilots.
    """
    long = pd.concat(
        [
            themes.assign(side="Enabler", pilots=themes["enabler_pilots"]),
            themes.assign(side="Barrier", pilots=-themes["barrier_pilots"]),
        ]
    )[["theme_name", "side", "pilots"]]
    long["count"] = long["pilots"].abs()
    order = themes["theme_name"].tolist()  # the caller's order: most contested first
    return (
        alt.Chart(long, title="Pilots reporting a theme as enabler and as barrier")
        .mark_bar()
        .encode(
            alt.X("pilots:Q")
            .title("← pilots calling it a barrier · pilots calling it an enabler →")
            .axis(labelExpr="abs(datum.value)", tickMinStep=1),
            alt.Y("theme_name:N").title("Theme").sort(order).axis(labelLimit=260),
            alt.Color("side:N")
            .title("Reported as")
            .scale(domain=["Enabler", "Barrier"], range=[KIND_COLOURS["enabler"], KIND_COLOURS["barrier"]])
            .legend(orient="bottom"),
            tooltip=[
                alt.Tooltip("theme_name:N", title="Theme"),
                alt.Tooltip("side:N", title="Reported as"),
                alt.Tooltip("count:Q", title="Pilots"),
            ],
        )
        .properties(height=alt.Step(22))
    )


#: Okabe–Ito colours (without black and yellow, which are hard to read on white) for up to six series.
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]


def phase_chart(counts: pd.DataFrame) -> alt.Chart:
    """Stacked bars of lessons per co-creation phase, coloured by the methodology the pilots followed.

    Expects columns phase_name, position, methodology, lessons.
    """
    methods = list(dict.fromkeys(counts["methodology"]))
    return (
        alt.Chart(counts, title="Lessons by co-creation phase and methodology")
        .mark_bar()
        .encode(
            alt.X("phase_name:N")
            .title("Co-creation phase")
            .sort(alt.SortField("position"))
            .axis(labelAngle=0, labelLimit=220),
            alt.Y("sum(lessons):Q").title("Lessons"),
            alt.Color("methodology:N")
            .title("Methodology")
            .scale(domain=methods, range=SERIES_COLOURS[: max(1, len(methods))])
            .legend(orient="bottom", columns=2, labelLimit=260),
            tooltip=[
                alt.Tooltip("phase_name:N", title="Phase"),
                alt.Tooltip("methodology:N", title="Methodology"),
                alt.Tooltip("lessons:Q", title="Lessons"),
            ],
        )
        .properties(height=280)
    )


def profile_chart(profile: pd.DataFrame) -> alt.Chart:
    """Grouped bars: each chosen pilot's share of lessons per theme; expects theme_name, pilot_name, share,
    lessons."""
    pilots = list(dict.fromkeys(profile["pilot_name"]))
    return (
        alt.Chart(profile, title="Theme profiles of the chosen pilots")
        .mark_bar()
        .encode(
            alt.Y("theme_name:N").title("Theme").axis(labelLimit=260),
            alt.X("share:Q").title("Share of the pilot's theme tags").axis(format="%"),
            alt.YOffset("pilot_name:N").sort(pilots),
            alt.Color("pilot_name:N")
            .title("Pilot")
            .scale(domain=pilots, range=SERIES_COLOURS[: max(1, len(pilots))])
            .legend(orient="bottom", columns=2, labelLimit=300),
            tooltip=[
                alt.Tooltip("pilot_name:N", title="Pilot"),
                alt.Tooltip("theme_name:N", title="Theme"),
                alt.Tooltip("lessons:Q", title="Lessons"),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
            ],
        )
        .properties(height=alt.Step(9))
    )
