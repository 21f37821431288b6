"""A second, independent client of the IoT SAFE key store: pyscard sends the raw GSMA IoT.05 APDUs
(as written down in ../shared/iotsafe-apdus.md and specs/keystore.md, no simkit host code) to the card
served by simkit-card through a private pcscd + vpcd (pcscd_env.py), the way real clients reach it:

  * Orange style: MANAGE CHANNEL open, SELECT A0000005590010 with CLA 01, commands with CLA 01;
  * wolfSSL style: SELECT with CLA 01 on a channel never opened (implicit opening), commands with CLA 81.

Each runs GENERATE KEY PAIR, READ PUBLIC KEY, COMPUTE SIGNATURE INIT/UPDATE in mode 03 (hash given;
answer 33 40 r||s) and GET RANDOM; python3-cryptography verifies the signature against the public key
the card gave. The pyscard child completes 61xx with GET RESPONSE and re-sends on 6Cxx itself."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pcscd_env import pcscd_env_or_skip, default_bin_dir  # noqa: E402

BIN = default_bin_dir()
PYTHON = "/usr/bin/python3"
AID = "A0000005590010"

PYSCARD_SCRIPT = """
import json, sys
from smartcard.System import readers
from smartcard.CardConnection import CardConnection
from smartcard.scard import SCARD_RESET_CARD
from smartcard.util import toBytes, toHexString
name, protocol, apdus = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
reader = [r for r in readers() if str(r) == name][0]
connection = reader.createConnection()
connection.connect({"t0": CardConnection.T0_protocol, "t1": CardConnection.T1_protocol, "any": None}[protocol],
                   disposition=SCARD_RESET_CARD)
out = []
for apdu in apdus:
    command = toBytes(apdu)
    data, sw1, sw2 = connection.transmit(command)
    if sw1 == 0x6C:  # wrong Le: re-send with the one the card named
        data, sw1, sw2 = connection.transmit(command[:-1] + [sw2])
    data = list(data)
    while sw1 == 0x61:  # more data: GET RESPONSE on the same logical channel
        more, sw1, sw2 = connection.transmit([command[0] & 0x03, 0xC0, 0x00, 0x00, sw2])
        data += list(more)
    out.append(toHexString(data + [sw1, sw2]).replace(" ", ""))
connection.disconnect()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def env():
    with pcscd_env_or_skip(BIN, protocol="t0") as e:  # a SIM speaks T=0, and so does this client
        yield e


def exchange(env, protocol, apdus):
    out = subprocess.run([PYTHON, "-c", PYSCARD_SCRIPT, env.reader_name, protocol, json.dumps(apdus)],
                         env=env.environ, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr + env.logs()
    answers = json.loads(out.stdout)
    assert len(answers) == len(apdus)
    return [(bytes.fromhex(a[:-4]), a[-4:]) for a in answers]


def key_store_apdus(cla: int, slot: int, digest: bytes) -> list[str]:
    """GENERATE KEY PAIR, READ PUBLIC KEY, close + COMPUTE SIGNATURE INIT (mode 03) and UPDATE, GET RANDOM."""
    c = f"{cla:02X}"
    s = f"{slot:02X}"
    init = f"8401{s}" + "A10103" + "91020001" + "920104"
    return [
        f"{c}B9000003 8401{s} 00",
        f"{c}CD000003 8501{s} 00",
        f"{c}2A010100",                                   # close session 01 (clients send it first)
        f"{c}2A0001{len(init) // 2:02X}{init}",
        f"{c}2B800122 9E20{digest.hex().upper()} 00",
        f"{c}84000020",
    ]


def check_key_store_answers(answers, slot: int, message: bytes):
    (gen, gen_sw), (pub, pub_sw), (_, close_sw), (_, init_sw), (sig, sig_sw), (rand, rand_sw) = answers
    assert (gen_sw, pub_sw, close_sw, init_sw, sig_sw, rand_sw) == ("9000",) * 6
    # GENERATE KEY PAIR: 84 01 id 85 01 id 34 45 49 43 86 41 04 X Y; READ PUBLIC KEY the same point.
    prefix = bytes([0x84, 1, slot, 0x85, 1, slot])
    assert gen.startswith(prefix) and gen[len(prefix):] == pub
    assert pub[:7] == bytes.fromhex("34454943864104") and len(pub) == 7 + 64
    point = pub[6:]
    # COMPUTE SIGNATURE UPDATE (last block): 33 40 r(32) s(32), raw; verified as DER by python3-cryptography.
    assert sig[:2] == b"\x33\x40" and len(sig) == 66
    r, s = int.from_bytes(sig[2:34], "big"), int.from_bytes(sig[34:], "big")
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))
    key.verify(encode_dss_signature(r, s), hashlib.sha256(message).digest(), ec.ECDSA(Prehashed(hashes.SHA256())))
    assert len(rand) == 32
    return point, rand


@pytest.mark.parametrize("protocol", ["any", "t0"])
def test_orange_style_manage_channel_then_select(env, protocol):
    message = os.urandom(1500)
    digest = hashlib.sha256(message).digest()
    apdus = ["0070000001", f"01A4040007{AID}", *key_store_apdus(0x01, 2, digest), "0070800100"]
    answers = exchange(env, protocol, [a.replace(" ", "") for a in apdus])
    assert answers[0] == (b"\x01", "9000")  # channel 1 opened
    fci, sw = answers[1]
    assert sw == "9000" and fci == bytes.fromhex("6F098407" + AID)
    check_key_store_answers(answers[2:-1], 2, message)
    assert answers[-1][1] == "9000"


@pytest.mark.parametrize("protocol", ["any", "t0"])
def test_wolfssl_style_implicit_channel_cla_81(env, protocol):
    message = b"wolfSSL signs a TLS handshake hash with the SIM's key"
    digest = hashlib.sha256(message).digest()
    apdus = [f"01A4040007{AID}", *key_store_apdus(0x81, 3, digest)]
    answers = exchange(env, protocol, [a.replace(" ", "") for a in apdus])
    assert answers[0][1] == "9000"
    first_point, first_random = check_key_store_answers(answers[1:], 3, message)
    # A second session: a new key in the same slot, and fresh random bytes.
    again = exchange(env, protocol, [a.replace(" ", "") for a in apdus])
    second_point, second_random = check_key_store_answers(again[1:], 3, message)
    assert second_point != first_point and second_random != first_random
