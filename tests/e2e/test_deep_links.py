"""Every page's own URL works as a first visit (issue #13): a shared link to /overview once opened "Page not found",
because the default page is served at / and Streamlit ignores its url_path.

What a server answers a first visit depends on the URL: until ``st.navigation`` has run (or the launcher has switched
it off) Streamlit is in its legacy pages-folder mode, where a URL that is not the name of a file in pages/ finds no
page and one that is runs that file alone, without the router. So the URLs of the first kind (/pilot-data, /users)
and one of the second (/lessons, where the router's sidebar must be there) are each the first visit of a freshly
started server; the others, whose answer does not depend on being first, are visited on the session's shared server.
The fresh servers start side by side.
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
    "pilots": "Pilots",
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


PAGE_FILES = {path.stem for path in (browser.PROJECT_DIR / "pages").glob("*.py")}
#: URLs whose first visit can go differently from a later one: those that name no file in pages/, and /lessons.
FRESH = sorted({url_path for url_path in TITLES if url_path and url_path not in PAGE_FILES} | {"lessons"})


@pytest.fixture(scope="module")
def fresh_servers(demo_template, tmp_path_factory, request):
    """A freshly started server for each URL of :data:`FRESH` selected for this run, each on its own demo copy."""
    selected = [
        item.callspec.params["url_path"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module and item.callspec.params.get("url_path") in FRESH
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
        with ThreadPoolExecutor(max_workers=4) as pool:  # stopped side by side too
            list(pool.map(lambda entry: entry[1].__exit__(None, None, None), started))


@pytest.mark.parametrize("url_path", list(TITLES), ids=lambda p: f"/{p}")
def test_a_deep_link_is_a_working_first_visit(url_path, fresh_servers, app_url, page):
    page.goto(f"{fresh_servers.get(url_path, app_url)}/{url_path}")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=TITLES[url_path], exact=True)).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    # the router ran (app.py's sidebar), not the page's file alone; a participant's voting page has no sidebar at all
    # (#19), where the page's file alone would list the pages/ folder in one
    if url_path == "vote":
        expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    else:
        expect(page.get_by_test_id("stSidebar").get_by_text("what co-creation pilots learned")).to_be_visible()
    assert page.url.rstrip("/").endswith(f"/{url_path}".rstrip("/")) or url_path == ""
