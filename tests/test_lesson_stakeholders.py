"""Links between a lesson and the stakeholders of its pilot it concerns: edited in the domain, versioned."""

from __future__ import annotations

import pytest

from lessons.editing import EditError, update_lesson
from lessons.permissions import Actor, PermissionDenied, cli_actor
from lessons.store import data_version

ADMIN = cli_actor()


@pytest.fixture
def store(db):
    a = db["pilots"].insert({"slug": "a", "name": "A", "country": "FI"}).last_pk
    b = db["pilots"].insert({"slug": "b", "name": "B", "country": "PT"}).last_pk
    for pilot, key in ((a, "S1"), (a, "S2"), (b, "S1")):
        db["stakeholders"].insert({"pilot_id": pilot, "key": key, "name": f"{key} of {pilot}", "sector": "public"})
    db.lesson = (
        db["lessons"].insert({"pilot_id": a, "key": "L1", "title": "T", "lesson": "L", "kind": "insight"}).last_pk
    )
    return db


def linked(db, lesson):
    return sorted(
        r[0]
        for r in db.execute(
            "SELECT s.key FROM lesson_stakeholders ls JOIN stakeholders s ON s.id = ls.stakeholder_id "
            "WHERE ls.lesson_id = ?",
            [lesson],
        )
    )


def test_links_are_set_replaced_and_cleared(store):
    before = (data_version(store, "lessons"), data_version(store, "network"))
    changed = update_lesson(store, ADMIN, store.lesson, stakeholders=["S2", "S1", "S1"])
    assert linked(store, store.lesson) == ["S1", "S2"] and changed["stakeholders"]["after"] == ["S1", "S2"]
    after = (data_version(store, "lessons"), data_version(store, "network"))
    assert after[0] > before[0] and after[1] > before[1]  # both kinds of view refresh
    assert update_lesson(store, ADMIN, store.lesson, stakeholders=["S1", "S2"]) == {}
    update_lesson(store, ADMIN, store.lesson, stakeholders=[])
    assert linked(store, store.lesson) == []
    update_lesson(store, ADMIN, store.lesson, title="New")  # None leaves links alone
    assert linked(store, store.lesson) == []


def test_a_stakeholder_of_another_pilot_or_an_unknown_key_is_refused(store):
    update_lesson(store, ADMIN, store.lesson, stakeholders=["S1"])
    with pytest.raises(EditError, match="Not a stakeholder of this lesson's pilot: S9"):
        update_lesson(store, ADMIN, store.lesson, stakeholders=["S1", "S9"])
    assert linked(store, store.lesson) == ["S1"]  # nothing changed


def test_only_the_pilots_coordinator_may_link(store):
    other = Actor(user_id=99, username="c", role="coordinator", pilot_ids=frozenset({2}))
    with pytest.raises(PermissionDenied):
        update_lesson(store, other, store.lesson, stakeholders=["S1"])
    assert linked(store, store.lesson) == []
