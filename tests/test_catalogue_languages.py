"""INTERLINK's catalogue in the reader's language (#21): each entry's texts in that language where the catalogue has
them, else in English with the fallback said, through the real folder as it ships (import → domain, CLI, page)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from components.widgets import safe
from lessons import catalogue
from lessons.cli import EXIT_OK, main
from lessons.i18n import _, using
from lessons.store import open_store
from tests.realdata import REALDATA, needs_realdata

INTERLINK = REALDATA / "interlink-catalogue"
#: An interlinker with an Italian name of its own, and one without any Latvian text (both as INTERLINK ships them).
ITALIAN = ("stakeholder_engagement_kit", "Kit di comunicazione per il coinvolgimento degli stakeholder")
NO_LATVIAN = ("gamification_model_canvas", "Gamification Model Canvas")

pytestmark = needs_realdata


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """A store with INTERLINK's catalogue imported through the command line."""
    path = tmp_path_factory.mktemp("interlink") / "catalogue.db"
    assert main(["catalogue", "import", str(INTERLINK), "--db", str(path)]) == EXIT_OK
    return path


@pytest.fixture
def store_path(imported, tmp_path):
    path = tmp_path / "catalogue.db"
    with sqlite3.connect(imported) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
    return path


def test_an_entrys_texts_come_in_the_readers_language_where_they_exist_else_in_english(store_path):
    db = open_store(store_path)
    code, italian = ITALIAN
    texts = catalogue.entry_texts(db, code, "it")
    assert texts["name"] == italian and texts["description"].startswith("Lista di requisiti")
    assert texts["languages"] == {"name": "it", "description": "it"} and not texts["fallback"]
    italian_problems = dict(
        db.execute(
            """SELECT cp.code, t.text FROM catalogue_entry_problems ep JOIN catalogue_entries e ON e.id = ep.entry_id
               JOIN catalogue_problems cp ON cp.id = ep.problem_id JOIN catalogue_problem_translations t
               ON t.problem_id = cp.id AND t.language = 'it' AND t.field = 'name' WHERE e.code = ?""",
            [code],
        ).fetchall()
    )
    assert italian_problems and {c: p["name"] for c, p in texts["problems"].items()} == italian_problems
    english = catalogue.entry_texts(db, code, "en")
    assert english["name"] == "Stakeholder engagement KIT" and not english["fallback"]
    code, name = NO_LATVIAN
    texts = catalogue.entry_texts(db, code, "lv")
    assert texts["name"] == name and texts["language"] == "en" and texts["fallback"]
    assert set(texts["languages"].values()) == {"en"}
    assert catalogue.entry_texts(db, "no-such-entry", "it") is None
    rows = catalogue.entry_list(db, language="it").set_index("code")
    assert rows.loc[ITALIAN[0], "name"] == italian and rows.loc[ITALIAN[0], "name_language"] == "it"
    interlinkers = rows[rows["catalogue"] == "interlink"]
    assert len(interlinkers) == 78 and set(interlinkers["name_language"]) == {"it"}  # each has an Italian name
    # the built-in entries are translated with the interface (the vocabulary area's messages)
    assert rows.loc["citizens-jury", "name_language"] == "it" and rows.loc["citizens-jury", "name"] != "Citizens' jury"
    latvian = catalogue.entry_list(db, language="lv").set_index("code")
    assert latvian.loc[NO_LATVIAN[0], "name_language"] == "en"
    # a name in a language is also what the search finds
    assert ITALIAN[0] in set(catalogue.entry_list(db, text="coinvolgimento", language="it")["code"])
    db.close()


def test_catalogue_list_json_takes_the_readers_language(store_path, capsys):
    assert main(["catalogue", "list", "--db", str(store_path), "--json", "--lang", "it"]) == EXIT_OK
    listed = {e["code"]: e for e in json.loads(capsys.readouterr().out)}
    assert listed[ITALIAN[0]]["name"] == ITALIAN[1]
    assert listed[ITALIAN[0]]["text_languages"]["name"] == "it" and listed[ITALIAN[0]]["fallback"] is False
    assert main(["catalogue", "list", "--db", str(store_path), "--json", "--lang", "lv"]) == EXIT_OK
    listed = {e["code"]: e for e in json.loads(capsys.readouterr().out)}
    assert listed[NO_LATVIAN[0]]["name"] == NO_LATVIAN[1] and listed[NO_LATVIAN[0]]["fallback"] is True
    assert main(["catalogue", "list", "--db", str(store_path), "--lang", "it", "--kind", "knowledge"]) == EXIT_OK
    assert ITALIAN[1] in capsys.readouterr().out


def test_an_italian_reader_sees_the_italian_name_in_the_list_and_the_entry(store_path, app_on):
    at = app_on(store_path, {"lang": "it"}).run()
    at.switch_page("pages/methods.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert any(link.startswith(f"?entry={ITALIAN[0]}&") and link.endswith("stakeholder") for link in table.iloc[:, 0])
    at.selectbox(key="methods_pick").set_value(ITALIAN[0]).run()
    assert not at.exception
    assert at.subheader[0].value == safe(ITALIAN[1])
    with open_store(store_path) as db:
        problems = catalogue.entry_texts(db, ITALIAN[0], "it")["problems"]
    shown = [m.value for m in at.markdown]
    assert all(any(safe(p["name"]) in m for m in shown) for p in problems.values())  # its problems, in Italian
    with using("it"):
        unexpected = _("Shown in {shown}: there is no text in {wanted} yet.").split(":")[0].split("{")[0]
    assert not any(c.value.startswith(unexpected) for c in at.caption)


def test_a_latvian_reader_sees_an_entry_without_latvian_text_in_english_labelled(store_path, app_on):
    at = app_on(store_path, {"lang": "lv", "entry": NO_LATVIAN[0]}).run()
    at.switch_page("pages/methods.py").run()
    assert not at.exception
    assert at.subheader[0].value == safe(NO_LATVIAN[1])
    with using("lv"):
        label = _("Shown in {shown}: there is no text in {wanted} yet.").format(shown="angļu", wanted="latviešu")
    assert label in [c.value for c in at.caption]
    assert "angļu" in label and "latviešu" in label
