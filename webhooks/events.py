"""The events an endpoint may subscribe to (docs/WEBHOOKS.md). Every body is ``{type, timestamp, data}``."""

from django.db import models


class EventType(models.TextChoices):
    CLAIM_DECIDED = "claim.decided", "A claim was approved or rejected (automatically or by a verifier)"
    CREDITS_RECEIVED = "credits.received", "Credits arrived: issued, bought or transferred to you"
    LISTING_SOLD = "listing.sold", "Part or all of one of your listings was bought"
    CERTIFICATE_ISSUED = "certificate.issued", "You retired credits and a certificate was issued"
    ISSUANCE_REVERSED = "issuance.reversed", "An issuance of yours was reversed after an audit"
    BALANCE_CREDITED = "balance.credited", "Money was credited to your balance"
