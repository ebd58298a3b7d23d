"""The workshops area in Finnish (#21): the vote card follows the phone's language, the facilitator's page and the
public report speak Finnish, numbers are written the Finnish way, and a statement shows its Finnish translation."""

from __future__ import annotations

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from lessons import workshops
from lessons.i18n import using
from lessons.permissions import cli_actor
from lessons.store import open_store
from lessons.workshops.analysis import analyse, participation_text
from lessons.workshops.public_report import publish_report
from tests.test_public_report import CODE, FACILITATOR, build
from tests.test_workshops_page import signed_in

CLI = cli_actor()
ORIGINAL = "Residents should co-design services."
FINNISH = "Asukkaiden pitää suunnitella palvelut yhdessä."


def finnish_workshop(path) -> str:
    with open_store(path) as db:
        code = workshops.create_workshop(db, CLI, "Kuntatyöpaja")
        workshops.add_statements(db, CLI, code, texts=[ORIGINAL, "Budgets should follow pilots."])
        workshops.translate_statement(db, CLI, code, "S01", "fi", FINNISH)
        workshops.open_workshop(db, CLI, code)
    return code


def phone_in_finnish(app_on, path, code: str) -> AppTest:
    """The vote page as a phone whose browser language is Finnish opens it: no ?lang= in the link."""
    at = app_on(path, {"code": code})
    at.context = {"url": "http://localhost:8501/vote", "locale": "fi-FI"}
    at.run()
    at.switch_page("pages/vote.py").run()
    assert not at.exception, at.exception
    return at


def test_the_vote_card_follows_the_phones_language_and_shows_the_finnish_statement(demo_db_path, app_on):
    code = finnish_workshop(demo_db_path)
    at = phone_in_finnish(app_on, demo_db_path, code)
    assert at.session_state["lang"] == "fi"
    assert at.title[0].value == "Äänestä työpajassa"
    assert at.text_input(key="vote_code").label == "Työpajan koodi"
    with using("fi"):  # AppTest words the chosen option with the page's format_func in the test's own thread
        at.selectbox[0].set_value("citizens")
        next(b for b in at.button if b.label == "Liity").click().run()
    assert not at.exception, at.exception
    assert at.get("progress")[0].proto.text == "0/2 vastattu"
    labels = [b.label for b in at.button if b.key and b.key.startswith("vote_")]
    assert {"Samaa mieltä", "Eri mieltä", "Ohitan / en tiedä"} <= set(labels)
    seen = set()
    for _ in range(2):  # the order is the participant's own: answer both, noting each card's text
        seen.add(at.subheader[0].value.replace("\\", ""))  # the card's text is escaped Markdown
        next(b for b in at.button if b.key and b.key.startswith("vote_agree_")).click().run()
        assert not at.exception, at.exception
    assert seen == {FINNISH, "Budgets should follow pilots."}  # the translation where there is one
    assert any("Kiitos!" in s.value for s in at.success)
    with open_store(demo_db_path) as db:  # the vote is on the statement, whatever language it was read in
        keys = db.execute(
            "SELECT s.key FROM votes v JOIN statements s ON s.id = v.statement_id JOIN workshops w "
            "ON w.id = s.workshop_id WHERE w.code = ? ORDER BY s.key",
            [code],
        ).fetchall()
    assert keys == [("S01",), ("S02",)]


def test_the_participant_picks_another_language_on_the_vote_page(demo_db_path, app_on):
    code = finnish_workshop(demo_db_path)
    at = phone_in_finnish(app_on, demo_db_path, code)
    picker = at.selectbox(key="vote_lang")
    assert picker.value == "fi" and picker.label == "Kieli (Language)"
    picker.set_value("el").run()
    assert not at.exception, at.exception
    assert at.session_state["lang"] == "el"
    assert at.title[0].value == "Ψηφοφορία σε εργαστήριο"


def test_the_facilitators_page_in_finnish_adds_a_translation(demo_db_path, app_on):
    with open_store(demo_db_path) as db:
        code = workshops.create_workshop(db, CLI, "Luonnos")
        workshops.add_statements(db, CLI, code, texts=[ORIGINAL, "Budgets should follow pilots."])
    at = signed_in(app_on, demo_db_path)
    at.sidebar.selectbox(key="lang_picker").set_value("fi").run()
    at.selectbox(key="workshops_code").set_value(code).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Työpajan vetäminen"
    assert any(m.value.startswith("**Luonnos: ei vielä auki** · kierros 1 · 2 väitettä") for m in at.markdown)
    assert "Lisää väitteet" in [b.label for b in at.get("form_submit_button")]
    at.selectbox(key=f"workshops_tr_statement_{code}").set_value("S01").run()
    at.selectbox(key=f"workshops_tr_language_{code}").set_value("fi").run()
    box = next(t for t in at.text_area if t.label.startswith("Väite kielellä Suomi"))
    box.set_value(FINNISH)
    next(b for b in at.get("form_submit_button") if b.label == "Tallenna käännös").click().run()
    assert not at.exception, at.exception
    with open_store(demo_db_path) as db:
        assert workshops.statements(db, code, translations=True)[0]["translations"] == {"fi": FINNISH}
        assert db.execute("SELECT translated_by FROM statement_translations").fetchone() == (
            "Demo workshop facilitator",
        )


def test_the_public_report_reads_in_finnish_with_finnish_numbers(demo_db_path, app_on):
    with open_store(demo_db_path) as db:
        build(db)
        publish_report(db, FACILITATOR, CODE)
    at = app_on(demo_db_path, {"code": CODE, "lang": "fi"}).run()
    at.switch_page("pages/workshop_report.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("Työpajan raportti") and "Trust in Tampere" in at.title[0].value
    assert [h.value for h in at.header][:2] == ["Tietoa työpajasta", "Miten ihmiset äänestivät kustakin väitteestä"]
    votes = at.dataframe[0].value
    first = votes[votes["Nro"] == 1].iloc[0]
    assert (first["Samaa mieltä"], first["Äänet"]) == (7, 11)
    assert first["95\xa0%:n väli"] == "35–85\xa0%"  # the Finnish percent: a space before the sign
    assert [b.label for b in at.get("download_button")] == ["Lataa raportti (HTML-sivu)", "Lataa raportti (PDF)"]
    english = app_on(demo_db_path, {"code": CODE}).run()  # the next reader in English is not served the Finnish one
    english.switch_page("pages/workshop_report.py").run()
    assert english.title[0].value.startswith("Workshop report")


def test_who_is_placed_in_an_opinion_group_is_said_in_finnish():
    """The stored analysis keeps its reasons in English (it serves every reader); the sentence is worded per reader."""
    matrix = pd.DataFrame([[1.0, 1], [np.nan, np.nan]], index=[1, 2], columns=[10, 11])
    people = pd.DataFrame({"id": [1, 2], "stakeholder_group": [None, None]})
    said = pd.DataFrame({"id": [10, 11], "key": ["S1", "S2"], "text": ["a", "b"]})
    result = analyse(matrix, people, said)
    with using("fi"):
        text = participation_text(result)
    assert text.startswith("2 osallistujaa äänesti. 0 on sijoitettu mielipideryhmiin;")
    assert "vähintään 6 osallistujaa" in text and "participant" not in text
