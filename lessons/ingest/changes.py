"""The preview (what an upload will change), the commit (one transaction, row history) and undo, in one place.

The work is done in :mod:`lessons.ingest.preview` (:func:`plan_upload`), :mod:`lessons.ingest.commit`
(:func:`commit`) and :mod:`lessons.ingest.undo` (:func:`undo_upload`, :func:`list_uploads`,
:func:`pilot_content_hash`), on the row images of :mod:`lessons.ingest.images`; this module gathers their names
so that ``from lessons.ingest.changes import commit, undo_upload`` keeps working.

Rows are matched by stable keys: lessons and stakeholders by (pilot, key), ties by (pilot, source key, target key,
relation, period). A sheet in the upload can replace that sheet's rows for its pilot: rows the file no longer
has are removed only when asked (``remove_missing``), and never when rows were set aside as invalid. Every change is stored with its
before and after image in ``upload_changes``, so an upload can be undone exactly.
"""

from __future__ import annotations

from lessons.ingest.commit import TEST_PAUSE_ENV, commit
from lessons.ingest.plan import COMPARED, DEFAULTS, PILOT_TABLES, Change, Plan
from lessons.ingest.preview import plan_upload
from lessons.ingest.undo import UndoError, list_uploads, pilot_content_hash, undo_upload

__all__ = [
    "COMPARED",
    "DEFAULTS",
    "PILOT_TABLES",
    "TEST_PAUSE_ENV",
    "Change",
    "Plan",
    "UndoError",
    "commit",
    "list_uploads",
    "pilot_content_hash",
    "plan_upload",
    "undo_upload",
]
