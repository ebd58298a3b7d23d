"""Contributors on the Contributors page: the list, one contributor (``?contributor=ID``) with what they gave and
where it was reused, and for coordinators and administrators the forms that record contributors, consent and
credits.

A person who has not consented to be named is "A contributor" to every reader but those who record contributors
(:func:`lessons.contributors.shown_name`); user text is shown through :func:`components.widgets.safe` or as table
cells.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import auth, loaders
from components.widgets import readable, safe
from lessons.access import StoreUnavailable, reading, writing
from lessons.contributors import (
    ITEM_KINDS,
    KINDS,
    ROLES,
    add_contributor,
    brief_citations,
    contributions,
    contributor,
    contributors,
    creditable,
    link,
    record_consent,
    unlink,
)
from lessons.permissions import Actor, can

__all__ = [
    "add_form",
    "contributor_list",
    "contributor_page",
    "credit_forms",
    "load_citations",
    "load_contributor",
    "requested_contributor",
]

ITEM_WORDS = {"lesson": "Lesson", "story": "Story", "catalogue": "Catalogue entry"}


def requested_contributor() -> int | None:
    """Return the contributor of the address (``?contributor=ID``), or None."""
    value = st.query_params.get("contributor") or ""
    return int(value) if value.isdigit() else None


def _open(contributor_id: int | None) -> None:
    if contributor_id is None:
        st.query_params.pop("contributor", None)
    else:
        st.query_params["contributor"] = str(contributor_id)


def back_button() -> None:
    """A button back to the list of contributors."""
    st.button(
        "All contributors", key="contributors_back", type="tertiary", on_click=_open, args=(None,),
        icon=":material/arrow_back:",
    )  # fmt: skip


@st.cache_data(ttl=loaders.TTL, max_entries=4, show_spinner=False)
def load_citations(path: str, version: int) -> pd.DataFrame:
    """Which briefs cite each lesson, computed once per data version (it draws every brief) and kept in the store."""
    with writing(path, or_read_only=True) as db:
        try:
            return brief_citations(db)
        except StoreUnavailable:  # a read-only store: counted, not kept
            return brief_citations(db, store=False)


def load_contributor(path: str, contributor_id: int, reader: Actor | None) -> dict | None:
    """One contributor as ``reader`` sees them, with what they gave and where it was reused."""
    with reading(path) as db:
        given = contributions(db, contributor_id)
    citations = None
    if (given["item_kind"] == "lesson").any():
        with st.spinner("Counting the briefs that cite their lessons…"):
            citations = load_citations(path, loaders.data_version(path))
    with reading(path) as db:
        return contributor(db, contributor_id, reader, citations=citations)


def contributor_list(path: str, reader: Actor | None) -> None:
    """List contributors; each name opens their page."""
    with reading(path) as db:
        found = contributors(db, reader)
    if found.empty:
        st.info("No contributor is recorded yet.", icon=":material/groups:")
        return
    st.markdown(f"**{len(found)} {'contributor' if len(found) == 1 else 'contributors'}**")
    for row in found.itertuples():
        with st.container(border=True):
            st.button(
                f"**{safe(row.name)}**", key=f"contributors_open_{row.id}", type="tertiary", on_click=_open,
                args=(int(row.id),), help="What they gave and where it was reused",
            )  # fmt: skip
            organisation = f" · {safe(row.organisation)}" if isinstance(row.organisation, str) else ""
            gave = f"{row.contributions} {'contribution' if row.contributions == 1 else 'contributions'}"
            st.caption(f"{row.kind.capitalize()}{organisation} · {gave}")


def contributor_page(loaded: dict, reader: Actor | None) -> None:
    """Draw one contributor: who, what they gave, and where it was reused."""
    st.title(safe(loaded["name"]), anchor=False)
    organisation = f" · {safe(loaded['organisation'])}" if loaded.get("organisation") else ""
    st.caption(f"{loaded['kind'].capitalize()}{organisation}")
    if can(reader, "contributor.edit") and loaded["kind"] == "person":
        st.caption(
            f"Consent to be named: given on {safe(loaded['consent_date'])}, recorded by {safe(loaded['consent_recorded_by'])}"
            if loaded["consent"]
            else "Consent to be named: not recorded — shown to readers as “A contributor”."
        )
    totals = loaded["totals"]

    def count(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    with st.container(border=True):
        st.markdown(
            f"- **Gave** {count(totals['lessons'], 'lesson', 'lessons')}, "
            f"{count(totals['stories'], 'story', 'stories')} and "
            f"{count(totals['catalogue'], 'catalogue entry', 'catalogue entries')}\n"
            f"- **Cited** {count(totals['briefs'], 'time', 'times')} in briefs other than their own pilot's\n"
            f"- **Agreed in workshops:** {count(totals['consensus'], 'statement', 'statements')} drawn from "
            "their lessons reached consensus"
        )
        st.caption("Use of catalogue entries by other pilots is not counted yet.")
    items = loaded["items"]
    if items.empty:
        st.info("No contribution is recorded for them yet.", icon=":material/info:")
        return
    table = items.assign(item_kind=items["item_kind"].map(ITEM_WORDS))
    st.dataframe(
        readable(
            table,
            {
                "item_kind": "What",
                "title": "Title",
                "pilot_name": "Pilot",
                "role": "Role",
                "briefs": "Cited in briefs",
                "consensus": "Statements agreed",
            },
        ),
        hide_index=True,
        width="stretch",
    )


def add_form(path: str, actor: Actor | None) -> None:
    """For coordinators and administrators: record a contributor, with their consent when given."""
    if not can(actor, "contributor.edit"):
        return
    with st.expander("Add a contributor", icon=":material/person_add:"):
        with st.form("contributors_add", clear_on_submit=True):
            name = st.text_input("Name", key="contributors_name")
            kind = st.radio("A", KINDS, format_func=str.capitalize, horizontal=True, key="contributors_kind")
            organisation = st.text_input("Organisation (for a person)", key="contributors_organisation")
            consent = st.checkbox("They agreed to be named publicly", key="contributors_consent")
            when = st.date_input("Date of consent", value=date.today(), key="contributors_consent_date")
            sent = st.form_submit_button("Add the contributor", icon=":material/add:")
        if sent:
            new = auth.write(
                path, add_contributor, actor, name=name, kind=kind, organisation=organisation, consent=consent,
                consent_date=when.isoformat(),
            )  # fmt: skip
            if new:
                _open(int(new))
                st.rerun()


def credit_forms(path: str, actor: Actor | None, loaded: dict) -> None:
    """For coordinators and administrators: record consent, credit the contributor with an item, remove a credit."""
    if not can(actor, "contributor.edit"):
        return
    with st.expander("Record consent and credits", icon=":material/edit:"):
        if loaded["kind"] == "person":
            with st.form("contributors_consent_form"):
                given = st.checkbox("They agree to be named publicly", value=bool(loaded["consent"]))
                when = st.date_input("Date", value=date.today(), key="contributors_consent_when")
                if st.form_submit_button("Record consent"):
                    if auth.write(path, record_consent, actor, loaded["id"], given, when.isoformat()):
                        st.rerun()
        with reading(path) as db:
            choices = creditable(db, actor)
        with st.form("contributors_link_form", clear_on_submit=True):
            kind = st.selectbox("What they gave", ITEM_KINDS, format_func=ITEM_WORDS.get, key="contributors_item_kind")
            options = choices[choices["item_kind"].isin(["lesson", "story"])]
            labels = dict(zip(options["item_kind"] + ":" + options["item_id"], options["label"]))
            item = st.selectbox(
                "The lesson or story", list(labels), format_func=labels.get, index=None, key="contributors_item"
            )
            code = st.text_input("Or the catalogue entry's code", key="contributors_code")
            role = st.selectbox("Role", ROLES, accept_new_options=True, key="contributors_role")
            if st.form_submit_button("Credit them"):
                if kind == "catalogue":
                    chosen_kind, chosen_id = "catalogue", code
                elif item and item.split(":")[0] == kind:
                    chosen_kind, chosen_id = item.split(":")
                else:
                    st.error(f"Choose a {kind} from the list.")
                    return
                if auth.write(path, link, actor, loaded["id"], chosen_kind, chosen_id, role or ""):
                    st.rerun()
        for row in loaded["items"].itertuples():
            if st.button(
                f"Remove: {ITEM_WORDS[row.item_kind]} {safe(row.title)} ({safe(row.role)})",
                key=f"contributors_unlink_{row.id}",
                type="tertiary",
                icon=":material/link_off:",
            ):
                if auth.write(path, unlink, actor, int(row.id)):
                    st.rerun()
