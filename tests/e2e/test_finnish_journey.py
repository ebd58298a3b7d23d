"""A participant whose phone speaks Finnish (#21): joins a workshop from its link, sees the vote card in Finnish
without choosing anything (a statement in its Finnish translation, the others as written), votes, and once the
workshop is closed and its report published, reads the report in Finnish. Screenshots at 390 and 1366 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from components import browser
from lessons import workshops
from lessons.permissions import cli_actor
from lessons.store import open_store
from lessons.workshops.public_report import publish_report
from tests.e2e.conftest import sign_in_as
from tests.test_public_report import FACILITATOR

CLI = cli_actor()
STATEMENTS = [
    "Residents should co-design services from the first meeting.",
    "Budgets should follow the pilots that show results.",
    "Every pilot should publish what did not work.",
]
FINNISH = "Asukkaiden pitää suunnitella palvelut yhdessä ensimmäisestä tapaamisesta alkaen."


@pytest.fixture
def page(chrome):
    """A phone whose browser language is Finnish (the ``shoot`` fixture photographs this page)."""
    context = chrome.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def finnish_workshop(path) -> str:
    """An open workshop whose first statement has a Finnish translation, with five others already voted."""
    with open_store(path) as db:
        code = workshops.create_workshop(db, CLI, "Kotikaupungin työpaja", purpose="Mitä piloteista opittiin?")
        workshops.add_statements(db, CLI, code, texts=STATEMENTS)
        workshops.translate_statement(db, CLI, code, "S01", "fi", FINNISH)
        workshops.open_workshop(db, CLI, code)
        for n in range(5):  # enough people for the report to show its figures
            token = workshops.join(db, code, stakeholder_group="public")
            for key, value in zip(("S01", "S02", "S03"), ("agree", "agree" if n % 2 else "disagree", "pass")):
                workshops.cast_vote(db, token, key, value)
    return code


def test_a_finnish_phone_joins_votes_and_reads_the_report_in_finnish(page, app_url, shoot):
    code = finnish_workshop(app_url.db_path)
    page.goto(f"{app_url}/vote?code={code}")  # the room's link: no language in it
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Äänestä työpajassa")).to_be_visible()
    expect(page.get_by_text("Et tarvitse tiliä")).to_be_visible()
    shoot("49-fi-vote-join-390")
    page.get_by_role("combobox", name="Sidosryhmäsi").click()
    page.get_by_role("option").first.click()
    page.get_by_role("button", name="Liity").click()
    expect(page.get_by_text(re.compile(r"^0/3 vastattu"))).to_be_visible()
    expect(page.get_by_role("heading", name="Kotikaupungin työpaja")).to_be_visible()
    expect(page.get_by_role("button", name="Samaa mieltä", exact=True)).to_be_visible()
    expect(page.get_by_role("combobox", name="Kieli (Language)")).to_be_visible()
    shoot("50-fi-vote-card-390")
    seen = []
    for done in range(1, 4):
        seen.append(page.locator(".st-key-vote_card h3").inner_text())
        page.get_by_role("button", name="Samaa mieltä", exact=True).click()
        expect(page.get_by_text(re.compile(rf"^{done}/3 vastattu"))).to_be_visible()
        browser.wait_rendered(page)
    assert FINNISH in seen and STATEMENTS[0] not in seen  # the translation, never the original, where there is one
    assert set(STATEMENTS[1:]) <= set(seen)  # the original where there is no translation
    expect(page.get_by_text("Olet vastannut tämän kierroksen kaikkiin väitteisiin. Kiitos!")).to_be_visible()
    page.set_viewport_size({"width": 1366, "height": 900})
    shoot("51-fi-vote-done-1366")
    page.set_viewport_size({"width": 390, "height": 844})

    with open_store(app_url.db_path) as db:  # six people voted on S01, in two languages: one statement
        row = db.execute(
            """SELECT count(*) FROM votes v JOIN statements s ON s.id = v.statement_id
               JOIN workshops w ON w.id = s.workshop_id WHERE w.code = ? AND s.key = 'S01'""",
            [code],
        ).fetchone()
        assert row == (6,)
        workshops.close_workshop(db, CLI, code)
        publish_report(db, FACILITATOR, code)

    page.reload()  # the same participant, from the link this device keeps
    browser.wait_rendered(page)
    expect(page.get_by_text("Tämä työpaja on suljettu: äänestys ei ole käynnissä.")).to_be_visible()
    page.get_by_role("link", name="Mitä väitteille ja ideoillesi tapahtui").click()
    browser.wait_rendered(page)
    expect(
        page.get_by_role("heading", name=re.compile(r"^Työpajan raportti.{1,3}Kotikaupungin työpaja"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Miten ihmiset äänestivät kustakin väitteestä")).to_be_visible()
    expect(page.get_by_role("heading", name="Mitä sitten tapahtui")).to_be_visible()
    expect(page.get_by_role("button", name="Lataa raportti (PDF)")).to_be_visible()
    assert "How people voted" not in page.content()
    assert FINNISH in page.content() and STATEMENTS[0] not in page.content()  # the statement as the reader read it
    shoot("52-fi-report-390")
    page.get_by_role("heading", name="Miten ihmiset äänestivät kustakin väitteestä").scroll_into_view_if_needed()
    shoot("52-fi-report-390-votes")
    page.set_viewport_size({"width": 1366, "height": 900})
    shoot("53-fi-report-1366")
    page.get_by_role(
        "heading", name="Missä oltiin samaa mieltä, missä jakauduttiin ja missä oltiin epävarmoja"
    ).scroll_into_view_if_needed()
    shoot("53-fi-report-1366-flagged")


def test_a_facilitator_adds_the_finnish_translation_on_the_page(page, app_url, shoot):
    with open_store(app_url.db_path) as db:
        code = workshops.create_workshop(db, CLI, "Käännettävä työpaja")
        workshops.add_statements(db, CLI, code, texts=STATEMENTS[:2])
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in_as(page, f"{app_url}/workshops?lang=en&code={code}", "facilitator")  # signed in as in the other tests
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("combobox", name="Language").click()
    page.get_by_role("option", name="Suomi").click()
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name="Työpajan vetäminen")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Luonnos: ei vielä auki"))).to_be_visible()
    page.get_by_text("Väitteiden käännökset", exact=True).click()
    box = page.get_by_role("textbox", name=re.compile(r"^Väite kielellä Suomi"))
    box.fill(FINNISH)
    page.get_by_role("button", name="Tallenna käännös").click()
    browser.wait_rendered(page)
    expect(page.get_by_text("Käännös tallennettu.")).to_be_visible()  # the box stays open after the save
    expect(page.get_by_text(re.compile(r"Käännöksiä tähän mennessä: 1\.$"))).to_be_visible()
    expect(page.get_by_text("Käännetty kielille: Suomi")).to_be_visible()
    with open_store(app_url.db_path) as db:
        assert workshops.statements(db, code, translations=True)[0]["translations"] == {"fi": FINNISH}
    page.get_by_text("Käännetty kielille: Suomi").scroll_into_view_if_needed()
    shoot("54-fi-translation-editor-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    browser.wait_rendered(page)
    page.get_by_text("Käännetty kielille: Suomi").scroll_into_view_if_needed()
    shoot("55-fi-translation-editor-390")
