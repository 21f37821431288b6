"""Tools we did not write talk to the served card through pcscd: pcsc-tools' scriptor and pyscard
send APDUs and must get what the in-process sim: transport answers on a copy of the same state.
No 61xx/6Cxx completion on either side (--raw), so each exchange is compared as it is on the wire.
The card is served in T=1 mode (--t1) for this wire-level comparison; test_pcsc_protocols.py covers
the T=0 default.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pcscd_env import pcscd_env_or_skip, default_bin_dir  # noqa: E402

BIN = default_bin_dir()
PYTHON = "/usr/bin/python3"
ISD_AID = "A000000151000000"
APDUS = [
    "00A4040008" + ISD_AID,          # SELECT ISD -> FCI
    "80CA00E000",                    # GET DATA key information
    "80CA00E005",                    # Le too short -> 5 bytes + 61xx
    "00C0000000",                    # GET RESPONSE (Le fixed below from the 61xx)
    "0070000001",                    # MANAGE CHANNEL open
    "01A4040008" + ISD_AID,          # SELECT on channel 1
    "0070800100",                    # MANAGE CHANNEL close 1
    "80FF000000",                    # unknown INS -> 6D00
]


@pytest.fixture(scope="module")
def env():
    with pcscd_env_or_skip(BIN) as e:
        yield e


@pytest.fixture(scope="module")
def expected(env, tmp_path_factory):
    """Raw answers of the sim: transport on a copy of the served state, with GET RESPONSE's Le
    taken from the 61xx the card gave just before it."""
    copy = tmp_path_factory.mktemp("sim") / "card.state"
    shutil.copyfile(env.state_path, copy)
    apdus = list(APDUS)
    first = subprocess.run([str(BIN / "simkit"), "apdu", "--raw", "--card", f"sim:{copy}?t1=1", *apdus[:3]],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    sw = first[2].split()[-1]
    assert sw.startswith("61"), first
    apdus[3] = "00C00000" + sw[2:]
    shutil.copyfile(env.state_path, copy)
    answers = subprocess.run([str(BIN / "simkit"), "apdu", "--raw", "--card", f"sim:{copy}?t1=1", *apdus],
                             capture_output=True, text=True, check=True).stdout.splitlines()
    return apdus, ["".join(a.split()) for a in answers]


def parse_scriptor(output: str) -> list[str]:
    """scriptor prints '< XX XX ... : meaning', wrapping long responses over several lines."""
    answers, current = [], None
    for line in output.splitlines():
        if line.startswith("> "):
            if current is not None:
                answers.append(current)
            current = None
        elif line.startswith("< "):
            current = line[2:]
        elif current is not None:
            current += " " + line
    if current is not None:
        answers.append(current)
    return ["".join(a.split(" : ")[0].split()) for a in answers]


def test_scriptor_gets_the_sim_answers(env, expected):
    apdus, answers = expected
    script = "".join(" ".join(a[i:i + 2] for i in range(0, len(a), 2)) + "\n" for a in apdus)
    out = subprocess.run(["scriptor", "-r", env.reader_name], input=script, env=env.environ,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr + env.logs()
    assert parse_scriptor(out.stdout) == answers


PYSCARD_SCRIPT = """
import json, sys
from smartcard.System import readers
from smartcard.CardConnection import CardConnection
from smartcard.scard import SCARD_RESET_CARD
from smartcard.util import toBytes, toHexString
name, protocol, apdus = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
reader = [r for r in readers() if str(r) == name][0]
connection = reader.createConnection()
# Reset when done: pcscd keeps the negotiated protocol until then, and the next test may ask another.
connection.connect({"t0": CardConnection.T0_protocol, "t1": CardConnection.T1_protocol, "any": None}[protocol],
                   disposition=SCARD_RESET_CARD)
out = []
for apdu in apdus:
    data, sw1, sw2 = connection.transmit(toBytes(apdu))
    out.append(toHexString(list(data) + [sw1, sw2]).replace(" ", ""))
connection.disconnect()
print(json.dumps(out))
"""


@pytest.mark.parametrize("protocol", ["any", "t1"])
def test_pyscard_gets_the_sim_answers(env, expected, protocol):
    apdus, answers = expected
    out = subprocess.run([PYTHON, "-c", PYSCARD_SCRIPT, env.reader_name, protocol, json.dumps(apdus)],
                         env=env.environ, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr + env.logs()
    got = json.loads(out.stdout)
    assert got == answers
    # Structure, independent of any simkit code: FCI template 6F holding tag 84 = the ISD AID.
    fci = bytes.fromhex(got[0][:-4])
    assert got[0].endswith("9000") and fci[0] == 0x6F and fci[1] == len(fci) - 2
    assert bytes.fromhex("8408" + ISD_AID) in fci
