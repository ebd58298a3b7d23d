"""The Upload page's two-mode option: an affiliation list's two columns, what it holds, and its commit.

``components/upload_views.py`` offers the option ("This file is an affiliation list (two-mode)") and hands over to
this module when it is ticked: :func:`options` (the actor and event column pickers and an optional sector column),
:func:`check` (cached, like the ordinary check) and :func:`commit_section` (counts, the strongest ties, the commit).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import auth, loaders
from components.widgets import safe
from lessons.access import reading
from lessons.i18n import _, number
from lessons.ingest.tables import Upload
from lessons.ingest.twomode import CONSORTIUM_NAME, TwoModeOptions
from lessons.ingest.twomode_commit import TwoModeOutcome, check_two_mode, run_two_mode_import

__all__ = ["check", "commit_section", "is_two_mode", "options"]

NONE = ""  # no sector column (shown as "— none —" in the reader's language)
ACTOR_GUESSES = ("actor", "organisation", "organization", "pic", "person", "woman", "member", "participant", "name")
EVENT_GUESSES = ("event", "project", "rcn", "meeting", "group", "club", "activity", "workshop")


def is_two_mode(options) -> bool:
    """Whether the upload's options are those of an affiliation list."""
    return isinstance(options, TwoModeOptions)


def _guess(columns: list[str], words: tuple[str, ...], avoid: str | None = None) -> int:
    for word in words:
        for i, column in enumerate(columns):
            if column != avoid and word in column.lower():
                return i
    return next((i for i, c in enumerate(columns) if c != avoid), 0)


def options(upload: Upload, *, pilot: str | None, country: str, skip_invalid: bool) -> TwoModeOptions:
    """Offer the file's columns for the actor, the event and (optionally) the actor's sector; return the options.

    A file with fewer than two columns gets no pickers: its check then says which columns are missing.
    """
    columns = next((s.columns for s in upload.sheets if len(s.columns) >= 2), [])
    if not columns:
        return TwoModeOptions(actor_column="actor", event_column="event", pilot=pilot)
    st.caption(
        _(
            "One row per participation: who (an organisation, a person) took part in what (a project, an event). "
            "The actors are tied by the number of events they share, in the network of the pilot chosen under "
            "Options, or of the whole consortium (pilot “{consortium}”) when none is chosen."
        ).format(consortium=CONSORTIUM_NAME)
    )
    left, middle, right = st.columns(3)
    actor = left.selectbox(
        _("Actor column"), columns, index=_guess(columns, ACTOR_GUESSES), key="upload_two_mode_actor"
    )
    event = middle.selectbox(
        _("Event column"), columns, index=_guess(columns, EVENT_GUESSES, avoid=actor), key="upload_two_mode_event"
    )
    sector = right.selectbox(
        _("Sector of the actor (optional)"),
        [NONE, *columns],
        format_func={NONE: _("— none —"), **{c: c for c in columns}}.get,
        key="upload_two_mode_sector",
    )
    return TwoModeOptions(
        actor_column=actor,
        event_column=event,
        pilot=pilot,
        country=country.upper() or None,
        skip_invalid=skip_invalid,
        mapping=(("sector", sector),) if sector != NONE else (),
    )


@st.cache_data(ttl=loaders.TTL, max_entries=4, show_spinner=False)
def check(path: str, version: int, actor, key: str, _files, options: TwoModeOptions) -> TwoModeOutcome:
    """Read and check an affiliation list and project it (nothing is written), once per store version, user, files
    (``key``: their hash) and options."""
    with reading(path) as db:
        return check_two_mode(db, actor, _files, options)


def commit_section(path: str, actor, data, options: TwoModeOptions, outcome: TwoModeOutcome, *, show_problems) -> None:
    """The problems found (``show_problems``: the page's problem table), the counts, the strongest ties, the commit."""
    if outcome.problems:
        show_problems(outcome.problems, key="upload_two_mode")
    if outcome.errors:
        return
    st.subheader(_("Preview"), anchor=False)
    counts = outcome.affiliations.counts()
    cols = st.columns(4)
    for col, (label, name) in zip(
        cols,
        ((_("Actors"), "actors"), (_("Events"), "events"), (_("Participations"), "participations"),
         (_("Ties"), "ties")),
    ):  # fmt: skip
        col.metric(label, number(counts[name]))
    if options.pilot and outcome.pilot_exists:
        where = _("The actors become the stakeholders of pilot {pilot}; two actors are tied by the number of events "
                  "they share.")  # fmt: skip
    elif options.pilot:
        where = _("The actors become the stakeholders of pilot {pilot}, created by this upload; two actors are tied "
                  "by the number of events they share.")  # fmt: skip
    elif outcome.pilot_exists:
        where = _("The actors become the stakeholders of the whole consortium (pilot “{consortium}”); two actors are "
                  "tied by the number of events they share.")  # fmt: skip
    else:
        where = _("The actors become the stakeholders of the whole consortium (pilot “{consortium}”), created by "
                  "this upload; two actors are tied by the number of events they share.")  # fmt: skip
    st.caption(where.format(pilot=safe(options.slug), consortium=CONSORTIUM_NAME))
    ties = outcome.affiliations.ties
    if ties is not None and not ties.empty:
        strongest = ties.sort_values("weight", ascending=False, kind="stable").head(10)
        st.dataframe(
            pd.DataFrame({_("actor"): strongest["source"], _("with"): strongest["target"],
                          _("shared events"): strongest["weight"]}),
            hide_index=True, width="stretch",
        )  # fmt: skip
    if outcome.already is not None:
        st.info(
            _(
                "Nothing to commit: upload {upload} already imported this list into this pilot. To import it read "
                "differently (another sector column, say), undo that upload first."
            ).format(upload=outcome.already),
            icon=":material/check:",
        )
        return
    if st.button(_("Commit this upload"), type="primary", key="upload_two_mode_commit", icon=":material/publish:"):
        done = auth.write_with_progress(path, run_two_mode_import, actor, data, options)
        if done:
            st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
            st.session_state["upload_done"] = done.upload_id
            st.rerun()
