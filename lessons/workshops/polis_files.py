"""Reading a Pol.is export into a :class:`Conversation`, checking every row.

The export is ``comments.csv``, ``votes.csv``, ``participants-votes.csv``, a folder or a dict of files;
:mod:`lessons.workshops.polis` imports it as a workshop.

Votes are coded as in our store: 1 agree, -1 disagree, 0 pass (checked against the ``n-agree`` / ``n-disagree``
columns and the comments' ``agrees`` / ``disagrees``). Every problem is collected with its file, row and column.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lessons.exports import FORMULA_STARTS
from lessons.i18n import _, ngettext
from lessons.i18n import number as figure
from lessons.ingest.problems import IngestError, Problem

#: The files of a Pol.is export this module reads; others in a folder are ignored.
KNOWN_FILES = (
    "comments.csv",
    "votes.csv",
    "participants-votes.csv",
    "summary.csv",
    "conversation.json",
    "comments.json",
)
#: Values of an ``is-meta`` / ``is_meta`` cell read as true or false (Pol.is writes ``true`` / ``false``).
META_TRUE, META_FALSE = ("1", "true", "t", "yes", "y"), ("0", "false", "f", "no", "n", "")
#: Largest file accepted (a Pol.is export of 2,000 participants and 300,000 votes is about 15 MB).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Longest comment accepted (Pol.is itself allows 1,000 characters).
MAX_TEXT_CHARS = 10_000
#: Columns of participants-votes.csv that are not comment ids.


_MAX_PROBLEMS = 200


@dataclass
class Comment:
    """A Pol.is comment: its text, moderation, time, the agrees and disagrees Pol.is counted, and its meta flag."""

    text: str
    moderated: int = 1
    timestamp: int | None = None
    stated: tuple[int, int] | None = None  # the agrees / disagrees Pol.is wrote in comments.csv
    is_meta: bool = False  # Pol.is's is_meta: about the participant or the process, left out of the analysis


@dataclass
class Conversation:
    """A Pol.is conversation read from its export: comments by id, and each voter's latest vote per comment."""

    name: str = "conversation"
    topic: str | None = None
    description: str | None = None
    strict_moderation: bool = False
    comments: dict[int, Comment] = field(default_factory=dict)
    votes: dict[tuple[int, int], tuple[int, int | None]] = field(default_factory=dict)  # (voter, comment) -> vote
    read_from: list[str] = field(default_factory=list)

    @property
    def participants(self) -> list[int]:
        """Return the ids of the voters, sorted."""
        return sorted({voter for voter, _ in self.votes})


class _Problems(list):
    def add(self, file, row, column, message, fix=""):
        self.append(Problem(file, None, row, column, message, fix))
        return len(self) < _MAX_PROBLEMS


def _collect(files: dict[str, bytes] | Path | str) -> tuple[dict[str, bytes], str | None]:
    if isinstance(files, (str, Path)):
        folder = Path(files)
        if not folder.is_dir():
            raise IngestError(
                [Problem(str(folder), None, None, None, _("is not a folder."), _("Name the export folder."))]
            )
        found = {}
        for name in KNOWN_FILES:
            path = folder / name
            if path.is_file():
                if path.stat().st_size > MAX_FILE_BYTES:
                    found[name] = b""  # refused below without reading it into memory
                    found[f"{name}#size"] = str(path.stat().st_size).encode()
                else:
                    found[name] = path.read_bytes()
        return found, folder.name
    return {Path(name).name.lower(): data for name, data in files.items()}, None


def _text(name: str, data: bytes, problems: _Problems) -> str | None:
    if len(data) > MAX_FILE_BYTES:
        problems.add(
            name,
            None,
            None,
            _("is {size} bytes; the limit is {limit}.").format(size=figure(len(data)), limit=figure(MAX_FILE_BYTES)),
            _("Split the conversation."),
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        problems.add(
            name, None, None, _("is not UTF-8 text (byte {at}).").format(at=err.start), _("Save the file as UTF-8 CSV.")
        )
        return None
    if "\x00" in text:
        problems.add(name, None, None, _("holds NUL bytes: it is not a CSV file."), _("Give Pol.is's CSV export."))
        return None
    return text


def _rows(name: str, text: str, required: tuple[str, ...], problems: _Problems):
    """Read the header and (spreadsheet row number, dict) pairs of a CSV text; None when the file cannot be read."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        problems.add(
            name,
            None,
            None,
            _("is empty."),
            _("It needs a header row with {columns}.").format(columns=", ".join(required)),
        )
        return None, []
    except csv.Error as err:
        problems.add(
            name,
            1,
            None,
            _("cannot be read as CSV ({error}).").format(error=err),
            _("Give Pol.is's CSV export unchanged."),
        )
        return None, []
    missing = [c for c in required if c not in header]
    if missing:
        problems.add(
            name,
            1,
            ", ".join(missing),
            (
                ngettext(
                    "the column(s) {columns} are missing (found: {found}).",
                    "the column(s) {columns} are missing (found: {found}).",
                    len(missing),
                ).format(columns=", ".join(missing), found=", ".join(header[:12]))
                if header[:12]
                else ngettext(
                    "the column(s) {columns} are missing (found: none).",
                    "the column(s) {columns} are missing (found: none).",
                    len(missing),
                ).format(columns=", ".join(missing))
            ),
            _("Pol.is's {file} has the columns {columns}; give the export unchanged.").format(
                file=name, columns=", ".join(required)
            ),
        )
        return None, []
    rows = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                problems.add(
                    name,
                    number,
                    None,
                    ngettext(
                        "has {n} cells but the header {header}.", "has {n} cells but the header {header}.", len(values)
                    ).format(n=figure(len(values)), header=figure(len(header))),
                    _("Quote text cells."),
                )
                continue
            rows.append((number, dict(zip(header, (v.strip() for v in values)))))
    except csv.Error as err:
        problems.add(
            name,
            reader.line_num,
            None,
            _("cannot be read as CSV ({error}).").format(error=err),
            _("Give Pol.is's CSV unchanged."),
        )
    return header, rows


def _int(name, number, row, column, problems, *, allowed=None, required=True) -> int | None:
    value = row.get(column, "")
    if value == "":
        if required:
            problems.add(name, number, column, _("is empty."), _("Every row needs a whole number here."))
        return None
    try:
        result = int(value)
    except ValueError:
        shown = value if len(value) <= 40 else value[:40] + "…"
        hint = (
            _("Use one of {values}.").format(values=", ".join(map(str, allowed)))
            if allowed
            else _("Use a whole number.")
        )
        problems.add(name, number, column, _("{value} is not a whole number.").format(value=repr(shown)), hint)
        return None
    if allowed is not None and result not in allowed:
        problems.add(
            name,
            number,
            column,
            _("{value} is not allowed here.").format(value=result),
            _("Use one of {values}.").format(values=", ".join(map(str, allowed))),
        )
        return None
    if allowed is None and result < 0:
        problems.add(
            name,
            number,
            column,
            _("{value} is negative.").format(value=result),
            _("Pol.is ids and timestamps are 0 or more."),
        )
        return None
    return result


def _unneutralise(text: str) -> str:
    """Undo the apostrophe our exports put before formula-like text, so an export re-imports to the same text."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _read_comments(text, conv: Conversation, problems: _Problems) -> None:
    name = "comments.csv"
    header, rows = _rows(name, text, ("comment-id", "comment-body"), problems)
    for number, row in rows:
        tid = _int(name, number, row, "comment-id", problems)
        moderated = _int(name, number, row, "moderated", problems, allowed=(-1, 0, 1), required=False)
        stamp = _int(name, number, row, "timestamp", problems, required=False)
        body = _unneutralise(row.get("comment-body", ""))
        if not body:
            problems.add(name, number, "comment-body", _("is empty."), _("Every comment needs its text."))
        elif len(body) > MAX_TEXT_CHARS:
            problems.add(
                name,
                number,
                "comment-body",
                ngettext("is {n} characters long.", "is {n} characters long.", len(body)).format(n=figure(len(body))),
                _("Pol.is allows 1,000."),
            )
        if tid is None or not body or len(body) > MAX_TEXT_CHARS:
            continue
        if tid in conv.comments:
            problems.add(
                name,
                number,
                "comment-id",
                _("comment {id} appears twice.").format(id=tid),
                _("Keep one row per comment."),
            )
            continue
        meta_column = next((c for c in ("is-meta", "is_meta") if c in header), None)
        is_meta = False
        if meta_column:
            cell = row.get(meta_column, "").strip().lower()
            if cell not in META_TRUE + META_FALSE:
                problems.add(
                    name,
                    number,
                    meta_column,
                    _("{value} is not true or false.").format(value=repr(cell[:40])),
                    _("Use true or false."),
                )
            is_meta = cell in META_TRUE
        conv.comments[tid] = Comment(body, 1 if moderated is None else moderated, stamp, is_meta=is_meta)
        if len(problems) >= _MAX_PROBLEMS:
            return


def _json_time(value) -> int | None:
    """Epoch milliseconds from a comments.json ``created`` (epoch ms, as number or text, or ISO 8601)."""
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        pass
    try:
        return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _read_comments_json(text, conv: Conversation, problems: _Problems) -> None:
    """Read Pol.is's ``comments.json`` (the API's comments): the meta flags, and the comments when no CSV has them.

    Each item has ``tid`` (or ``statement_id``), ``txt``, ``is_meta``, ``mod`` (or ``moderated``), ``created`` and
    ``agree_count`` / ``disagree_count``. With a ``comments.csv`` beside it only ``is_meta`` is taken from here.
    """
    name = "comments.json"
    try:
        items = json.loads(text)
    except json.JSONDecodeError as err:
        problems.add(
            name,
            None,
            None,
            _("is not JSON ({error}).").format(error=err),
            _("Give the comments.json Pol.is wrote, or leave it out."),
        )
        return
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        problems.add(name, None, None, _("is not a list of comments."), _("Give the comments.json Pol.is wrote."))
        return
    merge = bool(conv.comments)
    for number, item in enumerate(items, start=1):
        tid = item.get("tid", item.get("statement_id"))
        if isinstance(tid, bool) or not isinstance(tid, int) or tid < 0:
            problems.add(
                name,
                number,
                "tid",
                _("{value} is not a comment id.").format(value=repr(str(tid)[:40])),
                _("Each comment needs its tid."),
            )
            continue
        is_meta = bool(item.get("is_meta"))
        if merge:
            if tid in conv.comments:
                conv.comments[tid].is_meta = is_meta
            continue
        body = _unneutralise(str(item.get("txt") or "").strip())
        moderated = item.get("mod", item.get("moderated", 1))
        if not body or len(body) > MAX_TEXT_CHARS or moderated not in (-1, 0, 1) or tid in conv.comments:
            problems.add(name, number, "txt", _("comment {id} is empty, too long, repeated or has an unknown mod.").format(id=tid),
                         _("Give the comments.json Pol.is wrote."))  # fmt: skip
            continue
        counts = (item.get("agree_count"), item.get("disagree_count"))
        stated = counts if all(isinstance(c, int) for c in counts) else None
        conv.comments[tid] = Comment(body, moderated, _json_time(item.get("created")), stated, is_meta)


def _read_votes(text, conv: Conversation, problems: _Problems) -> None:
    name = "votes.csv"
    header, rows = _rows(name, text, ("comment-id", "voter-id", "vote"), problems)
    latest: dict[tuple[int, int], tuple[tuple[int, int], int, int | None]] = {}
    for number, row in rows:
        tid = _int(name, number, row, "comment-id", problems)
        pid = _int(name, number, row, "voter-id", problems)
        vote = _int(name, number, row, "vote", problems, allowed=(-1, 0, 1))
        stamp = _int(name, number, row, "timestamp", problems, required=header is not None and "timestamp" in header)
        if len(problems) >= _MAX_PROBLEMS:
            return
        if None in (tid, pid, vote):
            continue
        order = (stamp if stamp is not None else 0, number)  # the latest by timestamp, then by row
        if (pid, tid) not in latest or order > latest[(pid, tid)][0]:
            latest[(pid, tid)] = (order, vote, stamp)
    conv.votes = {key: (vote, stamp) for key, (_, vote, stamp) in latest.items()}


def _read_participants_votes(text, conv: Conversation, problems: _Problems) -> None:
    name = "participants-votes.csv"
    header, rows = _rows(name, text, ("participant",), problems)
    if header is None:
        return
    columns = [c for c in header if re.fullmatch(r"\d+", c)]
    if not columns:
        problems.add(
            name, 1, None, _("has no comment columns."), _("Pol.is adds one column per comment id after n-disagree.")
        )
        return
    seen: set[int] = set()
    for number, row in rows:
        pid = _int(name, number, row, "participant", problems)
        if pid is None:
            continue
        if pid in seen:
            problems.add(
                name,
                number,
                "participant",
                _("participant {id} appears twice.").format(id=pid),
                _("Keep one row each."),
            )
            continue
        seen.add(pid)
        votes = {int(c): _int(name, number, row, c, problems, allowed=(-1, 0, 1), required=False) for c in columns}
        votes = {tid: v for tid, v in votes.items() if v is not None}
        counts = {"n-votes": len(votes), "n-agree": sum(v == 1 for v in votes.values())}
        counts["n-disagree"] = sum(v == -1 for v in votes.values())
        stated = {c: _int(name, number, row, c, problems, required=False) for c in counts if c in header}
        if stated.get("n-agree") == counts["n-disagree"] != counts["n-agree"] == stated.get("n-disagree"):
            problems.add(
                name,
                number,
                "n-agree",
                _(
                    "n-agree says {stated} but the row holds {agree} agree votes (1) and {disagree} disagree votes (-1):"
                    " the file codes votes with the inverted sign."
                ).format(stated=stated["n-agree"], agree=counts["n-agree"], disagree=counts["n-disagree"]),
                _("Export again from Pol.is, or multiply every vote by -1 (1 must mean agree)."),
            )
        else:
            for column, value in stated.items():
                if value is not None and value != counts[column]:
                    problems.add(
                        name,
                        number,
                        column,
                        _("says {stated} but the row holds {found}.").format(stated=value, found=counts[column]),
                        _("Give Pol.is's export unchanged."),
                    )
        for tid, vote in votes.items():
            conv.votes[(pid, tid)] = (vote, None)
        if len(problems) >= _MAX_PROBLEMS:
            return


def _check_sign(conv: Conversation, comments_header_has_counts: bool, problems: _Problems) -> None:
    """Refuse votes whose agree/disagree tallies fit the comments' ``agrees``/``disagrees`` only when inverted."""
    if not comments_header_has_counts or not conv.votes:
        return
    tally: dict[int, list[int]] = {}
    for (_pid, tid), (vote, _stamp) in conv.votes.items():
        counts = tally.setdefault(tid, [0, 0])
        if vote:
            counts[0 if vote == 1 else 1] += 1
    stated = {tid: c.stated for tid, c in conv.comments.items() if c.stated}
    direct = sum(tally.get(t, [0, 0]) == list(s) for t, s in stated.items())
    inverted = sum(tally.get(t, [0, 0])[::-1] == list(s) for t, s in stated.items())
    if stated and inverted > direct and inverted * 2 >= len(stated):
        problems.add(
            "votes.csv",
            None,
            "vote",
            ngettext(
                "the votes fit the agrees/disagrees of comments.csv only with the sign inverted ({inverted} of {n}"
                " comments, against {direct} as written).",
                "the votes fit the agrees/disagrees of comments.csv only with the sign inverted ({inverted} of {n}"
                " comments, against {direct} as written).",
                len(stated),
            ).format(inverted=figure(inverted), n=figure(len(stated)), direct=figure(direct)),
            _("Code votes as Pol.is's CSV export does: 1 agree, -1 disagree, 0 pass (multiply every vote by -1)."),
        )


def read_polis(files: dict[str, bytes] | Path | str) -> Conversation:
    r"""Read and check a Pol.is export without writing anything; raise :class:`IngestError` listing every problem.

    Parameters
    ----------
    files : dict of str to bytes, or Path
        File name → content, or the export's folder. ``votes.csv`` (with ``comments.csv`` for the texts) is read
        when present, else ``participants-votes.csv``; ``summary.csv`` and ``conversation.json`` are optional.

    Examples
    --------
    >>> conv = read_polis({"votes.csv": b"timestamp,comment-id,voter-id,vote\n1,0,4,1\n2,0,4,-1\n1,1,4,0\n"})
    >>> conv.votes, conv.participants, sorted(conv.comments)
    ({(4, 0): (-1, 2), (4, 1): (0, 1)}, [4], [0, 1])
    """
    found, folder_name = _collect(files)
    problems = _Problems()
    for name in KNOWN_FILES:
        if f"{name}#size" in found:
            size = int(found.pop(f"{name}#size"))
            problems.add(
                name,
                None,
                None,
                _("is {size} bytes; the limit is {limit}.").format(size=figure(size), limit=figure(MAX_FILE_BYTES)),
                _("Split it."),
            )
            found.pop(name)
    if not {"comments.csv", "votes.csv", "participants-votes.csv"} & set(found) and not problems:
        raise IngestError(
            [
                Problem(
                    "(export)",
                    None,
                    None,
                    None,
                    (
                        _("holds none of comments.csv, votes.csv, participants-votes.csv (found: {files}).").format(
                            files=", ".join(found)
                        )
                        if found
                        else _("holds none of comments.csv, votes.csv, participants-votes.csv (found: nothing).")
                    ),
                    _("Give the files of Pol.is's CSV export under their own names."),
                )
            ]
        )
    conv = Conversation(name=folder_name or "conversation")
    texts = {name: _text(name, found[name], problems) for name in KNOWN_FILES if name in found}
    if texts.get("conversation.json"):
        try:
            meta = json.loads(texts["conversation.json"])
            conv.name = str(meta.get("conversation_id") or conv.name)
            conv.topic, conv.description = meta.get("topic"), meta.get("description")
            conv.strict_moderation = bool(meta.get("strict_moderation"))
        except (json.JSONDecodeError, AttributeError) as err:
            problems.add(
                "conversation.json",
                None,
                None,
                _("is not a JSON object ({error}).").format(error=err),
                _("Leave it out or fix it."),
            )
    if texts.get("summary.csv"):
        summary = {r[0].strip(): r[1].strip() for r in csv.reader(io.StringIO(texts["summary.csv"])) if len(r) >= 2}
        conv.topic = conv.topic or summary.get("topic")
        conv.description = conv.description or summary.get("conversation-description") or None
        if summary.get("url") and "conversation.json" not in texts:
            conv.name = summary["url"].rstrip("/").rsplit("/", 1)[-1] or conv.name
    conv.name = re.sub(r"[^A-Za-z0-9._-]+", "-", conv.name)[:60] or "conversation"
    counted = False
    if texts.get("comments.csv") is not None:
        _read_comments(texts["comments.csv"], conv, problems)
        conv.read_from.append("comments.csv")
        header = next(csv.reader(io.StringIO(texts["comments.csv"])), [])
        counted = {"agrees", "disagrees"} <= {h.strip().lower() for h in header}
        if counted:
            rows = csv.DictReader(io.StringIO(texts["comments.csv"], newline=""))
            for row in rows:
                try:
                    conv.comments[int(row["comment-id"])].stated = (int(row["agrees"]), int(row["disagrees"]))
                except (KeyError, ValueError, TypeError):
                    pass
    if texts.get("comments.json") is not None:
        _read_comments_json(texts["comments.json"], conv, problems)
        conv.read_from.append("comments.json")
        counted = counted or any(c.stated for c in conv.comments.values())
    if texts.get("votes.csv") is not None:
        _read_votes(texts["votes.csv"], conv, problems)
        conv.read_from.append("votes.csv")
    elif texts.get("participants-votes.csv") is not None:
        _read_participants_votes(texts["participants-votes.csv"], conv, problems)
        conv.read_from.append("participants-votes.csv")
    if {"comments.csv", "comments.json"} & set(conv.read_from):
        unknown = sorted({tid for _, tid in conv.votes} - set(conv.comments))
        if unknown and not problems:
            problems.add(
                conv.read_from[-1],
                None,
                "comment-id",
                ngettext(
                    "votes on comment(s) {ids} that comments.csv does not have.",
                    "votes on comment(s) {ids} that comments.csv does not have.",
                    len(unknown),
                ).format(ids=", ".join(map(str, unknown[:10]))),
                _("Give the comments.csv of the same export."),
            )
        _check_sign(conv, counted, problems)
    else:
        for tid in sorted({tid for _, tid in conv.votes}):
            conv.comments[tid] = Comment(f"Pol.is comment {tid} (its text is not in the export)")
    if problems:
        raise IngestError(problems)
    return conv
