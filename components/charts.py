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
