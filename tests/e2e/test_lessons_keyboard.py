"""The Lessons page by keyboard alone (issues #18, #19): search, a filter chosen in the Filters panel, a chip removed,
a lesson opened by its title; and the page on a phone, where the filters sit above the results, not in the sidebar."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from components import browser
from tests.e2e.conftest import SCREENSHOTS

FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return '';
    return (e.getAttribute('aria-label') || e.innerText || e.tagName).trim().split('\\n').pop();  // not the icon's name
}"""


def tab_to(page, name, limit: int = 80, back: bool = False) -> None:
    """Press Tab (Shift+Tab with ``back``) until the focused element's name matches ``name`` (a pattern)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        page.wait_for_timeout(40)
        focused = page.evaluate(FOCUSED)
        seen.append(focused)
        if re.search(name, focused):
            return
    raise AssertionError(f"Tab never reached {name!r}; went through {seen}")


def test_lessons_by_keyboard(page, app_url, shoot):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{app_url}/lessons")
    browser.wait_rendered(page)

    tab_to(page, "^Search the lessons$")
    page.keyboard.type("trust")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=trust**")
    browser.wait_rendered(page)
    chip = page.get_by_role("button", name="Search: trust ✕")
    expect(chip).to_be_visible()

    tab_to(page, "^Filters")  # the panel of filters, above the results
    page.keyboard.press("Enter")
    kind = page.get_by_role("combobox", name="Kind")
    expect(kind).to_be_visible()
    tab_to(page, "^Kind")
    page.keyboard.type("Barrier")
    expect(page.get_by_role("option", name=re.compile(r"^Barrier"))).to_be_visible()  # the list has opened
    page.keyboard.press("Enter")
    page.wait_for_url("**kind=barrier**")
    page.keyboard.press("Escape")
    browser.wait_rendered(page)
    barrier = page.get_by_role("button", name="Kind: Barrier ✕")
    expect(barrier).to_be_visible()
    count = page.get_by_text(re.compile(r"^\d+ lessons? match")).first.inner_text()
    page.wait_for_timeout(400)  # the closed drop-down fades out
    shoot("lessons-keyboard-1366-filtered")

    barrier.focus()  # the chips come before the panel: back to them
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*kind=barrier).*q=trust"))
    browser.wait_rendered(page)
    expect(page.get_by_role("button", name="Kind: Barrier ✕")).to_have_count(0)
    expect(page.get_by_role("button", name="Search: trust ✕")).to_be_visible()
    assert page.get_by_text(re.compile(r"^\d+ lessons? match")).first.inner_text() != count

    tab_to(page, "^Filters")
    first = page.locator('[data-testid="stButton"] button[kind="tertiary"]').first
    title = first.inner_text().strip()
    tab_to(page, re.escape(title))
    page.keyboard.press("Enter")
    page.wait_for_url("**lesson=**")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("Cite this")).to_be_visible()
    lesson = re.search(r"lesson=(\d+)", page.url).group(1)
    link = page.get_by_test_id("stCode").first.inner_text().strip()
    assert link.endswith(f"/lessons?lesson={lesson}")
    shoot("lessons-keyboard-1366-lesson")
    page.get_by_text("Cite this").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "lessons-keyboard-1366-cite.png"))

    page.goto(link)  # the permalink opens the lesson in a new visit
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def test_table_titles_are_links_to_the_lesson(page, app_url, shoot):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{app_url}/lessons?view=Table&q=champions")
    browser.wait_rendered(page)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    shoot("lessons-table-1366")
    canvas = page.get_by_test_id("data-grid-canvas")
    box = canvas.bounding_box()
    row = box["y"] + 36 + 17  # the middle of the first row, below the header
    for x in range(int(box["x"]) + 40, int(box["x"] + box["width"]) - 10, 15):  # the grid draws on a canvas:
        page.mouse.move(x, row)  # find the link by the pointer it shows
        page.wait_for_timeout(30)
        if canvas.evaluate("c => c.style.cursor") == "pointer":
            break
    else:
        raise AssertionError("no link in the table's first row")
    with page.context.expect_page() as opened:  # the grid opens links in a new tab
        page.mouse.click(x, row)
    lesson = opened.value
    lesson.wait_for_load_state()
    assert re.search(r"/lessons\?lesson=\d+", lesson.url)
    browser.wait_rendered(lesson)
    expect(lesson.get_by_text("Cite this")).to_be_visible()


def test_lessons_on_a_phone(page, app_url, shoot):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{app_url}/lessons?q=trust&kind=barrier&theme=digital")
    browser.wait_rendered(page)
    expect(page.get_by_role("button", name="Kind: Barrier ✕")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Search: trust ✕")).to_be_visible()
    panel = page.get_by_test_id("stExpander").filter(has_text="Filters")
    expect(panel).to_be_visible()
    shoot("lessons-phone-390-chips")
    panel.get_by_role("button").first.click() if panel.get_by_role("button").count() else panel.locator(
        "summary"
    ).click()
    expect(page.get_by_role("combobox", name="Theme")).to_be_visible()
    shoot("lessons-phone-390-filters")
    page.get_by_role("button", name="Clear search and filters").click()
    page.wait_for_url(re.compile(r"/lessons$"))
    browser.wait_rendered(page)
    expect(page.get_by_role("button", name=re.compile("✕$"))).to_have_count(0)


def test_a_table_row_opens_its_lesson_by_keyboard(page, app_url):
    """The grid's links open only with a pointer; by keyboard a row opens its lesson (arrow keys, Shift+Space)."""
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{app_url}/lessons?view=Table&q=champions")
    browser.wait_rendered(page)
    tab_to(page, "^(data-grid-canvas|CANVAS|Pilot)$")  # the grid takes the focus as one stop (not the Pilots page link)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Shift+Space")
    page.wait_for_url("**lesson=**")
    browser.wait_rendered(page)
    expect(page.get_by_text("Cite this")).to_be_visible()
