"""Dates written in the usual ways, read as ISO 8601.

The usual ways: ISO 8601, day.month.year or month/day/year as the upload states, month names in the main European
languages, spreadsheet date numbers.
"""

from __future__ import annotations

import calendar
import functools
import math
import numbers
import re
from datetime import date, datetime, timedelta

from lessons.i18n import _
from lessons.i18n import day as i18n_day
from lessons.i18n import number as figure
from lessons.ingest.normalise.folding import _blank, _shown, fold

MAX_DATE_LENGTH = 100
MIN_YEAR, MAX_YEAR = 1900, 2100
DATE_ORDERS = ("DMY", "MDY")

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
    """Return the month ``token`` names: exactly, as the only month it abbreviates, or as an inflected full name."""
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
        raise ValueError(
            _("The date order must be DMY (day first) or MDY (month first), not '{order}'.").format(order=_shown(order))
        )
    return normal


def _expected(order: str) -> str:
    if order == "DMY":
        return _("Write dates as 2021-03-31 (or day.month.year, as this upload states).")
    return _("Write dates as 2021-03-31 (or month/day/year, as this upload states).")


def _not_a_date(shown: str, order: str) -> str:
    return _("'{value}' is not a date.").format(value=shown) + " " + _expected(order)


def _example(order: str) -> str:
    return {"DMY": "31.03.2021", "MDY": "03/31/2021"}[order]


def _make_date(shown: str, year: int, month: int, day: int) -> str:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(
            _("'{value}' has the year {year}; dates must fall between {first} and {last}.").format(
                value=shown, year=year, first=MIN_YEAR, last=MAX_YEAR
            )
        )
    if not 1 <= month <= 12:
        raise ValueError(_("'{value}' is not a real date: there is no month {month}.").format(value=shown, month=month))
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(
            _("'{value}' is not a real date: {month} has {days} days.").format(
                value=shown, month=i18n_day(date(year, month, 1), "LLLL y"), days=last
            )
            if day > last
            else _("'{value}' is not a real date: there is no day {day}.").format(value=shown, day=day)
        )
    return date(year, month, day).isoformat()


def _from_excel(value: float) -> str:
    shown = _shown(value if not float(value).is_integer() else int(value))
    if not 1 <= value < _EXCEL_MAX + 1:
        raise ValueError(
            _("'{value}' is not a date. Format the cell as a date, or write dates as 2021-03-31.").format(value=shown)
        )
    serial = int(value)
    if serial == 60:
        raise ValueError(
            _(
                "60 is the spreadsheet date number of 29 February 1900, a day that never existed. Write the date as "
                "2021-03-31."
            )
        )
    day = _EXCEL_EPOCH + timedelta(days=serial + (1 if serial < 60 else 0))
    return _make_date(shown, day.year, day.month, day.day)


def _from_words(text: str, shown: str) -> str | None:
    """Read a date with the month written out, or return None when ``text`` does not look like one."""
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
        raise ValueError(
            _("'{value}' has no day. Write the full date, e.g. 2021-03-01 for the first of the month.").format(
                value=shown
            )
        )
    if not years and len(days) == 1:
        raise ValueError(_("'{value}' has no year. Write the full date, e.g. 2021-03-31.").format(value=shown))
    if not years and len(days) == 2:
        raise ValueError(
            _("'{value}' has a two-digit year. Write the year with four digits, e.g. 31 March 2021.").format(
                value=shown
            )
        )
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
        raise ValueError(_("The date is empty. Write dates as 2021-03-31."))
    if isinstance(value, datetime):
        return _make_date(_shown(value), value.year, value.month, value.day)
    if isinstance(value, date):
        return _make_date(_shown(value), value.year, value.month, value.day)
    if isinstance(value, bool):
        raise ValueError(_not_a_date(str(value), order))
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):
            raise ValueError(_not_a_date(_shown(value), order))
        return _from_excel(value)
    return _text_date(str(value).strip(), order)


@functools.lru_cache(maxsize=4096)
def _text_date(text: str, order: str) -> str:
    """Read a date written as text (see :func:`parse_date`); a file repeats its dates, each is read once."""
    shown = _shown(text)
    if len(text) > MAX_DATE_LENGTH:
        raise ValueError(
            _("The value has {n} characters, far too long to be a date.").format(n=figure(len(text)))
            + " "
            + _expected(order)
        )
    if m := _YEAR_FIRST.fullmatch(text):
        return _make_date(shown, int(m.group(1)), int(m.group(3)), int(m.group(4)))
    if m := _YEAR_LAST.fullmatch(text):
        first, second, year = int(m.group(1)), int(m.group(3)), m.group(4)
        if len(year) == 2:
            raise ValueError(
                _(
                    "'{value}' has a two-digit year. Write the year with four digits, e.g. {example} or 2021-03-31."
                ).format(value=shown, example=_example(order))
            )
        if len(year) != 4:
            raise ValueError(_not_a_date(shown, order))
        day, month = (first, second) if order == "DMY" else (second, first)
        if month > 12 and day <= 12:
            day, month = month, day  # only one reading makes sense
        if month > 12:
            raise ValueError(_not_a_date(shown, order))
        return _make_date(shown, int(year), month, day)
    found = _from_words(text, shown)
    if found is not None:
        return found
    if text.isdigit() and 4 < len(text) < 7:
        raise ValueError(
            _(
                "'{value}' is not a date; it may be a spreadsheet date number. Format the cell as a date, or write "
                "dates as 2021-03-31."
            ).format(value=shown)
        )
    raise ValueError(_not_a_date(shown, order))
