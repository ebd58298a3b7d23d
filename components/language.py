"""The reader's language: chosen from the link, the picker, the browser's memory or its language; and the picker.

A link's ``?lang=fi`` wins (a shared link opens in the language it was shared in), then what the reader picked in
this session, then the language this browser picked before (the cookie ``lessons_lang``, a year), then the
browser's own language (``st.context.locale``, so a participant's phone in Finnish opens the vote card in Finnish),
then English. The choice is kept in ``st.session_state["lang"]`` and written back into the link while it is not
English. :mod:`lessons.i18n` asks :func:`_resolve` for it whenever a message is translated during a script run.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components.scripts import read_cookie, set_cookie
from lessons import i18n
from lessons.i18n import DEFAULT, LANGUAGES, _, best_match

__all__ = ["COOKIE", "KEY", "choose", "current", "link_params", "picker"]

KEY = "lang"
PICKER = "lang_picker"
COOKIE = "lessons_lang"
YEAR = 365 * 24 * 3600


def _resolve() -> str | None:
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    try:
        return st.session_state.get(KEY)
    except Exception:  # no session (a bare script run): the default
        return None


i18n.set_resolver(_resolve)


def current() -> str:
    """Return the current reader's language code (a key of ``lessons.i18n.LANGUAGES``)."""
    return i18n.current()


def choose() -> str:
    """Settle this run's language (the link, the session, the cookie, the browser, English) and return it."""
    linked = best_match(st.query_params.get("lang"))
    if linked:
        st.session_state[KEY] = linked
    elif st.session_state.get(KEY) not in LANGUAGES:
        browser = getattr(st.context, "locale", None)
        st.session_state[KEY] = best_match(read_cookie(COOKIE)) or best_match(browser) or DEFAULT
    language = st.session_state[KEY]
    if language != DEFAULT and st.query_params.get("lang") != language:
        st.query_params["lang"] = language
    return language


def link_params() -> dict[str, str]:
    """Return the query parameters that keep the language in a link this page writes (none for English)."""
    language = current()
    return {} if language == DEFAULT else {"lang": language}


def _picked() -> None:
    language = st.session_state.get(PICKER)
    if language not in LANGUAGES:
        return
    st.session_state[KEY] = language
    st.session_state["lang_set_cookie"] = language
    if language == DEFAULT:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = language


def picker(*, key: str = PICKER) -> None:
    """Draw the language picker: each language named in itself; the choice is kept in the link and the browser."""
    language = current()
    if st.session_state.get(key) != language:
        st.session_state[key] = language
    label = _("Language")
    st.selectbox(
        label if language == DEFAULT else f"{label} (Language)",
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=key,
        on_change=_picked if key == PICKER else _picked_from(key),
    )
    remembered = st.session_state.pop("lang_set_cookie", None)
    if remembered:
        set_cookie(COOKIE, remembered, YEAR)


def _picked_from(key: str):
    def picked() -> None:
        st.session_state[PICKER] = st.session_state.get(key)
        _picked()

    return picked
