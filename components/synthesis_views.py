"""What recurs: cached synthesis loaders and the page's sections (matrix, recurring, contradicting, missing,
crosswalk, compare). The analysis itself is in :mod:`lessons.synthesis`."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd
import streamlit as st

from components import charts
from components.auth import audience as reader_audience
from components.loaders import TTL
from components.widgets import PILOTS_PAGE, kind_label, pilot_name_link, safe, vocab
from lessons import synthesis
from lessons.access import reading
from lessons.i18n import N_, _, ngettext, number, percent
from lessons.synthesis.refresh import failures, refresh

LESSONS_PAGE = "pages/lessons.py"
MAX_MATRIX_PILOTS = 30
SHOW_CLUSTERS = 15


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_matrix(path: str, version: int, *, audience: str) -> pd.DataFrame:
    """Pilot × theme lesson counts (zeros included)."""
    with reading(path, audience) as db:
        return synthesis.theme_matrix(db)


@st.cache_data(ttl=TTL, max_entries=64, show_spinner=False)
def load_cell(path: str, version: int, pilot: str, theme: str, *, audience: str) -> pd.DataFrame:
    """The lessons behind one matrix cell."""
    with reading(path, audience) as db:
        return synthesis.cell_lessons(db, pilot, theme)


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def load_theme_lessons(path: str, version: int, theme: str, *, audience: str) -> pd.DataFrame:
    """Enabler and barrier lessons on one theme."""
    with reading(path, audience) as db:
        return synthesis.theme_lessons(db, theme)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_crosswalk(path: str, version: int, *, audience: str) -> pd.DataFrame:
    """Phases with each methodology's step names and lesson counts."""
    with reading(path, audience) as db:
        return synthesis.crosswalk(db)


@st.cache_resource(ttl=TTL, max_entries=2, show_spinner=False)
def load_similarity(path: str, version: int) -> synthesis.Similarity | None:
    """The stored similarity analysis, computed at lessons version ``version`` (or newer: the newest stored); shared
    by every session, as it is read-only once made. Never computed here: :func:`similarity_state` starts that in the
    background."""
    with reading(path) as db:
        return synthesis.stored_similarity(db)


class SimilarityState(NamedTuple):
    """Which stored analysis a page shows: ``shown`` its lessons version (None: none yet), ``lessons`` how many
    lessons it compared, ``updating`` whether a newer one is being computed, ``failed`` why the last one failed."""

    shown: int | None
    lessons: int
    updating: bool
    failed: str | None


def similarity_state(path: str, version: int) -> SimilarityState:
    """The stored analysis to show for lessons ``version``; when it is older (or missing), the new one is started in
    the background, so the page never waits for it (tests compute it at once, see ``lessons.synthesis.refresh``)."""
    with reading(path) as db:
        shown = synthesis.similarity_version(db)
    if shown != version:
        refresh(path)
        with reading(path) as db:
            shown = synthesis.similarity_version(db)
    sim = load_similarity(path, shown) if shown is not None else None
    failed = failures.get(str(Path(path).resolve()))
    return SimilarityState(shown, len(sim.lesson_ids) if sim is not None else 0, shown != version, failed)


@st.fragment(run_every=5)
def _updating_note(path: str, version: int, state: SimilarityState) -> None:
    """Say that the groups shown are from before the latest change; check every 5 s and show the new ones when ready."""
    with reading(path) as db:
        if synthesis.similarity_version(db) == version:
            st.rerun()
    if state.failed:
        failed = (
            _(
                "The comparison of lesson texts could not be completed ({problem}). These groups are from before the "
                "latest change."
            )
            if state.shown is not None
            else _("The comparison of lesson texts could not be completed ({problem}).")
        )
        st.warning(failed.format(problem=safe(state.failed)))
    elif state.shown is None:
        st.info(
            _("The comparison of lesson texts is running; groups of similar lessons will appear here when it is done.")
        )
    else:
        st.info(
            ngettext(
                "Updating: these groups are from before the latest change ({n} lesson); the new analysis is running.",
                "Updating: these groups are from before the latest change ({n} lessons); the new analysis is running.",
                state.lessons,
            ).format(n=number(state.lessons)),
            icon=":material/sync:",
        )


def similarity_notice(path: str, version: int) -> SimilarityState:
    """The similarity analysis to show, with a plain note while a newer one is being computed."""
    state = similarity_state(path, version)
    if state.updating:
        _updating_note(path, version, state)
    return state


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_patterns(path: str, version: int, min_pilots: int, *, audience: str) -> dict[str, pd.DataFrame]:
    """Themes recurring in at least ``min_pilots`` pilots, contested themes, and themes with gaps."""
    matrix = load_matrix(path, version, audience=audience)
    return {
        "recurring": synthesis.recurring_themes(matrix, min_pilots),
        "contested": synthesis.theme_contradictions(matrix),
        "gaps": synthesis.theme_gaps(matrix),
    }


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_facts(path: str, version: int, *, audience: str) -> pd.DataFrame:
    """Key, title, kind, status and pilot of every lesson."""
    with reading(path, audience) as db:
        return synthesis.lesson_facts(db)


@st.cache_data(ttl=TTL, max_entries=32, show_spinner=False)
def load_clusters(
    path: str, version: int, shown: int | None, threshold: float, min_pilots: int, *, audience: str
) -> dict[str, pd.DataFrame] | None:
    """Groups of similar lessons from at least ``min_pilots`` pilots at a similarity threshold, from the analysis
    stored at lessons version ``shown`` (None when no analysis is stored yet), with the titles of version ``version``.
    The analysis compares every lesson; a group shows only the lessons ``audience`` may see (and counts only their
    pilots)."""
    sim = load_similarity(path, shown) if shown is not None else None
    if sim is None:
        return None
    return synthesis.clusters(load_facts(path, version, audience=audience), sim, threshold, min_pilots)


@st.cache_data(ttl=TTL, max_entries=256, show_spinner=False)
def load_similar(path: str, version: int, shown: int, lesson_id: int, *, audience: str) -> pd.DataFrame | None:
    """Lessons of other pilots most similar to one lesson, from the analysis stored at lessons version ``shown``."""
    sim = load_similarity(path, shown)
    if sim is None:
        return None
    with reading(path, audience) as db:
        return synthesis.similar_lessons(db, sim, lesson_id)


# --- Sections ---------------------------------------------------------------------------------------------------


def lesson_link(row, *, key_prefix: str = "") -> None:
    """A link that opens one lesson on the Lessons page, with its pilot and kind."""
    st.page_link(
        LESSONS_PAGE,
        label=f"{safe(row.title)}",
        query_params={"lesson": str(int(row.id))},
        icon=":material/article:",
    )
    st.markdown(f"{pilot_name_link(row.pilot_name, getattr(row, 'pilot', None))} · {kind_label(row.kind)}")


def similar_section(path: str, version: int, on_open):
    """A lesson-page section listing the most similar lessons of other pilots (each opens with ``on_open``)."""

    def section(detail: dict) -> None:
        st.markdown(_("**Similar lessons in other pilots**"))
        state = similarity_state(path, version)
        similar = (
            load_similar(path, version, state.shown, int(detail["id"]), audience=reader_audience(path))
            if state.shown is not None
            else None
        )
        if similar is None:
            st.caption(_("The comparison of lesson texts is running; similar lessons will be listed when it is done."))
            return
        if state.updating:
            st.caption(_("Updating: compared before the latest change; the new comparison is running."))
        if similar.empty:
            st.caption(_("No lesson from another pilot is worded similarly enough."))
            return
        for row in similar.itertuples():
            st.button(
                safe(row.title),
                key=f"lessons_similar_{row.id}",
                type="tertiary",
                on_click=on_open,
                args=(int(row.id),),
                help=_("Open this lesson"),
            )
            alike = _("{share} alike in wording").format(share=percent(row.similarity))
            st.markdown(f"{pilot_name_link(row.pilot_name, row.pilot)} · {kind_label(row.kind)} · {alike}")

    return section


def headline(k: int, groups: dict[str, pd.DataFrame] | None, patterns: dict[str, pd.DataFrame]) -> None:
    """Four counts: recurring themes and lesson groups (in ``k`` or more pilots), contested themes, themes with gaps
    (``groups`` None: the first comparison of lesson texts is still running)."""
    row = st.container(horizontal=True, gap="medium")  # wraps: two a line on a phone, not one a line (#19)
    row.metric(
        _("Themes in {k}+ pilots").format(k=k), number(len(patterns["recurring"])),
        help=_("Themes with lessons from at least that many pilots"), width="content",
    )  # fmt: skip
    row.metric(
        _("Lesson groups in {k}+ pilots").format(k=k),
        "…" if groups is None else number(len(groups["clusters"])),
        help=_("Groups of similar lessons") if groups is not None else _("The comparison of lesson texts is running"),
        width="content",
    )
    row.metric(
        _("Contested themes"), number(len(patterns["contested"])),
        help=_("An enabler in one pilot and a barrier in another"), width="content",
    )  # fmt: skip
    row.metric(
        _("Themes with gaps"), number(len(patterns["gaps"])),
        help=_("Themes that at least one pilot has no lesson on"), width="content",
    )  # fmt: skip


def recurring_section(groups: dict[str, pd.DataFrame] | None, recurring: pd.DataFrame, k: int) -> None:
    """Groups of similar lessons and themes reported by at least ``k`` pilots."""
    st.subheader(_("Similar lessons reported by at least {k} pilots").format(k=k), anchor=False)
    if groups is not None:
        st.caption(
            _(
                "Each group is named after its most typical lesson (the one most alike the others in the group), "
                "with the words its lessons share most. Open a group to read its lessons."
            )
        )
        clusters_list(groups, key="recurs_shown")
        with st.expander(_("All these groups as a table")):
            clusters_table(groups["clusters"])
    st.subheader(_("Themes reported by at least {k} pilots").format(k=k), anchor=False)
    if recurring.empty:
        st.info(_("No theme has lessons from {k} or more pilots. Lower the number of pilots.").format(k=k))
        return
    st.altair_chart(charts.recurrence_chart(recurring), width="stretch")
    with st.expander(_("These themes as a table")):
        theme_table(recurring, ["theme_name", "pilots", "lessons", "enablers", "barriers", "pilot_names"])


def contradicting_section(
    path: str, version: int, shown: int | None, contested: pd.DataFrame, threshold: float
) -> None:
    """Themes one pilot calls an enabler and another a barrier, and groups of alike lessons that disagree
    (``threshold``: the similarity, 0–1, lessons must reach to form a group; ``shown``: the stored analysis's
    lessons version, None while the first one is computed)."""
    st.subheader(_("Themes one pilot calls an enabler and another a barrier"), anchor=False)
    if contested.empty:
        st.info(_("No theme is reported as an enabler by one pilot and as a barrier by another."))
    else:
        st.altair_chart(charts.contradiction_chart(contested), width="stretch")
        with st.expander(_("Contested themes as a table")):
            theme_table(contested, ["theme_name", "enabler_names", "barrier_names", "enablers", "barriers"])
        contested_theme(path, version, contested)
    st.subheader(_("Similar lessons that disagree"), anchor=False)
    st.caption(_("Groups of alike lessons in which one pilot reports an enabler and another pilot a barrier."))
    pairs = load_clusters(path, version, shown, threshold, 2, audience=reader_audience(path))
    if pairs is not None:
        clusters_list(pairs, only=pairs["contradictions"]["cluster"], key="recurs_shown_contested")


def missing_section(gaps: pd.DataFrame) -> None:
    """Themes no pilot has a lesson on, and themes some pilots have no lesson on."""
    none = gaps[gaps["pilots_with"] == 0]["theme_name"].tolist()
    st.subheader(_("Themes no pilot has a lesson on"), anchor=False)
    st.write(", ".join(safe(vocab(t)) for t in none) if none else _("Every theme has lessons from at least one pilot."))
    st.subheader(_("Themes some pilots have no lesson on"), anchor=False)
    if gaps.empty:
        st.info(_("Every pilot has lessons on every theme."))
    else:
        theme_table(gaps, ["theme_name", "pilots_with", "pilots_without", "missing_names"])


def _take_cell() -> None:
    """Copy a heatmap click into the pilot and theme choosers (runs before the page, so it may set them)."""
    state = st.session_state.get("recurs_cell") or {}
    chosen = (state.get("selection") or {}).get("cell") or []
    if chosen:
        st.session_state["recurs_pilot"] = chosen[0].get("pilot")
        st.session_state["recurs_theme"] = chosen[0].get("theme")


def matrix_section(path: str, version: int, matrix: pd.DataFrame) -> None:
    """The pilot × theme heatmap; a clicked cell (or the two choosers) lists the lessons behind it."""
    totals = matrix.groupby(["pilot", "pilot_name"], as_index=False)["lessons"].sum()
    shown = totals
    if len(totals) > MAX_MATRIX_PILOTS:
        shown = totals.nlargest(MAX_MATRIX_PILOTS, "lessons", keep="first")
        st.caption(
            _(
                "The heatmap shows the {n} pilots with the most lessons of {total}; the choosers below and the table "
                "reach every pilot."
            ).format(n=number(MAX_MATRIX_PILOTS), total=number(len(totals)))
        )
    st.caption(_("Click a cell to list its lessons (double-click clears). Grey dashed cells: no lesson on that theme."))
    st.altair_chart(
        charts.theme_matrix_chart(matrix[matrix["pilot"].isin(shown["pilot"])]),
        key="recurs_cell",
        on_select=_take_cell,
        selection_mode="cell",
        width="stretch",
    )
    pilots = dict(zip(totals["pilot"], totals["pilot_name"]))
    themes = {code: vocab(name) for code, name in zip(matrix["theme"], matrix["theme_name"])}
    left, right = st.columns(2)
    pilot = left.selectbox(
        _("Pilot"), list(pilots), format_func=pilots.get, index=None, key="recurs_pilot",
        placeholder=_("Choose a pilot"),
    )  # fmt: skip
    theme = right.selectbox(
        _("Theme"), list(themes), format_func=themes.get, index=None, key="recurs_theme",
        placeholder=_("Choose a theme"),
    )  # fmt: skip
    if pilot and theme:
        found = load_cell(path, version, pilot, theme, audience=reader_audience(path))
        st.subheader(
            ngettext("{pilot} · {theme}: {n} lesson", "{pilot} · {theme}: {n} lessons", len(found)).format(
                pilot=safe(pilots[pilot]), theme=safe(themes[theme]), n=number(len(found))
            ),
            anchor=False,
        )
        st.page_link(
            LESSONS_PAGE,
            label=_("Open these lessons on the Lessons page (to filter further or download)"),
            query_params={"pilot": pilot, "theme": theme},
            icon=":material/filter_list:",
        )
        st.page_link(
            PILOTS_PAGE,
            label=_("About this pilot: {name}").format(name=safe(pilots[pilot])),
            query_params={"pilot": pilot},
            icon=":material/place:",
        )
        if found.empty:
            st.info(_("This pilot recorded no lesson on this theme: a gap other pilots may fill."))
        for row in found.assign(pilot=pilot, pilot_name=pilots[pilot]).itertuples():
            lesson_link(row)
    else:
        st.caption(_("Choose a pilot and a theme (or click a cell) to see the lessons behind a count."))
    with st.expander(_("The matrix as a table")):
        table = matrix.pivot_table(index="pilot_name", columns="theme_name", values="lessons", aggfunc="sum")
        st.dataframe(table.rename(columns=vocab).rename_axis(index=_("Pilot"), columns=_("Theme")), width="stretch")


def contested_theme(path: str, version: int, contested: pd.DataFrame) -> None:
    """Pick a contested theme and read its enabler and barrier lessons side by side."""
    names = {code: vocab(name) for code, name in zip(contested["theme"], contested["theme_name"])}
    theme = st.selectbox(
        _("Read the lessons of a contested theme"),
        list(names),
        format_func=names.get,
        index=None,
        key="recurs_contested",
        placeholder=_("Choose a theme"),
    )
    if not theme:
        return
    found = load_theme_lessons(path, version, theme, audience=reader_audience(path))
    st.page_link(
        LESSONS_PAGE,
        label=_("Open both sides on the Lessons page (to filter further or download)"),
        query_params={"theme": theme, "kind": ["enabler", "barrier"]},
        icon=":material/filter_list:",
    )
    for column, kind, heading in zip(st.columns(2), ("enabler", "barrier"), (N_("As an enabler"), N_("As a barrier"))):
        with column:
            side = found[found["kind"] == kind]
            lessons = ngettext("{n} lesson", "{n} lessons", len(side)).format(n=number(len(side)))
            pilots = ngettext("{n} pilot", "{n} pilots", side["pilot"].nunique()).format(
                n=number(side["pilot"].nunique())
            )
            st.markdown(
                _("**{heading}** ({lessons}, {pilots})").format(heading=_(heading), lessons=lessons, pilots=pilots)
            )
            for row in side.itertuples():
                lesson_link(row)


def clusters_list(groups: dict[str, pd.DataFrame], *, only: pd.Series | None = None, key: str) -> None:
    """Each group of similar lessons as an expander listing its lessons by pilot."""
    summary = groups["clusters"] if only is None else groups["clusters"][groups["clusters"]["cluster"].isin(only)]
    if summary.empty:
        st.info(
            _("No group of similar lessons at this threshold. Lower the similarity threshold to find looser groups.")
        )
        return
    shown = st.number_input(
        _("Groups shown"), min_value=1, max_value=len(summary), value=min(SHOW_CLUSTERS, len(summary)), key=key
    )
    members = groups["members"]
    for group in summary.head(int(shown)).itertuples():
        counts = (
            _("{pilots} pilots, {lessons} lessons · enabler and barrier")
            if group.contradicts
            else _("{pilots} pilots, {lessons} lessons")
        ).format(pilots=number(group.pilots), lessons=number(group.lessons))
        with st.expander(f"{safe(group.name)} — {counts}"):
            st.caption(_("Shared words: {words}").format(words=safe(group.label)))
            inside = members[members["cluster"] == group.cluster]
            named = inside[["pilot", "pilot_name"]].drop_duplicates("pilot").sort_values("pilot_name")
            linked = "; ".join(pilot_name_link(n, p) for p, n in named.itertuples(index=False))
            st.markdown(_("Pilots: {pilots}").format(pilots=linked))
            for row in inside.itertuples():
                lesson_link(row)


#: The groups table's columns in words, in the order shown.
GROUP_COLUMNS = {
    "name": N_("Group (its most typical lesson)"),
    "label": N_("Shared words"),
    "pilots": N_("Pilots"),
    "lessons": N_("Lessons"),
    "enablers": N_("Enablers"),
    "barriers": N_("Barriers"),
    "contradicts": N_("Enabler in one pilot, barrier in another"),
    "pilot_names": N_("Pilot names"),
}


def clusters_table(summary: pd.DataFrame) -> None:
    """Every group as one table row."""
    table = summary[list(GROUP_COLUMNS)].assign(
        contradicts=summary["contradicts"].map({True: _("Yes"), False: _("No")})
    )
    st.dataframe(table.rename(columns=lambda c: _(GROUP_COLUMNS[c])), hide_index=True, width="stretch")


THEME_COLUMNS = {
    "theme_name": N_("Theme"),
    "pilots": N_("Pilots"),
    "lessons": N_("Lessons"),
    "enablers": N_("Enablers"),
    "barriers": N_("Barriers"),
    "pilot_names": N_("Pilot names"),
    "enabler_pilots": N_("Pilots: enabler"),
    "barrier_pilots": N_("Pilots: barrier"),
    "enabler_names": N_("Enabler in"),
    "barrier_names": N_("Barrier in"),
    "pilots_with": N_("Pilots with lessons"),
    "pilots_without": N_("Pilots without"),
    "missing_names": N_("No lesson from"),
}


def theme_table(frame: pd.DataFrame, columns: list[str]) -> None:
    """Themes as a table, its headings (and the themes) in the reader's language."""
    table = (
        frame[columns].assign(theme_name=frame["theme_name"].map(vocab)) if "theme_name" in columns else frame[columns]
    )
    st.dataframe(table.rename(columns=lambda c: _(THEME_COLUMNS[c])), hide_index=True, width="stretch")


def crosswalk_section(crosswalk: pd.DataFrame) -> None:
    """Phases with each methodology's step names side by side, and lessons per phase and methodology."""
    methods = [c for c in crosswalk.columns if c not in ("phase", "phase_name", "lessons") and ":" not in c]
    st.write(
        _(
            "Each methodology names its steps differently; all of them map onto five shared co-creation phases. "
            "Read across a row to see what a step is called in each methodology."
        )
    )
    shared = _("Shared phase")
    table = crosswalk[["phase_name", "lessons", *methods]].assign(phase_name=crosswalk["phase_name"].map(vocab))
    table = table.rename(columns={"phase_name": shared, "lessons": _("Lessons (all pilots)")})
    # st.table renders Markdown: every cell and heading is escaped, so names show exactly as written.
    table = table.map(lambda v: safe(v) if isinstance(v, str) else v).rename(columns=lambda c: safe(vocab(c)))
    st.table(table.set_index(safe(shared)))
    st.caption(_("Read the lessons of one phase:"))
    for column, row in zip(st.columns(len(crosswalk)), crosswalk.itertuples()):
        column.page_link(
            LESSONS_PAGE,
            label=f"{safe(vocab(row.phase_name))} ({number(row.lessons)})",
            query_params={"phase": row.phase},
        )
    counts = (
        crosswalk.drop(columns="lessons")
        .reset_index(names="position")
        .melt(
            id_vars=["phase_name", "position"],
            value_vars=[f"lessons: {m}" for m in methods],
            var_name="methodology",
            value_name="lessons",
        )
    )
    counts["methodology"] = counts["methodology"].str.removeprefix("lessons: ")
    counts = counts[counts["lessons"] > 0]
    if counts.empty:
        st.info(_("No lesson comes from a pilot with a known methodology and phase yet."))
        return
    st.altair_chart(charts.phase_chart(counts), width="stretch")
    with st.expander(_("Lessons by phase and methodology as a table")):
        st.dataframe(
            counts.pivot_table(index="phase_name", columns="methodology", values="lessons", aggfunc="sum")
            .reindex(crosswalk["phase_name"])
            .fillna(0)
            .astype(int)
            .rename(index=vocab, columns=vocab)
            .rename_axis(index=_("Phase"), columns=_("Methodology")),
            width="stretch",
        )


def compare_section(matrix: pd.DataFrame) -> None:
    """2–4 pilots' theme profiles side by side, with what they share and what only one of them has."""
    pilots = dict(matrix[["pilot", "pilot_name"]].drop_duplicates().itertuples(index=False, name=None))
    chosen = st.multiselect(
        _("Pilots to compare"),
        list(pilots),
        format_func=pilots.get,
        max_selections=4,
        key="recurs_compare",
        placeholder=_("Choose two to four pilots"),
    )
    if len(chosen) < 2:
        st.info(_("Choose two to four pilots to compare their theme profiles."))
        return
    compared = synthesis.compare_pilots(matrix, chosen)
    st.altair_chart(charts.profile_chart(compared["profile"]), width="stretch")
    with st.expander(_("Theme profiles as a table")):
        st.dataframe(
            compared["profile"]
            .pivot_table(index="theme_name", columns="pilot_name", values="lessons", aggfunc="sum")
            .rename(index=vocab)
            .rename_axis(index=_("Theme"), columns=_("Pilot")),
            width="stretch",
        )
    left, right = st.columns(2)
    with left:
        st.subheader(_("Themes all of them have lessons on"), anchor=False)
        shared = compared["shared"]["theme_name"].tolist()
        st.write(", ".join(safe(vocab(t)) for t in shared) if shared else _("None: these pilots share no theme."))
    with right:
        st.subheader(_("Themes only one of them has"), anchor=False)
        unique = compared["unique"]
        if unique.empty:
            st.write(_("None."))
        for name, group in unique.groupby("pilot_name", sort=True):
            themes = ", ".join(safe(vocab(t)) for t in group["theme_name"])
            st.write(_("**{pilot}**: {themes}").format(pilot=safe(name), themes=themes))
