"""What the auditor remembers between runs: the key it trusts and the last checkpoint it verified."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from carboncred_auditor.errors import CheckError

FORMAT = "carboncred-audit-state/1"


@dataclass(frozen=True)
class State:
    base_url: str
    origin: str
    key: str  # the verifier key string trusted
    size: int  # the pinned checkpoint
    root: str  # hex
    note: str  # the signed note, kept as evidence
    checked_at: str


def load(path: Path) -> State | None:
    """None when the file does not exist yet (the first run)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise CheckError(f"cannot read the state file {path}: {error}") from None
    try:
        if data.pop("format") != FORMAT:
            raise ValueError("unknown format")
        state = State(**data)
        if not isinstance(state.size, int) or state.size < 0 or len(bytes.fromhex(state.root)) != 32:
            raise ValueError("bad checkpoint")
    except (AttributeError, KeyError, TypeError, ValueError):
        raise CheckError(f"{path} is not a carboncred-audit state file ({FORMAT})") from None
    return state


def save(path: Path, state: State) -> None:
    """Write atomically: a crash leaves the old state or the new one, never half of either."""
    text = json.dumps({"format": FORMAT, **asdict(state)}, indent=2, ensure_ascii=False) + "\n"
    directory = path.resolve().parent
    try:
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        raise CheckError(f"cannot write the state file {path}: {error}") from None
