"""Normalising uploaded values: folding, vocabularies, countries, dates, yes/no, numbers and lists."""

from __future__ import annotations

import csv
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from lessons.ingest.normalise import (
    Match,
    Vocabulary,
    country_vocabulary,
    evidence_strengths,
    fold,
    kinds,
    parse_bool,
    parse_date,
    parse_number,
    sectors_vocabulary,
    split_multi,
    statuses,
    vocabulary_from_rows,
)
from lessons.ingest.normalise import dates as norm_dates
from lessons.store import EVIDENCE_STRENGTHS, KINDS, STATUSES

VOCABULARY_DIR = Path(__file__).resolve().parents[1] / "lessons" / "vocabulary"
LONG = 1_000_000


def rows_of(name: str) -> list[dict]:
    with open(VOCABULARY_DIR / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def fast(fn, *args, limit: float = 0.1):
    """Call ``fn`` and assert it did not blow up on hostile input (catastrophic regex backtracking, quadratic
    loops), which on these inputs would take minutes. This is a guard, not a speed measurement (speed is the
    benchmark's job), so the bound is generous — at least 3 s — and never fails on a busy machine."""
    limit = max(limit, 3.0)
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        try:
            result = fn(*args)
        except ValueError as err:
            result = err
        best = min(best, time.perf_counter() - start)
    assert best < limit, f"{fn.__name__} took {best:.3f} s"
    return result


# ---------------------------------------------------------------------------------------------------------------
# fold


@pytest.mark.parametrize(
    "text, folded",
    [
        ("  Co-Design ", "co design"),
        ("Co design", "co design"),
        ("co_design", "co design"),
        ("CO–DESIGN", "co design"),  # en dash
        ("co — design", "co design"),  # em dash
        ("Łódź", "lodz"),
        ("ŁÓDŹ", "lodz"),
        ("Øresund", "oresund"),
        ("Æbeltoft", "aebeltoft"),
        ("Œuvre", "oeuvre"),
        ("Straße", "strasse"),
        ("STRAẞE", "strasse"),
        ("Đakovo", "dakovo"),
        ("Þórshöfn", "thorshofn"),
        ("España", "espana"),
        ("Ελλάδα", "ελλαδα"),
        ("İstanbul", "istanbul"),
        ("ﬁnance", "finance"),  # ligature
        ("Applied_Elsewhere", "applied elsewhere"),
        ("applied-elsewhere", "applied elsewhere"),
        ("a,b;c.d!e?", "a b c d e"),
        ("tab\tand\nnew line", "tab and new line"),
        ("non\u00a0breaking", "non breaking"),
        ("soft\u00adhyphen", "softhyphen"),
        ("zero\u200bwidth", "zerowidth"),
        ("nul\x00bell\x07", "nul bell"),
        ("validated ✓", "validated ✓"),  # symbols are kept
        ("🚀 launch", "🚀 launch"),
        ("42", "42"),
        ("", ""),
        ("   ", ""),
        ("---", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("value, folded", [(None, ""), (3, "3"), (1.5, "1 5"), (True, "true")])
def test_fold_non_strings(value, folded):
    assert fold(value) == folded


def test_fold_is_idempotent():
    for text in ("  Co-Design ", "Łódź", "Ελλάδα", "a\x00b", "🚀-x_y"):
        assert fold(fold(text)) == fold(text)


@pytest.mark.parametrize(
    "text",
    [
        "x" * LONG,
        "a-" * (LONG // 2),
        "é" * LONG,
        "e\u0301" * (LONG // 2),
        "🚀" * LONG,
        ("Łódź Ελλάδα, " * LONG)[:LONG],
        ("Ñandú café; " * LONG)[:LONG],
    ],
    ids=["ascii", "punctuation", "accents", "combining", "emoji", "mixed-scripts", "latin"],
)
def test_fold_a_million_characters_is_fast(text):
    fold("warm up é ł")
    assert fast(fold, text, limit=0.15)


# ---------------------------------------------------------------------------------------------------------------
# Vocabulary


@pytest.fixture(scope="module")
def themes():
    return vocabulary_from_rows("themes", rows_of("themes"))


@pytest.fixture(scope="module")
def phases():
    return vocabulary_from_rows("co-creation phases", rows_of("phases"))


@pytest.fixture(scope="module")
def sectors():
    return sectors_vocabulary(rows_of("sectors"))


@pytest.fixture(scope="module")
def methodologies():
    return vocabulary_from_rows("methodologies", rows_of("methodologies"))


def test_codes_keep_their_order(themes):
    assert themes.codes == [r["code"] for r in rows_of("themes")]
    themes.codes.append("changed")  # a copy
    assert "changed" not in themes.codes


@pytest.mark.parametrize(
    "value, code",
    [
        ("trust", "trust"),
        ("TRUST", "trust"),
        ("  trust  ", "trust"),
        ("Trust and relationships", "trust"),
        ("trust & relationships", None),  # '&' is punctuation but the word 'and' is missing
        ("hard to reach", "hard-to-reach"),
        ("Hard_To_Reach", "hard-to-reach"),
        ("Engagement of hard-to-reach groups", "hard-to-reach"),
        ("org change", "org-change"),
        ("Organisational change", "org-change"),
        ("Légal", "legal"),
    ],
)
def test_theme_matches(themes, value, code):
    assert themes.match(value).code == code


@pytest.mark.parametrize(
    "value, code",
    [
        ("co-design", "co-design"),
        ("Co design", "co-design"),
        ("Co-Design", "co-design"),
        ("co_design", "co-design"),
        ("CODESIGN", None),
        ("Understand needs", "understand"),
        ("initiate and mobilise", "initiate"),
    ],
)
def test_phase_matches(phases, value, code):
    assert phases.match(value).code == code


@pytest.mark.parametrize(
    "value, suggestion",
    [
        ("codesign", "co-design"),
        ("co-desing", "co-design"),
        ("evaluat", "evaluate"),
        ("eval", "evaluate"),  # a unique prefix of four characters
        ("Initiat", "initiate"),
    ],
)
def test_phase_suggestions(phases, value, suggestion):
    match = phases.match(value)
    assert match == Match(None, suggestion, f"'{value}' is not a co-creation phase.")


@pytest.mark.parametrize(
    "value, code",
    [
        ("CoSIE", "cosie"),
        ("INTERLINK co-production", "interlink"),
        ("Service design (Double Diamond)", "servicedesign"),
        ("service design double diamond", "servicedesign"),
    ],
)
def test_methodology_matches(methodologies, value, code):
    assert methodologies.match(value).code == code


@pytest.mark.parametrize(
    "value, code",
    [
        ("public", "public"),
        ("Public sector", "public"),
        ("government", "public"),
        ("Public body", "public"),
        ("municipality", "public"),
        ("NGO", "civil_society"),
        ("non-profit", "civil_society"),
        ("Non profit", "civil_society"),
        ("civil society organisation", "civil_society"),
        ("Association", "civil_society"),
        ("interest group", "civil_society"),
        ("Civil society", "civil_society"),
        ("civil_society", "civil_society"),
        ("civil-society", "civil_society"),
        ("business", "private"),
        ("Company", "private"),
        ("industry", "private"),
        ("firm", "private"),
        ("university", "research"),
        ("Academia", "research"),
        ("science", "research"),
        ("research institute", "research"),
        ("citizen", "citizens"),
        ("residents", "citizens"),
        ("service users", "citizens"),
        ("users", "citizens"),
        ("Citizens / service users", "citizens"),
    ],
)
def test_sector_matches(sectors, value, code):
    assert sectors.match(value).code == code


def test_sector_aliases_only_for_known_codes():
    only_public = sectors_vocabulary([{"code": "public", "name": "Public sector"}])
    assert only_public.codes == ["public"]
    assert only_public.match("ngo").code is None


@pytest.mark.parametrize(
    "make, value, code",
    [
        (kinds, "enabler", "enabler"),
        (kinds, "Enablers", "enabler"),
        (kinds, "BARRIERS", "barrier"),
        (kinds, "recommendations", "recommendation"),
        (kinds, "Insight", "insight"),
        (statuses, "applied elsewhere", "applied_elsewhere"),
        (statuses, "applied-elsewhere", "applied_elsewhere"),
        (statuses, "Applied Elsewhere", "applied_elsewhere"),
        (statuses, "VALIDATED", "validated"),
        (evidence_strengths, "Anecdotal", "anecdotal"),
    ],
)
def test_store_vocabularies(make, value, code):
    assert make().match(value).code == code


def test_store_vocabularies_have_the_store_codes():
    assert kinds().codes == list(KINDS)
    assert statuses().codes == list(STATUSES)
    assert evidence_strengths().codes == list(EVIDENCE_STRENGTHS)


@pytest.mark.parametrize(
    "make, value",
    [
        (kinds, "facilitator"),
        (kinds, "lesson"),
        (statuses, "approved"),
        (evidence_strengths, "strong"),
    ],
)
def test_store_vocabularies_are_conservative(make, value):
    assert make().match(value).code is None


def test_a_symbol_is_not_ignored():
    match = statuses().match("validated ✓")
    assert match.code is None
    assert match.suggestion == "validated"


def test_near_miss_gets_a_suggestion_and_message():
    match = kinds().match("enabeler")
    assert match == Match(None, "enabler", "'enabeler' is not a kind.")
    assert not match


def test_no_suggestion_lists_allowed_values():
    match = kinds().match("pizza")
    assert match.code is None and match.suggestion is None
    assert match.message == "'pizza' is not a kind. Use one of: enabler, barrier, recommendation, insight."


def test_message_lists_at_most_eight_values(themes):
    message = themes.match("zzzzzz").message
    assert message.startswith("'zzzzzz' is not a theme. Use one of: hard-to-reach, trust, digital,")
    assert message.count(",") == 7
    assert message.endswith(f"(or one of {len(themes.codes) - 8} more).")


@pytest.mark.parametrize(
    "name, noun",
    [
        ("kinds", "a kind"),
        ("statuses", "a status"),
        ("evidence strengths", "an evidence strength"),
        ("methodologies", "a methodology"),
        ("co-creation phases", "a co-creation phase"),
    ],
)
def test_message_names_the_vocabulary(name, noun):
    assert Vocabulary(name, {"x": []}).match("qqqq").message.startswith(f"'qqqq' is not {noun}.")


def test_noun_and_hint_can_be_given():
    v = Vocabulary("sizes", {"s": ["small"]}, noun="size code", hint="Write S, M or L.")
    assert v.match("huge").message == "'huge' is not a size code. Write S, M or L."


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n", float("nan")])
def test_empty_values_do_not_match(value):
    assert kinds().match(value) == Match(None, None, "No kind given.")


def test_punctuation_only_does_not_match():
    match = kinds().match("---")
    assert match.code is None and match.suggestion is None
    assert match.message.startswith("'---' is not a kind.")


def test_numbers_match_as_text():
    v = Vocabulary("levels", {"1": ["one"], "2": ["two"]})
    assert v.match(1).code == "1"
    assert v.match("2").code == "2"
    assert v.match(" one ").code == "1"


def test_the_code_beats_another_codes_alias():
    v = Vocabulary("things", {"a": ["b"], "b": []})
    assert v.match("b").code == "b"


def test_ambiguous_alias_matches_nothing_and_says_so():
    v = Vocabulary("things", {"red": ["colour"], "blue": ["colour"]})
    match = v.match("Colour")
    assert match.code is None and match.suggestion is None
    assert match.message.startswith("'Colour' could mean blue or red.")


def test_tied_suggestions_give_none():
    v = Vocabulary("things", {"abcx": [], "abcy": []})
    assert v.match("abcz").suggestion is None


def test_prefix_must_be_unique_and_long_enough():
    v = Vocabulary("things", {"evaluation": [], "evolution": [], "design": []})
    assert v.match("ev").suggestion is None
    assert v.match("eval").suggestion == "evaluation"
    assert v.match("des").suggestion is None  # three characters are too few


def test_names_given_as_a_single_string():
    v = Vocabulary("things", {"x": "Ex"})
    assert v.match("ex").code == "x"


def test_contains_and_repr():
    v = kinds()
    assert "Enablers" in v and "pizza" not in v
    assert repr(v) == "Vocabulary('kinds', 4 codes)"


def test_control_characters_and_emoji(themes):
    assert themes.match("trust\x07").code == "trust"
    assert themes.match("\x00trust\x00").code == "trust"
    match = themes.match("🚀")
    assert match.code is None and match.suggestion is None
    assert match.message.startswith("'🚀' is not a theme.")
    assert "\x07" not in kinds().match("ena\x07beler").message


def test_long_values_are_refused_quickly(themes):
    country_vocabulary()
    for vocabulary in (themes, country_vocabulary()):
        match = fast(vocabulary.match, "x" * LONG)
        assert match.code is None and match.suggestion is None
        assert "1,000,000 characters" in match.message
    assert themes.match("x" * 501).code is None
    assert "too long" not in themes.match("x" * 500).message


def test_messages_quote_long_values_briefly(themes):
    message = themes.match("y" * 400).message
    assert "y" * 59 + "…'" in message and "y" * 61 not in message


def test_match_of_a_miss_is_fast():
    country_vocabulary()
    fast(country_vocabulary().match, "Republic of Nowhere in particular")
    fast(country_vocabulary().match, "Ωμέγα " * 80)


# ---------------------------------------------------------------------------------------------------------------
# Countries


@pytest.mark.parametrize(
    "value, code",
    [
        ("IT", "IT"),
        ("it", "IT"),
        ("ITA", "IT"),
        ("Italy", "IT"),
        ("Italia", "IT"),
        ("Italie", "IT"),
        ("Deutschland", "DE"),
        ("Germany", "DE"),
        ("España", "ES"),
        ("espana", "ES"),
        ("ESPAÑA", "ES"),
        ("Suomi", "FI"),
        ("Sverige", "SE"),
        ("Polska", "PL"),
        ("Ελλάδα", "GR"),
        ("Greece", "GR"),
        ("Hellenic Republic", "GR"),
        ("EL", "GR"),
        ("GR", "GR"),
        ("Eesti", "EE"),
        ("Latvija", "LV"),
        ("Lietuva", "LT"),
        ("België", "BE"),
        ("Belgie", "BE"),
        ("Belgique", "BE"),
        ("Éire", "IE"),
        ("Eire", "IE"),
        ("Nederland", "NL"),
        ("The Netherlands", "NL"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Česko", "CZ"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("Great Britain", "GB"),
        ("Scotland", "GB"),
        ("Norge", "NO"),
        ("Ísland", "IS"),
        ("Fınland", "FI"),  # dotless i
        ("Danmark", "DK"),
        ("Österreich", "AT"),
        ("Magyarország", "HU"),
        ("Portugal", "PT"),
        ("Slovenská republika", "SK"),
        ("Slovenija", "SI"),
        ("Hrvatska", "HR"),
        ("България", "BG"),
        ("South Korea", "KR"),
        ("USA", "US"),
        ("Moldova", "MD"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
    ],
)
def test_countries(value, code):
    assert country_vocabulary().match(value).code == code


def test_every_iso_country_is_there():
    import pycountry

    vocabulary = country_vocabulary()
    assert sorted(vocabulary.codes) == sorted(c.alpha_2 for c in pycountry.countries)
    for country in pycountry.countries:
        assert vocabulary.match(country.alpha_2).code == country.alpha_2
        assert vocabulary.match(country.alpha_3).code == country.alpha_2
        assert vocabulary.match(country.name).code == country.alpha_2


def test_country_vocabulary_is_built_once():
    assert country_vocabulary() is country_vocabulary()


@pytest.mark.parametrize("value, suggestion", [("Itallia", "IT"), ("Germny", "DE"), ("Finlnd", "FI"), ("Germ", "DE")])
def test_country_suggestions(value, suggestion):
    match = country_vocabulary().match(value)
    assert match.code is None
    assert match.suggestion == suggestion
    assert match.message == f"'{value}' is not a country name or code."


def test_unknown_country_message():
    match = country_vocabulary().match("Atlantis")
    assert match == Match(
        None,
        None,
        "'Atlantis' is not a country name or code. Write the country's name, in English or its own language, "
        "or its two-letter ISO code, e.g. Italy, Italia or IT.",
    )


@pytest.mark.parametrize("value", ["XK", "Kosovo", "EU", "Europe", "Aust"])
def test_not_countries(value):
    assert country_vocabulary().match(value).code is None


# ---------------------------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2021-03-31", "2021-03-31"),
        ("2021-3-1", "2021-03-01"),
        ("2021/03/31", "2021-03-31"),
        ("2021.03.31", "2021-03-31"),
        ("2021. 03. 31.", "2021-03-31"),
        ("2021-03-31 14:30", "2021-03-31"),
        ("2021-03-31 00:00:00", "2021-03-31"),
        ("2021-03-31T14:30:00", "2021-03-31"),
        ("2021-03-31T14:30:00Z", "2021-03-31"),
        ("2021-03-31T14:30:00.123+02:00", "2021-03-31"),
        (" 2021-03-31 ", "2021-03-31"),
        ("31.03.2021", "2021-03-31"),
        ("31/03/2021", "2021-03-31"),
        ("31-03-2021", "2021-03-31"),
        ("1.3.2021", "2021-03-01"),
        ("31. 3. 2021", "2021-03-31"),
        ("31.03.2021.", "2021-03-31"),
        ("31.03.2021 14:30", "2021-03-31"),
        ("31/03/2021 14.30", "2021-03-31"),
        ("04/05/2021", "2021-05-04"),
        ("13/04/2021", "2021-04-13"),
        ("04/13/2021", "2021-04-13"),  # only one reading makes sense
        ("29.02.2020", "2020-02-29"),
        ("31 March 2021", "2021-03-31"),
        ("31 march 2021", "2021-03-31"),
        ("March 31, 2021", "2021-03-31"),
        ("March 31 2021", "2021-03-31"),
        ("Mar 31, 2021", "2021-03-31"),
        ("31-Mar-2021", "2021-03-31"),
        ("31 Mar. 2021", "2021-03-31"),
        ("31st March 2021", "2021-03-31"),
        ("1st March 2021", "2021-03-01"),
        ("Wednesday, 31 March 2021", "2021-03-31"),
        ("31 March 2021 14:30", "2021-03-31"),
        ("March 31, 2021, 2:30 pm", "2021-03-31"),
        ("the 31st of March 2021", "2021-03-31"),
        ("2021 March 31", "2021-03-31"),
        ("31 mars 2021", "2021-03-31"),
        ("1er mars 2021", "2021-03-01"),
        ("le 31 mars 2021", "2021-03-31"),
        ("31 déc. 2021", "2021-12-31"),
        ("14 juillet 2021", "2021-07-14"),
        ("15 août 2021", "2021-08-15"),
        ("31. März 2021", "2021-03-31"),
        ("31. Maerz 2021", None),  # not a spelling we know
        ("am 31. März 2021", "2021-03-31"),
        ("3. Oktober 2021", "2021-10-03"),
        ("24. Dezember 2021", "2021-12-24"),
        ("1. Jänner 2021", "2021-01-01"),
        ("31 de marzo de 2021", "2021-03-31"),
        ("31 marzo 2021", "2021-03-31"),
        ("1 gennaio 2021", "2021-01-01"),
        ("31 de março de 2021", "2021-03-31"),
        ("31 maart 2021", "2021-03-31"),
        ("1 mei 2021", "2021-05-01"),
        ("31 mars 2021", "2021-03-31"),
        ("31. marts 2021", "2021-03-31"),
        ("17. mai 2021", "2021-05-17"),
        ("31 marca 2021", "2021-03-31"),
        ("3 maja 2021", "2021-05-03"),
        ("31 marzec 2021", "2021-03-31"),
        ("31. března 2021", "2021-03-31"),
        ("31. maaliskuuta 2021", "2021-03-31"),
        ("6. joulukuuta 2021", "2021-12-06"),
        ("31. märts 2021", "2021-03-31"),
        ("2021. március 31.", "2021-03-31"),
        ("31 martie 2021", "2021-03-31"),
        ("31 Μαρτίου 2021", "2021-03-31"),
    ],
)
def test_parse_date_dmy(value, expected):
    if expected is None:
        with pytest.raises(ValueError, match="is not a date"):
            parse_date(value)
    else:
        assert parse_date(value) == expected
        assert parse_date(value, "DMY") == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("04/05/2021", "2021-04-05"),
        ("03/31/2021", "2021-03-31"),
        ("13/04/2021", "2021-04-13"),  # only one reading makes sense
        ("3/1/2021", "2021-03-01"),
        ("2021-03-04", "2021-03-04"),  # year first is always year-month-day
        ("2021/03/04", "2021-03-04"),
        ("March 4, 2021", "2021-03-04"),
        ("4 March 2021", "2021-03-04"),
    ],
)
def test_parse_date_mdy(value, expected):
    assert parse_date(value, "MDY") == expected
    assert parse_date(value, order="mdy") == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (date(2021, 3, 31), "2021-03-31"),
        (datetime(2021, 3, 31, 14, 30), "2021-03-31"),
        (datetime(2021, 3, 31, 23, 59, 59), "2021-03-31"),
        (44286, "2021-03-31"),
        (44286.0, "2021-03-31"),
        (44286.99, "2021-03-31"),
        (1, "1900-01-01"),
        (59, "1900-02-28"),
        (61, "1900-03-01"),
        (36526, "2000-01-01"),
    ],
)
def test_parse_date_objects_and_serials(value, expected):
    assert parse_date(value) == expected


def test_parse_date_pandas_timestamp():
    import pandas as pd

    assert parse_date(pd.Timestamp("2021-03-31 14:00")) == "2021-03-31"
    with pytest.raises(ValueError, match="empty"):
        parse_date(pd.NaT)


EXPECTED_DMY = "Write dates as 2021-03-31 (or day.month.year, as this upload states)."
EXPECTED_MDY = "Write dates as 2021-03-31 (or month/day/year, as this upload states)."


@pytest.mark.parametrize(
    "value, message",
    [
        ("31-31-2021", f"'31-31-2021' is not a date. {EXPECTED_DMY}"),
        ("31.02.2021", "'31.02.2021' is not a real date: February 2021 has 28 days."),
        ("29.02.2021", "'29.02.2021' is not a real date: February 2021 has 28 days."),
        ("31.04.2021", "'31.04.2021' is not a real date: April 2021 has 30 days."),
        ("00.03.2021", "'00.03.2021' is not a real date: there is no day 0."),
        ("2021-13-01", "'2021-13-01' is not a real date: there is no month 13."),
        ("2021-02-30", "'2021-02-30' is not a real date: February 2021 has 28 days."),
        ("31 February 2021", "'31 February 2021' is not a real date: February 2021 has 28 days."),
        (
            "31/03/21",
            "'31/03/21' has a two-digit year. Write the year with four digits, e.g. 31.03.2021 or 2021-03-31.",
        ),
        ("1.3.21", "'1.3.21' has a two-digit year. Write the year with four digits, e.g. 31.03.2021 or 2021-03-31."),
        ("31 Mar 21", "'31 Mar 21' has a two-digit year. Write the year with four digits, e.g. 31 March 2021."),
        ("marzo 2021", "'marzo 2021' has no day. Write the full date, e.g. 2021-03-01 for the first of the month."),
        ("March 2021", "'March 2021' has no day. Write the full date, e.g. 2021-03-01 for the first of the month."),
        ("31 March", "'31 March' has no year. Write the full date, e.g. 2021-03-31."),
        ("2201-01-01", "'2201-01-01' has the year 2201; dates must fall between 1900 and 2100."),
        ("01.01.1850", "'01.01.1850' has the year 1850; dates must fall between 1900 and 2100."),
        (
            "44286",
            "'44286' is not a date; it may be a spreadsheet date number. Format the cell as a date, or write dates as 2021-03-31.",
        ),
        ("20210331", f"'20210331' is not a date. {EXPECTED_DMY}"),
        ("31.03.021", f"'31.03.021' is not a date. {EXPECTED_DMY}"),
        ("1/2/3", f"'1/2/3' is not a date. {EXPECTED_DMY}"),
        ("31/03-2021", f"'31/03-2021' is not a date. {EXPECTED_DMY}"),
        ("31/03/2021 25:99", f"'31/03/2021 25:99' is not a date. {EXPECTED_DMY}"),
        ("yesterday", f"'yesterday' is not a date. {EXPECTED_DMY}"),
        ("March", f"'March' is not a date. {EXPECTED_DMY}"),
        ("March April 2021", f"'March April 2021' is not a date. {EXPECTED_DMY}"),
        ("31 jui 2021", f"'31 jui 2021' is not a date. {EXPECTED_DMY}"),  # juin or juillet?
        ("Q1 2021", f"'Q1 2021' is not a date. {EXPECTED_DMY}"),
        ("🚀", f"'🚀' is not a date. {EXPECTED_DMY}"),
        ("31.03.2021\x00", f"'31.03.2021\N{REPLACEMENT CHARACTER}' is not a date. {EXPECTED_DMY}"),
        ("", "The date is empty. Write dates as 2021-03-31."),
        ("   ", "The date is empty. Write dates as 2021-03-31."),
        (None, "The date is empty. Write dates as 2021-03-31."),
        (float("nan"), "The date is empty. Write dates as 2021-03-31."),
        (
            60,
            "60 is the spreadsheet date number of 29 February 1900, a day that never existed. Write the date as 2021-03-31.",
        ),
        (0, "'0' is not a date. Format the cell as a date, or write dates as 2021-03-31."),
        (-5, "'-5' is not a date. Format the cell as a date, or write dates as 2021-03-31."),
        (10**9, "'1000000000' is not a date. Format the cell as a date, or write dates as 2021-03-31."),
        (float("inf"), f"'inf' is not a date. {EXPECTED_DMY}"),
        (True, f"'True' is not a date. {EXPECTED_DMY}"),
        (date(1850, 1, 1), "'1850-01-01' has the year 1850; dates must fall between 1900 and 2100."),
    ],
)
def test_parse_date_refusals(value, message):
    with pytest.raises(ValueError) as caught:
        parse_date(value)
    assert str(caught.value) == message


def test_parse_date_message_follows_the_order():
    with pytest.raises(ValueError) as caught:
        parse_date("31-31-2021", "MDY")
    assert str(caught.value) == f"'31-31-2021' is not a date. {EXPECTED_MDY}"
    with pytest.raises(ValueError, match=r"e\.g\. 03/31/2021 or 2021-03-31"):
        parse_date("03/31/21", "MDY")


def test_parse_date_impossible_in_mdy():
    with pytest.raises(ValueError, match="February 2021 has 28 days"):
        parse_date("02/30/2021", "MDY")


@pytest.mark.parametrize("order", ["YMD", "DDMMYYYY", "", "dm"])
def test_parse_date_unknown_order(order):
    with pytest.raises(ValueError, match="date order must be DMY"):
        parse_date("2021-03-31", order)


def test_parse_date_long_text_is_refused_quickly():
    err = fast(parse_date, "1" * LONG)
    assert isinstance(err, ValueError)
    assert "1,000,000 characters" in str(err)
    err = fast(parse_date, "31.03.2021" + " " * 200)  # trailing spaces are trimmed first
    assert err == "2021-03-31"


def test_month_names_do_not_clash():
    norm_dates._months.cache_clear()
    months = norm_dates._months()  # raises if one word meant two months
    assert months["mar"] == 3 and months["mai"] == 5 and months["listopad"] == 11
    assert {len(words.split()) for key, words in norm_dates._MONTH_NAMES.items() if key != "de_at"} == {12}


# ---------------------------------------------------------------------------------------------------------------
# Yes/no


@pytest.mark.parametrize(
    "value",
    ["yes", "YES", " Yes ", "y", "Y", "true", "TRUE", "1", "x", "X", "✓", "✔", "ja", "Ja", "oui", "sí", "si", "sì", "sim",
     "kyllä", "KYLLÄ", "tak", "да", "Да", "da", "ano", "igen", "jah", "taip", "ναι", "Ναι", "yes.", 1, 1.0, True],
)  # fmt: skip
def test_parse_bool_yes(value):
    assert parse_bool(value) is True


@pytest.mark.parametrize(
    "value",
    ["no", "NO", " No ", "n", "N", "false", "False", "0", "nein", "non", "nee", "nej", "nei", "não", "nao", "ei", "nie",
     "ne", "nem", "nu", "όχι", "не", 0, 0.0, False],
)  # fmt: skip
def test_parse_bool_no(value):
    assert parse_bool(value) is False


@pytest.mark.parametrize("value", [None, "", "   ", "\t", float("nan"), "-", "–", "n/a", "N/A", "na"])
def test_parse_bool_unknown_is_none(value):
    assert parse_bool(value) is None


@pytest.mark.parametrize(
    "value",
    ["maybe", "2", 2, -1, 0.5, "yes no", "si no", "ok", "t", "f", "🚀", "✗", "\x00", "1.0", "-1", "+1", "01", "(1)", "1 yes"],
)  # fmt: skip
def test_parse_bool_refusals(value):
    with pytest.raises(ValueError, match="is neither yes nor no. Write yes or no"):
        parse_bool(value)


def test_parse_bool_long_text_is_refused_quickly():
    err = fast(parse_bool, "y" * LONG)
    assert isinstance(err, ValueError)
    assert len(str(err)) < 200


# ---------------------------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1,5", 1.5),
        ("1.5", 1.5),
        (" 2 ", 2.0),
        ("2", 2.0),
        (3, 3.0),
        (2.5, 2.5),
        ("0", 0.0),
        ("0.125", 0.125),
        ("0,125", 0.125),
        (".5", 0.5),
        ("-1,5", -1.5),
        ("- 1.5", -1.5),
        ("\u22122", -2.0),  # minus sign
        ("+3", 3.0),
        ("1 000", 1000.0),
        ("1\u00a0000", 1000.0),
        ("1\u202f000,5", 1000.5),
        ("1 000 000", 1_000_000.0),
        ("1 000 000,25", 1_000_000.25),
        ("1,000.5", 1000.5),
        ("1.000,5", 1000.5),
        ("1,000,000", 1_000_000.0),
        ("1.000.000", 1_000_000.0),
        ("12,345,678.9", 12_345_678.9),
        ("1'000", 1000.0),
        ("1000", 1000.0),
        ("1000,5", 1000.5),
        ("1e3", 1000.0),
        ("2.5E-1", 0.25),
        ("-", None),
        ("n/a", None),
        ("", None),
        ("   ", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_parse_number(value, expected):
    assert parse_number(value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("abc", "'abc' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("1,5,5", "'1,5,5' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("12,34.5", "'12,34.5' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("1 5", "'1 5' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("1.000.5", "'1.000.5' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("--5", "'--5' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("5%", "'5%' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("€5", "'€5' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("inf", "'inf' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("nan", "'nan' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("1e999", "'1e999' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("١٢", "'١٢' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("🚀", "'🚀' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("1\x00", "'1\N{REPLACEMENT CHARACTER}' is not a number. Write numbers like 2, 1.5 or 1,5."),
        ("1,000", "'1,000' could mean 1000 or 1. Write 1000 or 1 so it cannot be misread."),
        ("2.500", "'2.500' could mean 2500 or 2.5. Write 2500 or 2.5 so it cannot be misread."),
        ("#DIV/0!", "'#DIV/0!' is a spreadsheet error, not a number. Fix the formula or type the number."),
        ("#N/A", "'#N/A' is a spreadsheet error, not a number. Fix the formula or type the number."),
        (True, "'True' is not a number. Write numbers like 2, 1.5 or 1,5."),
        (float("inf"), "'inf' is not a finite number. Write numbers like 2, 1.5 or 1,5."),
    ],
)
def test_parse_number_refusals(value, message):
    with pytest.raises(ValueError) as caught:
        parse_number(value)
    assert str(caught.value) == message


def test_parse_number_long_text_is_refused_quickly():
    err = fast(parse_number, "1" * LONG)
    assert isinstance(err, ValueError)
    assert "1,000,000 characters" in str(err)


# ---------------------------------------------------------------------------------------------------------------
# Lists


@pytest.mark.parametrize(
    "value, separator, expected",
    [
        ("trust; digital", ";", ["trust", "digital"]),
        (" trust ;Digital;; TRUST ;digital tools", ";", ["trust", "Digital", "digital tools"]),
        ("Co-design;co design;CO_DESIGN", ";", ["Co-design"]),
        ("Łódź;lodz", ";", ["Łódź"]),
        ("a, b ,c", ",", ["a", "b", "c"]),
        ("a; b", ",", ["a; b"]),
        ("a|b", "|", ["a", "b"]),
        ("a / b", " / ", ["a", "b"]),
        ("trust\ndigital", ";", ["trust", "digital"]),
        ("trust\r\ndigital;legal", ";", ["trust", "digital", "legal"]),
        ("b;a;c", ";", ["b", "a", "c"]),
        ("🚀;🎉;🚀", ";", ["🚀", "🎉"]),
        ("  ", ";", []),
        (";;;", ";", []),
        ("", ";", []),
        (None, ";", []),
        (float("nan"), ";", []),
        (3, ";", ["3"]),
        (["trust", "digital; legal", "TRUST", None, ""], ";", ["trust", "digital", "legal"]),
        (("a", "b"), ";", ["a", "b"]),
    ],
)
def test_split_multi(value, separator, expected):
    assert split_multi(value, separator) == expected


def test_split_multi_default_separator():
    assert split_multi("a;b") == ["a", "b"]
    assert split_multi("a,b") == ["a,b"]


def test_split_multi_empty_separator():
    with pytest.raises(ValueError, match="separator"):
        split_multi("a;b", "")


def test_split_multi_long_text():
    parts = fast(split_multi, ";".join(["trust", "digital"] * 100_000) + ";" + "x" * LONG, limit=1.0)
    assert parts == ["trust", "digital", "x" * LONG]
