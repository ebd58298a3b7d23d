"""Hostile user text on every page, signed out and as every role (issue #13): no exception, and no Markdown that
Streamlit renders holds a payload unescaped. The browser test (tests/e2e/test_payloads.py) checks what is drawn."""

from __future__ import annotations

import pytest
from google.protobuf.message import Message

from components.auth import SESSION_KEY
from lessons.store import connect
from tests.payloads import RAW_MARKERS, payload_store
from tests.test_pages import FOCUS_RING, LANGUAGE_SCRIPTS, REGISTERED

#: Proto fields that are not rendered as Markdown: plain widget values and options, chart specs (Vega draws text
#: as text), data, ids, icons the code sets, the text of a code block.
PLAIN_FIELDS = {
    "default",
    "value",
    "raw_value",
    "raw_values",
    "id",
    "form_id",
    "placeholder",
    "spec",
    "data",
    "url",
    "page",
    "icon",
    "code_text",  # st.code shows its text verbatim in a code block (a lesson's link and citation to copy)
}
#: Elements whose options are plain text (radio options are Markdown, so they are checked).
PLAIN_OPTIONS = {"selectbox", "multiselect"}


def _strings(message: Message, plain_options: bool):
    for descriptor, value in message.ListFields():
        name = descriptor.name
        if name in PLAIN_FIELDS or (plain_options and name == "options"):
            continue
        values = [value] if isinstance(value, (str, bytes, int, float, Message)) else value  # else: repeated
        for item in values:
            if isinstance(item, str):
                yield name, item
            elif isinstance(item, Message):
                yield from _strings(item, plain_options)


def rendered_markdown(at) -> list[tuple[str, str]]:
    """(element type, text) for every string of the page that Streamlit renders as Markdown."""
    found = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if node.type == "table":  # st.table renders every cell, heading and index as Markdown
            frame = node.value
            cells = [*map(str, frame.columns), *map(str, frame.index), *map(str, frame.to_numpy().ravel())]
            found.extend(("table", cell) for cell in cells)
        elif node.type == "html" and proto.body in (FOCUS_RING, *LANGUAGE_SCRIPTS):
            pass  # app.py's own constants: the focus style sheet and the page's language (#19, #21)
        elif isinstance(proto, Message):
            found.extend((node.type, text) for _name, text in _strings(proto, node.type in PLAIN_OPTIONS))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def leaks(at) -> list[str]:
    return [
        f"{kind}: {found[0]!r} in {text[max(0, found.start() - 40) : found.end() + 40]!r}"
        for kind, text in rendered_markdown(at)
        for found in RAW_MARKERS.finditer(text)
    ]


@pytest.fixture(scope="module")
def store(demo_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("payloads") / "payloads.db"
    return path, payload_store(demo_template, path)


RECURS_VIEWS = ["Contradicting", "Missing", "Pilot × theme", "Methodology crosswalk", "Compare pilots"]
NETWORK_VIEWS = ["Change over time", "Compare pilots", "Across pilots"]
#: How the escaped ``:material/home:`` reads in Markdown: the sign that a payload was rendered.
SHOWN = "\\:\u2060material/home\\:\u2060"
ROLES = [None, "admin", "coordinator", "facilitator", "viewer"]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "signed-out")
def test_every_page_shows_payloads_as_text(role, store, app_on):
    path, where = store
    at = app_on(path, timeout=60)
    if role:
        with connect(path, readonly=True) as db:
            at.session_state[SESSION_KEY] = db.execute("SELECT id FROM users WHERE username = ?", [role]).fetchone()[0]
    at.run()
    problems = []
    pilot, other = where["pilot"], where["other_pilot"]
    # (page, query parameters, whether payloads must be among what is rendered as Markdown there)
    visits = [(page, {}, False) for page in REGISTERED]
    visits += [
        ("pages/lessons.py", {"lesson": str(where["lesson"])}, True),
        ("pages/lessons.py", {"pilot": pilot}, True),
        ("pages/networks.py", {"pilot": pilot}, True),
        ("pages/workshops.py", {"code": where["workshop"]}, role in ("admin", "facilitator")),
    ]
    if role is None:  # views that are the same for everyone
        visits += [("pages/recurs.py", {"view": view}, False) for view in RECURS_VIEWS]
        visits += [("pages/networks.py", {"pilot": pilot, "view": view}, False) for view in NETWORK_VIEWS]
        visits += [
            ("pages/recurs.py", {"view": "Pilot × theme", "pilot": pilot, "theme": "payload-tag"}, True),
            ("pages/recurs.py", {"view": "Compare pilots", "compare": [pilot, other]}, True),
            ("pages/networks.py", {"pilot": pilot, "actor": where["actor"]}, True),
        ]
    visits += [("pages/vote.py", {"code": where["workshop"]}, False)]  # last: as the participant who suggested
    for page, params, shows_payloads in visits:
        if page == "pages/vote.py":
            at.session_state["vote_token"] = where["token"]
        for name in list(at.query_params):
            del at.query_params[name]
        at.query_params.update(params)
        at.switch_page(page).run()
        assert not at.exception, (page, params, at.exception)
        problems += [f"{page} {params}: {leak}" for leak in leaks(at)]
        rendered = [text for _kind, text in rendered_markdown(at)]
        if shows_payloads and not any(SHOWN in text for text in rendered):
            problems.append(f"{page} {params}: no payload shown, so nothing was checked")
        if page == "pages/workshops.py" and shows_payloads and not any("Suggestion" in text for text in rendered):
            problems.append("no participant suggestion shown to moderate")
        if page == "pages/vote.py" and not any(b.key and b.key.startswith("vote_agree_") for b in at.button):
            problems.append("no statement to vote on")
    assert not problems, "\n".join(dict.fromkeys(problems))


def test_the_checker_finds_what_is_not_escaped():
    from components.widgets import safe
    from tests.payloads import ALL

    assert [m[0] for m in RAW_MARKERS.finditer(ALL)] == [
        "<script", "<img", "](javascript", "![x]", "http://", "http://", ":material/", ":red[", "$\\href"
    ]  # fmt: skip
    assert not RAW_MARKERS.search(safe(ALL))
