"""Pure Altair chart builders: each takes an already-aggregated frame and returns a chart (no Streamlit here).

Colours come from :mod:`lessons.palette`, the one palette of the pages and the briefs (Okabe–Ito, which stays
distinguishable with the common forms of colour blindness). A chart the briefs draw too is defined once, as a
Vega-Lite specification in :mod:`lessons.chart_specs`, and wrapped here as an Altair chart.

Importing this module enables the Altair theme ``lessons``: axis, legend, header and title text in
:data:`lessons.palette.INK` (17.4:1 on white; Streamlit's own chart theme draws them grey, 3.72:1). Streamlit keeps
an active theme other than Altair's default, and a chart's own ``config`` still wins over it.

Every chart a builder returns has a title and a one-sentence ``description`` (:func:`described`): Vega draws the
description as the chart's ``aria-label`` (``role="graphics-document"``), what a screen reader announces. Each chart
reads at 390 px as well as on a desktop (#19): Streamlit draws charts as wide as their column, and labels take at most
a share of that width (:data:`AXIS_LABELS`, :data:`LEGEND_LABELS`, Vega's ``containerSize()``), so long names are
cut short (whole in the tooltip and in the table each page gives beside its chart) rather than squeezing the marks
out; legends sit below the chart in one column, so no entry runs off a phone's screen.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from lessons import chart_specs
from lessons.i18n import _, ngettext, number
from lessons.palette import (
    ACCENT,
    AGAINST_COLOUR,
    CATEGORY_COLOURS,
    COUNT_SCHEME,
    EMPTY_FILL,
    EMPTY_STROKE,
    FOR_COLOUR,
    INK,
    KIND_COLOURS,
    NETWORK_TIE_COLOUR,
    OTHER_SECTOR,
    PAPER,
    SECTOR_STYLE,
    SERIES_COLOURS,
    VOTE_COLOURS,
    count_fill,
    ink_on,
    kind_scale,
)
from lessons.queries import KIND_LABELS

__all__ = [
    "KIND_COLOURS",
    "THEME",
    "SECTOR_STYLE",
    "SERIES_COLOURS",
    "VOTE_COLOURS",
    "AXIS_LABELS",
    "LEGEND_LABELS",
    "NARROW",
    "contradiction_chart",
    "described",
    "country_chart",
    "element_evidence_chart",
    "network_chart",
    "opinion_map_chart",
    "phase_chart",
    "pilot_map_chart",
    "pilot_share_chart",
    "profile_chart",
    "recurrence_chart",
    "measure_bars_chart",
    "statement_votes_chart",
    "theme_kind_chart",
    "theme_matrix_chart",
]


THEME = "lessons"


@alt.theme.register(THEME, enable=True)
def _readable_text() -> alt.theme.ThemeConfig:
    """Chart text readable on white (WCAG 1.4.3): labels and titles of axes, legends, facets and the chart."""
    text = {"labelColor": INK, "titleColor": INK}
    return alt.theme.ThemeConfig(
        {"config": {"axis": text, "legend": text, "header": text, "title": {"color": INK, "subtitleColor": INK}}}
    )


def _room(share: float, least: int, most: int, less: int = 0) -> dict:
    """A length in pixels that grows with the chart's container: ``share`` of its width less ``less``, kept between
    ``least`` and ``most`` (a Vega expression, worked out when the chart is drawn)."""
    return {"expr": f"clamp(containerSize()[0] * {share:g} - {less}, {least}, {most})"}


#: The longest axis label (px): 40% of the chart's width, 72 px on the narrowest screen, at most 260 px.
AXIS_LABELS = _room(0.4, 72, 260)
#: The longest legend label (px): what a one-column legend below the marks has left of the chart's width.
LEGEND_LABELS = _room(0.55, 60, 300, less=40)
#: A Vega test for a narrow chart (a phone's column), for settings that change with the width.
NARROW = "containerSize()[0] < 560"


#: Legend labels on a narrow chart broken into lines of at most about 24 characters, at spaces (Vega draws a list of
#: strings as lines), so a long name (a methodology, a pilot) reads whole on a phone instead of being cut short.
WRAPPED_LABEL = (
    f"{NARROW} ? slice(split(replace(datum.label, /(.{{1,24}})(\\s+|$)/g, '$1\\n'), '\\n'), 0, -1) : datum.label"
)


def _legend(**extra) -> dict:
    """A legend below the marks, one entry per line, long labels wrapped on a phone (:data:`WRAPPED_LABEL`) and any
    word still too long cut to the room left (:data:`LEGEND_LABELS`)."""
    return {
        "orient": "bottom",
        "direction": "vertical",
        "columns": 1,
        "labelLimit": LEGEND_LABELS,
        "labelExpr": WRAPPED_LABEL,
        **extra,
    }


def described(chart: alt.TopLevelMixin, description: str) -> alt.TopLevelMixin:
    """``chart`` with its one-sentence ``description``: the accessible name a screen reader announces (Vega puts it
    in the SVG's ``aria-label``). Every builder of this module returns through here (tests/test_charts.py)."""
    return chart.properties(description=description)


def _most(frame: pd.DataFrame, name: str, value: str) -> dict[str, str] | None:
    """The ``name`` and ``value`` (a number in the reader's language) of the row with the largest ``value``, for a
    description (None when there is none)."""
    if frame.empty or value not in frame or name not in frame or frame[value].isna().all():
        return None
    top = frame.loc[frame[value].idxmax()]
    return {"name": str(top[name]), "value": number(float(top[value]))}


def _vocab(values: pd.Series) -> pd.Series:
    """Built-in vocabulary labels (themes, phases) drawn in the reader's language (each itself when untranslated)."""
    return values.map(lambda v: _(v) if isinstance(v, str) and v else v)


def _drawn(frame: pd.DataFrame, spec: dict) -> alt.Chart:
    """The chart a :mod:`lessons.chart_specs` specification describes, drawing ``frame`` (the same as
    ``alt.Chart.from_dict(spec)``, whose ``to_dict()`` it equals, but several times quicker: the spec is not
    re-read through the schema on every rerun)."""
    return alt.Chart(frame, **{key: value for key, value in spec.items() if key != "data"})


def country_chart(counts: pd.DataFrame) -> alt.Chart:
    """Horizontal bars of lessons per country, each labelled with its number of pilots;
    expects columns country_name, pilots, lessons."""
    spec = chart_specs.count_bars(
        counts,
        y="label",
        y_title=_("Country (pilots)"),
        x="lessons",
        x_title=_("Lessons"),
        title=_("Pilots and lessons by country"),
        tooltip=[
            {"field": "country_name", "type": "nominal", "title": _("Country")},
            {"field": "pilots", "type": "quantitative", "title": _("Pilots")},
            {"field": "lessons", "type": "quantitative", "title": _("Lessons")},
        ],
    )
    # each bar's label, "Finland (2 pilots)", made here: the plural forms are the language's own
    counts = counts.assign(
        label=[
            ngettext("{country} ({n} pilot)", "{country} ({n} pilots)", int(n)).format(country=name, n=number(int(n)))
            for name, n in zip(counts.get("country_name", []), counts.get("pilots", []))
        ]
    )
    spec["encoding"]["y"]["axis"]["labelLimit"] = AXIS_LABELS
    by_country = counts.groupby("country_name", as_index=False)["lessons"].sum() if "lessons" in counts else counts
    most = _most(by_country, "country_name", "lessons")
    text = (
        _(
            "Bar chart of the lessons recorded in each of {n} countries, with the number of pilots in each; {name} "
            "has the most, {value}."
        )
        if most
        else _("Bar chart of the lessons recorded in each of {n} countries, with the number of pilots in each.")
    )
    return described(
        _drawn(counts, spec).properties(height=alt.Step(22)), text.format(n=number(len(counts)), **(most or {}))
    )


def theme_kind_chart(counts: pd.DataFrame) -> alt.Chart:
    """Stacked bars of lessons per theme, coloured by kind; expects columns theme, kind, lessons.

    The same chart as the briefs' lessons by kind (:func:`lessons.chart_specs.kind_bars`).
    """
    present = set(counts.get("kind", []))
    labels = dict(KIND_LABELS.items())  # in the reader's language (lessons.i18n.Labels)
    if "kind" in counts:  # the kinds drawn by name, in the reader's language, in the palette's colours
        counts = counts.assign(kind=counts["kind"].map(lambda k: labels.get(k, k)))
    if "theme" in counts:
        counts = counts.assign(theme=_vocab(counts["theme"]))
    known = present & set(KIND_LABELS)
    scale = kind_scale(known, labels=labels) if known else kind_scale(present)
    spec = chart_specs.kind_bars(
        counts, y="theme", y_title=_("Theme"), title=_("Lessons by theme and kind"), scale=scale, legend=_legend()
    )
    spec["encoding"]["y"]["axis"]["labelLimit"] = AXIS_LABELS
    kinds = list(dict.fromkeys(counts["kind"])) if "kind" in counts else []
    by_theme = counts.groupby("theme", as_index=False)["lessons"].sum() if "theme" in counts else counts
    most = _most(by_theme, "theme", "lessons")
    fields = {"n": number(counts["theme"].nunique() if "theme" in counts else 0),
              "kinds": ", ".join(map(str, kinds)) or _("none")}  # fmt: skip
    if most:
        text = _(
            "Stacked bar chart of the lessons on each of {n} themes, split by kind ({kinds}); {name} has the most, "
            "{value}."
        ).format(**most, **fields)
    else:
        text = _("Stacked bar chart of the lessons on each of {n} themes, split by kind ({kinds}).").format(**fields)
    return described(_drawn(counts, spec).properties(height=alt.Step(22)), text)


def theme_matrix_chart(counts: pd.DataFrame) -> alt.LayerChart:
    """Heatmap of lesson counts, pilots by theme, where a click selects a cell (named selection ``cell``).

    Expects columns pilot, pilot_name, theme, theme_name, lessons. Empty cells (gaps) are drawn in light grey with
    a dashed outline so "no lesson" is not confused with "few lessons"; numbers are printed in each cell, in black or
    white, whichever reads better on the cell's own colour (:func:`lessons.palette.ink_on`: 4.5:1 at least). A
    selected cell gets a thick dark outline; the other cells keep their colour (no fading, which would lower the
    contrast of their numbers). Cells share the chart's width, so the whole matrix fits a phone; theme names stand
    upright there, and names cut short are whole in the tooltip and in the table the page gives below.
    """
    top = max(1, int(counts["lessons"].max() or 1)) if not counts.empty else 1
    fills = [EMPTY_FILL if n == 0 else count_fill(n / top) for n in counts["lessons"]]
    if "theme_name" in counts:
        counts = counts.assign(theme_name=_vocab(counts["theme_name"]))
    counts = counts.assign(ink=[ink_on(f) for f in fills])
    cell = alt.selection_point(name="cell", fields=["pilot", "theme"], on="click", clear="dblclick")
    base = alt.Chart(counts, title=_("Lessons per pilot and theme")).encode(
        alt.X("theme_name:N")
        .title(_("Theme"))
        .axis(
            labelAngle={"expr": f"{NARROW} ? -90 : -40"},
            labelLimit=_room(0.45, 90, 200),
            labelOverlap=False,
        ),
        alt.Y("pilot_name:N").title(_("Pilot")).axis(labelLimit=_room(0.35, 80, 240)),
        tooltip=[
            alt.Tooltip("pilot_name:N", title=_("Pilot")),
            alt.Tooltip("theme_name:N", title=_("Theme")),
            alt.Tooltip("lessons:Q", title=_("Lessons")),
        ],
    )
    cells = base.mark_rect(stroke=PAPER, strokeWidth=1).encode(
        alt.Color("lessons:Q")
        .title(_("Lessons"))
        .scale(scheme=COUNT_SCHEME, domain=[0, top])
        .legend(orient="bottom", direction="horizontal", gradientLength=160),
    )
    gaps = (
        base.transform_filter("datum.lessons == 0")
        .mark_rect(fill=EMPTY_FILL, stroke=EMPTY_STROKE, strokeDash=[3, 2], strokeWidth=0.6)
        .encode()
    )
    labels = base.mark_text(fontSize={"expr": f"{NARROW} ? 10 : 11"}).encode(
        alt.Text("lessons:Q"), alt.Color("ink:N").scale(None)
    )
    chosen = base.transform_filter({"param": "cell", "empty": False}).mark_rect(filled=False, stroke=INK, strokeWidth=3)
    pilots, themes = counts["pilot"].nunique(), counts["theme"].nunique()
    empty = int((counts["lessons"] == 0).sum())
    return described(
        (cells.add_params(cell) + gaps + labels + chosen)
        .resolve_scale(color="independent")
        .properties(height=alt.Step(24)),
        _(
            "Heatmap of the lessons of {pilots} pilots on {themes} themes, one cell per pilot and theme with its count "
            "printed; darker cells hold more lessons (up to {top}), {empty} grey dashed cells hold none."
        ).format(pilots=number(pilots), themes=number(themes), top=number(top), empty=number(empty)),
    )


def recurrence_chart(themes: pd.DataFrame) -> alt.Chart:
    """Bars of how many pilots report each theme; expects columns theme_name, pilots, lessons.

    The same chart as the briefs' counts (:func:`lessons.chart_specs.count_bars`).
    """
    if "theme_name" in themes:
        themes = themes.assign(theme_name=_vocab(themes["theme_name"]))
    spec = chart_specs.count_bars(
        themes,
        y="theme_name",
        y_title=_("Theme"),
        x="pilots",
        x_title=_("Pilots reporting it"),
        title=_("How many pilots report each theme"),
        tooltip=[
            {"field": "theme_name", "type": "nominal", "title": _("Theme")},
            {"field": "pilots", "type": "quantitative", "title": _("Pilots")},
            {"field": "lessons", "type": "quantitative", "title": _("Lessons")},
        ],
    )
    spec["encoding"]["y"]["axis"]["labelLimit"] = AXIS_LABELS
    most = _most(themes, "theme_name", "pilots")
    text = (
        _("Bar chart of how many pilots report each of {n} themes; the most, {value} pilots, report {name}.")
        if most
        else _("Bar chart of how many pilots report each of {n} themes.")
    )
    return described(
        _drawn(themes, spec).properties(height=alt.Step(22)), text.format(n=number(len(themes)), **(most or {}))
    )


def contradiction_chart(themes: pd.DataFrame) -> alt.Chart:
    """Diverging bars per theme: pilots reporting it as an enabler (right) and as a barrier (left).

    Expects columns theme_name, enabler_pilots, barrier_pilots.
    """
    enabler, barrier = KIND_LABELS["enabler"], KIND_LABELS["barrier"]  # in the reader's language
    themes = themes.assign(theme_name=_vocab(themes["theme_name"]))
    long = pd.concat(
        [
            themes.assign(side=enabler, pilots=themes["enabler_pilots"]),
            themes.assign(side=barrier, pilots=-themes["barrier_pilots"]),
        ]
    )[["theme_name", "side", "pilots"]]
    long["count"] = long["pilots"].abs()
    order = themes["theme_name"].tolist()  # the caller's order: most contested first
    chart = (
        alt.Chart(long, title=_("Enabler for some pilots, barrier for others"))
        .mark_bar()
        .encode(
            alt.X("pilots:Q")
            .title(_("← barrier · pilots · enabler →"))
            .axis(labelExpr="abs(datum.value)", tickMinStep=1),
            alt.Y("theme_name:N").title(_("Theme")).sort(order).axis(labelLimit=AXIS_LABELS),
            alt.Color("side:N")
            .title(_("Reported as"))
            .scale(domain=[enabler, barrier], range=[FOR_COLOUR, AGAINST_COLOUR])
            .legend(**_legend()),
            tooltip=[
                alt.Tooltip("theme_name:N", title=_("Theme")),
                alt.Tooltip("side:N", title=_("Reported as")),
                alt.Tooltip("count:Q", title=_("Pilots")),
            ],
        )
        .properties(height=alt.Step(22))
    )
    return described(
        chart,
        _(
            "Diverging bar chart of {n} themes: to the right the pilots reporting the theme as an enabler, to the "
            "left those reporting it as a barrier."
        ).format(n=number(len(themes))),
    )


def phase_chart(counts: pd.DataFrame) -> alt.Chart:
    """Stacked bars of lessons per co-creation phase, coloured by the methodology the pilots followed.

    Expects columns phase_name, position, methodology, lessons. Bars run across, a phase a row in the phases' order:
    a chart of fixed height let its legend squeeze the bars flat (Streamlit fits such a chart to that height).
    """
    counts = counts.assign(phase_name=_vocab(counts["phase_name"]), methodology=_vocab(counts["methodology"]))
    methods = list(dict.fromkeys(counts["methodology"]))
    chart = (
        alt.Chart(counts, title=_("Lessons by phase and methodology"))
        .mark_bar()
        .encode(
            alt.Y("phase_name:N")
            .title(_("Co-creation phase"))
            .sort(alt.SortField("position"))
            .axis(labelLimit=AXIS_LABELS),
            alt.X("sum(lessons):Q").title(_("Lessons")).axis(tickMinStep=1),
            alt.Color("methodology:N")
            .title(_("Methodology"))
            .scale(domain=methods, range=SERIES_COLOURS[: max(1, len(methods))])
            .legend(**_legend()),
            tooltip=[
                alt.Tooltip("phase_name:N", title=_("Phase")),
                alt.Tooltip("methodology:N", title=_("Methodology")),
                alt.Tooltip("lessons:Q", title=_("Lessons")),
            ],
        )
        .properties(height=alt.Step(28))
    )
    return described(
        chart,
        _(
            "Stacked bar chart of the lessons in each of {n} co-creation phases, split by the methodology the pilots "
            "followed ({methods})."
        ).format(n=number(counts["phase_name"].nunique()), methods=", ".join(methods)),
    )


def profile_chart(profile: pd.DataFrame) -> alt.Chart:
    """Grouped bars: each chosen pilot's share of lessons per theme; expects theme_name, pilot_name, share,
    lessons."""
    pilots = list(dict.fromkeys(profile["pilot_name"]))
    profile = profile.assign(theme_name=_vocab(profile["theme_name"]))
    chart = (
        alt.Chart(profile, title=_("Theme profiles of the chosen pilots"))
        .mark_bar()
        .encode(
            alt.Y("theme_name:N").title(_("Theme")).axis(labelLimit=AXIS_LABELS),
            alt.X("share:Q").title(_("Share of theme tags")).axis(format="%"),
            alt.YOffset("pilot_name:N").sort(pilots),
            alt.Color("pilot_name:N")
            .title(_("Pilot"))
            .scale(domain=pilots, range=SERIES_COLOURS[: max(1, len(pilots))])
            .legend(**_legend()),
            tooltip=[
                alt.Tooltip("pilot_name:N", title=_("Pilot")),
                alt.Tooltip("theme_name:N", title=_("Theme")),
                alt.Tooltip("lessons:Q", title=_("Lessons")),
                alt.Tooltip("share:Q", title=_("Share"), format=".0%"),
            ],
        )
        .properties(height=alt.Step(9))
    )
    return described(
        chart,
        _(
            "Grouped bar chart comparing {n} pilots ({pilots}): for each theme, the share of each pilot's theme tags."
        ).format(n=number(len(pilots)), pilots=", ".join(pilots)),
    )


#: Legends of a network drawing stack below it, each its own width, so none is cut on a phone (390 px) and none
#: sits beside another: a legend's rows, from its number of entries in two columns.
_LEGEND_GAP, _LEGEND_TITLE, _LEGEND_ROW = 14, 22, 23


#: The longest name written beside an actor, in pixels (longer ones end in an ellipsis; the tooltip has them whole).
LABEL_LIMIT = 160


def _stacked_legends(height: int, entries: list[int | None]) -> list[dict]:
    """Place legends one under another below a drawing of ``height``: an entry count per legend (None: a legend of
    one row of large symbols, such as sizes), listed in one column on a narrow chart (:data:`NARROW`), two else."""
    placed, narrow, wide = [], height + _LEGEND_GAP, height + _LEGEND_GAP
    for count in entries:
        placed.append({"orient": "none", "legendX": 0, "legendY": {"expr": f"{NARROW} ? {narrow} : {wide}"}})
        for columns in (1, 2):
            rows = 1 if count is None else -(-count // columns)
            step = _LEGEND_TITLE + (36 if count is None else rows * _LEGEND_ROW) + _LEGEND_GAP
            narrow, wide = (narrow + step, wide) if columns == 1 else (narrow, wide + step)
    return placed


def network_chart(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    size_title: str,
    height: int = 560,
    unit_square: bool = False,
    colour_title: str | None = None,
    colour_kind: str = "nominal",
    domain: tuple[tuple[float, float], tuple[float, float]] | None = None,
    title: str | list[str] | None = None,
    description: str | None = None,
) -> alt.LayerChart:
    """Node-link diagram: ties as lines, actors as marks coloured and shaped by sector and sized by ``size``.

    ``nodes``: key, name, sector_name, x, y, size, focus (bool), plus any of degree, betweenness, role for the
    tooltip, ``selected`` and ``highlight`` (bool: drawn with a dark ring, the highlighted one also larger) and
    ``label`` (text written beside the actor; empty or missing: none). ``edges``: x, y, x2, y2, source_name,
    target_name, relation, weight, focus. A click selects an actor (point selection ``actor`` on ``key``). The
    drawing neither zooms nor pans with the mouse, so the wheel scrolls the page: ``domain`` ((x0, x1), (y0, y1))
    shows part of it, clipped (the page's zoom buttons). Axes are hidden: positions carry no meaning beyond
    closeness in the layout. ``unit_square`` fixes both scales to [0, 1] (layouts are normalised so), so that
    drawings of the same actors at two moments line up. Legends stack below the drawing; ``description`` is the
    chart's accessible name (Vega-Lite ``description``); ``title`` is "Stakeholder network" when None.

    With ``colour_title``, actors are coloured by the column ``colour`` instead (shapes still say the sector):
    ``colour_kind`` ``nominal`` (a colour per value, from :data:`CATEGORY_COLOURS`), ``quantitative`` (a scale) or
    ``identity`` (the values are colours, e.g. Gephi's own ``viz:color``).
    """
    sectors = [s for s in SECTOR_STYLE if s in set(nodes["sector_name"])] + sorted(
        set(nodes["sector_name"].dropna()) - set(SECTOR_STYLE)
    )
    colours = [SECTOR_STYLE.get(s, OTHER_SECTOR)[0] for s in sectors]
    shapes = [SECTOR_STYLE.get(s, OTHER_SECTOR)[1] for s in sectors]
    # styles are keyed by the sectors' English names; the legend and tooltips name them in the reader's language
    nodes = nodes.assign(sector_name=nodes["sector_name"].map(lambda s: _(s) if isinstance(s, str) and s else s))
    sectors = [_(s) for s in sectors]
    actor = alt.selection_point(name="actor", fields=["key"], on="click", clear="dblclick")
    if domain is not None:
        x_scale, y_scale = {"domain": list(domain[0])}, {"domain": list(domain[1])}
    else:
        x_scale = y_scale = {"domain": [-0.03, 1.03]} if unit_square else {"zero": False, "padding": 12}
    clip = domain is not None
    x = alt.X("x:Q").axis(None).scale(**x_scale)
    y = alt.Y("y:Q").axis(None).scale(**y_scale)
    ties = (
        alt.Chart(edges)
        .mark_rule(color=NETWORK_TIE_COLOUR, clip=clip, aria=False)  # ties are in the table, not read one by one
        .encode(
            x,
            y,
            alt.X2("x2:Q"),
            alt.Y2("y2:Q"),
            opacity=alt.condition("datum.focus", alt.value(1.0), alt.value(0.15)),
            strokeWidth=alt.StrokeWidth("weight:Q").scale(range=[0.5, 2.2]).legend(None),
            tooltip=[
                alt.Tooltip("source_name:N", title=_("From")),
                alt.Tooltip("target_name:N", title=_("To")),
                alt.Tooltip("relation:N", title=_("Relation")),
                alt.Tooltip("weight:Q", title=_("Weight")),
            ],
        )
    )
    tooltip = [alt.Tooltip("name:N", title=_("Actor")), alt.Tooltip("sector_name:N", title=_("Sector"))]
    for column, title_, fmt in (("degree", _("Ties"), "d"), ("betweenness", _("Betweenness"), ".3f")):
        if column in nodes:
            tooltip.append(alt.Tooltip(f"{column}:Q", title=title_, format=fmt))
    if "role" in nodes:
        tooltip.append(alt.Tooltip("role:N", title=_("Role")))
    own_colour = colour_title is not None
    values = nodes["colour"].nunique() if own_colour and "colour" in nodes else 0
    legend = {"columns": {"expr": f"{NARROW} ? 1 : 2"}, "labelLimit": LEGEND_LABELS, "symbolStrokeWidth": 0,
              "symbolOpacity": 1}  # fmt: skip
    if own_colour and colour_kind == "identity":
        places = _stacked_legends(height, [len(sectors), None])
        colour = alt.Color("colour:N").scale(None).title(colour_title)
        shape_legend, size_legend = places
    elif own_colour:
        places = _stacked_legends(height, [2 if colour_kind == "quantitative" else values, len(sectors), None])
        colour = alt.Color(f"colour:{'Q' if colour_kind == 'quantitative' else 'N'}").title(colour_title)
        if colour_kind == "quantitative":
            colour = colour.scale(scheme="viridis").legend(**places[0], direction="horizontal")
        else:
            colour = colour.scale(range=CATEGORY_COLOURS).legend(**places[0], **legend)
        shape_legend, size_legend = places[1:]
    else:
        places = _stacked_legends(height, [len(sectors), None])
        shape_legend, size_legend = places
        colour = (
            alt.Color("sector_name:N")
            .title(_("Sector"))
            .scale(domain=sectors, range=colours)
            .legend(**places[0], **legend)
        )
    if own_colour:
        tooltip.append(alt.Tooltip(f"colour:{'Q' if colour_kind == 'quantitative' else 'N'}", title=colour_title))
    shape = alt.Shape("sector_name:N").title(_("Sector")).scale(domain=sectors, range=shapes)
    shape = shape.legend(**shape_legend, **legend, **({"symbolFillColor": INK} if own_colour else {}))
    size = alt.Size("size:Q").title(size_title).scale(range=[40, 700])
    size = size.legend(**size_legend, direction="horizontal", symbolFillColor=INK, symbolStrokeWidth=0, tickCount=3)
    size = alt.condition("datum.highlight", alt.value(700), size)  # the highlighted actor drawn at the largest
    nodes = nodes.copy()
    for column, default in (("highlight", False), ("selected", False), ("label", "")):
        if column not in nodes:
            nodes[column] = default
    nodes["label"] = nodes["label"].fillna("").astype(str)
    marked = "datum.highlight || datum.selected"
    actors = (
        alt.Chart(nodes)
        .mark_point(filled=True, clip=clip)
        .encode(
            x,
            y,
            colour,
            shape,
            size=size,
            opacity=alt.condition("datum.focus || datum.highlight", alt.value(1.0), alt.value(0.2)),
            stroke=alt.condition(marked, alt.value(INK), alt.value(PAPER)),
            strokeWidth=alt.condition(marked, alt.value(3), alt.value(0.8)),
            tooltip=tooltip,
            description=alt.Description("name:N"),  # a screen reader reads each actor by its name
        )
        .add_params(actor)
    )
    ring = (
        alt.Chart(nodes)
        .transform_filter("datum.highlight")
        .mark_point(
            shape="circle", filled=False, size=1400, stroke=INK, strokeWidth=3, opacity=1, clip=clip, aria=False
        )
        .encode(x, y)
    )
    # Names beside the actors in a white halo, to the right, or to the left (``right_side``, by default in the
    # right half, so none runs off the drawing); a highlighted or selected actor's in bold, clear of its ring.
    if "right_side" not in nodes:
        low, high = domain[0] if domain is not None else (nodes["x"].min(), nodes["x"].max())
        nodes["right_side"] = nodes["x"] > low + 0.5 * (high - low)
    labels = []
    for side, align, sign in (("!datum.right_side", "left", 1), ("datum.right_side", "right", -1)):
        for where, weight, dx in ((f"!({marked})", "normal", 11), (marked, "bold", 24)):
            labelled = alt.Chart(nodes).transform_filter(f"datum.label != '' && {side} && ({where})")
            text = {"align": align, "dx": sign * dx, "baseline": "middle", "fontSize": 12, "fontWeight": weight}
            for style in ({"stroke": PAPER, "strokeWidth": 4, "strokeJoin": "round"}, {"color": INK}):
                labels.append(
                    # clipped to the drawing: a long name near the middle must not widen a phone's page (#21)
                    labelled.mark_text(**text, **style, clip=True, limit=LABEL_LIMIT, aria=False).encode(
                        x, y, alt.Text("label:N")
                    )
                )
    # the width of the page, the height grown to the legends below (Streamlit's default "fit" would clip them)
    chart = alt.layer(ties, actors, ring, *labels).properties(
        autosize=alt.AutoSizeParams(type="pad", contains="padding"),
        height=height,
        title=_("Stakeholder network") if title is None else title,
    )
    return described(
        chart,
        description
        or _(
            "Network diagram of {actors} actors and {ties} ties between them, actors coloured and shaped by sector "
            "and sized by {size}."
        ).format(actors=number(len(nodes)), ties=number(len(edges)), size=size_title.lower()),
    )


def measure_bars_chart(rows: pd.DataFrame, measure: str) -> alt.Chart:
    """One network measure as a bar per pilot, on its own scale; expects pilot_name, value.

    The Compare pilots view draws one per measure in a row that wraps (three abreast on a desktop, one under the other
    on a phone), where a three-column facet of fixed widths was cut off at 390 px.
    """
    chart = (
        alt.Chart(rows)
        .mark_bar(color=ACCENT)
        .encode(
            alt.X("value:Q").title(None),
            alt.Y("pilot_name:N").title(None).sort("ascending").axis(labelLimit=AXIS_LABELS, labelOverlap=False),
            tooltip=[
                alt.Tooltip("pilot_name:N", title=_("Pilot")),
                alt.Tooltip("value:Q", title=measure, format=".3~f"),
            ],
        )
        .properties(width="container", height=alt.Step(16), title=measure)
    )
    return described(
        chart,
        _("Bar chart of {measure} at the end of the pilot, a bar per pilot ({n}).").format(
            measure=measure.lower(), n=number(rows["pilot_name"].nunique())
        ),
    )


def element_evidence_chart(elements: pd.DataFrame) -> alt.Chart:
    """Diverging bars per model element: lessons supporting it (right) and challenging it (left).

    Expects columns label (element key and name), supports, challenges, position.
    """
    supports, challenges = _("Supports"), _("Challenges")
    long = pd.concat(
        [
            elements.assign(stance=supports, lessons=elements["supports"]),
            elements.assign(stance=challenges, lessons=-elements["challenges"]),
        ]
    )[["label", "position", "stance", "lessons"]]
    long["count"] = long["lessons"].abs()
    chart = (
        alt.Chart(long, title=_("Lessons for and against each element"))
        .mark_bar()
        .encode(
            alt.X("lessons:Q")
            .title(_("← challenging · supporting →"))
            .axis(labelExpr="abs(datum.value)", tickMinStep=1),
            alt.Y("label:N").title(None).sort(alt.SortField("position")).axis(labelLimit=_room(0.45, 100, 460)),
            alt.Color("stance:N")
            .title(_("Lesson"))
            .scale(domain=[supports, challenges], range=[FOR_COLOUR, AGAINST_COLOUR])
            .legend(**_legend()),
            tooltip=[
                alt.Tooltip("label:N", title=_("Element")),
                alt.Tooltip("stance:N", title=_("Lessons that")),
                alt.Tooltip("count:Q", title=_("Lessons")),
            ],
        )
        .properties(height=alt.Step(26))
    )
    return described(
        chart,
        _(
            "Diverging bar chart of {n} model elements: to the right the lessons supporting each element, to the left "
            "the lessons challenging it."
        ).format(n=number(len(elements))),
    )


def statement_votes_chart(statements: pd.DataFrame) -> alt.Chart:
    """Stacked bars per statement: shares of agree, pass and disagree; expects label, n, agree, disagree, pass,
    agree_low, agree_high, position."""
    long = statements.melt(
        id_vars=["label", "n", "agree_low", "agree_high", "position"],
        value_vars=["agree", "pass", "disagree"],
        var_name="vote",
        value_name="votes",
    )
    long["vote_order"] = long["vote"].map({"agree": 0, "pass": 1, "disagree": 2})
    long["vote"] = long["vote"].str.capitalize().map(_)  # Agree, Pass, Disagree (VOTE_COLOURS) in the language
    chart = (
        alt.Chart(long, title=_("How the room voted on each statement"))
        .mark_bar()
        .encode(
            alt.X("votes:Q").stack("normalize").title(_("Share of votes")).axis(format="%"),
            alt.Y("label:N").title(None).sort(alt.SortField("position")).axis(labelLimit=_room(0.45, 100, 420)),
            alt.Color("vote:N")
            .title(_("Vote"))
            .scale(domain=[_(v) for v in VOTE_COLOURS], range=list(VOTE_COLOURS.values()))
            .legend(**_legend()),
            alt.Order("vote_order:Q"),
            tooltip=[
                alt.Tooltip("label:N", title=_("Statement")),
                alt.Tooltip("vote:N", title=_("Vote")),
                alt.Tooltip("votes:Q", title=_("Votes")),
                alt.Tooltip("n:Q", title=_("All votes")),
                alt.Tooltip("agree_low:Q", title=_("Agree: 95% interval from"), format=".0%"),
                alt.Tooltip("agree_high:Q", title=_("to"), format=".0%"),
            ],
        )
        .properties(height=alt.Step(22))
    )
    return described(
        chart,
        _(
            "Stacked bar chart of how the room voted on {n} statements: the shares of agree, pass and disagree votes "
            "on each."
        ).format(n=number(len(statements))),
    )


def opinion_map_chart(participants: pd.DataFrame) -> alt.Chart:
    """Participants placed by how they voted (first two principal components), coloured and shaped by opinion
    group; expects x, y, group."""
    groups = sorted(participants["group"].dropna().unique())
    chart = (
        alt.Chart(participants, title=_("Opinion groups: each dot is a participant, placed by how they voted"))
        .mark_point(filled=True, size=90, opacity=0.85)
        .encode(
            alt.X("x:Q").title(_("First direction of disagreement")),
            alt.Y("y:Q").title(_("Second direction")),
            alt.Color("group:N")
            .title(_("Opinion group"))
            .scale(domain=groups, range=SERIES_COLOURS[: max(1, len(groups))])
            .legend(**_legend()),
            alt.Shape("group:N").title(_("Opinion group")).legend(**_legend()),
            tooltip=[
                alt.Tooltip("group:N", title=_("Opinion group")),
                alt.Tooltip("stakeholder_group:N", title=_("Stakeholder group")),
            ],
        )
        .properties(height=320)
    )
    return described(
        chart,
        _(
            "Scatter plot of {n} participants placed by how they voted, coloured and shaped by their opinion group "
            "({groups} groups)."
        ).format(n=number(len(participants)), groups=number(len(groups))),
    )


#: The map's frame on a wide screen (px); Streamlit draws it as wide as its column.
MAP_HEIGHT = 440


def pilot_map_chart(countries: dict, placed: pd.DataFrame, box: tuple[float, float, float, float]) -> alt.LayerChart:
    """A map of pilots drawn from shipped boundaries (no tiles): countries in grey, a dot per placed pilot, labelled
    with its city, where a click selects the pilot (named selection ``pilot``, field slug).

    ``countries`` is GeoJSON (:func:`lessons.geo.countries_within`), ``placed`` has slug, name, city, country_name,
    lessons, longitude, latitude and placed_by (:func:`lessons.geo.place_pilots`); ``box`` (west, south, east,
    north) is fitted into the frame.
    """
    west, south, east, north = box
    corners = {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPoint", "coordinates": [
        [west, south], [west, north], [east, north], [east, south], [(west + east) / 2, north]]}}  # fmt: skip
    projection = {"type": "conicConformal", "parallels": [35, 65], "rotate": [-(west + east) / 2, 0, 0], "fit": corners}
    shown = placed.dropna(subset=["longitude", "latitude"]).assign(
        label=lambda f: (
            f["city"].fillna(f["name"]).astype(str).str.slice(0, 24)
            + f["placed_by"].map({"country": " " + _("(country)")}).fillna("")
        ),
        where=lambda f: f["placed_by"].map(
            {"coordinates": _("its own coordinates"), "country": _("its country's centre")}
        ),
    )[["slug", "name", "label", "country_name", "lessons", "longitude", "latitude", "where"]]
    # A label goes left of its dot when another dot sits just east of it (Ghent beside Tilburg), else right.
    shown["left_of"] = [
        bool(((shown["longitude"] - lon).between(0.01, 3.5) & ((shown["latitude"] - lat).abs() < 1.2)).any())
        for lon, lat in zip(shown["longitude"], shown["latitude"])
    ]
    land = (
        alt.Chart(alt.Data(values=countries["features"]), title=_("Where the pilots are"))
        .mark_geoshape(fill=EMPTY_FILL, stroke=EMPTY_STROKE, strokeWidth=0.5, clip=True)
        .encode(tooltip=[alt.Tooltip("properties.name:N", title=_("Country"))])
        .project(**projection)
    )
    pilot = alt.selection_point(name="pilot", fields=["slug"], on="click", clear="dblclick")
    base = alt.Chart(shown).encode(
        alt.Longitude("longitude:Q"),
        alt.Latitude("latitude:Q"),
        tooltip=[
            alt.Tooltip("name:N", title=_("Pilot")),
            alt.Tooltip("label:N", title=_("Place")),
            alt.Tooltip("country_name:N", title=_("Country")),
            alt.Tooltip("lessons:Q", title=_("Lessons")),
            alt.Tooltip("where:N", title=_("Placed at")),
        ],
    )
    dots = (
        base.mark_circle(size=150, opacity=1, stroke=PAPER, strokeWidth=1.5, cursor="pointer")
        .encode(color=alt.value(ACCENT))
        .add_params(pilot)
    )
    left_of = alt.datum.left_of
    right = base.transform_filter(~left_of).mark_text(align="left", dx=8, dy=-6, fontSize=12, color=INK, clip=True)
    left = base.transform_filter(left_of).mark_text(align="right", dx=-8, dy=-6, fontSize=12, color=INK, clip=True)
    chart = alt.layer(land, dots, right.encode(text="label:N"), left.encode(text="label:N")).properties(
        height=MAP_HEIGHT
    )
    unplaced = len(placed) - len(shown)
    text = (
        _(
            "Map of {n} pilots, each a dot at its city or at its country's centre on country boundaries, {unplaced} "
            "more not placed; the list beside it opens each pilot."
        )
        if unplaced
        else _(
            "Map of {n} pilots, each a dot at its city or at its country's centre on country boundaries; the list "
            "beside it opens each pilot."
        )
    )
    return described(chart, text.format(n=number(len(shown)), unplaced=number(unplaced)))


#: The two sides of the pilot-against-the-rest chart: the pilot in the accent colour, the pooled rest in grey.
AGAINST_COLOURS = [ACCENT, "#767676"]


def pilot_share_chart(rows: pd.DataFrame, facet: str, pilot_name: str) -> alt.Chart:
    """Grouped bars: the share of a pilot's lessons in each value of a ``facet`` (kind, phase or status) against
    the share among every other pilot's lessons, pooled; expects value, position, side, lessons, share, difference
    (:func:`lessons.pilot_case.against_the_rest`, one facet's rows)."""
    sides = list(dict.fromkeys(rows["side"])) if "side" in rows else []
    order = list(dict.fromkeys(rows.sort_values("position")["value"])) if "value" in rows else []
    chart = (
        alt.Chart(rows, title=_("Share of lessons by {facet}, against the rest").format(facet=_(facet).lower()))
        .mark_bar()
        .encode(
            alt.Y("value:N").title(_(facet)).sort(order).axis(labelLimit=AXIS_LABELS),
            alt.X("share:Q").title(_("Share of the side's lessons")).axis(format="%", tickCount=5),
            alt.YOffset("side:N").sort(sides),
            alt.Color("side:N")
            .title(_("Lessons of"))
            .scale(domain=sides, range=AGAINST_COLOURS[: max(1, len(sides))])
            .legend(**_legend()),
            tooltip=[
                alt.Tooltip("side:N", title=_("Lessons of")),
                alt.Tooltip("value:N", title=_(facet)),
                alt.Tooltip("lessons:Q", title=_("Lessons")),
                alt.Tooltip("share:Q", title=_("Share"), format=".0%"),
                alt.Tooltip("difference:Q", title=_("Difference (points)"), format="+.1f"),
            ],
        )
        .properties(height=alt.Step(12))
    )
    return described(
        chart,
        _(
            "Grouped bar chart of the share of the lessons of {pilot} in each {facet} ({n} in all) beside the share "
            "among the other pilots' lessons, pooled."
        ).format(pilot=pilot_name, facet=facet.lower(), n=number(len(order))),
    )
