"""The participant's side of a validation workshop: join with a code, come back as the same participant, vote.

Participants have no account: joining gives a secret token. The browser keeps it twice, so a reload, a closed tab
or a phone that slept finds the same participant again: in the page's link (``?code=…&me=<token>``, so a reload
keeps it) and in a cookie of this site for that workshop (so opening the room's link again on the same device does
too). A new device is a new participant. The token is never shown on the page, never logged and never on the
projector. Every write goes through :mod:`lessons.workshops`, which enforces one vote per participant, statement
and round.
"""

from __future__ import annotations

import json
import re

import streamlit as st

from components import loaders
from components.scripts import clear_cookie, js_string, run_script, set_cookie
from components.widgets import safe
from lessons import i18n, workshops
from lessons.access import reading, writing
from lessons.i18n import N_, _, ngettext, number, percent
from lessons.workshop_reads import workshop_code_of
from lessons.workshops import analysis as workshop_analysis
from lessons.workshops.voting import rejoin

#: The three answers, all the same kind of button: none is suggested over the others.
VOTES = (("agree", N_("Agree"), ":material/thumb_up:"), ("disagree", N_("Disagree"), ":material/thumb_down:"),
         ("pass", N_("Pass / unsure"), ":material/remove:"))  # fmt: skip
VALUE_LABELS = {1: N_("Agree"), -1: N_("Disagree"), 0: N_("Pass")}
#: How long the device remembers a participant (seconds): a workshop and its follow-up fit well within it.
REMEMBER_S = 30 * 24 * 3600
_SAFE_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_SAFE_CODE = re.compile(r"[A-Z0-9]{3,12}")
#: Why a workshop takes no votes, as a participant reads it, by its status.
NOT_VOTING = {
    "draft": N_("This workshop is not open yet: it is not taking votes now."),
    "open": N_("This workshop is open."),
    "closed": N_("This workshop is closed: it is not taking votes now."),
}


def read(path: str, fn, *args, **kwargs):
    """Run a read-only domain function on a short-lived connection."""
    with reading(path) as db:
        return fn(db, *args, **kwargs)


def participant_write(path: str, fn, *args, **kwargs):
    """Run a participant's write; a refusal (closed workshop, unknown code…) becomes a message, never a traceback.
    Returns the function's result, or None when refused."""
    try:
        with writing(path) as db:
            return fn(db, *args, **kwargs)
    except workshops.WorkshopError as refusal:
        st.session_state["vote_message"] = safe(refusal)  # Markdown, shown with st.error
        return None


# --- who this participant is ----------------------------------------------------------------------------------


def cookie_name(code: str) -> str:
    """The cookie that remembers this device's participant of the workshop ``code``."""
    return f"lessons_vote_{code.upper()}"


def remember(code: str, token: str) -> None:
    """Keep the participant in the link (a reload keeps it) and in a cookie of this site (a new tab finds it)."""
    st.session_state["vote_token"] = token
    st.query_params["code"] = code
    st.query_params["me"] = token
    st.session_state["vote_set_cookie"] = code


def restore(path: str) -> str | None:
    """The participant this browser already is for the workshop in the link, from the link or the cookie; or None.

    A token that does not belong to the workshop is dropped from the link, so a wrong or stale link joins afresh.
    """
    if st.session_state.get("vote_token"):
        return st.session_state["vote_token"]
    code = str(st.query_params.get("code") or "").strip().upper()
    if not code:
        return None
    # after "Leave" this session no longer trusts the cookie it arrived with (its removal reaches the browser later)
    cookies = {} if st.session_state.get("vote_left") == code else (st.context.cookies or {})
    for candidate in (st.query_params.get("me"), cookies.get(cookie_name(code))):
        if candidate and read(path, rejoin, code, candidate):
            remember(code, candidate)
            return candidate
    st.query_params.pop("me", None)
    return None


def forget() -> None:
    """Leave the workshop on this device: the link and the cookie no longer name the participant."""
    token = st.session_state.pop("vote_token", None)
    code = str(st.query_params.get("code") or "")
    st.query_params.pop("me", None)
    if token and code:
        st.session_state["vote_forget_cookie"] = st.session_state["vote_left"] = code.upper()


def browser_memory() -> None:
    """Write or remove the cookie asked for during this run (a script of our own: Streamlit sets no cookies)."""
    code = str(st.session_state.pop("vote_set_cookie", "") or "").upper()
    token = st.session_state.get("vote_token") or ""
    if code and _SAFE_CODE.fullmatch(code) and _SAFE_TOKEN.fullmatch(token):
        set_cookie(cookie_name(code), token, REMEMBER_S)
    gone = str(st.session_state.pop("vote_forget_cookie", "") or "").upper()
    if gone and _SAFE_CODE.fullmatch(gone):
        clear_cookie(cookie_name(gone))


def on_vote_page() -> bool:
    """Whether this run is for the voting page (``/vote``), as the browser's address says, before navigation runs."""
    url = str(getattr(st.context, "url", "") or "")
    return url.split("?")[0].split("#")[0].rstrip("/").endswith("/vote")


# --- joining --------------------------------------------------------------------------------------------------


def code_input(path: str) -> dict | None:
    """The join code (from the link or typed); return the workshop it names, or None. Until a code names a
    workshop, nothing about the consortium is shown: no title, no pilot, no country."""
    code = st.text_input(
        _("Workshop code"),
        key="vote_code",
        max_chars=12,
        placeholder=_("e.g. {code}").format(code="HVR3QT"),
        help=_("On the screen in the room"),
    )
    found = read(path, workshops.workshop_by_code, code) if code.strip() else None
    if code.strip() and found is None:
        st.warning(_("No workshop has this code. Check the letters on the screen (there is no O, I, L, 0 or 1)."))
    elif found is not None:
        st.markdown(f"**{safe(found['title'])}**")
        if found["status"] != "open":
            st.info(_(NOT_VOTING.get(found["status"], NOT_VOTING["closed"])))
    return found


def join_form(path: str, code: str, sectors: dict[str, str], pilots: dict[str, str] | None = None) -> None:
    """For the workshop ``code`` (found by :func:`code_input`): the participant's stakeholder group, and optional
    pilot and country."""
    with st.form("vote_join"):
        group = st.selectbox(
            _("Your stakeholder group"),
            list(sectors),
            format_func=lambda code: _(sectors[code]),
            index=None,
            placeholder=_("Choose one"),
        )
        pilot = None
        if pilots:
            pilot = st.selectbox(
                _("Your pilot (optional)"), list(pilots), format_func=pilots.get, index=None, placeholder=_("None")
            )
        country = st.text_input(
            _("Your country (optional, two letters)"), max_chars=2, placeholder=_("e.g. {code}").format(code="FI")
        )
        joined = st.form_submit_button(_("Join"), type="primary", width="stretch")
    if joined:
        if group is None:
            st.error(_("Choose your stakeholder group first."))
            return
        token = participant_write(
            path, workshops.join, code, stakeholder_group=group, pilot=pilot, country=country.strip() or None
        )
        if token:
            remember(code.upper(), token)
            st.session_state["vote_focus"] = _("You have joined.")
            st.rerun()
        st.error(st.session_state.pop("vote_message", _("Joining did not work; try again.")))


# --- the voting card ------------------------------------------------------------------------------------------


def vote_callback(path: str, token: str, key: str, value: str) -> None:
    importance = st.session_state.get(f"vote_importance_{key}")
    participant_write(path, workshops.cast_vote, token, key, value, importance)
    if "vote_message" not in st.session_state:  # refused: the page shows why instead
        st.session_state["vote_focus"] = _("Saved.")


def header(path: str, token: str) -> dict | None:
    """The workshop's title and purpose, as the participant's page heading; return the workshop."""
    workshop = read(path, workshops.workshop_by_code, _code_of(path, token))
    if workshop:
        st.title(safe(workshop["title"]), anchor=False)
        if workshop.get("purpose"):
            st.write(safe(workshop["purpose"]))
    return workshop


def voting(path: str, token: str, status: str = "open") -> int:
    """One statement at a time: progress, the statement, three equal answers and an optional importance; return
    how many statements the participant has answered in this round. A workshop that is not ``open`` shows the
    progress and says it takes no votes now."""
    state = read(path, workshops.next_statements, token, i18n.current())  # in the reader's language where translated
    done, total = state["answered"], state["total"]
    progress = _("{done} of {total} answered").format(done=number(done), total=number(total))
    if state["round"] > 1:
        progress = _("{done} of {total} answered · round {round}").format(
            done=number(done), total=number(total), round=number(state["round"])
        )
    # a sliver at 0 so the bar is seen to be a bar before the first answer
    st.progress(max(done / total, 0.02) if total else 1.0, text=progress)
    focus = st.session_state.pop("vote_focus", "")  # what just happened, to say before the next statement
    if status != "open":
        st.info(
            _(NOT_VOTING.get(status, NOT_VOTING["closed"])) + " " + _("Your answers are kept."),
            icon=":material/lock:",
        )
        if status == "closed":  # the report says what became of every statement and idea, once it is published
            st.page_link(
                "pages/workshop_report.py", label=_("What became of the statements and your ideas"),
                query_params={"code": _code_of(path, token), "token": token}, icon=":material/summarize:",
            )  # fmt: skip
        return done
    if not state["statements"]:
        st.success(_("You have answered every statement of this round. Thank you!"), icon=":material/check_circle:")
        if focus:
            done_all = ngettext(
                "You have answered the {n} statement. Thank you!",
                "You have answered all {n} statements. Thank you!",
                total,
            ).format(n=number(total))
            _announce(f"{focus} {done_all}", None)
        return done
    current = state["statements"][0]
    with st.container(border=True, key="vote_card"):
        st.subheader(safe(current["text"]), anchor=False)
        if state["round"] > 1:  # Delphi: the room's previous answer, before voting again
            before = previous_round(path, _code_of(path, token), state["round"] - 1).get(current["key"])
            if before:
                st.info(
                    ngettext(
                        "Last round, {n} person answered: {agree} agree, {disagree} disagree, {passed} passed.",
                        "Last round, {n} people answered: {agree} agree, {disagree} disagree, {passed} passed.",
                        int(before["n"]),
                    ).format(
                        n=number(int(before["n"])),
                        agree=percent(before["agree"]),
                        disagree=percent(before["disagree"]),
                        passed=percent(before["pass"]),
                    ),
                    icon=":material/history:",
                )
        for column, (value, label, icon) in zip(st.columns(3), VOTES):
            column.button(
                _(label),
                key=f"vote_{value}_{current['key']}",
                icon=icon,
                type="secondary",
                width="stretch",
                on_click=vote_callback,
                args=(path, token, current["key"], value),
            )
        # after the answers, so a keyboard reaches them first; it counts for the answer given after it is chosen
        st.segmented_control(
            _("Optional, before you answer: how important is this to you?"),
            [1, 2, 3, 4, 5],
            key=f"vote_importance_{current['key']}",
            format_func=_importance,
        )
    if focus:  # the script adds the statement from the page
        statement_n = _("Statement {n} of {total}:").format(n=number(done + 1), total=number(total))
        _announce(f"{focus} {statement_n}", done)
    return done


def _importance(value: int) -> str:
    """Name an importance: its number, and at both ends what it means."""
    if value == 1:
        return _("1 · not")
    if value == 5:
        return _("5 · very")
    return number(value)


def _announce(message: str, nonce) -> None:
    """Move the keyboard focus to the new statement and say it in a polite live region (Streamlit can do neither).

    The live region lives outside Streamlit's page, so it is not replaced on the next run and screen readers hear
    each change.
    """
    run_script(
        f"""(function () {{
  var note = {js_string(message)}, n = {json.dumps(nonce)};
  var live = document.getElementById("vote-live");
  if (!live) {{
    live = document.createElement("div");
    live.id = "vote-live"; live.setAttribute("role", "status"); live.setAttribute("aria-live", "polite");
    live.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap";
    document.body.appendChild(live);
  }}
  live.textContent = "";
  var tries = 0, said = false;
  (function focus() {{
    var target = document.querySelector(".st-key-vote_card h3") || document.querySelector("[data-testid='stAlert']");
    if (target) {{ target.setAttribute("tabindex", "-1"); target.focus({{preventScroll: false}}); }}
    if (target && !said) {{  // user text reaches the live region from the rendered page, never through this script
      said = true;
      var text = target.tagName === "H3" ? " " + target.textContent : "";
      setTimeout(function () {{ live.textContent = note + text; }}, 100);
    }}
    if ((!target || document.activeElement !== target) && ++tries < 40) setTimeout(focus, 50);
  }})();
}})();"""
    )


def my_answers(path: str, token: str, count: int) -> None:
    """The participant's ``count`` earlier answers of this round, each changeable; drawn only when opened (a
    fragment, so changing one redraws only this list)."""
    if not count:
        return
    if st.toggle(_("Your votes ({n}) — change one").format(n=number(count)), key="vote_show_mine"):
        _answers_list(path, token)


@st.fragment
def _answers_list(path: str, token: str) -> None:
    mine = read(path, workshops.my_votes, token)
    code = _code_of(path, token)
    texts = {s["key"]: s["text"] for s in read(path, workshops.statements, code, language=i18n.current())}
    labels = {value: label for value, label, _icon in VOTES}
    for position, (key, vote) in enumerate(mine.items(), start=1):
        cols = st.columns([5, 3])
        cols[0].markdown(
            _("**{n}.** {statement} — *{answer}*").format(
                n=number(position), statement=safe(texts.get(key, "")), answer=_(VALUE_LABELS[vote["value"]])
            )
        )
        choice = cols[1].segmented_control(
            # a name of its own for each (screen readers list them by name)
            _("Change your answer {n}").format(n=number(position)),
            list(labels),
            format_func=lambda v: _(labels[v]),
            key=f"vote_change_{key}",
            label_visibility="collapsed",
        )
        if choice and workshops.vote_value(choice) != vote["value"]:
            participant_write(path, workshops.cast_vote, token, key, choice, vote["importance"])
            st.session_state.pop(f"vote_change_{key}", None)
            st.rerun(scope="fragment")


@st.cache_data(ttl=loaders.TTL, max_entries=32, show_spinner=False)
def previous_round(path: str, code: str, round: int) -> dict:
    """A finished round's shares per statement. The one cache not keyed by a data version, on purpose: a finished
    round no longer changes once the next round started, and keying it by the workshops' version would recompute it
    on every vote of every participant."""
    return read(path, workshop_analysis.round_shares, code, round)


def _code_of(path: str, token: str) -> str:
    return read(path, workshop_code_of, token)


def suggest(path: str, token: str) -> None:
    """A participant's own statement, into the facilitator's moderation queue (when the workshop allows it)."""
    workshop = read(path, workshops.workshop_by_code, _code_of(path, token))
    if not workshop or not workshop.get("allow_submissions"):
        return
    with st.expander(_("Suggest a statement")):
        with st.form("vote_suggest", clear_on_submit=True):
            text = st.text_area(_("Your statement"), max_chars=workshops.MAX_STATEMENT_CHARS)
            if st.form_submit_button(_("Send to the facilitator")):
                key = participant_write(path, workshops.submit_statement, token, text)
                if key:
                    st.success(_("Thank you: the facilitator will review it before others vote on it."))
                else:
                    st.error(st.session_state.pop("vote_message", _("That did not work; try again.")))
