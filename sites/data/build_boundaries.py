"""Build ``sites/data/countries-10m.npz`` from Natural Earth's 1:10m country boundaries (npm ``world-atlas``).

Run once by a developer when the source version changes; the output is committed and nothing here runs at
run time (see ``sites/data/README.md``)::

    /work/main/.venv/bin/python sites/data/build_boundaries.py                   # runs `npm pack world-atlas@2.0.2`
    /work/main/.venv/bin/python sites/data/build_boundaries.py --tarball world-atlas-2.0.2.tgz

The tarball's SHA-512 must equal the integrity the npm registry publishes for the pinned version, so two builds
from the same source write the same bytes (the zip entries carry a fixed date).

What the conversion does, and why:

* **Country per feature.** Each TopoJSON feature's ``id`` is an ISO 3166-1 numeric code, mapped to alpha-2 with
  django-countries' table. Features without an id (Kosovo, Northern Cyprus, Somaliland, ...) get a code from
  ``UNCODED`` below. Polygons that Natural Earth folds into a parent country but ISO codes separately (Réunion
  and the other French overseas departments, Svalbard and Jan Mayen, Bouvet Island, the Caribbean Netherlands,
  Tokelau, Christmas and Cocos Islands) are split into features of their own by ``SPLITS``.
* **Accepted codes.** Every feature lists the codes a site there may truthfully declare: its own, plus its
  sovereign's where the area is an integral part of that state (Réunion is France) or where sovereignty is
  disputed (Kosovo: XK or RS). Dependencies with their own ISO code and their own polygon (Puerto Rico, Jersey,
  Hong Kong, ...) accept only that code. The lists are ``ALSO_ACCEPTS`` and the tables below.
* **Arcs, not rings.** A point-in-polygon test by ray crossing only needs the parity of crossings, and distance to
  a border only needs the segments, so the file keeps TopoJSON's shared arcs (a border stored once, for both
  neighbours) and, for each arc, the one or two features it bounds. An arc used an even number of times by one
  feature (an internal line, or a spike out and back) does not bound it.
* **Antimeridian.** world-atlas stitches Natural Earth's rings across ±180° (Fiji, Chukotka) and around the South
  Pole (Antarctica). Each segment that jumps across ±180° is cut there, and each feature gets closing segments
  along x = -180° and x = +180° over the latitudes where it covers the antimeridian (paired from the north; an
  odd count means the ring encircles the South Pole and the last interval runs to -90°). The result is a set of
  plain planar polygons in -180..180, which the run-time test can treat without any special case.

* **A latitude-band index**, so that a lookup reads only the segments of its band: built here rather than at
  load time, which keeps the load fast and its temporary memory small.

Output arrays (coordinates are integers in TopoJSON's quantised grid: lon = x * sx + tx, lat = y * sy + ty):
``dx``, ``dy`` (int32 deltas of the concatenated line points, the first from 0), ``line_lengths`` (int32 points per
line), ``line_features`` (int16, the one or two features a line bounds, -1 for none), ``band_grid`` (the index's
bottom row and band height), ``band_offsets`` and ``band_dsegments`` (the index: band b's segments are
``segments[offsets[b]:offsets[b + 1]]``, stored as deltas of ``segments``, a segment named by its first point),
``feature_box`` (int32 x_min, y_min, x_max, y_max), ``feature_code`` (primary alpha-2, or "" where no single
state holds the area), ``feature_accepts`` (comma-separated codes), ``feature_name`` (Natural Earth's name, or
ours for a split), ``transform`` (float64 ``[sx, sy, tx, ty]``) and ``source`` (one line of provenance).
"""

import argparse
import base64
import hashlib
import io
import itertools
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

PACKAGE = "world-atlas"
VERSION = "2.0.2"
# `npm view world-atlas@2.0.2 dist.integrity`
INTEGRITY = "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ=="
MEMBER = "package/countries-10m.json"
OUTPUT = Path(__file__).resolve().parent / "countries-10m.npz"
BAND_DEGREES = 0.1  # latitude band of the segment index: a few hundred segments per band, at most ~1,200

# Features Natural Earth gives no ISO numeric code: name -> (primary code or "" for none, other accepted codes).
UNCODED: dict[str, tuple[str, tuple[str, ...]]] = {
    "Kosovo": ("XK", ("RS",)),  # XK: the user-assigned code the EU and IMF use; Serbia claims the territory
    "Somaliland": ("SO", ()),  # self-declared, recognised by no UN member: ISO counts it in Somalia
    "N. Cyprus": ("CY", ()),  # recognised only by Turkey: ISO counts it in Cyprus
    "Cyprus U.N. Buffer Zone": ("CY", ()),
    "Dhekelia": ("GB", ("CY",)),  # UK Sovereign Base Areas; their residents are Cypriot, the grid is Cyprus's
    "Akrotiri": ("GB", ("CY",)),
    "USNB Guantanamo Bay": ("CU", ("US",)),  # Cuban territory leased to the US
    "Baikonur": ("KZ", ("RU",)),  # Kazakh territory leased to Russia
    "Siachen Glacier": ("IN", ("PK",)),  # held by India, claimed by Pakistan
    "Indian Ocean Ter.": ("AU", ()),  # split into CX and CC below
    "Coral Sea Is.": ("AU", ()),
    "Clipperton I.": ("FR", ()),
    "Bajo Nuevo Bank": ("CO", ("JM", "NI", "US")),  # uninhabited; held by Colombia, claimed by the others
    "Serranilla Bank": ("CO", ("HN", "NI", "US")),
    "Scarborough Reef": ("", ("CN", "PH", "TW")),  # uninhabited, contested: no single country
    "Spratly Is.": ("", ("BN", "CN", "MY", "PH", "TW", "VN")),
}

# ISO-coded features where a site may also declare another state (integral parts, disputed areas).
ALSO_ACCEPTS: dict[str, tuple[str, ...]] = {
    "AX": ("FI",),  # Åland: an autonomous region of Finland
    "EH": ("MA",),  # Western Sahara: mostly administered by Morocco
}

# Polygons of a parent feature that ISO codes separately: (parent, code, other accepted codes, name, lon_min,
# lat_min, lon_max, lat_max). A polygon moves to the new feature when its bounding box lies inside the box.
SPLITS: tuple[tuple[str, str, tuple[str, ...], str, float, float, float, float], ...] = (
    ("FR", "GF", ("FR",), "French Guiana", -55.0, 1.5, -51.0, 6.5),
    ("FR", "GP", ("FR",), "Guadeloupe", -62.0, 15.7, -60.9, 16.6),  # with Marie-Galante, Les Saintes, La Désirade
    ("FR", "MQ", ("FR",), "Martinique", -61.4, 14.3, -60.7, 15.0),
    ("FR", "RE", ("FR",), "Réunion", 55.0, -21.5, 56.0, -20.7),
    ("FR", "YT", ("FR",), "Mayotte", 44.9, -13.1, 45.4, -12.5),
    ("NO", "SJ", ("NO",), "Svalbard", 10.0, 74.0, 35.0, 81.0),  # with Bear Island
    ("NO", "SJ", ("NO",), "Jan Mayen", -9.5, 70.7, -7.5, 71.3),
    ("NO", "BV", ("NO",), "Bouvet I.", 3.0, -54.6, 3.7, -54.3),
    ("NL", "BQ", ("NL",), "Bonaire", -68.5, 11.9, -68.1, 12.4),
    ("NL", "BQ", ("NL",), "Sint Eustatius and Saba", -63.4, 17.3, -62.8, 17.8),
    ("NZ", "TK", ("NZ",), "Tokelau", -172.7, -9.6, -171.0, -8.4),  # a dependent territory of New Zealand
    ("AU", "CC", ("AU",), "Cocos (Keeling) Is.", 96.5, -12.5, 97.2, -11.7),
    ("AU", "CX", ("AU",), "Christmas I.", 105.4, -10.7, 105.9, -10.3),
    # Natural Earth draws the de facto line: Crimea and Sevastopol inside Russia. ISO 3166-2 lists them in Ukraine
    # (UA-43, UA-40); both declarations are accepted, and country_at says UA.
    ("RU", "UA", ("RU",), "Crimea", 32.0, 44.0, 37.0, 46.5),
)

# Parts of a feature south of a parallel that ISO codes separately, cut there: (parent, code, other accepted
# codes, name, latitude). Natural Earth draws the Moroccan-administered part of
# Western Sahara (south of 27°40'N, its border with Morocco) inside Morocco and only the rest as "W. Sahara";
# ISO 3166-1 codes the whole territory EH.
CUTS: tuple[tuple[str, str, tuple[str, ...], str, float], ...] = (
    ("MA", "EH", ("MA",), "W. Sahara (Moroccan-administered)", 27 + 40 / 60),
)


def fetch_tarball(directory: Path) -> Path:
    subprocess.run(  # noqa: S603 - fixed arguments, a developer's tool
        ["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(directory)],  # noqa: S607
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return directory / f"{PACKAGE}-{VERSION}.tgz"


def read_source(tarball: Path) -> dict:
    data = tarball.read_bytes()
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if integrity != INTEGRITY:
        sys.exit(f"{tarball}: integrity {integrity} is not the registry's {INTEGRITY}")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            sys.exit(f"{tarball}: no {MEMBER}")
        return json.load(member)


def numeric_to_alpha2() -> dict[int, str]:
    from django_countries.data import ALT_CODES  # ISO 3166-1 alpha-2 -> (alpha-3, numeric)

    return {numeric: alpha2 for alpha2, (_alpha3, numeric) in ALT_CODES.items()}


def iso_codes() -> set[str]:
    from django_countries.data import ALT_CODES

    return set(ALT_CODES)


class Feature:
    def __init__(self, name: str, code: str, accepts: tuple[str, ...]) -> None:
        self.name, self.code = name, code
        self.accepts = tuple(dict.fromkeys(((code,) if code else ()) + accepts))
        self.polygons: list[list[list[int]]] = []


def split_for(code: str, lon: np.ndarray, lat: np.ndarray) -> tuple | None:
    """The entry of ``SPLITS`` whose box holds this polygon of a ``code`` feature, if any."""
    for split in SPLITS:
        parent, _code, _others, _name, lon_min, lat_min, lon_max, lat_max = split
        inside = lon_min <= lon.min() and lon.max() <= lon_max and lat_min <= lat.min() and lat.max() <= lat_max
        if parent == code and inside:
            return split
    return None


def features_from(topology: dict, arcs: list[np.ndarray], sx: float, tx: float, sy: float, ty: float) -> list:
    by_numeric = numeric_to_alpha2()
    features: list[Feature] = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        if "id" in geometry:
            code = by_numeric[int(geometry["id"])]
            feature = Feature(name, code, ALSO_ACCEPTS.get(code, ()))
        else:
            code, others = UNCODED[name]
            feature = Feature(name, code, others)
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        children: dict[str, Feature] = {}
        for polygon in polygons:
            outer = np.concatenate([arcs[i if i >= 0 else ~i] for i in polygon[0]])
            lon, lat = outer[:, 0] * sx + tx, outer[:, 1] * sy + ty
            split = split_for(code, lon, lat)
            if split is None:
                feature.polygons.append(polygon)
                continue
            _parent, child_code, others, child_name, *_box = split
            if child_name not in children:
                children[child_name] = Feature(child_name, child_code, others)
            children[child_name].polygons.append(polygon)
        features.append(feature)
        features.extend(children.values())
    return features


def cut_at_antimeridian(points: np.ndarray, width: int) -> tuple[list[np.ndarray], list[int]]:
    """Split a line wherever a step crosses ±180°; return the pieces and the crossing latitudes (grid units)."""
    pieces: list[np.ndarray] = []
    crossings: list[int] = []
    current: list[np.ndarray] = []
    start = 0
    for step in np.flatnonzero(np.abs(np.diff(points[:, 0])) > width // 2):
        (xa, ya), (xb, yb) = points[step], points[step + 1]
        if xb < xa:  # eastwards over +180: continue b's x past the right edge
            edge, far_x = width, xb + width
        else:  # westwards over -180
            edge, far_x = 0, xb - width
        # A step from +180° to -180° (or back) runs along the antimeridian itself: cut at its start.
        y_cut = int(ya) if far_x == xa else round(float(ya + (edge - xa) * (yb - ya) / (far_x - xa)))
        current = [*current, points[start : step + 1], np.array([[edge, y_cut]])]
        pieces.append(np.concatenate(current))
        current = [np.array([[width - edge, y_cut]])]
        crossings.append(y_cut)
        start = int(step) + 1
    pieces.append(np.concatenate([*current, points[start:]]))
    return pieces, crossings


def lines_from(features: list[Feature], arcs: list[np.ndarray], width: int, south_pole_y: int) -> tuple:
    uses: dict[int, Counter] = defaultdict(Counter)  # arc -> feature -> times used
    for index, feature in enumerate(features):
        for polygon in feature.polygons:
            for ring in polygon:
                for arc in ring:
                    uses[arc if arc >= 0 else ~arc][index] += 1
    lines: list[np.ndarray] = []
    owners: list[tuple[int, int]] = []
    crossings: dict[int, list[int]] = defaultdict(list)
    for arc, counter in sorted(uses.items()):
        # Crossings of an arc used twice by one feature cancel out (an internal line, or a spike out and back
        # along the same arc, as at the Dead Sea): only an odd count makes it a boundary of that feature.
        bounding = sorted(feature for feature, times in counter.items() if times % 2)
        if not bounding:
            continue
        if len(bounding) > 2:
            raise ValueError(f"arc {arc} bounds more than two features: {bounding}")
        pieces, cuts = cut_at_antimeridian(arcs[arc], width)
        for piece in pieces:
            keep = np.ones(len(piece), dtype=bool)
            keep[1:] = np.any(np.diff(piece, axis=0) != 0, axis=1)  # drop repeated points
            if keep.sum() < 2:
                continue
            lines.append(piece[keep])
            owners.append((bounding[0], bounding[1] if len(bounding) == 2 else -1))
        for owner in bounding:
            crossings[owner].extend(cuts)
    for owner, latitudes in sorted(crossings.items()):
        ordered = sorted(latitudes, reverse=True)
        if len(ordered) % 2:
            ordered.append(south_pole_y)  # an odd count: the feature encircles the South Pole
        for north, south in zip(ordered[0::2], ordered[1::2], strict=True):
            for x in (0, width):
                lines.append(np.array([[x, north], [x, south]]))
                owners.append((owner, -1))
    return lines, owners


def cut_south_of(
    lines: list[np.ndarray], owners: list[tuple[int, int]], parent: int, child: int, y_cut: int
) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
    """Give ``child`` the part of ``parent`` south of grid row ``y_cut`` (at or north of it stays ``parent``).

    Lines of ``parent`` are cut where they cross the row and their southern runs change owner. The row itself,
    where it runs through ``parent``, becomes a boundary of both: horizontal, so it never changes the parity of an
    east-pointing ray, but it is the border that a tolerance is measured to.
    """
    new_lines, new_owners, crossings = [], [], []
    for line, owner in zip(lines, owners, strict=True):
        if parent not in owner:
            new_lines.append(line)
            new_owners.append(owner)
            continue
        points = [line[0]]
        for a, b in itertools.pairwise(line):
            if (a[1] - y_cut) * (b[1] - y_cut) < 0:
                points.append(np.array([round(a[0] + (y_cut - a[1]) * (b[0] - a[0]) / (b[1] - a[1])), y_cut]))
            if (a[1] - y_cut - 0.5) * (b[1] - y_cut - 0.5) < 0:
                crossings.append(a[0] + (y_cut + 0.5 - a[1]) * (b[0] - a[0]) / (b[1] - a[1]))
            points.append(b)
        cut = np.array(points)
        south = np.minimum(cut[:-1, 1], cut[1:, 1]) < y_cut  # per segment
        run_starts = np.flatnonzero(np.diff(south.astype(np.int8))) + 1
        for run in np.split(np.arange(len(south)), run_starts):
            new_lines.append(cut[run[0] : run[-1] + 2])
            a, b = owner
            new_owners.append((child if a == parent else a, child if b == parent else b) if south[run[0]] else owner)
    ordered = sorted(crossings)
    for west, east in zip(ordered[0::2], ordered[1::2], strict=True):
        new_lines.append(np.array([[round(west), y_cut], [round(east), y_cut]]))
        new_owners.append((parent, child))
    return new_lines, new_owners


def band_index(points: np.ndarray, lengths: np.ndarray, height: int) -> tuple[int, np.ndarray, np.ndarray]:
    """Index every segment under each latitude band its y-range touches: (bottom row, offsets, segments).

    A segment is named by its first point and runs to the next point of the same line. Band b covers grid rows
    [bottom + b * height, bottom + (b + 1) * height]; its segments, in increasing order, are
    ``segments[offsets[b]:offsets[b + 1]]``.
    """
    y = points[:, 1]
    is_start = np.ones(len(points), dtype=bool)
    is_start[np.cumsum(lengths) - 1] = False
    starts = np.flatnonzero(is_start)
    bottom = int(y.min())
    low = (np.minimum(y[starts], y[starts + 1]) - bottom) // height
    spans = (np.maximum(y[starts], y[starts + 1]) - bottom) // height - low + 1
    bands = np.repeat(low, spans) + np.arange(spans.sum()) - np.repeat(np.cumsum(spans) - spans, spans)
    order = np.argsort(bands, kind="stable")
    n_bands = int((int(y.max()) - bottom) // height) + 1
    offsets = np.concatenate(([0], np.cumsum(np.bincount(bands, minlength=n_bands))))
    return bottom, offsets, np.repeat(starts, spans)[order]


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like numpy.savez_compressed, with a fixed entry date so that the same input gives the same bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue(), compresslevel=9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tarball", type=Path, help=f"{PACKAGE}-{VERSION}.tgz (default: npm pack it)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    if args.tarball:
        topology = read_source(args.tarball)
    else:
        with tempfile.TemporaryDirectory() as directory:
            topology = read_source(fetch_tarball(Path(directory)))

    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    width = round(360 / sx)  # the grid's x for +180°; x = 0 is -180°
    if abs(width * sx - 360) > 1e-9 or tx != -180:
        raise ValueError("expected a grid spanning -180..180 exactly")
    arcs = [np.cumsum(np.array(arc, dtype=np.int64), axis=0) for arc in topology["arcs"]]
    features = features_from(topology, arcs, sx, tx, sy, ty)
    south_pole_y = int(np.floor((-90 - ty) / sy)) - 1  # just beyond -90°, so that -90° itself is inside

    lines, owners = lines_from(features, arcs, width, south_pole_y)
    for parent_code, code, others, name, latitude in CUTS:
        (parent,) = (index for index, feature in enumerate(features) if feature.code == parent_code)
        features.append(Feature(name, code, others))
        y_cut = round((latitude - ty) / sy)
        lines, owners = cut_south_of(lines, owners, parent, len(features) - 1, y_cut)
    covered = {code for feature in features for code in feature.accepts}
    missing = sorted(iso_codes() - covered)
    if missing:
        raise ValueError(f"ISO 3166-1 codes with no boundary: {missing}")
    points = np.concatenate(lines)
    if points[:, 0].min() < 0 or points[:, 0].max() > width:
        raise ValueError("a line leaves -180..180 after the antimeridian cut")
    deltas = np.diff(points, axis=0, prepend=np.zeros((1, 2), dtype=points.dtype))
    lengths = np.array([len(line) for line in lines], dtype=np.int32)
    band_height = max(1, round(BAND_DEGREES / sy))
    band_bottom, band_offsets, band_segments = band_index(points, lengths, band_height)
    boxes = np.empty((len(features), 4), dtype=np.int64)
    boxes[:, :2], boxes[:, 2:] = np.iinfo(np.int64).max, np.iinfo(np.int64).min
    for line, owner in zip(lines, owners, strict=True):
        for feature in owner:
            if feature >= 0:
                boxes[feature, :2] = np.minimum(boxes[feature, :2], line.min(axis=0))
                boxes[feature, 2:] = np.maximum(boxes[feature, 2:], line.max(axis=0))
    source = (
        f"Natural Earth 4.1.0 Admin 0 countries 1:10m (public domain) via npm {PACKAGE}@{VERSION} {MEMBER} "
        f"(ISC; {INTEGRITY}); built by sites/data/build_boundaries.py"
    )
    arrays: dict[str, np.ndarray] = {
        "dx": deltas[:, 0].astype(np.int32),
        "dy": deltas[:, 1].astype(np.int32),
        "line_lengths": lengths,
        "line_features": np.array(owners, dtype=np.int16),
        "band_grid": np.array([band_bottom, band_height], dtype=np.int32),
        "band_offsets": band_offsets.astype(np.int32),
        "band_dsegments": np.diff(band_segments, prepend=0).astype(np.int32),
        "feature_box": boxes.astype(np.int32),
        "feature_code": np.array([f.code for f in features], dtype="<U2"),
        "feature_accepts": np.array([",".join(f.accepts) for f in features]),
        "feature_name": np.array([f.name for f in features]),
        "transform": np.array([sx, sy, tx, ty], dtype=np.float64),
        "source": np.array([source]),
    }
    write_npz(args.output, arrays)
    digest = hashlib.sha256(args.output.read_bytes()).hexdigest()
    print(
        f"{args.output}: {args.output.stat().st_size:,} bytes, sha256 {digest}\n"
        f"{len(features)} features, {len(lines)} lines, {len(points):,} points, {len(covered)} codes"
    )


if __name__ == "__main__":
    main()
