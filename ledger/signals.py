"""Signals of the ledger app.

``credits_cancelling`` is sent by ``ledger.services.credits_reverse`` inside the reversal's
transaction, once the issuance owner's and the buffer pool's rows are locked and before any credit
block is. Receivers take back whatever of theirs still offers those credits, locking their own rows
first: the marketplace closes the open listings of the owner's listed blocks in the range
(``marketplace.apps``), in its own lock order (listing before block). The ledger sits below the
marketplace and cannot call it; the signal is how the lower layer lets the upper one act, as
``accounts.signals.organization_suspended`` does for a suspension.
"""

from django.dispatch import Signal

#: Sent with ``owner_id``, ``project_id``, ``vintage``, ``serial_start`` and ``serial_end`` (inclusive):
#: the owner's credits of that range are about to be cancelled, listed or not.
credits_cancelling = Signal()
