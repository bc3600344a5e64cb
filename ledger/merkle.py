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
