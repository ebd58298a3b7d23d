"""The catalogue of methods and tools, and the lessons and pilots that used them (#20).

Rooms: :mod:`~lessons.catalogue.records` (what an import carries), :mod:`~lessons.catalogue.plaintext` (HTML to
plain text), :mod:`~lessons.catalogue.interlink` (INTERLINK's published catalogue), :mod:`~lessons.catalogue.sheet`
(a spreadsheet of entries), :mod:`~lessons.catalogue.writing` (one transaction, audited), :mod:`~lessons.catalogue.links`
(lessons and pilots linked to entries) and :mod:`~lessons.catalogue.reads` (lists, an entry in full, facets).
"""
