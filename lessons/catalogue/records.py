"""What a catalogue import carries, whatever it was read from: entries and problem profiles, with their texts.

The INTERLINK folder (:mod:`~lessons.catalogue.interlink`) and a spreadsheet (:mod:`~lessons.catalogue.sheet`) are
read into these records; :mod:`~lessons.catalogue.writing` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lessons.i18n import N_, Labels

__all__ = [
    "EFFORTS",
    "CatalogueError",
    "ENTRY_FIELDS",
    "KINDS",
    "KIND_LABELS",
    "LANGUAGE_NAMES",
    "LICENCE_LABELS",
    "Entry",
    "ProblemProfile",
]

#: The kinds of entry, and how they are named to people.
KINDS = ("method", "process", "stage", "knowledge", "software")
KIND_LABELS = Labels(
    {
        "method": N_("Participatory method"),
        "process": N_("Co-creation process"),
        "stage": N_("Stage of a process"),
        "knowledge": N_("Knowledge resource (guide, template, canvas)"),
        "software": N_("Software tool"),
    }
)
EFFORTS = ("low", "medium", "high")
#: The texts an entry may have in several languages.
ENTRY_FIELDS = ("name", "description", "problem")
#: Languages named in full on pages (others are shown by their code).
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "it": "Italian", "lv": "Latvian", "fi": "Finnish",
                  "el": "Greek", "pt": "Portuguese", "de": "German", "fr": "French", "nl": "Dutch"}  # fmt: skip
#: A tool's licence as INTERLINK names it (its own spelling kept as a key).
LICENCE_LABELS = Labels(
    {
        "public_domain": N_("Public domain"),
        "permissive": N_("Permissive open licence"),
        "copyleft": N_("Copyleft open licence"),
        "propietary": N_("Proprietary"),
        "proprietary": N_("Proprietary"),
    }
)


@dataclass
class Entry:
    """One method or tool as read from a catalogue (texts plain, codes checked)."""

    code: str
    kind: str
    name: str
    description: str | None = None
    problem: str | None = None
    phase: str | None = None
    effort: str | None = None
    link: str | None = None
    source: str | None = None
    licence: str | None = None
    language: str = "en"
    catalogue: str = "built-in"
    #: (language, field, text) for every language the texts exist in, the main one included.
    translations: list[tuple[str, str, str]] = field(default_factory=list)
    #: Codes of the problem profiles it addresses.
    problems: list[str] = field(default_factory=list)


@dataclass
class ProblemProfile:
    """One problem a catalogue's entries address (INTERLINK's problem profiles)."""

    code: str
    name: str
    description: str | None = None
    phase: str | None = None
    language: str = "en"
    source: str | None = None
    translations: list[tuple[str, str, str]] = field(default_factory=list)


class CatalogueError(ValueError):
    """A catalogue write that cannot be done as asked (an unknown entry, lesson or pilot); nothing was written."""
