"""Signals the payments app sends; receivers run inside the sender's transaction.

``balance_credited``: a top-up was credited to an organisation's balance. Sent inside the
transaction that credits it (so a receiver writing an outbox row commits or rolls back with it),
with keyword arguments ``organization_id`` (int), ``amount`` (Decimal), ``currency`` (ISO 4217),
``top_up_id`` (int) and ``reference`` (the top-up's reference).
"""

from django.dispatch import Signal

balance_credited = Signal()
