"""Independent checks of the ledger: ``ledger_verify`` re-hashes the chain, ``replay`` rebuilds the
credit blocks from the entries alone. Both stream with a server-side cursor and, on PostgreSQL,
read one REPEATABLE READ snapshot so that appends running meanwhile cannot cause false alarms.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, F, Func

from ledger import merkle, notes
from ledger.hashing import GENESIS_PREV_HASH, entry_hash, format_timestamp
from ledger.models import BlockStatus, Checkpoint, CreditBlock, EntryKind, LedgerEntry, LedgerHead, MerkleNode
from ledger.signing import key_ring

MAX_REPORTED = 100


@contextmanager
def _snapshot() -> Iterator[None]:
    """A read-only transaction; on PostgreSQL one snapshot for every query (when we own the transaction)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


class _HashedTimestamp(Func):
    """``created_at`` spelled by PostgreSQL as :func:`~ledger.hashing.format_timestamp` spells it in
    the hashed text: the verifier's hot loop then compares strings, without building a datetime and
    formatting it in Python for every entry (a third of its time). ``FM``: a year before 1000 has no
    leading zero, as Python's ``strftime`` writes it."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'FMYYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    output_field = CharField()


def _entry_rows(chunk_size: int):
    """``(seq, kind, created_at as hashed, prev_hash, hash, canonical)`` of every entry in order, and
    the function that spells the third column as the hashed text does."""
    entries = LedgerEntry.objects.order_by("seq")
    spell: Callable[[Any], str]
    if connection.vendor == "postgresql":
        entries, spell = entries.annotate(stamp=_HashedTimestamp(F("created_at"))), str
    else:
        entries, spell = entries.annotate(stamp=F("created_at")), format_timestamp
    rows = entries.values_list("seq", "kind", "stamp", "prev_hash", "hash", "canonical").iterator(chunk_size=chunk_size)
    return rows, spell


@dataclass
class VerifyReport:
    ok: bool
    entries_checked: int
    first_bad_seq: int | None
    head_seq: int
    checkpoints_checked: int
    problems: list[str] = field(default_factory=list)
    signatures_checked: int = 0
    unsigned_checkpoints: int = 0  # stored before signing existed (a prefix of the checkpoints)


def _check_signatures(chunk_size: int, problems: list[str]) -> tuple[int, int]:
    """Open every stored checkpoint note with the registry's keys (current, cosigning, previous) and
    compare the signed size and root with the row's. Returns (notes verified, unsigned checkpoints).

    Checkpoints stored before signing existed have no note; once one is signed, every later one
    must be (a note removed afterwards is reported).
    """
    verifiers = key_ring().verifiers
    names = {verifier.name for verifier in verifiers}
    verified = unsigned = 0
    signed_from: int | None = None
    rows = Checkpoint.objects.order_by("size").values_list("size", "root", "note").iterator(chunk_size=chunk_size)
    with closing(rows):  # type: ignore[type-var]
        for size, root, note in rows:
            if len(problems) >= MAX_REPORTED:
                break
            if note is None:
                if signed_from is None:
                    unsigned += 1
                else:
                    problems.append(f"checkpoint {size} has no signed note, but checkpoint {signed_from} before it has")
                continue
            signed_from = signed_from or size
            try:
                head = notes.parse_checkpoint(notes.open_note(note, verifiers))
            except notes.NoteError as error:
                problems.append(f"checkpoint {size}: its signed note does not verify: {error}")
                continue
            if head.origin not in names:
                problems.append(f"checkpoint {size}: its note is for the log {head.origin!r}")
            elif (head.size, head.root) != (size, bytes(root)):
                problems.append(
                    f"checkpoint {size}: its note signs size {head.size} and root {head.root.hex()}, "
                    f"not the stored size {size} and root {bytes(root).hex()}"
                )
            else:
                verified += 1
    return verified, unsigned


def ledger_verify(
    *,
    expected_head: tuple[int, bytes] | None = None,
    expected_checkpoint: tuple[int, bytes] | None = None,
    chunk_size: int | None = None,
) -> VerifyReport:
    """Re-hash every entry in ``seq`` order and check the chain, the head and the checkpoints.

    ``first_bad_seq`` is the first entry that can no longer be trusted: the exact entry when a hash,
    link, sequence number or column disagrees. When hashes were recomputed (a rewritten tail, or
    one forged entry re-hashed so that only its successor stops linking), it is the first entry
    whose hash differs from the leaf the checkpoints stored for it — found by
    :func:`_first_unattested` with the stored leaves of the first checkpoint after the last one
    that still matches, once those leaves are shown to add up to its root (docs/LEDGER.md,
    "Naming the first bad entry"). Without such leaves it is the first entry after the last
    checkpoint that still matches. ``expected_head=(seq, hash)`` and ``expected_checkpoint=(size,
    root)`` are values pinned outside this database.
    """
    chunk_size = chunk_size or settings.LEDGER_STREAM_CHUNK
    problems: list[str] = []
    with _snapshot():
        roots: dict[int, bytes] = {
            size: bytes(root) for size, root in Checkpoint.objects.order_by("size").values_list("size", "root")
        }
        stored_sizes = set(roots)
        if expected_checkpoint is not None:
            size, root = expected_checkpoint
            if size in roots and roots[size] != root:
                problems.append(f"the stored checkpoint {size} differs from the pinned root")
            roots[size] = root
        head = LedgerHead.objects.filter(pk=1).values_list("seq", "hash").first()
        head_seq, head_hash = (head[0], bytes(head[1])) if head else (0, GENESIS_PREV_HASH)
        rows, spell = _entry_rows(chunk_size)

        check_sizes = iter(sorted(roots))
        next_check = next(check_sizes, None)
        frontier: list[bytes] = []
        prev = GENESIS_PREV_HASH
        expected = 1
        first_bad = None
        trusted_up_to = 0  # entries vouched for by a matching checkpoint root
        trusted_frontier: list[bytes] = []  # the tree of entries 1..trusted_up_to
        bounded = False  # first_bad only bounds the damage (a root or pinned hash differs), not exact
        pinned_seq, pinned_hash = expected_head if expected_head else (None, None)
        checked = 0

        # Closed explicitly: the loop may stop early, and the server-side cursor must close
        # inside the transaction that opened it.
        with closing(rows):
            for seq, kind, created_at, prev_hash, digest, canonical in rows:
                if seq != expected:
                    first_bad = expected
                    problems.append(f"entry {expected} is missing (next is {seq})")
                    break
                if prev_hash != prev:
                    first_bad = seq
                    problems.append(f"entry {seq} does not link to entry {seq - 1}")
                    break
                if entry_hash(seq=seq, prev_hash=prev, canonical=canonical.encode()) != digest:
                    first_bad = seq
                    problems.append(f"entry {seq} does not hash to its stored hash")
                    break
                # The kind and created_at columns are copies of what was hashed; they must agree.
                if not canonical.startswith(f'{{"created_at":"{spell(created_at)}","kind":"{kind}",'):
                    first_bad = seq
                    problems.append(f"entry {seq}: kind or created_at column differs from the hashed text")
                    break
                prev = digest
                checked = seq
                if next_check is not None:
                    merkle.push(frontier, seq - 1, merkle.leaf_hash(digest))
                    while next_check == seq:
                        if merkle.root_from_frontier(frontier) == roots[seq]:
                            if first_bad is None:
                                trusted_up_to, trusted_frontier = seq, list(frontier)
                        elif first_bad is None:
                            first_bad, bounded = trusted_up_to + 1, True
                            which = "stored" if seq in stored_sizes else "pinned"
                            problems.append(f"the entries 1..{seq} do not match the {which} checkpoint root")
                        next_check = next(check_sizes, None)
                if seq == pinned_seq and digest != pinned_hash and first_bad is None:
                    first_bad, bounded = trusted_up_to + 1, True
                    problems.append(f"entry {seq} differs from the pinned head hash")
                expected += 1

        if first_bad is None:
            last = expected - 1
            if head_seq != last:
                first_bad = min(head_seq, last) + 1
                problems.append(f"the head says {head_seq} entries, the table holds {last}")
            elif last and head_hash != prev:
                first_bad = last
                problems.append(f"the head hash differs from entry {last}'s hash")
            elif next_check is not None:
                first_bad = last + 1
                problems.append(f"a checkpoint covers {next_check} entries; only {last} exist")
            elif pinned_seq is not None and pinned_seq > last:
                first_bad = last + 1
                problems.append(f"the pinned head {pinned_seq} is beyond the last entry {last}")

        if first_bad is not None:
            located = _first_unattested(
                trusted=trusted_up_to, frontier=trusted_frontier, roots=roots, chunk_size=chunk_size
            )
            if isinstance(located, str):
                problems.append(located)
            elif located is not None and (bounded or located[0] < first_bad):
                first_bad, size = located
                problems.insert(
                    0,
                    f"entry {first_bad} differs from the entry checkpoint {size} attests "
                    "(its hash was recomputed; every later entry was re-linked to it)",
                )

        signatures_checked, unsigned = _check_signatures(chunk_size, problems)

    return VerifyReport(
        ok=first_bad is None and not problems,
        entries_checked=checked,
        first_bad_seq=first_bad,
        head_seq=head_seq,
        checkpoints_checked=len([size for size in roots if size <= checked]),
        problems=problems,
        signatures_checked=signatures_checked,
        unsigned_checkpoints=unsigned,
    )


def _first_unattested(
    *, trusted: int, frontier: list[bytes], roots: dict[int, bytes], chunk_size: int
) -> tuple[int, int] | str | None:
    """The first entry after ``trusted`` whose hash is not the one the next checkpoint attests.

    ``frontier`` is the tree of entries 1..``trusted`` (recomputed, and matching a checkpoint). The
    next checkpoint after it, of ``size`` entries, stored the leaf hash of each entry it attested
    (``MerkleNode`` level 0). Those leaves are believed only if, appended to ``frontier``, they give
    that checkpoint's root (stored or pinned): then they are exactly what it attests, and the first
    entry whose current leaf differs is the first one changed since. A chain hash covers every
    entry before it, so from that entry on every re-linked hash differs too, and the first
    difference is the forged entry itself. One streaming pass over both, only when verification
    has already failed.

    Returns ``(seq, size)``; a sentence when the leaves cannot be used; ``None`` when no checkpoint
    attests entries after ``trusted`` (a pinned head alone names no entry).
    """
    size = next((candidate for candidate in sorted(roots) if candidate > trusted), None)
    if size is None:
        return None
    stored = (
        MerkleNode.objects.filter(level=0, index__gte=trusted, index__lt=size)
        .order_by("index")
        .values_list("index", "hash")
        .iterator(chunk_size=chunk_size)
    )
    current = (
        LedgerEntry.objects.filter(seq__gt=trusted, seq__lte=size)
        .order_by("seq")
        .values_list("seq", "hash")
        .iterator(chunk_size=chunk_size)
    )
    tree, first_difference = list(frontier), None
    # iterator() returns a generator, which closes; the stubs say Iterator.
    with closing(stored), closing(current):  # type: ignore[type-var]
        for expected_seq in range(trusted + 1, size + 1):
            leaf_row = next(stored, None)
            if leaf_row is None or leaf_row[0] != expected_seq - 1:
                return (
                    f"checkpoint {size} stored no leaf for entry {expected_seq} (it predates stored leaves), "
                    f"so the rewrite is located only within entries {trusted + 1}..{size}"
                )
            leaf = bytes(leaf_row[1])
            merkle.push(tree, expected_seq - 1, leaf)
            if first_difference is None:
                entry_row = next(current, None)
                if entry_row is None or entry_row[0] != expected_seq or merkle.leaf_hash(bytes(entry_row[1])) != leaf:
                    first_difference = expected_seq
    if merkle.root_from_frontier(tree) != roots[size]:
        return (
            f"the leaves stored for checkpoint {size} do not add up to its root (they were altered too), "
            f"so the rewrite is located only within entries {trusted + 1}..{size}"
        )
    return None if first_difference is None else (first_difference, size)


# --- replay ---------------------------------------------------------------------------------

#: kind -> (status the moved kilograms had, status they get, whole block only)
TRANSITIONS: dict[str, tuple[str, str, bool]] = {
    EntryKind.TRANSFER.value: (BlockStatus.AVAILABLE.value, BlockStatus.AVAILABLE.value, False),
    EntryKind.LIST.value: (BlockStatus.AVAILABLE.value, BlockStatus.LISTED.value, False),
    EntryKind.DELIST.value: (BlockStatus.LISTED.value, BlockStatus.AVAILABLE.value, True),
    EntryKind.TRADE.value: (BlockStatus.LISTED.value, BlockStatus.AVAILABLE.value, False),
    EntryKind.RETIRE.value: (BlockStatus.AVAILABLE.value, BlockStatus.RETIRED.value, False),
}


@dataclass(frozen=True)
class BlockState:
    project: int
    vintage: int
    serial_start: int
    serial_end: int
    owner: int
    status: str
    parent: int | None


@dataclass
class ReplayReport:
    ok: bool
    entries_replayed: int
    blocks_compared: int
    differences: list[str] = field(default_factory=list)


def _state(snapshot: dict[str, Any]) -> BlockState:
    state = BlockState(
        project=int(snapshot["project"]),
        vintage=snapshot["vintage"],
        serial_start=int(snapshot["serial_start"]),
        serial_end=int(snapshot["serial_end"]),
        owner=int(snapshot["owner"]),
        status=snapshot["status"],
        parent=None if snapshot["parent"] is None else int(snapshot["parent"]),
    )
    if snapshot["quantity_kg"] != state.serial_end - state.serial_start + 1:
        raise ValueError("its quantity_kg disagrees with its range")
    return state


def _replay_issue(payload: dict[str, Any], blocks: dict[int, BlockState], issued: dict) -> None:
    new = {int(s["id"]): _state(s) for s in payload["blocks"]}
    if any(block_id in blocks for block_id in new):
        raise ValueError("it issues a block id that already exists")
    key = (int(payload["project"]), payload["vintage"])
    cursor = issued.get(key, 0)
    for block_id in sorted(new, key=lambda b: new[b].serial_start):
        state = new[block_id]
        if (state.project, state.vintage) != key or state.parent is not None or state.status != BlockStatus.AVAILABLE:
            raise ValueError(f"issued block {block_id} is not a fresh available block of the project and vintage")
        if state.serial_start != cursor + 1:
            raise ValueError(f"issued block {block_id} does not start right after serial {cursor}")
        cursor = state.serial_end
    if cursor - issued.get(key, 0) != payload["quantity_kg"]:
        raise ValueError("the issued blocks do not add up to quantity_kg")
    issued[key] = cursor
    blocks.update(new)


def _replay_move(kind: str, payload: dict[str, Any], blocks: dict[int, BlockState]) -> None:
    before_status, after_status, whole_only = TRANSITIONS[kind]
    snapshots = {int(s["id"]): _state(s) for s in payload["blocks"]}
    source_id, moved_id = int(payload["source"]), int(payload["block"])
    old = blocks.get(source_id)
    if old is None:
        raise ValueError(f"block {source_id} moves before it exists")
    if old.status != before_status or old.owner != int(payload["from"]):
        raise ValueError(f"block {source_id} was {old.status} of {old.owner}, not {before_status} of {payload['from']}")
    source, moved = snapshots[source_id], snapshots[moved_id]
    if moved.owner != int(payload["to"]) or moved.status != after_status:
        raise ValueError(f"the moved block {moved_id} is not {after_status} of {payload['to']}")
    if moved_id == source_id:
        if (source.serial_start, source.serial_end, source.parent) != (old.serial_start, old.serial_end, old.parent):
            raise ValueError(f"block {source_id} changed its range while moving whole")
    else:
        if whole_only or moved_id in blocks or moved.parent != source_id:
            raise ValueError(f"block {moved_id} is not a new child of block {source_id}")
        if source != replace(old, serial_end=moved.serial_start - 1):
            raise ValueError(f"block {source_id} changed more than shrinking to the first part of its range")
        if moved.serial_end != old.serial_end or (moved.project, moved.vintage) != (old.project, old.vintage):
            raise ValueError(f"block {moved_id} is not the last part of block {source_id}")
    if moved.serial_end - moved.serial_start + 1 != payload["quantity_kg"]:
        raise ValueError("the moved block does not hold quantity_kg")
    blocks.update(snapshots)


def _payload_of(canonical: str) -> dict[str, Any]:
    """The payload of an entry's text; ValueError naming what is wrong when it is no JSON entry."""
    try:
        document = json.loads(canonical)
    except ValueError as error:
        raise ValueError(f"its text is not JSON ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("payload"), dict):
        raise ValueError("its text is JSON but not an entry with a payload object")
    return document["payload"]


def replay(*, chunk_size: int | None = None) -> ReplayReport:
    """Rebuild every block's range, owner, status and parent from the entries alone, checking each
    step is a legal move that neither creates nor loses a kilogram, then compare with CreditBlock."""
    chunk_size = chunk_size or settings.LEDGER_STREAM_CHUNK
    differences: list[str] = []
    blocks: dict[int, BlockState] = {}
    issued: dict[tuple[int, int], int] = {}
    replayed = compared = 0
    with _snapshot():
        entries = LedgerEntry.objects.order_by("seq").values_list("seq", "kind", "canonical").iterator(chunk_size)
        # Closed explicitly: the loop may stop early, and the server-side cursor must close
        # inside the transaction that opened it.
        # iterator() returns a generator, which closes; the stubs say Iterator.
        with closing(entries):  # type: ignore[type-var]
            for seq, kind, canonical in entries:
                try:
                    payload = _payload_of(canonical)
                    if kind == EntryKind.ISSUE:
                        _replay_issue(payload, blocks, issued)
                    else:
                        _replay_move(kind, payload, blocks)
                except (KeyError, TypeError, ValueError) as error:
                    differences.append(f"entry {seq} ({kind}) cannot be replayed: {error}")
                    break
                replayed = seq

        live = (
            CreditBlock.objects.order_by("id")
            .values_list("id", "project_id", "vintage", "serial_start", "serial_end", "owner_id", "status", "parent_id")
            .iterator(chunk_size)
        )
        seen = set()
        # Closed explicitly: the loop may stop early, and the server-side cursor must close
        # inside the transaction that opened it.
        # iterator() returns a generator, which closes; the stubs say Iterator.
        with closing(live):  # type: ignore[type-var]
            for row in live:
                block_id, state = row[0], BlockState(*row[1:])
                compared += 1
                seen.add(block_id)
                rebuilt = blocks.get(block_id)
                if rebuilt is None:
                    differences.append(f"block {block_id} exists but no entry created it")
                elif rebuilt != state:
                    differences.append(f"block {block_id} is {state}; the ledger says {rebuilt}")
        missing = sorted(blocks.keys() - seen)
        differences.extend(f"block {block_id} is in the ledger but not in the table" for block_id in missing)
    return ReplayReport(
        ok=not differences,
        entries_replayed=replayed,
        blocks_compared=compared,
        differences=differences[:MAX_REPORTED],
    )


# --- conservation ---------------------------------------------------------------------------


@dataclass
class ConservationReport:
    ok: bool
    pairs_checked: int  # (project, vintage) pairs with issuances or blocks
    issued_kg: int  # everything the ledger's issue entries issued
    held_kg: dict[str, int]  # live blocks by status (available, listed, retired)
    differences: list[str] = field(default_factory=list)


def conservation(*, chunk_size: int | None = None) -> ConservationReport:
    """No kilogram created or lost: for every (project, vintage), the live blocks — available,
    listed and retired alike — tile serials 1..N exactly, N being what the ledger's ``issue``
    entries issued for it (their ``quantity_kg`` summed).

    Independent of replay: issued totals come from the issue entries' payloads, holdings from the
    ``CreditBlock`` table, and the tiling is checked block by block (no gap, no overlap, nothing
    past the last issued serial), on SQLite too where no exclusion constraint guards overlaps.
    A kind that takes credits out of circulation (a future ``cancel``) belongs in ``removed``:
    issued minus removed must equal what the blocks hold.
    """
    chunk_size = chunk_size or settings.LEDGER_STREAM_CHUNK
    differences: list[str] = []
    issued: dict[tuple[int, int], int] = {}
    removed: dict[tuple[int, int], int] = {}  # nothing leaves circulation yet
    held = {status: 0 for status in BlockStatus.values}
    with _snapshot():
        entries = (
            LedgerEntry.objects.filter(kind=EntryKind.ISSUE)
            .order_by("seq")
            .values_list("seq", "canonical")
            .iterator(chunk_size)
        )
        # iterator() returns a generator, which closes; the stubs say Iterator.
        with closing(entries):  # type: ignore[type-var]
            for seq, canonical in entries:
                try:
                    payload = _payload_of(canonical)
                    key = (int(payload["project"]), int(payload["vintage"]))
                    quantity = payload["quantity_kg"]
                    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
                        raise ValueError(f"its quantity_kg is {quantity!r}")
                except (KeyError, TypeError, ValueError) as error:
                    differences.append(f"issue entry {seq} cannot be read: {error}")
                    continue
                issued[key] = issued.get(key, 0) + quantity

        blocks = (
            CreditBlock.objects.order_by("project_id", "vintage", "serial_start", "id")
            .values_list("id", "project_id", "vintage", "serial_start", "serial_end", "status")
            .iterator(chunk_size)
        )
        tiled: dict[tuple[int, int], int] = {}  # the last serial covered so far, per pair
        with closing(blocks):  # type: ignore[type-var]
            for block_id, project, vintage, start, end, status in blocks:
                key = (project, vintage)
                covered = tiled.get(key, 0)
                if start <= covered:
                    differences.append(
                        f"project {project} vintage {vintage}: block {block_id} (serials {start}..{end}) overlaps "
                        f"serials already held, up to {covered}"
                    )
                elif start > covered + 1:
                    differences.append(
                        f"project {project} vintage {vintage}: serials {covered + 1}..{start - 1} are in no block"
                    )
                tiled[key] = max(covered, end)
                held[status] = held.get(status, 0) + end - start + 1

    for key in sorted(issued.keys() | tiled.keys()):
        project, vintage = key
        expected = issued.get(key, 0) - removed.get(key, 0)
        covered = tiled.get(key, 0)
        if covered != expected:
            differences.append(
                f"project {project} vintage {vintage}: the ledger issued {issued.get(key, 0)} kg"
                + (f" and removed {removed[key]} kg" if removed.get(key) else "")
                + f", the blocks hold serials up to {covered}"
            )
    return ConservationReport(
        ok=not differences,
        pairs_checked=len(issued.keys() | tiled.keys()),
        issued_kg=sum(issued.values()),
        held_kg=held,
        differences=differences[:MAX_REPORTED],
    )
