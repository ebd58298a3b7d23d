"""The cases area in Finnish (#21): the Pilots, Stories, Methods and tools and Contributors pages render with their
headings translated and their numbers and dates written the Finnish way."""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest
from streamlit.testing.v1 import AppTest

from lessons import contributors as credit
from lessons import stories
from lessons.i18n import using
from lessons.permissions import cli_actor
from lessons.store import connect, open_memory_store

PILOT = "vasterbotten-home-care"
TAMPERE = "tampere-youth-guidance"
NBSP = "\xa0"


def open_in_finnish(app_on, path, page: str, params: dict | None = None) -> AppTest:
    at = app_on(path, {"lang": "fi", **(params or {})})
    at.run(timeout=30)
    at.switch_page(page).run(timeout=120)
    assert not at.exception, at.exception
    assert at.session_state["lang"] == "fi"
    return at


def texts(at: AppTest) -> str:
    return "\n".join(
        [e.value for e in at.title]
        + [e.value for e in at.header]
        + [e.value for e in at.subheader]
        + [e.value for e in at.markdown]
        + [e.value for e in at.caption]
        + [e.value for e in at.info]
    )


def test_the_pilots_list_in_finnish(demo_db_path, app_on):
    at = open_in_finnish(app_on, demo_db_path, "pages/pilots.py")
    assert at.title[0].value == "Pilotit"
    assert any(s.value.endswith(" pilottia") for s in at.subheader)  # "8 pilottia"
    assert any("oppia," in c.value and "vahvistettu" in c.value for c in at.caption)
    assert at.expander[0].label == "Pilotit taulukkona"


def test_one_pilot_in_finnish_with_finnish_percentages(demo_db_path, app_on):
    at = open_in_finnish(app_on, demo_db_path, "pages/pilots.py", {"pilot": PILOT})
    assert [h.value for h in at.header] == [
        "Metodologia ja sen vaiheet",
        "Kumppanit ja sidosryhmäverkosto",
        "Sen opit vaiheittain ja tyypeittäin",
        "Työpajat, jotka arvioivat sen oppeja",
        "Mikä toistuu muualla ja mikä on ristiriidassa",
        "Verrattuna muihin pilotteihin",
    ]
    text = texts(at)
    assert "16 oppia; " in text  # the lessons' count, in Finnish
    compared = next(m.value for m in at.markdown if m.value.startswith("16 oppia: "))
    assert f"{NBSP}%" in compared  # "50 %": Finnish percentages
    labels = [node.proto.label for node in at.get("page_link")]
    assert "Lue sen 16 oppia Opit-sivulla (siellä voit hakea, suodattaa tai ladata ne)" in labels
    assert "Tieto" in at.table[0].value.index.name


def test_the_stories_page_in_finnish_with_a_finnish_date(demo_db_path, app_on):
    cli = cli_actor()
    with connect(demo_db_path) as db:
        story_id = stories.save_story(
            db, cli, pilot=TAMPERE, title="Avoin tarina", lead="Mitä tapahtui.", visibility="public", body="Teksti."
        )
        stories.submit_story(db, cli, story_id)
        stories.publish_story(db, cli, story_id)
        db.execute("UPDATE stories SET published_at = '2026-03-04T10:00:00Z' WHERE id = ?", [story_id])
    at = open_in_finnish(app_on, demo_db_path, "pages/stories.py")
    assert at.title[0].value == "Tarinat"
    assert "**1 julkaistu tarina**" in [m.value for m in at.markdown]
    assert any(c.value.endswith("· julkaistu 4.3.2026") for c in at.caption), [c.value for c in at.caption]
    assert at.button(key=f"stories_open_{story_id}").label == "Lue tarina"
    with connect(demo_db_path) as db:
        shy = credit.add_contributor(db, cli, name="Sam Shy")  # no consent: never named to readers
        credit.link(db, cli, shy, "story", str(story_id), "author")
    story = open_in_finnish(app_on, demo_db_path, "pages/stories.py", {"story": str(story_id)})
    assert "Tekijät: Nimetön tekijä \\(author\\)" in [c.value for c in story.caption]  # escaped, as user text
    assert "Sam Shy" not in texts(story)


def test_the_methods_page_in_finnish(demo_db_path, app_on):
    at = open_in_finnish(app_on, demo_db_path, "pages/methods.py")
    assert at.title[0].value == "Menetelmät ja työkalut"
    assert at.caption[0].value.endswith(" kohdetta")  # "12/12 kohdetta"
    assert [m.label for m in at.multiselect] == [
        "Laji", "Yhteiskehittämisen vaihe", "Ratkaistava ongelma", "Saatavilla kielellä"
    ]  # fmt: skip
    table = at.dataframe[0].value
    assert {"Nimi", "Laji", "Vaihe", "Työmäärä", "Opit", "Pilotit"} <= set(table.columns)
    assert "Kansalaisraati" in "".join(table["Nimi"].map(unquote_plus))  # a built-in entry's Finnish name
    at.selectbox(key="methods_pick").set_value("citizens-jury").run()
    assert at.subheader[0].value == "Kansalaisraati"
    assert at.subheader[1].value == "Kuka sitä käytti ja miten se onnistui"
    assert {m.label for m in at.metric} == {"Opit", "Vahvistettu tai pidemmällä", "Pilotit"}
    assert not any(c.value.startswith("Näytetään kielellä") for c in at.caption)  # it has Finnish text


@pytest.fixture
def credited(demo_db_path):
    cli = cli_actor()
    with connect(demo_db_path) as db:
        lesson = db.execute(
            "SELECT l.id FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = ? AND l.key = 'L01'",
            [TAMPERE],
        ).fetchone()[0]
        pia = credit.add_contributor(db, cli, name="Pia Proud", consent=True, consent_date="2026-03-04")
        credit.link(db, cli, pia, "lesson", str(lesson), "author")
        credit.add_contributor(db, cli, name="Sam Shy")
    return demo_db_path, pia


def test_the_contributors_page_in_finnish(credited, app_on):
    path, pia = credited
    at = open_in_finnish(app_on, path, "pages/contributors.py")
    assert at.title[0].value == "Tekijät"
    assert "**2 tekijää**" in [m.value for m in at.markdown]
    names = [b.label for b in at.button if b.key.startswith("contributors_open_")]
    assert "**Nimetön tekijä**" in names and "**Pia Proud**" in names
    assert any(c.value.endswith("· 1 panos") for c in at.caption)
    page = open_in_finnish(app_on, path, "pages/contributors.py", {"contributor": str(pia)})
    assert page.title[0].value == "Pia Proud"
    assert any(m.value.startswith("- **Antanut:** 1 oppi, 0 tarinaa ja 0 luettelon kohdetta") for m in page.markdown)
    table = page.dataframe[0].value
    assert list(table.columns[:4]) == ["Mitä", "Otsikko", "Pilotti", "Rooli"]
    assert table["Mitä"].tolist() == ["Oppi"] and table["Rooli"].tolist() == ["kirjoittaja"]


def test_a_refusal_from_the_domain_is_in_the_readers_language():
    db = open_memory_store()
    db["pilots"].insert({"id": 1, "slug": "oulu", "name": "Oulu", "country": "FI"})
    with using("fi"), pytest.raises(stories.StoryError, match="^Kirjoita tarinan otsikko.$"):
        stories.save_story(db, cli_actor(), pilot="oulu", title=" ")
    with (
        using("lv"),
        pytest.raises(stories.StoryError, match="^Virsrakstā ir 1\xa0000 rakstzīmes: tam jābūt īsākam par 200.$"),
    ):
        stories.save_story(db, cli_actor(), pilot="oulu", title="x" * 1000)
    with pytest.raises(credit.ContributorError, match="^Write the contributor's name.$"):  # English by default
        credit.add_contributor(db, cli_actor(), name="")
