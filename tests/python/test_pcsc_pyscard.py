"""The module over a real PC/SC stack (a private pcscd + vpcd + simkit-card serving a card, from
tests/integration/pcscd_env.py), checked against pyscard sending the same APDUs to the same reader.
Isolated in this file: it needs root, pcscd and the vpcd driver (skipped with the reason otherwise).
Both clients run in subprocesses with the environment that points at the private pcscd."""
import json
import subprocess

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from conftest import BIN_DIR, FACTORY_KEY, MODULE_DIR, PYTHON
from pcscd_env import pcscd_env_or_skip

APDUS = [
    "00A4040008A000000151000000",   # SELECT ISD: FCI (61xx on T=0, completed)
    "80CA00E000",                   # GET DATA key information
    "80CA00E005",                   # Le too short: 6Cxx re-sent / 61xx fetched
    "00A4040007A0000005590010",     # SELECT the key store applet
    "80FF000000",                   # unknown INS: 6D00
]

MODULE_SCRIPT = r"""
import json, sys
import simkit
uri, apdus, key = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
out = {}
with simkit.open(uri) as card:
    out["atr"] = card.atr.hex()
    out["description"] = card.description
    out["answers"] = [(d + sw.to_bytes(2, "big")).hex() for d, sw in (card.transmit(a) for a in apdus)]
    with card.scp03(key=key, kvn=0x30, level="full") as sc:
        data, sw = sc.transmit("80F28002024F00")
        out["get_status"] = [data.hex(), sw]
    try:
        card.scp03(key="00112233445566778899AABBCCDDEEFF", kvn=0x30)
    except simkit.SecureChannelError as e:
        out["wrong_key"] = str(e)
    card.keystore.generate(1)
    out["pem"] = card.keystore.public_key_pem(1)
    out["signature"] = card.keystore.sign(1, b"over pcsc").hex()
    try:
        card.select("A0000000FFFF")
    except simkit.CardError as e:
        out["select_sw"] = e.sw
print(json.dumps(out))
"""

PYSCARD_SCRIPT = r"""
import json, sys
from smartcard.System import readers
from smartcard.scard import SCARD_LEAVE_CARD
name, apdus = sys.argv[1], json.loads(sys.argv[2])
reader = [r for r in readers() if str(r) == name][0]
connection = reader.createConnection()
connection.connect(disposition=SCARD_LEAVE_CARD)

def complete(apdu):
    # what every T=0 host does: 6Cxx re-sent with Le = xx, 61xx fetched with GET RESPONSE
    data, sw1, sw2 = connection.transmit(list(apdu))
    if sw1 == 0x6C:
        data, sw1, sw2 = connection.transmit(list(apdu[:4]) + [sw2])
    while sw1 == 0x61:
        more, sw1, sw2 = connection.transmit([apdu[0] & 0x03, 0xC0, 0x00, 0x00, sw2])
        data = data + more
    return bytes(data + [sw1, sw2]).hex()

out = {"atr": bytes(connection.getATR()).hex(), "answers": [complete(bytes.fromhex(a)) for a in apdus]}
connection.disconnect()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def env():
    with pcscd_env_or_skip(BIN_DIR) as e:
        yield e


def run(env, script, *args):
    environ = dict(env.environ, PYTHONPATH=str(MODULE_DIR))
    environ.pop("SIMKIT_CARD", None)
    out = subprocess.run([PYTHON, "-c", script, *args], env=environ, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr + env.logs()
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def module_run(env):
    return run(env, MODULE_SCRIPT, env.uri, json.dumps(APDUS), FACTORY_KEY)


def test_module_and_pyscard_see_the_same_card(env, module_run):
    pyscard = run(env, PYSCARD_SCRIPT, env.reader_name, json.dumps(APDUS))
    assert module_run["atr"] == pyscard["atr"]
    assert module_run["answers"] == pyscard["answers"]
    assert module_run["answers"][0].endswith("9000") and module_run["answers"][-1] == "6d00"
    assert env.reader_name in module_run["description"]


def test_secure_channel_and_keys_over_pcsc(module_run):
    data, sw = module_run["get_status"]
    assert sw == 0x9000 and bytes.fromhex(data)[0] == 0xE3
    assert "cryptogram" in module_run["wrong_key"]
    assert module_run["select_sw"] == 0x6A82
    key = serialization.load_pem_public_key(module_run["pem"].encode())
    key.verify(bytes.fromhex(module_run["signature"]), b"over pcsc", ec.ECDSA(hashes.SHA256()))


def test_reader_by_index_and_missing_reader(env):
    script = ("import simkit, sys\n"
              "with simkit.open('pcsc:0') as c: print(c.transmit('00A4040000')[1])\n"
              "try:\n simkit.open('pcsc:No Such Reader')\nexcept simkit.TransportError as e: print('transport')\n")
    environ = dict(env.environ, PYTHONPATH=str(MODULE_DIR))
    out = subprocess.run([PYTHON, "-c", script], env=environ, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr + env.logs()
    assert out.stdout.split() == [str(0x9000), "transport"]
