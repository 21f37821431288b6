"""The C API over the real transports: the C example (examples/c/keystore_sign.c, built in-tree as
keystore_sign_example) run against a card behind a private pcscd + vpcd (tests/integration/
pcscd_env.py) and against an AT modem on a pty (tests/integration/at_env.py), exactly as against a
sim: card. What it prints is checked with python3-cryptography: the public key is P-256 and the
signature verifies over the printed message. A reader that is not there: exit 1, the library's
message on stderr.

Usage (ctest runs it): SIMKIT_BIN_DIR=<build>/bin /usr/bin/python3 -m pytest tests/capi/test_c_example_transports.py
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SOURCE_DIR = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("SIMKIT_BIN_DIR", SOURCE_DIR / "build" / "bin"))
EXAMPLE = BIN_DIR / "keystore_sign_example"
sys.path.insert(0, str(SOURCE_DIR / "tests" / "integration"))
from at_env import AtModemEnv  # noqa: E402
from pcscd_env import pcscd_env_or_skip  # noqa: E402


def run_example(uri, environ=None):
    return subprocess.run([str(EXAMPLE), uri, "2"], capture_output=True, text=True, timeout=120,
                          env=environ or dict(os.environ))


def check_signed_output(proc):
    assert proc.returncode == 0, proc.stderr
    printed = dict(line.split(": ", 1) for line in proc.stdout.splitlines())
    key = serialization.load_der_public_key(bytes.fromhex(printed["public_key_der"]))
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
    key.verify(bytes.fromhex(printed["signature_der"]), printed["message"].encode(), ec.ECDSA(hashes.SHA256()))


@pytest.fixture(scope="module")
def pcsc():
    with pcscd_env_or_skip(str(BIN_DIR)) as env:
        yield env


def test_c_example_over_pcsc(pcsc):
    check_signed_output(run_example(pcsc.uri, dict(pcsc.environ)))


def test_c_example_over_pcsc_reader_absent(pcsc):
    proc = run_example("pcsc:No Such Reader", dict(pcsc.environ))
    assert proc.returncode == 1 and proc.stdout == ""
    assert "No Such Reader" in proc.stderr and "transport" in proc.stderr, proc.stderr


def test_c_example_over_at_modem():
    with AtModemEnv(str(BIN_DIR)) as modem:
        check_signed_output(run_example(modem.uri))
