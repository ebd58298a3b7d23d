"""Governance models: cached loaders and the sections of the page (model, elements, evidence, validation)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import auth, charts, editors
from components.loaders import TTL, load_lessons, load_vocabularies
from components.widgets import NO_VALUE, PILOTS_PAGE, safe
from lessons import model_authoring as authoring
from lessons import models, pilot_reads
from lessons.access import reading, writing
from lessons.permissions import Actor, can
from lessons.queries import KIND_LABELS, STATUS_LABELS
from lessons.visibility import audience_of

LESSONS_PAGE = "pages/lessons.py"


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def load_models(path: str, version: int, *, audience: str) -> pd.DataFrame:
    with reading(path, audience) as db:
        return models.model_list(db)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_elements(path: str, version: int, model: str, *, audience: str) -> pd.DataFrame:
    with reading(path, audience) as db:
        return models.elements(db, model)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_model_state(path: str, version: int, model: str, *, audience: str) -> tuple[dict, dict | None, list[dict]]:
    """A model's results (validated, contested, untested), what changed since its last vote, and its proposals."""
    with reading(path, audience) as db:
        return (
            models.model_results(db, model),
            models.changes_since_vote(db, model),
            authoring.proposed_links(db, model),
        )


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def load_model_pilots(path: str, version: int, model: str, *, audience: str) -> pd.DataFrame:
    with reading(path, audience) as db:
        return models.model_pilots(db, model)


def pilot_link(slug: str, name: str, *, where=st) -> None:
    """A pilot's name as a link to its page (``/pilots?pilot=SLUG``), as every page names a pilot."""
    where.page_link(PILOTS_PAGE, label=safe(name), query_params={"pilot": slug}, icon=":material/place:")


def pilots_section(path: str, version: int, model: str, *, audience: str) -> None:
    """The pilots whose lessons are linked to the model, each a link to its page."""
    pilots = load_model_pilots(path, version, model, audience=audience)
    if pilots.empty:
        return
    st.markdown("**Pilots with linked lessons**")
    row = st.container(horizontal=True, gap="small")  # several to a line, on a phone too
    for pilot in pilots.itertuples():
        pilot_link(pilot.slug, pilot.name, where=row)


@st.cache_data(ttl=TTL, max_entries=128, show_spinner=False)
def load_element(path: str, version: int, element_id: int, *, audience: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    with reading(path, audience) as db:
        return models.element_lessons(db, element_id), models.element_validation(db, element_id)


def validation_text(row) -> str:
    """One plain sentence on how workshops voted on an element (last round of each)."""
    if not row.votes:
        return "Not yet put to a validation workshop."
    share = f"{row.agree_share:.0%} agree" if pd.notna(row.agree_share) else "no one agreed or disagreed"
    return f"{share} ({row.agree} agree, {row.disagree} disagree, {row.pass_} pass) in {safe(row.workshops)}."


def element_section(path: str, version: int, row, *, audience: str) -> None:
    """An element's description, its supporting and challenging lessons, and its validation per round."""
    label = (
        f"{row.position}. {safe(row.name)} — {models.result_text(row)} · {row.supports} supporting, "
        f"{row.challenges} challenging lessons"
    )
    with st.expander(label):
        st.caption(f"{'Principle' if row.kind == 'principle' else 'Step'} · phase: {safe(row.phase_name or '—')}")
        if row.description:
            st.markdown(safe(row.description))
        st.markdown(f"**Validation**: {validation_text(row)}")
        lessons, rounds = load_element(path, version, int(row.id), audience=audience)
        left, right = st.columns(2)
        for column, stance, heading in (
            (left, "supports", "Lessons supporting it"),
            (right, "challenges", "Lessons challenging it"),
        ):
            with column:
                side = lessons[lessons["stance"] == stance]
                st.markdown(f"**{heading}** ({len(side)})")
                if side.empty:
                    st.caption("None recorded.")
                for lesson in side.itertuples():
                    st.page_link(
                        LESSONS_PAGE,
                        label=safe(lesson.title),
                        query_params={"lesson": str(int(lesson.id))},
                        icon=":material/article:",
                    )
                    facts = st.container(horizontal=True, gap="small", vertical_alignment="center")
                    pilot_link(lesson.pilot, lesson.pilot_name, where=facts)
                    facts.caption(
                        f"{KIND_LABELS.get(lesson.kind, lesson.kind)} · {STATUS_LABELS.get(lesson.status, lesson.status)}"
                    )
        if not rounds.empty:
            st.dataframe(
                rounds.rename(
                    columns={
                        "workshop": "Workshop",
                        "status": "Status",
                        "round": "Round",
                        "agree": "Agree",
                        "disagree": "Disagree",
                        "pass_": "Pass",
                        "votes": "Votes",
                    }  # fmt: skip
                ),
                hide_index=True,
                width="stretch",
            )


def elements_table(elements: pd.DataFrame) -> None:
    table = elements[["key", "name", "kind", "phase_name", "supports", "challenges", "votes", "agree_share"]].copy()
    # a share only where there were votes: a dash, not "None", where no workshop has voted on the element yet
    table["agree_share"] = [NO_VALUE if pd.isna(v) else f"{v:.0%}" for v in table["agree_share"]]
    st.dataframe(
        table.rename(
            columns={
                "key": "Key",
                "name": "Element",
                "kind": "Kind",
                "phase_name": "Phase",
                "supports": "Supporting lessons",
                "challenges": "Challenging lessons",
                "votes": "Votes",
                "agree_share": "Agree share",
            }  # fmt: skip
        ),
        hide_index=True,
        width="stretch",
    )


def evidence_chart(elements: pd.DataFrame) -> None:
    shown = elements.assign(label=elements["key"] + " · " + elements["name"])
    st.altair_chart(charts.element_evidence_chart(shown), width="stretch")


EMPTY_STATE = (
    "No governance model has been recorded yet. Administrators and model editors create one here, under "
    "**Edit** once signed in, or on the command line: `python -m lessons model add SLUG --name TEXT`, then "
    "`python -m lessons model element SLUG --add TITLE` for each principle or step. Pilot coordinators may then "
    "propose links from their lessons; an editor accepts them."
)
RESULT_HELP = (
    "From the last round of each workshop of at least five people: validated when at least 70% of at least five "
    "votes for or against agree, contested when fewer do, untested without such votes. The interval is the 95% "
    "Wilson interval of the agree share."
)


def results_summary(results: dict, changes: dict | None, version: int) -> None:
    """The model's standing (elements validated, contested, untested) and what changed since its last vote."""
    numbers = st.container(horizontal=True, gap="medium")  # several to a line on a phone (#19)
    for name in ("validated", "contested", "untested"):
        numbers.metric(f"Elements {name}", results[name], help=RESULT_HELP, width="content")
    if changes:
        lines = [f"Version {version}; workshops voted on version {changes['voted_version']}. Since then:"]
        for what in ("added", "removed", "renamed", "moved", "reworded"):
            lines += [f"- {what}: {safe(item)}" for item in changes[what]]
        st.info("\n".join(lines), icon=":material/history:")


def flash() -> None:
    message = st.session_state.pop("models_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _write(path: str, fn, *args, done: str, **kwargs) -> None:
    """A domain write through :func:`components.auth.write`; on success rerun with ``done`` shown."""
    if auth.write(path, fn, *args, **kwargs) is not None:
        st.session_state["models_flash"] = done
        st.rerun()


def create_section(path: str, version: int, actor: Actor) -> None:
    """The form that creates a model (administrators and editors)."""
    methodologies = dict(
        zip(*load_vocabularies(path, version)["methodologies"][["code", "name"]].T.values)  # code → name
    )
    with st.expander("Create a model", icon=":material/add:", expanded=False):
        values = editors.model_form(methodologies, key="models_create")
        if values is not None:
            slug = values.pop("slug")
            _write(path, authoring.create_model, actor, slug, **values, done="Model created.")


def edit_section(path: str, version: int, actor: Actor, slug: str, elements: pd.DataFrame) -> None:
    """Edit a model and its elements, link lessons and review proposals (administrators and editors)."""
    flash()
    with reading(path) as db:
        model = authoring.model_row(db, slug)
    create_section(path, version, actor)
    methodologies = dict(zip(*load_vocabularies(path, version)["methodologies"][["code", "name"]].T.values))
    with st.expander("Model details", icon=":material/edit:"):
        values = editors.model_form(methodologies, key=f"models_edit_{slug}", model=model)
        if values is not None:
            _write(path, authoring.update_model, actor, slug, **values, done="Model saved.")
        row = st.container(horizontal=True, gap="small")  # one row of buttons, on a phone too
        if row.button("Move up in the list", key="models_model_up", icon=":material/arrow_upward:"):
            _write(path, authoring.move_model, actor, slug, -1, done="Model moved up.")
        if row.button("Move down in the list", key="models_model_down", icon=":material/arrow_downward:"):
            _write(path, authoring.move_model, actor, slug, 1, done="Model moved down.")
        retired = bool(model.get("retired_at"))
        if row.button("Bring back" if retired else "Retire", key="models_retire", icon=":material/archive:"):
            _write(path, authoring.retire_model, actor, slug, not retired, done="Done.")
    st.markdown(
        "**Elements** (editing a model a workshop has voted on makes a new version; the votes stay with theirs)"
    )
    for row in elements.itertuples():
        n = int(row.position)
        with st.container(border=True):
            st.markdown(f"{n}. **{safe(row.name)}** · {'Principle' if row.kind == 'principle' else 'Step'}")
            buttons = st.container(horizontal=True, gap="small")  # short labelled buttons in one row, on a phone too
            if buttons.button("Up", key=f"models_el_{n}_up", icon=":material/arrow_upward:",
                              help=f"Move element {n} up", disabled=n == 1):  # fmt: skip
                _write(path, authoring.move_element, actor, slug, n, -1, done="Element moved up.")
            if buttons.button("Down", key=f"models_el_{n}_down", icon=":material/arrow_downward:",
                              help=f"Move element {n} down", disabled=n == len(elements)):  # fmt: skip
                _write(path, authoring.move_element, actor, slug, n, 1, done="Element moved down.")
            if buttons.button("Remove", key=f"models_el_{n}_remove", icon=":material/delete:",
                              help=f"Remove element {n} from the model"):  # fmt: skip
                _write(path, authoring.remove_element, actor, slug, n, done="Element removed.")
            with st.expander("Edit this element"):
                changed = editors.element_form(key="models_el", element=row._asdict())
                if changed is not None:
                    _write(path, authoring.update_element, actor, slug, n, **changed, done="Element saved.")
    st.markdown("**Add an element**")
    added = editors.element_form(key=f"models_add_{slug}")
    if added is not None:
        _write(path, authoring.add_element, actor, slug, added.pop("name"), **added, done="Element added.")
    link_section(path, version, actor, elements)
    review_section(path, actor, slug)


def link_section(path: str, version: int, actor: Actor, elements: pd.DataFrame) -> None:
    """Pick lessons by search and pilot, mark them supporting or challenging an element, with a note. Editors link;
    coordinators propose links for their own pilots' lessons."""
    linking = can(actor, "model.link")
    st.subheader("Link lessons" if linking else "Propose a link", anchor=False)
    if elements.empty:
        st.caption("Add an element first.")
        return
    if not linking:
        st.caption("Your proposals count once an editor or administrator accepts them.")
    labels = {int(r.id): f"{r.position}. {r.name}" for r in elements.itertuples()}
    element = st.selectbox("Element", list(labels), format_func=labels.get, key="models_link_element")
    left, right = st.columns(2)
    query = left.text_input("Search lessons", key="models_link_query")
    audience = audience_of(actor).token
    pilots = load_lessons(path, version, audience=audience)[["pilot", "pilot_name"]]
    pilot_names = dict(zip(pilots["pilot"], pilots["pilot_name"]))
    if not linking:
        with reading(path) as db:
            own = pilot_reads.pilot_slugs(db, actor.pilot_ids)
        pilot_names = {k: v for k, v in pilot_names.items() if k in own}
        if not pilot_names:
            st.caption("None of your pilots has lessons yet.")
            return
    chosen_pilots = right.multiselect(
        "Pilots", list(pilot_names), format_func=pilot_names.get, key="models_link_pilots"
    )
    shown = tuple(chosen_pilots) or tuple(pilot_names)
    found = load_lessons(path, version, query, audience=audience, pilots=shown).head(200)
    options = dict(zip(found["id"].astype(int), found["pilot_name"] + " · " + found["title"]))
    if st.session_state.pop("models_link_reset", False):  # linked: start the next link from an empty choice
        st.session_state["models_link_lessons"], st.session_state["models_link_note"] = [], ""
    picked = st.multiselect("Lessons", list(options), format_func=options.get, key="models_link_lessons")
    stance = st.radio("They", ["supports", "challenges"], horizontal=True, key="models_link_stance",
                      format_func={"supports": "support it", "challenges": "challenge it"}.get)  # fmt: skip
    note = st.text_input("Note (why, in a sentence)", key="models_link_note")
    label = "Link" if linking else "Propose"
    if st.button(f"{label} {len(picked)} lesson(s)", key="models_link_go", type="primary", disabled=not picked):
        fn = authoring.link_lessons if linking else authoring.propose_links
        if auth.write(path, fn, actor, element, picked, stance, note) is not None:
            st.session_state["models_flash"] = "Linked." if linking else "Proposed."
            st.session_state["models_link_reset"] = True  # so the lessons just linked are not linked again
            st.rerun()


def review_section(path: str, actor: Actor, slug: str) -> None:
    """Accept or reject the links coordinators proposed for this model."""
    with reading(path) as db:
        waiting = authoring.proposed_links(db, slug)
    st.subheader(f"Proposed links ({len(waiting)})", anchor=False)
    if not waiting:
        st.caption("None waiting.")
        return
    labels = {
        i: f"{p['element']} ← {p['lesson']} ({p['pilot']}, {p['stance']}, by {p['proposed_by']})"
        + (f": {p['note']}" if p["note"] else "")
        for i, p in enumerate(waiting)
    }
    picked = st.multiselect("Proposals", list(labels), format_func=labels.get, key="models_review_pick")
    accept, reject = st.columns(2)
    for column, yes in ((accept, True), (reject, False)):
        if column.button("Accept" if yes else "Reject", key=f"models_review_{'accept' if yes else 'reject'}",
                         disabled=not picked):  # fmt: skip
            with writing(path) as db:
                try:
                    for element in sorted({waiting[i]["element_id"] for i in picked}):
                        lessons = [waiting[i]["lesson_id"] for i in picked if waiting[i]["element_id"] == element]
                        authoring.review_links(db, actor, element, lessons, accept=yes)
                except PermissionError as refused:
                    st.error(f"Not allowed: {safe(refused)}")
                    return
            st.session_state["models_flash"] = "Accepted." if yes else "Rejected."
            st.rerun()
