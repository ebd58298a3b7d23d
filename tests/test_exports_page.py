"""AppTest of the *Data and exports* page, and the files its buttons make when clicked (deferred downloads)."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from io import BytesIO

import networkx as nx
import pytest
from pypdf import PdfReader

from components import export_views as views
from lessons import bundle
from lessons.store import open_store
from tests.test_manage_pages import sign_in


@pytest.fixture
def app(demo_db_path, app_on):
    at = app_on(demo_db_path).run()
    at.switch_page("pages/exports.py").run()
    assert not at.exception
    return at


def labels(at) -> dict[str, str]:
    return {b.key: b.label for b in at.get("download_button")}


def test_the_page_offers_a_brief_the_roadmap_the_bundle_and_each_part(app):
    assert app.title[0].value == "Data and exports"
    assert any("Illustrative demo data" in i.value for i in app.info)
    assert labels(app) == {
        "exports_brief_pdf": "Brief as PDF",
        "exports_brief_html": "Brief as a web page (HTML)",
        "exports_roadmap_pdf": "Roadmap as PDF",
        "exports_roadmap_html": "Roadmap as a web page (HTML)",
        "exports_bundle": "Download everything (ZIP)",
        "exports_part_sqlite": "SQLite database",
        "exports_part_package": "Data package (CSV + datapackage.json)",
        "exports_part_metadata": "Datasette metadata",
        "exports_network_graphml": "GraphML",
        "exports_network_gexf": "GEXF (Gephi)",
    }
    assert app.radio(key="exports_subject").options == ["A theme", "A pilot", "A governance model"]
    themes = app.selectbox(key="exports_theme").options
    assert "Trust and relationships" in themes
    assert any("validated" in m.value and "lessons" in m.value for m in app.markdown)
    # without an administrator, no import widget
    assert not app.get("file_uploader")
    assert any("Administrators can import a bundle" in c.value for c in app.caption)


def test_choosing_a_pilot_offers_every_pilot(app, demo_db_path):
    app.radio(key="exports_subject").set_value("pilot").run()
    db = open_store(demo_db_path)
    names = [r[0] for r in db.execute("SELECT name FROM pilots ORDER BY name").fetchall()]
    db.close()
    assert app.selectbox(key="exports_pilot").options == names
    assert not app.exception


def test_the_files_the_buttons_make(demo_db_path, clean_caches):
    path = str(demo_db_path)
    pdf = views.made_report(path, 0, "model", "local-champions", "pdf", "all")
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert "Policy brief: Local champions as intermediaries" in text and "Sources" in text
    page = views.made_report(path, 0, "roadmap", "", "html", "all").decode()
    assert page.startswith("<!DOCTYPE html>") and "Roadmap to co-creation" in page
    copy = views.made_part(path, 0, "sqlite", "all")
    assert copy.startswith(b"SQLite format 3\x00")
    with open(demo_db_path.parent / "copy.db", "wb") as out:
        out.write(copy)
    with sqlite3.connect(demo_db_path.parent / "copy.db") as check:
        assert check.execute("SELECT count(*) FROM lessons").fetchone()[0] == 192
    public = views.made_part(path, 0, "sqlite", "public")  # a visitor's copy: public records, no draft
    with open(demo_db_path.parent / "public.db", "wb") as out:
        out.write(public)
    with sqlite3.connect(demo_db_path.parent / "public.db") as check:
        assert check.execute("SELECT count(*) FROM lessons WHERE status = 'draft'").fetchone()[0] == 0
        assert 0 < check.execute("SELECT count(*) FROM lessons").fetchone()[0] < 192
    metadata = json.loads(views.made_part(path, 0, "metadata", "all"))
    with open_store(demo_db_path) as db:
        assert metadata == bundle.datasette_metadata(db)  # this store's Datasette metadata, whole
    tables = metadata["databases"]["lessons"]["tables"]
    assert (
        tables["lessons"]["fts_table"] == "lessons_fts" and tables["lessons"]["columns"]["title"] == "a short headline"
    )
    assert tables["users"]["hidden"] is True
    with zipfile.ZipFile(io.BytesIO(views.made_part(path, 0, "package", "all"))) as package:
        assert "datapackage.json" in package.namelist()
    graph = nx.read_graphml(io.BytesIO(views.made_part(path, 0, "network:tampere-youth-guidance:graphml", "all")))
    assert graph.number_of_nodes() == 40
    gexf = views.made_part(path, 0, "network:tampere-youth-guidance:gexf", "all")
    assert b"<gexf" in gexf[:400]


def test_an_empty_store_says_there_is_nothing_to_brief_on(tmp_path, app_on):
    path = tmp_path / "empty.db"
    open_store(path).close()
    at = app_on(path).run()
    at.switch_page("pages/exports.py").run()
    assert not at.exception
    assert any("nothing to brief on yet" in i.value for i in at.info)
    assert any("No lesson has been validated yet" in c.value for c in at.caption)
    assert "exports_brief_pdf" not in labels(at) and "exports_bundle" in labels(at)
    assert "exports_network_graphml" not in labels(at)


def test_an_administrator_is_offered_the_import(app):
    sign_in(app, "admin")
    app.switch_page("pages/exports.py").run()
    assert not app.exception
    assert app.get("file_uploader")


@pytest.mark.parametrize("role", ["coordinator", "facilitator", "viewer"])
def test_nobody_but_an_administrator_sees_the_personal_data(app, role):
    assert "exports_personal_data" not in labels(app)  # signed out: no sign of it
    sign_in(app, role)
    app.switch_page("pages/exports.py").run()
    assert not app.exception and "exports_personal_data" not in labels(app)


def test_an_administrator_is_offered_the_personal_data_and_it_is_the_full_record(app, demo_db_path):
    sign_in(app, "admin")
    app.switch_page("pages/exports.py").run()
    assert not app.exception
    assert labels(app)["exports_personal_data"] == "Personal data (ZIP)"
    assert any("it is personal data" in w.value for w in app.warning)
    from lessons.accounts import actor_for
    from lessons.privacy import personal_data_export

    db = open_store(demo_db_path)
    admin = actor_for(db, db.execute("SELECT id FROM users WHERE username = 'admin'").fetchone()[0])
    archive = zipfile.ZipFile(io.BytesIO(personal_data_export(db, admin)))
    participants = archive.read("participants.csv").decode()
    assert participants.count("\n") == 115  # every participant, unpooled (header + 114)
    assert db.execute("SELECT actor FROM audit_log WHERE action = 'privacy.full_export'").fetchall() == [("admin",)]
