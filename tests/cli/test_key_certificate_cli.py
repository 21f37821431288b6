"""CLI tests of `simkit key csr` and `simkit key selfsign` (issue 12): the real binary against a sim:
card in a temporary directory; the signature is made on the card through simkit's OpenSSL provider.

Independent truth: the real `openssl` CLI verifies the request, signs it with a CA made by plain
`openssl req -x509` and verifies the chain; python3-cryptography parses the PEM, checks the CSR
signature and the certificate's extensions, and the public key is compared with `simkit key pub`."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from simkit_cli import run_simkit as run  # noqa: E402

BIN = Path(os.environ.get("SIMKIT_BIN_DIR", Path(__file__).resolve().parents[2] / "build" / "bin"))
SIMKIT = str(BIN / "simkit")


def openssl(*args):
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def card(tmp_path):
    return f"sim:{tmp_path / 'card.state'}"


@pytest.fixture
def card_with_key(card):
    run("key", "gen", "--card", card, "--slot", "1", rc=0)
    return card


def card_public_key(card, slot):
    pem = run("key", "pub", "--card", card, "--slot", str(slot), "--pem", rc=0).stdout
    return serialization.load_pem_public_key(pem.encode())


def test_csr_verifies_and_a_ca_signs_it(card_with_key, tmp_path):
    csr_path = tmp_path / "dev.csr"
    done = run("key", "csr", "--card", card_with_key, "--slot", "1", "--subject", "/CN=device-42/O=Acme",
               "--out", str(csr_path), rc=0)
    assert "dev.csr" in done.stdout
    checked = openssl("req", "-in", str(csr_path), "-noout", "-verify", "-subject")
    assert checked.returncode == 0, checked.stderr
    assert "verify OK" in checked.stdout + checked.stderr
    assert "CN = device-42, O = Acme" in checked.stdout

    csr = x509.load_pem_x509_csr(csr_path.read_bytes())
    assert csr.is_signature_valid
    assert isinstance(csr.signature_hash_algorithm, hashes.SHA256)
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "device-42"
    assert csr.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Acme"
    assert csr.public_key().public_numbers() == card_public_key(card_with_key, 1).public_numbers()

    # A CA made with plain openssl signs the request; openssl verify accepts the device certificate.
    ca_key, ca_pem, dev_pem = tmp_path / "ca.key", tmp_path / "ca.pem", tmp_path / "dev.pem"
    made = openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                   "-keyout", str(ca_key), "-out", str(ca_pem), "-subj", "/CN=Test CA", "-days", "2")
    assert made.returncode == 0, made.stderr
    signed = openssl("x509", "-req", "-in", str(csr_path), "-CA", str(ca_pem), "-CAkey", str(ca_key),
                     "-CAcreateserial", "-days", "2", "-out", str(dev_pem))
    assert signed.returncode == 0, signed.stderr
    verified = openssl("verify", "-CAfile", str(ca_pem), str(dev_pem))
    assert verified.returncode == 0 and "OK" in verified.stdout, verified.stdout + verified.stderr


def test_csr_to_stdout_json_escapes_utf8_and_san(card_with_key):
    subject = "/CN=Gerät 7/O=A\\/B Corp/OU=ünit"
    out = run("key", "csr", "--card", card_with_key, "--slot", "1", "--subject", subject,
              "--san", "DNS:device-42.example,IP:10.0.0.7", "--json", rc=0)
    doc = json.loads(out.stdout)
    assert list(doc) == ["slot", "subject", "san", "public_key", "pem"]
    assert doc["slot"] == "01"
    assert doc["subject"] == "OU=ünit,O=A/B Corp,CN=Gerät 7"
    point = card_public_key(card_with_key, 1).public_bytes(serialization.Encoding.X962,
                                                           serialization.PublicFormat.UncompressedPoint)
    assert doc["public_key"] == point.hex()
    csr = x509.load_pem_x509_csr(doc["pem"].encode())
    assert csr.is_signature_valid
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Gerät 7"
    assert csr.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "A/B Corp"
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["device-42.example"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["10.0.0.7"]
    # Without --json the PEM alone goes to stdout.
    plain = run("key", "csr", "--card", card_with_key, "--slot", "1", "--subject", "/CN=x", rc=0).stdout
    assert plain.startswith("-----BEGIN CERTIFICATE REQUEST-----") and plain.rstrip().endswith("-----")


def test_selfsign_verifies_with_its_extensions(card_with_key, tmp_path):
    pem = tmp_path / "dev.pem"
    out = run("key", "selfsign", "--card", card_with_key, "--slot", "1", "--subject", "/CN=device-42/O=Acme",
              "--days", "30", "--out", str(pem), "--json", rc=0)
    doc = json.loads(out.stdout)
    assert list(doc) == ["slot", "subject", "serial", "days", "public_key", "out"]
    assert doc["out"] == str(pem) and doc["days"] == 30 and len(doc["serial"]) == 32
    verified = openssl("verify", "-CAfile", str(pem), str(pem))
    assert verified.returncode == 0 and "OK" in verified.stdout, verified.stdout + verified.stderr

    cert = x509.load_pem_x509_certificate(pem.read_bytes())
    assert cert.version == x509.Version.v3
    assert cert.serial_number == int(doc["serial"], 16) and cert.serial_number > 0
    assert cert.subject == cert.issuer
    assert (cert.not_valid_after - cert.not_valid_before).days == 30
    card_key = card_public_key(card_with_key, 1)
    assert cert.public_key().public_numbers() == card_key.public_numbers()
    card_key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256()))

    basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.value.ca is False
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert list(eku.value) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert ski.value == x509.SubjectKeyIdentifier.from_public_key(card_key)

    # Two certificates get different random serials.
    again = json.loads(run("key", "selfsign", "--card", card_with_key, "--slot", "1", "--subject", "/CN=d",
                           "--json", rc=0).stdout)
    assert again["serial"] != doc["serial"] and "pem" in again


def test_empty_and_unknown_slots_name_the_status_word(card, tmp_path):
    out = tmp_path / "dev.csr"
    empty = run("key", "csr", "--card", card, "--slot", "1", "--subject", "/CN=x", "--out", str(out), rc=1)
    assert "6984" in empty.stderr and "key gen" in empty.stderr
    assert not out.exists()
    unknown = run("key", "selfsign", "--card", card, "--slot", "9", "--subject", "/CN=x", rc=1)
    assert "6A88" in unknown.stderr


def test_pin_bound_key_needs_the_pin(card, tmp_path):
    run("key", "gen", "--card", card, "--slot", "2", "--pin-bound", rc=0)
    refused = run("key", "csr", "--card", card, "--slot", "2", "--subject", "/CN=x", rc=1)
    assert "PIN-bound" in refused.stderr and "--pin" in refused.stderr
    csr = tmp_path / "dev.csr"
    run("key", "csr", "--card", card, "--slot", "2", "--subject", "/CN=x", "--pin", "1234", "--out", str(csr), rc=0)
    assert openssl("req", "-in", str(csr), "-noout", "-verify").returncode == 0
    cert = run("key", "selfsign", "--card", card, "--slot", "2", "--subject", "/CN=x", rc=0,
               env={"SIMKIT_PIN": "1234"}).stdout
    assert cert.startswith("-----BEGIN CERTIFICATE-----")
    wrong = run("key", "csr", "--card", card, "--slot", "2", "--subject", "/CN=x", "--pin", "9999", rc=1)
    assert "63C" in wrong.stderr
    # The wrong try is counted: the right PIN resets it, as for `key sign`.
    run("key", "csr", "--card", card, "--slot", "2", "--subject", "/CN=x", "--pin", "1234", rc=0)


@pytest.mark.parametrize("subject, says", [
    ("CN=x", "expected /TYPE=VALUE"),
    ("/", "no attributes"),
    ("/CN", "has no '=VALUE'"),
    ("/CN=", "empty value"),
    ("/=x", "without a type"),
    ("/XYZ=x", "unknown attribute type 'XYZ'"),
    ("/C=Germany", "string too long"),
    ("/CN=x\\", "lone"),
])
def test_bad_subject_is_a_usage_error(card_with_key, subject, says):
    bad = run("key", "csr", "--card", card_with_key, "--slot", "1", "--subject", subject, rc=2)
    assert "--subject" in bad.stderr and says in bad.stderr


def test_subject_that_is_not_utf8_is_a_usage_error(card_with_key):
    env = {k: v for k, v in os.environ.items() if k not in ("SIMKIT_CARD", "SIMKIT_PIN")}
    bad = subprocess.run([SIMKIT, "key", "csr", "--card", card_with_key, "--slot", "1", "--subject", b"/CN=\xff"],
                         capture_output=True, env=env, timeout=60)
    assert bad.returncode == 2 and b"invalid utf8string" in bad.stderr


def test_bad_arguments_and_help(card_with_key, tmp_path):
    assert run("key", "selfsign", "--card", card_with_key, "--slot", "1", "--subject", "/CN=x", "--days", "0").returncode == 2
    assert run("key", "csr", "--card", card_with_key, "--slot", "300", "--subject", "/CN=x").returncode == 2
    assert run("key", "csr", "--card", card_with_key, "--slot", "1").returncode == 2  # --subject required
    assert "--san" in run("key", "csr", "--card", card_with_key, "--slot", "1", "--subject", "/CN=x",
                          "--san", "bogus").stderr
    assert run("key", "csr", "--slot", "1", "--subject", "/CN=x").returncode == 2  # no card, no $SIMKIT_CARD
    helped = run("key", "csr", "--help", rc=0).stdout
    assert "openssl req -in dev.csr -noout -verify" in helped and "--pin" in helped
    assert "openssl verify -CAfile dev.pem dev.pem" in run("key", "selfsign", "--help", rc=0).stdout


def test_card_uri_with_semicolon_and_percent(tmp_path):
    """The card URI goes into the key URI with ';' and '%' escaped (specs/provider.md)."""
    odd = tmp_path / "a;b%41"
    odd.mkdir()
    card = f"sim:{odd / 'card.state'}"
    run("key", "gen", "--card", card, "--slot", "1", rc=0)
    out = json.loads(run("key", "csr", "--card", card, "--slot", "1", "--subject", "/CN=x", "--json", rc=0).stdout)
    assert out["public_key"] == card_public_key(card, 1).public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint).hex()
