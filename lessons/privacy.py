"""The one privacy rule for every public output: nobody can be singled out.

Workshop participants are anonymous, but what they declare when they join (stakeholder group, pilot, country) and
when they were active are *quasi-identifiers*: together they can point to one person ("the one citizen from
Austria"), and that person's votes would then be theirs. Every output anyone but an administrator can see — the
pages, the results JSON, the command line, the briefs, the bundle, its data package and the Pol.is export — goes
through this module, so one rule holds everywhere:

**k-anonymity, k = 5** (:func:`k_threshold`; ``LESSONS_PRIVACY_K`` raises it, never lowers it).

* **Breakdowns by a declared attribute** (:func:`pooled`): a value held by fewer than k participants is never shown
  alone. Small values are pooled together, and when the pool itself would hold 1 to k - 1 people the next smallest
  values join it until it holds at least k. So every shown group holds at least k people *and* what the shown
  groups leave out of the total is 0 or at least k: subtracting the shown groups from the total reveals nobody.
* **Per-participant records** (:func:`published_participants`): the same pooling, nested — first by stakeholder
  group, then within each group by pilot, then by country, then by when they were active. At each level a value
  held by fewer than k of the people in that branch is suppressed (published empty), with the next smallest values
  added until the suppressed set holds at least k. Times are rounded to the day; the pooled people at the time
  level share one day range (ISO 8601 interval ``2026-03-02/2026-03-05``). Every published combination of
  attributes then holds at least k people, and because every breakdown is a union of the same nested sets, no
  difference between two published figures isolates fewer than k people either.
* **Workshops with fewer than k participants** (:func:`publishable`): nothing per participant is published, and
  their vote counts are not shown in public outputs (a count among three known people is their votes).
* **Facilitator-only fields** (a workshop's ``purpose``) stay out of public files.

Administrators keep a full export behind sign-in (:func:`personal_data_export`), marked as personal data.

Examples
--------
>>> pooled(["public"] * 6 + ["citizens"] * 3 + ["private"] * 5, k=5)
['public', 'public', 'public', 'public', 'public', 'public', None, None, None, None, None, None, None, None]
"""

from __future__ import annotations

import io
import os
import zipfile
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from datetime import UTC, datetime

import pandas as pd
from sqlite_utils import Database

from lessons.audit import record
from lessons.exports import to_csv
from lessons.i18n import N_
from lessons.permissions import Actor, authorize

#: The smallest number of people any published figure or combination may describe.
K = 5
#: The declared attributes of a participant, most valuable first (suppressed last).
ATTRIBUTES = ("stakeholder_group", "pilot_id", "country")
#: What a breakdown calls the pooled values.
POOLED = N_("Other groups, pooled (none shown under {k} people)")


def k_threshold() -> int:
    """Return the k in force: 5, or a larger whole number from ``LESSONS_PRIVACY_K`` (smaller, invalid values ignored).

    >>> k_threshold()
    5
    """
    raw = os.environ.get("LESSONS_PRIVACY_K", "").strip()
    try:
        return max(K, int(raw))
    except ValueError:
        return K


def pooled(values: Sequence[Hashable], k: int | None = None) -> list:
    """Each member's value as a breakdown may show it: its own value when held by at least ``k`` members, else None.

    The values held by fewer than ``k`` members are pooled (None); when that pool holds 1 to k - 1 members, the
    next smallest values join it until it holds at least ``k`` (or everything is pooled). So each value shown
    describes at least ``k`` members and the pool is empty or holds at least ``k``. Ties in size are broken by
    the value's text, so the outcome is deterministic.

    Parameters
    ----------
    values : sequence
        One value per member (None is a value of its own: "not declared").
    k : int, optional
        The threshold (:func:`k_threshold` when omitted).

    Returns
    -------
    list
        One entry per member: the value shown, or None where it is pooled.

    Examples
    --------
    >>> pooled(["a"] * 5 + ["b"] * 4, k=5)  # b alone would be total minus a: a joins the pool
    [None, None, None, None, None, None, None, None, None]
    >>> pooled(["a"] * 5 + ["b"] * 4 + ["c"] * 2, k=5)
    ['a', 'a', 'a', 'a', 'a', None, None, None, None, None, None]
    >>> pooled(["a"] * 3, k=5)
    [None, None, None]
    """
    k = k_threshold() if k is None else k
    sizes = Counter(values)
    order = sorted(sizes, key=lambda v: (sizes[v], str(v)))
    pool = {v for v in order if sizes[v] < k}
    held = sum(sizes[v] for v in pool)
    for value in order:
        if held == 0 or held >= k:
            break
        if value not in pool:
            pool.add(value)
            held += sizes[value]
    return [None if v in pool else v for v in values]


def shown_label(values: Sequence[Hashable], k: int | None = None, *, undeclared: str = "undeclared") -> list:
    """Label :func:`pooled` for a breakdown table.

    Missing values become ``undeclared``, the pool :data:`POOLED`; None when everything is pooled and the pool is
    smaller than k (nothing can be shown).

    >>> shown_label(["public"] * 5 + [None] * 5 + ["private"] * 2 + ["research"] * 3, k=5)[-6:]
    ['undeclared', 'Other groups, pooled (none shown under 5 people)', 'Other groups, pooled (none shown under 5 people)', 'Other groups, pooled (none shown under 5 people)', 'Other groups, pooled (none shown under 5 people)', 'Other groups, pooled (none shown under 5 people)']
    """
    k = k_threshold() if k is None else k
    labels = [undeclared if v is None or (isinstance(v, float) and pd.isna(v)) else v for v in values]
    shown = pooled(labels, k)
    pool = sum(s is None for s in shown)
    other = POOLED.format(k=k) if pool >= k else None
    return [other if s is None else s for s in shown]


def remainder_ok(total: int, shown: Sequence[int], k: int | None = None) -> bool:
    """Tell whether a breakdown with these shown sizes may be published.

    Each must be at least k, and the total minus them 0 or at least k.

    >>> remainder_ok(12, [5, 5]), remainder_ok(12, [5, 6]), remainder_ok(12, [4, 8])
    (False, False, False)
    >>> remainder_ok(15, [5, 5]), remainder_ok(10, [5, 5])
    (True, True)
    """
    k = k_threshold() if k is None else k
    rest = total - sum(shown)
    return all(s >= k for s in shown) and (rest == 0 or rest >= k)


def publishable(participants: int, k: int | None = None) -> bool:
    """Whether a workshop with this many participants may have its votes shown publicly (at least k).

    >>> publishable(4), publishable(5)
    (False, True)
    """
    return participants >= (k_threshold() if k is None else k)


# --- Per-participant records ---------------------------------------------------------------------------------------


def _span(days: set[str]) -> str:
    first, last = min(days), max(days)
    return first if first == last else f"{first}/{last}"


def _nest(people: list[dict], levels: Sequence[str], k: int) -> None:
    """Suppress values level by level so every branch of the tree holds at least k people (``people`` has >= k)."""
    if not levels:
        return
    level, rest = levels[0], levels[1:]
    if level == "time":
        shown = pooled([p["time"] for p in people], k)
        pool = [p for p, s in zip(people, shown) if s is None]
        if pool:
            span = _span({d for p in pool for d in p["days"]})
            for p in pool:
                p["period"] = span
        return
    shown = pooled([p[level] for p in people], k)
    branches: dict = defaultdict(list)
    for person, value in zip(people, shown):
        person[level] = value
        branches[value].append(person)
    for members in branches.values():
        _nest(members, rest, k)


def generalise(people: pd.DataFrame, k: int | None = None) -> pd.DataFrame:
    """Generalise one workshop's participants so every combination of published attributes holds >= k people.

    Parameters
    ----------
    people : DataFrame
        One row per participant: ``id``, the :data:`ATTRIBUTES` and ``days`` (the set of ISO days on which the
        participant joined or voted).
    k : int, optional
        The threshold (:func:`k_threshold` when omitted).

    Returns
    -------
    DataFrame
        ``id``, the attributes as published (None where suppressed), ``period`` (None where the participant's
        times are published rounded to the day; the day range shared by their pool where those days would single
        them out) and ``withheld`` (True for every participant of a workshop with fewer than k: no record of
        theirs is published).

    Examples
    --------
    >>> people = pd.DataFrame({"id": range(7), "stakeholder_group": ["public"] * 6 + ["citizens"],
    ...     "pilot_id": [1] * 7, "country": ["FI"] * 6 + ["AT"], "days": [{"2026-03-02"}] * 6 + [{"2026-03-03"}]})
    >>> generalise(people, 5)[["stakeholder_group", "country", "period"]].drop_duplicates().values.tolist()
    [[None, None, '2026-03-02/2026-03-03']]
    """
    k = k_threshold() if k is None else k
    records = [
        {"id": int(r["id"]), **{a: _plain(r[a]) for a in ATTRIBUTES}, "days": set(r["days"])}
        for r in people.to_dict("records")
    ]
    out = pd.DataFrame(_generalised(records, k), columns=["id", *ATTRIBUTES, "period", "withheld"])
    return out.astype(object).assign(withheld=len(records) < k)


def _generalised(people: list[dict], k: int) -> list[dict]:
    """:func:`generalise` on plain records (``id``, the attributes, ``days``), returning plain records."""
    rows = [{**p, "time": ",".join(sorted(p["days"])), "period": None} for p in people]
    withheld = len(rows) < k
    if not withheld:
        _nest(rows, [*ATTRIBUTES, "time"], k)
    blank = dict.fromkeys([*ATTRIBUTES, "period"])
    return [
        {"id": r["id"], **(blank if withheld else {a: r[a] for a in [*ATTRIBUTES, "period"]}), "withheld": withheld}
        for r in rows
    ]


def _activity(db: Database, workshop_id: int | None = None) -> list[dict]:
    where, params = ("WHERE p.workshop_id = ?", [workshop_id]) if workshop_id is not None else ("", [])
    rows = db.execute(
        f"""SELECT p.id, p.workshop_id, p.stakeholder_group, p.pilot_id, p.country, substr(p.joined_at, 1, 10)
            FROM participants p {where} ORDER BY p.workshop_id, p.id""",
        params,
    ).fetchall()
    days: dict[int, set[str]] = defaultdict(set)
    for pid, day in db.execute(
        f"""SELECT DISTINCT v.participant_id, substr(v.voted_at, 1, 10)
            FROM votes v JOIN participants p ON p.id = v.participant_id {where}""",
        params,
    ):
        days[pid].add(day)
    return [
        {
            "id": pid,
            "workshop_id": workshop_id,
            "stakeholder_group": group,
            "pilot_id": pilot_id,
            "country": country,
            "days": days[pid] | {joined},
        }
        for pid, workshop_id, group, pilot_id, country, joined in rows
    ]


def published_participants(db: Database, k: int | None = None, *, workshop_id: int | None = None) -> pd.DataFrame:
    """Describe every participant (of one workshop, or of all) as public outputs may.

    Each is generalised by :func:`generalise`, workshop by workshop.

    Returns
    -------
    DataFrame
        ``id``, ``workshop_id``, the attributes as published, ``period`` and ``withheld``.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> published_participants(open_memory_store()).columns.tolist()
    ['id', 'workshop_id', 'stakeholder_group', 'pilot_id', 'country', 'period', 'withheld']
    """
    k = k_threshold() if k is None else k
    by_workshop: dict[int, list[dict]] = defaultdict(list)
    for person in _activity(db, workshop_id):
        by_workshop[person["workshop_id"]].append(person)
    records = [
        {"workshop_id": workshop, **row}
        for workshop, members in sorted(by_workshop.items())
        for row in _generalised(members, k)
    ]
    columns = ["id", "workshop_id", *ATTRIBUTES, "period", "withheld"]
    return pd.DataFrame(records, columns=columns).astype(object)


def _plain(value):
    """None for a missing value (pandas may hold None as NaN)."""
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def anonymise_copy(conn, k: int | None = None) -> dict:
    """Apply the rule to a *copy* of the store about to be published (a ``sqlite3`` connection, in a transaction).

    Participants' attributes are generalised, their ``joined_at`` and every vote's ``voted_at`` replaced by the
    published time (their day, or their pool's day range), the participants of workshops with fewer than k
    people deleted with their votes (and their vote counts emptied in ``lesson_status_history``), and each
    workshop's facilitator-only ``purpose`` emptied.

    Returns
    -------
    dict
        ``participants`` kept, ``withheld`` participants removed, ``suppressed`` attribute values emptied.
    """
    k = k_threshold() if k is None else k
    conn.execute(  # the lifecycle's evidence: no counts of a workshop too small to show (before its people go)
        f"""UPDATE lesson_status_history SET agree = NULL, disagree = NULL, pass = NULL, n = NULL
            WHERE workshop IN (SELECT w.code FROM workshops w WHERE NOT {public_workshop("w", k)})"""
    )
    published = published_participants(Database(conn), k)
    kept = published[~published["withheld"].astype(bool)]
    withheld = [int(i) for i in published.loc[published["withheld"].astype(bool), "id"]]
    original = {r[0]: r[1:] for r in conn.execute(f"SELECT id, {', '.join(ATTRIBUTES)} FROM participants")}
    suppressed = 0
    updates = []
    for row in kept.itertuples(index=False):
        values = [_plain(getattr(row, a)) for a in ATTRIBUTES]
        values[ATTRIBUTES.index("pilot_id")] = None if values[1] is None else int(values[1])
        suppressed += sum(v is None and o is not None for v, o in zip(values, original[int(row.id)]))
        updates.append([*values, _plain(row.period), int(row.id)])
    conn.executemany(
        f"UPDATE participants SET {', '.join(f'{a} = ?' for a in ATTRIBUTES)}, "
        "joined_at = coalesce(?, substr(joined_at, 1, 10)) WHERE id = ?",
        updates,
    )
    conn.execute("UPDATE votes SET voted_at = substr(voted_at, 1, 10)")
    pooled_times = [[u[-2], u[-1]] for u in updates if u[-2] is not None]
    conn.executemany("UPDATE votes SET voted_at = ? WHERE participant_id = ?", pooled_times)
    for chunk in range(0, len(withheld), 500):
        ids = withheld[chunk : chunk + 500]
        marks = ", ".join("?" * len(ids))
        conn.execute(f"DELETE FROM votes WHERE participant_id IN ({marks})", ids)
        conn.execute(f"DELETE FROM participants WHERE id IN ({marks})", ids)
    conn.execute("UPDATE workshops SET purpose = NULL")
    return {"participants": len(kept), "withheld": len(withheld), "suppressed": suppressed}


def public_workshop(alias: str = "w", k: int | None = None) -> str:
    """Return SQL true when workshop ``alias`` has no participant yet or at least k, so its vote counts may be shown.

    >>> public_workshop("w", 5)
    '(SELECT count(*) FROM participants pk WHERE pk.workshop_id = w.id) NOT BETWEEN 1 AND 4'
    """
    k = int(k_threshold() if k is None else k)
    return f"(SELECT count(*) FROM participants pk WHERE pk.workshop_id = {alias}.id) NOT BETWEEN 1 AND {k - 1}"


def small_workshops(db: Database, k: int | None = None) -> set[int]:
    """Ids of workshops with fewer than k participants: their votes are not shown publicly.

    >>> from lessons.store import open_memory_store
    >>> small_workshops(open_memory_store())
    set()
    """
    k = k_threshold() if k is None else k
    return {
        r[0]
        for r in db.execute(
            """SELECT w.id FROM workshops w LEFT JOIN participants p ON p.workshop_id = w.id
               GROUP BY w.id HAVING count(p.id) < ?""",
            [k],
        )
    }


# --- The administrators' full export ---------------------------------------------------------------------------

PERSONAL_NOTICE = (
    "PERSONAL DATA. This export holds every workshop participant's declared stakeholder group, pilot and country, "
    "and the exact time of every vote, unpooled. It is for the consortium's administrators, to answer a request "
    "under the GDPR or to move the data. Do not publish or share it; store it as you store other personal data, "
    "and delete it when the task is done. Public outputs apply the k-anonymity rule instead (k = {k})."
)


def personal_data_export(db: Database, actor: Actor | None) -> bytes:
    """Administrators only: every participant and vote, unpooled and with exact times, as a ZIP marked personal data.

    The ZIP holds ``PERSONAL-DATA-README.txt`` (what it is and how to handle it), ``participants.csv`` (no tokens)
    and ``votes.csv``. Recorded in the audit log.

    Examples
    --------
    >>> from lessons.store import open_memory_store
    >>> from lessons.permissions import cli_actor
    >>> sorted(zipfile.ZipFile(io.BytesIO(personal_data_export(open_memory_store(), cli_actor()))).namelist())
    ['PERSONAL-DATA-README.txt', 'participants.csv', 'votes.csv']
    """
    authorize(actor, "privacy.full_export")
    participants = pd.read_sql_query(
        """SELECT p.id AS participant_id, w.code AS workshop, p.stakeholder_group, pl.slug AS pilot, p.country,
                  p.joined_at
           FROM participants p JOIN workshops w ON w.id = p.workshop_id LEFT JOIN pilots pl ON pl.id = p.pilot_id
           ORDER BY p.id""",
        db.conn,
    )
    votes = pd.read_sql_query(
        """SELECT v.participant_id, w.code AS workshop, s.key AS statement, v.round, v.value, v.importance, v.voted_at
           FROM votes v JOIN statements s ON s.id = v.statement_id JOIN workshops w ON w.id = s.workshop_id
           ORDER BY v.id""",
        db.conn,
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    notice = PERSONAL_NOTICE.format(k=k_threshold()) + f"\n\nExported {stamp} by {actor.username}.\n"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("PERSONAL-DATA-README.txt", notice)
        archive.writestr("participants.csv", to_csv(participants))
        archive.writestr("votes.csv", to_csv(votes))
    with db.conn:
        record(
            db,
            actor,
            "privacy.full_export",
            object_type="participants",
            rows=len(participants) + len(votes),
            detail={"participants": len(participants), "votes": len(votes)},
        )
    return out.getvalue()
