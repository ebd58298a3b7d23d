"""AppTest for the Stakeholder networks page: every view, the URL state, an actor's focus, small and hostile stores.

Clicking an actor in the diagram cannot be simulated in AppTest; the browser journey does it (tests/e2e/).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lessons import network
from lessons.store import open_store
from lessons.visibility import PUBLIC, scope

PAGE = "pages/networks.py"
VIEWS = ["Network", "Change over time", "Compare pilots", "Across pilots"]


def open_page(app_on, path, params: dict | None = None) -> AppTest:
    at = app_on(path, params, timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader])


def test_network_view_shows_the_pilots_measures(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": "tampere-youth-guidance"})
    with open_store(demo_db_path) as db:
        expected = network.analysis(db, "tampere-youth-guidance").metrics
        actors = network.analysis(db, "tampere-youth-guidance").actors
    shown = metrics(at)
    assert shown["Actors"] == f"{expected['nodes']:,}" and shown["Ties"] == f"{expected['ties']:,}"
    assert shown["Communities"] == str(expected["communities"])
    top = actors.sort_values("betweenness", ascending=False).iloc[0]["name"]
    assert f"**Brokers** (most often on the shortest paths between others): {top}" in text(at)
    assert "**Citizens tied in**" in text(at)
    assert [b.label for b in at.get("download_button")] == ["GraphML", "GEXF (Gephi)", "CSV (stakeholders + ties)"]
    for view in VIEWS[1:]:
        at.segmented_control(key="networks_view").set_value(view).run()
        assert not at.exception, (view, at.exception)


def test_a_link_to_an_actor_opens_its_neighbourhood_and_lessons(demo_db_path, app_on):
    with open_store(demo_db_path) as db:
        actor = db.execute(
            """SELECT s.id, s.key, s.name FROM stakeholders s JOIN pilots p ON p.id = s.pilot_id
               WHERE p.slug = 'gdansk-senior-housing' AND s.key = 'S01'"""
        ).fetchone()
        with scope(db, PUBLIC):  # a visitor's view
            lessons = network.actor_lessons(db, actor[0])
    assert len(lessons) > 0
    at = open_page(app_on, demo_db_path, {"pilot": "gdansk-senior-housing", "actor": "S01", "steps": "2"})
    assert at.selectbox(key="networks_actor").value == "S01"
    assert at.slider(key="networks_steps").value == 2
    assert any(s.value == actor[2] for s in at.subheader)
    links = [e.proto.query_string for e in at.get("page_link")]
    assert [q for q in links if q.startswith("lesson=")] == [f"lesson={i}" for i in lessons["id"]]
    at.selectbox(key="networks_actor").set_value(None).run()
    assert "actor" not in at.query_params


def test_period_and_tie_types_from_a_link(demo_db_path, app_on):
    with open_store(demo_db_path) as db:
        baseline = network.analysis(db, "riga-service-desk", period="baseline", relations=("collaboration",))
    at = open_page(
        app_on,
        demo_db_path,
        {"pilot": "riga-service-desk", "period": "baseline", "rel": ["collaboration", "no-such-type"]},
    )
    assert at.multiselect(key="networks_relations").value == ["collaboration"]
    assert metrics(at)["Ties"] == f"{baseline.metrics['ties']:,}"


def test_bad_link_values_are_ignored(demo_db_path, app_on):
    at = open_page(app_on, demo_db_path, {"pilot": "nowhere", "actor": "S999", "steps": "9", "view": "x"})
    assert at.selectbox(key="networks_actor").value is None
    assert at.slider(key="networks_steps").value == 1


def test_change_view_counts_added_ties(demo_db_path, app_on):
    with open_store(demo_db_path) as db:
        change = network.change(db, "porto-homelessness-services")
    at = open_page(app_on, demo_db_path, {"pilot": "porto-homelessness-services", "view": "Change over time"})
    assert f"**{len(change['ties_added'])} ties were added**" in text(at)


def test_a_store_without_stakeholders_says_so(tmp_path, app_on):
    path = tmp_path / "empty.db"
    db = open_store(path)
    db["pilots"].insert({"slug": "solo", "name": "Solo", "country": "FI"})
    db.close()
    at = open_page(app_on, path)
    assert any("No pilot has stakeholders yet" in i.value for i in at.info)


def test_hostile_names_are_text(tmp_path, app_on):
    path = tmp_path / "hostile.db"
    db = open_store(path)
    pilot = db["pilots"].insert({"slug": "h", "name": "H", "country": "FI"}).last_pk
    ids = [
        db["stakeholders"].insert({"pilot_id": pilot, "key": f"S{i}", "name": name, "sector": sector}).last_pk
        for i, (name, sector) in enumerate(
            [("**Bold** [x](http://evil.example)", "public"), ("<script>x</script>", "citizens"), ("Plain", "public")]
        )
    ]
    db["ties"].insert_all(
        [
            {"pilot_id": pilot, "source_id": ids[0], "target_id": ids[1]},
            {"pilot_id": pilot, "source_id": ids[1], "target_id": ids[2]},
        ]
    )
    db.close()
    at = open_page(app_on, path, {"actor": "S0"})
    body = text(at)
    assert "\\*\\*Bold\\*\\* \\[x\\]\\(http\\:\u2060//evil\\.example\\)" in body
    for view in VIEWS:
        at.segmented_control(key="networks_view").set_value(view).run()
        assert not at.exception, (view, at.exception)


def test_a_lesson_links_to_its_actors_in_the_network(demo_db_path, app_on):
    with open_store(demo_db_path) as db:
        lesson_id = db.execute("SELECT lesson_id FROM lesson_stakeholders ORDER BY lesson_id LIMIT 1").fetchone()[0]
        actors = network.lesson_actors(db, lesson_id)
    at = app_on(demo_db_path, {"lesson": str(lesson_id)}, timeout=60)
    at.run()
    at.switch_page("pages/lessons.py").run()
    assert not at.exception
    assert any(m.value == "**Stakeholders this lesson concerns**" for m in at.markdown)
    links = sorted(e.proto.query_string for e in at.get("page_link") if "actor=" in e.proto.query_string)
    assert links == sorted(f"pilot={r.pilot}&actor={r.key}" for r in actors.itertuples())
