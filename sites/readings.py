"""Metered readings: parse and check rows one by one (pure), and the digests that find copied stretches.

A row is ``{meter_id, unit, start, end, value}`` as sent (JSON or a CSV line). Each row is accepted,
counted as a duplicate (the same meter, start, end and value is already stored or sent earlier in the
body), or rejected with a code:

``columns_invalid``      a CSV line without exactly the five columns
``meter_unknown``        not an active meter of the site
``unit_invalid``         not Wh, kWh or MWh
``timestamp_invalid``    start or end is not an ISO 8601 date-time
``timezone_required``    start or end has no UTC offset (night checks need absolute time)
``interval_invalid``     end is not after start, or the interval is longer than 92 days
``in_future``            the interval ends in the future
``value_invalid``        not a decimal number, or negative (a generation meter does not run backwards)
``conflicts_with_stored``  a reading of the meter at that start is stored with another end or value
``conflicts_with_row``   an earlier row of the body has that meter and start with another end or value
``interval_overlap``     the interval overlaps another reading of the meter (stored or in the body)

Rows may come in any order (they are sorted by start before they are stored).
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

READING_WINDOW = 24  # readings per copy-detection window (a day of hourly readings)
WINDOW_MIN_DISTINCT = 6  # a window with fewer distinct values (nights, outages) is not hashed
WINDOW_MIN_NONZERO = 8
MAX_INTERVAL = timedelta(days=92)
MAX_ROWS = 10_000
UNIT_KWH = {"Wh": Decimal("0.001"), "kWh": Decimal(1), "MWh": Decimal(1000)}
UNIT_ALIASES = {"wh": "Wh", "kwh": "kWh", "mwh": "MWh"}
MAX_VALUE = Decimal("99999999999999")  # 18 digits, 4 decimal places


@dataclass(frozen=True)
class RowReject:
    row: int  # 1-based over data rows
    code: str
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "code": self.code, "detail": self.detail}


@dataclass(frozen=True)
class ParsedRow:
    row: int
    meter_key: str
    start: datetime
    end: datetime
    value: Decimal
    unit: str

    @property
    def kwh(self) -> Decimal:
        return self.value * UNIT_KWH[self.unit]


def _timestamp(text: Any) -> datetime | str:
    if not isinstance(text, str) or not text.strip():
        return "timestamp_invalid"
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return "timestamp_invalid"
    if moment.tzinfo is None or moment.utcoffset() is None:
        return "timezone_required"
    return moment


def parse_row(index: int, raw: dict[str, Any], *, meters: dict[str, str], now: datetime) -> ParsedRow | RowReject:
    """One row checked on its own. ``meters`` maps a compared meter key to the stored key (see
    ``sites.services.meter_key``); ``raw["meter_key"]`` is the key of the row's meter id."""
    meter = meters.get(raw.get("meter_key", ""))
    if meter is None:
        return RowReject(index, "meter_unknown", f"Meter {raw.get('meter_id')!r} is not an active meter of this site.")
    unit = UNIT_ALIASES.get(str(raw.get("unit", "")).strip().lower())
    if unit is None:
        return RowReject(index, "unit_invalid", f"Unit {raw.get('unit')!r}: use Wh, kWh or MWh.")
    start, end = _timestamp(raw.get("start")), _timestamp(raw.get("end"))
    for name, parsed in (("start", start), ("end", end)):
        if isinstance(parsed, str):
            detail = (
                f"{name} {raw.get(name)!r} has no UTC offset: send e.g. 2024-06-01T10:00:00+02:00 or ...Z."
                if parsed == "timezone_required"
                else f"{name} {raw.get(name)!r} is not an ISO 8601 date-time."
            )
            return RowReject(index, parsed, detail)
    if not isinstance(start, datetime) or not isinstance(end, datetime):  # for the type checker
        return RowReject(index, "timestamp_invalid", "start and end must be ISO 8601 date-times.")
    if end <= start or end - start > MAX_INTERVAL:
        return RowReject(index, "interval_invalid", "end must be after start, and an interval at most 92 days long.")
    if end > now:
        return RowReject(index, "in_future", f"The interval ends in the future ({end.isoformat()}).")
    try:
        value = Decimal(str(raw.get("value")).strip())
    except (InvalidOperation, ValueError):
        return RowReject(index, "value_invalid", f"value {raw.get('value')!r} is not a decimal number.")
    if not value.is_finite() or value < 0 or value > MAX_VALUE or value != value.quantize(Decimal("0.0001")):
        return RowReject(
            index, "value_invalid", "value must be a finite, non-negative number with at most 4 decimal places."
        )
    return ParsedRow(index, meter, start, end, value, unit)


def window_digests(values: list[Decimal]) -> list[str]:
    """For each position, the digest of the :data:`READING_WINDOW` values ending there ("" before a
    full window, or when the window is too uniform to identify: nights, outages, a constant)."""
    out = []
    normalised = [f"{v.quantize(Decimal('0.001')).normalize():f}" for v in values]
    for end in range(len(values)):
        if end + 1 < READING_WINDOW:
            out.append("")
            continue
        window = normalised[end + 1 - READING_WINDOW : end + 1]
        nonzero = sum(1 for v in values[end + 1 - READING_WINDOW : end + 1] if v > 0)
        if len(set(window)) < WINDOW_MIN_DISTINCT or nonzero < WINDOW_MIN_NONZERO:
            out.append("")
            continue
        out.append(hashlib.sha256(" ".join(window).encode()).hexdigest()[:32])
    return out
