"""Story images in the portable bundle (#20): a public story's images travel as files of the ZIP with their alt text
in the data and the SQLite copy; the anonymous bundle leaves out those of stories a visitor may not read."""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile

import pytest
from PIL import Image

from lessons import stories, visibility
from lessons.bundle import BundleError, build_bundle, data_package_zip, image_member, import_bundle
from lessons.permissions import Actor, cli_actor
from lessons.store import open_memory_store

ADMIN = Actor("ada", "admin")


def png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), colour).save(out, "PNG")
    return out.getvalue()


def published(db, title: str, visibility_level: str, image: str, alt: str, *, publish=True) -> int:
    story_id = stories.save_story(
        db, ADMIN, pilot="oulu", title=title, lead="A lead.", body=f"Text.\n[image: {image}]",
        visibility=visibility_level,
    )  # fmt: skip
    stories.add_image(db, ADMIN, story_id, image, png((200, 40, 40)), alt)
    if publish:
        stories.submit_story(db, ADMIN, story_id)
        stories.publish_story(db, ADMIN, story_id)
    return story_id


def story_rows(archive: zipfile.ZipFile) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read("data/story_images.csv").decode("utf-8"))))


def db_rows(archive: zipfile.ZipFile, tmp_path) -> list[tuple]:
    path = tmp_path / "lessons.db"
    path.write_bytes(archive.read("lessons.db"))
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT story_id, filename, alt, length(data) FROM story_images ORDER BY id").fetchall()


def test_a_public_storys_image_is_in_the_anonymous_bundle_and_a_consortium_storys_is_not(db, tmp_path):
    db["pilots"].insert({"id": 1, "slug": "oulu", "name": "Oulu", "country": "FI", "visibility": "public"})
    public = published(db, "Open desk", "public", "desk.png", "The open desk in the town hall")
    members = published(db, "Members only", "consortium", "secret.png", "A partners' meeting")
    draft = published(db, "Not yet", "public", "draft.png", "A draft's picture", publish=False)

    with visibility.scope(db, visibility.PUBLIC) as scoped:
        payload = build_bundle(scoped)
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        images = [n for n in archive.namelist() if n.startswith("images/")]
        assert images == [image_member(public, "desk.png")]
        assert Image.open(io.BytesIO(archive.read(images[0]))).size == (30, 20)
        rows = story_rows(archive)
        assert [(r["story_id"], r["filename"], r["alt"]) for r in rows] == [
            (str(public), "desk.png", "The open desk in the town hall")
        ]
        assert "data" not in rows[0]  # the bytes are the file, not a cell
        assert [r[:3] for r in db_rows(archive, tmp_path)] == [(public, "desk.png", "The open desk in the town hall")]
        assert b"images/story-" in archive.read("README.txt")

    everything = build_bundle(db)  # an administrator's bundle: every story, drafts included
    with zipfile.ZipFile(io.BytesIO(everything)) as archive:
        assert sorted(n for n in archive.namelist() if n.startswith("images/")) == sorted(
            image_member(i, name) for i, name in ((public, "desk.png"), (members, "secret.png"), (draft, "draft.png"))
        )


def test_story_images_read_back_from_the_bundle_and_a_missing_file_is_named(db):
    db["pilots"].insert({"id": 1, "slug": "oulu", "name": "Oulu", "country": "FI", "visibility": "public"})
    public = published(db, "Open desk", "public", "desk.png", "The open desk")
    with visibility.scope(db, visibility.PUBLIC) as scoped:
        payload = data_package_zip(scoped)
    target = open_memory_store()
    import_bundle(target, cli_actor(), payload)
    assert (
        target.execute("SELECT story_id, filename, alt, data FROM story_images").fetchall()
        == db.execute("SELECT story_id, filename, alt, data FROM story_images").fetchall()
    )
    stripped = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(payload)) as source, zipfile.ZipFile(stripped, "w") as copy:
        for item in source.infolist():
            if not item.filename.startswith("images/"):
                copy.writestr(item, source.read(item))
    with pytest.raises(BundleError) as refused:
        import_bundle(open_memory_store(), cli_actor(), stripped.getvalue())
    assert f"The bundle has no {image_member(public, 'desk.png')}" in str(refused.value.problems)
