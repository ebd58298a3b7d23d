"""Start the app: ``python -m components.serve [streamlit run options]`` (what ``make run`` does).

Streamlit treats an app that has a ``pages/`` folder as a legacy multipage app until ``st.navigation`` has run once
in the process. So the first visitor after a start who arrives by a deep link (a shared lesson link, a workshop join
link) would get a "Page not found" dialog. This app always routes with ``st.navigation`` in ``app.py``, so the
launcher switches the legacy mode off before the server starts. Plain ``streamlit run app.py`` works too, with
that one first-visit glitch.

The first run of ``app.py`` imports the app (pandas, Altair, the store's modules: about a second). The launcher
starts those imports in a thread once Streamlit's server is up, while the first browser is still loading
Streamlit's page, so the first run finds them done (issue #18: process start to rendered Overview); the thread
imports them in the order ``app.py`` does, which the script waits for if it gets there first. Streamlit also checks,
on the first element it sends, whether it runs under ``streamlit run`` (to print a warning otherwise), by reading
the source of every frame of the call stack; under this launcher it always does, so that check is marked done.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from streamlit import delta_generator
from streamlit.runtime import Runtime
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.runtime import RuntimeState
from streamlit.web.cli import main

APP = Path(__file__).resolve().parent.parent / "app.py"


def warm() -> None:
    """Import what the first run of ``app.py`` and the Overview import, once Streamlit's server is up."""
    while not Runtime.exists() or Runtime.instance().state == RuntimeState.INITIAL:
        time.sleep(0.01)
    import streamlit.emojis  # noqa: F401 - the favicon's emoji is looked up in it

    # app.py's first import first (the script waits for a module this thread is importing), then the Overview's
    from components import auth, charts, loaders, vote_views, widgets  # noqa: F401


if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    delta_generator._use_warning_has_been_displayed = True  # this is `streamlit run`: no warning to print
    threading.Thread(target=warm, name="warm imports", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    sys.exit(main())
