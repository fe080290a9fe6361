"""RFC 3161 timestamps from a REAL local authority: ``openssl ts -reply`` behind an HTTP server.

The test makes a CA and a TSA certificate (extendedKeyUsage critical timeStamping) with
``cryptography``, answers requests with OpenSSL on 127.0.0.1 (random port), and checks the tokens
with our verifier and with ``openssl ts -verify``.
"""

from __future__ import annotations

import datetime as dt
import http.server
import subprocess
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from rempart.config import Settings
from rempart.evidence import timestamp
from rempart.evidence.checkpoint import signer_from_seed
from rempart.evidence.ledger import Ledger
from rempart.store.db import make_engine, make_session_factory
from tests.integration.test_ledger import _event


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject, issuer, public_key, signing_key, *, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(public_key).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1))
               .not_valid_after(now + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
    return builder.sign(signing_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tsa")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert(_name("Rempart test CA"), _name("Rempart test CA"), ca_key.public_key(), ca_key,
               ca=True)
    tsa = _cert(_name("Rempart test TSA"), ca.subject, tsa_key.public_key(), ca_key, ca=False)
    (folder / "ca.pem").write_bytes(_pem(ca))
    (folder / "tsa.pem").write_bytes(_pem(tsa))
    (folder / "tsa.key").write_bytes(tsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (folder / "serial").write_text("01\n")
    (folder / "ts.cnf").write_text(f"""
[tsa]
default_tsa = tsa_config
[tsa_config]
dir = {folder}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.57264.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            query = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                (folder / "query.tsq").write_bytes(query)
                subprocess.run(["openssl", "ts", "-reply", "-config", str(folder / "ts.cnf"),
                                "-queryfile", str(folder / "query.tsq"),
                                "-out", str(folder / "reply.tsr")], check=True,
                               capture_output=True)
                reply = (folder / "reply.tsr").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_address[1]}/", "ca": folder / "ca.pem",
           "folder": folder}
    server.shutdown()


def test_it_gets_and_verifies_a_real_timestamp(authority, tmp_path):
    roots = timestamp.load_certificates(authority["ca"].read_bytes())
    stamper = timestamp.RFC3161Timestamper(authority["url"], roots)
    data = b"rempart.custody/test\n3\nAAAA\n"
    token = stamper.timestamp(data)
    verified = timestamp.verify_response(token.token, data, token.chain_pem.encode())
    assert abs((verified.gen_time.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC))
               .total_seconds()) < 60
    # OpenSSL agrees, from the kept response and chain only.
    (tmp_path / "resp.tsr").write_bytes(token.token)
    (tmp_path / "data").write_bytes(data)
    (tmp_path / "chain.pem").write_text(token.chain_pem)
    result = subprocess.run(["openssl", "ts", "-verify", "-in", str(tmp_path / "resp.tsr"),
                             "-data", str(tmp_path / "data"), "-CAfile",
                             str(tmp_path / "chain.pem")], capture_output=True, text=True)
    assert result.returncode == 0 and "Verification: OK" in result.stdout, result.stderr
    with pytest.raises(timestamp.TimestampError):
        timestamp.verify_response(token.token, data + b"x", token.chain_pem.encode())


def test_it_rejects_a_token_from_an_untrusted_chain(authority):
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_ca = _cert(_name("Other CA"), _name("Other CA"), other_key.public_key(), other_key,
                     ca=True)
    stamper = timestamp.RFC3161Timestamper(authority["url"], [other_ca])
    with pytest.raises(timestamp.TimestampError):
        stamper.timestamp(b"checkpoint")


def test_it_reports_an_unreachable_authority():
    key = ec.generate_private_key(ec.SECP256R1())
    root = _cert(_name("x"), _name("x"), key.public_key(), key, ca=True)
    stamper = timestamp.RFC3161Timestamper("http://127.0.0.1:9/", [root], timeout=2)
    with pytest.raises(timestamp.TimestampError, match="did not answer"):
        stamper.timestamp(b"checkpoint")


def test_checkpoints_are_timestamped_when_a_tsa_is_set(authority, tmp_path, monkeypatch):
    monkeypatch.setenv("REMPART_TSA_CA_FILE", str(authority["ca"]))
    settings = Settings(data_dir=tmp_path, tsa_url=authority["url"])
    stamper = timestamp.timestamper_from_settings(settings)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    from rempart.store import migrate

    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        ledger = Ledger(session, signer_from_seed(b"\x05" * 32), stamper)
        ledger.append_many([_event(1), _event(2)])
        row = ledger.sign_checkpoint()
        assert row.tsa_token and row.tsa_chain
        timestamp.verify_response(row.tsa_token, row.note.encode(), row.tsa_chain.encode())
    engine.dispose()


def test_an_unreachable_authority_does_not_stop_checkpoints(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    root = _cert(_name("x"), _name("x"), key.public_key(), key, ca=True)
    stamper = timestamp.RFC3161Timestamper("http://127.0.0.1:9/", [root], timeout=2)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    from rempart.store import migrate

    migrate.upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        ledger = Ledger(session, signer_from_seed(b"\x05" * 32), stamper)
        ledger.append(_event(1))
        row = ledger.sign_checkpoint()
        assert row.size == 1 and row.tsa_token is None
    engine.dispose()


def test_a_tsa_without_its_trust_anchor_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("REMPART_TSA_CA_FILE", raising=False)
    settings = Settings(data_dir=tmp_path, tsa_url="http://127.0.0.1:9/")
    with pytest.raises(timestamp.TimestampError, match="REMPART_TSA_CA_FILE is not"):
        timestamp.timestamper_from_settings(settings)


def test_an_unreadable_trust_anchor_file_is_named_in_the_error(tmp_path):
    settings = Settings(data_dir=tmp_path, tsa_url="http://127.0.0.1:9/",
                        tsa_ca_file=tmp_path / "missing.pem")
    with pytest.raises(timestamp.TimestampError, match="REMPART_TSA_CA_FILE cannot be read"):
        timestamp.timestamper_from_settings(settings)
