"""Evidence bundles: export, offline verification, by-hand checks, exhaustive tampering."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization

from rempart.domain import custody
from rempart.evidence import bundle
from rempart.evidence.checkpoint import signer_from_seed
from rempart.evidence.ledger import Ledger
from rempart.store import migrate
from rempart.store.db import make_engine, make_session_factory
from tests.integration.test_timestamp import authority  # noqa: F401, F811 - the real local TSA

T0 = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
SIGNER = signer_from_seed(b"\x09" * 32)
FILES = {"it-1": ("capture écran.png", b"\x89PNG fake screenshot"), "it-2": ("msg.txt", b"hi")}


def _item(item_id: str) -> bundle.BundleItem:
    name, data = FILES[item_id]
    return bundle.BundleItem(item_id, name, "image/png" if name.endswith("png") else "text/plain",
                             len(data), hashlib.sha256(data).hexdigest(), T0, "upload",
                             "reporter")


def _open(item_id: str):
    yield FILES[item_id][1]


def make_bundle(url: str) -> bytes:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        ledger = Ledger(session, SIGNER)
        ledger.append(custody.received("other", "x", "0" * 64, custody.ActorRole.REPORTER, T0))
        for item_id in FILES:
            item = _item(item_id)
            ledger.append(custody.received("case-a", item_id, item.sha256,
                                           custody.ActorRole.REPORTER, T0))
        ledger.sign_checkpoint(T0)  # what the reporter is shown on the receipt page
    with sessions.begin() as session:
        ledger = Ledger(session, SIGNER)
        ledger.append(custody.viewed("case-a", "it-1", _item("it-1").sha256,
                                     custody.ActorRole.STAFF, T0 + timedelta(hours=1)))
        out = io.BytesIO()
        bundle.export_case(ledger, "case-a", [_item("it-1"), _item("it-2")], _open, out,
                           now=T0 + timedelta(hours=2))
    engine.dispose()
    return out.getvalue()


@pytest.fixture(scope="module")
def bundle_bytes(tmp_path_factory) -> bytes:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'ledger.db'}"
    migrate.upgrade(url)
    return make_bundle(url)


def _verify_members(members: dict[str, bytes]) -> bundle.BundleReport:
    return bundle.verify_members(list(members), lambda name: members[name],
                                 lambda name: [members[name]])


def test_an_exported_bundle_verifies(bundle_bytes, tmp_path):
    path = tmp_path / "bundle.zip"
    path.write_bytes(bundle_bytes)
    report = bundle.verify_bundle(path, trusted_key=SIGNER.verifier_key())
    assert (report.case, report.items, report.tree_size) == ("case-a", 2, 6)
    assert report.events == 5  # 2 received, 1 viewed, 2 exported
    members = bundle.members_of(bundle_bytes)
    assert members["items/001-capture_cran.png"] == FILES["it-1"][1]
    assert b'"leaf_index": 1' in members["manifest.json"]


def test_it_refuses_a_bundle_signed_by_another_key(bundle_bytes, tmp_path):
    path = tmp_path / "bundle.zip"
    path.write_bytes(bundle_bytes)
    with pytest.raises(bundle.BundleError, match="not the key you trust"):
        bundle.verify_bundle(path, trusted_key=signer_from_seed(b"\x01" * 32).verifier_key())


def test_the_by_hand_instructions_work(bundle_bytes, tmp_path):
    with zipfile.ZipFile(io.BytesIO(bundle_bytes)) as archive:
        archive.extractall(tmp_path)
    text = (tmp_path / "VERIFY.md").read_text()
    assert "## Français" in text and "## English" in text
    run = lambda cmd: subprocess.run(cmd, shell=True, cwd=tmp_path, capture_output=True,  # noqa: E731
                                     text=True, check=True).stdout
    assert run("sha256sum -c SHA256SUMS").count(": OK") == len(bundle.members_of(bundle_bytes)) - 2
    blocks = re.findall(r"^       (python3 -c .*|openssl pkeyutl .*|tail -n .*)$", text, re.M)
    for command in blocks[:5]:  # the French section: extract + verify the two signed notes
        out = run(command)
        assert "Verified Successfully" in out or not out.strip()
    script = text.split("## Français")[1].split("5. **")[0]
    script = script[script.index("    python3 - <<'EOF'"):]
    script = "\n".join(line[4:] for line in script.splitlines() if line.startswith("    "))
    out = run(script)
    assert out.count(" OK ") == 5 and "FAIL" not in out
    consistency = text.split("6. **Reçu")[1].split("7. **")[0]
    consistency = consistency[consistency.index("    python3 - <<'EOF'"):]
    consistency = "\n".join(line[4:] for line in consistency.splitlines()
                             if line.startswith("    "))
    assert run(consistency).strip() == "3 -> 6 OK"


def test_every_changed_added_or_removed_byte_of_every_file_is_detected(bundle_bytes):
    members = bundle.members_of(bundle_bytes)
    _verify_members(members)
    checked = 0
    for name, data in members.items():
        for position in range(len(data) + 1):
            variants = [data[:position] + b"\x00" + data[position:]]  # added byte
            if position < len(data):
                flipped = bytes([data[position] ^ 0x01])
                variants += [data[:position] + flipped + data[position + 1:],  # changed byte
                             data[:position] + data[position + 1:]]  # removed byte
            for variant in variants:
                with pytest.raises(bundle.BundleError):
                    _verify_members({**members, name: variant})
                checked += 1
    assert checked > 3 * sum(len(d) for d in members.values())


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_an_extra_or_missing_file_in_the_zip_is_detected(bundle_bytes, tmp_path):
    members = bundle.members_of(bundle_bytes)
    for name in members:
        with pytest.raises(bundle.BundleError, match="missing|log-key|SHA256SUMS"):
            _verify_members({k: v for k, v in members.items() if k != name})
    with pytest.raises(bundle.BundleError, match="added"):
        _verify_members({**members, "items/003-extra.png": b"x"})
    # At the zip level too: a duplicate entry, an appended file, a comment.
    for mutate in ("append", "duplicate", "comment"):
        path = tmp_path / f"{mutate}.zip"
        path.write_bytes(bundle_bytes)
        with zipfile.ZipFile(path, "a") as archive:
            if mutate == "append":
                archive.writestr("notes.txt", b"added later")
            elif mutate == "duplicate":
                archive.writestr("manifest.json", b"{}")
            else:
                archive.comment = b"changed"
        with pytest.raises(bundle.BundleError):
            bundle.verify_bundle(path)


def test_a_non_zip_is_malformed(tmp_path):
    path = tmp_path / "bundle.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(bundle.MalformedBundle):
        bundle.verify_bundle(path)


def test_the_verify_command_exits_0_1_or_2(bundle_bytes, tmp_path):
    from typer.testing import CliRunner

    from rempart.cli import app

    runner = CliRunner()
    good = tmp_path / "good.zip"
    good.write_bytes(bundle_bytes)
    result = runner.invoke(app, ["verify", str(good), "--key", SIGNER.verifier_key()])
    assert result.exit_code == 0 and "OK: case case-a, 2 items" in result.output
    members = bundle.members_of(bundle_bytes)
    members["items/002-msg.txt"] = b"hI"
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    result = runner.invoke(app, ["verify", str(bad)])
    assert result.exit_code == 1 and "items/002-msg.txt" in result.output
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK nonsense")
    assert runner.invoke(app, ["verify", str(junk)]).exit_code == 2
    assert runner.invoke(app, ["verify", str(tmp_path / "absent.zip")]).exit_code == 2


def test_timestamps_go_into_the_bundle_and_verify_with_openssl(authority, tmp_path):  # noqa: F811
    from rempart.evidence import timestamp

    stamper = timestamp.RFC3161Timestamper(
        authority["url"], timestamp.load_certificates(authority["ca"].read_bytes()))
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        ledger = Ledger(session, SIGNER, stamper)
        ledger.append(custody.received("case-a", "it-2", _item("it-2").sha256,
                                       custody.ActorRole.REPORTER, T0))
        ledger.sign_checkpoint(T0)
        out = io.BytesIO()
        head = bundle.export_case(ledger, "case-a", [_item("it-2")], _open, out, now=T0)
    engine.dispose()
    path = tmp_path / "bundle.zip"
    path.write_bytes(out.getvalue())
    assert bundle.verify_bundle(path).timestamps == 2
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(folder)
    result = subprocess.run(
        ["openssl", "ts", "-verify", "-in", f"timestamps/checkpoint-{head.size}.tsr", "-data",
         "checkpoint.txt", "-CAfile", f"timestamps/checkpoint-{head.size}-chain.pem"],
        cwd=folder, capture_output=True, text=True)
    assert "Verification: OK" in result.stdout, result.stderr
    # A timestamp moved onto another checkpoint fails.
    members = bundle.members_of(out.getvalue())
    members["timestamps/checkpoint-1.tsr"] = members[f"timestamps/checkpoint-{head.size}.tsr"]
    with pytest.raises(bundle.BundleError):
        _verify_members(members)


def _resigned(members: dict[str, bytes], signer) -> dict[str, bytes]:
    members = {**members, "log-key.txt": (signer.verifier_key() + "\n").encode()}
    body = {k: v for k, v in members.items() if k not in (bundle.SUMS, bundle.SUMS_NOTE)}
    sums = "".join(f"{hashlib.sha256(v).hexdigest()}  {k}\n" for k, v in sorted(body.items()))
    return {**body, bundle.SUMS: sums.encode(),
            bundle.SUMS_NOTE: signer.sign(f"{bundle.FORMAT}\n{sums}").encode()}


def test_a_forged_bundle_under_another_key_fails_cleanly(bundle_bytes):
    forger = signer_from_seed(b"\x66" * 32)
    members = bundle.members_of(bundle_bytes)
    # Re-signed whole: the old checkpoint no longer verifies under the forger's key.
    with pytest.raises(bundle.BundleError, match="checkpoint.txt"):
        _verify_members(_resigned(members, forger))
    for manifest in (b'{"items": ["x"]}', b'{"items": 3}', b"[]"):
        with pytest.raises(bundle.BundleError):
            _verify_members(_resigned({**members, "manifest.json": manifest,
                                       "checkpoint.txt": forger.sign_checkpoint(6, b"\0" * 32)
                                       .encode()}, forger))


# Who signed (issue 12.8): a consistent bundle is not enough, its key must be tied to the instance.

FORGER = signer_from_seed(b"\x66" * 32)


def _bundle_signed_by(signer, folder) -> bytes:
    url = f"sqlite:///{folder / 'forged.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        ledger = Ledger(session, signer)
        for item_id in FILES:
            ledger.append(custody.received("case-a", item_id, _item(item_id).sha256,
                                           custody.ActorRole.REPORTER, T0))
        out = io.BytesIO()
        bundle.export_case(ledger, "case-a", [_item("it-1"), _item("it-2")], _open, out, now=T0)
    engine.dispose()
    return out.getvalue()


@pytest.fixture(scope="module")
def genuine_receipt(tmp_path_factory) -> tuple[bytes, str, str]:
    """A bundle, the receipt proof of its leaf 1 (what the reporter downloaded at upload) and
    that of leaf 0 (another case's), all from the same ledger."""
    from rempart.evidence.custody_log import ItemProof

    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'ledger.db'}"
    migrate.upgrade(url)
    data = make_bundle(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        ledger = Ledger(session, SIGNER)
        shown = ledger.first_checkpoint_covering(1)
        proof = ItemProof(1, bytes(ledger.leaf(1).leaf).decode(),
                          [h.hex() for h in ledger.inclusion_proof(1, shown.size)], shown.note,
                          SIGNER.verifier_key()).to_json()
        other = ItemProof(0, bytes(ledger.leaf(0).leaf).decode(),
                          [h.hex() for h in ledger.inclusion_proof(0, shown.size)], shown.note,
                          SIGNER.verifier_key()).to_json()
    engine.dispose()
    return data, proof, other


def _cli(*args: str):
    from tests.cli_support import invoke_rempart

    return invoke_rempart("verify", *args)


def test_a_bundle_rebuilt_under_another_key_is_not_ok_without_a_trusted_key(tmp_path):
    forged = tmp_path / "forged.zip"
    forged.write_bytes(_bundle_signed_by(FORGER, tmp_path))
    assert bundle.verify_bundle(forged).signer is None  # consistent under its own key
    result = _cli(str(forged))
    assert result.exit_code == 3
    assert "SIGNER NOT VERIFIED" in result.output and "OK: case case-a" in result.output
    assert _cli(str(forged), "--key", SIGNER.verifier_key()).exit_code == 1


def test_the_genuine_bundle_without_a_key_is_not_ok_either(bundle_bytes, tmp_path):
    path = tmp_path / "bundle.zip"
    path.write_bytes(bundle_bytes)
    assert _cli(str(path)).exit_code == 3
    result = _cli(str(path), "--key", SIGNER.verifier_key())
    assert result.exit_code == 0 and "signer verified" in result.output


def test_the_receipt_pins_the_signer(genuine_receipt, tmp_path):
    from rempart.evidence.checkpoint import key_fingerprint

    data, proof, other_case = genuine_receipt
    path, receipt = tmp_path / "bundle.zip", tmp_path / "receipt.json"
    path.write_bytes(data)
    receipt.write_text(proof)
    result = _cli(str(path), "--receipt", str(receipt))
    assert result.exit_code == 0, result.output
    assert "your receipt's entry 1 and checkpoint 3" in result.output
    # Only the fingerprint copied from the receipt page: enough to pin the key.
    printed = tmp_path / "fingerprint.txt"
    printed.write_text(key_fingerprint(SIGNER.verifier_key()) + "\n")
    assert _cli(str(path), "--receipt", str(printed)).exit_code == 0
    # A forged bundle fails against the genuine receipt.
    forged = tmp_path / "forged.zip"
    forged.write_bytes(_bundle_signed_by(FORGER, tmp_path))
    result = _cli(str(forged), "--receipt", str(receipt))
    assert result.exit_code == 1 and "not the log key on your receipt" in result.output
    # A receipt of an entry that is not in this bundle (another case's) fails.
    receipt.write_text(other_case)
    result = _cli(str(path), "--receipt", str(receipt))
    assert result.exit_code == 1 and "entry 0 is not in this bundle" in result.output
    # A receipt whose proof was tampered with fails; a file that is no receipt is bad input.
    receipt.write_text(proof.replace('"leaf_index": 1', '"leaf_index": 2'))
    assert _cli(str(path), "--receipt", str(receipt)).exit_code == 1
    receipt.write_text("my receipt")
    result = _cli(str(path), "--receipt", str(receipt))
    assert result.exit_code == 2 and "no proof, log key or key fingerprint" in result.output


@pytest.mark.parametrize("where", ["prepended", "appended", "between"])
def test_any_byte_outside_the_zip_members_fails(bundle_bytes, tmp_path, where):
    data = bundle_bytes
    if where == "prepended":
        data = b"MZ\x90\x00 junk" + data
    elif where == "appended":
        data = data + b"\x00trailing bytes"
    else:  # a gap between the last member's data and the central directory, offsets fixed up
        end = data.rindex(b"PK\x05\x06")
        start = int.from_bytes(data[end + 16:end + 20], "little")
        size = int.from_bytes(data[end + 12:end + 16], "little")
        data = (data[:start] + b"hidden" + data[start:start + size]
                + data[end:end + 16] + (start + 6).to_bytes(4, "little") + data[end + 20:])
    path = tmp_path / "bundle.zip"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as archive:  # zipfile itself still reads every member
        assert archive.testzip() is None
    with pytest.raises(bundle.BundleError, match="bytes"):
        bundle.verify_bundle(path, trusted_key=SIGNER.verifier_key())
    assert _cli(str(path), "--key", SIGNER.verifier_key()).exit_code == 1


def test_a_bundle_written_to_a_stream_keeps_an_exact_layout(bundle_bytes, tmp_path):
    """Data descriptors (a zip written to a pipe) are part of the layout, not extra bytes."""
    members = bundle.members_of(bundle_bytes)

    class Pipe(io.RawIOBase):
        def __init__(self):
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, b):
            self.data += b
            return len(b)

    pipe = Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            with archive.open(name, "w") as member:
                member.write(data)
    path = tmp_path / "streamed.zip"
    path.write_bytes(bytes(pipe.data))
    assert bundle.verify_bundle(path, trusted_key=SIGNER.verifier_key()).items == 2


def test_a_timestamp_from_an_authority_you_trust_pins_the_signer(authority, tmp_path):  # noqa: F811
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from rempart.evidence import timestamp

    stamper = timestamp.RFC3161Timestamper(
        authority["url"], timestamp.load_certificates(authority["ca"].read_bytes()))
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        ledger = Ledger(session, SIGNER, stamper)
        ledger.append(custody.received("case-a", "it-2", _item("it-2").sha256,
                                       custody.ActorRole.REPORTER, T0))
        ledger.sign_checkpoint(T0)
        out = io.BytesIO()
        bundle.export_case(ledger, "case-a", [_item("it-2")], _open, out, now=T0)
    engine.dispose()
    path = tmp_path / "bundle.zip"
    path.write_bytes(out.getvalue())
    result = _cli(str(path), "--tsa-ca", str(authority["ca"]))
    assert result.exit_code == 0, result.output
    assert "signed checkpoint 1 before" in result.output
    # The bundle's own chain proves nothing: another root (the reader's) does not pin it.
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Another CA")])
    other = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
             .public_key(key.public_key()).serial_number(1).not_valid_before(T0)
             .not_valid_after(T0 + timedelta(days=1))
             .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
             .sign(key, hashes.SHA256()))
    other_file = tmp_path / "other-ca.pem"
    other_file.write_bytes(other.public_bytes(serialization.Encoding.PEM))
    assert _cli(str(path), "--tsa-ca", str(other_file)).exit_code == 3
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    assert _cli(str(path), "--tsa-ca", str(not_pem)).exit_code == 2
