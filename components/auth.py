"""Sign-in bound to the browser session, the current user, and writes that turn refusals into clear messages."""

from __future__ import annotations

import os

import streamlit as st

from components.widgets import safe
from lessons.access import REFUSALS, reading, refusal, writing
from lessons.accounts import SignInRefused, actor_for, actor_for_email, has_users, sign_in
from lessons.permissions import ROLE_LABELS, Actor

SESSION_KEY = "auth_user_id"
FIRST_ADMIN = (
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
    """The signed-in user, re-read on every run so a changed role or a disabled account applies at once."""
    user_id = st.session_state.get(SESSION_KEY)
    with reading(path) as db:
        if user_id is not None:
            actor = actor_for(db, user_id)
            if actor is None:  # disabled or removed meanwhile
                st.session_state.pop(SESSION_KEY, None)
            return actor
        if single_sign_on_configured() and getattr(st.user, "is_logged_in", False):
            return actor_for_email(db, st.user.get("email"))
    return None


def _sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)
    if single_sign_on_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def sign_in_box(path: str, *, key: str = "auth") -> Actor | None:
    """Who is signed in with a sign-out button, or the sign-in form; returns the current user."""
    actor = current_actor(path)
    if actor is not None:
        st.caption(f"Signed in as **{safe(actor.label)}** · {ROLE_LABELS.get(actor.role, actor.role)}")
        st.button("Sign out", key=f"{key}_signout", on_click=_sign_out, icon=":material/logout:")
        return actor
    if single_sign_on_configured() and getattr(st.user, "is_logged_in", False):
        st.warning(
            f"Your organisation account ({safe(st.user.get('email'))}) has no role here yet. "
            "Ask an administrator to add your e-mail address to an account."
        )
    with st.form(f"{key}_form", clear_on_submit=True, enter_to_submit=True):
        st.markdown("**Sign in**")
        username = st.text_input("User name", key=f"{key}_username", autocomplete="username")
        password = st.text_input("Password", type="password", key=f"{key}_password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", icon=":material/login:")
    if submitted:
        with writing(path) as db:
            try:
                actor = sign_in(db, username, password)
            except SignInRefused as refused:
                st.error(refused.message)
                return None
        st.session_state[SESSION_KEY] = actor.user_id
        st.rerun()
    if single_sign_on_configured():
        st.button("Sign in with your organisation", key=f"{key}_sso", on_click=st.login, icon=":material/badge:")
    with reading(path) as db:
        if not has_users(db):
            st.caption(FIRST_ADMIN)
    return None


def require_actor(path: str, purpose: str) -> Actor:
    """The signed-in user, or a plain message pointing to the sign-in form (and the page stops)."""
    actor = current_actor(path)
    if actor is None:
        st.info(f"Sign in (in the sidebar) to {purpose}.", icon=":material/lock:")
        st.stop()
    return actor


def show_refusal(problem: Exception) -> None:
    """A refused write (one of :data:`lessons.access.REFUSALS`) as an error message; the user's text is escaped."""
    lead, reason, denied = refusal(problem)
    st.error(lead + safe(reason) if reason else lead, icon=":material/block:" if denied else ":material/error:")


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
    if success:
        st.success(success, icon=":material/check_circle:")
    return True if result is None else result
