"""Country boundaries shipped with the app, and where each pilot goes on a map drawn without any tile server.

The boundaries are Natural Earth's 1:110m countries (public domain), kept in ``data/geo/countries-110m.geojson``
with their provenance in ``data/geo/README.md``; nothing is fetched at run time. A pilot is placed at its own
coordinates when it has them (``latitude`` / ``longitude`` columns, when the store holds them), else at the centre
of its country's largest land mass (mainland France, not French Guiana), pilots sharing a country spread on a small
ring around it so that each can be seen and clicked.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = [
    "BOUNDARIES",
    "EXTRA_CENTRES",
    "LICENCE",
    "boundaries",
    "country_centre",
    "countries_within",
    "extent",
    "place_pilots",
]

#: The boundaries file and the credit line every map shows.
BOUNDARIES = Path(__file__).resolve().parent.parent / "data" / "geo" / "countries-110m.geojson"
LICENCE = "Boundaries: Natural Earth 1:110m (public domain)."
#: Centres (longitude, latitude) of countries too small for the 1:110m boundaries.
EXTRA_CENTRES = {
    "MT": (14.44, 35.89),
    "AD": (1.52, 42.55),
    "LI": (9.55, 47.16),
    "MC": (7.42, 43.74),
    "SM": (12.46, 43.94),
    "VA": (12.45, 41.90),
    "SG": (103.82, 1.35),
    "BH": (50.56, 26.07),
}
#: How far (degrees) pilots sharing a country's centre are set apart from it, on a ring.
SPREAD = 0.9


@lru_cache(maxsize=1)
def boundaries() -> dict:
    """Return the shipped country boundaries as a GeoJSON FeatureCollection (read once).

    Each feature's properties: ``code`` (ISO 3166 alpha-2), ``name``, ``continent``.

    Examples
    --------
    >>> world = boundaries()
    >>> world["type"], len(world["features"]) > 170
    ('FeatureCollection', True)
    """
    return json.loads(BOUNDARIES.read_text(encoding="utf-8"))


def _polygons(geometry: dict) -> list[list]:
    """Return the polygons of a Polygon or MultiPolygon geometry, each a list of rings."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def _ring_centre(ring: list) -> tuple[float, float, float]:
    """Return the area and centroid (longitude, latitude) of a ring, by the shoelace formula."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if abs(area) < 1e-12:
        xs, ys = zip(*ring)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(area), cx / (6 * area), cy / (6 * area)


@lru_cache(maxsize=1)
def _centres() -> dict[str, tuple[float, float]]:
    centres = dict(EXTRA_CENTRES)
    for feature in boundaries()["features"]:
        largest = max((_ring_centre(polygon[0]) for polygon in _polygons(feature["geometry"])), key=lambda c: c[0])
        centres[feature["properties"]["code"]] = (round(largest[1], 3), round(largest[2], 3))
    return centres


def country_centre(code: str) -> tuple[float, float] | None:
    """Return the (longitude, latitude) of the centre of a country's largest land mass, or None when unknown.

    Parameters
    ----------
    code : str
        ISO 3166 alpha-2 code.

    Examples
    --------
    >>> lon, lat = country_centre("FR")  # mainland France, not its overseas departments
    >>> -5 < lon < 8 and 42 < lat < 51
    True
    >>> country_centre("MT"), country_centre("ZZ")
    ((14.44, 35.89), None)
    """
    return _centres().get(str(code or "").upper())


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def place_pilots(pilots: pd.DataFrame) -> pd.DataFrame:
    """Return ``pilots`` with ``longitude``, ``latitude`` and ``placed_by`` for a map.

    ``placed_by`` is ``"coordinates"`` (the pilot's own, when it has ``latitude`` and ``longitude`` within range),
    ``"country"`` (its country's centre; several pilots of one country on a small ring around it, in slug order)
    or ``""`` (not placed: a country the boundaries do not know; such a pilot is still in every table).

    Parameters
    ----------
    pilots : pandas.DataFrame
        Columns slug and country at least; latitude and longitude when known.

    Examples
    --------
    >>> frame = pd.DataFrame({"slug": ["a", "b", "c"], "country": ["PT", "PT", "ZZ"]})
    >>> placed = place_pilots(frame)
    >>> list(placed["placed_by"]), bool(placed.loc[0, "longitude"] != placed.loc[1, "longitude"])
    (['country', 'country', ''], True)
    """
    out = pilots.copy()
    lons: list[float | None] = []
    lats: list[float | None] = []
    how: list[str] = []
    own_lat = out["latitude"] if "latitude" in out else pd.Series([None] * len(out), index=out.index)
    own_lon = out["longitude"] if "longitude" in out else pd.Series([None] * len(out), index=out.index)
    sharing = out.assign(given_lat=own_lat, given_lon=own_lon)
    by_country: dict[str, list[str]] = {}
    for row in sharing.sort_values("slug").itertuples():
        if _number(row.given_lat) is None or _number(row.given_lon) is None:
            by_country.setdefault(str(row.country or "").upper(), []).append(row.slug)
    for row in sharing.itertuples():
        lat, lon = _number(row.given_lat), _number(row.given_lon)
        if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
            lons.append(lon)
            lats.append(lat)
            how.append("coordinates")
            continue
        code = str(row.country or "").upper()
        centre = country_centre(code)
        if centre is None:
            lons.append(None)
            lats.append(None)
            how.append("")
            continue
        peers = by_country.get(code, [row.slug])
        if len(peers) > 1:
            angle = math.pi / 4 + 2 * math.pi * peers.index(row.slug) / len(peers)
            radius = SPREAD * min(1.0, 0.4 + 0.15 * len(peers))
            stretch = 1 / max(0.3, math.cos(math.radians(centre[1])))  # a degree of longitude shrinks to the north
            lons.append(round(centre[0] + radius * stretch * math.sin(angle), 3))
            lats.append(round(centre[1] + radius * math.cos(angle), 3))
        else:
            lons.append(centre[0])
            lats.append(centre[1])
        how.append("country")
    out["longitude"] = pd.array(lons, dtype="Float64")
    out["latitude"] = pd.array(lats, dtype="Float64")
    out["placed_by"] = how
    return out


def extent(placed: pd.DataFrame, margin: float = 4.0, aspect: float = 1.3) -> tuple[float, float, float, float]:
    """Return the box (west, south, east, north) around the placed pilots, with ``margin`` degrees each side.

    Without any placed pilot, Europe's box. The box is at least 20° wide and 14° high, so one pilot is shown in its
    surroundings, not blown up to fill the map, and widened to at least ``aspect`` times as wide as it is high (on
    the ground, a degree of longitude shrinking towards the poles), so that the map fills a landscape frame.

    Examples
    --------
    >>> extent(pd.DataFrame({"longitude": [], "latitude": []}), aspect=0)
    (-25.0, 34.0, 45.0, 72.0)
    >>> extent(pd.DataFrame({"longitude": [10.0], "latitude": [50.0]}), aspect=0)
    (0.0, 43.0, 20.0, 57.0)
    >>> west, south, east, north = extent(pd.DataFrame({"longitude": [10.0], "latitude": [50.0]}))
    >>> round((east - west) * math.cos(math.radians(50)) / (north - south), 2)
    1.3
    """
    lons = pd.to_numeric(placed["longitude"], errors="coerce").dropna()
    lats = pd.to_numeric(placed["latitude"], errors="coerce").dropna()
    if lons.empty or lats.empty:
        west, south, east, north = (-25.0, 34.0, 45.0, 72.0)
    else:
        west, east = float(lons.min()) - margin, float(lons.max()) + margin
        south, north = float(lats.min()) - margin, float(lats.max()) + margin
    if east - west < 20:
        middle = (east + west) / 2
        west, east = middle - 10, middle + 10
    if north - south < 14:
        middle = (north + south) / 2
        south, north = middle - 7, middle + 7
    shrink = max(0.2, math.cos(math.radians((north + south) / 2)))
    if (east - west) * shrink < aspect * (north - south):
        middle, half = (east + west) / 2, aspect * (north - south) / shrink / 2
        west, east = middle - half, middle + half
    return (round(max(west, -180.0), 3), max(south, -85.0), round(min(east, 180.0), 3), min(north, 85.0))


def _bbox(geometry: dict) -> tuple[float, float, float, float]:
    xs = [x for polygon in _polygons(geometry) for ring in polygon for x, _ in ring]
    ys = [y for polygon in _polygons(geometry) for ring in polygon for _, y in ring]
    return min(xs), min(ys), max(xs), max(ys)


def countries_within(box: tuple[float, float, float, float]) -> dict:
    """Return the boundaries of the countries that reach into ``box`` (west, south, east, north), as GeoJSON.

    A map draws only these (a small part of the world file), clipped to its frame.

    Examples
    --------
    >>> codes = {f["properties"]["code"] for f in countries_within((5.0, 45.0, 15.0, 50.0))["features"]}
    >>> {"CH", "AT", "DE"} <= codes, "BR" in codes
    (True, False)
    """
    west, south, east, north = box
    features = []
    for feature in boundaries()["features"]:
        x0, y0, x1, y1 = _bbox(feature["geometry"])
        if x0 <= east and x1 >= west and y0 <= north and y1 >= south:
            features.append(feature)
    return {"type": "FeatureCollection", "features": features}
