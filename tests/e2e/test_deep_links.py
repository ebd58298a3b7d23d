"""Every page's own URL works as the first visit of a freshly started server (issue #13): a shared link to /overview
once opened "Page not found", because the default page is served at / and Streamlit ignores its url_path.

Each URL gets a server of its own, started for it and visited once, so every check is a first visit. The servers
start side by side, so the whole file takes about as long as starting two or three of them one after the other.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from components import browser

TITLES = {
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
    "vocabularies": "Vocabularies",
    "exports": "Data and exports",
    "users": "Users and audit",
}


@pytest.fixture(scope="module")
def fresh_servers(demo_template, tmp_path_factory, request):
    """One freshly started server per URL path selected for this run, each on its own copy of the demo database."""
    selected = [
        item.callspec.params["url_path"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module
        and "url_path" in getattr(getattr(item, "callspec", None), "params", {})
    ]

    def start(url_path: str):
        path = tmp_path_factory.mktemp("deeplink") / "demo.db"
        shutil.copy(demo_template, path)
        server = browser.app_server(path, timeout=180)
        return url_path, server, server.__enter__()

    with ThreadPoolExecutor(max_workers=4) as pool:
        started = list(pool.map(start, selected))
    try:
        yield {url_path: url for url_path, _server, url in started}
    finally:
        for _url_path, server, _url in started:
            server.__exit__(None, None, None)


@pytest.mark.parametrize("url_path", list(TITLES), ids=lambda p: f"/{p}")
def test_a_deep_link_is_a_working_first_visit(url_path, fresh_servers, page):
    page.goto(f"{fresh_servers[url_path]}/{url_path}")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=TITLES[url_path], exact=True)).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    assert page.url.rstrip("/").endswith(f"/{url_path}".rstrip("/")) or url_path == ""
