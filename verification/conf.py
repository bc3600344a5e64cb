"""Verification settings as the types the code needs (settings hold strings from the environment)."""

from decimal import Decimal

from django.conf import settings


def risk_threshold() -> Decimal:
    return Decimal(str(settings.VERIFICATION_REVIEW_RISK_THRESHOLD))


def size_review_kg() -> int:
    return int(settings.VERIFICATION_REVIEW_SIZE_KG)


def minting_fee_per_tonne() -> Decimal:
    return Decimal(str(settings.MINTING_FEE_PER_TONNE))


def minting_fee_currency() -> str:
    return str(settings.MINTING_FEE_CURRENCY)
