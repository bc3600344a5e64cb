"""Which sub-national grid a site may be on, from its coordinates: a coarse, documented lookup.

Only grids with a factor row (``verification/data/crediting_factors_regional.csv``) are described. Each
is an approximate outline (a hand-drawn polygon of a few vertices, good to ~20-30 km; ASSUMPTION), not
a utility service map: US state polygons are not shipped. A site inside an outline, or within
:data:`EDGE_KM` of its edge, may be on that grid; where that leaves the site possibly on a listed grid
and possibly on another (near an edge, or a grid not listed), the factor provider takes the lowest of
every applicable row, national included, so the imprecision can only lower the credits.

eGRID subregions follow balancing-authority footprints, not state lines: CAMX covers most of
California (not its far north-east, which is NWPP); NYUP is New York State without New York City,
Westchester (NYCW) and Long Island (NYLI). India has one national grid in CEA's CO2 Baseline Database
since the regional grids were synchronised (the database's combined margin is national), so there is
nothing sub-national to choose there.
"""

import math

EDGE_KM = 25.0

# region -> (country, outline as (latitude, longitude) vertices)
OUTLINES: dict[str, tuple[str, tuple[tuple[float, float], ...]]] = {
    # WECC California (CAMX): California without the far north-east (Modoc plateau, NWPP).
    "US-CAMX": (
        "US",
        (
            (41.0, -124.3),
            (41.0, -121.5),
            (39.0, -120.0),
            (35.0, -114.6),
            (32.7, -114.7),
            (32.55, -117.1),
            (34.45, -120.5),
            (37.8, -122.6),
            (40.4, -124.4),
        ),
    ),
    # NPCC Upstate New York (NYUP): New York State north of Westchester, without Long Island.
    "US-NYUP": (
        "US",
        (
            (42.0, -79.76),
            (42.5, -79.76),
            (43.3, -79.05),
            (43.6, -76.3),
            (45.0, -74.7),
            (45.0, -73.35),
            (42.75, -73.27),
            (41.45, -73.5),
            (41.35, -74.7),
            (42.0, -75.35),
        ),
    ),
}


def _inside(lat: float, lon: float, polygon: tuple[tuple[float, float], ...]) -> bool:
    inside = False
    for (y1, x1), (y2, x2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _edge_km(lat: float, lon: float, polygon: tuple[tuple[float, float], ...]) -> float:
    """Distance to the outline's nearest edge (equirectangular, fine at this scale)."""
    kx, ky = 111.32 * math.cos(math.radians(lat)), 110.57
    best = math.inf
    for (y1, x1), (y2, x2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        ax, ay, bx, by = (x1 - lon) * kx, (y1 - lat) * ky, (x2 - lon) * kx, (y2 - lat) * ky
        dx, dy = bx - ax, by - ay
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def grid_regions(country: str, latitude: float | None, longitude: float | None) -> tuple[str, ...]:
    """The listed sub-national grids the site may be on (empty without coordinates)."""
    if latitude is None or longitude is None:
        return ()
    found = []
    for region, (region_country, outline) in OUTLINES.items():
        if region_country != country:
            continue
        if _inside(latitude, longitude, outline) or _edge_km(latitude, longitude, outline) <= EDGE_KM:
            found.append(region)
    return tuple(sorted(found))
