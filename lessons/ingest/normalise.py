"""Turn values typed in coordinators' own words and languages into our codes, dates, numbers and yes/no.

Everything here is a pure function of its input. A value that cannot be understood raises :class:`ValueError`
(or, for vocabularies, returns a :class:`Match` without a code) carrying a plain-language message that the
importer shows to the person who uploaded the file.

Vocabularies match case- and accent-insensitively through :func:`fold` and suggest the nearest code for near
misses; dates are read from ISO 8601, day.month.year or month/day/year (as the upload states), written-out
month names in the main European languages, and spreadsheet date numbers.
"""

from __future__ import annotations

import calendar
import difflib
import functools
import gettext
import math
import numbers
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pycountry

from lessons.store import EVIDENCE_STRENGTHS, KINDS, STATUSES

MAX_MATCH_LENGTH = 500  # longer values are refused by Vocabulary.match without being compared
MAX_DATE_LENGTH = 100
MAX_NUMBER_LENGTH = 100
MIN_YEAR, MAX_YEAR = 1900, 2100
DATE_ORDERS = ("DMY", "MDY")
SUGGEST_RATIO = 0.8
SUGGEST_PREFIX = 4
SHOWN_LISTED = 8

# ---------------------------------------------------------------------------------------------------------------
# Folding

_SPECIAL_LETTERS = {"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "ħ": "h", "ı": "i", "ĸ": "k"}  # fmt: skip
_ASCII_TABLE = {cp: " " for cp in range(128) if unicodedata.category(chr(cp))[0] in "PZC"}  # as _fold_table()
_LATIN_WITH_ACCENTS = re.compile("[\x00-\x7f\u0300-\u036f]*")


@functools.cache
def _fold_table() -> dict[int, str | None]:
    """What :func:`fold` does to each character after decomposition: delete it, make it a space, or respell it.

    Deleted: accents and other non-spacing marks, and invisible format characters (soft hyphen, zero-width
    joiner, byte order mark). Spaces: punctuation (dashes included), separators, underscore and control
    characters. Built once, from the Unicode database (about 30 ms).
    """
    table: dict[int, str | None] = {ord(letter): plain for letter, plain in _SPECIAL_LETTERS.items()}
    for cp in [*range(0x20000), *range(0xE0000, 0xE0200)]:
        category = unicodedata.category(chr(cp))
        if category in ("Mn", "Me", "Cf"):
            table[cp] = None
        elif category[0] in "PZ" or category in ("Cc", "Cs", "Co") or cp == ord("_"):
            table[cp] = " "
    return table


def fold(text) -> str:
    """Fold ``text`` for comparison: case, accents, punctuation and spacing no longer count.

    Case is folded, accents are stripped (also from ł, ø, æ, œ, ß, đ, ð, þ, which Unicode does not decompose),
    punctuation, underscores, dashes and control characters become single spaces, and the ends are trimmed.
    Symbols such as ✓ or emoji are kept. ``None`` folds to an empty string; other non-strings are converted with
    :func:`str`.

    Parameters
    ----------
    text : object
        The text to fold.

    Returns
    -------
    str
        The folded text.

    Examples
    --------
    >>> fold("  Co-Design ")
    'co design'
    >>> fold("Łódź"), fold("Straße"), fold("Ελλάδα"), fold("applied_elsewhere")
    ('lodz', 'strasse', 'ελλαδα', 'applied elsewhere')
    >>> fold(None)
    ''
    """
    if text is None:
        return ""
    text = str(text)
    if text.isascii():  # the common case, about 30 times faster
        return " ".join(text.lower().translate(_ASCII_TABLE).split())
    text = unicodedata.normalize("NFKD", text.casefold()).casefold()
    if _LATIN_WITH_ACCENTS.fullmatch(text):  # accented Latin text: drop the accents wholesale, fast
        return " ".join(text.encode("ascii", "ignore").decode().translate(_ASCII_TABLE).split())
    return " ".join(text.translate(_fold_table()).split())


def _shown(value, limit: int = 60) -> str:
    """``value`` as quoted in a message: trimmed, control characters made visible, long text cut short."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]", "\N{REPLACEMENT CHARACTER}", str(value).strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _blank(value) -> bool:
    """True for None, NaN (and NaT) and text that is only whitespace."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    return value != value  # pandas.NaT and other not-a-values


# ---------------------------------------------------------------------------------------------------------------
# Vocabularies


@dataclass(frozen=True)
class Match:
    """The outcome of matching one value against a :class:`Vocabulary`.

    ``code`` is the matched code or ``None``. When there is no code, ``suggestion`` is the nearest code (``None``
    when nothing is close) and ``message`` says in plain language what is wrong; it does not repeat the
    suggestion, so a caller can add "Did you mean …?" itself.
    """

    code: str | None
    suggestion: str | None = None
    message: str | None = None

    def __bool__(self) -> bool:
        return self.code is not None


def _singular(name: str) -> str:
    """A rough singular of a vocabulary's (English, plural) name, for messages."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("uses", "sses", "xes", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeio" else "a"


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
        if hint is None:
            listed = ", ".join(self._codes[:SHOWN_LISTED])
            more = len(self._codes) - SHOWN_LISTED
            hint = f"Use one of: {listed}" + (f" (or one of {more} more)." if more > 0 else ".")
        self.hint = hint

    @property
    def codes(self) -> list[str]:
        """The codes, in the order given."""
        return list(self._codes)

    def __repr__(self) -> str:
        return f"Vocabulary({self.name!r}, {len(self._codes)} codes)"

    def __contains__(self, value) -> bool:
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
        if _blank(value):
            return Match(None, None, f"No {self.noun} given.")
        text = str(value)
        if len(text) > MAX_MATCH_LENGTH:
            return Match(
                None,
                None,
                f"The value has {len(text):,} characters, far too long to be {_article(self.noun)} {self.noun}.",
            )
        key = fold(text)
        code = self._index.get(key)
        if code is not None:
            return Match(code)
        shown = _shown(text)
        if key in self._ambiguous:
            options = " or ".join(self._ambiguous[key])
            return Match(None, None, f"'{shown}' could mean {options}. {self.hint}")
        suggestion = self._suggest(key) if key else None
        if suggestion is not None:
            return Match(None, suggestion, f"'{shown}' is not {_article(self.noun)} {self.noun}.")
        return Match(None, None, f"'{shown}' is not {_article(self.noun)} {self.noun}. {self.hint}")

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
    """A vocabulary from database or CSV rows: ``row[code]`` is the code, the ``names`` columns its names.

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


COUNTRY_LANGUAGES = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "mt", "nl", "pl",
    "pt", "ro", "sk", "sl", "sv",  # the official languages of the EU
    "nb_NO", "nn", "is",  # Norwegian (Bokmål, Nynorsk) and Icelandic
)  # fmt: skip
COUNTRY_ALIASES = {
    "GB": ("UK", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland"),
    "GR": ("EL",),  # the EU's code for Greece
    "NL": ("Holland", "The Netherlands"),
    "RU": ("Russia",),
    "TR": ("Turkey",),
    "VA": ("Vatican", "Vatican City"),
}


@functools.cache
def country_vocabulary() -> Vocabulary:
    """Every ISO 3166-1 country: the alpha-2 code, alpha-3 code, English names and names in European languages.

    Names come from pycountry (``name``, ``common_name``, ``official_name``) and its translations into the
    official EU languages, Norwegian and Icelandic; ``COUNTRY_ALIASES`` adds UK, EL and a few everyday names.
    When translations give two countries the same name, English names beat translations of the short name,
    which beat translations of the official name; a remaining tie goes to the country more languages agree on,
    else the name is left out. Built once.

    Examples
    --------
    >>> c = country_vocabulary()
    >>> [c.match(v).code for v in ("Italia", "Deutschland", "espana", "Ελλάδα", "UK", "el", "fra", "Czech Republic")]
    ['IT', 'DE', 'ES', 'GR', 'GB', 'GR', 'FR', 'CZ']
    """
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in COUNTRY_LANGUAGES
    ]
    # folded name -> code -> [best rank, number of sources]; a lower rank is a stronger claim
    claims: dict[str, dict[str, list[int]]] = {}
    originals: dict[str, str] = {}

    def claim(text: str | None, code: str, rank: int) -> None:
        key = fold(text)
        if not key:
            return
        originals.setdefault(key, text)
        entry = claims.setdefault(key, {}).setdefault(code, [rank, 0])
        entry[0] = min(entry[0], rank)
        entry[1] += 1

    for country in pycountry.countries:
        code = country.alpha_2
        claim(country.alpha_3, code, 0)
        english = [getattr(country, f, None) for f in ("name", "common_name", "official_name")]
        for text in english:
            claim(text, code, 1)
        for text in COUNTRY_ALIASES.get(code, ()):
            claim(text, code, 1)
        for rank, text in zip((2, 2, 3), english):
            if text:
                for translation in translations:
                    claim(translation.gettext(text), code, rank)
    entries: dict[str, list[str]] = {country.alpha_2: [] for country in pycountry.countries}
    for key, by_code in claims.items():
        ranked = sorted(by_code.items(), key=lambda item: (item[1][0], -item[1][1]))
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            continue  # a true tie: nobody gets the name
        entries[ranked[0][0]].append(originals[key])
    return Vocabulary(
        "countries",
        entries,
        noun="country name or code",
        hint="Write the country's name, in English or its own language, or its two-letter ISO code, e.g. Italy, Italia or IT.",
    )


# ---------------------------------------------------------------------------------------------------------------
# Dates

_MONTH_NAMES = {
    "en": "january february march april may june july august september october november december",
    "en_short": "jan feb mar apr may jun jul aug sep oct nov dec",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "fr_short": "janv févr mars avr mai juin juil août sept oct nov déc",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
    "de_short": "jän feb mrz apr mai jun jul aug sept okt nov dez",
    "de_at": "jänner feber",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "es_short": "ene feb mar abr may jun jul ago sept oct nov dic",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "it_short": "gen feb mar apr mag giu lug ago set ott nov dic",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "pt_short": "jan fev mar abr mai jun jul ago set out nov dez",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "nl_short": "jan feb mrt apr mei jun jul aug sep okt nov dec",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "da": "januar februar marts april maj juni juli august september oktober november december",
    "nb": "januar februar mars april mai juni juli august september oktober november desember",
    "fi": "tammikuu helmikuu maaliskuu huhtikuu toukokuu kesäkuu heinäkuu elokuu syyskuu lokakuu marraskuu joulukuu",
    "et": "jaanuar veebruar märts aprill mai juuni juuli august september oktoober november detsember",
    "pl": "styczeń luty marzec kwiecień maj czerwiec lipiec sierpień wrzesień październik listopad grudzień",
    "pl_of": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia",
    "cs": "leden únor březen duben květen červen červenec srpen září říjen listopad prosinec",
    "cs_of": "ledna února března dubna května června července srpna září října listopadu prosince",
    "hu": "január február március április május június július augusztus szeptember október november december",
    "ro": "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie noiembrie decembrie",
    "el": "ιανουάριος φεβρουάριος μάρτιος απρίλιος μάιος ιούνιος ιούλιος αύγουστος σεπτέμβριος οκτώβριος νοέμβριος δεκέμβριος",
    "el_of": "ιανουαρίου φεβρουαρίου μαρτίου απριλίου μαΐου ιουνίου ιουλίου αυγούστου σεπτεμβρίου οκτωβρίου νοεμβρίου δεκεμβρίου",
}  # fmt: skip
_FILLER_WORDS = set(
    "de del of the le la el il lo den der am on a".split()
    + "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun".split()
    + "lundi mardi mercredi jeudi vendredi samedi dimanche".split()
    + "montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag".split()
    + "lunes martes miercoles jueves viernes sabado domingo".split()
    + "lunedi martedi mercoledi giovedi venerdi sabato domenica".split()
    + "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag".split()
)


@functools.cache
def _months() -> dict[str, int]:
    """Folded month name or abbreviation -> month number; raises if two languages disagree."""
    months: dict[str, int] = {}
    for words in _MONTH_NAMES.values():
        for number, word in enumerate(words.split(" "), start=1):
            key = fold(word)
            if months.setdefault(key, number) != number:
                raise RuntimeError(f"month name {word!r} means two months")
    return months


def _month(token: str) -> int | None:
    """The month ``token`` names: exactly, as the only month it abbreviates, or as an inflected full name."""
    months = _months()
    if token in months:
        return months[token]
    if len(token) >= 3 and not token.isdigit():
        found = {m for word, m in months.items() if word.startswith(token)}
        if len(found) == 1:
            return found.pop()
        found = {m for word, m in months.items() if len(word) >= 5 and token.startswith(word)}  # maaliskuuta
        if len(found) == 1:
            return found.pop()
    return None


_TIME = r"(?:\s*[T ]\s*(?:[01]?\d|2[0-3])[:.][0-5]\d(?:[:.][0-5]\d(?:[.,]\d+)?)?\s*(?:[ap]\.?m\.?)?\s*(?:z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?)?"
_YEAR_FIRST = re.compile(rf"(\d{{4}})\s*([-/.])\s*(\d{{1,2}})\s*\2\s*(\d{{1,2}})\.?{_TIME}", re.IGNORECASE)
_YEAR_LAST = re.compile(rf"(\d{{1,2}})\s*([-/.])\s*(\d{{1,2}})\s*\2\s*(\d+)\.?{_TIME}", re.IGNORECASE)
_TEXT_TIME = re.compile(
    r"(?:,?\s+|T)(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?\s*(?:[ap]\.?m\.?)?\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_DAY_TOKEN = re.compile(r"(\d{1,2})(?:st|nd|rd|th|er|re|e|o|a|ste)?")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 is 1 March 1900; Excel's serial 60 is a 29 February 1900 that never was
_EXCEL_MAX = 2_958_465  # 9999-12-31


def _order(order: str) -> str:
    normal = str(order).upper().replace(".", "").replace("/", "").replace("-", "")
    if normal not in DATE_ORDERS:
        raise ValueError(f"The date order must be DMY (day first) or MDY (month first), not '{_shown(order)}'.")
    return normal


def _expected(order: str) -> str:
    written = {"DMY": "day.month.year", "MDY": "month/day/year"}[order]
    return f"Write dates as 2021-03-31 (or {written}, as this upload states)."


def _example(order: str) -> str:
    return {"DMY": "31.03.2021", "MDY": "03/31/2021"}[order]


def _make_date(shown: str, year: int, month: int, day: int) -> str:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"'{shown}' has the year {year}; dates must fall between {MIN_YEAR} and {MAX_YEAR}.")
    if not 1 <= month <= 12:
        raise ValueError(f"'{shown}' is not a real date: there is no month {month}.")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(
            f"'{shown}' is not a real date: {calendar.month_name[month]} {year} has {last} days."
            if day > last
            else f"'{shown}' is not a real date: there is no day {day}."
        )
    return date(year, month, day).isoformat()


def _from_excel(value: float) -> str:
    shown = _shown(value if not float(value).is_integer() else int(value))
    if not 1 <= value < _EXCEL_MAX + 1:
        raise ValueError(f"'{shown}' is not a date. Format the cell as a date, or write dates as 2021-03-31.")
    serial = int(value)
    if serial == 60:
        raise ValueError(
            "60 is the spreadsheet date number of 29 February 1900, a day that never existed. "
            "Write the date as 2021-03-31."
        )
    day = _EXCEL_EPOCH + timedelta(days=serial + (1 if serial < 60 else 0))
    return _make_date(shown, day.year, day.month, day.day)


def _from_words(text: str, shown: str) -> str | None:
    """A date with the month written out, or None when ``text`` does not look like one."""
    tokens = [t for t in fold(_TEXT_TIME.sub("", text)).split() if t not in _FILLER_WORDS]
    months = [(i, m) for i, t in enumerate(tokens) if not t[:1].isdigit() and (m := _month(t)) is not None]
    if len(months) != 1 or len(tokens) > 3:
        return None
    month = months[0][1]
    numbers_ = [t for i, t in enumerate(tokens) if i != months[0][0]]
    if any(not _DAY_TOKEN.fullmatch(t) and not (t.isdigit() and len(t) == 4) for t in numbers_):
        return None
    years = [t for t in numbers_ if len(t) == 4 and t.isdigit()]
    days = [t for t in numbers_ if t not in years]
    if len(years) == 1 and not days:
        raise ValueError(f"'{shown}' has no day. Write the full date, e.g. 2021-03-01 for the first of the month.")
    if not years and len(days) == 1:
        raise ValueError(f"'{shown}' has no year. Write the full date, e.g. 2021-03-31.")
    if not years and len(days) == 2:
        raise ValueError(f"'{shown}' has a two-digit year. Write the year with four digits, e.g. 31 March 2021.")
    if len(years) != 1 or len(days) != 1:
        return None
    return _make_date(shown, int(years[0]), month, int(_DAY_TOKEN.fullmatch(days[0]).group(1)))


def parse_date(value, order: str = "DMY") -> str:
    """Read a date written in one of the usual ways and return it as ISO 8601 (``YYYY-MM-DD``).

    Accepted: ``date`` and ``datetime`` objects (as spreadsheets give them); ISO dates, also with one-digit
    month or day, slashes or dots, and a time part; day.month.year with dots, slashes or dashes, read as
    month/day/year when ``order`` is ``"MDY"`` (a date that only makes sense one way round, such as 13/04/2021,
    is read that way whatever the order); dates with the month written out in English or another major
    European language ("31 March 2021", "March 31, 2021", "31. März 2021", "31 de marzo de 2021"); and
    spreadsheet date numbers (1900 date system) when ``value`` is a number. Refused with a message: two-digit
    years, a month without a day, impossible dates, years before 1900 or after 2100, and anything else.

    Parameters
    ----------
    value : str, date, datetime, int or float
        What the file says.
    order : {"DMY", "MDY"}
        The order of day and month that the upload states for dates such as 04/05/2021.

    Returns
    -------
    str
        The date as ``YYYY-MM-DD``.

    Raises
    ------
    ValueError
        When ``value`` is empty or not a date; the message says what to write instead.

    Examples
    --------
    >>> parse_date("31.03.2021"), parse_date("04/05/2021", "MDY"), parse_date("13/04/2021", "MDY")
    ('2021-03-31', '2021-04-05', '2021-04-13')
    >>> parse_date("31. März 2021"), parse_date(44286)
    ('2021-03-31', '2021-03-31')
    >>> parse_date("31-31-2021")
    Traceback (most recent call last):
    ...
    ValueError: '31-31-2021' is not a date. Write dates as 2021-03-31 (or day.month.year, as this upload states).
    """
    order = _order(order)
    if _blank(value):
        raise ValueError("The date is empty. Write dates as 2021-03-31.")
    if isinstance(value, datetime):
        return _make_date(_shown(value), value.year, value.month, value.day)
    if isinstance(value, date):
        return _make_date(_shown(value), value.year, value.month, value.day)
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a date. {_expected(order)}")
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):
            raise ValueError(f"'{_shown(value)}' is not a date. {_expected(order)}")
        return _from_excel(value)
    text = str(value).strip()
    shown = _shown(text)
    if len(text) > MAX_DATE_LENGTH:
        raise ValueError(f"The value has {len(text):,} characters, far too long to be a date. {_expected(order)}")
    if m := _YEAR_FIRST.fullmatch(text):
        return _make_date(shown, int(m.group(1)), int(m.group(3)), int(m.group(4)))
    if m := _YEAR_LAST.fullmatch(text):
        first, second, year = int(m.group(1)), int(m.group(3)), m.group(4)
        if len(year) == 2:
            raise ValueError(
                f"'{shown}' has a two-digit year. Write the year with four digits, e.g. {_example(order)} or 2021-03-31."
            )
        if len(year) != 4:
            raise ValueError(f"'{shown}' is not a date. {_expected(order)}")
        day, month = (first, second) if order == "DMY" else (second, first)
        if month > 12 and day <= 12:
            day, month = month, day  # only one reading makes sense
        if month > 12:
            raise ValueError(f"'{shown}' is not a date. {_expected(order)}")
        return _make_date(shown, int(year), month, day)
    found = _from_words(text, shown)
    if found is not None:
        return found
    if text.isdigit() and 4 < len(text) < 7:
        raise ValueError(
            f"'{shown}' is not a date; it may be a spreadsheet date number. "
            f"Format the cell as a date, or write dates as 2021-03-31."
        )
    raise ValueError(f"'{shown}' is not a date. {_expected(order)}")


# ---------------------------------------------------------------------------------------------------------------
# Yes/no, numbers, lists

_TRUE = set("yes y true 1 x ja oui si sim da tak kylla jah jaa ano igen taip ναι да".split()) | {"✓", "✔", "☑"}
_FALSE = set("no n false 0 nein non nee nej nei nao ei nie ne nem nu ne οχι не".split())
_UNKNOWN = {"-", "–", "—", "n/a", "n.a.", "na"}


def parse_bool(value) -> bool | None:
    """Read yes or no, in English or another European language.

    Yes: yes, y, true, 1, x, ✓, ja, oui, sí, sim, sì, da, tak, kyllä, jah, ano, igen, taip, ναι, да. No: no, n,
    false, 0, nein, non, nee, nej, nei, não, ei, nie, ne, nem, nu, όχι, не. Empty values, a dash and "n/a" give
    ``None`` (not stated).

    Parameters
    ----------
    value : str, bool, int or float
        What the file says.

    Returns
    -------
    bool or None

    Raises
    ------
    ValueError
        When the value is neither yes nor no.

    Examples
    --------
    >>> parse_bool("Kyllä"), parse_bool("nein"), parse_bool(1), parse_bool(" "), parse_bool("n/a")
    (True, False, True, None, None)
    >>> parse_bool("maybe")
    Traceback (most recent call last):
    ...
    ValueError: 'maybe' is neither yes nor no. Write yes or no (or leave the cell empty if it is not known).
    """
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real) and value in (0, 1):
        return bool(value)
    text = str(value).strip()
    if text.casefold() in _UNKNOWN:
        return None
    numeric = isinstance(value, numbers.Real) or any(c.isdigit() for c in text[:MAX_MATCH_LENGTH])
    key = fold(text) if len(text) <= MAX_MATCH_LENGTH and (not numeric or text in ("0", "1")) else None
    if key in _TRUE or text in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(
        f"'{_shown(text)}' is neither yes nor no. Write yes or no (or leave the cell empty if it is not known)."
    )


_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")
_SIGN = re.compile(r"([+-]?)\s*(.*)", re.DOTALL)
_PLAIN = re.compile(r"[0-9]+|[0-9]*[.,][0-9]+|[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+")
_AMBIGUOUS = re.compile(r"[1-9][0-9]{0,2}([.,])[0-9]{3}")
_GROUPED = {
    (thousands, decimal): re.compile(
        rf"[1-9][0-9]{{0,2}}(?:{re.escape(thousands)}[0-9]{{3}})+(?:{re.escape(decimal)}[0-9]+)?"
    )
    for thousands, decimal in ((",", "."), (".", ","), (" ", "."), (" ", ","), ("'", "."), ("'", ","))
}


def parse_number(value) -> float | None:
    """Read a number written with a decimal point or comma, and perhaps thousands separators.

    "1.5" and "1,5" are both 1.5; "1 000", "1,000,000" and "1.000,5" use thousands separators. A single
    separator followed by exactly three digits ("1,000" or "1.000") could be either, so it is refused with a
    message rather than guessed.

    Parameters
    ----------
    value : str, int or float
        What the file says.

    Returns
    -------
    float or None
        ``None`` for an empty value, a dash or "n/a".

    Raises
    ------
    ValueError
        When the value is not a number, or is ambiguous.

    Examples
    --------
    >>> parse_number("1,5"), parse_number(" 2 "), parse_number(3), parse_number("1 000"), parse_number("1,000.5")
    (1.5, 2.0, 3.0, 1000.0, 1000.5)
    >>> parse_number("") is None
    True
    >>> parse_number("1,000")
    Traceback (most recent call last):
    ...
    ValueError: '1,000' could mean 1000 or 1. Write 1000 or 1 so it cannot be misread.
    """
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a number. Write numbers like 2, 1.5 or 1,5.")
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"'{_shown(value)}' is not a finite number. Write numbers like 2, 1.5 or 1,5.")
        return number
    text = str(value).strip()
    if text.casefold() in _UNKNOWN:
        return None
    shown = _shown(text)
    if len(text) > MAX_NUMBER_LENGTH:
        raise ValueError(f"The value has {len(text):,} characters, far too long to be a number.")
    if text.startswith("#"):
        raise ValueError(f"'{shown}' is a spreadsheet error, not a number. Fix the formula or type the number.")
    sign_text, body = _SIGN.fullmatch(_SPACES.sub(" ", text.replace("\u2212", "-"))).groups()
    sign = -1.0 if sign_text == "-" else 1.0
    number: float | None = None
    if m := _AMBIGUOUS.fullmatch(body):
        whole = int(body.replace(m.group(1), ""))
        decimal = float(body.replace(",", "."))
        raise ValueError(
            f"'{shown}' could mean {whole} or {decimal:g}. Write {whole} or {decimal:g} so it cannot be misread."
        )
    if _PLAIN.fullmatch(body):
        number = float(body.replace(",", "."))
    else:
        for (thousands, decimal), pattern in _GROUPED.items():
            if pattern.fullmatch(body):
                number = float(body.replace(thousands, "").replace(decimal, "."))
                break
    if number is None or not math.isfinite(number):
        raise ValueError(f"'{shown}' is not a number. Write numbers like 2, 1.5 or 1,5.")
    return sign * number


def split_multi(value, separator: str = ";") -> list[str]:
    """Split a cell holding several values: on ``separator`` and on line breaks.

    Parts are trimmed; empty parts and repeats (equal after :func:`fold`) are dropped; the order is kept. A list
    or tuple (as JSON gives) is split item by item.

    Parameters
    ----------
    value : str, list or None
        What the file says.
    separator : str
        The separator the upload states, e.g. ``";"`` or ``","``.

    Returns
    -------
    list of str

    Examples
    --------
    >>> split_multi(" trust ;Digital;; TRUST ;digital tools")
    ['trust', 'Digital', 'digital tools']
    >>> split_multi("a, b", ",")
    ['a', 'b']
    >>> split_multi(None)
    []
    """
    if not separator:
        raise ValueError("The separator between values cannot be empty; use ; or , for example.")
    if _blank(value):
        return []
    items = value if isinstance(value, list | tuple) else [value]
    seen: set[str] = set()
    parts: list[str] = []
    for item in items:
        if _blank(item):
            continue
        for line in str(item).splitlines():
            for part in line.split(separator):
                part = part.strip()
                key = fold(part) or part
                if part and key not in seen:
                    seen.add(key)
                    parts.append(part)
    return parts
