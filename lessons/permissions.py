"""Who may do what. Every write function in ``lessons`` takes the acting user and calls :func:`authorize` first.

Roles
-----
admin
    everything, including accounts, the audit log and creating pilots.
editor
    authors the governance models (their elements and versions) and links lessons to them, accepting or
    rejecting the links coordinators propose; manages no accounts.
coordinator
    changes the pilots they are assigned to (facts, lessons, stakeholders, ties, uploads) and nothing else.
facilitator
    prepares, runs and closes workshops; results write back into lesson status through the workshop, not by
    editing lessons.
viewer
    reads; writes nothing.

Coordinators may also *propose* links between their own pilots' lessons and governance-model elements; a proposal
counts nowhere until an editor or administrator accepts it.

Workshop participants vote with a join code and no account; voting is checked against the workshop, not here.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass, field

from lessons.i18n import N_, Labels, _

ROLES = ("admin", "editor", "coordinator", "facilitator", "viewer")
ROLE_LABELS = Labels(
    {
        "admin": N_("Administrator"),
        "editor": N_("Model editor"),
        "coordinator": N_("Pilot coordinator"),
        "facilitator": N_("Workshop facilitator"),
        "viewer": N_("Viewer"),
    }
)

#: Every write action: the roles allowed to do it, whether coordinators are limited to their own pilots, and how
#: to say it in a refusal.
ACTIONS: dict[str, tuple[frozenset[str], bool, str]] = {
    "pilot.create": (frozenset({"admin"}), False, N_("create pilots")),
    "pilot.edit": (frozenset({"admin", "coordinator"}), True, N_("change this pilot's facts")),
    "pilot.delete": (frozenset({"admin"}), False, N_("delete pilots")),
    "lesson.edit": (frozenset({"admin", "coordinator"}), True, N_("change this pilot's lessons")),
    "upload.commit": (frozenset({"admin", "coordinator"}), True, N_("upload data into this pilot")),
    "upload.undo": (frozenset({"admin", "coordinator"}), True, N_("undo uploads of this pilot")),
    "workshop.manage": (frozenset({"admin", "facilitator"}), False, N_("prepare, run or close workshops")),
    "workshop.apply": (frozenset({"admin", "facilitator"}), False, N_("apply workshop results to lessons")),
    "model.edit": (frozenset({"admin", "editor"}), False, N_("change governance models")),
    "model.link": (frozenset({"admin", "editor"}), False, N_("link lessons to governance models")),
    "model.link.propose": (
        frozenset({"admin", "editor", "coordinator"}),
        True,
        N_("propose links for this pilot's lessons"),
    ),
    "vocabulary.edit": (frozenset({"admin"}), False, N_("change the vocabularies")),
    "catalogue.edit": (frozenset({"admin", "editor"}), False, N_("change the catalogue of methods and tools")),
    "user.manage": (frozenset({"admin"}), False, N_("manage accounts")),
    "audit.read": (frozenset({"admin"}), False, N_("read the audit log")),
    "bundle.import": (frozenset({"admin"}), False, N_("import a data bundle")),
    "privacy.full_export": (frozenset({"admin"}), False, N_("export workshop participants' personal data")),
}


class PermissionDenied(PermissionError):
    """The acting user's role does not allow this write; nothing was written."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, or the command line (which is run by whoever holds the database file)."""

    username: str
    role: str
    pilot_ids: frozenset[int] = field(default_factory=frozenset)
    user_id: int | None = None
    display_name: str | None = None

    @property
    def label(self) -> str:
        """Return the name to show for the actor: the display name, else the username."""
        return self.display_name or self.username


def cli_actor() -> Actor:
    """Return the command line's actor, an administrator: anyone who can run it can already write the database file."""
    try:
        who = getpass.getuser()
    except Exception:  # no login name in some containers
        who = "unknown"
    return Actor(username=f"cli:{who}", role="admin")


def can(actor: Actor | None, action: str, pilot_id: int | None = None) -> bool:
    """Whether ``actor`` may do ``action`` (on ``pilot_id`` for pilot-scoped actions).

    >>> coordinator = Actor("ana", "coordinator", frozenset({1}))
    >>> can(coordinator, "lesson.edit", pilot_id=1), can(coordinator, "lesson.edit", pilot_id=2)
    (True, False)
    >>> can(Actor("vic", "viewer"), "lesson.edit", pilot_id=1)
    False
    >>> can(None, "lesson.edit", pilot_id=1)
    False
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if actor is None or actor.role not in ROLES:
        return False
    roles, scoped, _what = ACTIONS[action]
    if actor.role not in roles:
        return False
    if scoped and actor.role == "coordinator":
        return pilot_id is not None and int(pilot_id) in actor.pilot_ids
    return True


def authorize(actor: Actor | None, action: str, pilot_id: int | None = None) -> Actor:
    """Return ``actor`` when it may do ``action``; otherwise raise :class:`PermissionDenied` with a plain message."""
    if can(actor, action, pilot_id):
        return actor
    scoped = ACTIONS[action][1]
    if actor is None:
        raise PermissionDenied(_("Sign in to {what}.").format(what=doing(action, signed_out=True)))
    if scoped and actor.role == "coordinator":
        raise PermissionDenied(_("You coordinate other pilots, so you may not {what}.").format(what=doing(action)))
    raise PermissionDenied(_("A {role} may not {what}.").format(role=role_name(actor.role), what=doing(action)))


def doing(action: str, *, signed_out: bool = False) -> str:
    """Say what ``action`` does, as a refusal names it, in the language in use ("change this pilot's lessons").

    ``signed_out``: as said to someone not signed in, who has no pilot yet ("change a pilot's lessons").

    >>> doing("lesson.edit"), doing("lesson.edit", signed_out=True)
    ("change this pilot's lessons", "change a pilot's lessons")
    """
    what = _SIGNED_OUT.get(action, ACTIONS[action][2]) if signed_out else ACTIONS[action][2]
    return _(what)


def role_name(role: str | None) -> str:
    """Name a role in a sentence, in the language in use: ``pilot coordinator`` (an unknown one as it is)."""
    return _(ROLE_LABELS[role]).lower() if role in ROLE_LABELS else (role or _("someone"))


def authorize_upload(actor: Actor | None, pilot_ids: Iterable[int] = (), *, creates_pilots: bool = False) -> Actor:
    """Return ``actor`` when it may make this upload; otherwise raise :class:`PermissionDenied`.

    The upload itself is authorised first, whatever it changes: only administrators and coordinators upload at all
    (so an upload that changes nothing is no way around the check). Then every pilot it writes to (or names) must
    be one the actor may change, and creating pilots needs an administrator.

    Parameters
    ----------
    actor : Actor or None
        Who uploads; ``None`` (nobody signed in) is refused.
    pilot_ids : iterable of int
        The existing pilots the upload changes or is made for.
    creates_pilots : bool
        Whether it creates pilots.

    Examples
    --------
    >>> coordinator = Actor("ana", "coordinator", frozenset({1}))
    >>> authorize_upload(coordinator, [1]).username, authorize_upload(coordinator).username
    ('ana', 'ana')
    >>> authorize_upload(Actor("vic", "viewer"))
    Traceback (most recent call last):
    ...
    lessons.permissions.PermissionDenied: A viewer may not upload data.
    >>> authorize_upload(None)
    Traceback (most recent call last):
    ...
    lessons.permissions.PermissionDenied: Sign in to upload data.
    """
    _require_role(actor, ("upload.commit", "model.edit"), N_("upload data"))  # editors upload the model sheets
    for pilot_id in sorted({int(p) for p in pilot_ids}):
        authorize(actor, "upload.commit", pilot_id)
    if creates_pilots:
        authorize(actor, "pilot.create")
    return actor


def authorize_undo(
    actor: Actor | None,
    pilot_ids: Iterable[int] | None = None,
    *,
    models: bool = False,
    link_pilots: Iterable[int] = (),
) -> Actor:
    """Return ``actor`` when it may undo an upload that touched ``pilot_ids``.

    Otherwise raise :class:`PermissionDenied`.

    An administrator may undo any upload; a coordinator only one whose every pilot they coordinate. An upload that
    touched no pilot (an empty upload, or one that only added free tags) belongs to no coordinator: only an
    administrator undoes it. An upload that changed governance models (``models``) needs an administrator or an
    editor; lesson links it made (``link_pilots``: the pilots of the linked lessons) need someone who links, or the
    coordinator of those pilots (who proposes links for them). With ``pilot_ids`` None, only whether
    the role ever undoes is checked (before the upload is looked up).

    Examples
    --------
    >>> ana = Actor("ana", "coordinator", frozenset({1}))
    >>> authorize_undo(ana, [1]).username
    'ana'
    >>> authorize_undo(ana, [])
    Traceback (most recent call last):
    ...
    lessons.permissions.PermissionDenied: This upload changed no pilot, so only an administrator may undo it.
    >>> authorize_undo(Actor("root", "admin"), []).username
    'root'
    """
    _require_role(actor, ("upload.undo", "model.edit"), N_("undo uploads"))
    if pilot_ids is None:
        return actor
    pilots = sorted({int(p) for p in pilot_ids})
    if models:
        authorize(actor, "model.edit")
    links = sorted({int(p) for p in link_pilots})
    if not can(actor, "model.link"):
        for pilot_id in links:
            authorize(actor, "model.link.propose", pilot_id)
    if not pilots and not models and not links and actor.role != "admin":
        raise PermissionDenied(_("This upload changed no pilot, so only an administrator may undo it."))
    for pilot_id in pilots:
        authorize(actor, "upload.undo", pilot_id)
    return actor


def _require_role(actor: Actor | None, actions: tuple[str, ...], what: str) -> None:
    """Refuse a missing actor, or one whose role may never do any of ``actions`` on any pilot."""
    if actor is None:
        raise PermissionDenied(_("Sign in to {what}.").format(what=_(what)))
    if actor.role not in ROLES or not any(actor.role in ACTIONS[action][0] for action in actions):
        raise PermissionDenied(_("A {role} may not {what}.").format(role=role_name(actor.role), what=_(what)))


#: The lesson lifecycle's decisions (``lessons.lifecycle``). Validating and contesting are not here: only
#: ``workshop.apply`` sets them. A coordinator records "applied elsewhere" only for a pilot they coordinate as the
#: place where it was applied.
ACTIONS.update(
    {
        "lesson.submit": (frozenset({"admin", "coordinator"}), True, N_("submit this pilot's lessons for validation")),
        "lesson.endorse": (frozenset({"admin", "editor"}), False, N_("endorse lessons")),
        "lesson.apply_elsewhere": (
            frozenset({"admin", "editor", "coordinator"}),
            True,
            N_("record that a lesson was applied in this place"),
        ),
    }
)

#: Stories and credit (#20): a coordinator writes their own pilots' stories, an administrator publishes them; both
#: record contributors and their consent (linking one to a lesson or story also needs the right to change it).
ACTIONS.update(
    {
        "story.edit": (frozenset({"admin", "coordinator"}), True, N_("write this pilot's stories")),
        "story.publish": (frozenset({"admin"}), False, N_("publish stories")),
        "contributor.edit": (frozenset({"admin", "coordinator"}), False, N_("record contributors and their consent")),
    }
)

#: What a pilot-scoped action does, as said to someone not signed in (who has no pilot of their own yet).
_SIGNED_OUT = {
    "pilot.edit": N_("change a pilot's facts"),
    "lesson.edit": N_("change a pilot's lessons"),
    "upload.commit": N_("upload data into a pilot"),
    "upload.undo": N_("undo uploads of a pilot"),
    "model.link.propose": N_("propose links for a pilot's lessons"),
    "lesson.submit": N_("submit a pilot's lessons for validation"),
    "story.edit": N_("write a pilot's stories"),
}
