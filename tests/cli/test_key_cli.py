"""CLI tests of `simkit key` and `simkit pin`: the real binary against a sim: card in a temporary
directory (issue 8's done-when steps).

Independent truth: signatures are checked by the real `openssl dgst` CLI and by python3-cryptography,
ECDH secrets are compared with python3-cryptography's own derive against the card's public key, and
the PIN/PUK numbers come from specs/keystore.md (PIN 1234, 3 tries; PUK 12345678, 10 tries)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from simkit_cli import run_simkit as run  # noqa: E402


@pytest.fixture
def card(tmp_path):
    return f"sim:{tmp_path / 'card.state'}"


def openssl_verify(pub_pem, sig, data):
    return subprocess.run(["openssl", "dgst", "-sha256", "-verify", str(pub_pem), "-signature", str(sig), str(data)],
                          capture_output=True, text=True, timeout=60)


def assert_minimal_der(sig: bytes):
    r, s = decode_dss_signature(sig)
    assert encode_dss_signature(r, s) == sig, "not the minimal DER form"


@pytest.mark.parametrize("size", [0, 1, 1024, 4096, 70000])
def test_gen_pub_sign_openssl_verify(card, tmp_path, size):
    run("key", "gen", "--card", card, "--slot", "1", rc=0)
    pub = tmp_path / "pub.pem"
    run("key", "pub", "--card", card, "--slot", "1", "--pem", "--out", str(pub), rc=0)
    assert pub.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    data = tmp_path / "file"
    data.write_bytes(os.urandom(size))
    sig = tmp_path / "sig.der"
    run("key", "sign", "--card", card, "--slot", "1", "--in", str(data), "--out", str(sig), rc=0)
    verified = openssl_verify(pub, sig, data)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Verified OK" in verified.stdout
    assert_minimal_der(sig.read_bytes())
    # The same with python3-cryptography, and a changed file must fail with openssl.
    key = serialization.load_pem_public_key(pub.read_bytes())
    key.verify(sig.read_bytes(), data.read_bytes(), ec.ECDSA(hashes.SHA256()))
    data.write_bytes(data.read_bytes() + b"x")
    assert openssl_verify(pub, sig, data).returncode != 0


def test_full_text_mode_and_many_signatures_are_minimal_der(card, tmp_path):
    run("key", "gen", "--card", card, "--slot", "2", rc=0)
    pub = tmp_path / "pub.pem"
    run("key", "pub", "--card", card, "--slot", "2", "--pem", "--out", str(pub), rc=0)
    data = tmp_path / "file"
    data.write_bytes(bytes(range(256)) * 8)  # 2 kB: several UPDATE blocks
    sig = tmp_path / "sig.der"
    run("key", "sign", "--card", card, "--slot", "2", "--in", str(data), "--out", str(sig), "--full-text", rc=0)
    assert openssl_verify(pub, sig, data).returncode == 0
    # ~1 in 128 signatures has an r or s with a leading zero byte: 300 signatures find some.
    key = serialization.load_pem_public_key(pub.read_bytes())
    small = tmp_path / "small"
    small.write_bytes(b"hello")
    lengths = set()
    for _ in range(300):
        out = run("key", "sign", "--card", card, "--slot", "2", "--in", str(small), "--json", rc=0)
        der = bytes.fromhex(json.loads(out.stdout)["signature"])
        assert_minimal_der(der)
        key.verify(der, b"hello", ec.ECDSA(hashes.SHA256()))
        lengths.add(len(der))
    assert min(lengths) < 72  # at least one shorter form was met (and was minimal)


def test_pub_der_and_hex_forms(card, tmp_path):
    gen = run("key", "gen", "--card", card, "--slot", "3", "--json", rc=0)
    point = bytes.fromhex(json.loads(gen.stdout)["public_key"])
    assert len(point) == 65 and point[0] == 4
    der = tmp_path / "pub.der"
    run("key", "pub", "--card", card, "--slot", "3", "--der", "--out", str(der), rc=0)
    key = serialization.load_der_public_key(der.read_bytes())
    assert key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint) == point
    hex_out = run("key", "pub", "--card", card, "--slot", "3", rc=0)
    assert bytes.fromhex(hex_out.stdout.strip()) == point


def test_ecdh_equals_python_derive(card, tmp_path):
    run("key", "gen", "--card", card, "--slot", "3", rc=0)
    pub = tmp_path / "card.pem"
    run("key", "pub", "--card", card, "--slot", "3", "--pem", "--out", str(pub), rc=0)
    card_key = serialization.load_pem_public_key(pub.read_bytes())
    host = ec.generate_private_key(ec.SECP256R1())
    peer = tmp_path / "peer.pem"
    peer.write_bytes(host.public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo))
    out = run("key", "ecdh", "--card", card, "--slot", "3", "--peer", str(peer), rc=0)
    assert bytes.fromhex(out.stdout.strip()) == host.exchange(ec.ECDH(), card_key)
    # A DER peer key and --json give the same secret.
    peer_der = tmp_path / "peer.der"
    peer_der.write_bytes(host.public_key().public_bytes(serialization.Encoding.DER,
                                                        serialization.PublicFormat.SubjectPublicKeyInfo))
    out = run("key", "ecdh", "--card", card, "--slot", "3", "--peer", str(peer_der), "--json", rc=0)
    assert bytes.fromhex(json.loads(out.stdout)["shared_secret"]) == host.exchange(ec.ECDH(), card_key)


def test_list_and_rand(card):
    out = run("key", "list", "--card", card, "--json", rc=0)
    objects = json.loads(out.stdout)
    private_ids = [o["id"] for o in objects if o["kind"] == "private key"]
    assert private_ids == ["01", "02", "03", "04"]  # specs/keystore.md factory layout
    assert any(o["kind"] == "public key" and o["id"] == "05" and o["label"] == "peer" for o in objects)
    assert all(o["state"] == "00" for o in objects if o["kind"] == "private key")
    run("key", "gen", "--card", card, "--slot", "4", "--pin-bound", rc=0)
    objects = json.loads(run("key", "list", "--card", card, "--json", rc=0).stdout)
    key4 = next(o for o in objects if o["kind"] == "private key" and o["id"] == "04")
    assert key4["state"] == "01" and key4["pin_bound"] is True
    human = run("key", "list", "--card", card, rc=0).stdout
    assert "private key 04 'ephemeral'" in human and "PIN-bound" in human

    a = bytes.fromhex(run("key", "rand", "--card", card, "--bytes", "600", rc=0).stdout.strip())
    b = bytes.fromhex(run("key", "rand", "--card", card, "--bytes", "600", rc=0).stdout.strip())
    assert len(a) == 600 and len(b) == 600 and a != b
    assert run("key", "rand", "--card", card, "--bytes", "0").returncode == 2


def test_pin_bound_key_needs_pin(card, tmp_path):
    run("key", "gen", "--card", card, "--slot", "2", "--pin-bound", rc=0)
    pub = tmp_path / "pub.pem"
    run("key", "pub", "--card", card, "--slot", "2", "--pem", "--out", str(pub), rc=0)
    data = tmp_path / "file"
    data.write_bytes(os.urandom(2000))
    sig = tmp_path / "sig.der"
    refused = run("key", "sign", "--card", card, "--slot", "2", "--in", str(data), "--out", str(sig), rc=1)
    assert "6982" in refused.stderr and "security status not satisfied" in refused.stderr
    assert "--pin" in refused.stderr
    assert not sig.exists()
    peer = tmp_path / "peer.pem"
    peer.write_bytes(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    assert "6982" in run("key", "ecdh", "--card", card, "--slot", "2", "--peer", str(peer), rc=1).stderr

    run("key", "sign", "--card", card, "--slot", "2", "--in", str(data), "--out", str(sig), "--pin", "1234", rc=0)
    assert openssl_verify(pub, sig, data).returncode == 0
    sig.unlink()
    run("key", "sign", "--card", card, "--slot", "2", "--in", str(data), "--out", str(sig), rc=0,
        env={"SIMKIT_PIN": "1234"})
    assert openssl_verify(pub, sig, data).returncode == 0
    # A wrong PIN stops the command before the key is used, with the tries left.
    wrong = run("key", "sign", "--card", card, "--slot", "2", "--in", str(data), "--pin", "9999", rc=1)
    assert "PIN wrong: 2 tries left (63C2)" in wrong.stderr
    assert "9999" not in wrong.stderr + wrong.stdout
    # A key that is not PIN-bound works without a PIN.
    run("key", "gen", "--card", card, "--slot", "1", rc=0)
    run("key", "sign", "--card", card, "--slot", "1", "--in", str(data), rc=0)


def test_wrong_pin_down_to_blocked_then_unblock_with_puk(card):
    status = json.loads(run("pin", "status", "--card", card, "--json", rc=0).stdout)
    assert status == {"result": "not verified", "tries_left": 3}
    first = run("pin", "verify", "--card", card, "--pin", "0000", rc=1)
    assert "PIN wrong: 2 tries left (63C2)" in first.stderr
    second = run("pin", "verify", "--card", card, "--pin", "0000", rc=1)
    assert "PIN wrong: 1 try left (63C1)" in second.stderr
    third = run("pin", "verify", "--card", card, "--pin", "0000", rc=1)
    assert "63C0" in third.stderr or "6983" in third.stderr
    # Blocked: even the right PIN is refused, the tries stay at 0.
    blocked = run("pin", "verify", "--card", card, "--pin", "1234", rc=1)
    assert "PIN blocked" in blocked.stderr and "6983" in blocked.stderr
    assert json.loads(run("pin", "status", "--card", card, "--json", rc=0).stdout)["tries_left"] == 0
    for out in (first, second, third, blocked):
        assert "0000" not in out.stderr + out.stdout and "1234" not in out.stderr + out.stdout

    bad_puk = run("pin", "unblock", "--card", card, "--puk", "87654321", "--new-pin", "2468", rc=1)
    assert "PUK wrong: 9 tries left (63C9)" in bad_puk.stderr
    assert "87654321" not in bad_puk.stderr + bad_puk.stdout
    run("pin", "unblock", "--card", card, "--puk", "12345678", "--new-pin", "2468", rc=0)
    assert json.loads(run("pin", "status", "--card", card, "--json", rc=0).stdout)["tries_left"] == 3
    run("pin", "verify", "--card", card, "--pin", "2468", rc=0)
    run("pin", "change", "--card", card, "--pin", "2468", "--new-pin", "13579", rc=0)
    assert "63C2" in run("pin", "verify", "--card", card, "--pin", "2468", rc=1).stderr
    run("pin", "verify", "--card", card, "--pin", "13579", rc=0)  # restores the counter
    assert json.loads(run("pin", "status", "--card", card, "--json", rc=0).stdout)["tries_left"] == 3


def test_logical_channel_option(card, tmp_path):
    run("key", "gen", "--card", card, "--slot", "1", "--channel", rc=0)
    data = tmp_path / "f"
    data.write_bytes(b"x" * 1500)
    pub = tmp_path / "pub.pem"
    run("key", "pub", "--card", card, "--slot", "1", "--pem", "--out", str(pub), "--channel", rc=0)
    sig = tmp_path / "s.der"
    traced = run("key", "sign", "--card", card, "--slot", "1", "--in", str(data), "--out", str(sig), "--channel",
                 "--trace", rc=0)
    assert "0070000001" in traced.stderr.replace(" ", "")  # MANAGE CHANNEL open
    assert openssl_verify(pub, sig, data).returncode == 0


def test_trace_masks_the_pin(card, tmp_path):
    run("key", "gen", "--card", card, "--slot", "2", "--pin-bound", rc=0)
    data = tmp_path / "f"
    data.write_bytes(b"abc")
    traced = run("key", "sign", "--card", card, "--slot", "2", "--in", str(data), "--pin", "1234", "--trace", rc=0)
    assert "31323334" not in traced.stderr.replace(" ", "")


def test_bad_arguments_exit_2_and_card_errors_exit_1(card, tmp_path):
    data = tmp_path / "f"
    data.write_bytes(b"abc")
    assert run("key", "gen", "--card", card, "--slot", "1", "--curve", "p384").returncode == 2
    assert run("key", "gen", "--card", card, "--slot", "300").returncode == 2
    assert run("key", "sign", "--card", card, "--slot", "1", "--in", str(tmp_path / "missing")).returncode == 2
    assert run("key", "pub", "--card", card, "--slot", "1", "--pem", "--der").returncode == 2
    assert run("pin", "change", "--card", card, "--pin", "1234").returncode == 2
    empty = run("key", "sign", "--card", card, "--slot", "1", "--in", str(data), rc=1)
    assert "6984" in empty.stderr  # the slot has no key yet
    unknown = run("key", "sign", "--card", card, "--slot", "9", "--in", str(data), rc=1)
    assert "6A88" in unknown.stderr


def test_help_teaches(card):
    out = run("key", "--help", rc=0).stdout
    assert "openssl dgst -sha256 -verify" in out and "--pin" in out
    pin_help = run("pin", "--help", rc=0).stdout
    assert "PUK" in pin_help and "63C2" in pin_help


def test_read_file_of_a_fresh_card(card, tmp_path):
    """Factory files 1..3 exist and are empty; a slot that is no file is refused with its SW."""
    out = json.loads(run("key", "read-file", "--card", card, "--slot", "2", "--json", rc=0).stdout)
    assert out == {"file": 2, "size": 0, "content": ""}
    target = tmp_path / "cert.der"
    run("key", "read-file", "--card", card, "--slot", "1", "--out", str(target), rc=0)
    assert target.read_bytes() == b""
    missing = run("key", "read-file", "--card", card, "--slot", "9", rc=1)
    assert "6A88" in missing.stderr
