"""Every other page's tables in plain words too (#19): the scan of tests/plain_words.py on each page of the menu, as
an administrator (who sees every table: uploads, pilot data, vocabularies, users and the audit log)."""

from __future__ import annotations

import pytest

from tests.plain_words import unplain
from tests.test_pages import REGISTERED

#: Pages tests/test_plain_words.py scans view by view, with workshops built for them.
SCANNED_THERE = {"pages/workshops.py", "pages/workshop_report.py", "pages/recurs.py"}


@pytest.mark.parametrize("page", sorted(set(REGISTERED) - SCANNED_THERE))
def test_every_table_on_the_page_speaks_plain_words(demo_db_path, app_on, page):
    at = app_on(demo_db_path, timeout=60).run()
    at.text_input(key="auth_username").set_value("admin")
    at.text_input(key="auth_password").set_value("demo-admin-pass")
    next(b for b in at.button if b.label == "Sign in").click().run()
    at.switch_page(page).run()
    assert not at.exception, page
    assert unplain(at) == [], page
