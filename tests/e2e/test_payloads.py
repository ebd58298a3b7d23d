"""Hostile user text in a real browser (issue #13): every page, signed out and as each role, a lesson's page, the
facilitator's view with pending suggestions and a participant's voting view show the payloads as text. No dialog, no
element made from user text (script, image, link, Material icon, LaTeX), no request off the machine.

One server on a store full of payloads (tests/payloads.py); one browser context per role, signed in once.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from components import browser
from tests.e2e.conftest import SCREENSHOTS, fill_sign_in
from tests.payloads import payload_store

PASSWORDS = {
    "admin": "demo-admin-pass",
    "coordinator": "demo-coordinator-pass",
    "facilitator": "demo-facilitator-pass",
    "viewer": "demo-viewer-pass",
}
PAGES = {
    "": "Overview",
    "overview": "Overview",
    "lessons": "Lessons",
    "recurs": "What recurs",
    "networks": "Stakeholder networks",
    "models": "Governance models",
    "vote": "Vote in a workshop",
    "workshops": "Run a workshop",
    "upload": "Upload pilot summary",
    "pilot-data": "Edit pilot data",
    "exports": "Data and exports",
    "users": "Users and audit",
}
#: Payloads that must appear on a lesson's page exactly as written (word joiners aside).
SHOWN_AS_TEXT = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "![x](http://127.0.0.1:9/x.png)",
    "http://127.0.0.1:9/auto",
    ":material/home:",
    ":red[x]",
    "$\\href{javascript:alert(1)}{x}$",
    '=HYPERLINK("x")',
    "@SUM(1)",
    "emoji 😀🎉",
    "CJK 中文漢字",
)
INJECTED = """() => {
  const found = [];
  const add = (what, els) => { for (const e of els) found.push(what + ': ' + e.outerHTML.slice(0, 160)); };
  add('image', document.querySelectorAll('img[src="x"], img[src*="127.0.0.1:9"]'));
  add('link', document.querySelectorAll('a[href^="javascript:" i], a[href*="javascript:" i], a[href*="127.0.0.1:9"]'));
  add('script', [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert(1)')));
  add('latex', document.querySelectorAll('.katex, .katex-display'));
  add('icon', [...document.querySelectorAll('[data-testid="stIconMaterial"], span')].filter(
      s => s.textContent.trim() === 'home' && getComputedStyle(s).fontFamily.includes('Material')));
  add('colour', [...document.querySelectorAll('[data-testid="stMarkdownContainer"] span')].filter(
      s => s.textContent === 'x' && s.children.length === 0 && getComputedStyle(s).color !== getComputedStyle(s.parentElement).color));
  return found;
}"""


@pytest.fixture(scope="module")
def payload_app(demo_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("e2e-payloads") / "payloads.db"
    where = payload_store(demo_template, path)
    with browser.app_server(path, timeout=180) as url:
        yield url, where


class Watch:
    """A browser context's page with what it saw: dialogs and requests."""

    def __init__(self, chrome, url: str, viewport=(1366, 900), **options):
        self.context = chrome.new_context(viewport={"width": viewport[0], "height": viewport[1]}, **options)
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.url, self.dialogs, self.off_machine = url, [], []
        self.page.on("dialog", self._dialog)
        self.page.on("request", self._request)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request) -> None:
        if browser.off_site(request.url, self.url):
            self.off_machine.append(request.url)

    def check(self, where: str, title: str | None = None) -> None:
        browser.wait_rendered(self.page)
        if title:
            expect(self.page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        expect(self.page.get_by_text("Page not found")).to_have_count(0)
        injected = self.page.evaluate(INJECTED)
        assert not injected, f"{where}: {injected}"
        assert not self.dialogs, f"{where}: dialogs {self.dialogs}"
        assert not self.off_machine, f"{where}: requests off the machine {self.off_machine}"
        assert not self.page.get_by_test_id("stException").count(), f"{where}: an exception is shown"

    def visible_text(self) -> str:
        return self.page.get_by_test_id("stMain").inner_text().replace("\u2060", "")

    def close(self) -> None:
        self.context.close()


def test_every_page_signed_out(chrome, payload_app):
    url, where = payload_app
    watch = Watch(chrome, url)
    try:
        for path, title in PAGES.items():
            watch.page.goto(f"{url}/{path}")
            watch.check(f"/{path}", title)
        pilot = where["pilot"]
        for path in (
            f"lessons?pilot={pilot}",
            f"networks?pilot={pilot}",
            f"networks?pilot={pilot}&actor={where['actor']}",
            f"recurs?view=Pilot+%C3%97+theme&pilot={pilot}&theme=payload-tag",
            f"recurs?view=Compare+pilots&compare={pilot}&compare={where['other_pilot']}",
        ):
            watch.page.goto(f"{url}/{path}")
            watch.check(f"/{path}")
            assert ":red[x]" in watch.visible_text()
    finally:
        watch.close()


@pytest.mark.parametrize("viewport", [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_lesson_page_shows_the_payloads_as_text(chrome, payload_app, viewport):
    url, where = payload_app
    phone = viewport[0] < 500
    watch = Watch(chrome, url, viewport, is_mobile=phone, has_touch=phone)
    try:
        watch.page.goto(f"{url}/lessons?lesson={where['lesson']}")
        watch.check("the lesson's page")
        text = watch.visible_text()
        missing = [p for p in SHOWN_AS_TEXT if p not in text]
        assert not missing, f"not shown as written: {missing}"
        SCREENSHOTS.mkdir(exist_ok=True)
        watch.page.screenshot(path=str(SCREENSHOTS / f"40-payload-lesson-{viewport[0]}.png"), full_page=True)
        watch.page.get_by_text("Stakeholders this lesson concerns").scroll_into_view_if_needed()
        watch.page.screenshot(path=str(SCREENSHOTS / f"41-payload-lesson-facts-{viewport[0]}.png"))
    finally:
        watch.close()


@pytest.mark.parametrize("role", list(PASSWORDS))
def test_every_page_as_each_role(chrome, payload_app, role):
    url, where = payload_app
    watch = Watch(chrome, url)
    page = watch.page
    try:
        page.goto(f"{url}/lessons?lesson={where['lesson']}")
        browser.wait_rendered(page)
        sidebar = fill_sign_in(page, role, PASSWORDS[role])
        expect(sidebar.get_by_text("Signed in as")).to_be_visible()
        watch.check(f"{role}: the lesson's page")
        assert ":material/home:" in watch.visible_text()
        nav = page.get_by_test_id("stSidebarNav")
        for title in dict.fromkeys(PAGES.values()):
            nav.get_by_role("link", name=title, exact=True).click()
            watch.check(f"{role}: {title}", title)
        if role in ("admin", "facilitator"):
            nav.get_by_role("link", name="Run a workshop", exact=True).click()
            browser.wait_rendered(page)
            chooser = page.get_by_role("combobox", name="Workshop", exact=True)
            chooser.click()
            page.get_by_role("option", name=re.compile(re.escape(where["workshop"]))).click()
            watch.check(f"{role}: the workshop with suggestions", "Run a workshop")
            expect(page.get_by_text("Suggested by participants, waiting for you")).to_be_visible()
            assert "Suggestion :material/home:" in watch.visible_text()
            page.get_by_text("Suggested by participants, waiting for you").scroll_into_view_if_needed()
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"42-payload-suggestions-{role}.png"))
    finally:
        watch.close()


def test_a_participant_votes_and_suggests(chrome, payload_app):
    url, where = payload_app
    watch = Watch(chrome, url, (390, 844), is_mobile=True, has_touch=True)
    page = watch.page
    try:
        page.goto(f"{url}/vote?code={where['workshop']}")
        watch.check("the join form", "Vote in a workshop")
        page.get_by_role("combobox", name="Your stakeholder group").click()
        page.keyboard.type("Citizens")
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Join").click()
        expect(page.get_by_text(re.compile(r"\d+ of \d+ answered"))).to_be_visible()
        watch.check("voting")
        page.get_by_role("button", name="Agree", exact=True).click()
        watch.check("after a vote")
    finally:
        watch.close()
