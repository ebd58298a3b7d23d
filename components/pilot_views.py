"""Pilots: the map and list of every pilot, and one pilot's page (``/pilots?pilot=SLUG``) with its case.

The case is read by :mod:`lessons.pilot_case`, places by :mod:`lessons.geo` (boundaries shipped with the app: the
map fetches nothing); what recurs comes from the *What recurs* analyses (:mod:`components.synthesis_views`) and the
network at a glance from the stored network analysis (:mod:`components.network_views`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import auth, charts, language, loaders
from components import network_views as networks
from components import synthesis_views as synthesis
from components.auth import audience as reader_audience
from components.loaders import TTL
from components.story_views import STORIES_PAGE
from components.widgets import NO_VALUE, pilot_share, readable, safe
from lessons import geo, pilot_case, pilot_reads, stories
from lessons.access import reading
from lessons.i18n import N_, _, day, ngettext, number, percent, pgettext
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


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_places(path: str, version: int, audience: str, lang: str = "en") -> dict:
    """Every pilot ``audience`` may see with its place on the map, the box the map shows and the boundaries within
    it (country names in ``lang``)."""
    pilots = loaders.load_overview(path, version, audience=audience)["pilots"]
    with reading(path, audience) as db:
        pilots = pilots.merge(pilot_reads.pilot_places(db), on="slug", how="left")
    placed = geo.place_pilots(pilots)
    box = geo.extent(placed)
    return {"pilots": placed, "box": box, "countries": geo.countries_within(box)}


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_case(path: str, version: int, slug: str, audience: str, lang: str = "en") -> dict | None:
    """One pilot's case (None for an unknown slug, or one ``audience`` may not see), its workshops and how it
    compares with the rest (of what ``audience`` sees), its labels in ``lang``."""
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
    counts = ngettext("{n} lesson, {validated} validated", "{n} lessons, {validated} validated", row.lessons)
    return f"{place} · " + counts.format(n=number(row.lessons), validated=number(row.validated))


def pilots_section(path: str, version: int) -> None:
    """The map of pilots, the list beside it (each a link to the pilot's page) and the table behind the map."""
    places = load_places(path, version, reader_audience(path), language.current())
    pilots = places["pilots"]
    if pilots.empty:
        st.info(
            _("The store holds no pilots yet. Load the demo with `python -m lessons demo` or upload a pilot summary.")
        )
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
            _(
                "Click a dot to open its pilot (or use the list). Boundaries: Natural Earth 1:110m (public domain). "
                "Pilots without coordinates of their own are placed at their country's centre; the map is drawn here "
                "and fetches nothing."
            )
        )
    with right:
        st.subheader(ngettext("{n} pilot", "{n} pilots", len(pilots)).format(n=number(len(pilots))), anchor=False)
        for row in pilots.sort_values("name").itertuples():
            st.page_link(PILOTS_PAGE, label=safe(row.name), query_params={"pilot": row.slug}, icon=":material/place:")
            st.caption(pilot_caption(row))
    with st.expander(_("The pilots as a table")):
        table = pilots.assign(
            placed=pilots["placed_by"]
            .map({"coordinates": _("Own coordinates"), "country": _("Country centre")})
            .fillna(_("Not placed")),
            page="pilots?pilot=" + pilots["slug"],
            methodology=pilots["methodology"].map(vocabulary) if "methodology" in pilots else None,
        )
        page = _("Pilot page")
        columns = {
            "name": _("Pilot"),
            "city": _("City"),
            "country_name": _("Country"),
            "methodology": _("Methodology"),
            "lessons": _("Lessons"),
            "validated": _("Validated lessons"),
            "placed": _("Placed at"),
            "page": page,
        }
        st.dataframe(
            readable(table, columns),
            hide_index=True,
            width="stretch",
            column_config={page: st.column_config.LinkColumn(page, display_text=pgettext("verb", "Open"))},
        )


# --- One pilot --------------------------------------------------------------------------------------------------------


def vocabulary(text):
    """A built-in vocabulary's name or description in the reader's language (a pilot's own text as written)."""
    return _(text) if isinstance(text, str) and text else text


def _back() -> None:
    st.session_state[CHOSEN] = ""


def _facts(facts: dict) -> pd.DataFrame:
    country = loaders.country_name(facts.get("country") or "")
    start, end = (day(facts.get(k)) for k in ("start_date", "end_date"))
    if start and end:
        dates = _("{start} to {end}").format(start=start, end=end)
    else:
        dates = start or end
    rows = {
        _("Place"): ", ".join(v for v in (facts.get("city"), facts.get("region"), country) if v),
        _("Service area"): facts.get("service_area"),
        _("Target groups"): facts.get("target_groups"),
        _("Methodology"): vocabulary(facts.get("methodology_name") or facts.get("methodology")),
        _("Dates"): dates,
        _("Lead organisation"): facts.get("lead_organisation"),
        _("Project"): facts.get("project"),
    }
    fact, value = _("Fact"), _("Value")
    return pd.DataFrame({fact: list(rows), value: [safe(v) or NO_VALUE for v in rows.values()]}).set_index(fact)


def header(path: str, version: int, case: dict) -> None:
    """The pilot's name, summary and facts, its link and citation, and the way to its lessons."""
    facts = case["facts"]
    st.button(_("All pilots"), icon=":material/arrow_back:", key="pilots_back", on_click=_back, type="tertiary")
    st.title(safe(facts["name"]), anchor=False)
    if facts.get("summary"):
        st.markdown(safe(facts["summary"]))
    st.table(_facts(facts))
    lessons = case["lessons"]
    st.page_link(
        LESSONS_PAGE,
        label=ngettext(
            "Read its {n} lesson on the Lessons page (to search, filter or download it)",
            "Read its {n} lessons on the Lessons page (to search, filter or download them)",
            len(lessons),
        ).format(n=number(len(lessons))),
        query_params={"pilot": facts["slug"]},
        icon=":material/menu_book:",
    )
    pilot_share(loaders.load_facets(path, version, audience=reader_audience(path)), [facts["slug"]], page="pilots")


def stories_section(path: str, slug: str) -> None:
    """The pilot's published stories the reader may read: each title, lead and a link to read it whole."""
    with reading(path, reader_audience(path)) as db:
        found = stories.stories_for(db, auth.current_actor(path))
    found = found[found["pilot"] == slug] if len(found) else found
    if found.empty:
        return
    st.header(_("Its story") if len(found) == 1 else _("Its stories"), anchor=False)
    for row in found.itertuples():
        with st.container(border=True):
            st.subheader(safe(row.title), anchor=False)
            if isinstance(row.lead, str) and row.lead:
                st.markdown(safe(row.lead))
            st.page_link(
                STORIES_PAGE, label=_("Read the story"), query_params={"story": str(int(row.id))},
                icon=":material/auto_stories:",
            )  # fmt: skip


def methodology_section(case: dict) -> None:
    """The co-creation methodology the pilot followed and its steps, each mapped to a shared phase."""
    facts = case["facts"]
    st.header(_("Methodology and its steps"), anchor=False)
    if not facts.get("methodology"):
        st.caption(_("The pilot has not named the methodology it followed."))
        return
    st.markdown(f"**{safe(vocabulary(facts.get('methodology_name') or facts['methodology']))}**")
    if facts.get("methodology_description"):
        st.markdown(safe(vocabulary(facts["methodology_description"])))
    steps = case["steps"]
    if steps.empty:
        st.caption(_("No steps of this methodology are recorded."))
        return
    steps = steps.assign(
        phase_name=steps["phase_name"].map(vocabulary),
        name=steps["name"].map(vocabulary),
        description=steps["description"].map(vocabulary),
    )
    table = steps.rename(
        columns={
            "position": _("Step"),
            "name": _("Name"),
            "phase_name": _("Shared phase"),
            "description": _("What it does"),
        }
    )
    st.table(table.map(lambda v: safe(v) or NO_VALUE if isinstance(v, str) or v is None else v), hide_index=True)


def partners_section(path: str, case: dict) -> None:
    """The lead organisation and partners (the pilot's stakeholders by sector), and its network at a glance."""
    facts = case["facts"]
    st.header(_("Partners and stakeholder network"), anchor=False)
    if facts.get("lead_organisation"):
        st.markdown(_("**Lead organisation:** {name}").format(name=safe(facts["lead_organisation"])))
    partners = case["partners"]
    if partners.empty:
        st.caption(_("The store holds no stakeholder of this pilot."))
        return
    counts = ", ".join(
        _("{sector}: {n}").format(sector=safe(_(s)), n=number(n))
        for s, n in zip(case["sectors"]["sector_name"], case["sectors"]["stakeholders"])
    )
    st.markdown(
        ngettext("**{n} stakeholder**: {counts}.", "**{n} stakeholders**: {counts}.", len(partners)).format(
            n=number(len(partners)), counts=counts
        )
    )
    nversion = loaders.data_version(path, "network")
    result = networks.load_analysis(path, nversion, facts["slug"], (), "end")
    if result.metrics.get("nodes"):
        st.caption(_("The network at the end of the pilot, every relation:"))
        networks.summary(result.metrics, result.actors)
    st.page_link(
        NETWORKS_PAGE,
        label=_("Explore this pilot's stakeholder network"),
        query_params={"pilot": facts["slug"]},
        icon=":material/share:",
    )
    with st.expander(_("Every stakeholder ({n})").format(n=number(len(partners)))):
        table = partners.assign(
            hard_to_reach=partners["hard_to_reach"].map({1: _("Yes")}).fillna(""),
            sector_name=partners["sector_name"].map(lambda s: _(s) if isinstance(s, str) else s),
        )
        st.dataframe(
            readable(
                table,
                {
                    "name": _("Stakeholder"),
                    "sector_name": _("Sector"),
                    "role": _("Role in the pilot"),
                    "hard_to_reach": _("Hard to reach"),
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
    st.header(_("Its lessons by phase and kind"), anchor=False)
    if lessons.empty:
        st.info(_("The store holds no lesson of this pilot yet."))
        return
    validated = int(lessons["status"].isin(VALIDATED_STATUSES).sum())
    st.markdown(
        ngettext(
            "{n} lesson; {validated} validated, endorsed or applied elsewhere. It opens on the Lessons page with its "
            "evidence and how workshops voted on it.",
            "{n} lessons; {validated} validated, endorsed or applied elsewhere. Each opens on the Lessons page with "
            "its evidence and how workshops voted on it.",
            len(lessons),
        ).format(n=number(len(lessons)), validated=number(validated))
    )
    phase_names = lessons["phase_name"].map(lambda p: _(p) if isinstance(p, str) else p)
    counts = (
        lessons.assign(kind=lessons["kind"].map(KIND_LABELS).fillna(lessons["kind"]), phase=phase_names)
        .pivot_table(index=["phase_position", "phase"], columns="kind", values="id", aggfunc="count", fill_value=0)
        .droplevel(0)
    )
    with st.expander(_("Lessons by phase and kind as a table")):
        st.dataframe(counts.rename_axis(index=_("Phase"), columns=_("Kind")), width="stretch")
    for _position, rows in lessons.groupby("phase_position", sort=True):
        name = rows["phase_name"].iloc[0]
        name = _(name) if isinstance(name, str) and name else _("No phase given")
        st.subheader(f"{safe(name)} ({number(len(rows))})", anchor=False)
        for row in rows.itertuples():
            _lesson_link(row)


def workshops_section(case: dict) -> None:
    """The validation workshops that voted on statements drawn from the pilot's lessons (public ones only)."""
    st.header(_("Workshops that judged its lessons"), anchor=False)
    workshops = case["workshops"]
    if workshops.empty:
        st.caption(
            _(
                "No validation workshop has voted on a lesson of this pilot yet. (Votes of a workshop with fewer than "
                "5 participants are never shown, so that nobody can be singled out.)"
            )
        )
        return
    columns = {
        "workshop": _("Code"),
        "workshop_title": _("Workshop"),
        "workshop_status": _("Status"),
        "lessons": _("Lessons judged"),
        "statements": _("Statements"),
        "agree": _("Agree"),
        "disagree": _("Disagree"),
        "pass": pgettext("vote", "Pass"),
        "votes": _("Votes"),
    }
    shown = workshops.assign(workshop_status=workshops["workshop_status"].map(workshop_status))
    st.dataframe(readable(shown, columns), hide_index=True, width="stretch")
    st.caption(
        _(
            "Votes in the last round each statement was voted on. Workshops with fewer than 5 participants are left "
            "out, so that nobody can be singled out."
        )
    )


def recurs_section(path: str, slug: str) -> None:
    """Groups of similar lessons this pilot shares with others, and what other pilots contradict."""
    st.header(_("What recurs elsewhere, and what contradicts it"), anchor=False)
    lversion = loaders.data_version(path, "lessons")
    state = synthesis.similarity_notice(path, lversion)
    groups = synthesis.load_clusters(path, lversion, state.shown, GROUP_SIMILARITY, 2, audience=reader_audience(path))
    found = pilot_case.pilot_recurring(groups, slug)
    st.subheader(_("Similar lessons in other pilots"), anchor=False)
    if groups is None:
        st.caption(_("The comparison of lesson texts is running; groups will be listed when it is done."))
    elif found.empty:
        st.caption(_("No lesson of this pilot has a close match in another pilot."))
    else:
        st.caption(
            ngettext(
                "{n} group of lessons telling the same story, at the What recurs page's {similarity} similarity; ⚠ "
                "marks a group where one pilot reports an enabler and another a barrier.",
                "{n} groups of lessons telling the same story, at the What recurs page's {similarity} similarity; ⚠ "
                "marks a group where one pilot reports an enabler and another a barrier.",
                len(found),
            ).format(n=number(len(found)), similarity=percent(GROUP_SIMILARITY))
        )
        facts = synthesis.load_facts(path, lversion, audience=reader_audience(path)).set_index("id")
        for row in found.itertuples():
            pilots = ngettext("{n} pilot", "{n} pilots", row.pilots).format(n=number(row.pilots))
            lessons = ngettext("{n} lesson", "{n} lessons", row.lessons).format(n=number(row.lessons))
            line = (
                _("**{group}** ⚠ contradicts — {pilots}, {lessons}; also in {others}")
                if row.contradicts
                else _("**{group}** — {pilots}, {lessons}; also in {others}")
            )
            st.markdown(line.format(group=safe(row.name), pilots=pilots, lessons=lessons, others=safe(row.others)))
            for lesson_id in row.own:
                if lesson_id in facts.index:
                    st.page_link(
                        LESSONS_PAGE,
                        label=safe(facts.loc[lesson_id, "title"]),
                        query_params={"lesson": str(lesson_id)},
                        icon=":material/article:",
                    )
    contested = pilot_case.pilot_contested(synthesis.load_matrix(path, lversion, audience=reader_audience(path)), slug)
    st.subheader(_("Themes other pilots see the other way"), anchor=False)
    if contested.empty:
        st.caption(_("No other pilot reports as a barrier what this pilot reports as an enabler, or the reverse."))
    else:
        table = contested.assign(
            this_pilot=contested["this_pilot"].map(KIND_LABELS),
            others_say=contested["others_say"].map(KIND_LABELS),
            theme_name=contested["theme_name"].map(lambda t: _(t) if isinstance(t, str) else t),
        )
        columns = {
            "theme_name": _("Theme"),
            "this_pilot": _("This pilot reports"),
            "own": _("Its lessons"),
            "others_say": _("Others report"),
            "others": _("Their lessons"),
            "other_pilots": _("Other pilots"),
            "other_names": _("Which pilots"),
        }
        st.dataframe(readable(table, columns), hide_index=True, width="stretch")
    st.page_link(
        RECURS_PAGE,
        label=_("Compare every pilot on the What recurs page"),
        query_params={"view": "Contradicting"},
        icon=":material/hub:",
    )


FACETS = ("Kind", "Phase", "Status")
#: How each comparison facet is named in the headings of its table.
FACET_WORDS = {
    "Kind": N_("Lessons by kind as a table"),
    "Phase": N_("Lessons by phase as a table"),
    "Status": N_("Lessons by status as a table"),
}


def workshop_status(status: str) -> str:
    """A workshop's status as the table shows it (draft, open, closed)."""
    words = {"draft": _("Draft"), "open": pgettext("workshop status", "Open"), "closed": _("Closed")}
    return words.get(status, status)


def against_section(path: str, version: int, case: dict) -> None:
    """The pilot against every other pilot, pooled: its share of each kind, phase and status, with the tables."""
    facts = case["facts"]
    st.header(_("Compared with the other pilots"), anchor=False)
    against = case["against"]
    pilots = loaders.load_overview(path, version, audience=reader_audience(path))["pilots"]
    others = pilots[pilots["slug"] != facts["slug"]]
    if others.empty or case["lessons"].empty or others["lessons"].sum() == 0:
        st.caption(_("A comparison needs lessons of this pilot and of at least one other."))
        return
    own = case["lessons"]
    rank = int((pilots["lessons"] > len(own)).sum()) + 1
    share = own["status"].isin(VALIDATED_STATUSES).mean()
    rest = others["validated"].sum() / others["lessons"].sum()
    figures = {
        "n": number(len(own)),
        "rank": number(rank),
        "pilots": number(len(pilots)),
        "median": number(pilots["lessons"].median()),
        "share": percent(share),
        "rest": percent(rest),
        "others": number(len(others)),
    }
    if rank == 1:
        text = ngettext(
            "{n} lesson: the most of {pilots} pilots (the median pilot has {median}). {share} of its lessons are "
            "validated, endorsed or applied elsewhere, against {rest} of the other {others} pilots' lessons, pooled.",
            "{n} lessons: the most of {pilots} pilots (the median pilot has {median}). {share} of its lessons are "
            "validated, endorsed or applied elsewhere, against {rest} of the other {others} pilots' lessons, pooled.",
            len(own),
        )
    else:
        text = ngettext(
            "{n} lesson: number {rank} of {pilots} pilots (the median pilot has {median}). {share} of its lessons are "
            "validated, endorsed or applied elsewhere, against {rest} of the other {others} pilots' lessons, pooled.",
            "{n} lessons: number {rank} of {pilots} pilots (the median pilot has {median}). {share} of its lessons "
            "are validated, endorsed or applied elsewhere, against {rest} of the other {others} pilots' lessons, "
            "pooled.",
            len(own),
        )
    st.markdown(text.format(**figures))
    for facet in FACETS:
        rows = against[against["facet"] == facet]
        st.altair_chart(charts.pilot_share_chart(rows, facet, facts["name"]), width="stretch")
        with st.expander(_(FACET_WORDS[facet])):
            table = rows.pivot_table(index=["position", "value"], columns="side", values="lessons", sort=False)
            shares = rows.pivot_table(index=["position", "value"], columns="side", values="share", sort=False)
            out = pd.DataFrame(
                {
                    _(facet): [_(value) for _position, value in table.index],
                    _("This pilot: lessons"): table[pilot_case.THIS_PILOT].astype(int).to_list(),
                    _("This pilot: share"): [percent(v) for v in shares[pilot_case.THIS_PILOT]],
                    _("Other pilots (pooled): lessons"): table[pilot_case.OTHERS].astype(int).to_list(),
                    _("Other pilots (pooled): share"): [percent(v) for v in shares[pilot_case.OTHERS]],
                }
            )
            st.dataframe(out, hide_index=True, width="stretch")


def pilot_page(path: str, version: int, slug: str) -> None:
    """One pilot's whole page, or a plain message and the way back when there is no such pilot."""
    case = load_case(path, version, slug, reader_audience(path), language.current())
    if case is None:
        st.title(_("Pilots"), anchor=False)
        st.warning(
            _("There is no pilot “{slug}”. It may have been renamed or deleted; choose one from the list.").format(
                slug=safe(slug)
            )
        )
        st.button(_("All pilots"), icon=":material/arrow_back:", key="pilots_back", on_click=_back)
        return
    st.set_page_config(  # text, never markup
        page_title=_("{name} · Pilots · Cross-Pilot Lessons").format(name=case["facts"]["name"])
    )
    header(path, version, case)
    stories_section(path, case["facts"]["slug"])
    methodology_section(case)
    partners_section(path, case)
    lessons_section(case)
    workshops_section(case)
    recurs_section(path, slug)
    against_section(path, version, case)
