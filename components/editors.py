"""Forms that collect edits. They only gather values; pages pass them to the domain, which checks and writes."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import auth, loaders
from components.widgets import KIND_LABELS, STATUS_LABELS
from lessons.i18n import N_, _
from lessons.lifecycle import DECISION_LABELS, change_status
from lessons.permissions import ROLE_LABELS, ROLES
from lessons.store import EVIDENCE_STRENGTHS, KINDS
from lessons.visibility import LEVEL_LABELS, LEVELS

_TEXT_FIELDS = {
    "name": N_("Name"),
    "region": N_("Region"),
    "city": N_("City"),
    "service_area": N_("Service area"),
    "target_groups": N_("Target groups"),
    "project": N_("Project"),
    "lead_organisation": N_("Lead organisation"),
}
#: Each field a pilot or lesson edit may change, named as the forms name it (the "Saved: …" message lists them).
FIELD_LABELS = _TEXT_FIELDS | {
    "country": N_("Country"),
    "methodology": N_("Methodology"),
    "start_date": N_("Start date"),
    "end_date": N_("End date"),
    "summary": N_("Summary"),
    "visibility": N_("Who can see it"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
    "title": N_("Title"),
    "lesson": N_("What was learned"),
    "context": N_("Context"),
    "recommendation": N_("Recommendation"),
    "kind": N_("Kind"),
    "phase": N_("Co-creation phase"),
    "evidence_source": N_("Evidence: source"),
    "evidence_strength": N_("Evidence: strength"),
    "language": N_("Language"),
    "recorded_on": N_("Recorded on"),
    "themes": N_("Themes"),
    "groups": N_("Stakeholder groups concerned"),
    "stakeholders": N_("Stakeholders this lesson concerns"),
}
#: Evidence strengths as the form offers them.
STRENGTH_LABELS = {
    "anecdotal": N_("Anecdotal"), "observed": N_("Observed"), "measured": N_("Measured"), "evaluated": N_("Evaluated"),
}  # fmt: skip


def changed_fields(changed: dict) -> str:
    """Say what an edit saved: the fields that changed, by their form labels, or that nothing had changed."""
    if not changed:
        return _("Saved: nothing had changed.")
    return _("Saved: {fields}.").format(fields=", ".join(_(FIELD_LABELS.get(f, f)) for f in changed))


def _labels(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["code"], frame["name"]))


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _degrees(value) -> str:
    """A stored coordinate as the form shows it (empty when there is none)."""
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):.6f}".rstrip("0").rstrip(".")


def _sector_in_reader_language(label: str) -> str:
    """A stakeholder's "name (sector)" with the sector, a built-in label, in the reader's language."""
    name, bracket, sector = label.rpartition(" (")
    return f"{name} ({_(sector[:-1])})" if bracket and sector.endswith(")") else label


def optional_select(container, label: str, labels: dict[str, str], current: str | None) -> str | None:
    """A selectbox over ``labels`` (code → label) with an empty choice "—" first, preset to ``current``."""
    options = [None, *labels]
    return container.selectbox(
        label,
        options,
        index=options.index(current) if current in options else 0,
        format_func={None: "—", **{c: _(label) for c, label in labels.items()}}.get,
    )


def visibility_select(where, current: str | None, *, help: str) -> str:
    """Choose who can see a pilot or a lesson (:data:`lessons.visibility.LEVELS`); ``help`` says what it means."""
    return where.selectbox(
        _("Who can see it"),
        list(LEVELS),
        index=LEVELS.index(current) if current in LEVELS else 0,
        format_func={level: _(LEVEL_LABELS.english(level)) for level in LEVELS}.get,
        help=help,
    )


def pilot_facts_form(pilot: dict, vocab: dict, *, key: str) -> dict | None:
    """The pilot's facts; returns the submitted values, or None until the form is submitted."""
    methodologies = _labels(vocab["methodologies"])
    with st.form(f"{key}_facts_{pilot['id']}"):
        values = {field: st.text_input(_(label), value=pilot.get(field) or "") for field, label in _TEXT_FIELDS.items()}
        values["country"] = st.text_input(
            _("Country (ISO two-letter code)"), value=pilot.get("country") or "", max_chars=2, help=_("e.g. FI, PT, BE")
        ).upper()
        values["methodology"] = optional_select(st, _("Methodology"), methodologies, pilot.get("methodology"))
        left, right = st.columns(2)
        start = left.date_input(_("Start date"), value=_date(pilot.get("start_date")), format="YYYY-MM-DD")
        end = right.date_input(_("End date"), value=_date(pilot.get("end_date")), format="YYYY-MM-DD")
        st.markdown(_("**Place on the map**"))
        st.caption(
            _(
                "The pilot's city in decimal degrees (WGS 84), as a map service shows it. Leave both empty to place "
                "the pilot at its country's centre."
            )
        )
        left, right = st.columns(2)
        values["latitude"] = left.text_input(
            _("Latitude"), value=_degrees(pilot.get("latitude")), placeholder=_("e.g. 61.4978"),
            help=_("From -90 (south) to 90 (north)")
        )  # fmt: skip
        values["longitude"] = right.text_input(
            _("Longitude"), value=_degrees(pilot.get("longitude")), placeholder=_("e.g. 23.7610"),
            help=_("From -180 (west) to 180 (east)")
        )  # fmt: skip
        values["summary"] = st.text_area(_("Summary"), value=pilot.get("summary") or "")
        values["visibility"] = visibility_select(
            st,
            pilot.get("visibility"),
            help=_(
                "Who can see this pilot and all it holds: anyone, signed-in users of the consortium, or only this "
                "pilot's coordinators and the administrators."
            ),
        )
        if not st.form_submit_button(_("Save pilot facts"), type="primary"):
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
            "title": st.text_input(_("Title"), value=lesson["title"]),
            "lesson": st.text_area(_("What was learned"), value=lesson["lesson"] or "", height=140),
            "context": st.text_area(_("Context"), value=lesson.get("context") or ""),
            "recommendation": st.text_area(_("Recommendation"), value=lesson.get("recommendation") or ""),
        }
        left, middle, right = st.columns(3)
        fields["kind"] = left.selectbox(
            _("Kind"),
            KINDS,
            index=KINDS.index(lesson["kind"]),
            format_func={k: _(KIND_LABELS.english(k, k)) for k in KINDS}.get,
        )
        middle.text_input(
            _("Status"), value=_(STATUS_LABELS.get(lesson["status"], lesson["status"])), disabled=True,
            help=_("The status changes along the lifecycle, below: not by editing"),
        )  # fmt: skip
        fields["phase"] = optional_select(right, _("Co-creation phase"), phases, lesson.get("phase"))
        help_ = _(
            "Who can see this lesson: anyone, signed-in users of the consortium, or only this pilot's coordinators "
            "and the administrators."
        )
        if lesson["status"] == "draft":
            help_ += " " + _("While it is a draft, only signed-in users see it, whatever is chosen here.")
        fields["visibility"] = visibility_select(st, lesson.get("visibility"), help=help_)
        chosen_themes = st.multiselect(
            _("Themes"), list(themes), default=lesson["theme_codes"], format_func={t: _(name) for t, name in themes.items()}.get,
            max_selections=5,
        )  # fmt: skip
        chosen_groups = st.multiselect(
            _("Stakeholder groups concerned"), list(sectors), default=lesson["group_codes"],
            format_func={g: _(name) for g, name in sectors.items()}.get,
        )  # fmt: skip
        chosen_actors = None
        if actors:
            chosen_actors = st.multiselect(
                _("Stakeholders this lesson concerns"),
                list(actors),
                default=[a["key"] for a in lesson.get("actors") or [] if a["key"] in actors],
                format_func={key: _sector_in_reader_language(label) for key, label in actors.items()}.get,
                help=_("The pilot's stakeholders (from its Stakeholders sheet) that the lesson is about"),
            )
        left, right = st.columns([2, 1])
        fields["evidence_source"] = left.text_input(_("Evidence: source"), value=lesson.get("evidence_source") or "")
        fields["evidence_strength"] = optional_select(
            right,
            _("Evidence: strength"),
            {s: STRENGTH_LABELS.get(s, s) for s in EVIDENCE_STRENGTHS},
            lesson.get("evidence_strength"),
        )
        if not st.form_submit_button(_("Save lesson"), type="primary"):
            return None
    return fields, chosen_themes, chosen_groups, chosen_actors


#: What the status form says when the signed-in user may not move the lesson on, by its status.
NEXT_STEP = {
    "draft": N_("The coordinator of this pilot or an administrator submits it for validation."),
    "submitted": N_(
        "A workshop validates or contests it: a facilitator runs a workshop on it, then applies its results."
    ),
    "validated": N_("An administrator or an editor may endorse it, or record that it was applied elsewhere."),
    "contested": N_("Only a new workshop's results change a contested lesson."),
    "endorsed": N_("An administrator or an editor may record that it was applied elsewhere."),
    "applied_elsewhere": N_("This is the last step of the lifecycle."),
}


def status_change_form(lesson: dict, allowed: list[str], *, key: str) -> dict | None:
    """The changes of status the signed-in user may make (``allowed``: status codes from
    ``lessons.lifecycle.allowed_changes``) with the fields each needs; returns the keyword arguments of
    ``change_status`` (status, reason, where, on, note) once submitted, else None."""
    status = lesson["status"]
    st.markdown(_("**Status: {status}**").format(status=_(STATUS_LABELS.get(status, status))))
    if not allowed:
        caption = _("You cannot change this lesson's status.")
        st.caption(f"{caption} {_(NEXT_STEP[status])}" if status in NEXT_STEP else caption)
        return None
    with st.form(f"{key}_status_{lesson['id']}", clear_on_submit=True):
        choice = st.radio(
            _("Change the status"),
            allowed,
            format_func={d: _(DECISION_LABELS.english(d, d)) for d in allowed}.get,
            horizontal=True,
        )
        values = {"reason": st.text_input(_("Reason"), help=_("Why; required to endorse. Shown with the lesson."))}
        if "applied_elsewhere" in allowed:
            values["where"] = st.text_input(
                _("Where it was applied"),
                help=_("A pilot's slug or name, or an organisation (applied elsewhere only)"),
            )
            values["on"] = st.date_input(_("When it was applied"), value=None, format="YYYY-MM-DD")
            values["note"] = st.text_area(_("How it was applied"), height=80)
        if not st.form_submit_button(_("Change the status")):
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
            values["username"] = st.text_input(_("User name"), help=_("2–40 letters, digits, dots, dashes or @"))
        values["display_name"] = st.text_input(_("Display name"), value=(user or {}).get("display_name") or "")
        values["email"] = st.text_input(
            _("E-mail (for single sign-on, optional)"), value=(user or {}).get("email") or ""
        )
        role = (user or {}).get("role") or "viewer"
        values["role"] = st.selectbox(
            _("Role"), ROLES, index=ROLES.index(role), format_func={r: _(ROLE_LABELS.english(r, r)) for r in ROLES}.get
        )
        assigned = (user or {}).get("pilots")
        current = [s for s in assigned.split(", ") if s in slugs] if isinstance(assigned, str) else []
        values["pilots"] = st.multiselect(
            _("Pilots this coordinator may change"), list(slugs), default=current, format_func=slugs.get,
            help=_("Only for coordinators"),
        )  # fmt: skip
        if not new:
            values["active"] = st.checkbox(_("Active (may sign in)"), value=bool(user["active"]))
        values["password"] = st.text_input(
            _("Password") if new else _("New password (leave empty to keep the current one)"),
            type="password",
            autocomplete="new-password",
            help=_("At least 10 characters, not containing the user name"),
        )
        label = _("Create account") if new else _("Save changes")
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
                _("Short name"), help=_("lower-case letters, digits and hyphens, e.g. local-champions; used in links"),
                key=f"{form}_slug",
            )  # fmt: skip
        values["name"] = st.text_input(_("Name"), value=model.get("name") or "", key=f"{form}_name")
        values["description"] = st.text_area(_("Description"), value=model.get("summary") or "", key=f"{form}_text")
        values["methodology"] = optional_select(st, _("Methodology"), methodologies, model.get("methodology"))
        values["source"] = st.text_input(
            _("Source (publication or project)"), value=model.get("source") or "", key=f"{form}_source"
        )
        if not st.form_submit_button(_("Create model") if new else _("Save model"), type="primary"):
            return None
    return values


def element_form(*, key: str, element: dict | None = None) -> dict | None:
    """A new element (``element`` None) or changes to one: name, kind, description; returns them once submitted."""
    new = element is None
    element = element or {}
    kinds = {"principle": _("Principle"), "step": _("Step")}
    form = f"{key}_{'new' if new else 'edit_' + str(element['id'])}"
    with st.form(form, clear_on_submit=new):
        values = {"name": st.text_input(_("Title"), value=element.get("name") or "", key=f"{form}_name")}
        values["kind"] = st.radio(
            _("Kind"), list(kinds), index=list(kinds).index(element.get("kind") or "principle"),
            format_func=kinds.get, horizontal=True, key=f"{form}_kind",
        )  # fmt: skip
        description = element.get("description")
        values["description"] = st.text_area(
            _("Description"), value=description if isinstance(description, str) else "", key=f"{form}_text"
        )
        if not st.form_submit_button(_("Add element") if new else _("Save element"), type="primary"):
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
