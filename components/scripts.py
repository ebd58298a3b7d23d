"""Our own tiny inline scripts: the one place a page runs JavaScript, and the cookies of this site they write; and our
one style sheet, the visible keyboard focus (:func:`focus_ring`).

Streamlit can neither move the keyboard focus, speak in a live region nor set a cookie, so these few lines do,
from our own server (no request anywhere else). User text never reaches a script as code: only as a JSON string
literal that cannot end the script element (:func:`js_string`), or read by the script from the rendered page.

Streamlit reads the browser's cookies when a session connects (``st.context.cookies``); to write one, a page runs
a one-line script. Names and values are checked against narrow patterns and written as JavaScript string literals
that cannot end the script element, whatever they hold. Cookies are ``SameSite=Strict`` (never sent by another
site's request) and ``Secure`` when the page is served over HTTPS.
"""

from __future__ import annotations

import json
import re

import streamlit as st

__all__ = [
    "FOCUS_STYLE",
    "clear_cookie",
    "focus_ring",
    "js_string",
    "language_script",
    "read_cookie",
    "run_script",
    "set_cookie",
]

_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
_VALUE = re.compile(r"[A-Za-z0-9_-]{0,128}")


def js_string(value: str) -> str:
    """A JavaScript string literal that cannot end the script element, whatever the text."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def run_script(body: str) -> None:
    """Run a tiny inline script of ours in the page (never built from user text except through js_string)."""
    st.html(f"<script>{body}</script>", unsafe_allow_javascript=True)


#: The keyboard focus, drawn solid in the theme's primary colour (#0B5394: 7.8:1 on white, 7.0:1 on the sidebar's
#: grey). Streamlit's own ring is that colour at 50 % opacity, about 2.5:1, below WCAG 1.4.11's 3:1 (#19).
#: And no focus where nobody can see it: Streamlit 1.67 slides a collapsed sidebar (a phone's default) off screen
#: but leaves its links and sign-in form in the Tab order (17 hidden stops); hidden, they take none (WCAG 2.4.3).
FOCUS_STYLE = (
    # a table keeps Streamlit's own focus frame: it fills a phone's width, so a ring outside it would be off screen
    ':focus-visible:not([data-testid="stDataFrameResizable"])'
    " { outline: 2px solid #0B5394 !important; outline-offset: 2px !important; }"
    ' [data-testid="stSidebar"][data-collapsed="true"] { visibility: hidden; }'
    # a link's label wraps instead of ending in "…" (a lesson's title on a phone reads whole)
    ' [data-testid="stPageLink-NavLink"] span { white-space: normal !important; }'
)


def focus_ring(language: str = "en") -> None:
    """Draw the keyboard focus where it can be seen (our one style sheet) and name the page's language.

    The page's ``lang`` attribute follows the interface language, so a screen reader reads Finnish as Finnish
    (WCAG 3.1.1); ``language`` is a code of ``lessons.i18n.LANGUAGES``, never user text.
    """
    st.html(f"<style>{FOCUS_STYLE}</style>")
    run_script(language_script(language))


def language_script(language: str) -> str:
    """Return the one-line script that names the page's language (a two-letter code; anything else is English)."""
    code = language if re.fullmatch(r"[a-z]{2}", language) else "en"
    return f"document.documentElement.lang = {js_string(code)};"


def _attributes(max_age: int) -> str:
    secure = "; Secure" if str(getattr(st.context, "url", "") or "").startswith("https:") else ""
    return f"; Path=/; Max-Age={int(max_age)}; SameSite=Strict{secure}"


def set_cookie(name: str, value: str, max_age: int) -> None:
    """Ask the browser to keep ``name=value`` for ``max_age`` seconds (refused quietly when either looks wrong)."""
    if _NAME.fullmatch(name) and _VALUE.fullmatch(value):
        run_script(f"document.cookie = {js_string(f'{name}={value}')} + {js_string(_attributes(max_age))};")


def clear_cookie(name: str) -> None:
    """Ask the browser to forget the cookie ``name``."""
    if _NAME.fullmatch(name):
        run_script(f"document.cookie = {js_string(name + '=')} + {js_string(_attributes(0))};")


def read_cookie(name: str) -> str | None:
    """The cookie ``name`` as the browser sent it when this session connected, or None."""
    return (st.context.cookies or {}).get(name)
