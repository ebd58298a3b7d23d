"""Controlled vocabularies: codes with names and aliases, matched after :func:`~lessons.ingest.normalise.fold`.

Near misses get a suggestion of the nearest code. Also the vocabularies of kinds, statuses, evidence strengths and
stakeholder sectors.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce

from lessons.i18n import N_, _, current, ngettext, number
from lessons.ingest.normalise.folding import _blank, _shown, fold
from lessons.store import EVIDENCE_STRENGTHS, KINDS, STATUSES

MAX_MATCH_LENGTH = 500  # longer values are refused by Vocabulary.match without being compared
SUGGEST_RATIO = 0.8
SUGGEST_PREFIX = 4
SHOWN_LISTED = 8
MATCHES_KEPT = 4096  # distinct values whose match a vocabulary remembers


@dataclass(frozen=True)
class Match:
    """The outcome of matching one value against a :class:`Vocabulary`.

    ``code`` is the matched code or ``None``. When there is no code, ``suggestion`` is the nearest code (``None``
    when nothing is close) and ``message`` says in plain language what is wrong; it does not repeat the
    suggestion, so a caller can add "Did you mean …?" itself. ``lists_codes`` is True when the message already
    lists the codes to use (in any language), so a caller need not list them again.
    """

    code: str | None
    suggestion: str | None = None
    message: str | None = None
    lists_codes: bool = field(default=False, repr=False, compare=False)

    def __bool__(self) -> bool:
        """Return True when the value matched a code."""
        return self.code is not None


def _singular(name: str) -> str:
    """Return a rough singular of a vocabulary's (English, plural) name, for messages."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("uses", "sses", "xes", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


#: What one value of the built-in vocabularies is called in messages (translated where shown; others stay English).
NOUNS = (N_("kind"), N_("status"), N_("evidence strength"), N_("sector"), N_("theme"), N_("co-creation phase"),
         N_("methodology"), N_("country name or code"), N_("element kind"), N_("stance"))  # fmt: skip


def _not_a(shown: str, noun: str) -> str:
    """Say that a value is not one of a vocabulary's values, as a whole sentence in the reader's language."""
    if noun[:1].lower() in "aeio":
        return _("'{value}' is not an {noun}.").format(value=shown, noun=_(noun))
    return _("'{value}' is not a {noun}.").format(value=shown, noun=_(noun))


class Vocabulary:
    """A controlled vocabulary: codes, each with names and aliases, matched after :func:`fold`.

    The code itself always matches, and wins over another code's alias. An alias claimed by several codes is
    ambiguous and matches none of them (the message says so).

    Parameters
    ----------
    name : str
        What the vocabulary is called, in the plural, e.g. ``"kinds"`` or ``"co-creation phases"``.
    entries : dict of str to iterable of str
        Code to its names and aliases.
    noun : str, optional
        What one value is called in messages; by default the singular of ``name`` (``"kind"``).
    hint : str, optional
        What to write instead, for messages; by default the list of the first eight codes.

    Examples
    --------
    >>> v = Vocabulary("kinds", {"enabler": ["enablers"], "barrier": ["barriers"]})
    >>> v.match(" Enablers ")
    Match(code='enabler', suggestion=None, message=None)
    >>> v.match("enabeler")
    Match(code=None, suggestion='enabler', message="'enabeler' is not a kind.")
    >>> v.match("pizza").message
    "'pizza' is not a kind. Use one of: enabler, barrier."
    >>> v.codes
    ['enabler', 'barrier']
    """

    def __init__(
        self, name: str, entries: dict[str, Iterable[str]], *, noun: str | None = None, hint: str | None = None
    ):
        self.name = name
        self.noun = noun or _singular(name)
        self._codes = list(dict.fromkeys(str(code) for code in entries))
        index: dict[str, str] = {}
        for code in self._codes:
            index.setdefault(fold(code), code)
        claims: dict[str, set[str]] = {}
        for code, names in entries.items():
            if isinstance(names, str):
                names = [names]
            for alias in names or ():
                key = fold(alias)
                if key and key not in index:
                    claims.setdefault(key, set()).add(str(code))
        self._ambiguous = {key: sorted(codes) for key, codes in claims.items() if len(codes) > 1}
        index.update({key: next(iter(codes)) for key, codes in claims.items() if len(codes) == 1})
        index.pop("", None)
        self._index = index
        self._by_length: dict[int, list[str]] = {}
        for key in index:
            self._by_length.setdefault(len(key), []).append(key)
        self._hint = hint
        self._matched: dict[tuple[str, str], Match] = {}

    @property
    def hint(self) -> str:
        """What to write instead, in the reader's language: the given hint, or the first eight codes."""
        if self._hint is not None:
            return _(self._hint)
        listed = ", ".join(self._codes[:SHOWN_LISTED])
        more = len(self._codes) - SHOWN_LISTED
        if more > 0:
            return ngettext(
                "Use one of: {codes} (or one of {n} more).", "Use one of: {codes} (or one of {n} more).", more
            ).format(codes=listed, n=number(more))
        return _("Use one of: {codes}.").format(codes=listed)

    @property
    def codes(self) -> list[str]:
        """The codes, in the order given."""
        return list(self._codes)

    def __repr__(self) -> str:
        """Show the vocabulary's name and how many codes it holds."""
        return f"Vocabulary({self.name!r}, {len(self._codes)} codes)"

    def __contains__(self, value) -> bool:
        """Return True when ``value`` matches a code of the vocabulary."""
        return self.match(value).code is not None

    def match(self, value) -> Match:
        """Match ``value`` to a code, or explain why not and suggest the nearest code.

        A suggestion is the code of the closest name when the folded texts are at least 80 % alike
        (:class:`difflib.SequenceMatcher` ratio), or else the one code with a name that starts with the value
        when the value has at least four characters. Values longer than 500 characters are refused unread.

        Parameters
        ----------
        value : object
            What the file says; non-strings are converted with :func:`str`.

        Returns
        -------
        Match
            ``code`` set when matched; otherwise ``suggestion`` (possibly ``None``) and ``message``.

        Examples
        --------
        >>> phases = Vocabulary("co-creation phases", {"co-design": ["Co-design"], "evaluate": ["Evaluate and sustain"]})
        >>> phases.match("Co design").code
        'co-design'
        >>> phases.match("eval").suggestion
        'evaluate'
        >>> phases.match("").message
        'No co-creation phase given.'
        """
        if isinstance(value, str):  # a file repeats the same few values on every row: each is matched once
            key = (current(), value)  # the message is in the reader's language
            found = self._matched.get(key)
            if found is None:
                found = self._match(value)
                if len(self._matched) < MATCHES_KEPT:
                    self._matched[key] = found
            return found
        return self._match(value)

    def _match(self, value) -> Match:
        if _blank(value):
            return Match(None, None, _("No {noun} given.").format(noun=_(self.noun)))
        text = str(value)
        if len(text) > MAX_MATCH_LENGTH:
            return Match(
                None,
                None,
                (
                    _("The value has {n} characters, far too long to be an {noun}.")
                    if self.noun[:1].lower() in "aeio"
                    else _("The value has {n} characters, far too long to be a {noun}.")
                ).format(n=number(len(text)), noun=_(self.noun)),
            )
        key = fold(text)
        code = self._index.get(key)
        if code is not None:
            return Match(code)
        shown = _shown(text)
        if key in self._ambiguous:
            options = reduce(lambda a, b: _("{first} or {second}").format(first=a, second=b), self._ambiguous[key])
            said = _("'{value}' could mean {options}.").format(value=shown, options=options)
            return Match(None, None, f"{said} {self.hint}", lists_codes=self._hint is None)
        suggestion = self._suggest(key) if key else None
        if suggestion is not None:
            return Match(None, suggestion, _not_a(shown, self.noun))
        return Match(None, None, f"{_not_a(shown, self.noun)} {self.hint}", lists_codes=self._hint is None)

    def _suggest(self, key: str) -> str | None:
        best, best_codes = 0.0, set()
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(key)
        n = len(key)
        for length, keys in self._by_length.items():
            if 2 * min(n, length) / (n + length) < SUGGEST_RATIO:
                continue
            for candidate in keys:
                matcher.set_seq1(candidate)
                if matcher.quick_ratio() < max(best, SUGGEST_RATIO):
                    continue
                ratio = matcher.ratio()
                if ratio > best:
                    best, best_codes = ratio, {self._index[candidate]}
                elif ratio == best:
                    best_codes.add(self._index[candidate])
        if best >= SUGGEST_RATIO:
            return next(iter(best_codes)) if len(best_codes) == 1 else None
        if n >= SUGGEST_PREFIX:
            codes = {code for candidate, code in self._index.items() if candidate.startswith(key)}
            if len(codes) == 1:
                return codes.pop()
        return None


def vocabulary_from_rows(name: str, rows: list[dict], *, code: str = "code", names=("name",), **options) -> Vocabulary:
    """Build a vocabulary from database or CSV rows: ``row[code]`` is the code, the ``names`` columns its names.

    Parameters
    ----------
    name : str
        The vocabulary's name, in the plural.
    rows : list of dict
        One row per code.
    code : str
        The column holding the code.
    names : tuple of str
        The columns holding names; empty or missing ones are skipped.
    **options
        ``noun`` and ``hint``, passed to :class:`Vocabulary`.

    Returns
    -------
    Vocabulary

    Examples
    --------
    >>> themes = vocabulary_from_rows("themes", [{"code": "trust", "name": "Trust and relationships"}])
    >>> themes.match("TRUST AND RELATIONSHIPS").code
    'trust'
    """
    entries: dict[str, list[str]] = {}
    for row in rows:
        entries.setdefault(str(row[code]), []).extend(str(row[n]) for n in names if row.get(n) not in (None, ""))
    return Vocabulary(name, entries, **options)


def kinds() -> Vocabulary:
    """Kinds of lesson (``lessons.store.KINDS``); plurals are accepted.

    >>> kinds().match("Barriers").code
    'barrier'
    """
    return Vocabulary("kinds", {kind: [kind + "s"] for kind in KINDS})


def statuses() -> Vocabulary:
    """Review statuses (``lessons.store.STATUSES``); "applied elsewhere" and "applied-elsewhere" fold to the code.

    >>> statuses().match("Applied elsewhere").code
    'applied_elsewhere'
    """
    return Vocabulary("statuses", {status: [] for status in STATUSES})


def evidence_strengths() -> Vocabulary:
    """Strengths of evidence (``lessons.store.EVIDENCE_STRENGTHS``), codes only.

    >>> evidence_strengths().match("Measured").code
    'measured'
    """
    return Vocabulary("evidence strengths", {strength: [] for strength in EVIDENCE_STRENGTHS})


SECTOR_ALIASES = {
    "public": ("government", "public body", "public bodies", "public authority", "public administration", "municipality", "municipalities", "local authority", "public sector organisation"),
    "civil_society": ("ngo", "ngos", "non-profit", "nonprofit", "non-profits", "civil society organisation", "civil society organization", "cso", "association", "associations", "interest group", "interest groups", "third sector", "voluntary sector", "charity"),
    "private": ("business", "businesses", "company", "companies", "industry", "firm", "firms", "enterprise", "enterprises"),
    "research": ("university", "universities", "academia", "science", "research institute", "research institutes", "research organisation"),
    "citizens": ("citizen", "residents", "resident", "service users", "service user", "users", "citizens / service users"),
}  # fmt: skip


def sectors_vocabulary(rows: list[dict]) -> Vocabulary:
    """Stakeholder sectors from their rows (code, name), plus everyday words for them (``SECTOR_ALIASES``).

    Aliases are added only for codes present in ``rows``.

    Examples
    --------
    >>> rows = [{"code": "public", "name": "Public sector"}, {"code": "civil_society", "name": "Civil society"}]
    >>> s = sectors_vocabulary(rows)
    >>> s.match("Municipality").code, s.match("NGO").code, s.match("civil society").code
    ('public', 'civil_society', 'civil_society')
    """
    entries: dict[str, list[str]] = {}
    for row in rows:
        entries.setdefault(str(row["code"]), []).append(str(row.get("name") or ""))
    for code, aliases in SECTOR_ALIASES.items():
        if code in entries:
            entries[code].extend(aliases)
    return Vocabulary("sectors", entries)
