"""Which country a point is in, offline, from Natural Earth's 1:10m country boundaries (public domain).

The boundaries ship in ``sites/data/countries-10m.npz`` (source, licence and rebuild: ``sites/data/README.md``);
nothing here touches the network. Pure Python and numpy, no Django, so screening code and tests can use it alone.

    >>> country_at(48.8566, 2.3522)
    'FR'
    >>> within_country(46.2044, 6.1432, "FR")      # Geneva: in CH, but within the tolerance of France
    True

The data load lazily, once per process and thread-safely, on the first call, or when :func:`preload` is called:
in the gunicorn master before it forks, the workers share the arrays' pages copy-on-write; in a worker, each holds
its own copy (about 8 MB). ``sites/data/README.md`` has the measured load time, memory and lookup rate.

How a lookup works: the file stores TopoJSON's shared arcs (each border once) and, for each, the one or two
"features" (countries, territories) it bounds; rings that cross ±180° were cut there at build time, so every
polygon is planar in -180..180. A point is inside a feature when a ray from it to the east crosses that feature's
boundary an odd number of times (even-odd rule: holes such as Lesotho in South Africa and enclaves need no special
case). Segments are indexed by 0.1° latitude band, so a lookup reads only the segments of its band (a few hundred,
at most ~1,200), and per-feature bounding boxes settle points far from a declared country without reading any.

What a code means: :func:`country_at` gives the ISO 3166-1 alpha-2 code of the area (``"RE"`` for Réunion,
``"PR"`` for Puerto Rico, ``"XK"`` for Kosovo); :func:`within_country` also accepts the sovereign state's code
where the area is an integral part of it (Réunion as ``"FR"``) or where sovereignty is disputed (Kosovo as
``"RS"``). The full list is in ``sites/data/build_boundaries.py`` and the README.
"""

import math
import threading
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real
from pathlib import Path

import numpy as np
import numpy.typing as npt

DATA_FILE = Path(__file__).resolve().parent / "data" / "countries-10m.npz"

# Natural Earth 1:10m boundaries are generalised: coasts and borders are simplified to roughly 0.5 mm at
# 1:10,000,000, i.e. up to a few km off on intricate coasts (fjords, estuaries, harbour fronts), small islands
# are merged or missing, and river borders are straightened. 10 km accepts every real rooftop on a coast or a
# border we tried (Brighton's seafront, Geneva, Baarle, Tromsø) while still refusing what the rule is for:
# swapped latitude/longitude, a dropped minus sign, a site declared in the wrong country. The price is that a
# site up to 10 km across a border passes for the neighbour too (Nice passes as Monaco).
DEFAULT_TOLERANCE_KM = 10.0
MAX_TOLERANCE_KM = 100.0  # the equirectangular distance below is only good for short distances
KM_PER_DEGREE = 6371.0088 * math.pi / 180  # on the mean Earth radius (IUGG)

_IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True)
class _Boundaries:
    """The loaded data set; every coordinate is in the quantised grid (lon = x * sx + tx, lat = y * sy + ty)."""

    x: _IntArray  # all points of all lines, concatenated
    y: _IntArray
    point_line: npt.NDArray[np.int16]  # the line each point belongs to
    line_owners: _IntArray  # (n_lines, 2): the features a line bounds; n_features stands for none
    band_offsets: _IntArray  # band b's segments are band_segments[band_offsets[b]:band_offsets[b + 1]]
    band_segments: _IntArray  # a segment is named by its first point and runs to the next one
    band_bottom: int
    band_height: int
    feature_boxes: npt.NDArray[np.float64]  # (n_features, 4): x_min, y_min, x_max, y_max
    feature_codes: tuple[str | None, ...]
    features_by_code: dict[str, _IntArray]  # code -> the features where a site may declare it
    sx: float
    sy: float
    tx: float
    ty: float
    width: int  # the grid's x of +180°; x = 0 is -180°
    source: str

    @property
    def n_features(self) -> int:
        return len(self.feature_codes)

    def owners(self, segments: _IntArray) -> _IntArray:
        """(n, 2): the features whose boundary each segment is part of (n_features for none)."""
        return self.line_owners[self.point_line[segments]]


_loaded: _Boundaries | None = None
_lock = threading.Lock()


def _load(path: Path = DATA_FILE) -> _Boundaries:
    """Read the file; the arrays arrive in their final form (deltas summed in place), so little is copied."""
    with np.load(path, allow_pickle=False) as data:
        x = data["dx"]
        np.cumsum(x, out=x)
        y = data["dy"]
        np.cumsum(y, out=y)
        band_segments = data["band_dsegments"]
        np.cumsum(band_segments, out=band_segments)
        band_offsets = data["band_offsets"]
        band_bottom, band_height = (int(value) for value in data["band_grid"])
        lengths = data["line_lengths"]
        line_owners = data["line_features"].astype(np.int32)
        boxes = data["feature_box"].astype(np.float64)
        codes = [str(code) or None for code in data["feature_code"]]
        accepts = [str(joined).split(",") if str(joined) else [] for joined in data["feature_accepts"]]
        sx, sy, tx, ty = (float(value) for value in data["transform"])
        source = str(data["source"][0])
    line_owners[line_owners < 0] = len(codes)  # a sentinel past every per-feature array
    by_code: dict[str, list[int]] = {}
    for feature, feature_accepts in enumerate(accepts):
        for code in feature_accepts:
            by_code.setdefault(code, []).append(feature)
    return _Boundaries(
        x=x,
        y=y,
        point_line=np.repeat(np.arange(len(lengths), dtype=np.int16), lengths),
        line_owners=line_owners,
        band_offsets=band_offsets,
        band_segments=band_segments,
        band_bottom=band_bottom,
        band_height=band_height,
        feature_boxes=boxes,
        feature_codes=tuple(codes),
        features_by_code={code: np.array(features, dtype=np.int32) for code, features in by_code.items()},
        sx=sx,
        sy=sy,
        tx=tx,
        ty=ty,
        width=round(360 / sx),
        source=source,
    )


def _boundaries() -> _Boundaries:
    global _loaded  # one lazily loaded data set per process
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _load()
    return _loaded


def preload() -> None:
    """Load the boundaries now rather than on the first lookup (in the gunicorn master, to share them)."""
    _boundaries()


def known_countries() -> frozenset[str]:
    """Every code :func:`within_country` knows: ISO 3166-1 alpha-2 (all 249 of them) and ``XK`` (Kosovo)."""
    return frozenset(_boundaries().features_by_code)


def data_source() -> str:
    """One line naming the data set, its version and licence, for logs and "why" messages."""
    return _boundaries().source


def _coordinates(latitude: object, longitude: object) -> tuple[float, float]:
    values = []
    for name, value, limit in (("latitude", latitude, 90.0), ("longitude", longitude, 180.0)):
        if isinstance(value, bool) or not isinstance(value, Real | Decimal):
            raise ValueError(f"{name} must be a number, not {type(value).__name__}")
        number = float(value)
        if not math.isfinite(number) or not -limit <= number <= limit:
            raise ValueError(f"{name} must be a finite number between -{limit:g} and {limit:g}, not {value!r}")
        values.append(number)
    latitude, longitude = values
    if longitude == 180.0:
        longitude = -180.0  # the same meridian; the grid's polygons end at +180 and start at -180
    return latitude, longitude


def _inside(data: _Boundaries, qx: float, qy: float) -> npt.NDArray[np.bool_]:
    """Whether (qx, qy) is inside each feature: the parity of the crossings of a ray to the east."""
    band = math.floor((qy - data.band_bottom) / data.band_height)
    inside = np.zeros(data.n_features, dtype=bool)
    if not 0 <= band < len(data.band_offsets) - 1:
        return inside
    segments = data.band_segments[data.band_offsets[band] : data.band_offsets[band + 1]]
    ya, yb = data.y[segments], data.y[segments + 1]
    straddles = (ya > qy) != (yb > qy)  # half-open, so a ray through a vertex counts it once
    segments, ya, yb = segments[straddles], ya[straddles], yb[straddles]
    xa, xb = data.x[segments], data.x[segments + 1]
    crossing_x = xa + (qy - ya) * (xb - xa).astype(np.float64) / (yb - ya)
    owners = data.owners(segments[crossing_x > qx])
    counts = np.bincount(owners.ravel(), minlength=data.n_features + 1)
    inside[:] = counts[: data.n_features] % 2 == 1
    return inside


def _grid(data: _Boundaries, latitude: float, longitude: float) -> tuple[float, float]:
    return (longitude - data.tx) / data.sx, (latitude - data.ty) / data.sy


def country_at(latitude: float | Decimal, longitude: float | Decimal) -> str | None:
    """The ISO 3166-1 alpha-2 code of the country or territory at a point (WGS 84 degrees), or None at sea.

    None too where no single state holds the land (the Spratly Islands, Scarborough Reef). Exact to the
    generalised 1:10m boundaries: a real place on an intricate coast (Tromsø: 1.7 km off the data's coast), or on
    a small island the data set leaves out, can come back None; use :func:`within_country` to check a declared
    country with a tolerance. Raises ValueError for anything that is not a finite latitude in [-90, 90] and
    longitude in [-180, 180].
    """
    latitude, longitude = _coordinates(latitude, longitude)
    data = _boundaries()
    qx, qy = _grid(data, latitude, longitude)
    boxes = data.feature_boxes
    if not np.any((boxes[:, 0] <= qx) & (qx <= boxes[:, 2]) & (boxes[:, 1] <= qy) & (qy <= boxes[:, 3])):
        return None
    for feature in np.flatnonzero(_inside(data, qx, qy)):
        code = data.feature_codes[feature]
        if code is not None:
            return code
    return None


def within_country(
    latitude: float | Decimal,
    longitude: float | Decimal,
    country: str,
    tolerance_km: float | Decimal = DEFAULT_TOLERANCE_KM,
) -> bool:
    """Whether a point (WGS 84 degrees) lies in ``country`` (ISO 3166-1 alpha-2) or within ``tolerance_km`` of it.

    True when the point is inside one of the areas where a site may declare the code (see the module docstring:
    Réunion counts for RE and FR) or within ``tolerance_km`` of such an area's boundary, measured on an
    equirectangular projection around the point (good to well under 1 % at these distances, except within a
    few degrees of the poles). The default, :data:`DEFAULT_TOLERANCE_KM` = 10 km, absorbs the generalisation of
    1:10m boundaries (see its comment); 0 asks for the polygon itself.

    Raises ValueError for invalid coordinates (as :func:`country_at`), a code with no boundary data (anything
    outside :func:`known_countries`; lower case is accepted) or a tolerance outside [0, 100] km.
    """
    latitude, longitude = _coordinates(latitude, longitude)
    if not isinstance(tolerance_km, Real | Decimal) or isinstance(tolerance_km, bool):
        raise ValueError(f"tolerance_km must be a number, not {type(tolerance_km).__name__}")
    tolerance = float(tolerance_km)
    if not 0 <= tolerance <= MAX_TOLERANCE_KM:  # NaN fails too
        raise ValueError(f"tolerance_km must be between 0 and {MAX_TOLERANCE_KM:g}, not {tolerance_km!r}")
    data = _boundaries()
    features = data.features_by_code.get(country.upper()) if isinstance(country, str) else None
    if features is None:
        raise ValueError(f"no boundary data for country code {country!r}")
    qx, qy = _grid(data, latitude, longitude)

    # Bounding boxes first, widened by the tolerance (east-west also across ±180°).
    margin_y = tolerance / (KM_PER_DEGREE * data.sy)
    cos_lat = math.cos(math.radians(latitude))
    margin_x = tolerance / (KM_PER_DEGREE * max(cos_lat, 1e-9) * data.sx)
    boxes = data.feature_boxes[features]
    near_y = (boxes[:, 1] - margin_y <= qy) & (qy <= boxes[:, 3] + margin_y)
    near_x = np.zeros(len(features), dtype=bool)
    for shift in (-data.width, 0, data.width):
        near_x |= (boxes[:, 0] - margin_x <= qx + shift) & (qx + shift <= boxes[:, 2] + margin_x)
    features = features[near_x & near_y]
    if not len(features):
        return False
    if _inside(data, qx, qy)[features].any():
        return True
    if tolerance == 0:
        return False
    return _distance_km(data, features, latitude, longitude, qx, qy, margin_x, margin_y, cos_lat) <= tolerance


def _distance_km(
    data: _Boundaries,
    features: _IntArray,
    latitude: float,
    longitude: float,
    qx: float,
    qy: float,
    margin_x: float,
    margin_y: float,
    cos_lat: float,
) -> float:
    """Distance from the point to the nearest boundary segment of ``features`` within the margins (else inf)."""
    n_bands = len(data.band_offsets) - 1
    first = max(0, math.floor((qy - margin_y - data.band_bottom) / data.band_height))
    last = min(n_bands - 1, math.floor((qy + margin_y - data.band_bottom) / data.band_height))
    if first > last:
        return math.inf
    segments = data.band_segments[data.band_offsets[first] : data.band_offsets[last + 1]]
    wanted = np.zeros(data.n_features + 1, dtype=bool)
    wanted[features] = True
    segments = segments[wanted[data.owners(segments)].any(axis=1)]
    xa, xb = data.x[segments], data.x[segments + 1]
    if qx - margin_x >= 0 and qx + margin_x <= data.width:  # the window does not wrap: drop far segments
        near = (np.maximum(xa, xb) >= qx - margin_x) & (np.minimum(xa, xb) <= qx + margin_x)
        segments, xa, xb = segments[near], xa[near], xb[near]
    if not len(segments):
        return math.inf
    km_x = KM_PER_DEGREE * cos_lat * data.sx
    km_y = KM_PER_DEGREE * data.sy
    # East-west offsets wrap at ±180° so that Fiji's two halves are near each other.
    ax = ((xa - qx + data.width / 2) % data.width - data.width / 2) * km_x
    bx = ((xb - qx + data.width / 2) % data.width - data.width / 2) * km_x
    ay = (data.y[segments] - qy) * km_y
    by = (data.y[segments + 1] - qy) * km_y
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(length2 > 0, -(ax * dx + ay * dy) / length2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    return float(np.sqrt(np.min((ax + t * dx) ** 2 + (ay + t * dy) ** 2)))
