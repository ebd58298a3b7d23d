"""Stories in a real browser (#20): a coordinator writes a story with an image and submits it, an administrator
publishes it, and a signed-out visitor reads it from the list, on a desktop and on a phone."""

from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw
from playwright.sync_api import expect

from components import browser
from lessons import contributors as credit
from lessons.permissions import cli_actor
from lessons.store import open_store
from tests.e2e.conftest import SCREENSHOTS, sign_in_as

TITLE = "The guidance desk that young people found"
LEAD = "Three services opened one desk, and young people came."
BODY = (
    "# What we tried\n"
    "We put the three services behind one desk in the library. <b>Not bold</b> **not bold either**.\n"
    "\n"
    "- Ask young people where they already go\n"
    "- Pay peer reporters\n"
    "[image: desk.png]\n"
)


def picture(tmp_path):
    image = Image.new("RGB", (480, 270), (232, 238, 244))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 150, 420, 230), fill=(40, 90, 140))
    draw.rectangle((200, 60, 280, 150), fill=(200, 120, 40))
    path = tmp_path / "desk.png"
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def story_id_of(page) -> str:
    expect(page).to_have_url(re.compile(r"story=\d+"))
    return re.search(r"story=(\d+)", page.url).group(1)


def visitor(chrome, url: str, viewport: dict, shot: str, **device) -> None:
    context = chrome.new_context(viewport=viewport, **device)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{url}/stories")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Stories", exact=True)).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"{shot}-list.png"), full_page=True)
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    page.get_by_role("button", name="Read the story").filter(visible=True).first.click()  # the only story published
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    browser.wait_rendered(page)
    expect(page.get_by_text("Not bold</b> **not bold either**.", exact=False)).to_be_visible()
    expect(page.get_by_role("img", name="The new desk in the library, with a lamp")).to_be_visible()
    expect(page.get_by_role("button", name="Publish the story")).to_have_count(0)
    expect(page.get_by_text("Edit this story")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / f"{shot}-story.png"), full_page=True)
    context.close()


def test_a_story_is_written_published_and_read(chrome, app_url, page, tmp_path):
    # The coordinator writes the story, previews it, uploads its image and submits it.
    sign_in_as(page, app_url, "coordinator")
    page.goto(f"{app_url}/stories")
    browser.wait_rendered(page)
    expander = page.get_by_test_id("stExpander").filter(has_text="Write a new story")
    expander.get_by_text("Write a new story").click()
    expander.get_by_role("textbox", name="Title").fill(TITLE)
    expander.get_by_role("textbox", name="Lead sentence").fill(LEAD)
    expander.get_by_role("textbox", name="The story").fill(BODY)
    expander.get_by_text("Public: anyone, signed in or not").click()
    expander.get_by_role("button", name="Save the story").click()
    story_id = story_id_of(page)
    browser.wait_rendered(page)
    expect(page.get_by_text("Image desk.png is not uploaded yet.")).to_be_visible()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(picture(tmp_path)))
    expect(page.get_by_test_id("stFileChipIconSpinner")).to_have_count(0)
    page.get_by_role("textbox", name="What the image shows").fill("The new desk in the library, with a lamp")
    page.get_by_role("button", name="Upload the image").click()
    expect(page.get_by_text("Uploaded. Show it in the text")).to_be_visible()
    expect(page.get_by_role("img", name="The new desk in the library, with a lamp")).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "60-story-editor-desktop.png"), full_page=True)
    page.get_by_role("button", name="Submit for publishing").click()
    expect(page.get_by_text("Status: Submitted, waiting for an administrator")).to_be_visible()

    # Not published yet: a visitor finds nothing.
    context = chrome.new_context(viewport={"width": 1366, "height": 900})
    anonymous = context.new_page()
    anonymous.goto(f"{app_url}/stories?story={story_id}")
    browser.wait_rendered(anonymous)
    expect(anonymous.get_by_text("There is no story at this address that you may read.")).to_be_visible()
    context.close()

    # The administrator publishes it, after confirming; it is public because the coordinator chose so.
    context = chrome.new_context(viewport={"width": 1366, "height": 900})
    admin = context.new_page()
    admin.set_default_timeout(30_000)
    sign_in_as(admin, app_url, "admin")
    admin.goto(f"{app_url}/stories?story={story_id}")
    browser.wait_rendered(admin)
    publish = admin.get_by_role("button", name="Publish the story")
    expect(publish).to_be_disabled()
    admin.get_by_text("Yes, publish it").click()
    expect(publish).to_be_enabled()
    publish.click()
    expect(admin.get_by_role("button", name="Unpublish the story")).to_be_visible()
    context.close()
    with open_store(app_url.db_path) as db:
        assert db.execute("SELECT status FROM stories WHERE id = ?", [int(story_id)]).fetchone() == ("published",)

    # A signed-out visitor reads it from the list, on a desktop and on a phone.
    visitor(chrome, app_url, {"width": 1366, "height": 900}, "61-stories-desktop")
    visitor(chrome, app_url, {"width": 390, "height": 844}, "62-stories-phone", is_mobile=True, has_touch=True)


def test_a_visitor_reads_who_contributed_and_where_it_was_reused(chrome, app_url):
    cli = cli_actor()
    with open_store(app_url.db_path) as db:
        cited = credit.brief_citations(db)
        lesson_id = int(cited["lesson_id"].value_counts().index[0])  # the lesson most briefs cite
        pia = credit.add_contributor(
            db, cli, name="Pia Peer-Reporter", organisation="Tampere Youth Services", consent=True
        )
        credit.link(db, cli, pia, "lesson", str(lesson_id), "co-producer")
        shy = credit.add_contributor(db, cli, name="Sami Unnamed", organisation="Secret Club")
        credit.link(db, cli, shy, "lesson", str(lesson_id), "translator")
    for viewport, shot, device in (
        ({"width": 1366, "height": 900}, "63-contributors-desktop", {}),
        ({"width": 390, "height": 844}, "64-contributors-phone", {"is_mobile": True, "has_touch": True}),
    ):
        context = chrome.new_context(viewport=viewport, **device)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{app_url}/contributors")
        browser.wait_rendered(page)
        expect(page.get_by_role("button", name="A contributor")).to_be_visible()
        assert "Sami" not in page.content() and "Secret Club" not in page.content()
        page.screenshot(path=str(SCREENSHOTS / f"{shot}-list.png"), full_page=True)
        page.goto(f"{app_url}/contributors?contributor={pia}")
        browser.wait_rendered(page)
        expect(page.get_by_role("heading", name="Pia Peer-Reporter")).to_be_visible()
        expect(page.get_by_text(re.compile(r"^Cited \d+ times? in briefs other than their own pilot"))).to_be_visible()
        expect(page.get_by_text("Record consent and credits")).to_have_count(0)
        page.screenshot(path=str(SCREENSHOTS / f"{shot}-page.png"), full_page=True)
        context.close()
