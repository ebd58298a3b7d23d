"""Lessons in the reader's language on the Lessons page, the language filter, and the Translate page (#21)."""

from __future__ import annotations

import pytest

from lessons import translations
from lessons.permissions import Actor
from lessons.store import open_store

PASSWORDS = {"admin": "demo-admin-pass"}


@pytest.fixture
def store(demo_db_path):
    """The demo store with two Italian lessons: one translated into English by Ana Bianchi, one not."""
    db = open_store(demo_db_path)
    pilot = db.execute("SELECT id FROM pilots ORDER BY id LIMIT 1").fetchone()[0]
    ids = {}
    for key, title, text in (
        ("IT1", "Fiducia nelle comunità", "Le comunità locali hanno partecipato."),
        ("IT2", "Partecipazione", "I cittadini hanno votato."),
    ):
        ids[key] = db["lessons"].insert(
            {"pilot_id": pilot, "key": key, "title": title, "lesson": text, "kind": "insight", "language": "it",
             "status": "validated"}
        ).last_pk  # fmt: skip
    translations.set_translation(
        db, Actor("ana", "admin", display_name="Ana Bianchi"), ids["IT1"], "en",
        title="Trust in communities", lesson="Local communities took part.",
    )  # fmt: skip
    db.close()
    return demo_db_path, ids


def cards(at) -> list[str]:
    return [b.label for b in at.button if b.key and b.key.startswith("lessons_card_")]


def captions(at) -> list[str]:
    """The captions as read (our Markdown escapes undone: a backslash, a word joiner after a colon)."""
    return [c.value.replace("\\", "").replace("\u2060", "") for c in at.caption]


def test_the_lessons_page_filters_by_language_and_shows_the_readers_language(store, app_on):
    path, _ids = store
    at = app_on(path)
    at.switch_page("pages/lessons.py")
    at.query_params["written_in"] = ["it"]
    at.run()
    assert not at.exception
    assert at.multiselect(key="lessons_languages").value == ["it"]
    assert at.markdown[0].value.startswith("**2 lessons**")
    assert sorted(cards(at)) == ["**Partecipazione**", "**Trust in communities**"]
    assert "Translated from Italian by Ana Bianchi" in captions(at)
    assert "Original in Italian" in captions(at)
    options = at.multiselect(key="lessons_languages").options
    assert "Italian (2)" in options and any(o.startswith("English (") for o in options)


def test_a_lesson_shows_its_translation_and_says_so(store, app_on):
    path, ids = store
    at = app_on(path)
    at.switch_page("pages/lessons.py")
    at.query_params["lesson"] = str(ids["IT1"])
    at.run()
    assert not at.exception
    assert at.subheader[0].value == "Trust in communities"
    assert "Translated from Italian by Ana Bianchi" in captions(at)
    assert any("Local communities took part" in m.value for m in at.markdown)


def test_a_search_in_italian_finds_the_lesson_and_shows_it_in_english(store, app_on):
    path, _ids = store
    at = app_on(path)
    at.switch_page("pages/lessons.py").run()
    at.text_input(key="lessons_query").set_value("comunita partecipazione").run()
    assert not at.exception
    assert cards(at) == ["**Trust in communities**"]


def sign_in(at, username):
    at.text_input(key="auth_username").set_value(username)
    at.text_input(key="auth_password").set_value(PASSWORDS[username])
    at.button(key="FormSubmitter:auth_form-Sign in").click().run()
    assert not at.exception


def test_the_translate_page_lists_what_is_left_and_a_coordinator_translates_it(store, app_on):
    path, ids = store
    at = app_on(path).run()
    at.switch_page("pages/translations.py").run()
    assert not at.exception
    assert at.title[0].value == "Translate lessons"
    assert at.selectbox(key="translate_target_en").value == "English"
    assert any("**1 lesson** is not yet translated into English." in m.value for m in at.markdown)
    assert at.dataframe[0].value["Title"].tolist() == ["Partecipazione"]
    assert any("Sign in" in i.value for i in at.info)  # a visitor reads the list, and may not translate
    assert not [w for w in at.text_input if w.key.startswith("translate_")]
    sign_in(at, "admin")
    assert at.selectbox(key="translate_lesson").value == ids["IT2"]
    at.text_input(key=f"translate_title_{ids['IT2']}").set_value("Participation")
    at.text_area(key=f"translate_text_{ids['IT2']}").set_value("Citizens voted.")
    at.button(key=f"FormSubmitter:translate_form_{ids['IT2']}_en-Save the translation").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        "Every lesson you can see is written in English or translated into it.",
        "Translation saved.",
    ]
    db = open_store(path)
    assert translations.translations_of(db, ids["IT2"])[0] | {"translated_at": None} == {
        "language": "en", "title": "Participation", "lesson": "Citizens voted.", "context": None,
        "recommendation": None, "translated_by": db.execute(
            "SELECT coalesce(display_name, username) FROM users WHERE username = 'admin'"
        ).fetchone()[0], "translated_at": None,
    }  # fmt: skip
    db.close()


def test_the_translate_page_offers_the_spreadsheet(store, app_on):
    path, _ids = store
    at = app_on(path).run()
    at.switch_page("pages/translations.py").run()
    at.selectbox(key="translate_target_en").set_value("Finnish (Suomi)").run()
    assert not at.exception
    assert at.selectbox(key="translate_target_en").value == "Finnish (Suomi)"
    assert any("not yet translated into Finnish" in m.value for m in at.markdown)
    assert [b for b in at.get("download_button") if b.proto.label == "Download the lessons to translate (XLSX)"]


def test_in_finnish_the_pages_say_in_finnish_which_language_a_lesson_is_shown_in(store, app_on):
    path, _ids = store
    at = app_on(path, {"lang": "fi"}).run()
    at.switch_page("pages/lessons.py")
    at.query_params["written_in"] = ["it"]
    at.run()
    assert not at.exception
    assert captions(at).count("Alkuperäinen kieli: italia") == 2  # no Finnish translation: the originals, said so
    assert "italia (2)" in at.multiselect(key="lessons_languages").options
    at.switch_page("pages/translations.py").run()
    assert not at.exception
    assert at.title[0].value == "Käännä oppeja"
    assert at.selectbox(key="translate_target_fi").value == "suomi"
    counted = [m.value for m in at.markdown if "odottaa käännöstä kielelle: suomi" in m.value]
    assert counted and counted[0].startswith("**") and "oppia**" in counted[0]
    assert any(i.value.startswith("Kirjaudu sisään (sivupalkissa)") for i in at.info)


def test_what_recurs_says_which_lessons_it_could_not_compare(store, app_on):
    path, _ids = store
    at = app_on(path).run()
    at.switch_page("pages/recurs.py").run()
    assert not at.exception
    assert (
        "1 lesson is left out of the groups of similar lessons: it is written in Italian and has no English "
        "translation to compare it by."
    ) in captions(at)
