"""AppTest of the Stories and Contributors pages (#20): who sees which story, writing, submitting, publishing, credit."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from lessons import contributors as credit
from lessons import stories
from lessons.permissions import cli_actor
from lessons.store import connect

SUBMIT = "FormSubmitter:auth_form-Sign in"
TAMPERE = "tampere-youth-guidance"
HOSTILE = "<script>alert(1)</script> **bold** [link](http://evil.example)"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def sign_in(at, who: str):
    at.text_input(key="auth_username").set_value(who)
    at.text_input(key="auth_password").set_value(f"demo-{who}-pass")
    at.button(key=SUBMIT).click().run()
    return at


@pytest.fixture
def three_stories(demo_db_path):
    """A published public story (with hostile text), a published consortium one, and a public draft."""
    cli = cli_actor()
    with connect(demo_db_path) as db:
        ids = {}
        for title, visibility, publish in (
            ("Open to all", "public", True),
            ("Members only", "consortium", True),
            ("Still a draft", "public", False),
        ):
            ids[title] = stories.save_story(
                db, cli, pilot=TAMPERE, title=title, lead="What happened.", visibility=visibility,
                body=f"# First weeks\n{HOSTILE}\n- a point", lesson_keys=["L01"],
            )  # fmt: skip
            if publish:
                stories.submit_story(db, cli, ids[title])
                stories.publish_story(db, cli, ids[title])
    return demo_db_path, ids


def listed(at) -> list[str]:
    return [h.value for h in at.subheader]


def test_a_signed_out_visitor_sees_only_published_public_stories(three_stories, app_on):
    path, ids = three_stories
    at = app_on(path).run()
    at.switch_page("pages/stories.py").run()
    assert not at.exception
    assert listed(at) == ["Open to all"]
    assert not [e for e in at.expander if e.label == "Write a new story"]
    sign_in(at, "viewer").switch_page("pages/stories.py").run()
    assert sorted(listed(at)) == ["Members only", "Open to all"]
    for title in ("Members only", "Still a draft"):
        visitor = app_on(path, {"story": str(ids[title])}).run()
        visitor.switch_page("pages/stories.py").run()
        assert visitor.title[0].value == "Story" and "no story at this address" in visitor.info[0].value


def test_a_story_shows_user_text_as_text(three_stories, app_on):
    path, ids = three_stories
    at = app_on(path, {"story": str(ids["Open to all"])}).run()
    at.switch_page("pages/stories.py").run()
    assert not at.exception
    assert at.title[0].value == "Open to all"
    assert at.subheader[0].value == "First weeks"
    assert [t.value for t in at.text] == [HOSTILE]  # st.text: never Markdown or HTML
    assert any(m.value == "- a point" for m in at.markdown)
    assert "stories_publish" not in [b.key for b in at.button]  # a visitor gets no publishing panel


def test_a_coordinator_writes_uploads_and_submits_an_administrator_publishes(demo_db_path, app_on):
    at = sign_in(app_on(demo_db_path).run(), "coordinator")
    at.switch_page("pages/stories.py").run()
    assert at.selectbox(key="stories_new_pilot").options == ["Youth guidance one-stop shop"]  # only their pilot
    at.text_input(key="stories_new_title").set_value("The desk that opened")
    at.text_input(key="stories_new_lead").set_value("Three services, one desk.")
    at.text_area(key="stories_new_body").set_value("# Before\nNobody knew.\n[image: desk.png]")
    at.multiselect(key="stories_new_lessons").set_value(["L01"])
    at.button(key="FormSubmitter:stories_new_form-Preview").click().run()
    assert any(w.value.startswith("Image desk\\.png is not uploaded yet") for w in at.warning)
    at.button(key="FormSubmitter:stories_new_form-Save the story").click().run()
    assert not at.exception
    story_id = int(
        at.query_params["story"][0] if isinstance(at.query_params["story"], list) else at.query_params["story"]
    )
    at.get("file_uploader")[0].set_value(("Desk.PNG", png(), "image/png"))
    at.text_input(key="stories_alt").set_value("The new desk in the library")
    at.button(key="FormSubmitter:stories_image_form-Upload the image").click().run()
    assert not at.exception and not at.error
    at.button(key="stories_submit").click().run()
    assert not at.error
    with connect(demo_db_path, readonly=True) as db:
        assert db.execute("SELECT status FROM stories WHERE id = ?", [story_id]).fetchone() == ("submitted",)
    admin = sign_in(app_on(demo_db_path, {"story": str(story_id)}).run(), "admin")
    admin.switch_page("pages/stories.py").run()
    assert admin.button(key="stories_publish").disabled
    admin.checkbox(key="stories_sure").check().run()
    admin.button(key="stories_publish").click().run()
    assert not admin.exception
    with connect(demo_db_path, readonly=True) as db:
        assert db.execute("SELECT status FROM stories WHERE id = ?", [story_id]).fetchone() == ("published",)
        assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'story.publish'").fetchone() == (1,)


def test_contributors_unconsented_people_are_not_named(demo_db_path, app_on):
    cli = cli_actor()
    with connect(demo_db_path) as db:
        shy = credit.add_contributor(db, cli, name="Sam Shy")
        credit.add_contributor(db, cli, name="Tampere Youth Services", kind="organisation")
    at = app_on(demo_db_path).run()
    at.switch_page("pages/contributors.py").run()
    assert not at.exception
    names = [b.label for b in at.button if b.key.startswith("contributors_open_")]
    assert names == ["**A contributor**", "**Tampere Youth Services**"]
    assert "Sam" not in str([m.value for m in at.markdown] + [c.value for c in at.caption])
    page = app_on(demo_db_path, {"contributor": str(shy)}).run()
    page.switch_page("pages/contributors.py").run()
    assert page.title[0].value == "A contributor"


def test_an_administrator_adds_and_credits_a_contributor(demo_db_path, app_on):
    at = sign_in(app_on(demo_db_path).run(), "admin")
    at.switch_page("pages/contributors.py").run()
    at.text_input(key="contributors_name").set_value("Pia Proud")
    at.checkbox(key="contributors_consent").check()
    at.button(key="FormSubmitter:contributors_add-Add the contributor").click().run()
    assert not at.exception
    assert at.title[0].value == "Pia Proud"
    with connect(demo_db_path, readonly=True) as db:
        lesson = db.execute(
            "SELECT l.id FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = ? AND l.key = 'L01'",
            [TAMPERE],
        ).fetchone()[0]
    at.selectbox(key="contributors_item").set_value(f"lesson:{lesson}")
    at.button(key="FormSubmitter:contributors_link_form-Credit them").click().run()
    assert not at.exception and not at.error
    assert any(m.value.startswith("- **Gave** 1 lesson, 0 stories and 0 catalogue entries") for m in at.markdown)
    assert at.dataframe[0].value["Role"].tolist() == ["author"]
