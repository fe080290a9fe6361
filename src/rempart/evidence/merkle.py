"""RFC 9162 Merkle tree hashing, inclusion and consistency proofs (pure, no I/O).

Leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right); a tree of n leaves
splits at k, the largest power of two smaller than n, so right subtrees may be unbalanced.

Proof generation takes a ``subtree(start, end) -> hash`` callback so that the ledger can answer
from stored complete-subtree hashes while tests use plain leaf lists. Verification follows the
algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

SubtreeHash = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof does not verify (or is malformed)."""


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) from the leaf hashes, iteratively (no recursion depth limit)."""
    if not hashes:
        return EMPTY_ROOT
    return _fold_perfect_and_right(list(hashes))


def _fold_perfect_and_right(level: list[bytes]) -> bytes:
    # Pairing left to right level by level and carrying an odd last node up unchanged builds
    # exactly the RFC tree: the odd node is the root of the unbalanced right subtree.
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def tree_root(leaves: Sequence[bytes]) -> bytes:
    return root_from_leaf_hashes([leaf_hash(leaf) for leaf in leaves])


def subtree_from_leaf_hashes(hashes: Sequence[bytes]) -> SubtreeHash:
    """A ``subtree`` callback over an in-memory list of leaf hashes (tests, small trees)."""
    return lambda start, end: root_from_leaf_hashes(hashes[start:end])


def inclusion_proof(index: int, size: int, subtree: SubtreeHash) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 2.1.3.1, ordered from the leaf up."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    # Walk down from the root; collect siblings top-down, then reverse.
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, subtree: SubtreeHash) -> list[bytes]:
    """PROOF(old_size, D[new_size]) of RFC 9162 2.1.4.1, SUBPROOF iteratively."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size == new_size:
        return []
    proof: list[bytes] = []
    start, end = 0, new_size
    complete = True  # the "b" flag of SUBPROOF
    while end != old_size:
        k = split_point(end - start)
        if old_size - start <= k:
            proof.append(subtree(start + k, end))
            end = start + k
        else:
            proof.append(subtree(start, start + k))
            start += k
            complete = False
    if not complete:
        proof.append(subtree(start, end))
    proof.reverse()
    return proof


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes, not {HASH_SIZE}")


def verify_inclusion(
    leaf_hash_: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 2.1.3.2; raises ProofError unless the leaf is in the tree with that root."""
    if index < 0 or index >= size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    _check_hash(leaf_hash_, "leaf hash")
    _check_hash(root, "root hash")
    fn, sn, r = index, size - 1, leaf_hash_
    for p in proof:
        _check_hash(p, "proof hash")
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    if r != root:
        raise ProofError("inclusion proof does not lead to the root hash")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 2.1.4.2; raises ProofError unless the old tree is a prefix of the new one."""
    if old_size < 0 or new_size < old_size:
        raise ProofError(f"tree size went back from {old_size} to {new_size}")
    if old_size == 0:
        # Every tree extends the empty tree: such a proof proves nothing and is refused.
        raise ProofError("a consistency proof from the empty tree is meaningless")
    if old_size == new_size:
        if proof:
            raise ProofError("equal tree sizes need an empty proof")
        if old_root != new_root:
            raise ProofError("equal tree sizes but different root hashes")
        return
    _verify_consistency_path(old_size, new_size, old_root, new_root, list(proof))


def _verify_consistency_path(
    first: int, second: int, first_hash: bytes, second_hash: bytes, path: list[bytes]
) -> None:
    if not path:  # step 1
        raise ProofError("empty consistency proof")
    for c in path:
        _check_hash(c, "proof hash")
    _check_hash(first_hash, "old root hash")
    _check_hash(second_hash, "new root hash")
    if first & (first - 1) == 0:  # step 2: first is a power of two
        path.insert(0, first_hash)
    fn, sn = first - 1, second - 1  # step 3
    while fn & 1:  # step 4
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    # step 7
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != first_hash:
        raise ProofError("consistency proof does not lead to the old root hash")
    if sr != second_hash:
        raise ProofError("consistency proof does not lead to the new root hash")
