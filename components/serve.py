"""Start the app: ``python -m components.serve [streamlit run options]`` (what ``make run`` does).

Streamlit treats an app that has a ``pages/`` folder as a legacy multipage app until ``st.navigation`` has run once
in the process. So the first visitor after a start who arrives by a deep link (a shared lesson link, a workshop join
link) would get a "Page not found" dialog. This app always routes with ``st.navigation`` in ``app.py``, so the
launcher switches the legacy mode off before the server starts. Plain ``streamlit run app.py`` works too, with
that one first-visit glitch.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main

APP = Path(__file__).resolve().parent.parent / "app.py"

if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    sys.exit(main())
