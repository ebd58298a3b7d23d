"""Policy briefs and the roadmap to co-creation, every claim with the records and votes it rests on.

What the store says about a theme, a pilot or a governance model, and the validated lessons ordered by co-creation
phase.

A :class:`Report` is plain content (sections of paragraphs, lists, tables and charts given as Vega-Lite
specifications with the table behind them); :mod:`lessons.report.render` turns it into HTML and PDF. Citations:

* a lesson is cited as ``L<id> (<pilot name>)`` — the id is ``lessons.id``, the same number the Lessons page opens
  with ``?lesson=<id>``; every cited lesson is listed under *Sources* with its pilot, key, title, kind and status;
* a vote count is cited with its workshop: ``workshop HVR3QT, round 2: 38 agree, 1 disagree, 5 pass (n = 44)``,
  with the share agreeing and its 95% Wilson interval; every cited workshop is listed under *Sources*.

Every brief and the roadmap is written in a language (``language="fi"``; English by default): its sentences are
messages of the ``domain`` catalogue (:mod:`lessons.i18n`), its numbers and dates are written for the language, and
its files are rendered in it (the page's ``lang``, the PDF's fonts print Greek and Latvian letters). The files the
Exports page prepares in the background stay English; a reader in another language gets theirs made on click.

UI-free and read-only, apart from the stored analyses it reuses (lesson similarity, network metrics), which are
computed and kept on first need exactly as the pages do.

The package, read in the order the imports flow (no module imports one below it):

``document``
    :class:`Report`, :class:`Section`, :class:`Block` and :class:`ReportError`: what a report is made of.
``citations``
    reading the store, citing lessons and votes, collecting the *Sources*; wording helpers.
``sections``
    the sections the briefs share (what recurs, validation, stakeholders, network) and the by-kind counts.
``briefs``
    :func:`theme_brief`, :func:`pilot_brief`, :func:`model_brief`, :func:`brief` and :func:`subjects`.
``roadmaps``
    :func:`roadmap`.
``render``
    a report as one self-contained HTML page and an A4 PDF (:func:`lessons.report.render.render`).
``bundled``
    :func:`bundle_briefs` and :func:`iter_bundle_briefs`: the rendered briefs a data bundle carries.
"""

from lessons.report.briefs import SUBJECTS, brief, model_brief, pilot_brief, subjects, theme_brief
from lessons.report.bundled import bundle_briefs, iter_bundle_briefs
from lessons.report.citations import MAX_CITED, statement_results, vote_citation
from lessons.report.document import Block, Report, ReportError, Section
from lessons.report.roadmaps import ROADMAP_STEPS, roadmap
from lessons.report.sections import GROUP_THRESHOLD, LIST_LIMIT, MAX_BARS, VOTES_LISTED

__all__ = [
    "GROUP_THRESHOLD",
    "LIST_LIMIT",
    "MAX_BARS",
    "MAX_CITED",
    "ROADMAP_STEPS",
    "SUBJECTS",
    "VOTES_LISTED",
    "Block",
    "Report",
    "ReportError",
    "Section",
    "brief",
    "bundle_briefs",
    "iter_bundle_briefs",
    "model_brief",
    "pilot_brief",
    "roadmap",
    "statement_results",
    "subjects",
    "theme_brief",
    "vote_citation",
]
