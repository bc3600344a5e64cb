"""Request-scoped fields added to every log record: request id, organisation, ledger seq.

Kept in context variables so code deep in a service can log without passing the request around.
"""

import logging
import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
organization_id_var: ContextVar[int | None] = ContextVar("organization_id", default=None)

# An incoming X-Request-ID is honoured only when it is short and plain, so a client cannot inject
# line breaks or megabytes into the logs.
_REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_from(header: str | None) -> str:
    if header and _REQUEST_ID_PATTERN.fullmatch(header):
        return header
    return uuid.uuid4().hex


def install_record_factory() -> None:
    """Stamp every log record with the context at the moment it is created, whichever handler
    (or test capture) later receives it."""
    base_factory = logging.getLogRecordFactory()
    if getattr(base_factory, "carboncred_context", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = base_factory(*args, **kwargs)
        record.request_id = request_id_var.get()
        record.organization_id = organization_id_var.get()
        return record

    factory.carboncred_context = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class ContextFilter(logging.Filter):
    """Makes sure a record has the context fields the formatters name, even one created before
    the record factory was installed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
            record.organization_id = organization_id_var.get()
        return True
