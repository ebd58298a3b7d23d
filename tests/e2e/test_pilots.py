"""A policy-maker opens the map of pilots, follows a pilot to its page and opens one of its lessons (#20).

The map is drawn from boundaries shipped with the app: the page makes no request off the machine (every URL the
browser asks for is recorded, by host). Screenshots at 1366 and 390 px wide.
"""

from __future__ import annotations

import io
from contextlib import closing
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from components import browser
from lessons.store import connect

PILOT = "tampere-youth-guidance"
PILOT_NAME = "Youth guidance one-stop shop"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def hosts(urls) -> set[str]:
    """The hosts of the http(s) and ws(s) URLs requested (data: and blob: URLs stay on the machine)."""
    return {urlsplit(u).hostname or "" for u in urls if urlsplit(u).scheme in ("http", "https", "ws", "wss")}


@pytest.mark.parametrize("width", [1366, 390])
def test_map_page_makes_no_request_off_the_machine(chrome, app_url, width):
    context = chrome.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    log = browser.RequestLog(page, app_url)
    try:
        page.goto(f"{app_url}/pilots")
        browser.wait_rendered(page)
        chart = page.locator('[role="graphics-document"][aria-label^="Map of"]')
        expect(chart).to_be_visible()
        page.wait_for_timeout(500)  # late fetches: icons, fonts, the chart renderer
        assert requested and hosts(requested) <= LOCAL_HOSTS, hosts(requested)
        assert not log.off_site(), log.off_site()
    finally:
        context.close()


STORY = "How the one-stop shop found its young people"


def published_story(path) -> str:
    """Give the pilot a published public story resting on its first lesson (once per app store); its lesson's title."""
    with closing(connect(path)) as db:
        lesson_id, title = db.execute(
            """SELECT l.id, l.title FROM lessons l JOIN pilots p ON p.id = l.pilot_id
               WHERE p.slug = ? AND l.status <> 'draft' AND l.visibility = 'public' ORDER BY l.key LIMIT 1""",
            [PILOT],
        ).fetchone()
        if not db.execute("SELECT 1 FROM stories WHERE title = ?", [STORY]).fetchone():
            with db.conn:
                story = db.execute(
                    """INSERT INTO stories (pilot_id, title, lead, body, reuse, status, visibility, published_at)
                       SELECT id, ?, 'Youth workers went where young people already were.', '# What we did\n\n- Met them at the youth centre',
                              'Start where people already meet.', 'published', 'public', '2026-12-01T00:00:00Z'
                       FROM pilots WHERE slug = ?""",
                    [STORY, PILOT],
                ).lastrowid
                db.execute(
                    "INSERT INTO story_lessons (story_id, lesson_id, position) VALUES (?, ?, 1)", [story, lesson_id]
                )
    return title


@pytest.mark.parametrize("width", [1366, 390])
def test_a_policy_maker_follows_a_pilot_from_the_map_to_its_story_and_a_lesson(page, app_url, shoot, width):
    lesson_title = published_story(app_url.db_path)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{app_url}/pilots")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Pilots", exact=True)).to_be_visible()
    expect(page.locator('[role="graphics-document"][aria-label^="Map of"]')).to_be_visible()
    shoot(f"pilots-map-{width}")

    # The list beside the map: each pilot a link, reached and followed by keyboard.
    link = page.get_by_role("link", name=PILOT_NAME)
    link.focus()
    page.keyboard.press("Enter")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=PILOT_NAME, level=1)).to_be_visible()
    page.wait_for_url(f"**pilot={PILOT}**")
    for heading in ("Methodology and its steps", "Its lessons by phase and kind", "Compared with the other pilots"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    page.get_by_text("Link and citation for this pilot").click()
    expect(page.get_by_text(f"pilots?pilot={PILOT}").first).to_be_visible()
    shoot(f"pilots-page-{width}")

    # Its story, read whole on the Stories page ...
    expect(page.get_by_role("heading", name="Its story")).to_be_visible()
    page.get_by_role("link", name="Read the story").click()
    browser.wait_rendered(page)
    page.wait_for_url("**story=**")
    expect(page.get_by_role("heading", name=STORY)).to_be_visible()
    expect(page.get_by_role("heading", name="What we did")).to_be_visible()
    shoot(f"pilots-story-{width}")
    # ... and a lesson it rests on opens on the Lessons page ...
    page.locator("a[href*='lessons?lesson=']").filter(has_text=lesson_title).first.click()
    browser.wait_rendered(page)
    page.wait_for_url("**lesson=**")
    expect(page.get_by_role("heading", name=lesson_title)).to_be_visible()
    # ... and leads back to its pilot's page.
    expect(page.get_by_role("link", name=f"About the pilot: {PILOT_NAME}")).to_be_visible()


def test_a_click_on_a_dot_of_the_map_opens_its_pilot(page, app_url):
    """The dots are drawn on a canvas: find one by its colour (the accent, #0072B2) and click it."""
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{app_url}/pilots")
    browser.wait_rendered(page)
    chart = page.locator('[role="graphics-document"][aria-label^="Map of"]')
    expect(chart).to_be_visible()
    page.wait_for_timeout(500)  # the chart draws after the script has run
    image = Image.open(io.BytesIO(chart.screenshot())).convert("RGB")
    dots = [
        (x, y)
        for y in range(0, image.height, 2)
        for x in range(0, image.width, 2)
        if image.getpixel((x, y)) == (0x00, 0x72, 0xB2)
    ]
    assert dots, "no dot of the accent colour on the map"
    x, y = dots[len(dots) // 2]
    chart.click(position={"x": x, "y": y})
    page.wait_for_url("**pilot=**")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Compared with the other pilots")).to_be_visible()
