"""What each sheet of a pilot summary holds: fields, whether they are required, their type, help and aliases.

The template workbook, the column-mapping guesses, validation and the data dictionary all read this one list.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    Field("slug", "Pilot slug", "key", True, help="Short unique name: lower-case letters, digits and dashes, e.g. porto-housing", aliases=("pilot", "pilot id", "id", "code")),
    Field("name", "Name", required=True, help="The pilot's name", aliases=("pilot name", "title")),
    Field("country", "Country", "vocab", True, "countries", "Country name or ISO code, e.g. Italy, Italia or IT", ("nation",)),
    Field("region", "Region", aliases=("province", "county", "state")),
    Field("city", "City", aliases=("municipality", "town", "place", "location")),
    Field("service_area", "Service area", aliases=("service", "policy area", "domain")),
    Field("target_groups", "Target groups", aliases=("target group", "beneficiaries", "users")),
    Field("methodology", "Methodology", "vocab", vocabulary="methodologies", aliases=("method", "approach")),
    Field("project", "Project", aliases=("programme", "program")),
    Field("start_date", "Start date", "date", aliases=("start", "from", "begin")),
    Field("end_date", "End date", "date", aliases=("end", "to", "until")),
    Field("lead_organisation", "Lead organisation", aliases=("lead", "lead organization", "coordinator organisation")),
    Field("summary", "Summary", aliases=("description", "abstract"), max_length=20_000),
    Field("latitude", "Latitude", "number", help="Where the pilot is on a map, in decimal degrees north (south below 0), e.g. 41.15 for Porto; empty: its country's centre", aliases=("lat",)),
    Field("longitude", "Longitude", "number", help="Decimal degrees east (west below 0), e.g. -8.61 for Porto; give it with the latitude", aliases=("lon", "lng", "long")),
)  # fmt: skip

#: Number fields that may be 0 or below, with the range they must lie in (every other number must be above 0).
RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}

LESSONS = (
    Field("pilot", "Pilot", "key", help="Pilot slug; only needed when one file holds several pilots", aliases=("pilot slug", "site", "project site")),
    Field("key", "Lesson key", "key", True, help="Stable key within the pilot, e.g. L01; a revised upload updates the lesson with the same key", aliases=("lesson id", "id", "lesson number", "no", "number", "ref")),
    Field("title", "Title", required=True, help="A short headline", aliases=("subject", "headline", "lesson title"), max_length=500),
    Field("lesson", "Lesson", required=True, help="What was learned", aliases=("lesson learned", "lessons learned", "text", "description", "finding", "observation"), max_length=50_000),
    Field("context", "Context", help="The driving event or situation", aliases=("driving event", "background", "situation", "abstract"), max_length=50_000),
    Field("recommendation", "Recommendation", help="What others should do", aliases=("recommendations", "advice", "action"), max_length=50_000),
    Field("kind", "Kind", "vocab", True, "kinds", "enabler, barrier, recommendation or insight", ("type", "category", "lesson type")),
    Field("themes", "Themes", "multi", vocabulary="themes", help="Themes separated by the separator you choose (default ;); new names become free tags", aliases=("theme", "topics", "topic", "tags", "keywords")),
    Field("phase", "Co-creation phase", "vocab", vocabulary="phases", help="initiate, understand, co-design, co-deliver or evaluate", aliases=("phase", "stage", "step")),
    Field("stakeholder_groups", "Stakeholder groups", "multi", vocabulary="sectors", help="Groups concerned: public, civil_society, private, research, citizens", aliases=("groups", "stakeholders", "sectors", "target")),
    Field("evidence_source", "Evidence source", help="Where the evidence comes from", aliases=("evidence", "source", "references")),
    Field("evidence_strength", "Evidence strength", "vocab", vocabulary="evidence_strengths", help="anecdotal, observed, measured or evaluated", aliases=("strength",)),
    Field("status", "Status", "vocab", vocabulary="statuses", help="draft or submitted (default submitted); a lesson's status after that comes from workshops and decisions, so any other value must be the status it has now", aliases=("state",)),
    Field("language", "Language", help="ISO 639-1 code, e.g. en (default en)", aliases=("lang",), max_length=8),
    Field("recorded_on", "Recorded on", "date", help="Date the lesson was recorded", aliases=("date", "lesson date", "recorded")),
)  # fmt: skip

STAKEHOLDERS = (
    Field("pilot", "Pilot", "key", help="Pilot slug; only needed when one file holds several pilots"),
    Field("key", "Stakeholder key", "key", True, help="Stable key within the pilot, e.g. S01; ties refer to it. Without a key column the name is the key (at most 200 characters)", aliases=("id", "actor id", "node", "stakeholder id")),
    Field("name", "Name", required=True, help="The stakeholder's name. Without a name column the key is the name", aliases=("actor", "stakeholder", "organisation name", "label"), max_length=500),
    Field("organisation", "Organisation", help="Canonical organisation name when it takes part in several pilots", aliases=("organization", "org")),
    Field("sector", "Sector", "vocab", False, "sectors", "public, civil_society, private, research or citizens (empty: not classified)", ("type", "category", "helix")),
    Field("hard_to_reach", "Hard to reach", "bool", help="yes for a hard-to-reach group or one representing it", aliases=("hard to reach group", "htr", "vulnerable")),
    Field("role", "Role", help="What they did in the pilot", aliases=("function", "description")),
)  # fmt: skip

TIES = (
    Field("pilot", "Pilot", "key", help="Pilot slug; only needed when one file holds several pilots"),
    Field("source", "From stakeholder", "key", True, help="Stakeholder key the tie starts from", aliases=("from", "source key", "sender", "ego")),
    Field("target", "To stakeholder", "key", True, help="Stakeholder key the tie goes to", aliases=("to", "target key", "receiver", "alter")),
    Field("relation", "Relation", help="collaboration, information, funding, accountability, advice, … (default collaboration)", aliases=("type", "tie type", "kind", "label")),
    Field("directed", "Directed", "bool", help="yes when the tie has a direction (default: no for collaboration, yes otherwise)"),
    Field("weight", "Weight", "number", help="Strength greater than 0 (default 1)", aliases=("strength", "value")),
    Field("period", "Period", help="baseline, end, or a date (default end)", aliases=("time", "wave", "when")),
)  # fmt: skip

MODELS = (
    Field("slug", "Model", "key", True, help="The model's short name: lower-case letters, digits and hyphens, e.g. local-champions; a revised upload updates the model with the same name", aliases=("model", "model slug", "slug", "id", "code")),
    Field("name", "Name", required=True, help="The model's full name", aliases=("model name", "title"), max_length=500),
    Field("description", "Description", help="What the model says", aliases=("summary",), max_length=20_000),
    Field("methodology", "Methodology", "vocab", vocabulary="methodologies", help="The methodology the model follows, if any", aliases=("method", "approach")),
    Field("source", "Source", help="Where the model comes from (a report, a project, a link)", aliases=("reference", "references", "inspired by"), max_length=2_000),
)  # fmt: skip

MODEL_ELEMENTS = (
    Field("model", "Model", "key", True, help="The model's short name, from the Models sheet or the models page", aliases=("model slug",)),
    Field("number", "Number", "number", True, help="The element's place in the model: 1, 2, 3 … each number once per model; the elements are ordered by it", aliases=("no", "position", "order", "#", "element number")),
    Field("key", "Element key", "key", help="Leave empty for a new element; E1, E2 … (shown on the models page) keep an element, and its lesson links, when you renumber it", aliases=("element key", "element id")),
    Field("title", "Element", required=True, help="The principle or step, in a few words", aliases=("element", "name", "principle", "step"), max_length=500),
    Field("kind", "Kind", "vocab", vocabulary="element_kinds", help="principle or step (default principle)", aliases=("type", "element kind")),
    Field("description", "Description", help="What the element means in practice", aliases=("summary",), max_length=20_000),
)  # fmt: skip

LESSON_LINKS = (
    Field("model", "Model", "key", True, help="The model's short name", aliases=("model slug",)),
    Field("element", "Element number", "number", True, help="The element's number in the model (after this upload's Model elements sheet, if any)", aliases=("element", "element no", "number")),
    Field("pilot", "Pilot", "key", help="Pilot slug of the lesson; only needed when one file holds several pilots", aliases=("pilot slug",)),
    Field("lesson", "Lesson key", "key", True, help="The lesson's key in its pilot, e.g. L01", aliases=("lesson", "lesson id", "key")),
    Field("stance", "Stance", "vocab", True, "stances", "supports or challenges", ("relation", "supports or challenges")),
    Field("note", "Note", help="Why the lesson supports or challenges the element", aliases=("comment", "why"), max_length=5_000),
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
