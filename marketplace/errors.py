"""Errors of the marketplace services; each carries its HTTP status (core.errors renders them)."""

from core.errors import ConflictError, DomainError, NotFoundError


class ListingNotFoundError(NotFoundError):
    """No such listing — or, for the seller's own endpoints, another organisation's."""

    code, default_detail = "listing_not_found", "No such listing."


class ListingClosedError(ConflictError):
    """The listing is sold out or withdrawn: nothing can be bought from or withdrawn out of it."""

    code = "listing_closed"

    def __init__(self, *, listing_id: int, status: str) -> None:
        super().__init__(f"Listing {listing_id} is {status}.", status=status, available_kg=0)


class ListingInsufficientError(ConflictError):
    """The listing offers less than requested; the body says how much is left (same code as the ledger's)."""

    code = "insufficient_credits"

    def __init__(self, *, available_kg: int, requested_kg: int) -> None:
        super().__init__(
            f"The listing has {available_kg} kg left; {requested_kg} kg were requested.",
            available_kg=available_kg,
            requested_kg=requested_kg,
        )


class RecipientNotFoundError(DomainError):
    """A transfer to an organisation that does not exist."""

    code, default_detail = "recipient_not_found", "No organisation with that id."

    def __init__(self) -> None:
        super().__init__(errors={"to_organization": [self.default_detail]})


class TransferNotFoundError(NotFoundError):
    code, default_detail = "transfer_not_found", "No such transfer among yours."


class OrderNotFoundError(NotFoundError):
    code, default_detail = "order_not_found", "No such order among yours."
