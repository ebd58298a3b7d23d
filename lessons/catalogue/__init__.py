"""The catalogue of methods and tools, and the lessons and pilots that used them (#20).

Rooms: :mod:`~lessons.catalogue.records` (what an import carries), :mod:`~lessons.catalogue.plaintext` (HTML to
plain text), :mod:`~lessons.catalogue.interlink` (INTERLINK's published catalogue), :mod:`~lessons.catalogue.sheet`
(a spreadsheet of entries), :mod:`~lessons.catalogue.writing` (one transaction, audited), :mod:`~lessons.catalogue.links`
(lessons and pilots linked to entries) and :mod:`~lessons.catalogue.reads` (lists, an entry in full, facets).
"""

from lessons.catalogue.interlink import import_interlink, read_interlink
from lessons.catalogue.links import entry_id, link_lessons, link_pilots, resolve_lessons
from lessons.catalogue.plaintext import html_to_text
from lessons.catalogue.reads import (
    catalogue_options,
    entry_detail,
    entry_list,
    entry_texts,
    language_name,
    lesson_entries,
)
from lessons.catalogue.records import (
    EFFORTS,
    KIND_LABELS,
    KINDS,
    LICENCE_LABELS,
    CatalogueError,
    Entry,
    ProblemProfile,
)
from lessons.catalogue.sheet import COLUMNS, REQUIRED, import_sheet, read_sheet
from lessons.catalogue.writing import save_catalogue

__all__ = [
    "COLUMNS",
    "EFFORTS",
    "KINDS",
    "KIND_LABELS",
    "LICENCE_LABELS",
    "REQUIRED",
    "CatalogueError",
    "Entry",
    "ProblemProfile",
    "catalogue_options",
    "entry_detail",
    "entry_id",
    "entry_list",
    "entry_texts",
    "html_to_text",
    "import_interlink",
    "import_sheet",
    "language_name",
    "lesson_entries",
    "link_lessons",
    "link_pilots",
    "read_interlink",
    "read_sheet",
    "resolve_lessons",
    "save_catalogue",
]
