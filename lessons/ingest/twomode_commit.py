"""Write an affiliation list and its projection in one transaction, recorded as an upload that can be undone.

What is written: the pilot (created when new), the actors as its stakeholders (an actor whose key the pilot already
has is that stakeholder), in the consortium scope also as organisations, the projected ties (relation
:data:`~lessons.ingest.twomode.RELATION`, undirected, weight the number of shared events; an existing one of that
pair gets the new weight), and the two modes themselves (``two_mode_lists``, ``two_mode_actors``,
``two_mode_events``, ``two_mode_participations``).

The rows are written in bulk rather than through the row-by-row :class:`~lessons.ingest.plan.Plan`, but logged
the same way: every pilot, organisation, stakeholder and tie inserted or changed, and the list itself, goes into
``upload_changes`` with its before and after image, so :func:`lessons.ingest.undo.undo_upload` undoes the upload
like any other (deleting the list deletes its actors, events and participations with it). Afterwards the network
analyses of the pilot are computed and stored once, like after any upload.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field

from sqlite_utils import Database

from lessons import network
from lessons.audit import record
from lessons.i18n import _
from lessons.ingest.images import dicts
from lessons.ingest.problems import IngestError, Problem
from lessons.ingest.twomode import (
    CONSORTIUM_NAME,
    RELATION,
    AffiliationList,
    TwoModeOptions,
    read_affiliations,
)
from lessons.permissions import Actor, authorize_upload, can
from lessons.store import NOT_CLASSIFIED, data_version
from lessons.stored import stored_or_computed

__all__ = ["FORMAT", "TwoModeOutcome", "check_two_mode", "commit_two_mode", "measure_network", "run_two_mode_import"]

#: ``uploads.format`` of a two-mode import.
FORMAT = "two-mode"


@dataclass
class TwoModeOutcome:
    """What a two-mode import read, would write or wrote.

    ``written`` counts rows by table once committed (``stakeholders_new``, ``stakeholders_kept``, ``ties_new``,
    ``ties_changed`` …); ``seconds`` the time of reading, writing and measuring the network.
    """

    affiliations: AffiliationList
    options: TwoModeOptions
    pilot_exists: bool = False
    upload_id: int | None = None
    already: int | None = None  # the applied upload that imported this very file into this pilot: nothing to do
    written: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        """Return every problem found."""
        return self.affiliations.problems

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that are errors."""
        return self.affiliations.errors

    def summary(self) -> list[dict]:
        """Return one row per thing counted: actors, events, participations and projected ties, for the pilot."""
        return [
            {"pilot": self.options.slug, "what": what, "count": count}
            for what, count in self.affiliations.counts().items()
        ]


def _pilot_problem(db: Database, actor: Actor, options: TwoModeOptions, file: str) -> tuple[int | None, list]:
    """Return the receiving pilot's id (None: to be created) and the problems that stop the import."""
    row = db.execute("SELECT id FROM pilots WHERE slug = ?", [options.slug]).fetchone()
    where = (file, None, None, "pilot")
    if row is not None:
        if not can(actor, "upload.commit", row[0]):
            return row[0], [Problem(*where, _("You may not change pilot {pilot}.").format(pilot=repr(options.slug)),
                                    _("Choose a pilot your account is assigned to."))]  # fmt: skip
        return row[0], []
    problems = []
    if not can(actor, "pilot.create"):
        problems.append(Problem(*where, _("There is no pilot {pilot}, and only an administrator creates one.").format(pilot=repr(options.slug)),
                                _("Choose an existing pilot (--pilot SLUG).")))  # fmt: skip
    elif not options.country or len(options.country) != 2 or not options.country.isalpha():
        problems.append(
            Problem(
                *where,
                _("Pilot {pilot} is new and needs a country.").format(pilot=repr(options.slug)),
                _("Give it as --country XX, e.g. BE."),
            )
        )
    return None, problems


def check_two_mode(
    db: Database, actor: Actor, files: list[tuple[str, bytes]], options: TwoModeOptions
) -> TwoModeOutcome:
    """Read and check an affiliation list and project it; nothing is written.

    Raises
    ------
    PermissionDenied
        When ``actor`` may not upload at all.
    """
    authorize_upload(actor)
    found = read_affiliations(db, files, options)
    pilot_id, refused = _pilot_problem(db, actor, options, found.file)
    found.problems[:0] = refused
    outcome = TwoModeOutcome(found, options, pilot_exists=pilot_id is not None)
    outcome.already = _already_imported(db, options, _checksum(found))
    return outcome


def _checksum(found: AffiliationList) -> str:
    return ",".join(f["sha256"] for f in found.files)


def run_two_mode_import(
    db: Database,
    actor: Actor,
    files: list[tuple[str, bytes]],
    options: TwoModeOptions,
    *,
    dry_run: bool = False,
    progress=None,
) -> TwoModeOutcome:
    """Check an affiliation list and, unless ``dry_run``, write it and its projection as one upload.

    Raises
    ------
    PermissionDenied
        When ``actor`` may not upload; nothing is written.
    IngestError
        With every error found; nothing is written.
    """
    started = time.perf_counter()
    if progress:
        progress(0.05, _("Reading the affiliation list"))
    outcome = check_two_mode(db, actor, files, options)
    outcome.seconds["read"] = time.perf_counter() - started
    if outcome.errors:
        raise IngestError(outcome.errors)
    names = ", ".join(f["filename"] for f in outcome.affiliations.files)
    checksum = _checksum(outcome.affiliations)
    if dry_run or outcome.already is not None:
        if progress:
            progress(1.0, _("Nothing written"))
        return outcome
    if progress:
        progress(0.3, _("Writing actors, events, participations and ties"))
    started = time.perf_counter()
    outcome.upload_id, outcome.written = commit_two_mode(
        db, actor, outcome.affiliations, options, filename=names, checksum=checksum
    )
    outcome.seconds["write"] = time.perf_counter() - started
    if progress:
        progress(0.7, _("Measuring the network"))
    started = time.perf_counter()
    measure_network(db, options.slug)
    outcome.seconds["measure"] = time.perf_counter() - started
    if progress:
        progress(1.0, _("Done"))
    return outcome


def measure_network(db: Database, slug: str) -> None:
    """Compute and store the analyses of a pilot's network right after an import, as after any upload.

    Like :func:`lessons.ingest.pipeline.refresh_networks` (the layout, then every period), with one saving: when every
    tie of the pilot is an end-of-pilot tie, the network of all periods *is* the end network, so its analysis is
    stored as a copy instead of being computed twice (for the 455-project Horizon 2020 subset, about 5 s of 15).
    A failure here never undoes the committed import: the page computes on demand instead.
    """
    try:
        network.pilot_layout(db, slug)
        end = network.analysis(db, slug, period="end")
        network.analysis(db, slug, period="baseline")
        others = db.execute(
            "SELECT count(*) FROM ties t JOIN pilots p ON p.id = t.pilot_id WHERE p.slug = ? AND t.period <> 'end'",
            [slug],
        ).fetchone()[0]
        if others:
            network.analysis(db, slug, period="all")
            return
        stored_or_computed(
            db, network.analysis_name(slug, "all"), data_version(db, "network"),
            lambda: dataclasses.replace(end, period="all"),
            dump=network.NetworkAnalysis.to_bytes, load=network.NetworkAnalysis.from_bytes,
        )  # fmt: skip
    except Exception:  # noqa: BLE001 — an analysis problem must not turn a committed import into an error
        return


def _already_imported(db: Database, options: TwoModeOptions, checksum: str) -> int | None:
    """Return the applied upload that imported the same files, read the same way, into the same pilot, if any."""
    row = db.execute(
        """SELECT u.id FROM two_mode_lists l JOIN uploads u ON u.id = l.upload_id JOIN pilots p ON p.id = l.pilot_id
           WHERE p.slug = ? AND u.checksum = ? AND u.status = 'applied' AND l.actor_column = ? AND l.event_column = ?
           ORDER BY u.id DESC LIMIT 1""",
        [options.slug, checksum, options.actor_column, options.event_column],
    ).fetchone()
    return row[0] if row else None


def _log(db: Database, upload_id: int, pilot_id: int, table: str, rows: list[tuple[int, str, dict | None, dict]]):
    db.conn.executemany(
        "INSERT INTO upload_changes (upload_id, pilot_id, table_name, row_id, op, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (upload_id, pilot_id, table, row_id, op, json.dumps(before, default=str) if before else None,
             json.dumps(after, default=str))
            for row_id, op, before, after in rows
        ],
    )  # fmt: skip


def _images(db: Database, table: str, where: str, params: list) -> dict[int, dict]:
    return {r["id"]: r for r in dicts(db.execute(f"SELECT * FROM {table} WHERE {where}", params))}


def commit_two_mode(
    db: Database, actor: Actor, found: AffiliationList, options: TwoModeOptions, *, filename: str, checksum: str
) -> tuple[int, dict]:
    """Write ``found`` and its projection in one transaction; return the upload id and the rows written by kind.

    Raises
    ------
    PermissionDenied
        When ``actor`` may not change (or create) the pilot.
    """
    authorize_upload(actor)
    with db.atomic():
        now = db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')").fetchone()[0]
        row = db.execute("SELECT id FROM pilots WHERE slug = ?", [options.slug]).fetchone()
        authorize_upload(actor, [row[0]] if row else [], creates_pilots=row is None)
        upload_id = db.execute(
            "INSERT INTO uploads (user_id, username, filename, format, checksum) VALUES (?, ?, ?, ?, ?)",
            [actor.user_id, actor.username, filename, FORMAT, checksum],
        ).lastrowid
        written = dict.fromkeys(
            ("pilots", "organisations", "stakeholders_new", "stakeholders_kept", "ties_new", "ties_changed",
             "ties_kept"), 0
        )  # fmt: skip
        if row is None:
            name = CONSORTIUM_NAME if options.scope == "consortium" else options.slug
            pilot_id = db.execute(
                "INSERT INTO pilots (slug, name, country, created_at) VALUES (?, ?, ?, ?)",
                [options.slug, name, options.country.upper(), now],
            ).lastrowid
            _log(
                db,
                upload_id,
                pilot_id,
                "pilots",
                [(pilot_id, "insert", None, _images(db, "pilots", "id = ?", [pilot_id])[pilot_id])],
            )
            written["pilots"] = 1
        else:
            pilot_id = row[0]
        sectors = {a: code or NOT_CLASSIFIED for a, code in found.sectors.items()}  # a seeded vocabulary value
        organisations = (
            _organisations(db, upload_id, pilot_id, found, sectors, written) if options.scope == "consortium" else {}
        )
        stakeholders = _stakeholders(db, upload_id, pilot_id, found, sectors, organisations, written)
        _ties(db, upload_id, pilot_id, found, stakeholders, written)
        list_id = _two_modes(db, upload_id, pilot_id, found, options, stakeholders)
        _log(
            db,
            upload_id,
            pilot_id,
            "two_mode_lists",
            [(list_id, "insert", None, _images(db, "two_mode_lists", "id = ?", [list_id])[list_id])],
        )
        added = (
            written["pilots"] + written["organisations"] + written["stakeholders_new"] + written["ties_new"]
            + 1 + len(found.actors) + len(found.events) + len(found.participations)
        )  # fmt: skip
        db.execute(
            "UPDATE uploads SET pilot_id = ?, rows_added = ?, rows_changed = ? WHERE id = ?",
            [pilot_id, added, written["ties_changed"], upload_id],
        )
        record(
            db, actor, "upload.commit", object_type="upload", object_id=upload_id, rows=added,
            detail={"file": filename, "pilots": [options.slug], "two_mode": found.counts(), **written},
        )  # fmt: skip
    return upload_id, {**found.counts(), **written}


def _organisations(db, upload_id, pilot_id, found, sectors, written) -> dict[str, int]:
    """Return the consortium's organisation of each actor (by name), creating and logging the missing ones."""
    names = {a: found.names.get(a, a) for a in found.actors}
    existing = {n: i for i, n in db.execute("SELECT id, name FROM organisations")}
    first = db.execute("SELECT coalesce(max(id), 0) FROM organisations").fetchone()[0]
    new = [(n, sectors[a]) for a, n in names.items() if n not in existing]
    new = list(dict(new).items())  # one organisation per name
    db.conn.executemany("INSERT INTO organisations (name, sector) VALUES (?, ?)", new)
    images = _images(db, "organisations", "id > ?", [first])
    _log(db, upload_id, pilot_id, "organisations", [(i, "insert", None, image) for i, image in images.items()])
    written["organisations"] = len(images)
    existing.update({image["name"]: i for i, image in images.items()})
    return {a: existing[n] for a, n in names.items()}


def _stakeholders(db, upload_id, pilot_id, found, sectors, organisations, written) -> dict[str, int]:
    """Return the pilot's stakeholder of each actor (by key), keeping existing ones and inserting and logging others."""
    existing = {k: i for i, k in db.execute("SELECT id, key FROM stakeholders WHERE pilot_id = ?", [pilot_id])}
    first = db.execute("SELECT coalesce(max(id), 0) FROM stakeholders").fetchone()[0]
    db.conn.executemany(
        "INSERT INTO stakeholders (pilot_id, key, name, sector, organisation_id, hard_to_reach, upload_id) "
        "VALUES (?, ?, ?, ?, ?, 0, ?)",
        [
            (pilot_id, a, found.names.get(a, a), sectors[a], organisations.get(a), upload_id)
            for a in found.actors
            if a not in existing
        ],
    )
    images = _images(db, "stakeholders", "pilot_id = ? AND id > ?", [pilot_id, first])
    _log(db, upload_id, pilot_id, "stakeholders", [(i, "insert", None, image) for i, image in images.items()])
    written["stakeholders_new"] = len(images)
    written["stakeholders_kept"] = len(found.actors) - len(images)
    existing.update({image["key"]: i for i, image in images.items()})
    return {a: existing[a] for a in found.actors}


def _ties(db, upload_id, pilot_id, found, stakeholders, written) -> None:
    """Insert the projected ties; a co-participation tie the pilot has between the same two gets the new weight."""
    existing = {}
    for tie_id, source, target, weight in db.execute(
        "SELECT id, source_id, target_id, weight FROM ties WHERE pilot_id = ? AND relation = ? AND period = 'end'",
        [pilot_id, RELATION],
    ):
        existing[frozenset((source, target))] = (tie_id, weight)
    inserts, updates = [], []
    for source, target, weight in found.ties.itertuples(index=False):
        s, t = stakeholders[source], stakeholders[target]
        known = existing.get(frozenset((s, t)))
        if known is None:
            inserts.append((pilot_id, s, t, RELATION, 0, float(weight), "end", upload_id))
        elif known[1] != weight:
            updates.append((known[0], float(weight)))
        else:
            written["ties_kept"] += 1
    first = db.execute("SELECT coalesce(max(id), 0) FROM ties").fetchone()[0]
    db.conn.executemany(
        "INSERT INTO ties (pilot_id, source_id, target_id, relation, directed, weight, period, upload_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        inserts,
    )
    images = _images(db, "ties", "pilot_id = ? AND id > ?", [pilot_id, first])
    _log(db, upload_id, pilot_id, "ties", [(i, "insert", None, image) for i, image in images.items()])
    changed = []
    for tie_id, weight in updates:
        before = _images(db, "ties", "id = ?", [tie_id])[tie_id]
        db.execute("UPDATE ties SET weight = ?, upload_id = ? WHERE id = ?", [weight, upload_id, tie_id])
        changed.append((tie_id, "update", before, _images(db, "ties", "id = ?", [tie_id])[tie_id]))
    _log(db, upload_id, pilot_id, "ties", changed)
    written["ties_new"], written["ties_changed"] = len(images), len(changed)


def _two_modes(db, upload_id, pilot_id, found, options, stakeholders) -> int:
    """Keep the list two-mode: the list, its actors (each with its stakeholder), its events and participations."""
    list_id = db.execute(
        "INSERT INTO two_mode_lists (upload_id, pilot_id, scope, filename, actor_column, event_column) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [upload_id, pilot_id, options.scope, found.file, found.actor_column, found.event_column],
    ).lastrowid
    db.conn.executemany(
        "INSERT INTO two_mode_actors (list_id, key, stakeholder_id) VALUES (?, ?, ?)",
        [(list_id, a, stakeholders[a]) for a in found.actors],
    )
    db.conn.executemany(
        "INSERT INTO two_mode_events (list_id, key) VALUES (?, ?)", [(list_id, e) for e in found.events]
    )
    actor_ids = dict(db.execute("SELECT key, id FROM two_mode_actors WHERE list_id = ?", [list_id]).fetchall())
    event_ids = dict(db.execute("SELECT key, id FROM two_mode_events WHERE list_id = ?", [list_id]).fetchall())
    db.conn.executemany(
        "INSERT INTO two_mode_participations (list_id, actor_id, event_id, row) VALUES (?, ?, ?, ?)",
        [
            (list_id, actor_ids[a], event_ids[e], int(r))
            for a, e, r in found.participations[["actor", "event", "row"]].itertuples(index=False)
        ],
    )
    return list_id
