"""The explore area in Finnish (#21): Overview, Lessons and What recurs render their words in the reader's language,
numbers the Finnish way, and a filtered link keeps its ``?lang=``."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from lessons.i18n import DEFAULT, LANGUAGES, number, using
from lessons.store import open_store
from tests.i18n_sweep import english_left, unmarked_left
from tests.test_i18n_pages import in_language, signed_in


def _open(app_on, path, page: str, params: dict | None = None) -> AppTest:
    at = app_on(path, {"lang": "fi", **(params or {})}).run()
    at.switch_page(page).run(timeout=60)
    assert not at.exception, at.exception
    return at


def _param(at: AppTest, name: str):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def test_the_overview_in_finnish(demo_db_path, app_on):
    at = _open(app_on, demo_db_path, "pages/overview.py")
    assert at.title[0].value == "Yleiskuva"
    assert [h.value for h in at.header] == ["Pilotit"]
    metrics = {m.label: m for m in at.metric}
    assert {"Pilotit", "Opit", "Vahvistetut opit", "Sidosryhmät", "Työpajat", "Äänet"} <= set(metrics)
    with open_store(demo_db_path) as db:
        votes = db.execute("SELECT count(*) FROM votes").fetchone()[0]
    assert votes >= 1000 and metrics["Äänet"].value == f"{votes:,}".replace(",", "\xa0")  # 3 950: a no-break space
    assert metrics["Pilotit"].help.endswith("maassa")
    captions = [c.value for c in at.caption]
    assert any(" oppia · " in c and "sidosryhmää" in c for c in captions)  # a pilot card's counts
    assert "Pilotit maittain taulukkona" in [e.label for e in at.expander]


def test_the_lessons_list_in_finnish(demo_db_path, app_on):
    at = _open(app_on, demo_db_path, "pages/lessons.py")
    assert at.title[0].value == "Opit"
    assert at.text_input(key="lessons_query").label == "Hae opeista"
    assert at.markdown[0].value.startswith("**163 oppia** löytyi · sivu 1/9")
    assert at.segmented_control(key="lessons_view").options == ["Kortit", "Taulukko"]
    assert at.multiselect(key="lessons_kinds").label == "Laji"
    cards = [b for b in at.button if (b.key or "").startswith("lessons_card_")]
    assert len(cards) == 20 and {b.help for b in cards} == {"Avaa koko oppi"}


def test_the_date_filters_are_typed_the_finnish_way(demo_db_path, app_on):
    at = _open(app_on, demo_db_path, "pages/lessons.py")
    start = at.date_input(key="lessons_from")
    assert start.label == "Kirjattu alkaen"
    assert start.help.startswith("Opit on kirjattu välillä 24.08.2017 – 15.06.2023.")
    start.set_value(date(2022, 1, 1)).run()
    assert "Kirjattu alkaen: 01.01.2022 ✕" in [b.label.replace("\\", "") for b in at.button]


def test_a_lesson_in_finnish(demo_db_path, app_on):
    at = _open(app_on, demo_db_path, "pages/lessons.py", {"lesson": "1"})
    assert at.button(key="lessons_back").label == "Takaisin kaikkiin oppeihin"
    texts = [m.value for m in at.markdown]
    assert any(t.startswith("**Mitä opittiin.** ") for t in texts) and "**Kopioi linkki**" in texts
    assert any(" · oppi L01 · " in c.value for c in at.caption)


def test_what_recurs_in_finnish(demo_db_path, app_on):
    at = _open(app_on, demo_db_path, "pages/recurs.py")
    assert at.title[0].value == "Mikä toistuu"
    labels = {m.label for m in at.metric}
    assert {
        "Teemat 3+ pilotissa",
        "Oppiryhmät 3+ pilotissa",
        "Kiistanalaiset teemat",
        "Teemat, joissa on aukkoja",
    } <= labels
    view = at.segmented_control(key="recurs_view")
    assert view.options[:2] == ["Toistuvat", "Ristiriitaiset"]
    assert view.label == "Näytä"
    # the link names the view in English whatever the language, so a shared link opens the same view anywhere
    with using("fi"):  # AppTest formats the choice in the test's thread, as the browser sends the label it shows
        view.set_value("Contradicting").run(timeout=60)
    assert not at.exception
    assert _param(at, "view") == "Contradicting" and _param(at, "lang") == "fi"
    assert "Samankaltaiset opit, jotka ovat eri mieltä" in [s.value for s in at.subheader]


def test_no_english_is_left_on_the_lessons_list(demo_db_path, app_on):
    """The page sweep of tests/test_i18n_pages.py on the Lessons list (a lesson's own page waits for the manage area:
    it shows the lesson's status form)."""
    at = signed_in(app_on, demo_db_path, "pages/lessons.py", {})
    english = in_language(at, DEFAULT)
    left = {}
    for language in LANGUAGES:
        if language != DEFAULT:
            texts = in_language(at, language)
            found = english_left(texts, language)
            if language == "fi":
                found += [f"not a message: {text!r}" for text in unmarked_left(texts, english, demo_db_path)]
            if found:
                left[language] = found
    assert left == {}


def test_a_filtered_link_keeps_its_language(demo_db_path, app_on):
    at = _open(app_on, demo_db_path, "pages/lessons.py")
    at.multiselect(key="lessons_kinds").set_value(["barrier"]).run()
    assert not at.exception
    assert _param(at, "kind") == "barrier" and _param(at, "lang") == "fi"  # publish wrote the filter, kept the language
    at.text_input(key="lessons_query").set_value("trust").run()
    assert _param(at, "q") == "trust" and _param(at, "lang") == "fi"


def test_an_english_link_gets_no_lang(demo_db_path, app_on):
    at = app_on(demo_db_path).run()
    at.switch_page("pages/lessons.py").run()
    at.multiselect(key="lessons_kinds").set_value(["barrier"]).run()
    assert _param(at, "kind") == "barrier" and "lang" not in at.query_params


def test_finnish_numbers_are_grouped_with_a_no_break_space():
    with using("fi"):
        assert number(3950) == "3\xa0950"
