"""The protocol pcscd activates is the one the card follows (3GPP TS 102 221 wants T=0 for a SIM):
pyscard, a PC/SC client we did not write, connects asking for T=0, T=1 and T0|T1 to a card served
with simkit-card's default (T=0) and with --t1. Asking for the protocol the card does not follow is
refused; T0|T1 gets the card's one. On the T=0 card a case-4 SELECT is answered 61xx and the data
comes with GET RESPONSE, as on a real SIM; on the T=1 card the data comes at once. The FCI is
checked with a BER walk written here (tag 6F holding 84 = the ISD AID)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pcscd_env import default_bin_dir, pcscd_env_or_skip  # noqa: E402

BIN = default_bin_dir()
PYTHON = "/usr/bin/python3"
SELECT_ISD = "00A4040008A00000015100000000"  # case 4, Le 00

SCRIPT = """
import json, sys
from smartcard.System import readers
from smartcard.CardConnection import CardConnection
from smartcard.Exceptions import CardConnectionException
from smartcard.scard import SCARD_RESET_CARD
from smartcard.util import toBytes, toHexString
name, asked, apdu = sys.argv[1], sys.argv[2], sys.argv[3]
protocols = {"T0": CardConnection.T0_protocol, "T1": CardConnection.T1_protocol,
             "T0|T1": CardConnection.T0_protocol | CardConnection.T1_protocol}
reader = [r for r in readers() if str(r) == name][0]
connection = reader.createConnection()
try:
    connection.connect(protocols[asked], disposition=SCARD_RESET_CARD)
except CardConnectionException as e:
    print(json.dumps({"connected": False, "error": str(e)}))
    sys.exit(0)
active = {CardConnection.T0_protocol: "T0", CardConnection.T1_protocol: "T1"}.get(connection.getProtocol(), "?")
data, sw1, sw2 = connection.transmit(toBytes(apdu))
first = toHexString(list(data) + [sw1, sw2]).replace(" ", "")
fetched = None
if sw1 == 0x61:
    data, sw1, sw2 = connection.transmit([0x00, 0xC0, 0x00, 0x00, sw2])
    fetched = toHexString(list(data) + [sw1, sw2]).replace(" ", "")
atr = toHexString(connection.getATR()).replace(" ", "")
connection.disconnect()
print(json.dumps({"connected": True, "active": active, "first": first, "fetched": fetched, "atr": atr}))
"""


@pytest.fixture(scope="module", params=["t0", "t1"])
def env(request):
    with pcscd_env_or_skip(BIN, protocol=request.param) as e:
        yield e


def connect(env, asked):
    out = subprocess.run([PYTHON, "-c", SCRIPT, env.reader_name, asked, SELECT_ISD], env=env.environ,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr + env.logs()
    return json.loads(out.stdout)


def fci_ok(answer_hex):
    fci = bytes.fromhex(answer_hex[:-4])
    return answer_hex.endswith("9000") and fci[0] == 0x6F and fci[1] == len(fci) - 2 and \
        bytes.fromhex("8408A000000151000000") in fci


@pytest.mark.parametrize("asked", ["T0", "T1", "T0|T1"])
def test_pcscd_activates_the_protocol_the_card_follows(env, asked):
    card = "T0" if env.protocol == "t0" else "T1"
    got = connect(env, asked)
    if card not in asked:
        assert not got["connected"], got
        return
    assert got["connected"] and got["active"] == card, got
    atr = bytes.fromhex(got["atr"])
    if card == "T0":
        # T=0 only: no interface bytes (T0 = 0K), no TCK; the SELECT's data comes with GET RESPONSE.
        assert atr[1] >> 4 == 0 and len(atr) == 2 + (atr[1] & 0x0F)
        assert got["first"].startswith("61") and fci_ok(got["fetched"])
        assert int(got["first"][2:], 16) == len(bytes.fromhex(got["fetched"])) - 2
    else:
        # TD1 = 01: T=1 alone; the data comes at once.
        assert atr[1] & 0x80 and atr[2] == 0x01
        assert got["fetched"] is None and fci_ok(got["first"])


def test_the_host_library_speaks_either(env):
    # simkit's pcsc: transport, protocol any: the same completed answer on both cards.
    out = env.simkit_run("apdu", "--card", env.uri, SELECT_ISD)
    assert fci_ok("".join(out.stdout.split()))
