"""The ISO 4217 currencies CarbonCred prices, settles and holds money in, with their minor units.

Every code here has an ISO 4217 minor-unit exponent of 2 (a cent is 1/100 of the unit): the API
fixes ``price_per_tonne``, ``total`` and ``fee`` as decimal strings with two places, and the
price columns have two decimal places. Currencies whose minor unit is not 1/100 — JPY, KRW, VND,
CLP, UGX (exponent 0), BHD, KWD, OMR (exponent 3) — are left out on purpose rather than rounded
wrongly: adding one means a price column and a contract that allow its own number of places.
The code still rounds through :func:`minor_unit` and converts through :func:`to_minor` /
:func:`from_minor`, so nowhere assumes "the cent" silently.

The list covers the countries the registry serves (those of the grid factors in
``emissions/data`` and the reference data): the US dollar, euro and pound for cross-border
trade, and the local currency of each country an SME can register in.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models


class Currency(models.TextChoices):
    """ISO 4217 codes accepted for prices and balances; each has a minor unit of 1/100."""

    USD = "USD", "US dollar"
    EUR = "EUR", "Euro"
    GBP = "GBP", "Pound sterling"
    INR = "INR", "Indian rupee"
    CHF = "CHF", "Swiss franc"
    AUD = "AUD", "Australian dollar"
    CAD = "CAD", "Canadian dollar"
    BDT = "BDT", "Bangladeshi taka"
    BRL = "BRL", "Brazilian real"
    CNY = "CNY", "Chinese yuan"
    EGP = "EGP", "Egyptian pound"
    IDR = "IDR", "Indonesian rupiah"
    KES = "KES", "Kenyan shilling"
    MXN = "MXN", "Mexican peso"
    NGN = "NGN", "Nigerian naira"
    PHP = "PHP", "Philippine peso"
    PKR = "PKR", "Pakistani rupee"
    PLN = "PLN", "Polish zloty"
    SAR = "SAR", "Saudi riyal"
    THB = "THB", "Thai baht"
    TRY = "TRY", "Turkish lira"
    ZAR = "ZAR", "South African rand"


# ISO 4217 minor-unit exponents of the codes above (see the module docstring for why all are 2).
EXPONENTS: dict[str, int] = dict.fromkeys(Currency.values, 2)


def exponent(currency: str) -> int:
    """The ISO 4217 minor-unit exponent of ``currency``; KeyError for a code not supported."""
    return EXPONENTS[currency]


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency`` (``Decimal("0.01")`` for a cent)."""
    return Decimal(1).scaleb(-exponent(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half up to the minor unit of ``currency``."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    """``amount`` in minor units (an integer); refuses an amount finer than the minor unit."""
    minor = amount.scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} {currency} is finer than the currency's minor unit")
    return int(minor)


def from_minor(minor: int, currency: str) -> Decimal:
    """``minor`` units of ``currency`` as a Decimal with the currency's number of places."""
    return Decimal(minor).scaleb(-exponent(currency)).quantize(minor_unit(currency))
