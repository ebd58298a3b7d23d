"""Stories and credit (#20): writing, submitting and publishing stories, their markup and images, contributors."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from PIL import Image

from lessons import contributors as credit
from lessons import stories
from lessons.bundle import data_package_zip, import_bundle
from lessons.permissions import Actor, PermissionDenied, cli_actor
from lessons.report import pilot_brief
from lessons.report.render import render
from lessons.store import open_memory_store
from lessons.stories import StoryError

ADMIN = Actor("ada", "admin")
ANA = Actor("ana", "coordinator", frozenset({1}))  # coordinates Oulu only
BO = Actor("bo", "coordinator", frozenset({2}))
VIEWER = Actor("vic", "viewer")


def png(size=(40, 30), **info) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 40, 40))
    image.save(out, "PNG", **info)
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    Image.new("RGB", (20, 20), (0, 90, 0)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def store(db):
    db["pilots"].insert_all(
        [
            {"id": 1, "slug": "oulu", "name": "Oulu", "country": "FI"},
            {"id": 2, "slug": "porto", "name": "Porto", "country": "PT"},
        ]
    )
    for pilot, key in ((1, "L01"), (1, "L02"), (2, "L01")):
        db.execute(
            "INSERT INTO lessons (pilot_id, key, title, lesson, kind) VALUES (?, ?, ?, 'Learned.', 'insight')",
            [pilot, key, f"Lesson {key} of {pilot}"],
        )
    return db


def write(db, actor=ANA, **kw):
    fields = {"pilot": "oulu", "title": "How the desk opened", "lead": "Three services, one desk."}
    return stories.save_story(db, actor, **{**fields, **kw})


def test_a_coordinator_writes_and_submits_an_administrator_publishes(store):
    story_id = write(store, body="# Start\nWe met.", lesson_keys=["l01", "L02"], visibility="public")
    assert stories.story(store, story_id, None) is None  # a draft: nobody but its writers
    stories.submit_story(store, ANA, story_id)
    with pytest.raises(PermissionDenied, match="may not publish stories"):
        stories.publish_story(store, ANA, story_id)
    stories.publish_story(store, ADMIN, story_id)
    read = stories.story(store, story_id, None)
    assert read["status"] == "published" and list(read["lessons"]["key"]) == ["L01", "L02"]
    actions = [r[0] for r in store.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["story.create", "story.submit", "story.publish"]


def test_a_coordinator_of_another_pilot_is_refused(store):
    with pytest.raises(PermissionDenied, match="coordinate other pilots"):
        write(store, actor=BO)
    story_id = write(store)
    for act in (
        lambda: write(store, actor=BO, story_id=story_id),
        lambda: stories.submit_story(store, BO, story_id),
        lambda: stories.add_image(store, BO, story_id, "a.png", png(), "A red square"),
    ):
        with pytest.raises(PermissionDenied):
            act()
    with pytest.raises(PermissionDenied):
        write(store, actor=VIEWER)
    with pytest.raises(PermissionDenied, match="Sign in"):
        write(store, actor=None)


def test_lessons_are_named_by_key_of_the_same_pilot(store):
    with pytest.raises(StoryError, match="Oulu has no lesson L09"):
        write(store, lesson_keys=["L09"])
    with pytest.raises(StoryError, match="Oulu has no lesson L03"):
        write(store, lesson_keys=["L03"])  # Porto's only lesson is L01


def test_who_reads_a_published_story_depends_on_its_visibility(store):
    ids = {}
    for visibility in stories.VISIBILITIES:
        ids[visibility] = write(store, title=visibility, visibility=visibility)
        stories.submit_story(store, ANA, ids[visibility])
        stories.publish_story(store, ADMIN, ids[visibility])
    assert list(stories.stories_for(store, None)["title"]) == ["public"]
    assert sorted(stories.stories_for(store, VIEWER)["title"]) == ["consortium", "public"]
    assert sorted(stories.stories_for(store, ANA)["title"]) == ["consortium", "private", "public"]
    assert stories.story(store, ids["private"], BO) is None


def test_hostile_markup_stays_literal_text():
    body = "<script>alert(1)</script>\n**bold** [link](http://x)\n\n# <b>Head</b>\n- ![i](http://x/y.png)"
    pieces = stories.parse(body)
    assert [p.kind for p in pieces] == ["paragraph", "heading", "bullets"]
    assert pieces[0].text == "<script>alert(1)</script> **bold** [link](http://x)"
    assert pieces[1].text == "<b>Head</b>"
    assert pieces[2].items == ("![i](http://x/y.png)",)


def test_images_are_checked_with_one_clear_message(store, monkeypatch):
    story_id = write(store)
    with pytest.raises(StoryError, match=r"^notes\.png is not an image this page can read: upload a PNG or JPEG"):
        stories.add_image(store, ANA, story_id, "notes.png", b"just text", "Notes")
    gif = io.BytesIO()
    Image.new("RGB", (5, 5)).save(gif, "GIF")
    with pytest.raises(StoryError, match=r"^anim\.gif is a GIF image: upload a PNG or JPEG file\.$"):
        stories.add_image(store, ANA, story_id, "anim.gif", gif.getvalue(), "Animation")
    monkeypatch.setattr(stories, "MAX_IMAGE_BYTES", 100)
    with pytest.raises(StoryError, match=r"^big\.png is 0\.0 MB: an image may be at most 0 MB"):
        stories.add_image(store, ANA, story_id, "big.png", png(), "Big")
    monkeypatch.undo()
    with pytest.raises(StoryError, match="alt text"):
        stories.add_image(store, ANA, story_id, "a.png", png(), "  ")
    assert store["story_images"].count == 0


def test_an_image_is_re_encoded_without_its_metadata(store):
    story_id = write(store)
    name = stories.add_image(store, ANA, story_id, "Camera Shot.JPG", jpeg_with_exif(), "The desk on day one")
    assert name == "camera-shot.jpg"
    data = stories.story_images(store, story_id)[name]["data"]
    assert b"SecretCam" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and not image.getexif()


def test_submitting_needs_every_image_the_text_shows(store):
    story_id = write(store, body="[image: hall.png]")
    with pytest.raises(StoryError, match="hall.png, not uploaded yet"):
        stories.submit_story(store, ANA, story_id)
    stories.add_image(store, ANA, story_id, "hall.png", png(), "The town hall")
    stories.submit_story(store, ANA, story_id)


def test_the_pilot_brief_tells_its_published_public_story(store):
    story_id = write(
        store,
        body="# Before\nNobody knew the desk.\n[image: hall.png]\n- Ask early",
        reuse="The rota template.",
        lesson_keys=["L02"],
        visibility="public",
    )
    stories.add_image(store, ANA, story_id, "hall.png", png(), "The town hall")
    assert "Story" not in [s.heading for s in pilot_brief(store, "oulu").sections]
    stories.submit_story(store, ANA, story_id)
    stories.publish_story(store, ADMIN, story_id)
    brief = pilot_brief(store, "oulu")
    story = next(s for s in brief.sections if s.heading == "Story")
    texts = [b.text for b in story.blocks if b.text] + [i for b in story.blocks for i in b.items]
    lesson_id = store.execute("SELECT id FROM lessons WHERE pilot_id = 1 AND key = 'L02'").fetchone()[0]
    assert texts == [
        "How the desk opened",
        "Three services, one desk.",
        "Before",
        "Nobody knew the desk.",
        "What others can reuse",
        "The rota template.",
        f"The story rests on these lessons: [L{lesson_id} (Oulu)].",
        "Ask early",
    ]
    assert [b.alt for b in story.blocks if b.kind == "image"] == ["The town hall"]
    assert lesson_id in set(int(x[1:]) for x in brief.lessons["lesson"])
    html = render(brief, ("html",))["brief-pilot-oulu.html"].decode()
    assert "Nobody knew the desk." in html and 'alt="The town hall"' in html
    assert render(brief, ("pdf",))["brief-pilot-oulu.pdf"].startswith(b"%PDF")
    stories.save_story(store, ADMIN, pilot="oulu", title="t", story_id=story_id, visibility="consortium")
    assert "Story" not in [s.heading for s in pilot_brief(store, "oulu").sections]  # public outputs only


def test_an_unconsented_person_is_not_named_in_public_reads(store):
    shy = credit.add_contributor(store, ANA, name="Sam Shy", organisation="Youth Centre")
    proud = credit.add_contributor(store, ANA, name="Pia Proud", consent=True, consent_date="2026-05-01")
    org = credit.add_contributor(store, ADMIN, name="City of Oulu", kind="organisation")
    credit.link(store, ANA, shy, "lesson", "1", "co-producer")
    public = credit.contributors(store, None).set_index("id")
    assert public.loc[shy, "name"] == credit.UNNAMED and pd.isna(public.loc[shy, "organisation"])
    assert public.loc[proud, "name"] == "Pia Proud" and public.loc[org, "name"] == "City of Oulu"
    assert credit.contributor(store, shy, VIEWER, citations=credit.brief_citations(store))["name"] == credit.UNNAMED
    assert credit.contributors(store, ANA).set_index("id").loc[shy, "name"] == "Sam Shy"  # who records them
    assert credit.credits(store, "lesson", 1, None) == ["A contributor (co-producer)"]
    row = store.execute("SELECT consent_date, consent_recorded_by FROM contributors WHERE id = ?", [proud]).fetchone()
    assert row == ("2026-05-01", "ana")
    credit.record_consent(store, ADMIN, shy, True, "2026-06-01")
    assert credit.contributors(store, None).set_index("id").loc[shy, "name"] == "Sam Shy"


def test_linking_a_lesson_needs_the_right_to_change_it(store):
    who = credit.add_contributor(store, ANA, name="Pia", consent=True)
    porto = store.execute("SELECT id FROM lessons WHERE pilot_id = 2").fetchone()[0]
    with pytest.raises(PermissionDenied):
        credit.link(store, ANA, who, "lesson", str(porto), "author")
    with pytest.raises(PermissionDenied):
        credit.add_contributor(store, VIEWER, name="X")
    credit.link(store, ADMIN, who, "catalogue", "M-ROTA", "author")
    assert credit.catalogue_reuse(store, ["M-ROTA"]) == {"M-ROTA": 0}  # no such entry in this store's catalogue


def test_reuse_counts_on_the_demo_store(demo_db):
    """A lesson cited in other briefs and voted on in a workshop: both counted on its contributor's page."""
    agreed = credit.consensus_statements(demo_db)
    cited = credit.brief_citations(demo_db)
    counts = cited.groupby("lesson_id")["brief"].nunique()
    both = sorted(set(agreed["lesson_id"]) & set(counts.index))
    assert both, "the demo has lessons cited in briefs whose statements reached consensus"
    lesson_id = both[0]
    own = demo_db.execute(
        "SELECT 'brief-pilot-' || p.slug FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE l.id = ?", [lesson_id]
    ).fetchone()[0]
    assert own not in set(cited.loc[cited["lesson_id"] == lesson_id, "brief"])  # its own pilot's brief not counted
    who = credit.add_contributor(demo_db, cli_actor(), name="Demo Person", consent=True)
    credit.link(demo_db, cli_actor(), who, "lesson", str(lesson_id), "author")
    page = credit.contributor(demo_db, who, None)
    assert page["totals"] == {
        "lessons": 1,
        "stories": 0,
        "catalogue": 0,
        "briefs": int(counts[lesson_id]),
        "consensus": int(agreed.set_index("lesson_id").loc[lesson_id, "statements"]),
        "pilots": 0,
    }
    assert credit.brief_citations(demo_db).equals(cited)  # stored by data version: read back, not drawn again
    # a catalogue entry credited to them, used by two pilots (one through a lesson): counted on their page
    entry = demo_db.execute("SELECT id, code FROM catalogue_entries ORDER BY code LIMIT 1").fetchone()
    pilots = [r[0] for r in demo_db.execute("SELECT id FROM pilots ORDER BY id LIMIT 2")]
    demo_db.execute(
        "INSERT INTO pilot_methods (pilot_id, entry_id, linked_by) VALUES (?, ?, 'test')", [pilots[0], entry[0]]
    )
    other = demo_db.execute("SELECT id FROM lessons WHERE pilot_id = ? LIMIT 1", [pilots[1]]).fetchone()[0]
    demo_db.execute(
        "INSERT INTO lesson_methods (lesson_id, entry_id, linked_by) VALUES (?, ?, 'test')", [other, entry[0]]
    )
    credit.link(demo_db, cli_actor(), who, "catalogue", entry[1], "co-producer")
    page = credit.contributor(demo_db, who, None)
    assert page["totals"]["catalogue"] == 1 and page["totals"]["pilots"] == 2


def test_the_bundle_carries_stories_and_consented_credit_only(store):
    story_id = write(store, body="Text.", lesson_keys=["L01"], visibility="public")
    stories.add_image(store, ANA, story_id, "a.png", png(), "A red square")
    shy = credit.add_contributor(store, ANA, name="Sam Shy")
    pia = credit.add_contributor(store, ANA, name="Pia Proud", consent=True)
    for who in (shy, pia):
        credit.link(store, ANA, who, "story", str(story_id), "author")
    payload = data_package_zip(store)
    target = open_memory_store()
    import_bundle(target, cli_actor(), payload)
    assert target.execute("SELECT title, lead, body, created_by FROM stories").fetchall() == [
        ("How the desk opened", "Three services, one desk.", "Text.", None)
    ]
    assert target.execute("SELECT count(*) FROM story_lessons").fetchone() == (1,)
    assert (
        target.execute("SELECT filename, alt, data FROM story_images").fetchall()
        == store.execute("SELECT filename, alt, data FROM story_images").fetchall()
    )  # images travel as files of the ZIP (issue #20), their alt text in the data
    assert target.execute("SELECT name FROM contributors").fetchall() == [("Pia Proud",)]
    assert target.execute("SELECT role FROM contributions").fetchall() == [("author",)]
