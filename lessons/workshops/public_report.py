"""A workshop's public report: publishing it, the facilitator's responses, and the numbers it shows. UI-free.

The facilitator publishes the report (:func:`publish_report`, ``workshop.manage``) and answers each statement and
participant suggestion in writing (:func:`respond`). :func:`public_report` gathers what anyone may then see:

* per statement: agree / disagree / pass, n and the 95% Wilson interval of the share agreeing, mean importance
  with the number of ratings, and whether it is a consensus, divisive or uncertain statement
  (:func:`lessons.workshops.analysis.results`, on the latest round with votes);
* the opinion groups and their representative statements;
* the declared stakeholder groups under the privacy rule (:mod:`lessons.privacy`): groups as
  :func:`~lessons.workshops.grouping.shown_groups` pools them (nobody shown under k = 5), and a group's votes on
  a statement only where it holds at least k votes and what the shown groups leave out is 0 or at least k
  (:func:`lessons.privacy.remainder_ok`);
* each Delphi round and how far opinion converged (:func:`lessons.workshops.analysis.convergence`);
* what happened next: the status each lesson took with this workshop as evidence (``lesson_status_history``), the
  verdict on each model element's statement (:func:`lessons.workshops.outcomes.outcome`; elements have no status
  of their own), the fate of each participant suggestion and the facilitator's response to every statement.

A workshop with fewer than k participants (:func:`lessons.privacy.publishable`) shows no vote counts at all.
Participants' ids and tokens never appear in the report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlite_utils import Database

from lessons.audit import record
from lessons.i18n import N_, _, number
from lessons.permissions import Actor, authorize
from lessons.privacy import k_threshold, publishable, remainder_ok
from lessons.store import frame
from lessons.text import clean_text
from lessons.workshops.analysis import results
from lessons.workshops.outcomes import outcome
from lessons.workshops.preparation import _translations
from lessons.workshops.rooms import WorkshopError, _workshop
from lessons.workshops.voting import _suggester

__all__ = [
    "MAX_RESPONSE_CHARS",
    "VERDICT_RULES",
    "own_view",
    "public_report",
    "publish_report",
    "published_at",
    "respond",
]

#: The longest response a facilitator may write.
MAX_RESPONSE_CHARS = 2000
#: The thresholds the report's verdict on a model element's statement uses (those of ``apply_results``).
VERDICT_RULES = {"agree_threshold": 0.7, "disagree_threshold": 0.3, "min_votes": 5}
#: A participant who gave no sector, as the report's stakeholder tables name them (never the code "undeclared").
NO_SECTOR = N_("No sector given")
#: What became of a participant's suggestion, by its moderation.
FATES = {
    "approved": N_("approved: put to the vote"),
    "rejected": N_("not put to the vote"),
    "pending": N_("not yet decided"),
}


def publish_report(db: Database, actor: Actor | None, code: str, published: bool = True) -> str | None:
    """Publish workshop ``code``'s public report, or withdraw it with ``published=False``.

    Facilitators and admins may (``workshop.manage``); audited as ``workshop.publish`` or ``workshop.unpublish``.

    Parameters
    ----------
    db : Database
        The store.
    actor : Actor or None
        Who publishes.
    code : str
        The workshop's join code.
    published : bool, default True
        True to publish, False to withdraw.

    Returns
    -------
    str or None
        When the report was published (ISO 8601, UTC), or None once withdrawn.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> from lessons.permissions import cli_actor
    >>> from lessons.workshops import create_workshop
    >>> db = open_memory_store()
    >>> code = create_workshop(db, cli_actor(), "Validation")
    >>> publish_report(db, cli_actor(), code) is not None, published_at(db, code) is not None
    (True, True)
    >>> publish_report(db, cli_actor(), code, published=False), published_at(db, code)
    (None, None)
    """
    authorize(actor, "workshop.manage")
    with db.atomic():
        workshop = _workshop(db, code)
        db.execute(
            "UPDATE workshops SET published_at = CASE WHEN ? THEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now') END "
            "WHERE id = ?",
            [int(bool(published)), workshop["id"]],
        )
        record(
            db, actor, "workshop.publish" if published else "workshop.unpublish", object_type="workshop",
            object_id=workshop["code"], rows=1,
        )  # fmt: skip
    return published_at(db, code)


def published_at(db: Database, code: str) -> str | None:
    """Return when workshop ``code``'s report was published, or None when it is not (or there is no such workshop).

    >>> from lessons.store import open_memory_store
    >>> published_at(open_memory_store(), "NOSUCH")
    """
    row = db.execute("SELECT published_at FROM workshops WHERE code = ?", [str(code).strip().upper()]).fetchone()
    return row[0] if row else None


def respond(db: Database, actor: Actor | None, code: str, statement_key: str, text: str) -> None:
    """Write the facilitator's response to a statement or a participant's suggestion; empty text removes it.

    The text is stored as plain text (:func:`lessons.text.clean_text`), at most :data:`MAX_RESPONSE_CHARS`
    characters, with the role of who wrote it and not their account. Facilitators and admins may
    (``workshop.manage``); audited as ``workshop.respond``.

    Parameters
    ----------
    db : Database
        The store.
    actor : Actor or None
        Who responds.
    code : str
        The workshop's join code.
    statement_key : str
        The statement's key within the workshop (``S01``…).
    text : str
        The response.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> from lessons.permissions import cli_actor
    >>> from lessons.workshops import add_statements, create_workshop
    >>> db = open_memory_store()
    >>> code = create_workshop(db, cli_actor(), "Validation")
    >>> add_statements(db, cli_actor(), code, texts=["Budgets should follow the pilots"])
    ['S01']
    >>> respond(db, cli_actor(), code, "S01", "  We will <b>fund</b> two pilots.  ")
    >>> db.execute("SELECT response, responded_by_role FROM statement_responses").fetchall()
    [('We will <b>fund</b> two pilots.', 'admin')]
    """
    authorize(actor, "workshop.manage")
    cleaned = clean_text(text).strip()
    if len(cleaned) > MAX_RESPONSE_CHARS:
        raise WorkshopError(
            _("A response may hold at most {n} characters; this one has {length}.").format(
                n=number(MAX_RESPONSE_CHARS), length=number(len(cleaned))
            )
        )
    with db.atomic():
        workshop = _workshop(db, code)
        row = db.execute(
            "SELECT id FROM statements WHERE workshop_id = ? AND key = ?", [workshop["id"], str(statement_key)]
        ).fetchone()
        if row is None:
            raise WorkshopError(
                _("The workshop {code} has no statement {key}.").format(code=workshop["code"], key=statement_key)
            )
        if cleaned:
            db.execute(
                """INSERT INTO statement_responses (statement_id, response, responded_by_role) VALUES (?, ?, ?)
                   ON CONFLICT (statement_id) DO UPDATE SET response = excluded.response,
                       responded_by_role = excluded.responded_by_role,
                       responded_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')""",
                [row[0], cleaned, actor.role],
            )
        else:
            db.execute("DELETE FROM statement_responses WHERE statement_id = ?", [row[0]])
        record(
            db, actor, "workshop.respond", object_type="workshop", object_id=workshop["code"], rows=1,
            detail={"statement": str(statement_key), "removed": not cleaned},
        )  # fmt: skip


def _importance(db: Database, workshop_id: int, round: int) -> pd.DataFrame:
    return frame(
        db,
        """SELECT s.id AS statement_id, avg(v.importance) AS importance, count(v.importance) AS importance_n
           FROM statements s JOIN votes v ON v.statement_id = s.id AND v.round = ?
           WHERE s.workshop_id = ? GROUP BY s.id""",
        [round, workshop_id],
    )


def _stakeholder_votes(analysed: dict | None, k: int) -> pd.DataFrame:
    """Keep the shown stakeholder groups' votes per statement only where nobody can be singled out."""
    columns = ["statement_id", "stakeholder_group", "n", "agree", "disagree", "pass", "agree_share"]
    if not analysed or analysed["stakeholder_votes"].empty:
        return pd.DataFrame(columns=columns)
    votes = analysed["stakeholder_votes"]
    totals = analysed["statements"].set_index("statement_id")["n"]
    safe = {
        statement_id
        for statement_id, rows in votes.groupby("statement_id")
        if remainder_ok(int(totals[statement_id]), [int(n) for n in rows["n"]], k)
    }
    return votes[votes["statement_id"].isin(safe)][columns].reset_index(drop=True)


def _history(db: Database, code: str, shown: bool) -> pd.DataFrame:
    out = frame(
        db,
        """SELECT l.id AS lesson_id, l.title AS lesson, p.name AS pilot, h.status_before, h.status, h.reason, h.round,
                  h.agree, h.disagree, h.pass, h.n, substr(h.at, 1, 10) AS day
           FROM lesson_status_history h JOIN lessons l ON l.id = h.lesson_id JOIN pilots p ON p.id = l.pilot_id
           WHERE h.workshop = ? ORDER BY h.id""",
        [code],
    )
    if not shown:
        out[["agree", "disagree", "pass", "n"]] = None
    return out


def _numbered(reason, numbers: pd.Series):
    """Word a workshop's reason (``statement S01: agreed``) with the statement's number, as the report numbers them.

    >>> _numbered("statement S01: agreed", pd.Series({"S01": 3}))
    'statement 3: agreed'
    """
    if not isinstance(reason, str) or not reason.startswith("statement "):
        return reason
    key, _colon, verdict = reason[len("statement ") :].partition(":")
    if key not in numbers:
        return reason
    return _("statement {n}: {verdict}").format(n=numbers[key], verdict=_(verdict.strip()))


def _elements(statements: pd.DataFrame) -> pd.DataFrame:
    columns = ["number", "element", "agree", "disagree", "pass", "n", "verdict"]
    rows = statements[statements["source"] == "element"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    out = rows.assign(element=rows["text"])
    out["verdict"] = [
        outcome(int(a), int(d), **VERDICT_RULES) if pd.notna(a) else N_("not shown")
        for a, d in zip(out["agree"], out["disagree"])
    ]
    return out[columns].reset_index(drop=True)


def public_report(db: Database, code: str, *, language: str | None = None) -> dict:
    """Gather the numbers of workshop ``code``'s public report (see the module docstring for what and why).

    Parameters
    ----------
    db : Database
        The store.
    code : str
        The workshop's join code.
    language : str, optional
        Word each statement in this language where it has a translation (its original text otherwise); the
        figures are the statement's, whatever language its voters read it in.

    Returns
    -------
    dict
        ``workshop`` (a dict: code, title, status, current_round, round (the one reported), participants,
        published_at, shown (False when it has fewer than k participants and no votes may be shown), k);
        ``statements`` (number, statement_id, key, text, source, lesson_id, n, agree, disagree, pass, agree_share, agree_low,
        agree_high, importance, importance_n, consensus, consensus_for, divisive, uncertain, response);
        ``consensus``, ``divisive``, ``uncertain`` (those statements, strongest first); ``groups`` (group,
        participants); ``representative`` (group, number, text, repful_for, share, significant);
        ``stakeholder_groups`` (stakeholder_group, participants); ``stakeholder_votes``; ``rounds`` (the
        convergence table); ``lessons`` (the lesson status changes this workshop was evidence for); ``elements``
        (verdicts on model elements' statements); ``suggestions`` (number, key, text — only when approved, fate, response).

    Raises
    ------
    WorkshopError
        When there is no such workshop.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> from lessons.permissions import cli_actor
    >>> from lessons.workshops import create_workshop
    >>> db = open_memory_store()
    >>> report = public_report(db, create_workshop(db, cli_actor(), "Validation"))
    >>> report["workshop"]["participants"], report["workshop"]["shown"], len(report["statements"])
    (0, True, 0)
    """
    workshop = _workshop(db, code)
    code = workshop["code"]
    k = k_threshold()
    participants = db.execute("SELECT count(*) FROM participants WHERE workshop_id = ?", [workshop["id"]]).fetchone()[0]
    shown = participants == 0 or publishable(participants, k)
    analysed = results(db, code, store=False)
    round_ = int(analysed["summary"]["round"].iloc[0])
    statements = analysed["statements"].copy()
    statements.insert(0, "number", np.arange(1, len(statements) + 1))
    translated = _translations(db, workshop["id"]) if language else {}
    worded = {i: texts[language] for i, texts in translated.items() if language in texts}
    statements["text"] = [worded.get(i, t) for i, t in zip(statements["statement_id"], statements["text"])]
    importance = _importance(db, workshop["id"], round_).set_index("statement_id")
    statements["importance"] = statements["statement_id"].map(importance["importance"]).astype(float)
    statements["importance_n"] = statements["statement_id"].map(importance["importance_n"]).fillna(0).astype(int)
    responses = frame(
        db,
        """SELECT r.statement_id, r.response FROM statement_responses r JOIN statements s ON s.id = r.statement_id
           WHERE s.workshop_id = ?""",
        [workshop["id"]],
    ).set_index("statement_id")["response"]
    statements["response"] = statements["statement_id"].map(responses)
    counts = ["n", "agree", "disagree", "pass", "agree_share", "agree_low", "agree_high", "importance"]
    if not shown:
        statements[counts] = np.nan
        statements["importance_n"] = 0
        statements[["consensus", "divisive", "uncertain"]] = False
    numbers = statements.set_index("statement_id")["number"]
    columns = [
        "number", "statement_id", "key", "text", "source", "lesson_id", "n", "agree", "disagree", "pass", "agree_share",
        "agree_low", "agree_high", "importance", "importance_n", "consensus", "consensus_for", "divisive",
        "uncertain", "response",
    ]  # fmt: skip
    statements = statements[columns]

    def flagged(name: str) -> pd.DataFrame:
        ids = analysed[name]["statement_id"] if shown else []
        return statements.set_index("statement_id").loc[list(ids)].reset_index()[columns]

    representative = analysed["representative"] if shown else analysed["representative"].iloc[0:0]
    representative = pd.DataFrame(
        {
            "group": representative["group"],
            "number": representative["statement_id"].map(numbers),
            "text": [worded.get(i, t) for i, t in zip(representative["statement_id"], representative["text"])],
            "repful_for": representative["repful_for"],
            "share": representative["p_success"],
            "significant": representative["significant"],
        }
    ).reset_index(drop=True)
    suggestions = frame(
        db,
        """SELECT s.id AS statement_id, s.key, s.text, s.moderation, r.response FROM statements s
           LEFT JOIN statement_responses r ON r.statement_id = s.id
           WHERE s.workshop_id = ? AND s.source = 'participant' ORDER BY coalesce(s.position, s.id), s.id""",
        [workshop["id"]],
    )
    suggestions["text"] = [worded.get(i, t) for i, t in zip(suggestions["statement_id"], suggestions["text"])]
    suggestions["number"] = suggestions["statement_id"].map(numbers).astype("Int64")
    suggestions["fate"] = suggestions["moderation"].map(lambda m: _(FATES[m]) if m in FATES else m)
    # Text nobody vetted is not published (as in the data bundle): only approved suggestions show their words.
    suggestions.loc[suggestions["moderation"] != "approved", "text"] = _(
        "(not shown: the facilitator did not approve it)"
    )
    rounds = analysed["convergence"] if shown else analysed["convergence"].iloc[0:0]
    sectors = {**dict(db.execute("SELECT code, name FROM sectors").fetchall()), "undeclared": _(NO_SECTOR)}
    stakeholder_groups = analysed["stakeholder_groups"] if shown else analysed["stakeholder_groups"].iloc[0:0]
    stakeholder_groups = stakeholder_groups.assign(
        stakeholder_group=stakeholder_groups["stakeholder_group"].map(lambda g: sectors.get(g, g))
    )
    stakeholder_votes = _stakeholder_votes(analysed if shown else None, k)
    stakeholder_votes["stakeholder_group"] = stakeholder_votes["stakeholder_group"].map(lambda g: sectors.get(g, g))
    history = _history(db, code, shown)
    keys = statements.set_index("key")["number"]
    history["reason"] = history["reason"].map(lambda r: _numbered(r, keys))
    return {
        "workshop": {
            "code": code,
            "title": workshop["title"],
            "status": workshop["status"],
            "current_round": workshop["current_round"],
            "round": round_,
            "participants": participants,
            "published_at": workshop["published_at"],
            "shown": shown,
            "k": k,
        },
        "statements": statements,
        "consensus": flagged("consensus"),
        "divisive": flagged("divisive"),
        "uncertain": flagged("uncertain"),
        "groups": analysed["groups"] if shown else analysed["groups"].iloc[0:0],
        "representative": representative,
        "stakeholder_groups": stakeholder_groups,
        "stakeholder_votes": stakeholder_votes,
        "rounds": rounds.reset_index(drop=True),
        "lessons": history,
        "elements": _elements(statements),
        "suggestions": suggestions[["number", "key", "text", "fate", "response"]],
    }


_VOTE_WORDS = {1: N_("agree"), -1: N_("disagree"), 0: N_("pass"), None: N_("not voted")}


def own_view(db: Database, token: str) -> dict | None:
    """Gather what one participant may see of their own part in a workshop, from their secret token.

    Parameters
    ----------
    db : Database
        The store.
    token : str
        The participant's secret token.

    Returns
    -------
    dict or None
        None for an unknown token; else ``code``, ``suggestions`` (key, text, fate, response: the statements this
        participant suggested, found through the audit log's hash of their token) and ``group`` (None unless
        their votes fall in an opinion group of at least k people; else a dict: ``group`` (letter), ``people``
        and ``statements`` — the group's representative statements with the share of the group and how this
        participant voted on each). Shown only to that participant.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> own_view(open_memory_store(), "no-such-token")
    """
    person = db.execute(
        "SELECT p.id, w.code, w.id FROM participants p JOIN workshops w ON w.id = p.workshop_id WHERE p.token = ?",
        [str(token or "")],
    ).fetchone()
    if person is None:
        return None
    participant_id, code, workshop_id = person
    suggestions = frame(
        db,
        """SELECT s.key, s.text, s.moderation, r.response FROM audit_log a
           JOIN statements s ON s.workshop_id = ? AND s.key = json_extract(a.detail, '$.statement')
           LEFT JOIN statement_responses r ON r.statement_id = s.id
           WHERE a.action = 'workshop.suggest' AND a.object_id = ? AND json_extract(a.detail, '$.workshop') = ?
           ORDER BY a.id""",
        [workshop_id, _suggester(str(token)), code],
    )
    suggestions["fate"] = suggestions["moderation"].map(lambda m: _(FATES[m]) if m in FATES else m)
    return {
        "code": code,
        "suggestions": suggestions[["key", "text", "fate", "response"]],
        "group": _where_they_sit(db, code, participant_id),
    }


def _where_they_sit(db: Database, code: str, participant_id: int) -> dict | None:
    analysed = results(db, code, store=False)
    people = analysed["participants"]
    mine = people[people["participant_id"] == participant_id]
    if mine.empty or not isinstance(mine["group"].iloc[0], str):
        return None
    letter = mine["group"].iloc[0]
    size = int((people["group"] == letter).sum())
    if size < k_threshold():
        return None
    round_ = int(analysed["summary"]["round"].iloc[0])
    votes = dict(
        db.execute(
            "SELECT statement_id, value FROM votes WHERE participant_id = ? AND round = ?", [participant_id, round_]
        ).fetchall()
    )
    rep = analysed["representative"]
    rep = rep[rep["group"] == letter]
    statements = pd.DataFrame(
        {
            "text": rep["text"],
            "group_tended_to": rep["repful_for"].map(lambda v: _(v) if v in ("agree", "disagree") else v),
            "share_of_group": rep["p_success"],
            "your_vote": rep["statement_id"].map(lambda s: _(_VOTE_WORDS[votes.get(int(s))])),
        }
    ).reset_index(drop=True)
    return {"group": letter, "people": size, "statements": statements}
