"""The IoT SAFE key store over sim:, pcsc: and at: (fixture in conftest.py): the real simkit CLI
generates a key on the card, reads its public key, signs, does ECDH and checks the user PIN, and
independent tools judge the results: the `openssl dgst` CLI verifies the signature, python3-cryptography
derives the ECDH secret itself. Each transport's card is its own fresh card (module-scoped): slot 1
is the signing key, slot 3 the ECDH key, and the PIN tests leave the PIN verified-able (tries restored).
Over at: the key store runs on a logical channel (`--channel`), once opened by MANAGE CHANNEL inside
AT+CSIM and once by the modem's AT+CCHO with every command in AT+CGLA."""
import json
import os
import subprocess

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def run(served_card, *args, **kwargs):
    """simkit key/pin on the served card; on at: on a logical channel, so AT+CSIM or AT+CCHO/CGLA carry it."""
    if served_card.transport.startswith("at-"):
        args = (*args, "--channel")
    return served_card.run(*args, **kwargs)


def test_gen_pub_sign_verified_by_openssl(served_card, tmp_path):
    gen = run(served_card, "key", "gen", "--slot", "1", "--json")
    point = bytes.fromhex(json.loads(gen.stdout)["public_key"])
    assert len(point) == 65 and point[0] == 4
    pub = tmp_path / "pub.pem"
    run(served_card, "key", "pub", "--slot", "1", "--pem", "--out", str(pub))
    key = serialization.load_pem_public_key(pub.read_bytes())
    assert key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint) == point
    data = tmp_path / "file"
    data.write_bytes(os.urandom(1500))
    sig = tmp_path / "sig.der"
    run(served_card, "key", "sign", "--slot", "1", "--in", str(data), "--out", str(sig))
    verified = subprocess.run(["openssl", "dgst", "-sha256", "-verify", str(pub), "-signature", str(sig), str(data)],
                              capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0 and "Verified OK" in verified.stdout, verified.stdout + verified.stderr
    # The card hashing the whole file (mode 01, several UPDATE blocks) verifies too.
    run(served_card, "key", "sign", "--slot", "1", "--in", str(data), "--out", str(sig), "--full-text")
    key.verify(sig.read_bytes(), data.read_bytes(), ec.ECDSA(hashes.SHA256()))
    # The twin (a copy of the state taken before the key existed) has no key in slot 1.
    assert "6984" in run(served_card, "key", "pub", "--slot", "1", uri=served_card.twin_uri, check=False).stderr


def test_ecdh_equals_python_derive(served_card, tmp_path):
    run(served_card, "key", "gen", "--slot", "3")
    pub = tmp_path / "card.pem"
    run(served_card, "key", "pub", "--slot", "3", "--pem", "--out", str(pub))
    card_key = serialization.load_pem_public_key(pub.read_bytes())
    host = ec.generate_private_key(ec.SECP256R1())
    peer = tmp_path / "peer.pem"
    peer.write_bytes(host.public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo))
    out = run(served_card, "key", "ecdh", "--slot", "3", "--peer", str(peer), "--json")
    assert bytes.fromhex(json.loads(out.stdout)["shared_secret"]) == host.exchange(ec.ECDH(), card_key)


def test_wrong_pin_then_right_pin(served_card):
    wrong = run(served_card, "pin", "verify", "--pin", "0000", check=False)
    assert wrong.returncode == 1
    assert "PIN wrong: 2 tries left (63C2)" in wrong.stderr and "0000" not in wrong.stderr + wrong.stdout
    status = json.loads(run(served_card, "pin", "status", "--json").stdout)
    assert status["tries_left"] == 2
    run(served_card, "pin", "verify", "--pin", "1234")
    assert json.loads(run(served_card, "pin", "status", "--json").stdout)["tries_left"] == 3
