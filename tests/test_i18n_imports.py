"""The import refusals in Finnish (#21): the command line, the upload page and the domain say what is wrong in the
reader's language and keep the file, row and column; a vocabulary refusal is recognised as one in any language."""

from __future__ import annotations

import pytest

from lessons.catalogue import read_sheet
from lessons.cli import EXIT_INVALID, main
from lessons.i18n import using
from lessons.ingest.networks import read_network
from lessons.ingest.normalise import kinds
from lessons.ingest.pipeline import check
from lessons.ingest.problems import IngestError, UndoError
from lessons.ingest.undo import undo_upload
from lessons.ingest.validate import Options
from lessons.permissions import cli_actor
from lessons.store import open_store

ADMIN = cli_actor()
PIZZA = "key,title,lesson,kind\nL1,Night buses,Young people came when buses ran late.,pizza\n"


@pytest.fixture
def store(tmp_path):
    db = open_store(tmp_path / "store.db")
    yield db
    db.close()


def test_a_vocabulary_refusal_lists_the_codes_and_says_so_in_finnish():
    with using("fi"):
        match = kinds().match("pizza")
    assert match.message.startswith("'pizza' ei kelpaa kohtaan tyyppi. Käytä jotakin näistä: enabler, barrier")
    assert match.lists_codes
    assert (
        kinds().match("pizza").message.startswith("'pizza' is not a kind. Use one of:")
    )  # the cache keeps languages apart
    with using("fi"):
        near = kinds().match("enabeler")
    assert near.message == "'enabeler' ei kelpaa kohtaan tyyppi." and not near.lists_codes


def test_the_fix_of_a_vocabulary_refusal_knows_the_codes_were_listed_in_finnish(store):
    with using("fi"):
        outcome = check(store, ADMIN, [("lessons.csv", PIZZA.encode())], Options(pilot="x-y"))
    problem = next(p for p in outcome.problems if p.column == "kind")
    assert (problem.file, problem.sheet, problem.row) == ("lessons.csv", "Lessons", 2)
    assert problem.message.startswith("'pizza' ei kelpaa kohtaan tyyppi. Käytä jotakin näistä:")
    assert (
        problem.fix == "Korjaa se tai koodaa se uudelleen johonkin niistä."
    )  # not the field's help: codes were listed


def test_the_command_line_refuses_a_bad_file_in_english_and_in_finnish_when_asked(tmp_path, capsys):
    db_path = tmp_path / "cli.db"
    open_store(db_path).close()
    bad = tmp_path / "lessons.csv"
    bad.write_text(PIZZA, encoding="utf-8")
    assert (
        main(["import", str(bad), "--pilot", "x-y", "--country", "FI", "--db", str(db_path), "--quiet"]) == EXIT_INVALID
    )
    err = capsys.readouterr().err
    assert "lessons.csv, sheet Lessons, row 2, column kind: 'pizza' is not a kind. Use one of: enabler," in err
    assert "Correct it, or recode it to one of them." in err
    with using("fi"):  # the command line has no reader: English, unless a language is chosen around it
        assert (
            main(["import", str(bad), "--pilot", "x-y", "--country", "FI", "--db", str(db_path), "--quiet"])
            == EXIT_INVALID
        )
    err = capsys.readouterr().err
    assert "lessons.csv, taulukko Lessons, rivi 2, sarake kind: 'pizza' ei kelpaa kohtaan tyyppi. Käytä jotakin" in err
    assert "Korjaa se tai koodaa se uudelleen johonkin niistä." in err


def test_network_and_undo_refusals_read_in_finnish(store):
    with using("fi"):
        refused = read_network(b"PK\x03\x04", "ties.xlsx").problems[0]
        no_column = read_network(b"alpha,beta\nX,Y\n", "ties.csv").problems[0]
        with pytest.raises(UndoError) as undone:
            undo_upload(store, ADMIN, 42)
    assert refused.message == "Tyypin '.xlsx' tiedostoja ei lueta verkostoina." and refused.file == "ties.xlsx"
    assert (no_column.file, no_column.row) == ("ties.csv", 1)
    assert no_column.message == "Suhdeluettelosta puuttuu sarake 'source' ja 'target' (sen sarakkeet: 'alpha', 'beta')."
    assert str(undone.value) == "Latausta 42 ei ole."


def test_the_upload_page_in_finnish_refuses_a_kind_in_finnish_and_keeps_the_row_and_column(demo_db_path, app_on):
    at = app_on(demo_db_path, {"lang": "fi"}).run()
    at.text_input(key="auth_username").set_value("admin")
    at.text_input(key="auth_password").set_value("demo-admin-pass")
    next(b for b in at.button if b.key.startswith("FormSubmitter:auth_form")).click().run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    at.get("file_uploader")[0].set_value(("lessons.csv", PIZZA.encode(), "text/csv"))
    at.selectbox(key="upload_pilot").set_value("tampere-youth-guidance")
    at.run()
    assert not at.exception
    assert "lessons\\.csv, taulukko Lessons, rivi 2, sarake kind" in at.error[0].value
    assert "'pizza' ei kelpaa kohtaan tyyppi" in at.error[0].value
    problems = next(d.value for d in at.dataframe if "rivi" in d.value.columns)
    assert problems.to_dict("records") == [
        {
            "tiedosto": "lessons.csv",
            "taulukko": "Lessons",
            "rivi": 2,
            "sarake": "kind",
            "ongelma": "'pizza' ei kelpaa kohtaan tyyppi. Käytä jotakin näistä: enabler, barrier, recommendation, insight.",
            "korjaus": "Korjaa se tai koodaa se uudelleen johonkin niistä.",
            "vakavuus": "virhe",
        }
    ]


def test_a_catalogue_sheet_is_refused_in_finnish_on_its_row_and_column(store):
    sheet = b"code,name,kind,source,effort\nfishbowl,Fishbowl,method,Our notes,tiny\n"
    with using("fi"), pytest.raises(IngestError) as refused:
        read_sheet(store, data=sheet, filename="methods.csv")
    [problem] = refused.value.problems
    assert (problem.file, problem.row, problem.column) == ("methods.csv", 2, "effort")
    assert problem.message == "'tiny' ei ole kelvollinen työmäärä."
    assert problem.fix == "Käytä arvoa low, medium tai high, tai jätä kenttä tyhjäksi."


def test_a_graphml_file_without_a_graph_is_refused_in_finnish():
    empty = b'<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns"></graphml>'
    with using("fi"):
        problem = read_network(empty, "net.graphml").problems[0]
    assert (problem.file, problem.message) == ("net.graphml", "GraphML-tiedostossa ei ole <graph>-elementtiä.")
    assert read_network(empty, "net.graphml").problems[0].message == "The GraphML file has no <graph> element."
