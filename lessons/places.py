"""A pilot's place on the map (#20): its latitude and longitude read from what a coordinator types, and checked.

The map (:mod:`lessons.geo`) puts a pilot at its own coordinates when it has both, else at its country's centre, so
an edit gives both or neither. A coordinate may be typed with a decimal comma and a degree sign; a refusal says what
to fix in the reader's language, and nothing is written (:mod:`lessons.editing` checks before it writes).

Examples
--------
>>> coordinate("61,4978°", "latitude"), coordinate("", "longitude"), coordinate(-180, "longitude")
(61.4978, None, -180.0)
>>> check_place(61.5, None)
Traceback (most recent call last):
...
lessons.editing_base.EditError: Give both the latitude and the longitude of the pilot's place, or neither (the map then places the pilot at its country's centre).
"""

from __future__ import annotations

import math

from lessons.editing_base import EditError
from lessons.i18n import _

__all__ = ["COORDINATES", "check_place", "coordinate", "placed"]

#: Each coordinate's range in decimal degrees (WGS 84), as the store's CHECK constraints have it (m021).
COORDINATES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}


def coordinate(value, field: str) -> float | None:
    """Return a latitude or longitude (``field``) given as a number or a text, in decimal degrees; None when empty.

    Raises :class:`lessons.editing_base.EditError`, saying what to fix, when it is not a number or out of range.

    >>> coordinate("95", "latitude")
    Traceback (most recent call last):
    ...
    lessons.editing_base.EditError: Latitude must be between -90 and 90 degrees; 95 is not.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = value.strip().removesuffix("°").strip().replace(",", ".") if isinstance(value, str) else value
    try:
        number = float(text) if not isinstance(text, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    low, high = COORDINATES[field]
    if not math.isfinite(number):
        message = (
            _("Latitude must be a number of decimal degrees, e.g. 61.4978; {value} is not.")
            if field == "latitude"
            else _("Longitude must be a number of decimal degrees, e.g. 23.7610; {value} is not.")
        )
        raise EditError(message.format(value=repr(value) if isinstance(value, str) else value))
    if not low <= number <= high:
        message = (
            _("Latitude must be between -90 and 90 degrees; {value} is not.")
            if field == "latitude"
            else _("Longitude must be between -180 and 180 degrees; {value} is not.")
        )
        raise EditError(message.format(value=value.strip() if isinstance(value, str) else value))
    return round(number, 6)


def placed(values: dict) -> dict:
    """Return ``values`` with the coordinates it carries read as numbers (None when cleared), the rest as given."""
    return {k: coordinate(v, k) if k in COORDINATES else v for k, v in values.items()}


def check_place(latitude: float | None, longitude: float | None) -> None:
    """Refuse a place with one coordinate but not the other (both or neither)."""
    if (latitude is None) != (longitude is None):
        raise EditError(
            _(
                "Give both the latitude and the longitude of the pilot's place, or neither (the map then places the "
                "pilot at its country's centre)."
            )
        )
