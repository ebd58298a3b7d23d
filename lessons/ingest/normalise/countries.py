"""Countries: every ISO 3166-1 country by its codes and its names in English and the European languages."""

from __future__ import annotations

import functools
import gettext

import pycountry

from lessons.i18n import N_
from lessons.ingest.normalise.folding import fold
from lessons.ingest.normalise.vocabulary import Vocabulary

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
        noun=N_("country name or code"),
        hint=N_(
            "Write the country's name, in English or its own language, or its two-letter ISO code, e.g. Italy, Italia or IT."
        ),
    )
