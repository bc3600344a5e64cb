"""Errors of the ledger services; each carries its HTTP status (core.errors turns them into JSON)."""

from core.errors import ConflictError, DomainError, NotFoundError


class BlockNotFoundError(NotFoundError):
    """The block does not exist or belongs to another organisation."""

    code, default_detail = "block_not_found", "No such credit block among your holdings."


class InsufficientCreditsError(ConflictError):
    """The block holds less than requested; the body says how much it holds."""

    code = "insufficient_credits"

    def __init__(self, *, available_kg: int, requested_kg: int) -> None:
        super().__init__(
            f"The block holds {available_kg} kg; {requested_kg} kg were requested.",
            available_kg=available_kg,
            requested_kg=requested_kg,
        )


class BlockStatusError(ConflictError):
    """The block's status does not allow the operation (e.g. already retired, or listed)."""

    code = "block_not_available"

    def __init__(self, *, block_id: int, status: str, required: str) -> None:
        super().__init__(
            f"Block {block_id} is {status}; this needs a block that is {required}.",
            status=status,
            required_status=required,
        )


class InvalidQuantityError(DomainError):
    """A quantity that is not a positive whole number of kilograms."""

    code = "invalid_quantity"


class InvalidMovementError(DomainError):
    """A movement that makes no sense whatever the state: to oneself, a bad memo, a bad vintage."""

    code = "invalid_movement"


class EntryNotFoundError(NotFoundError):
    code, default_detail = "entry_not_found", "No ledger entry with that sequence number."


class EntryNotCheckpointedError(ConflictError):
    """The entry is newer than the latest checkpoint, so no inclusion proof exists for it yet."""

    code = "entry_not_checkpointed"

    def __init__(self, *, seq: int, checkpoint_size: int) -> None:
        super().__init__(
            f"Entry {seq} is not yet covered by a checkpoint (the latest covers entries 1..{checkpoint_size}); "
            "ask again after the next checkpoint.",
            seq=seq,
            checkpoint_size=checkpoint_size,
        )


class SelfDealingError(DomainError):
    """Credits never change hands within one organisation: buying your own listing, transferring to
    yourself. Raised by the ledger for every such movement."""

    code, default_detail = "self_dealing", "Sender and receiver are the same organisation."


class CheckpointNotFoundError(NotFoundError):
    """No checkpoint of that size was stored."""

    code = "checkpoint_not_found"

    def __init__(self, *, size: int) -> None:
        super().__init__(
            f"No checkpoint covers exactly {size} entries; GET /api/ledger/checkpoints/ lists the sizes there are.",
            size=size,
        )


class ConsistencyRangeError(DomainError):
    """A consistency proof asked between sizes no proof can join: the first larger than the second,
    or the second beyond the latest checkpoint."""

    code = "consistency_out_of_range"

    def __init__(self, detail: str, *, field: str) -> None:
        super().__init__(detail, errors={field: [detail]})


class IssuanceAlreadyReversedError(ConflictError):
    """An issuance is reversed at most once (``Reversal.issue_entry`` is unique)."""

    code, default_detail = "issuance_already_reversed", "This issuance has already been reversed."


class NotAnIssuanceError(DomainError):
    """Only an ``issue`` entry can be reversed."""

    code, default_detail = "not_an_issuance", "Only the entry that issued credits can be reversed."
