"""Every page in every language, with no English left (#21): an AppTest sweep as an administrator (who sees every
section), on the demo data, of each page app.py registers and the views inside pages a link opens."""

from __future__ import annotations

import pytest

from lessons.i18n import DEFAULT, LANGUAGES
from tests.i18n_sweep import english_left, shown, unmarked_left
from tests.test_pages import REGISTERED

#: Views inside pages that a link opens (the page script and its query parameters).
DEEP = [
    ("pages/lessons.py", {"lesson": "1"}),
    ("pages/pilots.py", {"pilot": "gdansk-senior-housing"}),
    ("pages/networks.py", {"pilot": "gdansk-senior-housing"}),
]
VIEWS = [(page, {}) for page in REGISTERED] + DEEP


def signed_in(app_on, path, page: str, params: dict):
    """Sign in as the administrator (in English), then open ``page`` with ``params``."""
    at = app_on(path, timeout=60).run()
    at.text_input(key="auth_username").set_value("admin")
    at.text_input(key="auth_password").set_value("demo-admin-pass")
    next(b for b in at.button if b.label == "Sign in").click().run()
    at.switch_page(page)
    for name, value in params.items():
        at.query_params[name] = value
    return at


def in_language(at, language: str) -> list[str]:
    """Rerun the page in ``language`` (as a link with ``?lang=`` opens it) and return what it shows."""
    at.query_params["lang"] = language
    at.run()
    assert not at.exception, (language, at.exception)
    assert at.session_state["lang"] == language
    return shown(at)


@pytest.mark.parametrize(
    ("page", "params"), VIEWS, ids=[f"{p[6:-3]}{'-' + '-'.join(q) if q else ''}" for p, q in VIEWS]
)
def test_no_english_is_left_on_the_page_in_any_language(demo_db_path, app_on, page, params):
    at = signed_in(app_on, demo_db_path, page, params)
    english = in_language(at, DEFAULT)
    left = {}
    for language in LANGUAGES:
        if language == DEFAULT:
            continue
        texts = in_language(at, language)
        found = english_left(texts, language, demo_db_path)
        if language == "fi":  # a string nobody marked is the same in every language: one is enough to find it
            found += [f"not a message: {text!r}" for text in unmarked_left(texts, english, demo_db_path)]
        if found:
            left[language] = found
    assert left == {}


def test_the_sweep_finds_english_left(demo_db_path, app_on):
    """The Overview in English read as if it were Finnish: the sweep finds the messages and the unmarked text."""
    at = signed_in(app_on, demo_db_path, "pages/overview.py", {})
    english = in_language(at, DEFAULT)
    assert "Overview" in english_left(english, "fi")
    assert unmarked_left(english, english, demo_db_path) != []  # nothing is data-only on a whole page
