"""Pol.is interoperability: import a Pol.is conversation export as a closed workshop, export a workshop as Pol.is.

Pol.is's CSV export holds ``comments.csv`` (``timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,
comment-body``), ``votes.csv`` (``timestamp,datetime,comment-id,voter-id,vote``; a participant who changed a vote
appears more than once) and ``participants-votes.csv`` (``participant,group-id,n-comments,n-votes,n-agree,
n-disagree`` and one column per comment id). Votes are coded as in our store: 1 agree, -1 disagree, 0 pass
(checked against the ``n-agree`` / ``n-disagree`` columns and the comments' ``agrees`` / ``disagrees``).

An import keeps Pol.is's ids: comment 17 becomes statement ``P17``, voter 5 the participant with the token
``polis:<conversation>:<workshop code>:5`` (a pseudonym, never an identity: ``xid`` columns are not read).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from lessons import privacy
from lessons.audit import record
from lessons.exports import neutralise
from lessons.i18n import _, ngettext, number
from lessons.ingest.problems import IngestError, Problem
from lessons.permissions import Actor, authorize
from lessons.text import clean_text
from lessons.workshops.polis_files import KNOWN_FILES, MAX_FILE_BYTES, read_polis
from lessons.workshops.rooms import WorkshopError, create_workshop

PV_META = ("participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")
MODERATION_CODES = {"approved": 1, "pending": 0, "rejected": -1}


def unpack_upload(files: dict[str, bytes]) -> dict[str, bytes]:
    r"""Return the Pol.is export files among uploaded files, a ZIP of the export unpacked (folders inside ignored).

    Only the files :func:`~lessons.workshops.polis_files.read_polis` reads are kept; a ZIP entry larger than
    ``MAX_FILE_BYTES`` once unpacked is refused before it is read.

    >>> import io, zipfile
    >>> buffer = io.BytesIO()
    >>> with zipfile.ZipFile(buffer, "w") as archive:
    ...     archive.writestr("export/votes.csv", "comment-id,voter-id,vote\n1,2,1\n")
    ...     archive.writestr("export/notes.txt", "not read")
    >>> sorted(unpack_upload({"export.zip": buffer.getvalue()}))
    ['votes.csv']
    """
    found: dict[str, bytes] = {}
    for name, data in files.items():
        base = Path(name).name.lower()
        if not base.endswith(".zip"):
            if base in KNOWN_FILES:
                found[base] = data
            continue
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for entry in archive.infolist():
                    inner = Path(entry.filename).name.lower()
                    if entry.is_dir() or inner not in KNOWN_FILES:
                        continue
                    if entry.file_size > MAX_FILE_BYTES:
                        raise IngestError(
                            [Problem(name, None, None, None, f"{inner} is too large once unpacked.",
                                     "Upload the export's files themselves.")]
                        )  # fmt: skip
                    found[inner] = archive.read(entry)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
            if isinstance(err, IngestError):
                raise
            raise IngestError(
                [Problem(name, None, None, None, "is not a readable ZIP file.", "Zip the export folder again.")]
            ) from None
    return found


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def import_polis(db: Database, actor: Actor, files: dict[str, bytes] | Path | str, *, title: str) -> str:
    r"""Import a Pol.is conversation export as a closed workshop; return its join code.

    Comments become statements keyed ``P<comment-id>`` (moderated out → ``rejected``; unmoderated → ``pending``
    when the conversation used strict moderation, else ``approved``, as Pol.is showed them; a meta comment keeps
    ``is_meta`` = 1 and is left out of the analysis); voters become participants with the pseudonymous token
    ``polis:<conversation>:<code>:<voter-id>`` and the ``source_id`` ``<voter-id>``; each voter's latest vote
    per comment becomes a round-1 vote. All in one transaction, audited as ``workshop.import_polis``.

    Parameters
    ----------
    db : Database
    actor : Actor
        A facilitator or administrator (``workshop.manage``).
    files : dict of str to bytes, or Path
        See :func:`read_polis`.
    title : str
        The workshop's title.

    Raises
    ------
    IngestError
        The export cannot be imported; every problem names file, row, column and fix. Nothing is written.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> from lessons.permissions import cli_actor
    >>> db = open_memory_store()
    >>> files = {"comments.csv": b"comment-id,moderated,comment-body\n3,1,More buses\n",
    ...          "votes.csv": b"timestamp,comment-id,voter-id,vote\n1000,3,8,1\n"}
    >>> code = import_polis(db, cli_actor(), files, title="Transport")
    >>> db.execute("SELECT s.key, v.value FROM votes v JOIN statements s ON s.id = v.statement_id").fetchall()
    [('P3', 1)]
    """
    authorize(actor, "workshop.manage")
    if not (title or "").strip():
        raise WorkshopError(_("A workshop needs a title."))
    conv = read_polis(files)
    stamps = [c.timestamp for c in conv.comments.values() if c.timestamp] + [s for _, s in conv.votes.values() if s]
    purpose = f"Imported from the Pol.is conversation {conv.name}" + (f": {conv.topic}" if conv.topic else ".")
    voters = conv.participants
    first_vote: dict[int, int] = {}
    for (pid, _sid), (_value, stamp) in conv.votes.items():
        if stamp is not None and (pid not in first_vote or stamp < first_vote[pid]):
            first_vote[pid] = stamp
    moderation = {1: "approved", -1: "rejected", 0: "pending" if conv.strict_moderation else "approved"}
    with db.atomic():
        code = create_workshop(db, actor, title, purpose=purpose)
        workshop_id = db.execute("SELECT id FROM workshops WHERE code = ?", [code]).fetchone()[0]
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        db.execute(
            "UPDATE workshops SET status = 'closed', opened_at = ?, closed_at = ? WHERE id = ?",
            [_iso(min(stamps)) if stamps else now, _iso(max(stamps)) if stamps else now, workshop_id],
        )
        db.conn.executemany(
            "INSERT INTO statements (workshop_id, key, text, source, moderation, position, created_at, is_meta) "
            "VALUES (?, ?, ?, 'free', ?, ?, coalesce(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), ?)",
            [
                (
                    workshop_id,
                    f"P{tid}",
                    clean_text(c.text),
                    moderation[c.moderated],
                    position,
                    _iso(c.timestamp),
                    int(c.is_meta),
                )
                for position, (tid, c) in enumerate(sorted(conv.comments.items()), start=1)
            ],  # fmt: skip
        )
        prefix = f"polis:{conv.name}:{code}:"
        db.conn.executemany(
            "INSERT INTO participants (workshop_id, token, joined_at, source_id) "
            "VALUES (?, ?, coalesce(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), ?)",
            [(workshop_id, f"{prefix}{pid}", _iso(first_vote.get(pid)), str(pid)) for pid in voters],
        )
        statement_ids = {
            int(key[1:]): sid
            for sid, key in db.execute("SELECT id, key FROM statements WHERE workshop_id = ?", [workshop_id])
        }
        participant_ids = {
            int(token[len(prefix) :]): pid
            for pid, token in db.execute("SELECT id, token FROM participants WHERE workshop_id = ?", [workshop_id])
        }
        db.conn.executemany(
            "INSERT INTO votes (participant_id, statement_id, round, value, voted_at) "
            "VALUES (?, ?, 1, ?, coalesce(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))",
            [
                (participant_ids[pid], statement_ids[tid], vote, _iso(stamp))
                for (pid, tid), (vote, stamp) in sorted(conv.votes.items())
            ],
        )
        counts = {"statements": len(conv.comments), "participants": len(voters), "votes": len(conv.votes)}
        counts["meta_statements"] = sum(c.is_meta for c in conv.comments.values())
        record(
            db,
            actor,
            "workshop.import_polis",
            object_type="workshop",
            object_id=code,
            rows=counts["statements"] + counts["participants"] + counts["votes"],
            detail={"conversation": conv.name, "files": conv.read_from, **counts},
        )
    return code


def _ms(iso: str | None) -> int:
    if not iso:
        return 0
    if len(iso) == 10:  # a day (public exports round vote times to the day, lessons.privacy)
        return int(datetime.strptime(iso, "%Y-%m-%d").replace(tzinfo=UTC).timestamp() * 1000)
    return int(datetime.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp() * 1000)


def _polis_datetime(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def _csv_bytes(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[neutralise(v) if isinstance(v, str) else ("" if v is None else v) for v in r] for r in rows])
    return out.getvalue().encode("utf-8")


def _ids(keys: list[str], pattern: str) -> list[int]:
    """Pol.is ids kept in our keys when every key has one (and they differ), else 0, 1, 2… in order."""
    found = [re.fullmatch(pattern, k or "") for k in keys]
    if all(found) and len({int(m.group(1)) for m in found}) == len(keys):
        return [int(m.group(1)) for m in found]
    return list(range(len(keys)))


def export_polis(db: Database, code: str) -> dict[str, bytes]:
    r"""Export a workshop as Pol.is's CSV export: ``comments.csv``, ``votes.csv``, ``participants-votes.csv``.

    Plus ``summary.csv`` and ``conversation.json``.

    Statements keep their Pol.is comment ids (``P17`` → 17) when every key has one, else are numbered 0, 1, 2… in
    the facilitator's order; likewise voter ids. Each participant's vote in the latest round they voted in is the
    vote exported (Pol.is has no rounds). Moderation: approved 1, pending 0, rejected -1, with
    ``strict_moderation`` set, as pending statements are not shown to voters. Text a spreadsheet would run as a
    formula is prefixed with an apostrophe (:func:`lessons.exports.neutralise`); an import removes it again.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> from lessons.permissions import cli_actor
    >>> db = open_memory_store()
    >>> votes = b"comment-id,voter-id,vote\n" + b"".join(b"5,%d,-1\n" % i for i in range(5))
    >>> code = import_polis(db, cli_actor(), {"votes.csv": votes}, title="T")
    >>> export_polis(db, code)["votes.csv"].decode().splitlines()[1].split(",")[2:]
    ['5', '0', '-1']
    """
    row = db.execute("SELECT id, title FROM workshops WHERE code = ?", [code]).fetchone()
    if row is None:
        raise WorkshopError(_("There is no workshop with the code {code}.").format(code=code))
    workshop_id, title = row
    published = privacy.published_participants(db, workshop_id=workshop_id)
    if published["withheld"].astype(bool).any():
        raise WorkshopError(
            ngettext(
                "The workshop {code} has {n} participant, fewer than {k}: an export would show each person's votes. "
                "An administrator can take the full export, marked personal data.",
                "The workshop {code} has {n} participants, fewer than {k}: an export would show each person's votes. "
                "An administrator can take the full export, marked personal data.",
                len(published),
            ).format(code=code, n=number(len(published)), k=number(privacy.k_threshold()))
        )
    period = {int(r.id): r.period.split("/")[0] for r in published.itertuples() if isinstance(r.period, str)}
    statements = db.execute(
        "SELECT id, key, text, moderation, created_at, is_meta FROM statements WHERE workshop_id = ? "
        "ORDER BY position IS NULL, position, id",
        [workshop_id],
    ).fetchall()
    participants = db.execute("SELECT id, token FROM participants WHERE workshop_id = ? ORDER BY id", [workshop_id])
    participants = participants.fetchall()
    tids = dict(zip([s[0] for s in statements], _ids([s[1] for s in statements], r"P(\d+)")))
    pids = dict(zip([p[0] for p in participants], _ids([p[1] for p in participants], r"polis:.*:(\d+)")))
    votes = db.execute(
        """SELECT participant_id, statement_id, value, voted_at FROM (
               SELECT v.*, row_number() OVER (PARTITION BY participant_id, statement_id ORDER BY round DESC) AS n
               FROM votes v JOIN statements s ON s.id = v.statement_id WHERE s.workshop_id = ?)
           WHERE n = 1 ORDER BY voted_at, participant_id, statement_id""",
        [workshop_id],
    ).fetchall()
    tally = {sid: [0, 0] for sid in tids}
    matrix: dict[int, dict[int, int]] = {}
    votes = sorted(
        ((pid, sid, value, period.get(pid, (at or "")[:10])) for pid, sid, value, at in votes),
        key=lambda v: (v[3], v[0], v[1]),
    )
    for pid, sid, value, _stamp in votes:
        if value:
            tally[sid][0 if value == 1 else 1] += 1
        matrix.setdefault(pid, {})[tids[sid]] = value
    comment_rows = []
    for sid, _key, text, moderation, created_at, is_meta in statements:
        ms = _ms(created_at)
        comment_rows.append(
            [ms, _polis_datetime(ms), tids[sid], None, *tally[sid], MODERATION_CODES.get(moderation, 0),
             "true" if is_meta else "false", text]
        )  # fmt: skip
    vote_rows = [[_ms(at), _polis_datetime(_ms(at)), tids[sid], pids[pid], value] for pid, sid, value, at in votes]
    columns = sorted(tids.values())
    pv_rows = []
    for pid, _group in participants:
        if pid not in matrix:
            continue
        cast = matrix[pid]
        agree, disagree = sum(v == 1 for v in cast.values()), sum(v == -1 for v in cast.values())
        pv_rows.append([pids[pid], None, 0, len(cast), agree, disagree, *(cast.get(t) for t in columns)])
    summary = [
        ["topic", title],
        ["url", ""],
        ["voters", len(matrix)],
        ["voters-in-conv", len(matrix)],
        ["commenters", 0],
        ["comments", len(statements)],
        ["groups", ""],
        ["conversation-description", ""],
    ]
    summary_csv = io.StringIO()
    csv.writer(summary_csv, lineterminator="\n").writerows([[k, neutralise(v)] for k, v in summary])
    conversation = {"conversation_id": code, "topic": title, "description": None, "strict_moderation": True}
    return {
        "comments.csv": _csv_bytes(
            [
                "timestamp",
                "datetime",
                "comment-id",
                "author-id",
                "agrees",
                "disagrees",
                "moderated",
                "is-meta",
                "comment-body",
            ],  # fmt: skip
            comment_rows,
        ),
        "votes.csv": _csv_bytes(["timestamp", "datetime", "comment-id", "voter-id", "vote"], vote_rows),
        "participants-votes.csv": _csv_bytes([*PV_META[:1], *PV_META[2:], *map(str, columns)], pv_rows),
        "summary.csv": summary_csv.getvalue().encode("utf-8"),
        "conversation.json": json.dumps(conversation, ensure_ascii=False, indent=2).encode("utf-8"),
    }


def export_polis_zip(db: Database, code: str) -> bytes:
    r"""Return :func:`export_polis` as one ZIP (the download on the workshop page); the same privacy rule applies.

    >>> from lessons.store import open_memory_store
    >>> from lessons.permissions import cli_actor
    >>> db = open_memory_store()
    >>> votes = b"comment-id,voter-id,vote\n" + b"".join(b"5,%d,1\n" % i for i in range(5))
    >>> code = import_polis(db, cli_actor(), {"votes.csv": votes}, title="T")
    >>> sorted(zipfile.ZipFile(io.BytesIO(export_polis_zip(db, code))).namelist())[:2]
    ['comments.csv', 'conversation.json']
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in export_polis(db, code).items():
            archive.writestr(name, data)
    return buffer.getvalue()
