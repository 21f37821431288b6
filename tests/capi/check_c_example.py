#!/usr/bin/python3
"""Runs the C example (examples/c/keystore_sign.c) on a fresh simulated card and checks what it
prints with an independent ECDSA implementation (python3-cryptography): the DER public key is a
P-256 SubjectPublicKeyInfo and the DER signature verifies over the printed message. Also: a card
URI that cannot be opened exits 1 with the library's message on stderr.

Usage: check_c_example.py PATH_TO_keystore_sign
"""
import subprocess
import sys
import tempfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def run_example(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=120)


def fields(stdout):
    out = {}
    for line in stdout.splitlines():
        name, _, value = line.partition(": ")
        out[name] = value
    return out


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        proc = run_example(binary, f"sim:{tmp}/card.state", "3")
        assert proc.returncode == 0, proc.stderr
        printed = fields(proc.stdout)
        key = serialization.load_der_public_key(bytes.fromhex(printed["public_key_der"]))
        assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1", key
        signature = bytes.fromhex(printed["signature_der"])
        message = printed["message"].encode()
        key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        try:
            key.verify(signature, message + b"!", ec.ECDSA(hashes.SHA256()))
            raise AssertionError("signature verified over another message")
        except InvalidSignature:
            pass

        bad = run_example(binary, "nosuchscheme:x")
        assert bad.returncode == 1, bad
        assert "open" in bad.stderr and "sim:" in bad.stderr, bad.stderr
        assert bad.stdout == "", bad.stdout
    print("C example output verified with python3-cryptography")


if __name__ == "__main__":
    main()
