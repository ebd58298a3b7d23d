"""Stakeholder networks: cached loaders and the page's sections (network, change, compare, across pilots).

The analysis is in :mod:`lessons.network` (metrics stored by data version) and :mod:`lessons.network_io` (files).
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
import streamlit as st

from components import charts
from components.auth import audience as reader_audience
from components.loaders import TTL
from components.network_tables import (
    MEANINGS,
    MEASURE_MEANINGS,
    MEASURES,
    actor_table,
    downloads,
    figure,
    meaning,
    measures_table,
    number,
    number_columns,
    percent,
    role_label,
    significant,
    ties_table,
    yes_no,
)
from components.widgets import PILOTS_PAGE, safe
from lessons import network, pilot_reads
from lessons.access import reading, writing
from lessons.i18n import N_, _, ngettext
from lessons.i18n import number as whole
from lessons.palette import CATEGORY_COLOURS
from lessons.queries import KIND_LABELS

LESSONS_PAGE = "pages/lessons.py"
SIZE_BY = {
    "degree": N_("Ties (degree)"),
    "betweenness": N_("Betweenness (brokerage)"),
    "closeness": N_("Closeness"),
    "pagerank": N_("PageRank"),
}
PERIOD_LABELS = {"end": N_("End of pilot"), "baseline": N_("Baseline"), "all": N_("Both periods")}
COLOUR_BY = {"sector": N_("Sector"), "community": N_("Community (Louvain)")}
#: The page's views (the link's ``view=`` keeps the English name; the control shows it translated).
VIEWS = {
    "Network": N_("Network"),
    "Change over time": N_("Change over time"),
    "Compare pilots": N_("Compare pilots"),
    "Across pilots": N_("Across pilots"),
}
#: Kept attributes (what the network file said of each actor) join the actor frame under this prefix.
KEPT = "kept:"
_HEX_COLOUR = r"#[0-9a-fA-F]{6}"


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_pilots(path: str, version: int, *, audience: str) -> pd.DataFrame:
    """Pilots ``audience`` may see, with their number of stakeholders and ties: slug, name, stakeholders, ties. A
    pilot's network is shown only when its pilot is listed here (the page offers no other)."""
    with reading(path, audience) as db:
        return pilot_reads.network_pilots(db)


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def load_relations(path: str, version: int, pilot: str) -> list[str]:
    with reading(path) as db:
        return network.relations(db, pilot)


@st.cache_resource(ttl=TTL, max_entries=16, show_spinner=False)
def load_analysis(path: str, version: int, pilot: str, relations: tuple, period: str):
    """The stored analysis of one pilot's network (computed and stored first when the network changed)."""
    with writing(path, or_read_only=True) as db:
        return network.analysis(db, pilot, relations=relations, period=period)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_attributes(path: str, version: int, pilot: str) -> pd.DataFrame:
    """What each actor kept from its network file: id and one column per attribute."""
    with reading(path) as db:
        return network.pilot_attributes(db, pilot)


def slug_name(path: str, version: int, pilot: str) -> str:
    """The pilot's name (its slug when unknown)."""
    pilots = load_pilots(path, version, audience=reader_audience(path))
    return str(dict(zip(pilots["slug"], pilots["name"])).get(pilot, pilot))


def with_kept(actors: pd.DataFrame, kept: pd.DataFrame) -> pd.DataFrame:
    """The actors with their kept attributes as columns ``kept:<name>`` (None where an actor has none)."""
    if kept.shape[1] <= 1:
        return actors
    return actors.merge(kept.rename(columns=lambda c: c if c == "id" else KEPT + c), on="id", how="left")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def _numeric(values: pd.Series) -> bool:
    present = values.dropna()
    return bool(len(present)) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present)


def file_layout(actors: pd.DataFrame) -> pd.DataFrame | None:
    """The positions the network file gave every actor (Gephi's ``viz:x``, ``viz:y``), scaled into the unit square
    with their proportions kept; None when an actor has none."""
    columns = [KEPT + "viz:x", KEPT + "viz:y"]
    if not all(c in actors and _numeric(actors[c]) and actors[c].notna().all() for c in columns):
        return None
    x, y = (pd.to_numeric(actors[c]) for c in columns)
    span = max(x.max() - x.min(), y.max() - y.min()) or 1.0
    return pd.DataFrame({"id": actors["id"], "x": (x - x.min()) / span, "y": (y - y.min()) / span})


def colour_choices(actors: pd.DataFrame) -> dict[str, str]:
    """What the actors can be coloured by: sector, community, and each kept attribute (value → label)."""
    kept = {
        c: _("{name} (from the file)").format(name=c.removeprefix(KEPT)) for c in actors.columns if c.startswith(KEPT)
    }
    return {**{k: _(v) for k, v in COLOUR_BY.items()}, **kept}


def size_choices(actors: pd.DataFrame) -> dict[str, str]:
    """What the actors can be sized by: the measures, and each kept attribute whose values are numbers."""
    kept = {
        c: _("{name} (from the file)").format(name=c.removeprefix(KEPT))
        for c in actors.columns
        if c.startswith(KEPT) and _numeric(actors[c])
    }
    return {**{k: _(v) for k, v in SIZE_BY.items()}, **kept}


def colour_column(nodes: pd.DataFrame, colour_by: str) -> tuple[pd.Series, str]:
    """The values to colour the actors by and how to read them: ``identity`` (the values are colours, as Gephi's
    ``viz:color``), ``quantitative`` (many different numbers) or ``nominal``."""
    values = nodes[colour_by] if colour_by != "sector" else nodes["sector_name"]
    present = values.dropna()
    if len(present) and present.map(lambda v: isinstance(v, str)).all() and present.str.fullmatch(_HEX_COLOUR).all():
        return values, "identity"
    if _numeric(values) and present.nunique() > 12:
        return pd.to_numeric(values), "quantitative"
    shown = values.map(lambda v: "—" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    if colour_by == "sector":
        shown = shown.map(lambda v: v if v == "—" else _(v))
    if colour_by == "community":
        shown = values.map(lambda v: _("none") if v == 0 else str(int(v)))
    return shown.astype(object), "nominal"


@st.cache_resource(ttl=TTL, max_entries=16, show_spinner=False)
def load_graph(path: str, version: int, pilot: str, relations: tuple, period: str):
    with reading(path) as db:
        return network.pilot_graph(db, pilot, relations=relations, period=period)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_change(path: str, version: int, pilot: str, relations: tuple) -> dict:
    with writing(path, or_read_only=True) as db:  # the two periods' analyses are stored when stale
        return network.change(db, pilot, relations=relations)


@st.cache_data(ttl=TTL, max_entries=4, show_spinner=False)
def load_compare(path: str, version: int, *, audience: str) -> pd.DataFrame:
    """Network measures of every pilot ``audience`` may see (each pilot's analysis is stored for all readers)."""
    with writing(path, or_read_only=True) as db:
        table = network.compare_pilots(db)
    seen = set(load_pilots(path, version, audience=audience)["slug"])
    return table[table["pilot"].isin(seen)].reset_index(drop=True)


@st.cache_data(ttl=TTL, max_entries=4, show_spinner=False)
def load_shared(path: str, version: int, *, audience: str) -> dict:
    with reading(path, audience) as db:
        return network.shared_organisations(db)


@st.cache_data(ttl=TTL, max_entries=128, show_spinner=False)
def load_actor_lessons(path: str, version: int, stakeholder_id: int, *, audience: str) -> pd.DataFrame:
    with reading(path, audience) as db:
        return network.actor_lessons(db, stakeholder_id)


def neighbourhood(graph, actor_id, steps: int) -> set:
    """The actor and everyone within ``steps`` ties of it (ties followed either way)."""
    if actor_id is None or actor_id not in graph:
        return set(graph.nodes)
    undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    return set(nx.single_source_shortest_path_length(undirected, actor_id, cutoff=steps))


def chart_frames(
    ties: pd.DataFrame, actors: pd.DataFrame, layout: pd.DataFrame, size_by: str, focus: set, selected=None
):
    """Nodes and edges with positions, sizes and focus flags, for :func:`charts.network_chart` (vectorised: a
    2,000-actor, 10,000-tie network takes milliseconds)."""
    nodes = actors.merge(layout, on="id", how="left")
    nodes["size"] = pd.to_numeric(nodes[size_by], errors="coerce").fillna(0)
    nodes["focus"] = nodes["id"].isin(focus)
    nodes["selected"] = nodes["id"] == selected
    if "role" not in nodes and "brokerage_role" in nodes:
        nodes["role"] = nodes["brokerage_role"]
    ties = ties[["source", "target", "relation", "weight"]]
    where = nodes[["id", "x", "y", "name"]]
    edges = ties.merge(where.rename(columns={"id": "source", "name": "source_name"}), on="source").merge(
        where.rename(columns={"id": "target", "x": "x2", "y": "y2", "name": "target_name"}), on="target"
    )
    edges["focus"] = edges["source"].isin(focus) & edges["target"].isin(focus)
    columns = ["x", "y", "x2", "y2", "source_name", "target_name", "relation", "weight", "focus"]
    return nodes, edges[columns]


#: Above this many actors the drawing shows the most central ones (a drawing of thousands is unreadable and slow).
MAX_DRAWN = 400


def drawn_actors(nodes: pd.DataFrame, size_by: str, selected) -> set | None:
    """The actors to draw when there are more than MAX_DRAWN: the focus (or everyone) ranked by the size measure,
    the selected actor always included; None when all can be drawn."""
    if len(nodes) <= MAX_DRAWN:
        return None
    pool = nodes[nodes["focus"]] if selected is not None else nodes
    ranked = pool.sort_values(["size", "id"], ascending=[False, True])["id"].head(MAX_DRAWN)
    return set(ranked) | ({selected} if selected is not None else set())


#: How many of the most central actors the drawing names (besides the focused and the highlighted actor).
LABELLED = 8
#: Zoom steps of the drawing: each doubles the scale; the wheel scrolls the page, the buttons zoom.
MAX_ZOOM = 3


def label_actors(nodes: pd.DataFrame, named: set, domain=None, width: int = 700, height: int = 560) -> pd.DataFrame:
    """The text written beside each actor and on which side (``label``, ``right_side``): the names of the actors in
    ``named`` (focused, highlighted) and of the LABELLED of highest ``size`` within view, placed greedily on a
    drawing of about ``width`` × ``height`` pixels so that no two overlap (one that cannot be placed is left to the
    tooltip, except the named), each on the side towards the middle when it can; empty for the rest."""
    if domain is None:
        pad = 1e-9
        domain = ((nodes["x"].min(), nodes["x"].max() + pad), (nodes["y"].min(), nodes["y"].max() + pad))
    (x0, x1), (y0, y1) = domain
    seen = nodes[nodes["x"].between(x0, x1) & nodes["y"].between(y0, y1)]
    ranked = seen.sort_values(["size", "name"], ascending=[False, True])
    order = [i for i in nodes.index if nodes.at[i, "id"] in named]
    order += [i for i in ranked.index[: LABELLED + 2] if i not in order]
    labels = pd.DataFrame({"label": "", "right_side": False}, index=nodes.index)
    boxes: list[tuple[float, float, float, float]] = []
    placed = 0
    for i in order:
        must = nodes.at[i, "id"] in named
        if placed >= LABELLED and not must:
            break
        name = str(nodes.at[i, "name"])
        px = (float(nodes.at[i, "x"]) - x0) / ((x1 - x0) or 1) * width
        py = (float(nodes.at[i, "y"]) - y0) / ((y1 - y0) or 1) * height
        text = min(len(name) * 6.6, charts.LABEL_LIMIT) + (24 if must else 11)
        sides = [(False, (px, px + text)), (True, (px - text, px))]
        if px > width / 2:  # towards the middle: a name stays within the drawing even at a phone's width
            sides.reverse()
        for right_side, (left, right) in sides:
            box = (left, right, py - 8, py + 8)
            inside = left >= 0 and right <= width
            free = inside and all(box[1] < b[0] or box[0] > b[1] or box[3] < b[2] or box[2] > b[3] for b in boxes)
            if free or (must and right_side == sides[-1][0]):
                boxes.append(box)
                labels.loc[i] = [name, right_side]
                placed += not must
                break
    return labels


def zoom_domain(nodes: pd.DataFrame, level: int, centre_id=None):
    """The part of the drawing shown at zoom ``level`` (0: all, each level halves the span), centred on the actor
    ``centre_id`` if drawn (in the middle of the view, even when it is at the drawing's edge), else on the middle;
    None at level 0."""
    if level <= 0 or nodes.empty:
        return None
    x, y = nodes["x"].astype(float), nodes["y"].astype(float)
    pad = 0.03
    spans = [(x.min() - pad, x.max() + pad), (y.min() - pad, y.max() + pad)]
    chosen = nodes[nodes["id"] == centre_id] if centre_id is not None else nodes.iloc[0:0]
    centre = (float(chosen["x"].iloc[0]), float(chosen["y"].iloc[0])) if len(chosen) else None
    domain = []
    for axis, (low, high) in enumerate(spans):
        half = (high - low) / 2 ** (level + 1)
        middle = centre[axis] if centre else (low + high) / 2  # the found actor in the middle, even at an edge
        domain.append((round(middle - half, 6), round(middle + half, 6)))
    return tuple(domain)


def _zoom(step: int) -> None:
    """Zoom the drawing in (+1), out (−1) or back to all of it (0)."""
    level = int(st.session_state.get("networks_zoom") or 0)
    st.session_state["networks_zoom"] = 0 if step == 0 else min(max(level + step, 0), MAX_ZOOM)


def zoom_controls(found: str | None, zoom_in, zoom_out, reset) -> int:
    """The zoom buttons in three columns (keyboard-usable, unlike a mouse wheel) and a line saying what is shown;
    returns the zoom level."""
    level = int(st.session_state.get("networks_zoom") or 0)
    zoom_in.button(_("Zoom in"), icon=":material/zoom_in:", key="networks_zoom_in", on_click=_zoom, args=(1,),
                   disabled=level >= MAX_ZOOM, width="stretch")  # fmt: skip
    zoom_out.button(_("Zoom out"), icon=":material/zoom_out:", key="networks_zoom_out", on_click=_zoom, args=(-1,),
                    disabled=level <= 0, width="stretch")  # fmt: skip
    reset.button(_("Show all"), icon=":material/fit_screen:", key="networks_zoom_reset", on_click=_zoom, args=(0,),
                 disabled=level <= 0, width="stretch")  # fmt: skip
    if level:
        if found:
            st.caption(_("Zoomed ×{times}, centred on {actor}.").format(times=2**level, actor=safe(found)))
        else:
            st.caption(_("Zoomed ×{times}, on the middle.").format(times=2**level))
    elif found:
        st.caption(_("The whole network. Zoom in to look closer around {actor}.").format(actor=safe(found)))
    else:
        st.caption(_("The whole network. Zoom in to look closer."))
    return level


def lesson_link(row) -> None:
    st.page_link(
        LESSONS_PAGE, label=safe(row.title), query_params={"lesson": str(int(row.id))}, icon=":material/article:"
    )
    st.caption(f"{_(KIND_LABELS.get(row.kind, row.kind))} · {safe(getattr(row, 'pilot_name', ''))}")


# --- Sections ---------------------------------------------------------------------------------------------------


def network_controls(path: str, version: int, slugs: dict, *, change: bool) -> str:
    """Pilot, tie types and (unless comparing periods) the period; returns the chosen pilot."""
    left, middle, right = st.columns([3, 3, 3])
    pilot = left.selectbox(_("Pilot"), list(slugs), format_func=slugs.get, key="networks_pilot")
    relations = load_relations(path, version, pilot)
    kept = [r for r in st.session_state.get("networks_relations") or [] if r in relations]
    st.session_state["networks_relations"] = kept
    middle.multiselect(
        _("Tie types"),
        relations,
        format_func={r: _(r) for r in relations}.get,  # labels made now, in the reader's language
        key="networks_relations",
        placeholder=_("All tie types"),
        help=_("Leave empty for all"),
    )
    if not change:
        right.segmented_control(
            _("Period"),
            list(PERIOD_LABELS),
            format_func={p: _(label) for p, label in PERIOD_LABELS.items()}.get,
            key="networks_period",
            width="stretch",
        )
    return pilot


def _choice() -> tuple[tuple, str]:
    relations = tuple(sorted(st.session_state.get("networks_relations") or ()))
    return relations, st.session_state.get("networks_period") or "end"


def _take_actor() -> None:
    """Copy a click on an actor into the focus chooser (runs before the page, so it may set it)."""
    state = st.session_state.get("networks_chart") or {}
    chosen = (state.get("selection") or {}).get("actor") or []
    st.session_state["networks_actor"] = chosen[0].get("key") if chosen else None


def density_words(density) -> str:
    """Density in words: about one pair of actors in N works together."""
    if density is None or pd.isna(density) or density <= 0:
        return _("No two actors work together.")
    if density >= 0.5:
        return _("About {share} of all pairs of actors work together.").format(share=percent(density))
    return _("About one pair of actors in {n} works together.").format(n=whole(round(1 / density)))


def ei_words(ei) -> str:
    """The E-I index in words: whether ties stay within sectors or cross them."""
    if ei is None or pd.isna(ei):
        return _("Unknown: the actors' sectors are not given.")
    if ei <= -0.33:
        return _("Most ties stay within a sector.")
    if ei >= 0.33:
        return _("Most ties cross from one sector to another.")
    return _("Ties are split between within and across sectors.")


def plain_lines(metrics: dict) -> list[str]:
    """What each headline measure means, in a policy-maker's words, with this network's figure read out."""
    return [
        _(MEANINGS["nodes"]),
        _(MEANINGS["ties"]),
        _("{words} (0: nobody works with anybody; 1: everybody with everybody.)").format(
            words=density_words(metrics.get("density"))
        ),
        _(MEANINGS["communities"]),
        _("{words} (−1: every tie within a sector; +1: every tie across.)").format(
            words=ei_words(metrics.get("ei_index"))
        ),
    ]


def summary(metrics: dict, actors: pd.DataFrame) -> None:
    """Headline measures and three plain sentences: brokers, citizens tied in, hard-to-reach groups."""
    cols = st.columns(5)
    cols[0].metric(_("Actors"), whole(metrics["nodes"]))
    cols[1].metric(_("Ties"), whole(metrics["ties"]))
    cols[2].metric(_("Density"), significant(metrics.get("density")), help=_("Share of all possible ties that exist"))
    communities = metrics.get("communities")
    cols[3].metric(
        _("Communities"),
        "—" if communities is None else whole(communities),
        help=_("Groups more tied among themselves (Louvain, seeded)"),
    )
    cols[4].metric(
        _("E-I index"),
        number(metrics.get("ei_index")),
        help=_("Ties across sectors minus ties within, over all ties: −1 all within sectors, +1 all across"),
    )
    for col, line in zip(cols, plain_lines(metrics)):
        col.caption(line)
    brokers = actors.sort_values(["betweenness", "name"], ascending=[False, True]).head(3)
    brokers = brokers[brokers["betweenness"] > 0]
    lines = []
    if not brokers.empty:
        names = ", ".join(f"{safe(r.name)} ({safe(_(r.sector_name))})" for r in brokers.itertuples())
        lines.append(_("**Brokers** (most often on the shortest paths between others): {names}.").format(names=names))
    else:
        lines.append(_("**Brokers**: no actor lies between others — every actor is tied directly or not at all."))
    citizens = metrics.get("citizens_tied_to_public")
    n_citizens = int((actors["sector"] == "citizens").sum()) if "sector" in actors else 0
    if n_citizens:
        lines.append(
            ngettext(
                "**Citizens tied in**: {share} of the {n} citizen or service-user actor has a direct tie to a "
                "public-sector actor.",
                "**Citizens tied in**: {share} of the {n} citizen or service-user actors have a direct tie to a "
                "public-sector actor.",
                n_citizens,
            ).format(share=percent(citizens), n=whole(n_citizens))
        )
    else:
        lines.append(_("**Citizens tied in**: the network names no citizen or service-user actors."))
    if metrics.get("hard_to_reach_actors"):
        distance = metrics.get("hard_to_reach_distance_to_public")
        hard = int(metrics["hard_to_reach_actors"])
        share = percent(metrics.get("hard_to_reach_tied_to_public"))
        if distance is not None:
            line = ngettext(
                "**Hard-to-reach groups**: {n} actor; {share} of them are tied directly to the public sector, on "
                "average {steps} steps away.",
                "**Hard-to-reach groups**: {n} actors; {share} of them are tied directly to the public sector, on "
                "average {steps} steps away.",
                hard,
            ).format(n=whole(hard), share=share, steps=number(distance, 1))
        else:
            line = ngettext(
                "**Hard-to-reach groups**: {n} actor; {share} of them are tied directly to the public sector.",
                "**Hard-to-reach groups**: {n} actors; {share} of them are tied directly to the public sector.",
                hard,
            ).format(n=whole(hard), share=share)
        lines.append(line)
    else:
        lines.append(_("**Hard-to-reach groups**: no actor is marked as hard to reach."))
    st.markdown("\n\n".join(lines))


def network_section(path: str, version: int, pilot: str) -> None:
    relations, period = _choice()
    with st.spinner(_("Working out the network's measures; this happens once after each change…")):
        result = load_analysis(path, version, pilot, relations, period)
        graph = load_graph(path, version, pilot, relations, period)
    metrics, actors = result.metrics, result.actors
    if not metrics.get("nodes"):
        st.info(_("This pilot has no stakeholders with the chosen tie types and period."))
        return
    st.page_link(
        PILOTS_PAGE,
        label=_("About this pilot: {pilot}").format(pilot=safe(slug_name(path, version, pilot))),
        query_params={"pilot": pilot},
        icon=":material/place:",
    )
    summary(metrics, actors)
    actors = with_kept(actors, load_attributes(path, version, pilot))
    names = dict(zip(actors["key"], actors["name"]))
    if st.session_state.get("networks_actor") not in names:
        st.session_state["networks_actor"] = None
    colours, sizes = colour_choices(actors), size_choices(actors)
    for key, choices, default in (("networks_colour", colours, "sector"), ("networks_size", sizes, "degree")):
        if st.session_state.get(key) not in choices:
            st.session_state[key] = default
    left, colour_box, middle, right = st.columns([2, 2, 3, 2])
    size_by = left.selectbox(_("Size actors by"), list(sizes), format_func=sizes.get, key="networks_size")
    colour_by = colour_box.selectbox(
        _("Colour actors by"),
        list(colours),
        format_func=colours.get,
        key="networks_colour",
        help=_("Sector, community, or what the network file said of each actor (e.g. Gephi's own colours)"),
    )
    actor = middle.selectbox(
        _("Focus on an actor"),
        list(names),
        format_func=names.get,
        index=None,
        key="networks_actor",
        placeholder=_("Click an actor, or choose one"),
    )
    steps = right.slider(_("Steps from the actor"), 1, 3, key="networks_steps", disabled=actor is None)
    size_meaning = _(MEANINGS[size_by]) if size_by in MEANINGS else _("what the network file said of each actor.")
    st.caption(f"**{sizes[size_by]}**: {size_meaning}")
    if st.session_state.get("networks_find") not in names:
        st.session_state["networks_find"] = None
    if st.session_state.get("networks_zoom_pilot") != pilot:  # another pilot's drawing starts whole
        st.session_state["networks_zoom_pilot"], st.session_state["networks_zoom"] = pilot, 0
    find_col, *zoom_cols = st.columns([3, 1.2, 1.2, 1.2], vertical_alignment="bottom")
    found = find_col.selectbox(
        _("Find an actor"),
        list(names),
        format_func=names.get,
        index=None,
        key="networks_find",
        placeholder=_("Type a name to highlight it"),
        help=_("Rings the actor in the drawing and names it; the zoom centres on it"),
    )
    level = zoom_controls(names.get(found or actor), *zoom_cols)
    positions = result.layout
    placed = file_layout(actors)
    if placed is not None and st.toggle(
        _("Place the actors as the file does"),
        key="networks_file_layout",
        help=_("The positions the file gives (viz:x, viz:y)"),
    ):
        positions = placed
    ids = dict(zip(actors["key"], actors["id"]))
    focus = neighbourhood(graph, ids.get(actor), int(steps))
    nodes, edges = chart_frames(result.edges, actors, positions, size_by, focus, ids.get(actor))
    nodes["colour"], colour_kind = colour_column(nodes, colour_by)
    nodes["highlight"] = nodes["id"] == ids.get(found)
    drawn = drawn_actors(nodes, size_by, ids.get(actor))
    if drawn is not None:
        nodes = nodes[nodes["id"].isin(drawn | ({ids[found]} if found else set()))]
        edges = edges[edges["source_name"].isin(nodes["name"]) & edges["target_name"].isin(nodes["name"])]
    domain = zoom_domain(nodes, level, ids.get(found or actor))
    named = {ids[k] for k in (actor, found) if k}
    nodes[["label", "right_side"]] = label_actors(nodes, named, domain)
    title = [_("Stakeholder network of"), slug_name(path, version, pilot)]  # two lines: whole on a phone too
    counts = dict(actors=whole(len(nodes)), ties=whole(len(edges)), measure=sizes[size_by].lower(), named=LABELLED)
    if found:
        description = _(
            "{actors} actors and {ties} ties, sized by {measure}; the {named} highest are named; {actor} is "
            "highlighted; every actor and tie is in the tables below."
        ).format(actor=names[found], **counts)
    else:
        description = _(
            "{actors} actors and {ties} ties, sized by {measure}; the {named} highest are named; every actor and tie "
            "is in the tables below."
        ).format(**counts)
    st.altair_chart(
        charts.network_chart(
            nodes.drop(columns=[c for c in nodes.columns if c.startswith(KEPT)]),
            edges,
            size_title=sizes[size_by],
            colour_title=None if colour_by == "sector" else colours[colour_by],
            colour_kind=colour_kind,
            domain=domain,
            title=title,
            description=description,
        ),
        key="networks_chart",
        on_select=_take_actor,
        selection_mode="actor",
    )
    notes = [
        _(
            "Larger marks: more {measure}; the {named} highest in view are named. Lines are ties (thicker: heavier); "
            "direction and tie type are in the tables and tooltips. Click an actor to focus on it."
        ).format(measure=sizes[size_by].lower(), named=LABELLED)
    ]
    if colour_kind == "nominal" and colour_by != "sector" and nodes["colour"].nunique() > len(CATEGORY_COLOURS):
        notes.append(
            _("More than {n} values: colours repeat; the tooltip gives each actor's.").format(n=len(CATEGORY_COLOURS))
        )
    if drawn is not None:
        shown_counts = dict(shown=whole(len(nodes)), total=whole(len(actors)), measure=sizes[size_by].lower())
        if actor:
            note = _(
                "The drawing shows {shown} of {total} actors — the {measure} leaders in the chosen actor's "
                "neighbourhood — and the ties among them; every actor is in the table below and in the downloads."
            )
        else:
            note = _(
                "The drawing shows {shown} of {total} actors — those with the highest {measure} — and the ties among "
                "them; every actor is in the table below and in the downloads."
            )
        notes.append(note.format(**shown_counts))
    if getattr(result, "approximate", False):
        notes.append(
            _("Betweenness is estimated from a sample of actors (the network has more than {n} actors).").format(
                n=whole(5000)
            )
        )
    st.caption(" ".join(notes))
    if actor:
        actor_panel(path, version, actors.set_index("key").loc[actor], graph, focus)
    with st.expander(_("Every actor and its measures (sortable)")):
        actor_table(actors)
    with st.expander(_("Every tie (table)")):
        ties_table(result.edges, actors)
    with st.expander(_("Network measures")):
        measures_table(metrics, dict(zip(actors["sector"], actors["sector_name"])) if "sector" in actors else None)
    downloads(path, pilot, relations, period)


def actor_panel(path: str, version: int, actor: pd.Series, graph, focus: set) -> None:
    st.subheader(safe(actor["name"]), anchor=False)
    details = [safe(_(actor["sector_name"])) if isinstance(actor["sector_name"], str) else "—"]
    if bool(actor.get("hard_to_reach")):
        details.append(_("hard to reach"))
    for field in ("organisation", "role"):
        if isinstance(actor.get(field), str) and actor.get(field):
            details.append(safe(actor[field]))
    st.caption(" · ".join(details))
    kept = {c.removeprefix(KEPT): actor[c] for c in actor.index if c.startswith(KEPT) and not _missing(actor[c])}
    if kept:
        facts = " · ".join(f"{safe(name)} {safe(str(value))}" for name, value in kept.items())
        st.caption(_("From the file: {facts}").format(facts=facts))
    cols = st.columns(4)
    others = len(focus) - 1
    cols[0].metric(_("Ties"), whole(int(actor["degree"])))
    cols[1].metric(_("Betweenness"), number(actor.get("betweenness"), 3), help=_(MEANINGS["betweenness"]))
    cols[2].metric(_("Closeness"), number(actor.get("closeness"), 3), help=_(MEANINGS["closeness"]))
    cols[3].metric(_("In the focus"), ngettext("{n} other", "{n} others", others).format(n=whole(others)))
    for col, line in zip(cols, (_(MEANINGS["degree"]), _(MEANINGS["betweenness"]), _(MEANINGS["closeness"]),
                                _("Actors within the chosen number of steps."))):  # fmt: skip
        col.caption(line)
    role = actor.get("brokerage_role") or actor.get("role")
    if isinstance(role, str) and role:
        st.write(_("Brokerage role: {role}.").format(role=safe(role_label(role))))
        st.caption(_(MEANINGS["brokerage_role"]))
    lessons = load_actor_lessons(path, version, int(actor["id"]), audience=reader_audience(path))
    st.markdown("**" + _("Lessons that concern {actor}").format(actor=safe(actor["name"])) + "**")
    if lessons.empty:
        st.caption(_("No lesson names this actor."))
    for row in lessons.itertuples():
        lesson_link(row)


CHANGE_COLUMNS = {"metric": N_("Measure"), "baseline": N_("Baseline"), "end": N_("End"), "change": N_("Change")}
TIE_COLUMNS = {
    "source": N_("From"),
    "target": N_("To"),
    "relation": N_("Tie type"),
    "directed": N_("Directed"),
    "weight": N_("Weight"),
}
ACTOR_CHANGE = {
    "name": N_("Actor"),
    "sector_name": N_("Sector"),
    "status": N_("Baseline → end"),
    "degree_baseline": N_("Ties at baseline"),
    "degree_end": N_("Ties at end"),
    "degree_change": N_("Change in ties"),
    "betweenness_baseline": N_("Betweenness at baseline"),
    "betweenness_end": N_("Betweenness at end"),
}
#: An actor's place from baseline to end, as the change table shows it.
ACTOR_STATUSES = {"joined": N_("joined"), "left": N_("left"), "stayed": N_("stayed")}


def translated(columns: dict[str, str]) -> dict[str, str]:
    """Column headers in the reader's language (a table's columns keep their English codes)."""
    return {code: _(label) for code, label in columns.items()}


def small_network(path: str, version: int, pilot: str, relations: tuple, period: str, *, key: str) -> dict:
    """One period's network drawn small, on the pilot's stable layout (so two periods can be compared by eye)."""
    result = load_analysis(path, version, pilot, relations, period)
    if not result.metrics.get("nodes"):
        st.info(_("No ties in this period."))
        return result.metrics
    nodes, edges = chart_frames(result.edges, result.actors, result.layout, "degree", set(result.actors["id"]))
    nodes = nodes[nodes["degree"] > 0].copy()
    nodes[["label", "right_side"]] = label_actors(nodes, set(), width=450, height=380)
    description = _(
        "{period}: {actors} actors with ties and {ties} ties, sized by their number of ties; the {named} most tied "
        "are named; the tables below list the ties added and removed."
    ).format(period=_(PERIOD_LABELS[period]), actors=whole(len(nodes)), ties=whole(len(edges)), named=LABELLED)
    st.altair_chart(
        charts.network_chart(nodes, edges, size_title=_("Ties"), height=380, unit_square=True,
                             title=_(PERIOD_LABELS[period]), description=description),
        key=key,
    )  # fmt: skip
    return result.metrics


def change_section(path: str, version: int, pilot: str) -> None:
    relations, _period = _choice()
    change = load_change(path, version, pilot, relations)
    actors = change["actors"]
    joined, left = int((actors["status"] == "joined").sum()), int((actors["status"] == "left").sum())
    added, removed = len(change["ties_added"]), len(change["ties_removed"])
    st.markdown(
        " ".join(
            [
                ngettext(
                    "From baseline to the end of the pilot **{n} tie was added** and **{removed} removed**;",
                    "From baseline to the end of the pilot **{n} ties were added** and **{removed} removed**;",
                    added,
                ).format(n=whole(added), removed=whole(removed)),
                ngettext(
                    "{joined} actor joined the network and {left} left it.",
                    "{joined} actors joined the network and {left} left it.",
                    joined,
                ).format(joined=whole(joined), left=whole(left)),
                _("Actors stay in the same place in both drawings; actors without ties are left out."),
            ]
        )
    )
    columns = st.columns(2)
    for column, period in zip(columns, ("baseline", "end")):
        with column:
            small_network(path, version, pilot, relations, period, key=f"networks_change_{period}")
    table = change["metrics"].copy()
    table["meaning"] = table["metric"].map(meaning)
    table["metric"] = table["metric"].map(lambda m: _(MEASURES[m]) if m in MEASURES else m)
    for column in ("baseline", "end", "change"):  # figures with the reader's marks (the rows are measures: no sort)
        table[column] = table[column].map(figure)
    st.dataframe(
        table.rename(columns=translated(CHANGE_COLUMNS) | {"meaning": _("What it means")}),
        hide_index=True,
        width="stretch",
    )
    left_col, right_col = st.columns(2)
    for column, heading, ties in ((left_col, N_("Ties added"), "ties_added"),
                                  (right_col, N_("Ties removed"), "ties_removed")):  # fmt: skip
        with column:
            shown_ties = change[ties][list(TIE_COLUMNS)].copy()
            shown_ties["relation"] = shown_ties["relation"].map(lambda v: _(v) if isinstance(v, str) and v else v)
            shown_ties["directed"] = shown_ties["directed"].map(yes_no)
            st.markdown(f"**{_(heading)}** ({whole(len(shown_ties))})")
            st.dataframe(shown_ties.rename(columns=translated(TIE_COLUMNS)), hide_index=True)
    with st.expander(_("Each actor, baseline against end")):
        shown = [c for c in ACTOR_CHANGE if c in actors]
        table = actors[shown].copy()
        if "status" in table:
            table["status"] = table["status"].map(lambda v: _(ACTOR_STATUSES[v]) if v in ACTOR_STATUSES else v)
        if "sector_name" in table:
            table["sector_name"] = table["sector_name"].map(lambda v: _(v) if isinstance(v, str) and v else v)
        st.dataframe(table.rename(columns=translated(ACTOR_CHANGE)), hide_index=True, width="stretch")


COMPARED = ["nodes", "density", "ei_index", "citizens_tied_to_public", "betweenness_centralisation",
            "average_path_length"]  # fmt: skip


def compare_section(path: str, version: int) -> None:
    table = load_compare(path, version, audience=reader_audience(path))
    st.subheader(_("Network measures of every pilot"), anchor=False)
    st.caption(_("Each pilot's network at the end of the pilot, all tie types. Click a column heading to sort."))
    long = table.melt(id_vars=["pilot_name"], value_vars=[c for c in COMPARED if c in table], var_name="measure")
    long["measure"] = long["measure"].map(lambda m: _(MEASURES[m]))
    long = long.dropna(subset=["value"])
    row = st.container(horizontal=True, gap="medium")  # wraps: three abreast on a desktop, one a line on a phone
    for measure, rows in long.groupby("measure", sort=False):
        row.altair_chart(charts.measure_bars_chart(rows, measure), width=320)
    st.caption(
        " ".join(f"**{_(MEASURES[m])}**: {meaning(m)}" for m in COMPARED if m in table and m in MEASURE_MEANINGS)
    )
    shown = ["pilot_name", *[c for c in MEASURES if c in table]]
    headers = {"pilot_name": _("Pilot"), **translated(MEASURES)}
    compared = table[shown].rename(columns=headers)
    st.dataframe(compared, hide_index=True, width="stretch", column_config=number_columns(compared))


def shared_section(path: str, version: int) -> None:
    shared = load_shared(path, version, audience=reader_audience(path))
    st.subheader(_("Organisations active in several pilots"), anchor=False)
    orgs, links = shared["organisations"], shared["links"]
    if orgs.empty:
        st.info(_("No organisation takes part in more than one pilot."))
        return
    st.caption(
        _(
            "Each organisation is linked to the others it met in a pilot; thicker lines: more pilots shared. "
            "Larger marks: active in more pilots."
        )
    )
    graph = network.graph_from_edges(
        links.rename(columns={"pilots": "weight"})[["source", "target", "weight"]], orgs[["id"]]
    )
    nodes = orgs.merge(network.layout(graph), on="id")
    linked = dict(graph.degree)
    nodes = nodes.assign(key=nodes["id"].astype(str), size=nodes["pilots"], focus=True, degree=nodes["id"].map(linked))
    xy = nodes.set_index("id")
    edges = pd.DataFrame(
        {
            "x": xy.loc[links["source"], "x"].to_numpy(), "y": xy.loc[links["source"], "y"].to_numpy(),
            "x2": xy.loc[links["target"], "x"].to_numpy(), "y2": xy.loc[links["target"], "y"].to_numpy(),
            "source_name": links["source_name"], "target_name": links["target_name"],
            "relation": links["pilot_names"], "weight": links["pilots"], "focus": True,
        }
    )  # fmt: skip
    nodes[["label", "right_side"]] = label_actors(nodes, set(), height=420)
    title = _("Organisations linked through shared pilots")
    description = _(
        "{n} organisations active in several pilots, linked when they met in a pilot; the {named} active in most "
        "pilots are named; the table below lists them."
    ).format(n=whole(len(nodes)), named=LABELLED)
    st.altair_chart(
        charts.network_chart(nodes, edges, size_title=_("Pilots"), height=420, title=title, description=description),
        key="networks_shared_chart",
    )
    organisations = orgs[["name", "sector_name", "pilots", "pilot_names"]].copy()
    organisations["sector_name"] = organisations["sector_name"].map(lambda v: _(v) if isinstance(v, str) and v else v)
    st.dataframe(
        organisations.rename(
            columns={
                "name": _("Organisation"),
                "sector_name": _("Sector"),
                "pilots": _("Pilots"),
                "pilot_names": _("Pilot names"),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    with st.expander(_("Every pair of organisations and the pilots they share")):
        st.dataframe(
            links[["source_name", "target_name", "pilots", "pilot_names"]].rename(
                columns={
                    "source_name": _("Organisation"),
                    "target_name": _("Organisation") + " ",
                    "pilots": _("Pilots shared"),
                    "pilot_names": _("Pilot names"),
                }  # fmt: skip
            ),
            hide_index=True,
            width="stretch",
        )
