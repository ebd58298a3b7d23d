"""Read and check an affiliation list: one row per participation of an actor in an event (two-mode data).

Organisations × projects, people × events: the file is read like any upload (:func:`lessons.ingest.tables.read_files`:
encodings, size limits, XLSX or CSV), then two of its columns are taken as the actor and the event. Every problem is
collected with file, row, column and fix; nothing stops at the first. What is read is kept two-mode (actors, events,
participations) and projected onto the actors (:mod:`lessons.network.projection`) by
:mod:`lessons.ingest.twomode_commit`.

The actors become the stakeholders of one pilot's network: the pilot chosen (``--pilot``), or the pilot that stands
for the whole consortium (:data:`CONSORTIUM_SLUG`), whose actors are also the consortium's organisations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlite_utils import Database

from lessons.i18n import _, ngettext, number
from lessons.ingest import normalise as norm
from lessons.ingest.problems import Problem
from lessons.ingest.tables import Sheet, read_files
from lessons.network.projection import project_actors
from lessons.text import clean_text

__all__ = [
    "CONSORTIUM_NAME",
    "CONSORTIUM_SLUG",
    "RELATION",
    "AffiliationList",
    "TwoModeOptions",
    "parse_columns",
    "read_affiliations",
]

#: The pilot whose network is the whole consortium's organisation network (a two-mode import without a pilot).
CONSORTIUM_SLUG = "consortium"
CONSORTIUM_NAME = "Whole consortium"
#: The relation of a projected tie: the two actors took part in the same events (its weight: how many).
RELATION = "co-participation"
MAX_KEY = 200
SHOWN_ROWS = 5


@dataclass(frozen=True)
class TwoModeOptions:
    """How to read an affiliation list and where its projection goes.

    ``pilot`` None means the whole consortium (:data:`CONSORTIUM_SLUG`). ``mapping`` and ``defaults`` are those of
    an ordinary upload, sheet ``Stakeholders``: a column holding the actor's ``sector`` or ``name``, a default
    sector; ``values`` recodes the file's sector values (``{"Stakeholders": {"sector": {"HES": "research"}}}``).
    """

    actor_column: str
    event_column: str
    pilot: str | None = None
    country: str | None = None
    skip_invalid: bool = False
    mapping: tuple = ()  # ((field, column), ...) of sheet Stakeholders, hashable for the page's cache
    defaults: tuple = ()  # ((field, value), ...)
    values: tuple = ()  # ((file value, sector), ...)

    @property
    def slug(self) -> str:
        """Return the pilot that receives the projection."""
        return self.pilot or CONSORTIUM_SLUG

    @property
    def scope(self) -> str:
        """Return ``pilot`` or ``consortium``."""
        return "pilot" if self.pilot else "consortium"


@dataclass
class AffiliationList:
    """An affiliation list as read: distinct actors and events in order of first appearance, and who took part in what.

    ``participations`` has columns actor, event and row (the spreadsheet row it was first read from), one row per
    distinct pair; ``sectors`` maps each actor to its sector code (None: not classified); ``ties`` is the
    projection (source, target, weight).
    """

    file: str
    actor_column: str
    event_column: str
    actors: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    participations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["actor", "event", "row"]))
    sectors: dict[str, str | None] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    ties: pd.DataFrame | None = None
    problems: list[Problem] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that are errors."""
        return [p for p in self.problems if p.severity == "error"]

    def counts(self) -> dict[str, int]:
        """Count actors, events, participations and projected ties."""
        return {
            "actors": len(self.actors),
            "events": len(self.events),
            "participations": len(self.participations),
            "ties": 0 if self.ties is None else len(self.ties),
        }


def parse_columns(spec: str, columns: list[str] | None = None) -> tuple[str, str]:
    """Split ``ACTOR:EVENT`` into the two column names; with ``columns``, at the colon that names two of them.

    Raises ``ValueError`` (a plain message) when ``spec`` has no colon or an empty side.

    >>> parse_columns("pic:rcn")
    ('pic', 'rcn')
    >>> parse_columns("time: start:event", ["time: start", "event"])
    ('time: start', 'event')
    """
    cuts = [i for i, c in enumerate(spec) if c == ":"]
    if not cuts:
        raise ValueError(
            _("--two-mode {spec}: name two columns as ACTOR_COLUMN:EVENT_COLUMN, e.g. pic:rcn.").format(spec=repr(spec))
        )
    folded = {norm.fold(c) for c in columns or ()}
    chosen = cuts[0]
    for i in cuts:
        if norm.fold(spec[:i].strip()) in folded and norm.fold(spec[i + 1 :].strip()) in folded:
            chosen = i
            break
    actor, event = spec[:chosen].strip(), spec[chosen + 1 :].strip()
    if not actor or not event:
        raise ValueError(
            _("--two-mode {spec}: name two columns as ACTOR_COLUMN:EVENT_COLUMN, e.g. pic:rcn.").format(spec=repr(spec))
        )
    return actor, event


def _cell(value) -> str:
    """Return a cell as a key: text, whitespace trimmed, a whole number written without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value, multiline=False).strip()


def _column(sheet: Sheet, wanted: str) -> str | None:
    folded = {norm.fold(c): c for c in sheet.columns}
    return wanted if wanted in sheet.columns else folded.get(norm.fold(wanted))


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:SHOWN_ROWS])
    if len(rows) <= SHOWN_ROWS:
        return shown
    return _("{rows} and {n} more").format(rows=shown, n=number(len(rows) - SHOWN_ROWS))


def _sector_vocabulary(db: Database) -> norm.Vocabulary:
    rows = [dict(zip(("code", "name"), r)) for r in db.execute("SELECT code, name FROM sectors")]
    return norm.sectors_vocabulary(rows)


def read_affiliations(db: Database, files: list[tuple[str, bytes]], options: TwoModeOptions) -> AffiliationList:
    """Read the affiliation list in ``files``, check it and project it onto its actors; nothing is written.

    The first sheet holding both columns is read. Rows whose actor or event is empty (or too long) are errors, one
    problem per cause with its count and first rows; with ``skip_invalid`` they are left out with a warning instead.
    A pair repeated is counted once (a warning says where). Sectors come from the ``sector`` column of
    ``options.mapping`` (recoded by ``options.values``, then matched to the vocabulary) or ``options.defaults``;
    actors without one are *not classified*, with one warning that says how to set it.
    """
    upload = read_files(files, default_sheet="Affiliations")
    names = ", ".join(name for name, _ in files) or "upload"
    found = AffiliationList(names, options.actor_column, options.event_column, files=upload.files)
    found.problems += upload.problems
    if any(p.severity == "error" for p in upload.problems):
        return found
    sheet = next(
        (s for s in upload.sheets if _column(s, options.actor_column) and _column(s, options.event_column)), None
    )
    if sheet is None:
        seen = upload.sheets[0].columns if upload.sheets else []
        missing = [
            c for c in (options.actor_column, options.event_column) if not any(_column(s, c) for s in upload.sheets)
        ]
        found.problems.append(
            Problem(
                names, None, None, ", ".join(missing) or None,
                (
                    _("No sheet has both columns {actor} and {event} (the file has: {columns}).")
                    if seen
                    else _("No sheet has both columns {actor} and {event}.")
                ).format(actor=repr(options.actor_column), event=repr(options.event_column), columns=", ".join(seen[:20])),
                _("Name the actor column and the event column as they are written in the first row, ACTOR:EVENT."),
            )
        )  # fmt: skip
        return found
    found.file = sheet.file
    actor_col, event_col = _column(sheet, options.actor_column), _column(sheet, options.event_column)
    mapping, defaults, recode = dict(options.mapping), dict(options.defaults), dict(options.values)
    sector_col = _column(sheet, mapping["sector"]) if mapping.get("sector") else None
    name_col = _column(sheet, mapping["name"]) if mapping.get("name") else None
    for wanted, got in ((mapping.get("sector"), sector_col), (mapping.get("name"), name_col)):
        if wanted and not got:
            found.problems.append(
                Problem(sheet.file, sheet.name, None, wanted, _("There is no column {column}.").format(column=repr(wanted)),
                        _("Choose one of: {columns}.").format(columns=", ".join(sheet.columns[:20])))
            )  # fmt: skip
    empty: dict[str, list[int]] = {actor_col: [], event_col: []}
    too_long: dict[str, list[int]] = {actor_col: [], event_col: []}
    repeated: list[int] = []
    seen_pairs: set[tuple[str, str]] = set()
    pairs: list[tuple[str, str, int]] = []
    raw_sector: dict[str, str] = {}
    actors: dict[str, None] = {}
    events: dict[str, None] = {}
    for offset, row in enumerate(sheet.rows):
        at = sheet.row_number(offset)
        actor, event = _cell(row.get(actor_col)), _cell(row.get(event_col))
        bad = False
        for column, value in ((actor_col, actor), (event_col, event)):
            if not value:
                empty[column].append(at)
                bad = True
            elif len(value) > MAX_KEY:
                too_long[column].append(at)
                bad = True
        if bad:
            continue
        if (actor, event) in seen_pairs:
            repeated.append(at)
            continue
        seen_pairs.add((actor, event))
        actors.setdefault(actor)
        events.setdefault(event)
        pairs.append((actor, event, at))
        if sector_col and actor not in raw_sector and _cell(row.get(sector_col)):
            raw_sector[actor] = _cell(row.get(sector_col))
        if name_col and actor not in found.names and _cell(row.get(name_col)):
            found.names[actor] = _cell(row.get(name_col))[:MAX_KEY]
    severity = "warning" if options.skip_invalid else "error"
    left_out = " " + _("They were left out.") if options.skip_invalid else ""
    for column, rows in empty.items():
        if rows:
            found.problems.append(
                Problem(sheet.file, sheet.name, rows[0], column,
                        ngettext("{column} is empty in {n} row(s): rows {rows}.", "{column} is empty in {n} row(s): rows {rows}.", len(rows)).format(column=column, n=number(len(rows)), rows=_rows_text(rows)) + left_out,
                        _("Fill it in, or remove those rows (or import the others and set these aside)."), severity)
            )  # fmt: skip
    for column, rows in too_long.items():
        if rows:
            found.problems.append(
                Problem(sheet.file, sheet.name, rows[0], column,
                        ngettext("{column} is longer than {limit} characters in {n} row(s): rows {rows}.", "{column} is longer than {limit} characters in {n} row(s): rows {rows}.", len(rows)).format(column=column, limit=MAX_KEY, n=number(len(rows)), rows=_rows_text(rows)) + left_out,
                        _("Use a shorter name or an id there."), severity)
            )  # fmt: skip
    if repeated:
        found.problems.append(
            Problem(sheet.file, sheet.name, repeated[0], None,
                    ngettext("{n} row(s) repeat a participation already read (rows {rows}); each pair counts once.", "{n} row(s) repeat a participation already read (rows {rows}); each pair counts once.", len(repeated)).format(n=number(len(repeated)), rows=_rows_text(repeated)),
                    "", "warning")
        )  # fmt: skip
    if not pairs and not found.errors:
        found.problems.append(
            Problem(sheet.file, sheet.name, None, None, _("The file holds no participation."),
                    _("Each row should name an actor and an event."))
        )  # fmt: skip
    found.actors, found.events = list(actors), list(events)
    found.participations = pd.DataFrame(pairs, columns=["actor", "event", "row"])
    _assign_sectors(db, found, raw_sector, recode, defaults.get("sector"), sheet, sector_col)
    found.ties = project_actors(((a, e) for a, e, _ in pairs), found.actors)
    return found


def _assign_sectors(db, found: AffiliationList, raw: dict, recode: dict, default, sheet: Sheet, column) -> None:
    vocabulary = _sector_vocabulary(db)
    fallback = None
    if default:
        match = vocabulary.match(recode.get(default, default))
        if match:
            fallback = match.code
        else:
            found.problems.append(
                Problem(sheet.file, sheet.name, None, "sector", _("The default sector {sector} is not a sector.").format(sector=repr(default)),
                        _("Use one of: {codes}.").format(codes=", ".join(vocabulary.codes)))
            )  # fmt: skip
    unknown: dict[str, int] = {}
    for actor in found.actors:
        value = raw.get(actor)
        code = None
        if value is not None:
            match = vocabulary.match(recode.get(value, value))
            code = match.code
            if code is None:
                unknown[value] = unknown.get(value, 0) + 1
        found.sectors[actor] = code or fallback
    if unknown:
        listed = ", ".join(f"{v!r} ({number(n)})" for v, n in sorted(unknown.items(), key=lambda kv: -kv[1])[:10])
        found.problems.append(
            Problem(sheet.file, sheet.name, None, column,
                    ngettext("{n} actor(s) have a sector value that is not a sector: {values}.", "{n} actor(s) have a sector value that is not a sector: {values}.", sum(unknown.values())).format(n=number(sum(unknown.values())), values=listed),
                    _('Recode them in the mapping, e.g. "values": {example}; until then they are not classified.').format(example='{"Stakeholders": {"sector": {"HES": "research"}}}'),
                    "warning")
        )  # fmt: skip
    missing = sum(1 for code in found.sectors.values() if code is None)
    if missing:
        found.problems.append(
            Problem(found.file, None, None, None,
                    ngettext("{n} of {total} actor(s) have no sector; they are stored as not classified.", "{n} of {total} actor(s) have no sector; they are stored as not classified.", missing).format(n=number(missing), total=number(len(found.actors))),
                    _("To set it, map a column in the mapping ({mapping}) or give one for every actor ({defaults}).").format(mapping='{"Stakeholders": {"sector": "type"}}', defaults='{"defaults": {"Stakeholders": {"sector": "research"}}}'),
                    "warning")
        )  # fmt: skip
