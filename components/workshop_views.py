"""Validation workshops: loaders and pieces for the participant's voting page and the facilitator's pages.

Participants have no account: joining gives a secret token kept in their browser session; every write goes
through :mod:`lessons.workshops`, which enforces one vote per participant, statement and round.
"""

from __future__ import annotations

from contextlib import closing

import streamlit as st

from components.widgets import safe
from lessons import workshops
from lessons.store import connect

VOTES = (("agree", "Agree", ":material/thumb_up:"), ("disagree", "Disagree", ":material/thumb_down:"),
         ("pass", "Pass / unsure", ":material/remove:"))  # fmt: skip
VALUE_LABELS = {1: "Agree", -1: "Disagree", 0: "Pass"}


def read(path: str, fn, *args, **kwargs):
    """Run a read-only domain function on a short-lived connection."""
    with closing(connect(path, readonly=True)) as db:
        return fn(db, *args, **kwargs)


def participant_write(path: str, fn, *args, **kwargs):
    """Run a participant's write; a refusal (closed workshop, unknown code…) becomes a message, never a traceback.
    Returns the function's result, or None when refused."""
    try:
        with closing(connect(path)) as db:
            return fn(db, *args, **kwargs)
    except workshops.WorkshopError as refusal:
        st.session_state["vote_message"] = str(refusal)
        return None


def vote_callback(path: str, token: str, key: str, value: str) -> None:
    importance = st.session_state.get(f"vote_importance_{key}")
    participant_write(path, workshops.cast_vote, token, key, value, importance)


def join_form(path: str, sectors: dict[str, str]) -> None:
    """The code (from the link or typed), the participant's stakeholder group, and optional pilot and country."""
    code = st.text_input(
        "Workshop code", key="vote_code", max_chars=12, placeholder="e.g. HVR3QT", help="On the screen in the room"
    )
    found = read(path, workshops.workshop_by_code, code) if code.strip() else None
    if code.strip() and found is None:
        st.warning("No workshop has this code. Check the letters on the screen (there is no O, I, L, 0 or 1).")
    elif found is not None:
        st.markdown(f"**{safe(found['title'])}**")
        if found["status"] != "open":
            st.info(f"This workshop is {found['status']}: it is not taking votes now.")
    with st.form("vote_join"):
        group = st.selectbox(
            "Your stakeholder group", list(sectors), format_func=sectors.get, index=None, placeholder="Choose one"
        )
        country = st.text_input("Your country (optional, two letters)", max_chars=2, placeholder="e.g. FI")
        joined = st.form_submit_button("Join", type="primary", width="stretch")
    if joined:
        if group is None:
            st.error("Choose your stakeholder group first.")
            return
        token = participant_write(path, workshops.join, code, stakeholder_group=group, country=country.strip() or None)
        if token:
            st.session_state["vote_token"] = token
            st.rerun()
        st.error(st.session_state.pop("vote_message", "Joining did not work; try again."))


def voting(path: str, token: str) -> None:
    """One statement at a time with large buttons, progress, and earlier votes that can be changed."""
    state = read(path, workshops.next_statements, token)
    done, total = state["answered"], state["total"]
    st.progress(done / total if total else 1.0, text=f"{done} of {total} answered · round {state['round']}")
    if state["statements"]:
        current = state["statements"][0]
        with st.container(border=True):
            st.caption(f"Statement {safe(current['key'])}")
            st.markdown(f"### {safe(current['text'])}")
            st.segmented_control(
                "How important is this? (optional)",
                [1, 2, 3, 4, 5],
                key=f"vote_importance_{current['key']}",
                format_func=lambda v: {1: "1 · not", 3: "3", 5: "5 · very"}.get(v, str(v)),
            )
            for value, label, icon in VOTES:
                st.button(
                    label,
                    key=f"vote_{value}_{current['key']}",
                    icon=icon,
                    type="primary" if value == "agree" else "secondary",
                    width="stretch",
                    on_click=vote_callback,
                    args=(path, token, current["key"], value),
                )
    else:
        st.success("You have answered every statement of this round. Thank you!", icon=":material/check_circle:")
    mine = read(path, workshops.my_votes, token)
    if mine:
        with st.expander(f"Your votes ({len(mine)}) — change one"):
            texts = {s["key"]: s["text"] for s in read(path, workshops.statements, _code_of(path, token))}
            for key, vote in mine.items():
                cols = st.columns([5, 3])
                cols[0].markdown(f"**{safe(key)}** {safe(texts.get(key, ''))} — *{VALUE_LABELS[vote['value']]}*")
                choice = cols[1].segmented_control(
                    "Change to",
                    [v for v, _, _ in VOTES],
                    format_func=lambda v: dict((a, b) for a, b, _ in VOTES)[v],
                    key=f"vote_change_{key}",
                    label_visibility="collapsed",
                )
                if choice and workshops.vote_value(choice) != vote["value"]:
                    participant_write(path, workshops.cast_vote, token, key, choice, vote["importance"])
                    st.session_state.pop(f"vote_change_{key}", None)
                    st.rerun()


def _code_of(path: str, token: str) -> str:
    with closing(connect(path, readonly=True)) as db:
        row = db.execute(
            "SELECT w.code FROM participants p JOIN workshops w ON w.id = p.workshop_id WHERE p.token = ?", [token]
        ).fetchone()
    return row[0] if row else ""


def suggest(path: str, token: str) -> None:
    """A participant's own statement, into the facilitator's moderation queue (when the workshop allows it)."""
    workshop = read(path, workshops.workshop_by_code, _code_of(path, token))
    if not workshop or not workshop.get("allow_submissions"):
        return
    with st.expander("Suggest a statement"):
        with st.form("vote_suggest", clear_on_submit=True):
            text = st.text_area("Your statement", max_chars=workshops.MAX_STATEMENT_CHARS)
            if st.form_submit_button("Send to the facilitator"):
                key = participant_write(path, workshops.submit_statement, token, text)
                if key:
                    st.success("Thank you: the facilitator will review it before others vote on it.")
                else:
                    st.error(st.session_state.pop("vote_message", "That did not work; try again."))
