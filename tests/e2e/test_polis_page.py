"""Pol.is on the workshop page in a real browser: a facilitator imports a Pol.is export (its separate files, then a
ZIP of them), sees the imported workshop with its statement and participant counts, and downloads a workshop in
Pol.is's format, whose files hold the right numbers of comments, votes and participants."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from components import browser
from lessons.store import open_store
from tests.e2e.conftest import SCREENSHOTS, fill_sign_in
from tests.realdata import REALDATA, needs_realdata

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "polis" / "london.youth.policing"
FILES = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")
#: london.youth.policing (tests/fixtures/polis/README.md): 26 voters, 39 statements, 638 votes (the latest per voter
#: and comment), 36 statements shown to voters and 3 moderated out; the page counts the statements shown.
VOTERS, STATEMENTS, VOTES, SHOWN = 26, 39, 638, 36
STATUS = f"Closed · round 1 · {SHOWN} statements · {VOTERS} participants · {VOTES} votes"


def signed_in_facilitator(chrome, url: str, viewport: dict, **device):
    context = chrome.new_context(viewport=viewport, accept_downloads=True, **device)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{url}/workshops")
    browser.wait_rendered(page)
    if device.get("is_mobile"):  # the sidebar, where one signs in, starts collapsed on a phone
        page.get_by_test_id("stExpandSidebarButton").click()
    fill_sign_in(page, "facilitator", "demo-facilitator-pass")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    browser.wait_rendered(page)
    if device.get("is_mobile"):
        page.get_by_test_id("stSidebarCollapseButton").click()
    return context, page


def import_on_page(page, files: list[Path], title: str) -> str:
    """Open the import expander, choose the files, give a title, import; return the new workshop's code."""
    expander = page.get_by_test_id("stExpander").filter(has_text="Import a Pol.is conversation")
    if not expander.get_by_role("textbox", name="Title of the imported workshop").is_visible():
        expander.get_by_text("Import a Pol.is conversation").click()
    expander.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([str(f) for f in files])
    expect(expander.get_by_test_id("stFileChip")).to_have_count(len(files))
    expect(expander.get_by_test_id("stFileChipIconSpinner")).to_have_count(0)  # every file uploaded
    title_box = expander.get_by_role("textbox", name="Title of the imported workshop")
    title_box.fill(title)
    expect(title_box).to_have_value(title)
    expander.get_by_role("button", name="Import from Pol.is").click()
    picker = page.get_by_role("combobox", name="Workshop")
    expect(picker).to_have_value(re.compile(rf"^{re.escape(title)} \([A-Z0-9]+\)$"), timeout=60_000)
    browser.wait_rendered(page)
    return re.search(r"\(([A-Z0-9]+)\)$", picker.input_value()).group(1)


def counts_in_store(path, code: str) -> tuple[int, int, int]:
    with open_store(path) as db:
        wid = db.execute("SELECT id FROM workshops WHERE code = ?", [code]).fetchone()[0]
        one = lambda sql: db.execute(sql, [wid]).fetchone()[0]  # noqa: E731
        return (
            one("SELECT count(*) FROM participants WHERE workshop_id = ?"),
            one("SELECT count(*) FROM statements WHERE workshop_id = ?"),
            one("SELECT count(*) FROM votes JOIN participants p ON p.id = participant_id WHERE p.workshop_id = ?"),
        )


def rows(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))


def test_a_facilitator_imports_a_polis_export_and_downloads_one(chrome, app_url, tmp_path):
    context, page = signed_in_facilitator(chrome, app_url, {"width": 1366, "height": 900})

    # the export's separate files
    code = import_on_page(page, [FIXTURE / name for name in FILES], "London youth policing (files)")
    status = page.get_by_text(re.compile(r"^Closed · round 1 · "))
    expect(status).to_have_text(STATUS)
    assert counts_in_store(app_url.db_path, code) == (VOTERS, STATEMENTS, VOTES)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "60-polis-imported-desktop.png"), full_page=True)

    # the same export as one ZIP, its files in a folder as Pol.is's download has them
    bundle = tmp_path / "london-youth-policing.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for name in FILES:
            archive.write(FIXTURE / name, f"9xxwa9jpkm/{name}")
    zipped = import_on_page(page, [bundle], "London youth policing (ZIP)")
    assert zipped != code
    expect(status).to_have_text(STATUS)
    assert counts_in_store(app_url.db_path, zipped) == (VOTERS, STATEMENTS, VOTES)

    # the statements came across under their Pol.is comment ids
    page.get_by_role("tab", name="Statements").click()
    expect(
        page.get_by_text(re.compile(r"P35 \(written for this workshop\) Eliminate bias - wider background check"))
    ).to_be_visible()
    expect(page.get_by_text("This workshop is no longer a draft")).to_be_visible()  # closed, never "opened" here

    # export in Pol.is's format from the page
    page.get_by_role("tab", name="Pol.is export").click()
    button = page.get_by_role("button", name="Download as a Pol.is export (ZIP)")
    expect(button).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "61-polis-export-desktop.png"), full_page=True)
    with page.expect_download() as made:
        button.click()
    download = made.value
    assert download.suggested_filename == f"polis-{zipped}.zip"
    with zipfile.ZipFile(download.path()) as archive:
        names = set(archive.namelist())
        assert {"comments.csv", "votes.csv", "participants-votes.csv", "summary.csv", "conversation.json"} <= names
        comments, votes, people = (rows(archive, n) for n in ("comments.csv", "votes.csv", "participants-votes.csv"))
        summary = archive.read("summary.csv").decode("utf-8")
    assert len(comments) == STATEMENTS
    with open(FIXTURE / "comments.csv", encoding="utf-8") as original:
        assert {c["comment-id"] for c in comments} == {c["comment-id"] for c in csv.DictReader(original)}
    assert len(votes) == VOTES
    assert len(people) == VOTERS
    assert len({v["voter-id"] for v in votes}) == VOTERS
    assert sum(int(p["n-votes"]) for p in people) == VOTES
    assert {c["moderated"] for c in comments} == {"1", "-1"}
    assert sum(c["moderated"] == "-1" for c in comments) == 3  # moderated out in Pol.is, still moderated out
    # each comment's agree and disagree counts agree with its votes
    for comment in comments:
        mine = [v["vote"] for v in votes if v["comment-id"] == comment["comment-id"]]
        assert int(comment["agrees"]) == mine.count("1") and int(comment["disagrees"]) == mine.count("-1")
    assert re.search(rf"voters,{VOTERS}\b", summary) and re.search(rf"comments,{STATEMENTS}\b", summary)
    context.close()


@needs_realdata
def test_a_real_polis_conversation_imports_from_a_zip_on_a_phone(chrome, app_url, tmp_path):
    """``4cvkai2ctw`` (../shared/realdata/polis/PROVENANCE.md): 35 voters, 44 statements (36 accepted, 6 never
    moderated, 2 rejected under strict moderation), 504 votes."""
    folder = REALDATA / "polis" / "4cvkai2ctw"
    if not folder.is_dir():
        pytest.skip(f"{folder} is not there")
    bundle = tmp_path / "4cvkai2ctw.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    context, page = signed_in_facilitator(
        chrome, app_url, {"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    code = import_on_page(page, [bundle], "Improving the Polis software")
    expect(page.get_by_text(re.compile(r"^Closed · round 1 · "))).to_have_text(
        "Closed · round 1 · 36 statements · 35 participants · 504 votes"
    )
    assert counts_in_store(app_url.db_path, code) == (35, 44, 504)
    page.screenshot(path=str(SCREENSHOTS / "62-polis-imported-phone.png"))
    # strict moderation: the 6 statements Pol.is never moderated wait for the facilitator here too
    expect(page.get_by_text("Suggested by participants, waiting for you (6)")).to_be_visible()

    tab = page.get_by_role("tab", name="Pol.is export")
    tab.scroll_into_view_if_needed()
    tab.click()
    button = page.get_by_role("button", name="Download as a Pol.is export (ZIP)")
    button.scroll_into_view_if_needed()
    browser.wait_rendered(page)
    page.screenshot(path=str(SCREENSHOTS / "63-polis-export-phone.png"))
    with page.expect_download() as made:
        button.tap()
    with zipfile.ZipFile(made.value.path()) as archive:
        comments, votes, people = (rows(archive, n) for n in ("comments.csv", "votes.csv", "participants-votes.csv"))
    assert (len(people), len(comments), len(votes)) == (35, 44, 504)
    assert sorted(c["moderated"] for c in comments).count("0") == 6  # still waiting, as Pol.is had them
    context.close()
