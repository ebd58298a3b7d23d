"""No request leaves the server (#19): every page of the menu and a few deep links, signed out and as an
administrator, at desktop and phone sizes; the browser fetches nothing from any host but the app's own, and the page
points at none (the favicon, which the browser fetches itself, included)."""

from __future__ import annotations

import pytest

from components import browser
from tests.e2e.conftest import DEEP_PAGES, app_pages, sign_in_as


@pytest.mark.parametrize("who", [None, "admin"], ids=["signed-out", "admin"])
def test_every_page_fetches_from_the_app_alone(chrome, app_url, who):
    context = chrome.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    log = browser.RequestLog(page, app_url)
    try:
        if who:
            sign_in_as(page, app_url, who)
        visited = 0
        for size in ((1366, 900), (390, 844)):
            page.set_viewport_size({"width": size[0], "height": size[1]})
            for path in (*app_pages(), *DEEP_PAGES):
                page.goto(f"{app_url}/{path}")
                browser.wait_rendered(page)
                page.wait_for_timeout(300)  # late fetches: icons, fonts, chart renderers
                assert not log.off_site(), f"/{path} at {size}: requests off the server {log.off_site()}"
                visited += 1
        assert visited == 2 * (len(app_pages()) + len(DEEP_PAGES)) and len(log.requests) > visited
        icons = page.evaluate("[...document.querySelectorAll('link[rel*=icon]')].map(l => l.href)")
        assert icons and not [i for i in icons if browser.off_site(i, app_url)]
        if who:  # still signed in at the end: the Manage pages were seen as an administrator
            assert page.get_by_test_id("stSidebar").get_by_text("Signed in as").count()
    finally:
        context.close()


def test_off_site_tells_the_apps_own_host_from_any_other():
    base = "http://127.0.0.1:8501"
    assert not browser.off_site("http://127.0.0.1:8501/static/media/font.woff2", base)
    assert not browser.off_site("data:image/svg+xml,<svg/>", base)
    assert not browser.off_site("blob:http://127.0.0.1:8501/abc", base)
    assert browser.off_site("https://fonts.gstatic.com/s/i/short-term/release/x/default/24px.svg", base)
    assert browser.off_site("http://localhost:8501/", base)
