"""The two ways a check ends badly, and the helpers that read the registry's JSON."""

from __future__ import annotations

import re
from typing import Any

_HEX32 = re.compile(r"[0-9a-f]{64}")


class LogFailure(Exception):
    """The log is inconsistent, rewritten or wrongly signed (exit 1). The message says why."""


class CheckError(Exception):
    """The check could not be made: bad usage, the registry unreachable or erring (exit 2)."""


class HttpError(CheckError):
    def __init__(self, url: str, status: int, detail: str) -> None:
        super().__init__(f"{url} answered HTTP {status}" + (f": {detail}" if detail else ""))
        self.url, self.status, self.detail = url, status, detail


def field(obj: Any, name: str, kind: type, what: str) -> Any:
    """``obj[name]``, which must be a ``kind``; otherwise the registry's answer is malformed (exit 1)."""
    if not isinstance(obj, dict) or name not in obj:
        raise LogFailure(f"the registry's {what} has no {name!r}")
    value = obj[name]
    # bool is an int in Python; JSON true is never a size or a sequence number.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise LogFailure(f"the registry's {what} has a malformed {name!r}: {value!r}")
    return value


def hash_field(obj: Any, name: str, what: str) -> bytes:
    """A SHA-256 hash shown as 64 lowercase hex digits."""
    value = field(obj, name, str, what)
    if not _HEX32.fullmatch(value):
        raise LogFailure(f"the registry's {what} has a malformed {name!r} (not 64 lowercase hex digits): {value!r}")
    return bytes.fromhex(value)


def hash_list(obj: Any, name: str, what: str) -> list[bytes]:
    values = field(obj, name, list, what)
    if not all(isinstance(v, str) and _HEX32.fullmatch(v) for v in values):
        raise LogFailure(f"the registry's {what} has a malformed {name!r}: not a list of 64-digit hex hashes")
    return [bytes.fromhex(v) for v in values]
