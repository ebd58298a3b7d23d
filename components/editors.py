"""Forms that collect edits. They only gather values; pages pass them to the domain, which checks and writes."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import auth, loaders
from components.widgets import KIND_LABELS, STATUS_LABELS
from lessons.lifecycle import DECISION_LABELS, change_status
from lessons.permissions import ROLE_LABELS, ROLES
from lessons.store import EVIDENCE_STRENGTHS, KINDS
from lessons.visibility import LEVEL_LABELS, LEVELS

_TEXT_FIELDS = {
    "name": "Name",
    "region": "Region",
    "city": "City",
    "service_area": "Service area",
    "target_groups": "Target groups",
    "project": "Project",
    "lead_organisation": "Lead organisation",
}


def _labels(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["code"], frame["name"]))


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def optional_select(container, label: str, labels: dict[str, str], current: str | None) -> str | None:
    """A selectbox over ``labels`` (code → label) with an empty choice "—" first, preset to ``current``."""
    options = [None, *labels]
    return container.selectbox(
        label,
        options,
        index=options.index(current) if current in options else 0,
        format_func=lambda c: "—" if c is None else labels[c],
    )


def visibility_select(where, current: str | None, *, what: str, draft: bool = False) -> str:
    """Choose who can see a pilot or a lesson (:data:`lessons.visibility.LEVELS`), with what the choice means."""
    note = " While it is a draft, only signed-in users see it, whatever is chosen here." if draft else ""
    return where.selectbox(
        "Who can see it",
        list(LEVELS),
        index=LEVELS.index(current) if current in LEVELS else 0,
        format_func=LEVEL_LABELS.get,
        help=f"Who can see {what}: anyone, signed-in users of the consortium, or only this pilot's coordinators and "
        f"the administrators.{note}",
    )


def pilot_facts_form(pilot: dict, vocab: dict, *, key: str) -> dict | None:
    """The pilot's facts; returns the submitted values, or None until the form is submitted."""
    methodologies = _labels(vocab["methodologies"])
    with st.form(f"{key}_facts_{pilot['id']}"):
        values = {field: st.text_input(label, value=pilot.get(field) or "") for field, label in _TEXT_FIELDS.items()}
        values["country"] = st.text_input(
            "Country (ISO two-letter code)", value=pilot.get("country") or "", max_chars=2, help="e.g. FI, PT, BE"
        ).upper()
        values["methodology"] = optional_select(st, "Methodology", methodologies, pilot.get("methodology"))
        left, right = st.columns(2)
        start = left.date_input("Start date", value=_date(pilot.get("start_date")), format="YYYY-MM-DD")
        end = right.date_input("End date", value=_date(pilot.get("end_date")), format="YYYY-MM-DD")
        values["summary"] = st.text_area("Summary", value=pilot.get("summary") or "")
        values["visibility"] = visibility_select(st, pilot.get("visibility"), what="this pilot and all it holds")
        if not st.form_submit_button("Save pilot facts", type="primary"):
            return None
    values["start_date"] = start.isoformat() if start else None
    values["end_date"] = end.isoformat() if end else None
    return values


def lesson_form(
    lesson: dict, vocab: dict, *, key: str, actors: dict[str, str] | None = None
) -> tuple[dict, list[str], list[str], list[str] | None] | None:
    """One lesson's fields, themes, stakeholder groups and the pilot's stakeholders it concerns (``actors``: key →
    name); returns (fields, themes, groups, stakeholder keys or None when no actors were offered) once submitted."""
    themes, phases, sectors = (_labels(vocab[k]) for k in ("themes", "phases", "groups"))
    themes |= dict(zip(lesson["theme_codes"], lesson.get("themes") or lesson["theme_codes"]))  # retired ones it has
    with st.form(f"{key}_lesson_{lesson['id']}"):
        fields = {
            "title": st.text_input("Title", value=lesson["title"]),
            "lesson": st.text_area("What was learned", value=lesson["lesson"] or "", height=140),
            "context": st.text_area("Context", value=lesson.get("context") or ""),
            "recommendation": st.text_area("Recommendation", value=lesson.get("recommendation") or ""),
        }
        left, middle, right = st.columns(3)
        fields["kind"] = left.selectbox("Kind", KINDS, index=KINDS.index(lesson["kind"]), format_func=KIND_LABELS.get)
        middle.text_input(
            "Status", value=STATUS_LABELS.get(lesson["status"], lesson["status"]), disabled=True,
            help="The status changes along the lifecycle, below: not by editing",
        )  # fmt: skip
        fields["phase"] = optional_select(right, "Co-creation phase", phases, lesson.get("phase"))
        fields["visibility"] = visibility_select(
            st, lesson.get("visibility"), what="this lesson", draft=lesson["status"] == "draft"
        )
        chosen_themes = st.multiselect(
            "Themes", list(themes), default=lesson["theme_codes"], format_func=themes.get, max_selections=5
        )
        chosen_groups = st.multiselect(
            "Stakeholder groups concerned", list(sectors), default=lesson["group_codes"], format_func=sectors.get
        )
        chosen_actors = None
        if actors:
            chosen_actors = st.multiselect(
                "Stakeholders this lesson concerns",
                list(actors),
                default=[a["key"] for a in lesson.get("actors") or [] if a["key"] in actors],
                format_func=actors.get,
                help="The pilot's stakeholders (from its Stakeholders sheet) that the lesson is about",
            )
        left, right = st.columns([2, 1])
        fields["evidence_source"] = left.text_input("Evidence: source", value=lesson.get("evidence_source") or "")
        fields["evidence_strength"] = optional_select(
            right,
            "Evidence: strength",
            {s: s.capitalize() for s in EVIDENCE_STRENGTHS},
            lesson.get("evidence_strength"),
        )
        if not st.form_submit_button("Save lesson", type="primary"):
            return None
    return fields, chosen_themes, chosen_groups, chosen_actors


#: What the status form says when the signed-in user may not move the lesson on, by its status.
NEXT_STEP = {
    "draft": "The coordinator of this pilot or an administrator submits it for validation.",
    "submitted": "A workshop validates or contests it: a facilitator runs a workshop on it, then applies its results.",
    "validated": "An administrator or an editor may endorse it, or record that it was applied elsewhere.",
    "contested": "Only a new workshop's results change a contested lesson.",
    "endorsed": "An administrator or an editor may record that it was applied elsewhere.",
    "applied_elsewhere": "This is the last step of the lifecycle.",
}


def status_change_form(lesson: dict, allowed: list[str], *, key: str) -> dict | None:
    """The changes of status the signed-in user may make (``allowed``: status codes from
    ``lessons.lifecycle.allowed_changes``) with the fields each needs; returns the keyword arguments of
    ``change_status`` (status, reason, where, on, note) once submitted, else None."""
    status = lesson["status"]
    st.markdown(f"**Status: {STATUS_LABELS.get(status, status)}**")
    if not allowed:
        st.caption(f"You cannot change this lesson's status. {NEXT_STEP.get(status, '')}")
        return None
    with st.form(f"{key}_status_{lesson['id']}", clear_on_submit=True):
        choice = st.radio("Change the status", allowed, format_func=DECISION_LABELS.get, horizontal=True)
        values = {"reason": st.text_input("Reason", help="Why; required to endorse. Shown with the lesson.")}
        if "applied_elsewhere" in allowed:
            values["where"] = st.text_input(
                "Where it was applied", help="A pilot's slug or name, or an organisation (applied elsewhere only)"
            )
            values["on"] = st.date_input("When it was applied", value=None, format="YYYY-MM-DD")
            values["note"] = st.text_area("How it was applied", height=80)
        if not st.form_submit_button("Change the status"):
            return None
    if choice != "applied_elsewhere":
        values = {"reason": values["reason"]}
    return {"status": choice, **{k: v for k, v in values.items() if v not in (None, "")}}


def account_form(pilots: pd.DataFrame, *, key: str, user: dict | None = None) -> dict | None:
    """A new account (``user`` None) or changes to one; returns the values once submitted."""
    slugs = dict(zip(pilots["slug"], pilots["name"]))
    new = user is None
    with st.form(f"{key}_{'add' if new else 'edit_' + user['username']}", clear_on_submit=new):
        values = {}
        if new:
            values["username"] = st.text_input("User name", help="2–40 letters, digits, dots, dashes or @")
        values["display_name"] = st.text_input("Display name", value=(user or {}).get("display_name") or "")
        values["email"] = st.text_input("E-mail (for single sign-on, optional)", value=(user or {}).get("email") or "")
        role = (user or {}).get("role") or "viewer"
        values["role"] = st.selectbox("Role", ROLES, index=ROLES.index(role), format_func=ROLE_LABELS.get)
        assigned = (user or {}).get("pilots")
        current = [s for s in assigned.split(", ") if s in slugs] if isinstance(assigned, str) else []
        values["pilots"] = st.multiselect(
            "Pilots this coordinator may change", list(slugs), default=current, format_func=slugs.get,
            help="Only for coordinators",
        )  # fmt: skip
        if not new:
            values["active"] = st.checkbox("Active (may sign in)", value=bool(user["active"]))
        values["password"] = st.text_input(
            "Password" if new else "New password (leave empty to keep the current one)",
            type="password",
            autocomplete="new-password",
            help="At least 10 characters, not containing the user name",
        )
        label = "Create account" if new else "Save changes"
        if not st.form_submit_button(label, type="primary"):
            return None
    if values["role"] != "coordinator":
        values["pilots"] = []
    return values


def model_form(methodologies: dict[str, str], *, key: str, model: dict | None = None) -> dict | None:
    """A new governance model (``model`` None) or changes to one; returns the values once submitted."""
    new = model is None
    model = model or {}
    form = f"{key}_{'new' if new else 'edit'}"
    with st.form(form, clear_on_submit=new):
        values = {}
        if new:
            values["slug"] = st.text_input(
                "Short name", help="lower-case letters, digits and hyphens, e.g. local-champions; used in links",
                key=f"{form}_slug",
            )  # fmt: skip
        values["name"] = st.text_input("Name", value=model.get("name") or "", key=f"{form}_name")
        values["description"] = st.text_area("Description", value=model.get("summary") or "", key=f"{form}_text")
        values["methodology"] = optional_select(st, "Methodology", methodologies, model.get("methodology"))
        values["source"] = st.text_input(
            "Source (publication or project)", value=model.get("source") or "", key=f"{form}_source"
        )
        if not st.form_submit_button("Create model" if new else "Save model", type="primary"):
            return None
    return values


def element_form(*, key: str, element: dict | None = None) -> dict | None:
    """A new element (``element`` None) or changes to one: name, kind, description; returns them once submitted."""
    new = element is None
    element = element or {}
    kinds = {"principle": "Principle", "step": "Step"}
    form = f"{key}_{'new' if new else 'edit_' + str(element['id'])}"
    with st.form(form, clear_on_submit=new):
        values = {"name": st.text_input("Title", value=element.get("name") or "", key=f"{form}_name")}
        values["kind"] = st.radio(
            "Kind", list(kinds), index=list(kinds).index(element.get("kind") or "principle"),
            format_func=kinds.get, horizontal=True, key=f"{form}_kind",
        )  # fmt: skip
        description = element.get("description")
        values["description"] = st.text_area(
            "Description", value=description if isinstance(description, str) else "", key=f"{form}_text"
        )
        if not st.form_submit_button("Add element" if new else "Save element", type="primary"):
            return None
    return values


def lesson_status_section(path: str):
    """A section for a lesson's page: the status changes the signed-in user may make there (an editor endorsing,
    a coordinator submitting, …), by the same rules as everywhere (``lessons.lifecycle``); nothing for others."""

    def section(detail: dict) -> None:
        actor = auth.current_actor(path)
        allowed = loaders.load_status_changes(path, actor, int(detail["id"])) if actor else []
        if not allowed:
            return
        change = status_change_form(detail, allowed, key="lessons")
        if change is not None and auth.write(path, change_status, actor, int(detail["id"]), **change) is not None:
            st.rerun()  # the page shows the new status and its place in the history

    return section
