"""Where the shared real data sets are: ``../shared/realdata`` beside the checkout (never an absolute path).

Tests that need them are marked ``needs_realdata`` and skip where the folder is absent (CI on a machine without
``shared/``); the test summary then says how many were skipped and why (``tests/conftest.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
MISSING = f"the shared real-data folder is not beside this checkout ({REALDATA})"
needs_realdata = pytest.mark.skipif(not REALDATA.is_dir(), reason=MISSING)
