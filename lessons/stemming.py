"""Word stems per language (Snowball), for searching lessons and their translations in the language they are written in.

The store's ``lessons_stems`` index (m022) holds, for each lesson not written in English (English lessons have the
Porter indexes) and each translation, the Snowball stems of its text in that text's language; SQL triggers fill it by calling :func:`stems`, which :func:`register` makes a
deterministic SQLite function ``lessons_stems(text, language)`` on every connection the app opens
(:func:`lessons.store.connect`). A query is stemmed in every language the store's lessons use and the forms are
OR-ed (:func:`query_forms`).

Snowball has no Latvian stemmer (nor one for a few other languages): a text in such a language is indexed as its
words, lower case (the index folds accents), and a query word stands for every word that starts with it less its
last letters (:data:`PREFIX_KEEP`), so "pašvaldības" finds "pašvaldība" and "pašvaldībām".
"""

from __future__ import annotations

import re
import sqlite3
import threading

from lessons import learn

__all__ = ["FUNCTION", "PREFIX_KEEP", "SNOWBALL", "algorithm", "query_forms", "register", "stems", "words"]

#: The name of the SQLite function the index's triggers call.
FUNCTION = "lessons_stems"
#: ISO 639-1 code → Snowball algorithm, for the languages Snowball covers.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish", "nl": "dutch",
    "en": "english", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian", "fa": "persian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "es": "spanish", "sv": "swedish",
    "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
#: In a language without a stemmer, a query word of more than this many letters loses its last two (a case ending).
PREFIX_KEEP = 4
_WORD = re.compile(r"[^\W_]+")
_STATE = threading.local()  # each thread's stemmers and stems already made (Snowball's stemmers keep state)
_CACHED = 200_000  # at most this many stems kept per thread


def algorithm(language: str | None) -> str | None:
    """Return the Snowball algorithm of an ISO 639-1 code, or None where Snowball has none (Latvian).

    >>> algorithm("it"), algorithm("IT"), algorithm("lv"), algorithm(None)
    ('italian', 'italian', None, None)
    """
    return SNOWBALL.get((language or "").strip().lower()[:2])


def words(text: str | None) -> list[str]:
    """Return the words of a text, lower case, as FTS5's unicode61 tokenizer cuts them.

    >>> words("Le comunità-locali, 2021!")
    ['le', 'comunità', 'locali', '2021']
    """
    return _WORD.findall((text or "").lower())


def _stem_words(tokens: list[str], language: str | None) -> list[str]:
    name = algorithm(language)
    if name is None:
        return tokens
    state = _STATE.__dict__
    stemmer = state.get(name)
    if stemmer is None:
        stemmer = state[name] = learn.snowball_stemmer(name)
        state[name + ":cache"] = {}
    cache = state[name + ":cache"]
    missing = [token for token in set(tokens) if token not in cache]  # each new word stemmed once
    if len(cache) + len(missing) > _CACHED:
        cache.clear()
        missing = list(set(tokens))
    for token in missing:
        cache[token] = stemmer.stemWord(token)
    return list(map(cache.__getitem__, tokens))


def stems(text: str | None, language: str | None) -> str:
    """Return a text's words as stems of its language, joined by spaces (its words where Snowball has no stemmer).

    >>> stems("Le comunità locali hanno partecipato", "it")
    'le comun local hann partecip'
    >>> stems("Pašvaldības iedzīvotāji", "lv")
    'pašvaldības iedzīvotāji'
    >>> stems(None, "en")
    ''
    """
    return " ".join(_stem_words(words(text), language))


def query_forms(word: str, languages) -> list[str]:
    """Return an FTS5 query term for each form of a typed word: its stem in each language (a prefix where none).

    >>> query_forms("partecipazione", ["it", "en"])
    ['"partecip"', '"partecipazion"']
    >>> query_forms("pašvaldībām", ["lv"])
    ['"pašvaldīb"*']
    """
    found = []
    for language in languages:
        token = words(word)
        if not token:
            continue
        if algorithm(language) is None:
            term = token[-1]
            prefix = term[:-2] if len(term) > PREFIX_KEEP + 1 else term
            found.append(f'"{prefix}"*')
        else:
            found.append('"' + " ".join(_stem_words(token, language)) + '"')
    return list(dict.fromkeys(found))


def register(conn: sqlite3.Connection) -> None:
    """Make :func:`stems` the deterministic SQLite function ``lessons_stems(text, language)`` on a connection."""
    conn.create_function(FUNCTION, 2, stems, deterministic=True)
