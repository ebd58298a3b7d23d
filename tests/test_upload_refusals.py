"""AppTest: a damaged file on the upload page gives a plain refusal (st.error naming the file and the cause), never
a traceback, and writes nothing."""

from __future__ import annotations

import struct

import pytest

from components import upload_views
from lessons.ingest.template import build_template
from lessons.store import connect, open_memory_store, table_counts

SUBMIT = "FormSubmitter:auth_form-Sign in"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def corrupt_xlsx() -> bytes:
    """The template with its first ZIP directory entry claiming "zip file version 25.5" (one of the fuzz crashes)."""
    data = bytearray(build_template(open_memory_store()))
    entry = data.index(b"PK\x01\x02")
    data[entry + 6 : entry + 8] = struct.pack("<H", 255)
    return bytes(data)


@pytest.fixture
def coordinator(demo_db_path, app_on):
    at = app_on(demo_db_path).run()
    at.text_input(key="auth_username").set_value("coordinator")
    at.text_input(key="auth_password").set_value("demo-coordinator-pass")
    at.button(key=SUBMIT).click().run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    return at


def counts(path) -> dict:
    with connect(path, readonly=True) as db:
        return table_counts(db)


def test_a_corrupt_workbook_is_refused_in_plain_words(coordinator, demo_db_path):
    before = counts(demo_db_path)
    coordinator.get("file_uploader")[0].set_value(("summary.xlsx", corrupt_xlsx(), XLSX))
    coordinator.run()
    assert not coordinator.exception
    message = coordinator.error[0].value.replace("\\", "").replace("\u2060", "")  # as shown: safe()'s escapes gone
    assert "summary.xlsx" in message and "zip file version 25.5" in message and "save it again" in message
    assert "Traceback" not in message and "NotImplementedError" not in message
    assert "upload_commit" not in [b.key for b in coordinator.button]
    assert counts(demo_db_path) == before


def test_whatever_the_reader_raises_the_page_shows_a_message(coordinator, demo_db_path, monkeypatch):
    """The page's own guard: even a reader bug the fuzz has not found becomes a message, not a traceback."""

    def broken(files):
        raise ValueError("negative seek value -4")

    monkeypatch.setattr(upload_views, "read_files", broken)
    before = counts(demo_db_path)
    coordinator.get("file_uploader")[0].set_value(("summary.xlsx", b"PK\x03\x04 broken", XLSX))
    coordinator.run()
    assert not coordinator.exception
    message = coordinator.error[0].value
    assert message.startswith("Nothing was written: summary.xlsx could not be read")
    assert "negative seek" not in message
    assert counts(demo_db_path) == before
