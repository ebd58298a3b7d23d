"""Validation workshops, the domain: prepare, open, vote, moderate, run rounds, close and write results back.

Facilitators and admins prepare and run workshops (``workshop.manage``) and apply their results to lessons
(``workshop.apply``); each of those steps is audited. Participants have no account and vote with a secret token.
The package's rooms, read from the folder:

* :mod:`~lessons.workshops.rooms`: join codes; create, open, close, find and list workshops
  (a workshop's own ``draft`` → ``open`` → ``closed``; a *lesson's* status lifecycle is :mod:`lessons.lifecycle`).
* :mod:`~lessons.workshops.preparation`: the statements a workshop votes on, and moderation of participants' ones.
* :mod:`~lessons.workshops.voting`: what participants do: join, vote (group commit), suggest statements.
* :mod:`~lessons.workshops.outcomes`: Delphi rounds, a statement's verdict, results written back to lessons.
* :mod:`~lessons.workshops.analysis` (with :mod:`~lessons.workshops.grouping` and
  :mod:`~lessons.workshops.synthetic`): live results, Pol.is-style opinion groups, consensus and division.
* :mod:`~lessons.workshops.polis` (reading files in :mod:`~lessons.workshops.polis_files`): Pol.is import and export.

The names below are the workshop steps pages and the command line call; the analysis and Pol.is modules, which
need numpy, pandas and scikit-learn, are imported from their own modules so that joining or voting does not load
them.
"""

from lessons.workshops.outcomes import BEYOND_VALIDATED, apply_results, outcome, start_round
from lessons.workshops.preparation import (
    MAX_STATEMENT_CHARS,
    MIN_STATEMENT_CHARS,
    add_statements,
    moderate,
    remove_statement,
    set_allow_submissions,
    statement_key,
    statements,
    translate_statement,
)
from lessons.workshops.rooms import (
    CODE_LENGTH,
    JOIN_ALPHABET,
    WorkshopError,
    close_workshop,
    create_workshop,
    new_join_code,
    normalise_code,
    open_workshop,
    workshop_by_code,
    workshop_list,
)
from lessons.workshops.voting import (
    MAX_PENDING,
    MAX_PENDING_PER_PARTICIPANT,
    MAX_SUGGESTIONS_PER_PARTICIPANT,
    SUGGESTION_INTERVAL_S,
    VOTE_VALUES,
    Retry,
    cast_vote,
    join,
    my_votes,
    next_statements,
    submit_statement,
    vote_value,
)

__all__ = [
    "BEYOND_VALIDATED",
    "CODE_LENGTH",
    "JOIN_ALPHABET",
    "MAX_PENDING",
    "MAX_PENDING_PER_PARTICIPANT",
    "MAX_STATEMENT_CHARS",
    "MAX_SUGGESTIONS_PER_PARTICIPANT",
    "MIN_STATEMENT_CHARS",
    "SUGGESTION_INTERVAL_S",
    "VOTE_VALUES",
    "Retry",
    "WorkshopError",
    "add_statements",
    "apply_results",
    "cast_vote",
    "close_workshop",
    "create_workshop",
    "join",
    "moderate",
    "my_votes",
    "new_join_code",
    "next_statements",
    "normalise_code",
    "open_workshop",
    "outcome",
    "remove_statement",
    "set_allow_submissions",
    "start_round",
    "statement_key",
    "statements",
    "submit_statement",
    "translate_statement",
    "vote_value",
    "workshop_by_code",
    "workshop_list",
]
