"""Spreading a period's whole kilograms (or kWh) over calendar months by days, exactly.

An emissions report covers a period (a month, a quarter, a year, 15 March to 14 April); the
statement needs calendar months and one calendar year. A line's amount is spread evenly over the
days of its report's period: each month gets ``amount x its days / all days``, rounded to whole
units by the largest-remainder method (ties go to the earlier month), so the parts are integers
that always add up to the amount. That is an estimate, and the statement says so whenever a report
spans more than one month.
"""

import calendar
from collections.abc import Iterable, Sequence
from datetime import date, timedelta


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def month_days(first: date) -> int:
    return calendar.monthrange(first.year, first.month)[1]


def months_of_year(year: int) -> list[date]:
    return [date(year, month, 1) for month in range(1, 13)]


def month_spans(start: date, end: date) -> list[tuple[date, int]]:
    """(first day of the month, days of [start, end] in it) for every month the period touches."""
    spans = []
    first = month_start(start)
    while first <= end:
        last = month_end(first)
        days = (min(last, end) - max(first, start)).days + 1
        spans.append((first, days))
        first = last + timedelta(days=1)
    return spans


def allocate(amount: int, weights: Sequence[int]) -> list[int]:
    """``amount`` split in proportion to ``weights`` into integers that add up to it exactly
    (largest remainder; equal remainders favour the earlier weight). ``amount`` >= 0, weights > 0."""
    total = sum(weights)
    if total <= 0:
        raise ValueError("weights must add up to more than zero")
    parts = [amount * weight // total for weight in weights]
    remainders = [amount * weight % total for weight in weights]
    left = amount - sum(parts)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        parts[index] += 1
    return parts


def allocate_by_month(amount: int, start: date, end: date) -> dict[date, int]:
    """``amount`` over the months of [start, end], by days: {first day of month: part}."""
    spans = month_spans(start, end)
    return dict(zip((first for first, _ in spans), allocate(amount, [days for _, days in spans]), strict=True))


def merged(intervals: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Inclusive date intervals merged where they overlap or touch."""
    result: list[tuple[date, date]] = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1] + timedelta(days=1):
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def overlap_days(a: tuple[date, date], b: tuple[date, date]) -> int:
    return max(0, (min(a[1], b[1]) - max(a[0], b[0])).days + 1)


def clip(interval: tuple[date, date], start: date, end: date) -> tuple[date, date] | None:
    low, high = max(interval[0], start), min(interval[1], end)
    return (low, high) if low <= high else None
