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
from lessons.i18n import N_, _, ngettext, number, percent
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
    st.markdown("**" + _("Pilots with linked lessons") + "**")
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
        return _("Not yet put to a validation workshop.")
    counts = dict(agree=number(row.agree), disagree=number(row.disagree), passed=number(row.pass_))
    if pd.notna(row.agree_share):
        text = _("{share} agree ({agree} agree, {disagree} disagree, {passed} pass) in {workshops}.")
        return text.format(share=percent(row.agree_share), workshops=safe(row.workshops), **counts)
    text = _("No one agreed or disagreed ({agree} agree, {disagree} disagree, {passed} pass) in {workshops}.")
    return text.format(workshops=safe(row.workshops), **counts)


def element_section(path: str, version: int, row, *, audience: str) -> None:
    """An element's description, its supporting and challenging lessons, and its validation per round."""
    evidence = _("{supports} supporting, {challenges} challenging lessons").format(
        supports=number(row.supports), challenges=number(row.challenges)
    )
    label = f"{row.position}. {safe(row.name)} — {models.result_text(row)} · {evidence}"
    with st.expander(label):
        phase = safe(_(row.phase_name)) if row.phase_name else "—"
        st.caption(_("{kind} · phase: {phase}").format(kind=_(ELEMENT_KINDS.get(row.kind, N_("Step"))), phase=phase))
        if row.description:
            st.markdown(safe(row.description))
        st.markdown(_("**Validation**: {text}").format(text=validation_text(row)))
        lessons, rounds = load_element(path, version, int(row.id), audience=audience)
        left, right = st.columns(2)
        for column, stance, heading in (
            (left, "supports", _("Lessons supporting it")),
            (right, "challenges", _("Lessons challenging it")),
        ):
            with column:
                side = lessons[lessons["stance"] == stance]
                st.markdown(f"**{heading}** ({number(len(side))})")
                if side.empty:
                    st.caption(_("None recorded."))
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
                        f"{_(KIND_LABELS.get(lesson.kind, lesson.kind))} · "
                        f"{_(STATUS_LABELS.get(lesson.status, lesson.status))}"
                    )
        if not rounds.empty:
            st.dataframe(
                rounds.assign(status=rounds["status"].map(lambda s: _(WORKSHOP_STATUSES.get(s, s)))).rename(
                    columns={
                        "workshop": _("Workshop"),
                        "status": _("Status"),
                        "round": _("Round"),
                        "agree": _("Agree"),
                        "disagree": _("Disagree"),
                        "pass_": _("Pass"),
                        "votes": _("Votes"),
                    }  # fmt: skip
                ),
                hide_index=True,
                width="stretch",
            )


def elements_table(elements: pd.DataFrame) -> None:
    table = elements[["key", "name", "kind", "phase_name", "supports", "challenges", "votes", "agree_share"]].copy()
    # a share only where there were votes: a dash, not "None", where no workshop has voted on the element yet
    table["agree_share"] = [NO_VALUE if pd.isna(v) else percent(v) for v in table["agree_share"]]
    table["kind"] = [_(ELEMENT_KINDS.get(k, k)) for k in table["kind"]]
    table["phase_name"] = [_(p) if isinstance(p, str) and p else p for p in table["phase_name"]]
    st.dataframe(
        table.rename(
            columns={
                "key": _("Key"),
                "name": _("Element"),
                "kind": _("Kind"),
                "phase_name": _("Phase"),
                "supports": _("Supporting lessons"),
                "challenges": _("Challenging lessons"),
                "votes": _("Votes"),
                "agree_share": _("Agree share"),
            }  # fmt: skip
        ),
        hide_index=True,
        width="stretch",
    )


def evidence_chart(elements: pd.DataFrame) -> None:
    shown = elements.assign(label=elements["key"] + " · " + elements["name"])
    st.altair_chart(charts.element_evidence_chart(shown), width="stretch")


#: An element's kind as a reader sees it.
ELEMENT_KINDS = {"principle": N_("Principle"), "step": N_("Step")}
#: A workshop's status as the validation table shows it.
WORKSHOP_STATUSES = {"draft": N_("draft"), "open": N_("open"), "closed": N_("closed")}

EMPTY_STATE = N_(
    "No governance model has been recorded yet. Administrators and model editors create one here, under "
    "**Edit** once signed in, or on the command line: `python -m lessons model add SLUG --name TEXT`, then "
    "`python -m lessons model element SLUG --add TITLE` for each principle or step. Pilot coordinators may then "
    "propose links from their lessons; an editor accepts them."
)
RESULT_HELP = N_(
    "From the last round of each workshop of at least five people: validated when at least 70% of at least five "
    "votes for or against agree, contested when fewer do, untested without such votes. The interval is the 95% "
    "Wilson interval of the agree share."
)


#: The model's standing, one metric per result.
RESULT_METRICS = {
    "validated": N_("Elements validated"),
    "contested": N_("Elements contested"),
    "untested": N_("Elements untested"),
}
#: What changed in a model since its last vote, by kind of change.
CHANGE_LABELS = {
    "added": N_("added"),
    "removed": N_("removed"),
    "renamed": N_("renamed"),
    "moved": N_("moved"),
    "reworded": N_("reworded"),
}


def results_summary(results: dict, changes: dict | None, version: int) -> None:
    """The model's standing (elements validated, contested, untested) and what changed since its last vote."""
    numbers = st.container(horizontal=True, gap="medium")  # several to a line on a phone (#19)
    for name, label in RESULT_METRICS.items():
        numbers.metric(_(label), number(results[name]), help=_(RESULT_HELP), width="content")
    if changes:
        lines = [
            _("Version {version}; workshops voted on version {voted}. Since then:").format(
                version=number(version), voted=number(changes["voted_version"])
            )
        ]
        for what, label in CHANGE_LABELS.items():
            lines += [_("- {change}: {element}").format(change=_(label), element=safe(item)) for item in changes[what]]
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


def methodology_names(path: str, version: int) -> dict[str, str]:
    """The methodologies a model may follow: code → name in the reader's language."""
    table = load_vocabularies(path, version)["methodologies"]
    return {code: _(name) for code, name in zip(table["code"], table["name"])}


def create_section(path: str, version: int, actor: Actor) -> None:
    """The form that creates a model (administrators and editors)."""
    methodologies = methodology_names(path, version)
    with st.expander(_("Create a model"), icon=":material/add:", expanded=False):
        values = editors.model_form(methodologies, key="models_create")
        if values is not None:
            slug = values.pop("slug")
            _write(path, authoring.create_model, actor, slug, **values, done=_("Model created."))


def edit_section(path: str, version: int, actor: Actor, slug: str, elements: pd.DataFrame) -> None:
    """Edit a model and its elements, link lessons and review proposals (administrators and editors)."""
    flash()
    with reading(path) as db:
        model = authoring.model_row(db, slug)
    create_section(path, version, actor)
    methodologies = methodology_names(path, version)
    with st.expander(_("Model details"), icon=":material/edit:"):
        values = editors.model_form(methodologies, key=f"models_edit_{slug}", model=model)
        if values is not None:
            _write(path, authoring.update_model, actor, slug, **values, done=_("Model saved."))
        row = st.container(horizontal=True, gap="small")  # one row of buttons, on a phone too
        if row.button(_("Move up in the list"), key="models_model_up", icon=":material/arrow_upward:"):
            _write(path, authoring.move_model, actor, slug, -1, done=_("Model moved up."))
        if row.button(_("Move down in the list"), key="models_model_down", icon=":material/arrow_downward:"):
            _write(path, authoring.move_model, actor, slug, 1, done=_("Model moved down."))
        retired = bool(model.get("retired_at"))
        if row.button(_("Bring back") if retired else _("Retire"), key="models_retire", icon=":material/archive:"):
            _write(path, authoring.retire_model, actor, slug, not retired, done=_("Done."))
    st.markdown(
        _("**Elements** (editing a model a workshop has voted on makes a new version; the votes stay with theirs)")
    )
    for row in elements.itertuples():
        n = int(row.position)
        with st.container(border=True):
            st.markdown(f"{n}. **{safe(row.name)}** · {_(ELEMENT_KINDS.get(row.kind, N_('Step')))}")
            buttons = st.container(horizontal=True, gap="small")  # short labelled buttons in one row, on a phone too
            if buttons.button(_("Up"), key=f"models_el_{n}_up", icon=":material/arrow_upward:",
                              help=_("Move element {n} up").format(n=n), disabled=n == 1):  # fmt: skip
                _write(path, authoring.move_element, actor, slug, n, -1, done=_("Element moved up."))
            if buttons.button(_("Down"), key=f"models_el_{n}_down", icon=":material/arrow_downward:",
                              help=_("Move element {n} down").format(n=n), disabled=n == len(elements)):  # fmt: skip
                _write(path, authoring.move_element, actor, slug, n, 1, done=_("Element moved down."))
            if buttons.button(_("Remove"), key=f"models_el_{n}_remove", icon=":material/delete:",
                              help=_("Remove element {n} from the model").format(n=n)):  # fmt: skip
                _write(path, authoring.remove_element, actor, slug, n, done=_("Element removed."))
            with st.expander(_("Edit this element")):
                changed = editors.element_form(key="models_el", element=row._asdict())
                if changed is not None:
                    _write(path, authoring.update_element, actor, slug, n, **changed, done=_("Element saved."))
    st.markdown("**" + _("Add an element") + "**")
    added = editors.element_form(key=f"models_add_{slug}")
    if added is not None:
        _write(path, authoring.add_element, actor, slug, added.pop("name"), **added, done=_("Element added."))
    link_section(path, version, actor, elements)
    review_section(path, actor, slug)


#: The two stances of a linked lesson, as the link form offers them ("They support it").
STANCE_CHOICES = {"supports": N_("support it"), "challenges": N_("challenge it")}
#: A proposal's stance, as the review list shows it.
STANCE_LABELS = {"supports": N_("supports"), "challenges": N_("challenges")}


def link_section(path: str, version: int, actor: Actor, elements: pd.DataFrame) -> None:
    """Pick lessons by search and pilot, mark them supporting or challenging an element, with a note. Editors link;
    coordinators propose links for their own pilots' lessons."""
    linking = can(actor, "model.link")
    st.subheader(_("Link lessons") if linking else _("Propose a link"), anchor=False)
    if elements.empty:
        st.caption(_("Add an element first."))
        return
    if not linking:
        st.caption(_("Your proposals count once an editor or administrator accepts them."))
    labels = {int(r.id): f"{r.position}. {r.name}" for r in elements.itertuples()}
    element = st.selectbox(_("Element"), list(labels), format_func=labels.get, key="models_link_element")
    left, right = st.columns(2)
    query = left.text_input(_("Search lessons"), key="models_link_query")
    audience = audience_of(actor).token
    pilots = load_lessons(path, version, audience=audience)[["pilot", "pilot_name"]]
    pilot_names = dict(zip(pilots["pilot"], pilots["pilot_name"]))
    if not linking:
        with reading(path) as db:
            own = pilot_reads.pilot_slugs(db, actor.pilot_ids)
        pilot_names = {k: v for k, v in pilot_names.items() if k in own}
        if not pilot_names:
            st.caption(_("None of your pilots has lessons yet."))
            return
    chosen_pilots = right.multiselect(
        _("Pilots"), list(pilot_names), format_func=pilot_names.get, key="models_link_pilots"
    )
    shown = tuple(chosen_pilots) or tuple(pilot_names)
    found = load_lessons(path, version, query, audience=audience, pilots=shown).head(200)
    options = dict(zip(found["id"].astype(int), found["pilot_name"] + " · " + found["title"]))
    if st.session_state.pop("models_link_reset", False):  # linked: start the next link from an empty choice
        st.session_state["models_link_lessons"], st.session_state["models_link_note"] = [], ""
    picked = st.multiselect(_("Lessons"), list(options), format_func=options.get, key="models_link_lessons")
    stance = st.radio(_("They"), list(STANCE_CHOICES), horizontal=True, key="models_link_stance",
                      format_func={s: _(label) for s, label in STANCE_CHOICES.items()}.get)  # fmt: skip
    note = st.text_input(_("Note (why, in a sentence)"), key="models_link_note")
    if linking:
        label = ngettext("Link {n} lesson", "Link {n} lessons", len(picked)).format(n=number(len(picked)))
    else:
        label = ngettext("Propose {n} lesson", "Propose {n} lessons", len(picked)).format(n=number(len(picked)))
    if st.button(label, key="models_link_go", type="primary", disabled=not picked):
        fn = authoring.link_lessons if linking else authoring.propose_links
        if auth.write(path, fn, actor, element, picked, stance, note) is not None:
            st.session_state["models_flash"] = _("Linked.") if linking else _("Proposed.")
            st.session_state["models_link_reset"] = True  # so the lessons just linked are not linked again
            st.rerun()


def review_section(path: str, actor: Actor, slug: str) -> None:
    """Accept or reject the links coordinators proposed for this model."""
    with reading(path) as db:
        waiting = authoring.proposed_links(db, slug)
    st.subheader(_("Proposed links ({n})").format(n=number(len(waiting))), anchor=False)
    if not waiting:
        st.caption(_("None waiting."))
        return
    labels = {
        i: _("{element} ← {lesson} ({pilot}, {stance}, by {user})").format(
            element=p["element"],
            lesson=p["lesson"],
            pilot=p["pilot"],
            stance=_(STANCE_LABELS.get(p["stance"], p["stance"])),
            user=p["proposed_by"],
        )
        + (f": {p['note']}" if p["note"] else "")
        for i, p in enumerate(waiting)
    }
    picked = st.multiselect(_("Proposals"), list(labels), format_func=labels.get, key="models_review_pick")
    accept, reject = st.columns(2)
    for column, yes in ((accept, True), (reject, False)):
        if column.button(_("Accept") if yes else _("Reject"), key=f"models_review_{'accept' if yes else 'reject'}",
                         disabled=not picked):  # fmt: skip
            with writing(path) as db:
                try:
                    for element in sorted({waiting[i]["element_id"] for i in picked}):
                        lessons = [waiting[i]["lesson_id"] for i in picked if waiting[i]["element_id"] == element]
                        authoring.review_links(db, actor, element, lessons, accept=yes)
                except PermissionError as refused:
                    st.error(_("Not allowed: {reason}").format(reason=safe(refused)))
                    return
            st.session_state["models_flash"] = _("Accepted.") if yes else _("Rejected.")
            st.rerun()
