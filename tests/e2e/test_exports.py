"""A policy-maker takes the results away: a brief on a governance model as PDF, the roadmap as a web page, and the
whole data set as one ZIP."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

import pypdfium2
from pypdf import PdfReader

from components import browser
from tests.e2e.conftest import SCREENSHOTS


def download(page, button: str, timeout: float = 120_000):
    with page.expect_download(timeout=timeout) as made:
        page.get_by_role("button", name=button, exact=True).click()
    return made.value


def test_a_policy_maker_downloads_a_brief_the_roadmap_and_everything(page, app_url, shoot):
    page.goto(f"{app_url}/exports")
    browser.wait_rendered(page)
    page.get_by_text("A governance model", exact=True).click()
    browser.wait_rendered(page)
    chooser = page.get_by_role("combobox", name="A governance model")
    chooser.click()
    page.keyboard.type("Local champions")
    page.keyboard.press("Enter")
    browser.wait_rendered(page)
    page.wait_for_timeout(300)
    shoot("30-data-and-exports")

    brief = download(page, "Brief as PDF")
    assert brief.suggested_filename == "brief-model-local-champions.pdf"
    reader = PdfReader(brief.path())
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    for heading in (
        "The model",
        "What recurs across pilots",
        "Where pilots disagree",
        "What validation workshops said",
    ):
        assert heading in text
    assert "Sources" in text and re.search(r"\bL\d+ \(", text) and "workshop " in text
    # the first pages as images, next to the browser screenshots, to look at as a reader would
    pdf = pypdfium2.PdfDocument(brief.path())
    for number in range(min(2, len(pdf))):
        pdf[number].render(scale=1.3).to_pil().save(SCREENSHOTS / f"31-brief-page-{number + 1}.png")

    roadmap = download(page, "Roadmap as a web page (HTML)")
    saved = SCREENSHOTS / roadmap.suggested_filename  # a .html name, so Chromium shows it as a page
    roadmap.save_as(saved)
    html = saved.read_text(encoding="utf-8")
    assert "<h1>Roadmap to co-creation</h1>" in html and "Step 1. Initiate and mobilise" in html
    viewer = page.context.new_page()
    viewer.goto(saved.as_uri())
    viewer.screenshot(path=str(SCREENSHOTS / "32-roadmap-html.png"), full_page=False)
    viewer.close()

    everything = download(page, "Download everything (ZIP)", timeout=240_000)
    with zipfile.ZipFile(BytesIO(open(everything.path(), "rb").read())) as bundle:
        names = set(bundle.namelist())
    assert {"lessons.db", "metadata.json", "datapackage.json", "README.txt"} <= names
    assert "data/lessons.csv" in names and "briefs/roadmap-to-co-creation.pdf" in names
    assert any(n.startswith("networks/") and n.endswith(".gexf") for n in names)
