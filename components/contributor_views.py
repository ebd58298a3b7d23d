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
    UNNAMED,
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
from lessons.i18n import N_, Labels, _, day, ngettext, number
from lessons.permissions import Actor, can
from lessons.visibility import audience_of

__all__ = [
    "add_form",
    "contributor_list",
    "contributor_page",
    "credit_forms",
    "load_citations",
    "load_contributor",
    "requested_contributor",
]

ITEM_WORDS = Labels({"lesson": N_("Lesson"), "story": N_("Story"), "catalogue": N_("Catalogue entry")})
KIND_WORDS = Labels({"person": N_("Person"), "organisation": N_("Organisation")})
#: The roles the page offers, as shown (a role typed in is shown as written).
ROLE_WORDS = Labels(
    {
        "author": N_("author"),
        "co-producer": N_("co-producer"),
        "translator": N_("translator"),
        "reviewer": N_("reviewer"),
        "photographer": N_("photographer"),
    }
)
#: The name a person who has not consented to be named goes by (``lessons.contributors.UNNAMED``), as shown.
UNNAMED_WORDS = N_("A contributor")


def shown(name: str) -> str:
    """A contributor's name as shown: the unnamed contributor in the reader's language, any other name as written.

    ``lessons.contributors.shown_name`` translates it already; a name read in English is translated here."""
    return _(UNNAMED_WORDS) if name == UNNAMED else name


def role_word(role) -> str:
    """A role as shown: an offered role in the reader's language, any other as written."""
    return ROLE_WORDS.get(role, role) if isinstance(role, str) else ""


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
        _("All contributors"), key="contributors_back", type="tertiary", on_click=_open, args=(None,),
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
    audience = audience_of(reader).token  # what they gave that this reader may see
    with reading(path, audience) as db:
        given = contributions(db, contributor_id)
    citations = None
    if (given["item_kind"] == "lesson").any():
        with st.spinner(_("Counting the briefs that cite their lessons…")):
            citations = load_citations(path, loaders.data_version(path))
    with reading(path, audience) as db:
        return contributor(db, contributor_id, reader, citations=citations)


def contributor_list(path: str, reader: Actor | None) -> None:
    """List contributors; each name opens their page (their contributions counted among what ``reader`` may see)."""
    with reading(path, audience_of(reader).token) as db:
        found = contributors(db, reader)
    if found.empty:
        st.info(_("No contributor is recorded yet."), icon=":material/groups:")
        return
    st.markdown(ngettext("**{n} contributor**", "**{n} contributors**", len(found)).format(n=number(len(found))))
    for row in found.itertuples():
        with st.container(border=True):
            st.button(
                f"**{safe(shown(row.name))}**", key=f"contributors_open_{row.id}", type="tertiary", on_click=_open,
                args=(int(row.id),), help=_("What they gave and where it was reused"),
            )  # fmt: skip
            organisation = f" · {safe(row.organisation)}" if isinstance(row.organisation, str) else ""
            gave = ngettext("{n} contribution", "{n} contributions", row.contributions).format(
                n=number(row.contributions)
            )
            st.caption(f"{KIND_WORDS.get(row.kind, row.kind)}{organisation} · {gave}")


def contributor_page(loaded: dict, reader: Actor | None) -> None:
    """Draw one contributor: who, what they gave, and where it was reused."""
    st.title(safe(shown(loaded["name"])), anchor=False)
    organisation = f" · {safe(loaded['organisation'])}" if loaded.get("organisation") else ""
    st.caption(f"{KIND_WORDS.get(loaded['kind'], loaded['kind'])}{organisation}")
    if can(reader, "contributor.edit") and loaded["kind"] == "person":
        st.caption(
            _("Consent to be named: given on {date}, recorded by {who}").format(
                date=safe(day(loaded["consent_date"])), who=safe(loaded["consent_recorded_by"])
            )
            if loaded["consent"]
            else _("Consent to be named: not recorded — shown to readers as “{unnamed}”.").format(
                unnamed=_(UNNAMED_WORDS)
            )
        )
    totals = loaded["totals"]
    gave = _("**Gave** {lessons}, {stories} and {entries}").format(
        lessons=ngettext("{n} lesson", "{n} lessons", totals["lessons"]).format(n=number(totals["lessons"])),
        stories=ngettext("{n} story", "{n} stories", totals["stories"]).format(n=number(totals["stories"])),
        entries=ngettext("{n} catalogue entry", "{n} catalogue entries", totals["catalogue"]).format(
            n=number(totals["catalogue"])
        ),
    )
    cited = ngettext(
        "**Cited** {n} time in briefs other than their own pilot's",
        "**Cited** {n} times in briefs other than their own pilot's",
        totals["briefs"],
    ).format(n=number(totals["briefs"]))
    agreed = ngettext(
        "**Agreed in workshops:** {n} statement drawn from their lessons reached consensus",
        "**Agreed in workshops:** {n} statements drawn from their lessons reached consensus",
        totals["consensus"],
    ).format(n=number(totals["consensus"]))
    used = ngettext(
        "**Used by pilots:** their catalogue entries by {n} pilot (a method or tool linked to a pilot or to one of "
        "its lessons)",
        "**Used by pilots:** their catalogue entries by {n} pilots (a method or tool linked to a pilot or to one of "
        "its lessons)",
        totals["pilots"],
    ).format(n=number(totals["pilots"]))
    with st.container(border=True):
        st.markdown("\n".join(f"- {line}" for line in (gave, cited, agreed, used)))
    items = loaded["items"]
    if items.empty:
        st.info(_("No contribution is recorded for them yet."), icon=":material/info:")
        return
    table = items.assign(item_kind=items["item_kind"].map(ITEM_WORDS), role=items["role"].map(role_word))
    st.dataframe(
        readable(
            table,
            {
                "item_kind": _("What"),
                "title": _("Title"),
                "pilot_name": _("Pilot"),
                "role": _("Role"),
                "briefs": _("Cited in briefs"),
                "consensus": _("Statements agreed"),
                "pilots": _("Pilots that used it"),
            },
        ),
        hide_index=True,
        width="stretch",
    )


def add_form(path: str, actor: Actor | None) -> None:
    """For coordinators and administrators: record a contributor, with their consent when given."""
    if not can(actor, "contributor.edit"):
        return
    with st.expander(_("Add a contributor"), icon=":material/person_add:"):
        with st.form("contributors_add", clear_on_submit=True):
            name = st.text_input(_("Name"), key="contributors_name")
            kind = st.radio(
                _("A person or an organisation"), KINDS, format_func=dict(KIND_WORDS.items()).get, horizontal=True,
                key="contributors_kind",
            )  # fmt: skip
            organisation = st.text_input(_("Organisation (for a person)"), key="contributors_organisation")
            consent = st.checkbox(_("They agreed to be named publicly"), key="contributors_consent")
            when = st.date_input(_("Date of consent"), value=date.today(), key="contributors_consent_date")
            sent = st.form_submit_button(_("Add the contributor"), icon=":material/add:")
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
    with st.expander(_("Record consent and credits"), icon=":material/edit:"):
        if loaded["kind"] == "person":
            with st.form("contributors_consent_form"):
                given = st.checkbox(_("They agree to be named publicly"), value=bool(loaded["consent"]))
                when = st.date_input(_("Date"), value=date.today(), key="contributors_consent_when")
                if st.form_submit_button(_("Record consent")):
                    if auth.write(path, record_consent, actor, loaded["id"], given, when.isoformat()):
                        st.rerun()
        with reading(path) as db:
            choices = creditable(db, actor)
        with st.form("contributors_link_form", clear_on_submit=True):
            kind = st.selectbox(
                _("What they gave"), ITEM_KINDS, format_func=dict(ITEM_WORDS.items()).get, key="contributors_item_kind"
            )
            options = choices[choices["item_kind"].isin(["lesson", "story"])]
            labels = dict(zip(options["item_kind"] + ":" + options["item_id"], options["label"]))
            item = st.selectbox(
                _("The lesson or story"), list(labels), format_func=labels.get, index=None, key="contributors_item"
            )
            code = st.text_input(_("Or the catalogue entry's code"), key="contributors_code")
            roles = {role: role_word(role) for role in ROLES}  # translated now, not when the widget is read later
            role = st.selectbox(
                _("Role"), ROLES, format_func=lambda r: roles.get(r, r), accept_new_options=True,
                key="contributors_role",
            )  # fmt: skip
            if st.form_submit_button(_("Credit them")):
                if kind == "catalogue":
                    chosen_kind, chosen_id = "catalogue", code
                elif item and item.split(":")[0] == kind:
                    chosen_kind, chosen_id = item.split(":")
                else:
                    st.error(
                        _("Choose a lesson from the list.") if kind == "lesson" else _("Choose a story from the list.")
                    )
                    return
                if auth.write(path, link, actor, loaded["id"], chosen_kind, chosen_id, role or ""):
                    st.rerun()
        for row in loaded["items"].itertuples():
            if st.button(
                _("Remove: {what} {title} ({role})").format(
                    what=ITEM_WORDS[row.item_kind], title=safe(row.title), role=safe(role_word(row.role))
                ),
                key=f"contributors_unlink_{row.id}",
                type="tertiary",
                icon=":material/link_off:",
            ):
                if auth.write(path, unlink, actor, int(row.id)):
                    st.rerun()
