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


@dataclass(frozen=True, slots=True)  # one per issue entry, kept for the whole replay
class IssuedRange:
    """What one ``issue`` entry issued: the range a reversal of it may cancel."""

    project: int
    vintage: int
    serial_start: int
    serial_end: int
    owner: int
    buffer_pool: int | None

    @property
    def quantity_kg(self) -> int:
        return self.serial_end - self.serial_start + 1

    def holds(self, state: BlockState) -> bool:
        return (state.project, state.vintage) == (self.project, self.vintage) and (
            self.serial_start <= state.serial_start and state.serial_end <= self.serial_end
        )

    def touches(self, state: BlockState) -> bool:
        return (state.project, state.vintage) == (self.project, self.vintage) and (
            state.serial_start <= self.serial_end and self.serial_start <= state.serial_end
        )


def _issued_range(payload: dict[str, Any]) -> IssuedRange:
    snapshots = payload["blocks"]
    return IssuedRange(
        project=int(payload["project"]),
        vintage=payload["vintage"],
        serial_start=min(int(s["serial_start"]) for s in snapshots),
        serial_end=max(int(s["serial_end"]) for s in snapshots),
        owner=int(payload["to"]),
        buffer_pool=None if payload["buffer_pool"] is None else int(payload["buffer_pool"]),
    )


_COMPENSATED = -1  # in ``reversed_``: the reversal of that issue is complete (its buffer_cancel replayed)


def _replay_cancellation(
    kind: str,
    payload: dict[str, Any],
    blocks: dict[int, BlockState],
    issues: dict[int, IssuedRange],
    reversed_: dict[int, int],
) -> None:
    """A ``cancel`` or ``buffer_cancel`` entry: each item cancels a whole block, or splits off its last
    part, for the same owner. ``cancel`` takes credits of the reversed issuance's own range from its
    owner (available or listed) or from the buffer pool; ``buffer_cancel`` takes the pool's available
    credits from outside that range, and must cover what the issuance has in circulation
    (``required_kg``: the issue's quantity less what its ``cancel`` took) up to ``shortfall_kg``.
    An issuance is reversed once: one ``cancel`` at most, then one ``buffer_cancel`` at most."""
    issue_seq = int(payload["issue"])
    issue = issues.get(issue_seq)
    if issue is None:
        raise ValueError(f"it reverses entry {issue_seq}, which is no issue entry before it")
    stated = (int(payload["project"]), payload["vintage"], int(payload["serial_start"]), int(payload["serial_end"]))
    if stated != (issue.project, issue.vintage, issue.serial_start, issue.serial_end):
        raise ValueError(f"it names another range than entry {issue_seq} issued")
    done = reversed_.get(issue_seq)
    if done == _COMPENSATED or (kind == EntryKind.CANCEL and done is not None):
        raise ValueError(f"the issuance of entry {issue_seq} was already reversed")
    if kind == EntryKind.CANCEL:
        owners = {issue.owner} | ({issue.buffer_pool} if issue.buffer_pool is not None else set())
    else:
        owners = {int(payload["buffer_pool"])}

    snapshots = {int(s["id"]): _state(s) for s in payload["blocks"]}
    touched: set[int] = set()
    total = 0
    for item in payload["cancelled"]:
        source_id, block_id = int(item["source"]), int(item["block"])
        old = blocks.get(source_id)
        if old is None:
            raise ValueError(f"block {source_id} is cancelled before it exists")
        if source_id in touched:
            raise ValueError(f"block {source_id} is cancelled from twice")
        owner, before = int(item["owner"]), item["status_before"]
        allowed = (BlockStatus.AVAILABLE, BlockStatus.LISTED) if owner == issue.owner else (BlockStatus.AVAILABLE,)
        if owner not in owners or old.owner != owner or old.status != before or before not in allowed:
            raise ValueError(f"block {source_id} was {old.status} of {old.owner}, not cancellable by this {kind}")
        if kind == EntryKind.CANCEL and not issue.holds(old):
            raise ValueError(f"block {source_id} is not of the reversed issuance")
        if kind == EntryKind.BUFFER_CANCEL and issue.touches(old):
            raise ValueError(f"block {source_id} is of the reversed issuance itself, not of the buffer")
        source, cancelled = snapshots[source_id], snapshots[block_id]
        if cancelled.status != BlockStatus.CANCELLED or cancelled.owner != owner:
            raise ValueError(f"block {block_id} is not cancelled for its owner")
        if block_id == source_id:
            if cancelled != replace(old, status=BlockStatus.CANCELLED.value):
                raise ValueError(f"block {source_id} changed more than its status while cancelled whole")
        else:
            if block_id in blocks or cancelled.parent != source_id:
                raise ValueError(f"block {block_id} is not a new child of block {source_id}")
            if source != replace(old, serial_end=cancelled.serial_start - 1):
                raise ValueError(f"block {source_id} changed more than shrinking to the first part of its range")
            if (cancelled.serial_end, cancelled.project, cancelled.vintage) != (
                old.serial_end,
                old.project,
                old.vintage,
            ):
                raise ValueError(f"block {block_id} is not the last part of block {source_id}")
        quantity = cancelled.serial_end - cancelled.serial_start + 1
        if item["quantity_kg"] != quantity:
            raise ValueError(f"block {block_id} does not hold the quantity_kg its item says")
        total += quantity
        touched.update((source_id, block_id))
    if touched != set(snapshots):
        raise ValueError("its blocks are not exactly the ones it cancelled from")
    if total != payload["quantity_kg"]:
        raise ValueError("the cancelled blocks do not add up to quantity_kg")
    if kind == EntryKind.CANCEL:
        reversed_[issue_seq] = total
    else:
        required = issue.quantity_kg - (done or 0)
        if payload["required_kg"] != required or payload["shortfall_kg"] != required - total or required < 1:
            raise ValueError(f"it makes up {total} of {payload['required_kg']} kg; the issuance left {required} kg")
        reversed_[issue_seq] = _COMPENSATED
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
    issues: dict[int, IssuedRange] = {}  # by the issue entry's seq
    reversed_: dict[int, int] = {}  # issue seq -> kg its cancel took, or _COMPENSATED
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
                        issues[seq] = _issued_range(payload)
                    elif kind in (EntryKind.CANCEL, EntryKind.BUFFER_CANCEL):
                        _replay_cancellation(kind, payload, blocks, issues, reversed_)
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
    cancelled_kg: int  # everything its cancel and buffer_cancel entries cancelled
    held_kg: dict[str, int]  # the blocks by status (available, listed, retired, cancelled)
    unbacked_kg: int  # shortfalls recorded by buffer_cancel entries: in circulation, not made up
    differences: list[str] = field(default_factory=list)


def conservation(*, chunk_size: int | None = None) -> ConservationReport:
    """No kilogram created or lost, per (project, vintage): issued - cancelled = held + retired.

    Issued and cancelled come from the entries (``issue`` quantities; each ``cancel`` and
    ``buffer_cancel`` item counted for its block's own project and vintage), held, retired and
    cancelled from the ``CreditBlock`` table. Also checked: the blocks — cancelled ones too, which keep
    their serials — tile serials 1..issued exactly (no gap, no overlap, nothing past the last issued
    serial; on SQLite too, where no exclusion constraint guards overlaps), and the cancelled blocks
    hold what the entries cancelled. ``unbacked_kg`` sums the shortfalls the buffer pool could not make
    up (docs/VERIFICATION.md, "Reversals"). Independent of replay: no block history is rebuilt. The
    backup drill (scripts/backup_restore_drill.sh) runs it on the restored copy.
    """
    chunk_size = chunk_size or settings.LEDGER_STREAM_CHUNK
    differences: list[str] = []
    issued: dict[tuple[int, int], int] = {}
    cancelled: dict[tuple[int, int], int] = {}
    unbacked = 0
    held = dict.fromkeys(BlockStatus.values, 0)
    table: dict[tuple[int, int], dict[str, int]] = {}
    kinds = (EntryKind.ISSUE, EntryKind.CANCEL, EntryKind.BUFFER_CANCEL)
    with _snapshot():
        rows = (
            LedgerEntry.objects.filter(kind__in=kinds)
            .order_by("seq")
            .values_list("seq", "kind", "canonical")
            .iterator(chunk_size)
        )
        # iterator() returns a generator, which closes; the stubs say Iterator.
        with closing(rows):  # type: ignore[type-var]
            for seq, kind, canonical in rows:
                try:
                    payload = _payload_of(canonical)
                    if kind == EntryKind.ISSUE:
                        key = (int(payload["project"]), payload["vintage"])
                        issued[key] = issued.get(key, 0) + _quantity(payload["quantity_kg"])
                        continue
                    snapshots = {s["id"]: s for s in payload["blocks"]}
                    for item in payload["cancelled"]:
                        block = snapshots[item["block"]]
                        key = (int(block["project"]), block["vintage"])
                        cancelled[key] = cancelled.get(key, 0) + _quantity(item["quantity_kg"])
                    if kind == EntryKind.BUFFER_CANCEL:
                        unbacked += payload["shortfall_kg"]
                except (KeyError, TypeError, ValueError) as error:
                    differences.append(f"entry {seq} ({kind}) cannot be read: {error}")

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
                        f"serials already in a block, up to {covered}"
                    )
                elif start > covered + 1:
                    differences.append(
                        f"project {project} vintage {vintage}: serials {covered + 1}..{start - 1} are in no block"
                    )
                tiled[key] = max(covered, end)
                by_status = table.setdefault(key, dict.fromkeys(BlockStatus.values, 0))
                by_status[status] = by_status.get(status, 0) + end - start + 1
                held[status] = held.get(status, 0) + end - start + 1

    for key in sorted(issued.keys() | tiled.keys()):
        project, vintage = key
        where = f"project {project} vintage {vintage}"
        by_status = table.get(key, dict.fromkeys(BlockStatus.values, 0))
        in_blocks = by_status[BlockStatus.AVAILABLE] + by_status[BlockStatus.LISTED] + by_status[BlockStatus.RETIRED]
        issued_kg, cancelled_kg = issued.get(key, 0), cancelled.get(key, 0)
        if tiled.get(key, 0) != issued_kg:
            differences.append(
                f"{where}: the ledger issued {issued_kg} kg, the blocks cover serials up to {tiled.get(key, 0)}"
            )
        if by_status[BlockStatus.CANCELLED] != cancelled_kg:
            differences.append(
                f"{where}: the ledger cancelled {cancelled_kg} kg, the cancelled blocks hold "
                f"{by_status[BlockStatus.CANCELLED]} kg"
            )
        if issued_kg - cancelled_kg != in_blocks:
            differences.append(
                f"{where}: issued {issued_kg} - cancelled {cancelled_kg} = {issued_kg - cancelled_kg} kg, but "
                f"{in_blocks} kg are held (available, listed) or retired"
            )
    return ConservationReport(
        ok=not differences,
        pairs_checked=len(issued.keys() | tiled.keys()),
        issued_kg=sum(issued.values()),
        cancelled_kg=sum(cancelled.values()),
        held_kg=held,
        unbacked_kg=unbacked,
        differences=differences[:MAX_REPORTED],
    )


def _quantity(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"a quantity_kg of {value!r}")
    return value
