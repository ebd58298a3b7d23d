"""The portable bundle: the whole shared data set in forms other tools open, and its import into an empty store.

One ZIP (:func:`build_bundle`) holds

``lessons.db``
    the SQLite store, sanitised (:func:`export_sqlite`); opens in Datasette with ``metadata.json``
    (:func:`datasette_metadata`), full-text search of lessons included.
``datapackage.json`` and ``data/<table>.csv``
    a Frictionless Data Package (:func:`data_package`), one CSV per shared table with a Table Schema built from
    the store's own schema (types, primary and foreign keys, required values, allowed values) and the descriptions
    of ``data/DICTIONARY.md``; ``frictionless validate datapackage.json`` passes on it.
``images/story-<id>/<file>``
    the images of the stories shared (PNG or JPEG, as stored: re-encoded without metadata on upload); their rows,
    with the alt text, are ``data/story_images.csv`` and in ``lessons.db``.
``networks/<pilot>.graphml`` and ``.gexf``
    each pilot's stakeholder network (:func:`network_files`), for networkx, igraph and Gephi.
``briefs/``
    whatever reports the caller passes (the policy briefs and roadmaps).
``README.txt``
    what each part is and which tool opens it.

:func:`write_bundle` streams the ZIP into a file (tables row by row, the database copy in blocks, one pilot's
network and one brief at a time), so its memory does not grow with the store; :func:`build_bundle` returns the
same bytes for small stores.

:func:`import_bundle` reads a bundle back into an empty store from the data package alone (not from ``lessons.db``),
which proves the package is complete: the round trip reproduces every shared table's rows.

What is shared, and what is left out
------------------------------------
The bundle is made to be published, so it never holds a secret or an account. Table by table:

* **Shared** (rows in ``lessons.db`` and a CSV each): the vocabularies ``sectors``, ``phases``, ``methodologies``,
  ``methodology_steps`` and ``themes``; ``pilots``, ``lessons``, ``lesson_themes``, ``lesson_groups``;
  ``organisations``, ``stakeholders``, ``lesson_stakeholders``, ``ties``; ``governance_models``,
  ``model_elements``, ``lesson_elements``; ``workshops``, ``statements``, ``participants``, ``votes``; ``uploads``
  (the provenance of lessons, stakeholders and ties through ``upload_id``).
* **Shared with columns emptied**: who did what is account data, so ``uploads.user_id``, ``uploads.username``,
  ``uploads.undone_by`` and ``workshops.created_by`` are left empty (NULL), as if every account had been removed
  (which is what the schema's ``ON DELETE SET NULL`` does). The columns stay, so the tables keep their shape.
  ``workshops.purpose`` is written for the facilitator only and is left empty too.
* **Participants and votes under the privacy rule** (:mod:`lessons.privacy`): every combination of published
  columns holds at least 5 participants — a declared stakeholder group, pilot or country held by fewer than 5
  people of a workshop is emptied, times are rounded to the day (a shared ISO 8601 day range where a day would
  single someone out), and a workshop of 1 to 4 participants has no participant or vote rows. Every part of the
  bundle, and the data package alone, is made from one such published snapshot (:func:`published_snapshot`).
* **Participants' tokens**: a token lets whoever holds it vote as that participant. The CSV has no ``token``
  column; in ``lessons.db`` (where the column is ``NOT NULL UNIQUE``) each token is replaced by a fresh random
  value linked to nothing. An import gives every participant a new random token.
* **Withheld rows**: statements participants suggested that a facilitator has not approved (pending or rejected)
  are not shared — nobody vetted their text, and no vote can be cast on them.
* **Left out** (no CSV; emptied in ``lessons.db``): ``users`` (password hashes, e-mail addresses, sign-in times),
  ``user_pilots`` (who may change what), ``audit_log`` (every write and sign-in, with account ids and names) and
  ``upload_changes`` (row images before and after each upload, kept so uploads can be undone: they can hold text
  a coordinator has since removed or corrected on purpose, and the data set is the current state) and
  ``deleted_pilots`` (every row of a deleted pilot, kept so an administrator can undo the deletion).
* **Derived, not in the data package**: ``analysis_results`` (emptied in ``lessons.db``: recomputed on first
  view), the full-text indexes ``lessons_fts*`` and ``lessons_words*`` (kept in ``lessons.db`` so Datasette and
  the app can search; rebuilt by triggers on import), ``data_versions`` and ``_sqlite_migrations`` (kept in
  ``lessons.db`` so the app can open it).

``lessons.db`` is vacuumed after the deletions, so nothing removed survives in free pages of the file.

Formulas in the CSV files
-------------------------
Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one)
as a formula, and ``=HYPERLINK(...)`` in a lesson is a live link once the CSV is opened by a double click. The
other spreadsheet files of the app put a ``'`` before such text (:func:`lessons.exports.neutralise`) and lose
the exact value; the data package must keep it, since :func:`import_bundle` reads the package back and the round
trip reproduces every value. So the escape is reversible (:func:`escape_text`, :func:`unescape_text`):

* a **text** cell that starts with one of ``= + - @``, a tab, a carriage return **or** ``'`` gets one extra ``'``
  in front (``=HYPERLINK("x")`` is written ``'=HYPERLINK("x")``, ``'quoted`` is written ``''quoted``);
* reading, one leading ``'`` is removed from a text cell whose rest starts with one of those characters, which
  gives back exactly the stored value (a cell ``'plain`` stays ``'plain``: the export never writes that for
  anything else).

Numbers, booleans and dates are written as they are (a weight of ``-1`` stays a number). The package's
description says so; every text field where the export escaped a cell says it in its description, and so does
its resource; ``README.txt`` tells spreadsheet users.

Other choices
-------------
* Missing values are empty cells (``missingValues: [""]``); an empty text and a missing one are therefore the same
  in the package (the store keeps neither distinction in practice: uploads store missing text as NULL).
* Booleans are ``1``/``0`` as in the store; numbers are written with Python's ``repr`` so they read back exactly;
  a column is typed ``date`` or ``datetime`` when its name says so (``*_date``, ``recorded_on``, ``*_at``) and
  every value in it is an ISO 8601 date or date-time, otherwise ``string``.
* No licence is declared: the data belong to the consortium, which chooses one (add it to ``LICENSES``).

The package's rooms:

* :mod:`~lessons.bundle.tables`: what is shared, left out, emptied or withheld; each table's schema.
* :mod:`~lessons.bundle.datapackage`: ``data/<table>.csv`` and ``datapackage.json``; the formula escape.
* :mod:`~lessons.bundle.sqlite`: the published snapshot, ``lessons.db`` and its Datasette ``metadata.json``.
* :mod:`~lessons.bundle.archive`: the ZIP (bundle or data package alone), network files and ``README.txt``.
* :mod:`~lessons.bundle.importing`: :func:`import_bundle`, reading the data package back into an empty store.
"""

from lessons.bundle.archive import (
    Briefs,
    build_bundle,
    data_package_zip,
    network_files,
    network_members,
    readme,
    write_bundle,
    write_data_package_zip,
)
from lessons.bundle.datapackage import (
    CSV_LEVEL,
    DB_LEVEL,
    ESCAPE_NOTE,
    FORMULA_START,
    data_package,
    escape_text,
    table_csv,
    unescape_text,
    write_table_csv,
)
from lessons.bundle.importing import MAX_BUNDLE_BYTES, MAX_PROBLEMS, BundleError, import_bundle, read_data_package
from lessons.bundle.sqlite import datasette_metadata, export_sqlite, published_snapshot, write_sqlite
from lessons.bundle.tables import (
    BLANKED,
    DATABASE_NAME,
    DICTIONARY,
    IMAGES,
    INTERNAL,
    LEFT_OUT,
    LICENSES,
    OMITTED,
    PACKAGE_NAME,
    SHARED,
    TITLE,
    VOCABULARIES,
    WITHHELD,
    dictionary,
    image_member,
    shared_tables,
    table_rows,
    table_schema,
)

__all__ = [
    "BLANKED",
    "Briefs",
    "BundleError",
    "CSV_LEVEL",
    "DATABASE_NAME",
    "DB_LEVEL",
    "DICTIONARY",
    "IMAGES",
    "ESCAPE_NOTE",
    "FORMULA_START",
    "INTERNAL",
    "LEFT_OUT",
    "LICENSES",
    "MAX_BUNDLE_BYTES",
    "MAX_PROBLEMS",
    "OMITTED",
    "PACKAGE_NAME",
    "SHARED",
    "TITLE",
    "VOCABULARIES",
    "WITHHELD",
    "build_bundle",
    "data_package",
    "data_package_zip",
    "datasette_metadata",
    "dictionary",
    "image_member",
    "escape_text",
    "export_sqlite",
    "import_bundle",
    "network_files",
    "network_members",
    "published_snapshot",
    "read_data_package",
    "readme",
    "shared_tables",
    "table_csv",
    "table_rows",
    "table_schema",
    "unescape_text",
    "write_bundle",
    "write_data_package_zip",
    "write_sqlite",
    "write_table_csv",
]
