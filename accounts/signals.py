"""Signals of the accounts app.

``organization_suspended`` is sent by ``accounts.services.organization_suspend`` inside the transaction
that suspends the organisation, after its row is locked and its status written. Receivers run in that
transaction, so what they do commits or rolls back with the suspension: the marketplace withdraws the
organisation's open listings through the ledger (``marketplace.apps``). Accounts sits below the
marketplace and cannot call it; the signal is how the lower layer lets the upper one act.
"""

from django.dispatch import Signal

#: Sent with ``organization`` (locked ``FOR UPDATE``, status already ``suspended``) and ``actor`` (the user).
organization_suspended = Signal()
