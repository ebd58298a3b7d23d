"""axe-core as each other role (#19): coordinator, facilitator and viewer, at 1366×900 and 390×844.

tests/e2e/test_accessibility.py sweeps every page signed out and as an administrator. What a page shows depends on
the role only on the pages that ask who is signed in (a lesson's status controls, models, workshops, the report,
upload, pilot data, vocabularies, exports, users), so those are swept here as each role: the forms a coordinator
fills, the facilitator's workshop controls, the refusals a viewer reads. Same rule and allowlist: no serious or
critical violation from our content. Phone screenshots: tests/e2e/screenshots/a11y-phone-ROLE-*.png.
"""

from __future__ import annotations

import re

import pytest

from components import browser
from tests.e2e.conftest import SCREENSHOTS, app_pages, sign_in_as
from tests.e2e.test_accessibility import SIZES, blocking_violations, whole_page_screenshot

#: The pages whose content depends on who is signed in (they read the signed-in user).
ROLE_PAGES = (
    "lessons?lesson=1",
    "models",
    "workshops",
    "workshop-report",
    "upload",
    "pilot-data",
    "vocabularies",
    "exports",
    "users",
)


def test_the_role_pages_are_pages_of_the_app():
    """A page renamed in app.py must be renamed here, or its sweep would test a 'page not found'."""
    assert {p.split("?")[0] for p in ROLE_PAGES} <= set(app_pages())


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("who", ["coordinator", "facilitator", "viewer"])
def test_axe_finds_no_serious_violation_as_each_role(chrome, app_url, who, size):
    width, height = SIZES[size]
    context = chrome.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        sign_in_as(page, app_url, who)
        problems = []
        for path in ROLE_PAGES:
            page.goto(f"{app_url}/{path}")
            browser.wait_rendered(page)
            page.wait_for_timeout(500)  # charts draw after the script has run
            assert page.get_by_text("Signed in as").count(), f"/{path}: {who} not signed in"
            problems += blocking_violations(page, f"/{path} ({who}, {size})")
            if size == "phone":
                name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
                whole_page_screenshot(page, SCREENSHOTS / f"a11y-phone-{who}-{name}.png")
        assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)
    finally:
        context.close()
