"""Governance models: elements, their supporting and challenging lessons, and workshop validation (last rounds)."""

from __future__ import annotations

from components.widgets import safe
from lessons import models
from lessons.store import open_store


def build(db):
    pilot = db["pilots"].insert({"slug": "a", "name": "A", "country": "FI"}).last_pk
    lessons = [
        db["lessons"]
        .insert({"pilot_id": pilot, "key": f"L{i}", "title": f"T{i}", "lesson": "x", "kind": "insight"})
        .last_pk
        for i in range(3)
    ]
    model = db["governance_models"].insert({"slug": "m", "name": "Model"}).last_pk
    e1 = db["model_elements"].insert({"model_id": model, "key": "E1", "position": 1, "name": "First"}).last_pk
    e2 = db["model_elements"].insert({"model_id": model, "key": "E2", "position": 2, "name": "Second"}).last_pk
    db["lesson_elements"].insert_all(
        [
            {"lesson_id": lessons[0], "element_id": e1, "stance": "supports"},
            {"lesson_id": lessons[1], "element_id": e1, "stance": "challenges"},
            {"lesson_id": lessons[2], "element_id": e1, "stance": "supports"},
        ]
    )
    workshop = db["workshops"].insert({"code": "ABC234", "title": "W", "status": "closed", "current_round": 2}).last_pk
    statement = (
        db["statements"]
        .insert({"workshop_id": workshop, "key": "S1", "text": "First", "source": "element", "element_id": e1})
        .last_pk
    )
    # five people joined (k = 5, lessons.privacy); the fifth never voted
    people = [db["participants"].insert({"workshop_id": workshop, "token": f"t{i}"}).last_pk for i in range(5)]
    # round 1: 1 agree, 3 disagree; round 2 (the one that counts): 3 agree, 1 pass
    for person, first, second in zip(people, (1, -1, -1, -1), (1, 1, 1, 0)):
        db["votes"].insert({"participant_id": person, "statement_id": statement, "round": 1, "value": first})
        db["votes"].insert({"participant_id": person, "statement_id": statement, "round": 2, "value": second})
    return e1, e2


def test_votes_of_a_workshop_of_fewer_than_five_people_are_not_shown(db):
    e1, _ = build(db)
    db.execute("DELETE FROM participants WHERE token = 't4'")  # four people: counts among them are their votes
    table = models.elements(db, "m").set_index("key")
    assert table.loc["E1", ["agree", "disagree", "pass_", "votes"]].tolist() == [0, 0, 0, 0]
    assert models.element_validation(db, e1).empty


def test_elements_count_lessons_and_last_round_votes(db):
    e1, e2 = build(db)
    table = models.elements(db, "m").set_index("key")
    assert table.loc["E1", ["supports", "challenges", "agree", "disagree", "pass_", "votes"]].tolist() == [
        2,
        1,
        3,
        0,
        1,
        4,
    ]
    assert table.loc["E1", "agree_share"] == 1.0
    assert table.loc["E2", "votes"] == 0 and table.loc["E2", "supports"] == 0
    assert models.model_list(db).iloc[0][["elements", "supports", "challenges", "pilots"]].tolist() == [2, 2, 1, 1]
    assert models.element_lessons(db, e1)["stance"].tolist() == ["supports", "supports", "challenges"]
    rounds = models.element_validation(db, e1)
    assert rounds[["round", "agree", "disagree", "pass_"]].values.tolist() == [[1, 1, 3, 0], [2, 3, 0, 1]]


def test_model_pilots_lists_the_pilots_whose_lessons_are_linked(db):
    build(db)
    assert models.model_pilots(db, "m").to_dict("records") == [{"slug": "a", "name": "A", "lessons": 3}]
    assert models.model_pilots(db, "no-such-model").empty


def test_page_shows_every_model_on_the_demo(demo_db_path, app_on):
    at = app_on(demo_db_path, {"model": "local-champions"})
    at.run()
    at.switch_page("pages/models.py").run()
    assert not at.exception
    assert at.selectbox(key="models_model").value == "local-champions"
    with open_store(demo_db_path) as db:
        expected = models.elements(db, "local-champions")
    assert element_headings(at) == [f"{row.position}. {safe(row.name)}" for row in expected.itertuples()]
    assert all("nan" not in e.label for e in at.expander)
    brief = {b.key: b.label for b in at.get("download_button")}
    assert brief == {"model_brief_pdf": "Policy brief (PDF)"}  # one click to a brief on this model
    with open_store(demo_db_path) as db:
        slugs = models.model_list(db)["slug"].tolist()
        shown = {
            slug: [f"{r.position}. {safe(r.name)}" for r in models.elements(db, slug).itertuples()] for slug in slugs
        }
    assert len(slugs) == 4
    for slug in slugs:
        at.selectbox(key="models_model").set_value(slug).run()
        assert not at.exception
        assert element_headings(at) == shown[slug]
        # the link names the model, except the first one, which the page opens anyway
        assert at.query_params.get("model", []) in (([slug], slug) if slug != slugs[0] else ([],))


def element_headings(at) -> list[str]:
    """The expander of each element on the page, by its number and name (what precedes the result)."""
    return [e.label.split(" — ")[0] for e in at.expander if e.label != "Elements as a table"]


def test_a_link_to_a_model_that_does_not_exist_opens_the_first_model(demo_db_path, app_on):
    at = app_on(demo_db_path, {"model": "<no-such-model>"}).run()
    at.switch_page("pages/models.py").run()
    assert not at.exception
    with open_store(demo_db_path) as db:
        first = models.model_list(db)["slug"].iloc[0]
    assert at.selectbox(key="models_model").value == first
    assert at.query_params.get("model") in (None, [])  # the first model is the default: a plain link


def test_every_pilot_the_page_names_links_to_its_page(demo_db_path, app_on):
    """Issue #20: the pilots with linked lessons, and each linked lesson's pilot, link to ``/pilots?pilot=SLUG``."""
    at = app_on(demo_db_path, {"model": "local-champions"}).run()
    at.switch_page("pages/models.py").run()
    assert not at.exception
    with open_store(demo_db_path) as db:
        pilots = models.model_pilots(db, "local-champions")
        first = models.elements(db, "local-champions").iloc[0]
        linked = models.element_lessons(db, int(first["id"]))
    assert not pilots.empty and not linked.empty
    links = [(p.proto.page, p.proto.label, p.proto.query_string) for p in at.get("page_link")]
    to_pilots = [(label, query) for page, label, query in links if page.endswith("pilots.py") or "pilot=" in query]
    for pilot in pilots.itertuples():
        assert (safe(pilot.name), f"pilot={pilot.slug}") in to_pilots
    for lesson in linked.itertuples():  # the first element's lessons name their pilot as a link
        assert (safe(lesson.pilot_name), f"pilot={lesson.pilot}") in to_pilots
    assert all(query.startswith("pilot=") for _, query in to_pilots)
