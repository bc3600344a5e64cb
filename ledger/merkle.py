"""RFC 9162 / RFC 6962 Merkle tree hashing, frontiers and inclusion proofs. Pure functions.

Leaves are the ledger entries' chain hashes in ``seq`` order (leaf index = seq - 1):
``leaf = SHA-256(0x00 ‖ entry hash)``, ``node = SHA-256(0x01 ‖ left ‖ right)``.

A *frontier* is the list of roots of the perfect subtrees that make up the first ``n`` leaves,
left to right (one per set bit of ``n``, largest first). It is all a checkpoint needs to continue
from, and folding it from the right gives the tree head: O(log n) for both.
"""

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

EMPTY_ROOT = hashlib.sha256(b"").digest()

# An audit-path element: ``(level, i)``, a perfect subtree, or ``("right", start)``, a fold of the frontier.
PathNode = tuple[int, int] | tuple[Literal["right"], int]


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def frontier_levels(size: int) -> list[int]:
    """Heights of the perfect subtrees of a tree of ``size`` leaves, left to right."""
    return [level for level in range(size.bit_length() - 1, -1, -1) if size >> level & 1]


def root_from_frontier(frontier: Sequence[bytes]) -> bytes:
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        root = node_hash(subtree, root)
    return root


def push(
    frontier: list[bytes], size: int, leaf: bytes, on_node: Callable[[int, int, bytes], None] | None = None
) -> int:
    """Append one leaf hash to ``frontier`` (a tree of ``size`` leaves), in place; return ``size + 1``.

    ``on_node(level, index, hash)`` is told of every perfect subtree completed on the way (level 0
    is the leaf itself), which is how the checkpoint store keeps the inner nodes proofs need.
    """
    node, level, index = leaf, 0, size
    if on_node:
        on_node(0, index, node)
    # A carry in binary addition: each trailing 1 bit of `size` is a subtree of the same height.
    while size >> level & 1:
        node = node_hash(frontier.pop(), node)
        level += 1
        index >>= 1
        if on_node:
            on_node(level, index, node)
    frontier.append(node)
    return size + 1


def extend(
    frontier: list[bytes],
    size: int,
    leaves: Iterable[bytes],
    on_node: Callable[[int, int, bytes], None] | None = None,
) -> int:
    """Append leaf hashes to ``frontier`` (a tree of ``size`` leaves), in place; return the new size
    (:func:`push` for each)."""
    for leaf in leaves:
        size = push(frontier, size, leaf, on_node)
    return size


def root_of(leaves: Sequence[bytes]) -> bytes:
    frontier: list[bytes] = []
    extend(frontier, 0, leaves)
    return root_from_frontier(frontier)


def subtree_root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 §2.1.1, by its recursive definition (a reference for the faster code)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << (len(leaves) - 1).bit_length() - 1
    return node_hash(subtree_root(leaves[:k]), subtree_root(leaves[k:]))


def inclusion_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1 over all leaves in memory (a reference; the store uses
    :func:`inclusion_path_nodes` and reads only what it needs)."""
    if len(leaves) <= 1:
        return []
    k = 1 << (len(leaves) - 1).bit_length() - 1
    if index < k:
        return [*inclusion_path(index, leaves[:k]), subtree_root(leaves[k:])]
    return [*inclusion_path(index - k, leaves[k:]), subtree_root(leaves[:k])]


def inclusion_path_nodes(index: int, size: int) -> list[PathNode]:
    """Which subtrees make up the audit path of leaf ``index`` in a tree of ``size`` leaves.

    RFC 9162 §2.1.3.1, PATH(m, D[n]), bottom-up. Each element is either ``(level, i)`` — the perfect
    subtree of height ``level`` at position ``i`` (leaves ``i·2^level`` …) — or ``("right", start)``,
    the hash of all leaves from ``start`` to the end, which is a fold of the tree's frontier.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size} leaves")
    path: list[PathNode] = []
    # Walk down from the root: [start, start + n) is the current subtree.
    start, n = 0, size
    steps: list[PathNode] = []
    while n > 1:
        k = 1 << (n - 1).bit_length() - 1  # largest power of two < n
        if index - start < k:
            # Sibling is the right part [start + k, start + n): perfect only if n - k is a power of two
            # and it ends the tree; it always ends the current subtree.
            right_size = n - k
            if right_size & (right_size - 1) == 0:
                level = right_size.bit_length() - 1
                steps.append((level, (start + k) >> level))
            else:
                steps.append(("right", start + k))
            n = k
        else:
            level = k.bit_length() - 1
            steps.append((level, start >> level))
            start, n = start + k, n - k
    path.extend(reversed(steps))
    return path


def verify_inclusion(
    *, leaf_hash: bytes, leaf_index: int, tree_size: int, audit_path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``audit_path`` prove leaf ``leaf_index`` is in the tree with ``root``?

    Pure and strict: a wrong index, a missing or extra hash, or any flipped bit gives ``False``.
    """
    if not 0 <= leaf_index < tree_size or any(len(h) != 32 for h in audit_path):
        return False
    fn, sn = leaf_index, tree_size - 1
    r = leaf_hash
    for p in audit_path:
        if sn == 0:
            return False  # more hashes than the tree has levels
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


# Consistency proofs (RFC 9162 §2.1.4) -----------------------------------------------------------


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    # SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1, word for word; `complete` is b.
    n = len(leaves)
    if m == n:
        return [] if complete else [subtree_root(leaves)]
    k = 1 << (n - 1).bit_length() - 1
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), subtree_root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), subtree_root(leaves[:k])]


def consistency_path(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(first, D[n]) of RFC 9162 §2.1.4.1 over all leaves in memory (a reference; the store uses
    :func:`consistency_path_nodes` and reads only what it needs).

    Empty when ``first`` is 0 or ``len(leaves)``: every tree extends the empty one and itself.
    """
    if not 0 <= first <= len(leaves):
        raise ValueError(f"a tree of {first} leaves is not a prefix of a tree of {len(leaves)}")
    if first in (0, len(leaves)):
        return []
    return _subproof(first, leaves, True)


def _suffix_node(start: int, size: int) -> PathNode:
    # The subtree [start, start + size) that ends the tree: perfect when size is a power of two.
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return (level, start >> level)
    return ("right", start)


def consistency_path_nodes(first: int, second: int) -> list[PathNode]:
    """Which subtrees make up the consistency proof between trees of ``first`` and ``second`` leaves.

    RFC 9162 §2.1.4.1, PROOF(first, D[second]), in the proof's order, in the notation of
    :func:`inclusion_path_nodes`: ``(level, i)`` is a perfect subtree, ``("right", start)`` the hash
    of the leaves from ``start`` to ``second``, a fold of the second tree's frontier.

    Where the store finds them (see :func:`path_from_store`): each perfect subtree of height below
    the stored levels lies in the aligned group of leaves around leaf ``first - 1`` or is an element
    of the second tree's frontier; every ``"right"`` start is a boundary of that frontier.
    """
    if not 0 <= first <= second:
        raise ValueError(f"a tree of {first} leaves is not a prefix of a tree of {second}")
    if first in (0, second):
        return []
    # Walk down from the root as SUBPROOF recurses: [start, start + n) is the current subtree and
    # m the number of its leaves that the first tree holds. A left step makes the subtree perfect;
    # a right step keeps it a suffix of the second tree.
    steps: list[PathNode] = []
    start, n, m, complete = 0, second, first, True
    while m != n:
        k = 1 << (n - 1).bit_length() - 1  # largest power of two < n
        if m <= k:
            steps.append(_suffix_node(start + k, n - k))
            n = k
        else:
            level = k.bit_length() - 1
            steps.append((level, start >> level))
            start, n, m, complete = start + k, n - k, m - k, False
    if not complete:
        # m == n after a right step and (since first < second) a left one: a perfect subtree that
        # ends where the first tree ends. A complete walk ends on the whole first tree, a power of
        # two, whose root the verifier already holds.
        level = n.bit_length() - 1
        steps.append((level, start >> level))
    return steps[::-1]


def path_from_store(
    spec: Sequence[PathNode],
    *,
    size: int,
    frontier: Sequence[bytes],
    group_start: int,
    group: Sequence[bytes],
    stored: dict[tuple[int, int], bytes],
    min_level: int,
) -> list[bytes]:
    """The hashes of a path ``spec`` out of what the checkpoint store keeps, without other leaves.

    ``spec`` comes from :func:`inclusion_path_nodes` (anchor leaf = the leaf proved) or
    :func:`consistency_path_nodes` (anchor leaf = ``first - 1``) for a tree of ``size`` leaves;
    ``frontier`` is that tree's frontier; ``group`` the leaf hashes of the anchor's aligned group of
    ``2**min_level`` leaves, from ``group_start`` (cut at ``size``); ``stored`` the perfect subtrees
    of height ≥ ``min_level`` that ``spec`` names (:func:`stored_nodes_wanted`).

    Raises LookupError when a subtree cannot be found (a stored node is missing).
    """
    levels = frontier_levels(size)
    starts: dict[int, int] = {}  # first leaf of each frontier subtree -> its position
    offset = 0
    for position, level in enumerate(levels):
        starts[offset] = position
        offset += 1 << level
    group_end = min(group_start + (1 << min_level), size)
    path: list[bytes] = []
    for kind, position in spec:
        if kind == "right":
            path.append(root_from_frontier(frontier[starts[position] :]))
            continue
        first_leaf = position << kind
        if kind >= min_level:
            try:
                path.append(stored[(kind, position)])
            except KeyError:
                raise LookupError(f"Merkle node ({kind}, {position}) is not stored") from None
        elif group_start <= first_leaf and first_leaf + (1 << kind) <= group_end:
            offset = first_leaf - group_start
            path.append(root_of(group[offset : offset + (1 << kind)]))
        elif first_leaf in starts and levels[starts[first_leaf]] == kind:
            path.append(frontier[starts[first_leaf]])
        else:
            raise LookupError(f"Merkle node ({kind}, {position}) is neither in the leaf group nor the frontier")
    return path


def stored_nodes_wanted(spec: Iterable[PathNode], *, min_level: int) -> list[tuple[int, int]]:
    """The ``(level, index)`` pairs of ``spec`` that :func:`path_from_store` reads from ``stored``."""
    return [(kind, position) for kind, position in spec if kind != "right" and kind >= min_level]


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: does ``proof`` show the tree ``second_root`` extends the tree ``first_root``?

    The RFC covers 0 < first < second. Beyond it, strictly: equal sizes hold only with an empty
    proof and equal roots, a first tree of size 0 only with an empty proof and the empty-tree root.
    A wrong size, a missing, extra or altered hash gives ``False``.
    """
    if not 0 <= first <= second or any(len(h) != 32 for h in (first_root, second_root, *proof)):
        return False
    if first == second:
        return not proof and first_root == second_root and (first > 0 or first_root == EMPTY_ROOT)
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    if not proof:  # 1.
        return False
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)  # 2.
    fn, sn = first - 1, second - 1  # 3.
    while fn & 1:  # 4.
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # 5.
    for c in path[1:]:  # 6.
        if sn == 0:  # a.
            return False
        if fn & 1 or fn == sn:  # b.
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1  # c.
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0  # 7.
