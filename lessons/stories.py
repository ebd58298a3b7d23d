"""A pilot's story: written by its coordinator, published by an administrator, read on its page and in its brief.

Issue #20.

A story has a title, a lead sentence, a body in a small plain-text markup (:func:`parse`), a "what others can reuse"
box, the lessons of its pilot it rests on (by key) and the images uploaded with it. Its status goes draft →
submitted → published; only administrators publish, and publishing is audited. ``visibility`` (public, consortium,
private) is stored and set by the author or an administrator; :func:`readable` says who may read a story.

The markup never carries HTML or Markdown: every line is text, and only these shapes mean something —

- a line starting ``# `` (or ``## ``, ``### ``) is a heading;
- a line starting ``- `` or ``* `` is a list item (consecutive items make one list);
- a line that is exactly ``[image: name.png]`` shows the image uploaded with the story under that name;
- a blank line ends a paragraph; other lines are joined into paragraphs.

Everything else, ``<script>``, ``**bold**`` or ``[link](http://…)`` included, stays literal text; pages show it with
Streamlit's text elements, briefs escape it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
from PIL import Image, UnidentifiedImageError
from sqlite_utils import Database

from lessons.audit import record
from lessons.editing_base import EditError, one_row
from lessons.i18n import N_, _, number
from lessons.permissions import Actor, authorize, can
from lessons.store import frame
from lessons.text import clean_text

__all__ = [
    "IMAGE_TYPES",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_SIDE",
    "STATUSES",
    "VISIBILITIES",
    "Piece",
    "StoryError",
    "add_image",
    "check_image",
    "editable_stories",
    "image_name",
    "parse",
    "pilot_lessons",
    "publish_story",
    "published_public_story",
    "readable",
    "remove_image",
    "save_story",
    "stories_for",
    "story",
    "story_images",
    "submit_story",
    "writable_pilots",
]

STATUSES = ("draft", "submitted", "published")
VISIBILITIES = ("public", "consortium", "private")
#: The largest image file accepted, in bytes.
MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: Images larger than this many pixels on a side are scaled down when re-encoded.
MAX_IMAGE_SIDE = 2000
#: Pillow's format name → the media type stored.
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_TITLE = 200
MAX_LEAD = 600
MAX_BODY = 40_000
MAX_REUSE = 4_000
MAX_ALT = 300


class StoryError(EditError):
    """A story or image that cannot be stored as given; the message says what to fix. Nothing was written."""


# --- the markup ---------------------------------------------------------------------------------------------------

_HEADING = re.compile(r"^#{1,3} +(\S.*)$")
_ITEM = re.compile(r"^[-*] +(\S.*)$")
_IMAGE = re.compile(r"^\[image: *([^\]\n]+?) *\]$", re.IGNORECASE)


@dataclass(frozen=True)
class Piece:
    """One piece of a story's body: a ``heading``, a ``paragraph``, ``bullets`` (``items``) or an ``image`` (``name``)."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = field(default_factory=tuple)
    name: str = ""


def image_name(filename: str) -> str:
    r"""Return the name an image is stored and referred to by: the file's own name, lower case, safe characters only.

    >>> image_name("C:\\Photos\\Town Hall (2).PNG"), image_name("../../etc/passwd.jpg")
    ('town-hall-2-.png', 'passwd.jpg')
    """
    base = re.split(r"[\\/]", str(filename))[-1].strip().lower()
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9._-]+", "-", base)).strip("-.") or "image"


def parse(body: str) -> list[Piece]:
    r"""Read a story's body into pieces; nothing in it is ever HTML or Markdown.

    >>> parse("# Why\nWe met **weekly**.\nIn the <b>hall</b>.\n\n- one\n- [two](http://x)\n[image: Hall.png]")
    ... # doctest: +NORMALIZE_WHITESPACE
    [Piece(kind='heading', text='Why', items=(), name=''),
     Piece(kind='paragraph', text='We met **weekly**. In the <b>hall</b>.', items=(), name=''),
     Piece(kind='bullets', text='', items=('one', '[two](http://x)'), name=''),
     Piece(kind='image', text='', items=(), name='hall.png')]
    """
    pieces: list[Piece] = []
    lines: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if lines:
            pieces.append(Piece("paragraph", text=" ".join(lines)))
            lines.clear()
        if items:
            pieces.append(Piece("bullets", items=tuple(items)))
            items.clear()

    for raw in clean_text(body).split("\n"):
        line = raw.strip()
        heading, item, image = _HEADING.match(line), _ITEM.match(line), _IMAGE.match(line)
        if not line:
            flush()
        elif heading:
            flush()
            pieces.append(Piece("heading", text=heading.group(1).strip()))
        elif image:
            flush()
            pieces.append(Piece("image", name=image_name(image.group(1))))
        elif item:
            if lines:
                flush()
            items.append(item.group(1).strip())
        else:
            if items:
                flush()
            lines.append(line)
    flush()
    return pieces


def _referenced(body: str) -> list[str]:
    return [p.name for p in parse(body) if p.kind == "image"]


# --- images -------------------------------------------------------------------------------------------------------


def check_image(data: bytes, filename: str) -> tuple[bytes, str, int, int]:
    """Check an uploaded image and re-encode it without its metadata; return (bytes, media type, width, height).

    Only PNG and JPEG up to :data:`MAX_IMAGE_BYTES` are accepted; a larger picture is scaled down to
    :data:`MAX_IMAGE_SIDE` pixels on its longer side. Re-encoding drops EXIF (camera, place, time) and any text
    chunks. A refusal raises :class:`StoryError` with one sentence saying what to upload instead.

    >>> check_image(b"<svg></svg>", "logo.svg")
    Traceback (most recent call last):
    ...
    lessons.stories.StoryError: logo.svg is not an image this page can read: upload a PNG or JPEG file.
    """
    name = image_name(filename)
    if len(data) > MAX_IMAGE_BYTES:
        raise StoryError(
            _("{name} is {size} MB: an image may be at most {limit} MB. Save it smaller and upload it again.").format(
                name=name, size=number(len(data) / 1024 / 1024, 1), limit=number(MAX_IMAGE_BYTES // 1024 // 1024)
            )
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in IMAGE_TYPES:
            raise StoryError(_("{name} is a {kind} image: upload a PNG or JPEG file.").format(name=name, kind=kind))
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            out = io.BytesIO()
            if kind == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
            else:
                keep = image if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else image.convert("RGBA")
                keep.save(out, "PNG", optimize=True)
            width, height = image.size
    except StoryError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as err:
        raise StoryError(
            _("{name} is not an image this page can read: upload a PNG or JPEG file.").format(name=name)
        ) from err
    return out.getvalue(), IMAGE_TYPES[kind], width, height


# --- reading ------------------------------------------------------------------------------------------------------

_STORY = """SELECT s.id, s.pilot_id, p.slug AS pilot, p.name AS pilot_name, s.title, s.lead, s.body, s.reuse, s.status,
                   s.visibility, s.created_by, s.created_at, s.updated_at, s.submitted_at, s.published_at,
                   s.published_by
            FROM stories s JOIN pilots p ON p.id = s.pilot_id"""


def readable(story_row: dict, reader: Actor | None) -> bool:
    """Whether ``reader`` (None: a signed-out visitor) may read this story (a row of :func:`story`).

    Whoever may write or publish it reads it in every status. Otherwise only a published story is read: a public
    one by anyone, a consortium one by anyone signed in, a private one by no one else.

    >>> row = {"pilot_id": 1, "status": "published", "visibility": "public"}
    >>> readable(row, None), readable({**row, "visibility": "consortium"}, None)
    (True, False)
    >>> readable({**row, "status": "draft"}, Actor("ana", "coordinator", frozenset({1})))
    True
    """
    if can(reader, "story.publish") or can(reader, "story.edit", story_row["pilot_id"]):
        return True
    if story_row["status"] != "published":
        return False
    if story_row["visibility"] == "public":
        return True
    return story_row["visibility"] == "consortium" and reader is not None


def _lessons_of(db: Database, story_id: int) -> pd.DataFrame:
    return frame(
        db,
        """SELECT l.id, l.key, l.title, l.kind, l.status FROM story_lessons sl JOIN lessons l ON l.id = sl.lesson_id
           WHERE sl.story_id = ? ORDER BY sl.position, l.key""",
        [story_id],
    )


def story(db: Database, story_id: int, reader: Actor | None) -> dict | None:
    """Return a story with its lessons and image names, or None when there is none ``reader`` may read.

    Keys: the columns of ``stories`` plus ``pilot`` (slug), ``pilot_name``, ``lessons`` (frame: id, key, title,
    kind, status) and ``images`` (frame: filename, alt, media_type, width, height; the bytes come from
    :func:`story_images`).
    """
    row = one_row(db, f"{_STORY} WHERE s.id = ?", [int(story_id)])
    if row is None or not readable(row, reader):
        return None
    row["lessons"] = _lessons_of(db, row["id"])
    row["images"] = frame(
        db,
        "SELECT filename, alt, media_type, width, height FROM story_images WHERE story_id = ? ORDER BY id",
        [row["id"]],
    )
    return row


def story_images(db: Database, story_id: int) -> dict[str, dict]:
    """Return the images of a story by name: ``{filename: {"alt", "media_type", "data"}}`` (check who reads first)."""
    return {
        name: {"alt": alt, "media_type": kind, "data": data}
        for name, alt, kind, data in db.execute(
            "SELECT filename, alt, media_type, data FROM story_images WHERE story_id = ? ORDER BY id", [int(story_id)]
        )
    }


def stories_for(db: Database, reader: Actor | None) -> pd.DataFrame:
    """List the published stories ``reader`` may read, newest first (id, pilot, pilot_name, title, lead, ...).

    >>> from lessons.store import open_memory_store
    >>> len(stories_for(open_memory_store(), None))
    0
    """
    found = frame(db, f"{_STORY} WHERE s.status = 'published' ORDER BY s.published_at DESC, s.id DESC")
    keep = [readable(row, reader) for row in found.to_dict("records")]
    return found[keep].drop(columns=["body"]).reset_index(drop=True) if len(found) else found.drop(columns=["body"])


def editable_stories(db: Database, actor: Actor | None) -> pd.DataFrame:
    """List every story ``actor`` may write (their pilots' stories; an administrator's: all), any status."""
    found = frame(db, f"{_STORY} ORDER BY p.name, s.id")
    keep = [can(actor, "story.edit", pid) for pid in found["pilot_id"]] if len(found) else []
    return found[keep].reset_index(drop=True) if len(found) else found


def published_public_story(db: Database, pilot: str) -> dict | None:
    """Return a pilot's newest published public story for its brief, with its lessons and images, or None.

    Briefs are public outputs (the same for every reader), so only a public story goes into one.
    """
    row = one_row(
        db,
        f"""{_STORY} WHERE p.slug = ? AND s.status = 'published' AND s.visibility = 'public'
            ORDER BY s.published_at DESC, s.id DESC""",
        [pilot],
    )
    if row is None:
        return None
    row["lessons"] = _lessons_of(db, row["id"])
    row["images"] = story_images(db, row["id"])
    return row


def writable_pilots(db: Database, actor: Actor | None) -> pd.DataFrame:
    """List the pilots ``actor`` may write stories for (slug, name), by name."""
    found = frame(db, "SELECT id, slug, name FROM pilots ORDER BY name")
    keep = [can(actor, "story.edit", pid) for pid in found["id"]]
    return found[keep][["slug", "name"]].reset_index(drop=True)


def pilot_lessons(db: Database, pilot: str) -> pd.DataFrame:
    """List a pilot's lessons (key, title) by key, for choosing the ones a story rests on."""
    return frame(
        db,
        "SELECT l.key, l.title FROM lessons l JOIN pilots p ON p.id = l.pilot_id WHERE p.slug = ? ORDER BY l.key",
        [pilot],
    )


# --- writing ------------------------------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


#: Each text of a story, as a refusal names it when it is too long (``{n}`` characters, ``{limit}`` at most).
TOO_LONG = {
    "title": N_("The title is {n} characters long: keep it under {limit}."),
    "lead": N_("The lead sentence is {n} characters long: keep it under {limit}."),
    "body": N_("The text is {n} characters long: keep it under {limit}."),
    "reuse": N_("The “what others can reuse” box is {n} characters long: keep it under {limit}."),
    "alt": N_("The image description (alt text) is {n} characters long: keep it under {limit}."),
}


def _text(value, field: str, limit: int, *, multiline: bool = True, required: bool = False) -> str:
    text = clean_text(value, multiline=multiline).strip()
    if required and not text:
        raise StoryError(_("Write the story's title."))
    if len(text) > limit:
        raise StoryError(_(TOO_LONG[field]).format(n=number(len(text)), limit=number(limit)))
    return text


def _existing(db: Database, story_id: int) -> dict:
    row = one_row(db, "SELECT * FROM stories WHERE id = ?", [int(story_id)])
    if row is None:
        raise StoryError(_("There is no story {id}.").format(id=story_id))
    return row


def save_story(
    db: Database,
    actor: Actor | None,
    *,
    pilot: str,
    title: str,
    lead: str = "",
    body: str = "",
    reuse: str = "",
    lesson_keys=(),
    visibility: str = "consortium",
    story_id: int | None = None,
) -> int:
    """Write a new story of ``pilot`` (slug), or update story ``story_id``; return its id.

    Lessons are given by their keys in the same pilot (``L01``…), each checked. Editing a published story takes it
    back to a draft unless an administrator edits it (an administrator publishes it again).

    >>> from lessons.store import open_memory_store
    >>> from lessons.permissions import cli_actor
    >>> db = open_memory_store()
    >>> _ = db["pilots"].insert({"id": 1, "slug": "oulu", "name": "Oulu", "country": "FI"})
    >>> save_story(db, cli_actor(), pilot="oulu", title="How we met", lesson_keys=["L9"])
    Traceback (most recent call last):
    ...
    lessons.stories.StoryError: Oulu has no lesson L9: name lessons by their keys in this pilot, e.g. L01.
    """
    found = one_row(db, "SELECT id, name FROM pilots WHERE slug = ?", [pilot])
    if found is None:
        raise StoryError(_("There is no pilot “{pilot}”.").format(pilot=pilot))
    authorize(actor, "story.edit", found["id"])
    if visibility not in VISIBILITIES:
        raise StoryError(
            _("Visibility is public, consortium or private, not “{visibility}”.").format(visibility=visibility)
        )
    fields = {
        "title": _text(title, "title", MAX_TITLE, multiline=False, required=True),
        "lead": _text(lead, "lead", MAX_LEAD, multiline=False) or None,
        "body": _text(body, "body", MAX_BODY) or None,
        "reuse": _text(reuse, "reuse", MAX_REUSE) or None,
        "visibility": visibility,
    }
    keys = list(dict.fromkeys(k.strip().upper() for k in lesson_keys if k and k.strip()))
    ids = []
    for key in keys:
        lesson = one_row(db, "SELECT id FROM lessons WHERE pilot_id = ? AND upper(key) = ?", [found["id"], key])
        if lesson is None:
            raise StoryError(
                _("{pilot} has no lesson {key}: name lessons by their keys in this pilot, e.g. L01.").format(
                    pilot=found["name"], key=key
                )
            )
        ids.append(lesson["id"])
    with db.atomic():
        if story_id is None:
            story_id = db.execute(
                """INSERT INTO stories (pilot_id, title, lead, body, reuse, visibility, created_by)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [found["id"], *fields.values(), actor.username],
            ).lastrowid
            action = "story.create"
        else:
            before = _existing(db, story_id)
            if before["pilot_id"] != found["id"]:
                raise StoryError(_("A story stays with its pilot: write a new story for another pilot."))
            status = before["status"]
            if status == "published" and actor.role != "admin":
                status = "draft"
            db.execute(
                """UPDATE stories SET title = ?, lead = ?, body = ?, reuse = ?, visibility = ?, status = ?,
                          updated_at = ? WHERE id = ?""",
                [*fields.values(), status, _now(), int(story_id)],
            )
            db.execute("DELETE FROM story_lessons WHERE story_id = ?", [int(story_id)])
            action = "story.edit"
        for position, lesson_id in enumerate(ids):
            db.execute(
                "INSERT INTO story_lessons (story_id, lesson_id, position) VALUES (?, ?, ?)",
                [story_id, lesson_id, position],
            )
        record(db, actor, action, object_type="story", object_id=story_id, rows=1, detail={"pilot": pilot})
    return int(story_id)


def _authorize_story(db: Database, actor: Actor | None, story_id: int, action: str = "story.edit") -> dict:
    row = one_row(db, "SELECT * FROM stories WHERE id = ?", [int(story_id)])
    if row is None:
        authorize(actor, action, None if action == "story.publish" else -1)
        raise StoryError(_("There is no story {id}.").format(id=story_id))
    authorize(actor, action, row["pilot_id"])
    return row


def submit_story(db: Database, actor: Actor | None, story_id: int) -> None:
    """Submit a draft for an administrator to publish; every image its text shows must be uploaded first."""
    row = _authorize_story(db, actor, story_id)
    if row["status"] != "draft":
        raise StoryError(
            _("The story is submitted already.")
            if row["status"] == "submitted"
            else _("The story is published already.")
        )
    if not row["lead"]:
        raise StoryError(_("Write the lead sentence before submitting the story."))
    have = {r[0] for r in db.execute("SELECT filename FROM story_images WHERE story_id = ?", [row["id"]])}
    missing = [n for n in _referenced(row["body"] or "") if n not in have]
    if missing:
        raise StoryError(
            _("The text shows {images}, not uploaded yet: upload it or remove the line.").format(
                images=", ".join(missing)
            )
        )
    with db.atomic():
        db.execute("UPDATE stories SET status = 'submitted', submitted_at = ? WHERE id = ?", [_now(), row["id"]])
        record(db, actor, "story.submit", object_type="story", object_id=row["id"], rows=1)


def publish_story(db: Database, actor: Actor | None, story_id: int, publish: bool = True) -> None:
    """Publish a submitted story, or take a published one down (back to submitted); administrators only, audited."""
    row = _authorize_story(db, actor, story_id, "story.publish")
    if publish and row["status"] != "submitted":
        raise StoryError(_("Only a submitted story is published: its coordinator submits it first."))
    if not publish and row["status"] != "published":
        raise StoryError(_("The story is not published."))
    with db.atomic():
        if publish:
            db.execute(
                "UPDATE stories SET status = 'published', published_at = ?, published_by = ? WHERE id = ?",
                [_now(), actor.username, row["id"]],
            )
        else:
            db.execute(
                "UPDATE stories SET status = 'submitted', published_at = NULL, published_by = NULL WHERE id = ?",
                [row["id"]],
            )
        record(
            db, actor, "story.publish" if publish else "story.unpublish", object_type="story",
            object_id=row["id"], rows=1, detail={"title": row["title"], "visibility": row["visibility"]},
        )  # fmt: skip


def add_image(db: Database, actor: Actor | None, story_id: int, filename: str, data: bytes, alt: str) -> str:
    """Upload an image with a story (replacing one of the same name); return the name its text refers to it by."""
    row = _authorize_story(db, actor, story_id)
    alt = _text(alt, "alt", MAX_ALT, multiline=False)
    if not alt:
        raise StoryError(_("Describe the image in a sentence (its alt text) for readers who cannot see it."))
    payload, kind, width, height = check_image(data, filename)
    name = image_name(filename)
    if kind == "image/jpeg" and not name.endswith((".jpg", ".jpeg")):
        name = re.sub(r"\.[a-z0-9]+$", "", name) + ".jpg"
    elif kind == "image/png" and not name.endswith(".png"):
        name = re.sub(r"\.[a-z0-9]+$", "", name) + ".png"
    with db.atomic():
        db.execute("DELETE FROM story_images WHERE story_id = ? AND filename = ?", [row["id"], name])
        db.execute(
            """INSERT INTO story_images (story_id, filename, media_type, alt, width, height, data)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [row["id"], name, kind, alt, width, height, payload],
        )
        record(db, actor, "story.image", object_type="story", object_id=row["id"], rows=1, detail={"image": name})
    return name


def remove_image(db: Database, actor: Actor | None, story_id: int, filename: str) -> None:
    """Remove an image from a story."""
    row = _authorize_story(db, actor, story_id)
    with db.atomic():
        gone = db.execute(
            "DELETE FROM story_images WHERE story_id = ? AND filename = ?", [row["id"], image_name(filename)]
        ).rowcount
        if not gone:
            raise StoryError(_("The story has no image {name}.").format(name=image_name(filename)))
        record(
            db, actor, "story.image.remove", object_type="story", object_id=row["id"], rows=1,
            detail={"image": image_name(filename)},
        )  # fmt: skip
