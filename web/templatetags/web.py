"""Numbers, quantities and dates as the reader's locale writes them (web.locale), for the pages only.

Quantities are integer kilograms everywhere in the registry; people read tonnes, with the kilograms
beside them where exactness matters (``kg_exact``).
"""

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import formats, numberformat, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.units import kg_to_tonnes
from web.locale import format_locale_var

register = template.Library()


def localized_number(value: int | Decimal | str, decimal_pos: int | None = None) -> str:
    """``value`` grouped and with the decimal mark of the reader's locale (1234.5 → 1,234.50 or 1.234,50)."""
    locale = format_locale_var.get()
    return numberformat.format(
        Decimal(value) if isinstance(value, str) else value,
        formats.get_format("DECIMAL_SEPARATOR", lang=locale, use_l10n=True),
        decimal_pos,
        formats.get_format("NUMBER_GROUPING", lang=locale, use_l10n=True) or 3,
        formats.get_format("THOUSAND_SEPARATOR", lang=locale, use_l10n=True),
        force_grouping=True,
        use_l10n=True,
    )


@register.filter
def num(value, decimal_pos: int | None = None) -> str:
    """A number in the reader's locale; ``|num:2`` for money."""
    if value is None or value == "":
        return ""
    return localized_number(value, decimal_pos)


@register.filter
def kg(value) -> str:
    """Integer kilograms, grouped: ``1,234,567 kg``."""
    if value is None:
        return ""
    return f"{localized_number(int(value))} kg"


@register.filter
def tonnes(value) -> str:
    """Integer kilograms read as tonnes with three places: ``1,234.567 t``."""
    if value is None:
        return ""
    return f"{localized_number(kg_to_tonnes(int(value)), 3)} t"


@register.filter
def kg_exact(value) -> SafeString:
    """Tonnes for reading, and the exact kilograms beside them: ``1,234.567 t (1,234,567 kg)``."""
    if value is None:
        return SafeString("")
    return format_html('{} <span class="exact">({})</span>', tonnes(value), kg(value))


@register.filter
def money(value, currency: str = "") -> str:
    """A decimal amount with two places and its ISO 4217 code: ``1,234.50 USD``."""
    if value is None or value == "":
        return ""
    amount = localized_number(Decimal(value), 2)
    return f"{amount} {currency}".strip()


@register.filter
def day(value: date | datetime | None) -> str:
    """A date as the reader's locale writes it (``14 March 2026``, ``14. März 2026``, ``March 14, 2026``)."""
    if value is None:
        return ""
    with translation.override(format_locale_var.get()):
        return formats.date_format(value, "DATE_FORMAT", use_l10n=True)


@register.filter
def moment(value: datetime | None) -> str:
    """A time as the reader's locale writes it, in UTC (the registry's clock), said so."""
    if value is None:
        return ""
    with translation.override(format_locale_var.get()):
        return f"{formats.date_format(value, 'DATETIME_FORMAT', use_l10n=True)} UTC"


@register.filter
def label(value: str) -> str:
    """A machine code as words: ``needs_review`` → ``Needs review``."""
    return str(value).replace("_", " ").capitalize()


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with some parameters changed (``{% query page=2 %}``); empty ones dropped."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
