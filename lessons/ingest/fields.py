"""What each sheet of a pilot summary holds: fields, whether they are required, their type, help and aliases.

The template workbook, the column-mapping guesses, validation and the data dictionary all read this one list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lessons.i18n import N_


@dataclass(frozen=True)
class Field:
    """One column of a sheet.

    ``kind`` is ``text``, ``key``, ``date``, ``bool``, ``number``, ``vocab`` (one code of ``vocabulary``) or
    ``multi`` (several codes of ``vocabulary``, split on the chosen separator).
    """

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    vocabulary: str | None = None
    help: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)
    max_length: int = 10_000


PILOT = (
    Field("slug", N_("Pilot slug"), "key", True, help=N_("Short unique name: lower-case letters, digits and dashes, e.g. porto-housing"), aliases=("pilot", "pilot id", "id", "code")),
    Field("name", N_("Name"), required=True, help=N_("The pilot's name"), aliases=("pilot name", "title")),
    Field("country", N_("Country"), "vocab", True, "countries", N_("Country name or ISO code, e.g. Italy, Italia or IT"), ("nation",)),
    Field("region", N_("Region"), aliases=("province", "county", "state")),
    Field("city", N_("City"), aliases=("municipality", "town", "place", "location")),
    Field("service_area", N_("Service area"), aliases=("service", "policy area", "domain")),
    Field("target_groups", N_("Target groups"), aliases=("target group", "beneficiaries", "users")),
    Field("methodology", N_("Methodology"), "vocab", vocabulary="methodologies", aliases=("method", "approach")),
    Field("project", N_("Project"), aliases=("programme", "program")),
    Field("start_date", N_("Start date"), "date", aliases=("start", "from", "begin")),
    Field("end_date", N_("End date"), "date", aliases=("end", "to", "until")),
    Field("lead_organisation", N_("Lead organisation"), aliases=("lead", "lead organization", "coordinator organisation")),
    Field("summary", N_("Summary"), aliases=("description", "abstract"), max_length=20_000),
    Field("latitude", N_("Latitude"), "number", help=N_("Where the pilot is on a map, in decimal degrees north (south below 0), e.g. 41.15 for Porto; empty: its country's centre"), aliases=("lat",)),
    Field("longitude", N_("Longitude"), "number", help=N_("Decimal degrees east (west below 0), e.g. -8.61 for Porto; give it with the latitude"), aliases=("lon", "lng", "long")),
)  # fmt: skip

#: Number fields that may be 0 or below, with the range they must lie in (every other number must be above 0).
RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}

LESSONS = (
    Field("pilot", N_("Pilot"), "key", help=N_("Pilot slug; only needed when one file holds several pilots"), aliases=("pilot slug", "site", "project site")),
    Field("key", N_("Lesson key"), "key", True, help=N_("Stable key within the pilot, e.g. L01; a revised upload updates the lesson with the same key"), aliases=("lesson id", "id", "lesson number", "no", "number", "ref")),
    Field("title", N_("Title"), required=True, help=N_("A short headline"), aliases=("subject", "headline", "lesson title"), max_length=500),
    Field("lesson", N_("Lesson"), required=True, help=N_("What was learned"), aliases=("lesson learned", "lessons learned", "text", "description", "finding", "observation"), max_length=50_000),
    Field("context", N_("Context"), help=N_("The driving event or situation"), aliases=("driving event", "background", "situation", "abstract"), max_length=50_000),
    Field("recommendation", N_("Recommendation"), help=N_("What others should do"), aliases=("recommendations", "advice", "action"), max_length=50_000),
    Field("kind", N_("Kind"), "vocab", True, "kinds", N_("enabler, barrier, recommendation or insight"), ("type", "category", "lesson type")),
    Field("themes", N_("Themes"), "multi", vocabulary="themes", help=N_("Themes separated by the separator you choose (default ;); new names become free tags"), aliases=("theme", "topics", "topic", "tags", "keywords")),
    Field("phase", N_("Co-creation phase"), "vocab", vocabulary="phases", help=N_("initiate, understand, co-design, co-deliver or evaluate"), aliases=("phase", "stage", "step")),
    Field("stakeholder_groups", N_("Stakeholder groups"), "multi", vocabulary="sectors", help=N_("Groups concerned: public, civil_society, private, research, citizens"), aliases=("groups", "stakeholders", "sectors", "target")),
    Field("evidence_source", N_("Evidence source"), help=N_("Where the evidence comes from"), aliases=("evidence", "source", "references")),
    Field("evidence_strength", N_("Evidence strength"), "vocab", vocabulary="evidence_strengths", help=N_("anecdotal, observed, measured or evaluated"), aliases=("strength",)),
    Field("status", N_("Status"), "vocab", vocabulary="statuses", help=N_("draft or submitted (default submitted); a lesson's status after that comes from workshops and decisions, so any other value must be the status it has now"), aliases=("state",)),
    Field("language", N_("Language"), help=N_("ISO 639-1 code, e.g. en (default en)"), aliases=("lang",), max_length=8),
    Field("recorded_on", N_("Recorded on"), "date", help=N_("Date the lesson was recorded"), aliases=("date", "lesson date", "recorded")),
)  # fmt: skip

STAKEHOLDERS = (
    Field("pilot", N_("Pilot"), "key", help=N_("Pilot slug; only needed when one file holds several pilots")),
    Field("key", N_("Stakeholder key"), "key", True, help=N_("Stable key within the pilot, e.g. S01; ties refer to it. Without a key column the name is the key (at most 200 characters)"), aliases=("id", "actor id", "node", "stakeholder id")),
    Field("name", N_("Name"), required=True, help=N_("The stakeholder's name. Without a name column the key is the name"), aliases=("actor", "stakeholder", "organisation name", "label"), max_length=500),
    Field("organisation", N_("Organisation"), help=N_("Canonical organisation name when it takes part in several pilots"), aliases=("organization", "org")),
    Field("sector", N_("Sector"), "vocab", False, "sectors", N_("public, civil_society, private, research or citizens (empty: not classified)"), ("type", "category", "helix")),
    Field("hard_to_reach", N_("Hard to reach"), "bool", help=N_("yes for a hard-to-reach group or one representing it"), aliases=("hard to reach group", "htr", "vulnerable")),
    Field("role", N_("Role"), help=N_("What they did in the pilot"), aliases=("function", "description")),
)  # fmt: skip

TIES = (
    Field("pilot", N_("Pilot"), "key", help=N_("Pilot slug; only needed when one file holds several pilots")),
    Field("source", N_("From stakeholder"), "key", True, help=N_("Stakeholder key the tie starts from"), aliases=("from", "source key", "sender", "ego")),
    Field("target", N_("To stakeholder"), "key", True, help=N_("Stakeholder key the tie goes to"), aliases=("to", "target key", "receiver", "alter")),
    Field("relation", N_("Relation"), help=N_("collaboration, information, funding, accountability, advice, … (default collaboration)"), aliases=("type", "tie type", "kind", "label")),
    Field("directed", N_("Directed"), "bool", help=N_("yes when the tie has a direction (default: no for collaboration, yes otherwise)")),
    Field("weight", N_("Weight"), "number", help=N_("Strength greater than 0 (default 1)"), aliases=("strength", "value")),
    Field("period", N_("Period"), help=N_("baseline, end, or a date (default end)"), aliases=("time", "wave", "when")),
)  # fmt: skip

MODELS = (
    Field("slug", N_("Model"), "key", True, help=N_("The model's short name: lower-case letters, digits and hyphens, e.g. local-champions; a revised upload updates the model with the same name"), aliases=("model", "model slug", "slug", "id", "code")),
    Field("name", N_("Name"), required=True, help=N_("The model's full name"), aliases=("model name", "title"), max_length=500),
    Field("description", N_("Description"), help=N_("What the model says"), aliases=("summary",), max_length=20_000),
    Field("methodology", N_("Methodology"), "vocab", vocabulary="methodologies", help=N_("The methodology the model follows, if any"), aliases=("method", "approach")),
    Field("source", N_("Source"), help=N_("Where the model comes from (a report, a project, a link)"), aliases=("reference", "references", "inspired by"), max_length=2_000),
)  # fmt: skip

MODEL_ELEMENTS = (
    Field("model", N_("Model"), "key", True, help=N_("The model's short name, from the Models sheet or the models page"), aliases=("model slug",)),
    Field("number", N_("Number"), "number", True, help=N_("The element's place in the model: 1, 2, 3 … each number once per model; the elements are ordered by it"), aliases=("no", "position", "order", "#", "element number")),
    Field("key", N_("Element key"), "key", help=N_("Leave empty for a new element; E1, E2 … (shown on the models page) keep an element, and its lesson links, when you renumber it"), aliases=("element key", "element id")),
    Field("title", N_("Element"), required=True, help=N_("The principle or step, in a few words"), aliases=("element", "name", "principle", "step"), max_length=500),
    Field("kind", N_("Kind"), "vocab", vocabulary="element_kinds", help=N_("principle or step (default principle)"), aliases=("type", "element kind")),
    Field("description", N_("Description"), help=N_("What the element means in practice"), aliases=("summary",), max_length=20_000),
)  # fmt: skip

LESSON_LINKS = (
    Field("model", N_("Model"), "key", True, help=N_("The model's short name"), aliases=("model slug",)),
    Field("element", N_("Element number"), "number", True, help=N_("The element's number in the model (after this upload's Model elements sheet, if any)"), aliases=("element", "element no", "number")),
    Field("pilot", N_("Pilot"), "key", help=N_("Pilot slug of the lesson; only needed when one file holds several pilots"), aliases=("pilot slug",)),
    Field("lesson", N_("Lesson key"), "key", True, help=N_("The lesson's key in its pilot, e.g. L01"), aliases=("lesson", "lesson id", "key")),
    Field("stance", N_("Stance"), "vocab", True, "stances", N_("supports or challenges"), ("relation", "supports or challenges")),
    Field("note", N_("Note"), help=N_("Why the lesson supports or challenges the element"), aliases=("comment", "why"), max_length=5_000),
)  # fmt: skip

SHEETS: dict[str, tuple[Field, ...]] = {
    "Pilot": PILOT, "Lessons": LESSONS, "Stakeholders": STAKEHOLDERS, "Ties": TIES,
    "Models": MODELS, "Model elements": MODEL_ELEMENTS, "Lesson links": LESSON_LINKS,
}  # fmt: skip
#: The sheets about governance models (not about one pilot): read by ``lessons.ingest.model_sheets``.
MODEL_SHEETS = ("Models", "Model elements", "Lesson links")
SHEET_ALIASES = {
    "models": "Models", "model": "Models", "governance models": "Models", "governance model": "Models",
    "model elements": "Model elements", "elements": "Model elements", "model element": "Model elements",
    "principles": "Model elements", "steps": "Model elements",
    "lesson links": "Lesson links", "lesson link": "Lesson links", "model links": "Lesson links",
    "links to models": "Lesson links",
    "pilot": "Pilot", "pilots": "Pilot", "pilot facts": "Pilot",
    "lessons": "Lessons", "lesson": "Lessons", "lessons learned": "Lessons",
    "stakeholders": "Stakeholders", "stakeholder": "Stakeholders", "actors": "Stakeholders", "nodes": "Stakeholders",
    "ties": "Ties", "tie": "Ties", "edges": "Ties", "relations": "Ties", "links": "Ties",
}  # fmt: skip
