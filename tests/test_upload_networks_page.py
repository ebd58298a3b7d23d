"""AppTest of the Upload page with real network files as shipped: no mapping, then a recode chosen on the page (#17)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

import networkx as nx
import pandas as pd
import pytest

from lessons.store import connect
from tests.realdata import REALDATA, needs_realdata

SUBMIT = "FormSubmitter:auth_form-Sign in"
TAMPERE = "tampere-youth-guidance"
KARATE = REALDATA / "networkx-classics" / "karate_club.graphml"
CHEMNET = REALDATA / "chemnet-policy-network" / "chemnet_pol.graphml"


@pytest.fixture
def coordinator(demo_db_path, app_on):
    at = app_on(demo_db_path, timeout=60).run()
    at.text_input(key="auth_username").set_value("coordinator")
    at.text_input(key="auth_password").set_value("demo-coordinator-pass")
    at.button(key=SUBMIT).click().run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    return at


def upload(at, path):
    at.get("file_uploader")[0].set_value((path.name, path.read_bytes(), "application/xml"))
    at.selectbox(key="upload_pilot").set_value(TAMPERE)
    at.run()
    assert not at.exception
    return at


def sectors_of(path, source) -> Counter:
    """Sectors of Tampere's stakeholders that the file brought in (their keys are its node ids)."""
    keys = set(nx.read_graphml(source))
    with connect(path, readonly=True) as db:
        rows = db.execute(
            "SELECT s.key, s.sector FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id WHERE p.slug = ?", [TAMPERE]
        ).fetchall()
    return Counter(sector for key, sector in rows if key in keys)


def shown(text: str) -> str:
    return text.replace("\\", "").replace("\u2060", "")  # safe()'s escapes, as the reader sees the text


@needs_realdata
def test_karate_goes_in_as_shipped_with_one_sector_warning(coordinator, demo_db_path):
    upload(coordinator, KARATE)
    assert not coordinator.error
    sector = [w for w in coordinator.warning if "sector" in w.value]
    assert len(sector) == 1 and shown(sector[0].value).count("No column holds the sector") == 1
    assert "34 actors are imported as not classified" in shown(sector[0].value)
    graph = nx.read_graphml(KARATE)
    metrics = {m.label: m.value for m in coordinator.metric}
    assert metrics["New rows"] == f"{graph.number_of_nodes() + graph.number_of_edges():,}"
    coordinator.button(key="upload_commit").click().run()
    assert not coordinator.exception
    assert coordinator.success[0].value.endswith("committed. You can undo it below.")
    assert sectors_of(demo_db_path, KARATE) == {"not_classified": graph.number_of_nodes()}


@needs_realdata
def test_chemnet_types_are_recoded_on_the_page(coordinator, demo_db_path):
    upload(coordinator, CHEMNET)
    picks = {value: coordinator.selectbox(key=f"upload_recode_Stakeholders_sector_{value}").value
             for value in ("gov", "ig", "sci", "par", "io")}  # fmt: skip
    assert picks == {"gov": "public", "ig": "civil_society", "sci": "research", "par": "not_classified",
                     "io": "not_classified"}  # fmt: skip
    assert not any("sector" in w.value for w in coordinator.warning)  # every value has a choice: no warning
    coordinator.selectbox(key="upload_recode_Stakeholders_sector_par").set_value("public").run()  # parties: public
    assert not coordinator.exception and not coordinator.error
    coordinator.button(key="upload_commit").click().run()
    assert not coordinator.exception
    assert sectors_of(demo_db_path, CHEMNET) == {"public": 14, "civil_society": 7, "research": 6, "not_classified": 3}
    # the same file again: nothing to commit, and the page says so
    upload(coordinator, CHEMNET)
    coordinator.selectbox(key="upload_recode_Stakeholders_sector_par").set_value("public").run()
    assert any("Nothing changed: every row is already in the store." in i.value for i in coordinator.info)
    assert coordinator.button(key="upload_commit").disabled


@needs_realdata
def test_the_network_page_names_not_classified_actors(coordinator, demo_db_path, app_on):
    upload(coordinator, KARATE)
    coordinator.button(key="upload_commit").click().run()
    assert not coordinator.exception
    at = app_on(demo_db_path, {"pilot": TAMPERE}, timeout=60).run()
    at.switch_page("pages/networks.py").run()
    assert not at.exception
    sectors = next(d.value for d in at.dataframe if "Sector" in d.value.columns and "E-I index" in d.value.columns)
    row = sectors.set_index("Sector").loc["Not classified"]
    assert row["Actors"] == 34 and (row["E-I index"] is None or pd.isna(row["E-I index"]))
    assert any("34 actors are not classified by sector" in c.value for c in at.caption)


SHIPPED = {
    "chemnet": REALDATA / "chemnet-policy-network" / "chemnet_pol.graphml",
    "karate": KARATE,
    "florentine": REALDATA / "networkx-classics" / "florentine_families.graphml",
    "davis": REALDATA / "networkx-classics" / "davis_southern_women.graphml",
    "les-miserables": REALDATA / "networkx-classics" / "les_miserables.graphml",
    "gephi-0.9": REALDATA / "gephi-gexf-samples" / "lesmis_gephi09_gexf13.gexf",
    "gephi-0.8": REALDATA / "gephi-gexf-samples" / "miserables_gephi08_gexf11.gexf",
}


def nodes_in(source) -> int:
    """The file's nodes, counted with ElementTree (networkx 3.6 cannot read either Gephi file)."""
    return sum(1 for e in ET.parse(source).iter() if e.tag.rsplit("}", 1)[-1] == "node")


@needs_realdata
@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_real_network_file_goes_in_on_the_page_as_shipped(coordinator, demo_db_path, name):
    """Each of the seven real network files, uploaded on the page with no mapping: no error, one sector warning at
    most, and after *Commit* the pilot has one more stakeholder per node of the file."""
    source = SHIPPED[name]
    with connect(demo_db_path, readonly=True) as db:
        before = db.execute(
            "SELECT count(*) FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id WHERE p.slug = ?", [TAMPERE]
        ).fetchone()[0]
    upload(coordinator, source)
    assert not coordinator.error, [e.value for e in coordinator.error]
    assert len([w for w in coordinator.warning if "sector" in w.value]) <= 1
    coordinator.button(key="upload_commit").click().run()
    assert not coordinator.exception
    assert coordinator.success[0].value.endswith("committed. You can undo it below.")
    with connect(demo_db_path, readonly=True) as db:
        after = db.execute(
            "SELECT count(*) FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id WHERE p.slug = ?", [TAMPERE]
        ).fetchone()[0]
    assert after - before == nodes_in(source)
