"""AppTest for this app, shared by the page tests and the page benchmark.

Streamlit 1.67's AppTest resets ``PagesManager.uses_pages_directory`` before every run, and because this project has a
``pages/`` folder, every rerun after the first then runs in the legacy pages-folder mode: only the page script runs
and ``app.py`` (router, sidebar, sign-in) is skipped. The app always uses ``st.navigation``, which switches that mode
off in a real server, so the harness switches it off too.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
_original_init = PagesManager.__init__


def _init_without_pages_folder(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False


PagesManager.__init__ = _init_without_pages_folder


def app_test(default_timeout: float = 30) -> AppTest:
    """An AppTest of ``app.py`` whose every run goes through the router, as in a real server."""
    return AppTest.from_file(APP, default_timeout=default_timeout)
