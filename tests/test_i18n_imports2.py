"""More import refusals in Finnish (#21): GEXF, two-mode and Pol.is files say what is wrong in the reader's language
and keep the file, row and column."""

from __future__ import annotations

import pytest

from lessons.i18n import using
from lessons.ingest.networks import read_network
from lessons.ingest.problems import IngestError
from lessons.ingest.twomode import TwoModeOptions, read_affiliations
from lessons.store import open_store
from lessons.workshops.polis_files import read_polis

GEXF = b"""<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph defaultedgetype="directed">
  <nodes count="3"><node id="1" label="City council"><attvalues><attvalue for="9" value="x"/></attvalues></node>
  <node id="2" label="Youth NGO"><attvalues><attvalue for="9" value="y"/></attvalues></node></nodes>
  <edges><edge source="1" target="2" type="sideways"/></edges>
</graph></gexf>"""


def test_a_gexf_file_is_refused_in_finnish_on_its_row_and_column():
    with using("fi"):
        problems = read_network(GEXF, "pilot.gexf").problems
    by_column = {p.column: p for p in problems}
    assert by_column["type"].message == (
        "Kaaren tyyppi 'sideways' ei ole directed, undirected eikä mutual; suhde luettiin suunnattuna."
    )
    assert (by_column["type"].file, by_column["type"].row) == ("pilot.gexf", 4)
    assert by_column["9"].message.endswith("(2 solmua); se säilytettiin nimellä '9'.")
    assert by_column["count"].message == "Tiedoston mukaan siinä on 3 solmua, mutta löytyi 2."
    english = {p.column: p.message for p in read_network(GEXF, "pilot.gexf").problems}
    assert english["count"] == "The file says it has 3 nodes but 2 were found."
    assert english["9"].endswith("(2 nodes); it was kept as '9'.")


def test_what_a_graphml_file_loses_is_named_in_finnish():
    doc = b"""<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="undirected">
      <desc>Friends</desc><node id="a"><data key="d9">x</data></node><node id="b"/></graph></graphml>"""
    with using("fi"):
        messages = [p.message for p in read_network(doc, "net.graphml").problems]
    assert "Tiedostosta ei säilytetty: verkon kuvaus ('Friends')." in messages
    assert "Tietoavainta 'd9' ei ole määritelty <key>-elementillä (1 arvo); arvo säilytettiin nimellä 'd9'." in messages


def test_a_two_mode_refusal_reads_in_finnish_and_keeps_the_row_and_column(tmp_path):
    store = open_store(tmp_path / "store.db")
    data = b"person,meeting\nAnn,M1\nBo,\nCy,\n,M2\nAnn,M1\n"
    options = TwoModeOptions(actor_column="person", event_column="meeting", pilot="p")
    with using("fi"):
        found = read_affiliations(store, [("attendance.csv", data)], options)
    by_column = {p.column: p for p in found.problems}
    empty = by_column["meeting"]
    assert (empty.file, empty.sheet, empty.row) == ("attendance.csv", "Affiliations", 3)
    assert empty.message == "meeting on tyhjä 2 rivillä: rivit 3, 4."
    assert empty.fix == "Täytä se tai poista nämä rivit (tai tuo muut ja jätä nämä sivuun)."
    assert by_column["person"].message == "person on tyhjä 1 rivillä: rivi 5."
    repeated = next(p for p in found.problems if p.row == 6)
    assert (repeated.row, repeated.message) == (
        6,
        "1 rivi toistaa jo luetun osallistumisen (rivi 6); kukin pari lasketaan kerran.",
    )
    english = {p.column: p.message for p in read_affiliations(store, [("attendance.csv", data)], options).problems}
    assert english["meeting"] == "meeting is empty in 2 row(s): rows 3, 4."
    store.close()


def test_a_polis_export_is_refused_in_finnish_on_its_row_and_column():
    votes = b"timestamp,comment-id,voter-id,vote\n1,0,5,1\n2,1,5,-1\n3,1,5,agree\n4,0,6,2\n"
    with using("fi"), pytest.raises(IngestError) as refused:
        read_polis({"votes.csv": votes, "comments.csv": b"comment-id,text\n0,x\n"})
    found = {(p.file, p.row, p.column): (p.message, p.fix) for p in refused.value.problems}
    assert found[("votes.csv", 4, "vote")] == ("'agree' ei ole kokonaisluku.", "Käytä jotakin näistä: -1, 0, 1.")
    assert found[("votes.csv", 5, "vote")][0] == "2 ei ole sallittu tässä."
    assert found[("comments.csv", 1, "comment-body")][0] == "sarake comment-body puuttuu (löytyi: comment-id, text)."
    with pytest.raises(IngestError) as english:
        read_polis({"votes.csv": votes})
    assert "votes.csv, row 4, column vote: 'agree' is not a whole number." in str(english.value)


def test_a_tie_to_no_node_is_refused_in_finnish_on_its_row():
    doc = b"""<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="directed">
      <node id="a"/>
      <edge source="a" target="c"/></graph></graphml>"""
    with using("fi"):
        problem = next(p for p in read_network(doc, "net.graphml").problems if p.column == "target")
    assert (problem.file, problem.row) == ("net.graphml", 3)
    assert problem.message == "Suhteen kohde 'c' ei ole mikään solmuista."
    assert problem.fix == "Lisää solmu, jonka tunniste on 'c', tai korjaa suhteen kohde."
