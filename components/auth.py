"""Sign-in kept across reloads, the current user, and writes that turn refusals into clear messages.

Signing in starts a staff session (:func:`lessons.accounts.start_session`): its secret token stays in this browser
session and in a cookie of this site (``lessons_staff``, 12 hours, ``SameSite=Strict``), so a reload or a new tab
finds the user again. Each run re-reads the session from the store: *Sign out* ends it there, so the cookie — or
any copy of it — signs nobody in afterwards, in this tab or any other.
"""

from __future__ import annotations

import os

import streamlit as st

from components.scripts import clear_cookie, read_cookie, set_cookie
from components.widgets import safe
from lessons.access import REFUSALS, reading, refusal, writing
from lessons.accounts import (
    SESSION_LENGTH,
    SignInRefused,
    actor_for,
    actor_for_email,
    end_session,
    has_users,
    session_actor,
    sign_in,
    start_session,
)
from lessons.i18n import N_, _
from lessons.permissions import ROLE_LABELS, Actor
from lessons.prepared import prepare_soon
from lessons.store import data_version
from lessons.synthesis import similarity_version
from lessons.synthesis.refresh import refresh
from lessons.visibility import audience_of

SESSION_KEY = "auth_user_id"
TOKEN_KEY = "auth_session_token"
COOKIE = "lessons_staff"
FIRST_ADMIN = N_(
    "No accounts yet. An administrator creates the first one with `python -m lessons user add NAME --role admin`."
)


def _secret(section: str, key: str | None = None):
    if not st.secrets.load_if_toml_exists():  # reading st.secrets without a file raises (and upsets AppTest)
        return None
    try:
        value = st.secrets.get(section)
        return value if key is None or value is None else value.get(key)
    except Exception:  # no secrets.toml at all
        return None


def sign_in_required() -> bool:
    """True when every page needs sign-in: ``LESSONS_REQUIRE_SIGN_IN=1`` or ``[lessons] require_sign_in = true``."""
    env = os.environ.get("LESSONS_REQUIRE_SIGN_IN", "").strip().lower()
    return env in {"1", "true", "yes", "on"} or bool(_secret("lessons", "require_sign_in"))


def single_sign_on_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` configures an OpenID Connect provider under ``[auth]``."""
    return bool(_secret("auth"))


def current_actor(path: str) -> Actor | None:
    """The signed-in user, re-read on every run so a changed role, a disabled account or a sign-out applies at once.

    A browser that arrives with a live session cookie (a reload, a new tab) is signed in again without a form.
    """
    token = st.session_state.get(TOKEN_KEY)
    if token is None and SESSION_KEY not in st.session_state and not st.session_state.get("auth_signed_out"):
        token = read_cookie(COOKIE)
    with reading(path) as db:
        if token:
            actor = session_actor(db, token)
            if actor is None:  # signed out elsewhere, expired, or the account was disabled
                for key in (SESSION_KEY, TOKEN_KEY):
                    st.session_state.pop(key, None)
                st.session_state["auth_forget_cookie"] = True
                return None
            st.session_state[SESSION_KEY], st.session_state[TOKEN_KEY] = actor.user_id, token
            return actor
        user_id = st.session_state.get(SESSION_KEY)
        if user_id is not None:
            actor = actor_for(db, user_id)
            if actor is None:  # disabled or removed meanwhile
                st.session_state.pop(SESSION_KEY, None)
            return actor
        if single_sign_on_configured() and getattr(st.user, "is_logged_in", False):
            return actor_for_email(db, st.user.get("email"))
    return None


def audience(path: str) -> str:
    """What the current reader may see (:mod:`lessons.visibility`), as the token cached views are keyed by."""
    return audience_of(current_actor(path)).token


def _sign_out(path: str) -> None:
    token = st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(SESSION_KEY, None)
    st.session_state["auth_signed_out"] = st.session_state["auth_forget_cookie"] = True
    if token:
        with writing(path) as db:
            end_session(db, token)
    if single_sign_on_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def browser_memory() -> None:
    """Write or remove the staff cookie asked for during this run."""
    token = st.session_state.pop("auth_set_cookie", None)
    if token:
        set_cookie(COOKIE, token, int(SESSION_LENGTH.total_seconds()))
    if st.session_state.pop("auth_forget_cookie", False):
        clear_cookie(COOKIE)


def sign_in_box(path: str, *, key: str = "auth") -> Actor | None:
    """Who is signed in with a sign-out button, or the sign-in form; returns the current user."""
    actor = current_actor(path)
    if actor is not None:
        role = _(ROLE_LABELS.get(actor.role, actor.role))
        st.caption(_("Signed in as **{name}** · {role}").format(name=safe(actor.label), role=role))
        st.button(_("Sign out"), key=f"{key}_signout", on_click=_sign_out, args=(path,), icon=":material/logout:")
        browser_memory()
        return actor
    if single_sign_on_configured() and getattr(st.user, "is_logged_in", False):
        st.warning(
            _(
                "Your organisation account ({email}) has no role here yet. "
                "Ask an administrator to add your e-mail address to an account."
            ).format(email=safe(st.user.get("email")))
        )
    with st.form(f"{key}_form", clear_on_submit=True, enter_to_submit=True):
        st.markdown("**" + _("Sign in") + "**")
        username = st.text_input(_("User name"), key=f"{key}_username", autocomplete="username")
        password = st.text_input(_("Password"), type="password", key=f"{key}_password", autocomplete="current-password")
        # the button's key as Streamlit names an English one, whatever the language (tests and scripts know it)
        submitted = st.form_submit_button(
            _("Sign in"), icon=":material/login:", key=f"FormSubmitter:{key}_form-Sign in"
        )
    if submitted:
        with writing(path) as db:
            try:
                actor = sign_in(db, username, password)
            except SignInRefused as refused:
                st.error(_(refused.message))
                return None
            token = start_session(db, actor)
        st.session_state[SESSION_KEY], st.session_state[TOKEN_KEY] = actor.user_id, token
        st.session_state["auth_set_cookie"] = token
        st.session_state.pop("auth_signed_out", None)
        st.rerun()
    if single_sign_on_configured():
        st.button(_("Sign in with your organisation"), key=f"{key}_sso", on_click=st.login, icon=":material/badge:")
    with reading(path) as db:
        if not has_users(db):
            st.caption(_(FIRST_ADMIN))
    browser_memory()
    return None


def require_actor(path: str, purpose: str) -> Actor:
    """The signed-in user, or a plain message pointing to the sign-in form (and the page stops); ``purpose`` is a
    whole sentence in the reader's language, e.g. ``_("Sign in (in the sidebar) to upload a pilot summary.")``
    (an old-style purpose, a verb phrase without a full stop, is shown after "Sign in (in the sidebar) to")."""
    actor = current_actor(path)
    if actor is None:
        message = (
            purpose
            if purpose.rstrip().endswith(".")
            else _("Sign in (in the sidebar) to {purpose}.").format(purpose=purpose)
        )
        st.info(message, icon=":material/lock:")
        st.stop()
    return actor


def show_refusal(problem: Exception) -> None:
    """A refused write (one of :data:`lessons.access.REFUSALS`) as an error message; the user's text is escaped."""
    lead, reason, denied = refusal(problem)
    st.error(lead + safe(reason) if reason else lead, icon=":material/block:" if denied else ":material/error:")


def write_with_progress(path: str, fn, *args, **kwargs):
    """:func:`write` for a long write that reports its progress (``progress=(fraction, message)``) in a bar."""
    bar = st.progress(0.0, text=_("Starting"))
    return write(path, fn, *args, progress=lambda f, m: bar.progress(min(f, 1.0), text=m), **kwargs)


def write(path: str, fn, *args, success: str | None = None, **kwargs):
    """Run a domain write on a short-lived connection; show a refusal or validation problem as a message.

    Returns the function's result (True when it returns nothing), or None when it was refused: nothing was
    written then.
    """
    try:
        with writing(path) as db:
            result = fn(db, *args, **kwargs)
    except REFUSALS as problem:
        show_refusal(problem)
        return None
    refresh_similarity(path)
    if success:
        st.success(success, icon=":material/check_circle:")
    return True if result is None else result


def refresh_similarity(path: str) -> None:
    """After a write: when the lessons changed, start their new similarity analysis in the background (pages keep
    showing the one stored before until it is ready)."""
    with reading(path) as db:
        stale = similarity_version(db) != data_version(db, "lessons")
    if stale:
        refresh(path)
    prepare_soon(path)  # and the Exports page's bundle and briefs, made again after it (lessons.prepared)
