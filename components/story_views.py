"""Pilots' stories on the Stories page: the list, one story (``?story=ID``), the coordinator's editor with its
images and preview, and the administrator's publish panel.

Every piece of user text is shown as text: headings and list items through :func:`components.widgets.safe`,
paragraphs with ``st.text``; a story's markup (:func:`lessons.stories.parse`) is ours, never Markdown or HTML.
"""

from __future__ import annotations

import streamlit as st

from components import auth
from components.widgets import safe
from lessons.access import reading
from lessons.contributors import credits
from lessons.i18n import N_, Labels, _, day, ngettext, number
from lessons.permissions import Actor, can
from lessons.stories import (
    MAX_ALT,
    MAX_BODY,
    MAX_IMAGE_BYTES,
    MAX_LEAD,
    MAX_REUSE,
    MAX_TITLE,
    VISIBILITIES,
    add_image,
    editable_stories,
    parse,
    pilot_lessons,
    publish_story,
    remove_image,
    save_story,
    stories_for,
    story,
    story_images,
    submit_story,
    writable_pilots,
)
from lessons.visibility import audience_of

__all__ = [
    "admin_panel",
    "back_button",
    "editor",
    "load_story",
    "new_story",
    "requested_story",
    "story_list",
    "story_view",
    "your_stories",
]

STORIES_PAGE = "pages/stories.py"
LESSONS_PAGE = "pages/lessons.py"
STATUS_WORDS = Labels(
    {"draft": N_("Draft"), "submitted": N_("Submitted, waiting for an administrator"), "published": N_("Published")}
)
#: A status in a list of stories, in lower case after the title (e.g. "Town desk — Oulu (draft)").
STATUS_SHORT = Labels({"draft": N_("draft"), "submitted": N_("submitted"), "published": N_("published")})
VISIBILITY_WORDS = Labels(
    {
        "public": N_("Public: anyone, signed in or not"),
        "consortium": N_("Consortium: anyone signed in"),
        "private": N_("Private: this pilot's coordinators and administrators"),
    }
)
#: Who reads a story once it is published, as the administrator's confirmation says it.
READERS = Labels(
    {
        "public": N_("Yes, publish it: anyone, signed in or not, will read it"),
        "consortium": N_("Yes, publish it: anyone signed in will read it"),
        "private": N_("Yes, publish it: this pilot's coordinators and administrators will read it"),
    }
)
MARKUP_HELP = N_(
    "Plain text. A line starting with '# ' is a heading, '- ' a list item, a blank line starts a new paragraph, "
    "and a line [image: name.png] shows an image uploaded with the story. Nothing else is formatted: "
    "HTML and Markdown show as you typed them."
)


def requested_story() -> int | None:
    """Return the story of the address (``?story=ID``), or None."""
    value = st.query_params.get("story") or ""
    return int(value) if value.isdigit() else None


def _open(story_id: int | None) -> None:
    if story_id is None:
        st.query_params.pop("story", None)
    else:
        st.query_params["story"] = str(story_id)


def back_button() -> None:
    """A button back to the list of stories."""
    st.button(
        _("All stories"),
        key="stories_back",
        type="tertiary",
        on_click=_open,
        args=(None,),
        icon=":material/arrow_back:",
    )


def load_story(path: str, story_id: int, reader: Actor | None) -> dict | None:
    """One story as ``reader`` may read it, with its images' bytes and credits; None when there is none to show.
    Read through the reader's scope: a lesson it rests on that the reader may not see is not listed."""
    with reading(path, audience_of(reader).token) as db:
        found = story(db, story_id, reader)
        if found is None:
            return None
        found["image_data"] = story_images(db, story_id)
        found["credits"] = credits(db, "story", story_id, reader)
        return found


def _pieces(body: str, images: dict) -> None:
    for piece in parse(body or ""):
        if piece.kind == "heading":
            st.subheader(safe(piece.text), anchor=False)
        elif piece.kind == "paragraph":
            st.text(piece.text)
        elif piece.kind == "bullets":
            st.markdown("\n".join(f"- {safe(item)}" for item in piece.items))
        elif piece.name in images:
            st.image(images[piece.name]["data"], alt=images[piece.name]["alt"], width="content")
            st.caption(safe(images[piece.name]["alt"]))
        else:
            st.warning(
                _("Image {name} is not uploaded yet.").format(name=safe(piece.name)),
                icon=":material/image_not_supported:",
            )


def story_view(loaded: dict) -> None:
    """Draw a story: title, lead, text with its images, the reuse box, the lessons it rests on and its credits."""
    st.title(safe(loaded["title"]), anchor=False)
    if loaded["status"] == "published":
        line = _("{pilot} · published {date}").format(
            pilot=safe(loaded["pilot_name"]), date=day(loaded["published_at"])
        )
    else:
        line = f"{safe(loaded['pilot_name'])} · {STATUS_WORDS[loaded['status']]}"
    st.caption(line)
    if loaded["lead"]:
        st.markdown(f"**{safe(loaded['lead'])}**")
    _pieces(loaded["body"], loaded["image_data"])
    if loaded["reuse"]:
        with st.container(border=True):
            st.subheader(_("What others can reuse"), anchor=False)
            st.text(loaded["reuse"])
    lessons = loaded["lessons"]
    if len(lessons):
        st.subheader(_("The lessons this story rests on"), anchor=False)
        for lesson in lessons.itertuples():
            st.page_link(
                LESSONS_PAGE,
                label=f"{safe(lesson.key)} · {safe(lesson.title)}",
                query_params={"lesson": str(int(lesson.id))},
                icon=":material/article:",
            )
    if loaded["credits"]:
        st.caption(_("Contributors: {names}").format(names=safe("; ".join(loaded["credits"]))))


def story_list(path: str, reader: Actor | None) -> None:
    """List the published stories ``reader`` may read; each title opens the story."""
    with reading(path, audience_of(reader).token) as db:
        found = stories_for(db, reader)
    if found.empty:
        st.info(
            _("No story is published yet.") if reader else _("No story is published for the public yet."),
            icon=":material/auto_stories:",
        )
        return
    st.markdown(
        ngettext("**{n} published story**", "**{n} published stories**", len(found)).format(n=number(len(found)))
    )
    for row in found.itertuples():
        with st.container(border=True):
            st.subheader(safe(row.title), anchor=False)
            st.caption(_("{pilot} · published {date}").format(pilot=safe(row.pilot_name), date=day(row.published_at)))
            if row.lead:
                st.text(row.lead)
            st.button(
                _("Read the story"),
                key=f"stories_open_{row.id}",
                on_click=_open,
                args=(int(row.id),),
                icon=":material/arrow_forward:",
                help=_("Open “{title}”").format(title=safe(row.title)),
            )


def your_stories(path: str, actor: Actor | None) -> None:
    """For coordinators and administrators: the stories they may write, in any status, each opening to edit."""
    with reading(path) as db:
        mine = editable_stories(db, actor)
    if mine.empty:
        return
    heading = _("All stories") if can(actor, "story.publish") else _("Your pilots' stories")
    st.subheader(heading, anchor=False)
    waiting = int((mine["status"] == "submitted").sum())
    if waiting and can(actor, "story.publish"):
        st.caption(
            ngettext(
                "{n} waiting to be published: open it to read and publish it.",
                "{n} waiting to be published: open one to read and publish it.",
                waiting,
            ).format(n=number(waiting))
        )
    for row in mine.itertuples():
        st.button(
            _("{title} — {pilot} ({status})").format(
                title=safe(row.title), pilot=safe(row.pilot_name), status=STATUS_SHORT[row.status]
            ),
            key=f"stories_mine_{row.id}",
            type="tertiary",
            on_click=_open,
            args=(int(row.id),),
            icon=":material/edit_note:",
        )


def _form(path: str, actor: Actor, key: str, pilot: str, current: dict | None) -> None:
    """The story's fields; Preview shows the text as it will read, Save writes it."""
    with reading(path) as db:
        lessons = pilot_lessons(db, pilot)
    options = list(lessons["key"])
    titles = dict(zip(lessons["key"], lessons["title"]))
    current = current or {}
    chosen = [k for k in current["lessons"]["key"] if k in options] if "lessons" in current else []
    with st.form(f"{key}_form"):
        title = st.text_input(_("Title"), value=current.get("title") or "", max_chars=MAX_TITLE, key=f"{key}_title")
        lead = st.text_input(_("Lead sentence"), value=current.get("lead") or "", max_chars=MAX_LEAD, key=f"{key}_lead")
        body = st.text_area(
            _("The story"), value=current.get("body") or "", max_chars=MAX_BODY, height=260, help=_(MARKUP_HELP),
            key=f"{key}_body",
        )  # fmt: skip
        reuse = st.text_area(
            _("What others can reuse"), value=current.get("reuse") or "", max_chars=MAX_REUSE, key=f"{key}_reuse"
        )
        keys = st.multiselect(
            _("Lessons it rests on"), options, default=chosen, format_func=lambda k: f"{k} · {titles[k]}",
            key=f"{key}_lessons",
        )  # fmt: skip
        visibility = st.radio(
            _("Who may read it once published"),
            VISIBILITIES,
            index=VISIBILITIES.index(current.get("visibility") or "consortium"),
            format_func=dict(VISIBILITY_WORDS.items()).get,  # the labels as translated now, not when called later
            key=f"{key}_visibility",
        )
        with st.container(horizontal=True):
            saved = st.form_submit_button(_("Save the story"), type="primary", icon=":material/save:")
            preview = st.form_submit_button(_("Preview"), icon=":material/visibility:")
    if preview:
        with st.container(border=True):
            st.caption(_("Preview (not saved yet)"))
            if lead:
                st.markdown(f"**{safe(lead)}**")
            _pieces(body, current.get("image_data") or {})
    if saved:
        story_id = auth.write(
            path, save_story, actor, pilot=pilot, title=title, lead=lead, body=body, reuse=reuse,
            lesson_keys=keys, visibility=visibility, story_id=current.get("id"),
        )  # fmt: skip
        if story_id:
            _open(int(story_id))
            st.rerun()


def new_story(path: str, actor: Actor | None) -> None:
    """For a coordinator or administrator: write a new story for one of their pilots."""
    with reading(path) as db:
        pilots = writable_pilots(db, actor)
    if pilots.empty:
        return
    with st.expander(_("Write a new story"), icon=":material/edit:"):
        names = dict(zip(pilots["slug"], pilots["name"]))
        pilot = st.selectbox(_("Pilot"), list(names), format_func=names.get, key="stories_new_pilot")
        _form(path, actor, "stories_new", pilot, None)


def _images(path: str, actor: Actor, loaded: dict) -> None:
    st.markdown(_("**Images**"))
    uploaded = st.session_state.pop("stories_uploaded", None)
    if uploaded:
        st.success(
            _("Uploaded. Show it in the text with a line [image: {name}]").format(name=safe(uploaded)),
            icon=":material/check:",
        )
    for name, image in loaded["image_data"].items():
        left, right = st.columns([4, 1])
        markup = f"[image: {name}]"  # the story markup's own keyword, which the text must use as it is
        left.text(f"{markup} — {image['alt']}")
        if right.button(_("Remove"), key=f"stories_remove_{name}", icon=":material/delete:"):
            if auth.write(path, remove_image, actor, loaded["id"], name):
                st.rerun()
    with st.form("stories_image_form", clear_on_submit=True):
        upload = st.file_uploader(
            _("Upload a PNG or JPEG image (at most {mb} MB)").format(mb=number(MAX_IMAGE_BYTES // 1024 // 1024)),
            type=["png", "jpg", "jpeg"],
            max_upload_size=MAX_IMAGE_BYTES // 1024 // 1024,
            key="stories_image",
        )
        alt = st.text_input(
            _("What the image shows (alt text, for readers who cannot see it)"), max_chars=MAX_ALT, key="stories_alt"
        )
        sent = st.form_submit_button(_("Upload the image"), icon=":material/upload:")
    if sent:
        if upload is None:
            st.error(_("Choose an image file first."))
            return
        name = auth.write(path, add_image, actor, loaded["id"], upload.name, upload.getvalue(), alt)
        if name:
            st.session_state["stories_uploaded"] = name
            st.rerun()


def editor(path: str, actor: Actor | None, loaded: dict) -> None:
    """For the story's coordinator or an administrator: edit it, upload images, submit it."""
    if not can(actor, "story.edit", loaded["pilot_id"]):
        return
    status = loaded["status"]
    st.info(
        _("Status: {status}. {visibility}.").format(
            status=STATUS_WORDS[status], visibility=VISIBILITY_WORDS[loaded["visibility"]]
        ),
        icon=":material/info:",
    )
    with st.expander(_("Edit this story"), expanded=status == "draft", icon=":material/edit:"):
        if status == "published" and actor.role != "admin":
            st.caption(_("Saving a change takes the story back to a draft: submit it again to have it published."))
        _form(path, actor, "stories_edit", loaded["pilot"], loaded)
        _images(path, actor, loaded)
    if status == "draft" and st.button(_("Submit for publishing"), key="stories_submit", icon=":material/send:"):
        if auth.write(path, submit_story, actor, loaded["id"]):
            st.rerun()


def admin_panel(path: str, actor: Actor | None, loaded: dict) -> None:
    """For an administrator: publish a submitted story, or take a published one down, after confirming."""
    if not can(actor, "story.publish") or loaded["status"] == "draft":
        return
    with st.container(border=True):
        if loaded["status"] == "submitted":
            sure = st.checkbox(READERS[loaded["visibility"]], key="stories_sure")
            if st.button(_("Publish the story"), type="primary", disabled=not sure, key="stories_publish"):
                if auth.write(path, publish_story, actor, loaded["id"], True):
                    st.rerun()
        else:
            sure = st.checkbox(_("Yes, take it down: it goes back to waiting"), key="stories_sure")
            if st.button(_("Unpublish the story"), disabled=not sure, key="stories_unpublish"):
                if auth.write(path, publish_story, actor, loaded["id"], False):
                    st.rerun()
