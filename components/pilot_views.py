"""Pilots: the map and list of every pilot, and one pilot's page (``/pilots?pilot=SLUG``) with its case.

The case is read by :mod:`lessons.pilot_case`, places by :mod:`lessons.geo` (boundaries shipped with the app: the
map fetches nothing); what recurs comes from the *What recurs* analyses (:mod:`components.synthesis_views`) and the
network at a glance from the stored network analysis (:mod:`components.network_views`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import charts, loaders
from components import network_views as networks
from components import synthesis_views as synthesis
from components.auth import audience as reader_audience
from components.loaders import TTL
from components.widgets import NO_VALUE, pilot_share, readable, safe
from lessons import geo, pilot_case, pilot_reads
from lessons.access import reading
from lessons.queries import KIND_LABELS, STATUS_LABELS, VALIDATED_STATUSES

PILOTS_PAGE = "pages/pilots.py"
LESSONS_PAGE = "pages/lessons.py"
NETWORKS_PAGE = "pages/networks.py"
RECURS_PAGE = "pages/recurs.py"
#: The similarity (0–1) at which lessons form a group: the What recurs page's default.
GROUP_SIMILARITY = 0.2
#: The session-state key of the chosen pilot (the ``pilot`` query parameter).
CHOSEN = "pilots_pilot"


# --- Loaders ----------------------------------------------------------------------------------------------------------


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_places(path: str, version: int, audience: str) -> dict:
    """Every pilot ``audience`` may see with its place on the map, the box the map shows and the boundaries within
    it."""
    pilots = loaders.load_overview(path, version, audience=audience)["pilots"]
    with reading(path, audience) as db:
        pilots = pilots.merge(pilot_reads.pilot_places(db), on="slug", how="left")
    placed = geo.place_pilots(pilots)
    box = geo.extent(placed)
    return {"pilots": placed, "box": box, "countries": geo.countries_within(box)}


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_case(path: str, version: int, slug: str, audience: str) -> dict | None:
    """One pilot's case (None for an unknown slug, or one ``audience`` may not see), its workshops and how it
    compares with the rest (of what ``audience`` sees)."""
    with reading(path, audience) as db:
        case = pilot_case.pilot_case(db, slug)
        if case is None:
            return None
        case["workshops"] = pilot_case.pilot_workshops(db, slug)
        case["against"] = pilot_case.against_the_rest(db, slug)
    return case


# --- The list and the map ---------------------------------------------------------------------------------------------


def _take_pilot() -> None:
    """Open the pilot a click on the map chose (runs before the page, so it may set the chooser's state)."""
    key = f"pilots_map_{st.session_state.get('pilots_visits', 0)}"
    chosen = ((st.session_state.get(key) or {}).get("selection") or {}).get("pilot") or []
    if chosen and chosen[0].get("slug"):
        st.session_state[CHOSEN] = chosen[0]["slug"]
        st.session_state["pilots_visits"] = st.session_state.get("pilots_visits", 0) + 1  # a fresh map next time


def pilot_caption(row) -> str:
    """A pilot's place and counts in one escaped line, e.g. "Porto, Portugal · 12 lessons, 3 validated"."""
    place = ", ".join(safe(v) for v in (row.city, row.country_name) if isinstance(v, str) and v)
    return f"{place} · {row.lessons:,} lessons, {row.validated:,} validated"


def pilots_section(path: str, version: int) -> None:
    """The map of pilots, the list beside it (each a link to the pilot's page) and the table behind the map."""
    places = load_places(path, version, reader_audience(path))
    pilots = places["pilots"]
    if pilots.empty:
        st.info("The store holds no pilots yet. Load the demo with `python -m lessons demo` or upload a pilot summary.")
        return
    left, right = st.columns([2, 1], gap="large")
    with left:
        st.altair_chart(
            charts.pilot_map_chart(places["countries"], pilots, places["box"]),
            key=f"pilots_map_{st.session_state.get('pilots_visits', 0)}",
            on_select=_take_pilot,
            selection_mode="pilot",
            width="stretch",
        )
        st.caption(
            f"Click a dot to open its pilot (or use the list). {geo.LICENCE} Pilots without coordinates of their own "
            "are placed at their country's centre; the map is drawn here and fetches nothing."
        )
    with right:
        st.subheader(f"{len(pilots):,} pilots", anchor=False)
        for row in pilots.sort_values("name").itertuples():
            st.page_link(PILOTS_PAGE, label=safe(row.name), query_params={"pilot": row.slug}, icon=":material/place:")
            st.caption(pilot_caption(row))
    with st.expander("The pilots as a table"):
        table = pilots.assign(
            placed=pilots["placed_by"]
            .map({"coordinates": "Own coordinates", "country": "Country centre"})
            .fillna("Not placed"),
            page="pilots?pilot=" + pilots["slug"],
        )
        columns = {
            "name": "Pilot",
            "city": "City",
            "country_name": "Country",
            "methodology": "Methodology",
            "lessons": "Lessons",
            "validated": "Validated",
            "placed": "Placed at",
            "page": "Pilot page",
        }
        st.dataframe(
            readable(table, columns),
            hide_index=True,
            width="stretch",
            column_config={"Pilot page": st.column_config.LinkColumn("Pilot page", display_text="Open")},
        )


# --- One pilot --------------------------------------------------------------------------------------------------------


def _back() -> None:
    st.session_state[CHOSEN] = ""


def _facts(facts: dict) -> pd.DataFrame:
    country = loaders.country_name(facts.get("country") or "")
    dates = " to ".join(v for v in (facts.get("start_date"), facts.get("end_date")) if v)
    rows = {
        "Place": ", ".join(v for v in (facts.get("city"), facts.get("region"), country) if v),
        "Service area": facts.get("service_area"),
        "Target groups": facts.get("target_groups"),
        "Methodology": facts.get("methodology_name") or facts.get("methodology"),
        "Dates": dates,
        "Lead organisation": facts.get("lead_organisation"),
        "Project": facts.get("project"),
    }
    return pd.DataFrame({"Fact": list(rows), "Value": [safe(v) or NO_VALUE for v in rows.values()]}).set_index("Fact")


def header(path: str, version: int, case: dict) -> None:
    """The pilot's name, summary and facts, its link and citation, and the way to its lessons."""
    facts = case["facts"]
    st.button("All pilots", icon=":material/arrow_back:", key="pilots_back", on_click=_back, type="tertiary")
    st.title(safe(facts["name"]), anchor=False)
    if facts.get("summary"):
        st.markdown(safe(facts["summary"]))
    st.table(_facts(facts))
    lessons = case["lessons"]
    st.page_link(
        LESSONS_PAGE,
        label=f"Read its {len(lessons):,} lessons on the Lessons page (to search, filter or download them)",
        query_params={"pilot": facts["slug"]},
        icon=":material/menu_book:",
    )
    pilot_share(loaders.load_facets(path, version, audience=reader_audience(path)), [facts["slug"]], page="pilots")


def methodology_section(case: dict) -> None:
    """The co-creation methodology the pilot followed and its steps, each mapped to a shared phase."""
    facts = case["facts"]
    st.header("Methodology and its steps", anchor=False)
    if not facts.get("methodology"):
        st.caption("The pilot has not named the methodology it followed.")
        return
    st.markdown(f"**{safe(facts.get('methodology_name') or facts['methodology'])}**")
    if facts.get("methodology_description"):
        st.markdown(safe(facts["methodology_description"]))
    steps = case["steps"]
    if steps.empty:
        st.caption("No steps of this methodology are recorded.")
        return
    table = steps.rename(
        columns={"position": "Step", "name": "Name", "phase_name": "Shared phase", "description": "What it does"}
    )
    st.table(table.map(lambda v: safe(v) or NO_VALUE if isinstance(v, str) or v is None else v), hide_index=True)


def partners_section(path: str, case: dict) -> None:
    """The lead organisation and partners (the pilot's stakeholders by sector), and its network at a glance."""
    facts = case["facts"]
    st.header("Partners and stakeholder network", anchor=False)
    if facts.get("lead_organisation"):
        st.markdown(f"**Lead organisation:** {safe(facts['lead_organisation'])}")
    partners = case["partners"]
    if partners.empty:
        st.caption("The store holds no stakeholder of this pilot.")
        return
    counts = ", ".join(
        f"{n} {safe(s).lower()}" for s, n in zip(case["sectors"]["sector_name"], case["sectors"]["stakeholders"])
    )
    st.markdown(f"**{len(partners):,} stakeholders**: {counts}.")
    nversion = loaders.data_version(path, "network")
    result = networks.load_analysis(path, nversion, facts["slug"], (), "end")
    if result.metrics.get("nodes"):
        st.caption("The network at the end of the pilot, every relation:")
        networks.summary(result.metrics, result.actors)
    st.page_link(
        NETWORKS_PAGE,
        label="Explore this pilot's stakeholder network",
        query_params={"pilot": facts["slug"]},
        icon=":material/share:",
    )
    with st.expander(f"Every stakeholder ({len(partners):,})"):
        table = partners.assign(hard_to_reach=partners["hard_to_reach"].map({1: "Yes"}).fillna(""))
        st.dataframe(
            readable(
                table,
                {
                    "name": "Stakeholder",
                    "sector_name": "Sector",
                    "role": "Role in the pilot",
                    "hard_to_reach": "Hard to reach",
                },
            ),
            hide_index=True,
            width="stretch",
        )


def _lesson_link(row) -> None:
    st.page_link(
        LESSONS_PAGE, label=safe(row.title), query_params={"lesson": str(int(row.id))}, icon=":material/article:"
    )
    st.caption(f"{safe(row.key)} · {KIND_LABELS.get(row.kind, row.kind)} · {STATUS_LABELS.get(row.status, row.status)}")


def lessons_section(case: dict) -> None:
    """The pilot's lessons by phase, each with its kind and validation status, and the counts by phase and kind."""
    lessons = case["lessons"]
    st.header("Its lessons by phase and kind", anchor=False)
    if lessons.empty:
        st.info("The store holds no lesson of this pilot yet.")
        return
    validated = int(lessons["status"].isin(VALIDATED_STATUSES).sum())
    st.markdown(
        f"{len(lessons):,} lessons; {validated:,} validated, endorsed or applied elsewhere. Each opens on the Lessons "
        "page with its evidence and how workshops voted on it."
    )
    counts = (
        lessons.assign(kind=lessons["kind"].map(KIND_LABELS).fillna(lessons["kind"]), phase=lessons["phase_name"])
        .pivot_table(index=["phase_position", "phase"], columns="kind", values="id", aggfunc="count", fill_value=0)
        .droplevel(0)
    )
    with st.expander("Lessons by phase and kind as a table"):
        st.dataframe(counts.rename_axis(index="Phase", columns="Kind"), width="stretch")
    for _, rows in lessons.groupby("phase_position", sort=True):
        name = rows["phase_name"].iloc[0] or "No phase given"
        st.subheader(f"{safe(name)} ({len(rows)})", anchor=False)
        for row in rows.itertuples():
            _lesson_link(row)


def workshops_section(case: dict) -> None:
    """The validation workshops that voted on statements drawn from the pilot's lessons (public ones only)."""
    st.header("Workshops that judged its lessons", anchor=False)
    workshops = case["workshops"]
    if workshops.empty:
        st.caption(
            "No validation workshop has voted on a lesson of this pilot yet. (Votes of a workshop with fewer than 5 "
            "participants are never shown, so that nobody can be singled out.)"
        )
        return
    columns = {
        "workshop": "Code",
        "workshop_title": "Workshop",
        "workshop_status": "Status",
        "lessons": "Lessons judged",
        "statements": "Statements",
        "agree": "Agree",
        "disagree": "Disagree",
        "pass": "Pass",
        "votes": "Votes",
    }
    shown = workshops.assign(workshop_status=workshops["workshop_status"].str.capitalize())
    st.dataframe(readable(shown, columns), hide_index=True, width="stretch")
    st.caption(
        "Votes in the last round each statement was voted on. Workshops with fewer than 5 participants are left out, "
        "so that nobody can be singled out."
    )


def recurs_section(path: str, slug: str) -> None:
    """Groups of similar lessons this pilot shares with others, and what other pilots contradict."""
    st.header("What recurs elsewhere, and what contradicts it", anchor=False)
    lversion = loaders.data_version(path, "lessons")
    state = synthesis.similarity_notice(path, lversion)
    groups = synthesis.load_clusters(path, lversion, state.shown, GROUP_SIMILARITY, 2, audience=reader_audience(path))
    found = pilot_case.pilot_recurring(groups, slug)
    st.subheader("Similar lessons in other pilots", anchor=False)
    if groups is None:
        st.caption("The comparison of lesson texts is running; groups will be listed when it is done.")
    elif found.empty:
        st.caption("No lesson of this pilot has a close match in another pilot.")
    else:
        st.caption(
            f"{len(found)} groups of lessons telling the same story, at the What recurs page's "
            f"{GROUP_SIMILARITY:.0%} similarity; ⚠ marks a group where one pilot reports an enabler and another a barrier."
        )
        facts = synthesis.load_facts(path, lversion, audience=reader_audience(path)).set_index("id")
        for row in found.itertuples():
            flag = " ⚠ contradicts" if row.contradicts else ""
            st.markdown(
                f"**{safe(row.name)}**{flag} — {row.pilots} pilots, {row.lessons} lessons; also in {safe(row.others)}"
            )
            for lesson_id in row.own:
                if lesson_id in facts.index:
                    st.page_link(
                        LESSONS_PAGE,
                        label=safe(facts.loc[lesson_id, "title"]),
                        query_params={"lesson": str(lesson_id)},
                        icon=":material/article:",
                    )
    contested = pilot_case.pilot_contested(synthesis.load_matrix(path, lversion, audience=reader_audience(path)), slug)
    st.subheader("Themes other pilots see the other way", anchor=False)
    if contested.empty:
        st.caption("No other pilot reports as a barrier what this pilot reports as an enabler, or the reverse.")
    else:
        table = contested.assign(
            this_pilot=contested["this_pilot"].map(KIND_LABELS), others_say=contested["others_say"].map(KIND_LABELS)
        )
        columns = {
            "theme_name": "Theme",
            "this_pilot": "This pilot reports",
            "own": "Its lessons",
            "others_say": "Others report",
            "others": "Their lessons",
            "other_pilots": "Other pilots",
            "other_names": "Which pilots",
        }
        st.dataframe(readable(table, columns), hide_index=True, width="stretch")
    st.page_link(
        RECURS_PAGE,
        label="Compare every pilot on the What recurs page",
        query_params={"view": "Contradicting"},
        icon=":material/hub:",
    )


FACETS = ("Kind", "Phase", "Status")


def against_section(path: str, version: int, case: dict) -> None:
    """The pilot against every other pilot, pooled: its share of each kind, phase and status, with the tables."""
    facts = case["facts"]
    st.header("Compared with the other pilots", anchor=False)
    against = case["against"]
    pilots = loaders.load_overview(path, version, audience=reader_audience(path))["pilots"]
    others = pilots[pilots["slug"] != facts["slug"]]
    if others.empty or case["lessons"].empty or others["lessons"].sum() == 0:
        st.caption("A comparison needs lessons of this pilot and of at least one other.")
        return
    own = case["lessons"]
    rank = int((pilots["lessons"] > len(own)).sum()) + 1
    share = own["status"].isin(VALIDATED_STATUSES).mean()
    rest = others["validated"].sum() / others["lessons"].sum()
    st.markdown(
        f"{len(own):,} lessons: {'the most' if rank == 1 else f'number {rank}'} of {len(pilots):,} pilots "
        f"(the median pilot has {pilots['lessons'].median():g}). {share:.0%} of its lessons are validated, "
        f"endorsed or applied elsewhere, against {rest:.0%} of the other {len(others):,} pilots' lessons, pooled."
    )
    for facet in FACETS:
        rows = against[against["facet"] == facet]
        st.altair_chart(charts.pilot_share_chart(rows, facet, facts["name"]), width="stretch")
        with st.expander(f"Lessons by {facet.lower()} as a table"):
            table = rows.pivot_table(index=["position", "value"], columns="side", values="lessons", sort=False)
            shares = rows.pivot_table(index=["position", "value"], columns="side", values="share", sort=False)
            out = pd.DataFrame(
                {
                    facet: [value for _, value in table.index],
                    f"{pilot_case.THIS_PILOT}: lessons": table[pilot_case.THIS_PILOT].astype(int).to_list(),
                    f"{pilot_case.THIS_PILOT}: share": [f"{v:.0%}" for v in shares[pilot_case.THIS_PILOT]],
                    f"{pilot_case.OTHERS}: lessons": table[pilot_case.OTHERS].astype(int).to_list(),
                    f"{pilot_case.OTHERS}: share": [f"{v:.0%}" for v in shares[pilot_case.OTHERS]],
                }
            )
            st.dataframe(out, hide_index=True, width="stretch")


def pilot_page(path: str, version: int, slug: str) -> None:
    """One pilot's whole page, or a plain message and the way back when there is no such pilot."""
    case = load_case(path, version, slug, reader_audience(path))
    if case is None:
        st.title("Pilots", anchor=False)
        st.warning(f"There is no pilot “{safe(slug)}”. It may have been renamed or deleted; choose one from the list.")
        st.button("All pilots", icon=":material/arrow_back:", key="pilots_back", on_click=_back)
        return
    st.set_page_config(page_title=f"{case['facts']['name']} · Pilots · Cross-Pilot Lessons")  # text, never markup
    header(path, version, case)
    methodology_section(case)
    partners_section(path, case)
    lessons_section(case)
    workshops_section(case)
    recurs_section(path, slug)
    against_section(path, version, case)
