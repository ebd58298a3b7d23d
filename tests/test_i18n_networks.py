"""The Stakeholder networks and Governance models pages in Finnish and Greek (#21): headings, measures and figures in
the reader's language, numbers with the language's own marks."""

from __future__ import annotations

import pytest

from components.network_tables import figure, percent, role_label, significant
from lessons import models, network
from lessons.i18n import using
from lessons.store import open_store
from tests.test_manage_pages import sign_in

NETWORKS, MODELS = "pages/networks.py", "pages/models.py"
PILOT = "tampere-youth-guidance"
HEADINGS = {
    "fi": {"networks": "Sidosryhmäverkostot", "models": "Hallintamallit", "actors": "Toimijat", "density": "Tiheys"},
    "el": {"networks": "Δίκτυα εμπλεκομένων", "models": "Μοντέλα διακυβέρνησης", "actors": "Φορείς",
           "density": "Πυκνότητα"},
}  # fmt: skip


def open_page(app_on, path, page: str, params: dict):
    at = app_on(path, params, timeout=60)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def english_left(at) -> list[str]:
    """Texts of the page's own chrome still in English (a few words we know each page shows)."""
    shown = [t.value for t in at.title] + [m.label for m in at.metric] + [e.label for e in at.expander]
    english = {"Stakeholder networks", "Governance models", "Actors", "Ties", "Density", "Communities",
               "Network measures", "Every tie (table)", "Elements", "Supporting lessons", "Elements as a table"}  # fmt: skip
    return [t for t in shown if t in english]


@pytest.mark.parametrize("lang", ["fi", "el"])
def test_the_networks_page_in_the_readers_language(demo_db_path, app_on, lang):
    at = open_page(app_on, demo_db_path, NETWORKS, {"lang": lang, "pilot": PILOT})
    words = HEADINGS[lang]
    assert at.title[0].value == words["networks"]
    with open_store(demo_db_path) as db:
        metrics = network.analysis(db, PILOT).metrics
    shown = {m.label: m.value for m in at.metric}
    assert shown[words["actors"]] == str(metrics["nodes"])
    density = shown[words["density"]]
    assert "," in density and "." not in density  # 0,19: the decimal comma of Finnish and Greek
    with using(lang):
        assert density == significant(metrics["density"])
    assert english_left(at) == []
    # the other views render in the language too, and say so in their headings
    at.segmented_control(key="networks_view").set_value("Compare pilots").run()
    assert not at.exception
    assert at.subheader[0].value == {"fi": "Kaikkien pilottien verkostomittarit",
                                     "el": "Μέτρα δικτύου κάθε πιλοτικού"}[lang]  # fmt: skip
    at.segmented_control(key="networks_view").set_value("Across pilots").run()
    assert not at.exception
    assert at.subheader[0].value == {"fi": "Useissa piloteissa toimivat organisaatiot",
                                     "el": "Οργανισμοί που δραστηριοποιούνται σε πολλά πιλοτικά"}[lang]  # fmt: skip


@pytest.mark.parametrize("lang", ["fi", "el"])
def test_the_models_page_in_the_readers_language(demo_db_path, app_on, lang):
    at = open_page(app_on, demo_db_path, MODELS, {"lang": lang, "model": "local-champions"})
    assert at.title[0].value == HEADINGS[lang]["models"]
    with open_store(demo_db_path) as db:
        elements = models.elements(db, "local-champions")
    voted = elements[elements["n"] > 0]
    assert not voted.empty
    row = voted.iloc[0]
    with using(lang):
        expected = models.result_text(row)  # the result, its share and interval as percentages for the language
    assert {"fi": "samaa mieltä", "el": "συμφωνούν"}[lang] in expected
    share = round(float(row["agree_share"]) * 100)
    assert f"{share}\xa0%" in expected if lang == "fi" else f"{share}%" in expected  # Finnish: a space before %
    labels = [e.label for e in at.expander]
    assert any(expected in label for label in labels), (expected, labels)
    heading = {"fi": "Tukevat opit", "el": "Διδάγματα υπέρ"}[lang]
    assert heading in [m.label for m in at.metric]
    assert english_left(at) == []


def test_the_measures_read_in_the_language():
    with using("fi"):
        assert (figure(0.0563), figure(1234), figure(2.0), figure(True)) == ("0,056", "1\xa0234", "2", "kyllä")
        assert (significant(0.0036), percent(0.5)) == ("0,0036", "50\xa0%")
        assert role_label("liaison") == "yhdyshenkilö (yhdistää kaksi muuta sektoria)"
    with using("el"):
        assert figure(-0.25) == "-0,25" and figure(12345) == "12.345"
    assert (figure(0.0563), figure(1234), figure(None), role_label("none")) == (
        "0.056",
        "1,234",
        "—",
        "No brokering role",
    )


def test_an_editor_links_lessons_in_finnish(demo_db_path, app_on):
    """The Edit tab in Finnish: its headings, the count on the link button, the confirmation after the write."""
    at = sign_in(app_on(demo_db_path, {"lang": "fi"}, timeout=60).run(), "admin")
    at.switch_page(MODELS).run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Malli", "Muokkaa"]
    assert "Liitä oppeja" in [s.value for s in at.subheader]
    with open_store(demo_db_path) as db:
        lessons = [r[0] for r in db.execute("SELECT id FROM lessons ORDER BY id LIMIT 2")]
    at.multiselect(key="models_link_lessons").set_value(lessons).run()
    assert at.button(key="models_link_go").label == "Liitä 2 oppia"
    at.radio(key="models_link_stance").set_value("supports").run()
    at.button(key="models_link_go").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["Liitetty."]
