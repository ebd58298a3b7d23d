"""Issue #21's journey: an administrator translates an Italian lesson on the Translate lessons page, then a reader
finds it on the Lessons page by an Italian word, shown in English and marked as a translation — on a desktop and on
a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from components import browser
from lessons.store import connect
from tests.e2e.conftest import sign_in_as
from tests.e2e.test_methods import DESKTOP, PHONE, shot


@pytest.fixture
def italian(app_url, request):
    """An Italian lesson of the demo's first pilot, its key distinct per window size (the store is shared)."""
    key = f"ITA-{request.node.callspec.id}"
    with connect(app_url.db_path) as db:
        pilot = db.execute("SELECT id FROM pilots ORDER BY id LIMIT 1").fetchone()[0]
        db["lessons"].insert(
            {"pilot_id": pilot, "key": key, "title": f"Comunità partecipi {key}", "kind": "insight",
             "lesson": "Le comunità locali hanno partecipato alle scelte.", "language": "it", "status": "validated"}
        )  # fmt: skip
    return key


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_an_italian_lesson_is_translated_then_found_and_shown_in_english(chrome, app_url, italian, viewport):
    context = chrome.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(30_000)
    width = viewport["width"]
    sign_in_as(page, str(app_url), "admin")
    page.goto(f"{app_url}/translate")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Translate lessons")).to_be_visible()
    expect(page.get_by_text(re.compile(r"not yet translated into English"))).to_be_visible()
    page.get_by_role("combobox", name="Lesson to translate").click()
    page.keyboard.type(italian)
    page.keyboard.press("Enter")
    browser.wait_rendered(page)
    page.get_by_role("textbox", name="Title").fill(f"Engaged communities {italian}")
    page.get_by_role("textbox", name="What was learned").fill("Local communities took part in the choices.")
    shot(page, f"translate-form-{width}")
    page.get_by_role("button", name="Save the translation").click()
    browser.wait_rendered(page)
    expect(page.get_by_text("Translation saved.")).to_be_visible()

    page.goto(f"{app_url}/lessons?q=comunita+partecipazione&written_in=it")
    browser.wait_rendered(page)
    expect(page.get_by_role("button", name=f"Engaged communities {italian}")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Translated from Italian by ")).first).to_be_visible()
    shot(page, f"translated-card-{width}")
    context.close()
