"""RFC 9162 Merkle hashing and proofs against the transparency-dev/merkle test vectors.

The vectors (Apache-2.0, ../shared/data/merkle/LICENSE) hold happy paths and tampered proofs
(``wantErr``); the reference tree's leaves and roots for sizes 0..8 are in ``reference.json``.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rempart.evidence import merkle


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _proof(values: list[str] | None) -> list[bytes]:
    return [_b64(v) for v in values or []]


def _vectors(shared_dir: Path, kind: str) -> list[tuple[Path, dict]]:
    folder = shared_dir / "data" / "merkle" / "testdata" / kind
    files = sorted(folder.rglob("*.json"))
    assert len(files) > 50, f"too few {kind} vectors in {folder}"
    return [(f, json.loads(f.read_text())) for f in files]


@pytest.fixture(scope="module")
def reference(shared_dir: Path) -> dict:
    return json.loads((shared_dir / "data" / "merkle" / "reference.json").read_text())


def _reference_leaves(reference: dict) -> list[bytes]:
    return [bytes.fromhex(h) for h in reference["leaf_inputs_hex"]]


def _check_inclusion(vector: dict) -> None:
    merkle.verify_inclusion(_b64(vector["leafHash"]), vector["leafIdx"], vector["treeSize"],
                            _proof(vector["proof"]), _b64(vector["root"]))


def _check_consistency(vector: dict) -> None:
    merkle.verify_consistency(vector["size1"], vector["size2"], _b64(vector["root1"]),
                              _b64(vector["root2"]), _proof(vector["proof"]))


def test_it_verifies_every_inclusion_vector_as_expected(shared_dir):
    outcomes = {False: 0, True: 0}
    for path, vector in _vectors(shared_dir, "inclusion"):
        if vector["wantErr"]:
            with pytest.raises(merkle.ProofError):
                _check_inclusion(vector)
        else:
            _check_inclusion(vector)
        outcomes[vector["wantErr"]] += 1
    assert outcomes[False] >= 5 and outcomes[True] >= 50, outcomes


def test_it_verifies_every_consistency_vector_as_expected(shared_dir):
    outcomes = {False: 0, True: 0}
    for path, vector in _vectors(shared_dir, "consistency"):
        if vector["wantErr"]:
            with pytest.raises(merkle.ProofError):
                _check_consistency(vector)
        else:
            _check_consistency(vector)
        outcomes[vector["wantErr"]] += 1
    assert outcomes[False] >= 5 and outcomes[True] >= 50, outcomes


def test_it_reproduces_the_reference_roots(reference):
    leaves = _reference_leaves(reference)
    roots = [bytes.fromhex(h) for h in reference["root_hashes_hex_by_tree_size"]]
    assert len(roots) == 9
    for size, root in enumerate(roots):
        assert merkle.tree_root(leaves[:size]) == root, size


def test_it_generates_the_published_happy_path_proofs(shared_dir, reference):
    leaves = _reference_leaves(reference)
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    subtree = merkle.subtree_from_leaf_hashes(hashes)
    roots = [bytes.fromhex(h) for h in reference["root_hashes_hex_by_tree_size"]]
    checked = 0
    for _, vector in _vectors(shared_dir, "inclusion"):
        size = vector["treeSize"]
        if vector["wantErr"] or size > len(leaves) or _b64(vector["root"]) != roots[size]:
            continue
        assert _b64(vector["leafHash"]) == hashes[vector["leafIdx"]]
        assert merkle.inclusion_proof(vector["leafIdx"], size, subtree) == _proof(vector["proof"])
        checked += 1
    for _, vector in _vectors(shared_dir, "consistency"):
        old, new = vector["size1"], vector["size2"]
        if vector["wantErr"] or new > len(leaves) or old == 0:
            continue
        if _b64(vector["root2"]) != roots[new]:
            continue
        assert merkle.consistency_proof(old, new, subtree) == _proof(vector["proof"])
        checked += 1
    assert checked >= 8


def test_it_generates_every_proof_of_the_reference_tree(reference):
    leaves = _reference_leaves(reference)
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    subtree = merkle.subtree_from_leaf_hashes(hashes)
    roots = [bytes.fromhex(h) for h in reference["root_hashes_hex_by_tree_size"]]
    for size in range(1, 9):
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, subtree)
            merkle.verify_inclusion(hashes[index], index, size, proof, roots[size])
        for old in range(1, size + 1):
            proof = merkle.consistency_proof(old, size, subtree)
            merkle.verify_consistency(old, size, roots[old], roots[size], proof)


def test_it_refuses_to_prove_outside_the_tree():
    subtree = merkle.subtree_from_leaf_hashes([merkle.leaf_hash(b"a")])
    with pytest.raises(ValueError):
        merkle.inclusion_proof(1, 1, subtree)
    with pytest.raises(ValueError):
        merkle.consistency_proof(0, 1, subtree)


@st.composite
def _tree_and_index(draw):
    size = draw(st.integers(min_value=1, max_value=70))
    leaves = [i.to_bytes(4, "big") + b"leaf" for i in range(size)]
    return leaves, draw(st.integers(min_value=0, max_value=size - 1))


def _flip(data: bytes, position: int) -> bytes:
    position %= len(data) * 8
    changed = bytearray(data)
    changed[position // 8] ^= 1 << (position % 8)
    return bytes(changed)


@settings(max_examples=150, deadline=None)
@given(_tree_and_index(), st.integers(min_value=0))
def test_every_inclusion_proof_verifies_and_any_flipped_bit_fails(tree, bit):
    leaves, index = tree
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    size = len(leaves)
    proof = merkle.inclusion_proof(index, size, merkle.subtree_from_leaf_hashes(hashes))
    root = merkle.root_from_leaf_hashes(hashes)
    merkle.verify_inclusion(hashes[index], index, size, proof, root)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(hashes[index], index, size, proof, _flip(root, bit))
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(merkle.leaf_hash(_flip(leaves[index], bit)), index, size, proof,
                                root)
    if proof:
        which = bit % len(proof)
        tampered = [*proof[:which], _flip(proof[which], bit // 7), *proof[which + 1:]]
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(hashes[index], index, size, tampered, root)


@st.composite
def _two_sizes(draw):
    new = draw(st.integers(min_value=1, max_value=70))
    return draw(st.integers(min_value=1, max_value=new)), new


@settings(max_examples=150, deadline=None)
@given(_two_sizes(), st.integers(min_value=0))
def test_every_consistency_proof_verifies_and_any_flipped_bit_fails(sizes, bit):
    old, new = sizes
    hashes = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(new)]
    proof = merkle.consistency_proof(old, new, merkle.subtree_from_leaf_hashes(hashes))
    old_root = merkle.root_from_leaf_hashes(hashes[:old])
    new_root = merkle.root_from_leaf_hashes(hashes)
    merkle.verify_consistency(old, new, old_root, new_root, proof)
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(old, new, _flip(old_root, bit), new_root, proof)
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(old, new, old_root, _flip(new_root, bit), proof)
    if proof:
        which = bit % len(proof)
        tampered = [*proof[:which], _flip(proof[which], bit // 7), *proof[which + 1:]]
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(old, new, old_root, new_root, tampered)
