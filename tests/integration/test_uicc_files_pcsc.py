"""The UICC files of the served card through a real pcscd (private, vpcd) and pyscard: select
MF/EF.ICCID and ADF.USIM/EF.IMSI, READ BINARY, and decode both here in plain Python from ETSI TS
102 221 13.2 and 3GPP TS 31.102 4.2.2, independent of simkit's C++ codec (specs/usim.md).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pcscd_env import pcscd_env_or_skip, default_bin_dir  # noqa: E402

BIN = default_bin_dir()
PYTHON = "/usr/bin/python3"
USIM_AID = "A0000000871002FFFFFFFF8907090000"

APDUS = [
    "00A40004023F00",            # SELECT MF, FCP
    "00A40004022FE2",            # SELECT EF.ICCID, FCP
    "00B000000A",                # READ BINARY 10 bytes
    "00A4040407A0000000871002",  # SELECT ADF.USIM by partial AID, FCP
    "00A40004026F07",            # SELECT EF.IMSI, FCP
    "00B0000009",                # READ BINARY 9 bytes
    "00D6000001AA",              # UPDATE BINARY without ADM1
]

PYSCARD_SCRIPT = r"""
import json, sys
from smartcard.System import readers
from smartcard.scard import SCARD_RESET_CARD
from smartcard.util import toBytes, toHexString
name, apdus = sys.argv[1], json.loads(sys.argv[2])
reader = [r for r in readers() if str(r) == name][0]
connection = reader.createConnection()
connection.connect(disposition=SCARD_RESET_CARD)
out = []
for apdu in apdus:
    data, sw1, sw2 = connection.transmit(toBytes(apdu))
    out.append(toHexString(list(data) + [sw1, sw2]).replace(" ", ""))
connection.disconnect()
print(json.dumps(out))
"""


def swapped_digits(data: bytes) -> str:
    """BCD with the first digit in the low nibble of each byte, as EF.ICCID and EF.IMSI keep them."""
    return "".join(f"{b & 0x0F:X}{b >> 4:X}" for b in data)


def decode_iccid(ef: bytes) -> str:
    digits = swapped_digits(ef)
    return digits[:digits.index("F")] if "F" in digits else digits


def decode_imsi(ef: bytes) -> str:
    length = ef[0]                              # bytes in use after this one
    nibbles = swapped_digits(ef[1:1 + length])
    parity = int(nibbles[0], 16)
    assert parity & 0x07 == 0x01, "IMSI type nibble"
    digits = nibbles[1:] if parity & 0x08 else nibbles[1:-1]   # even: the last nibble is an F filler
    assert digits.isdigit()
    return digits


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def fcp_children(fcp: bytes) -> dict[int, bytes]:
    """One level of BER-TLV inside the 62 template (tags of one byte, short lengths)."""
    assert fcp[0] == 0x62 and fcp[1] == len(fcp) - 2
    out, i = {}, 2
    while i < len(fcp):
        tag, length = fcp[i], fcp[i + 1]
        out[tag] = fcp[i + 2:i + 2 + length]
        i += 2 + length
    return out


@pytest.fixture(scope="module")
def env():
    with pcscd_env_or_skip(BIN) as e:
        yield e


def test_iccid_and_imsi_read_over_pcsc(env):
    out = subprocess.run([PYTHON, "-c", PYSCARD_SCRIPT, env.reader_name, json.dumps(APDUS)],
                         env=env.environ, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr + env.logs()
    answers = json.loads(out.stdout)
    assert [a[-4:] for a in answers] == ["9000"] * 6 + ["6982"]
    data = [bytes.fromhex(a[:-4]) for a in answers]

    mf = fcp_children(data[0])
    assert mf[0x82] == bytes.fromhex("7821") and mf[0x83] == bytes.fromhex("3F00")
    ef_iccid = fcp_children(data[1])
    assert ef_iccid[0x82][0] == 0x41 and ef_iccid[0x83] == bytes.fromhex("2FE2")
    assert ef_iccid[0x80] == bytes.fromhex("000A")
    iccid = decode_iccid(data[2])
    assert iccid == "8988211000000000003" and luhn_ok(iccid)

    adf = fcp_children(data[3])
    assert adf[0x82] == bytes.fromhex("7821") and adf[0x84].hex().upper() == USIM_AID
    ef_imsi = fcp_children(data[4])
    assert ef_imsi[0x83] == bytes.fromhex("6F07") and ef_imsi[0x80] == bytes.fromhex("0009")
    assert ef_imsi[0x88] == bytes([0x07 << 3])  # SFI 07
    assert data[5].hex().upper() == "080910101032547698"
    assert decode_imsi(data[5]) == "001010123456789"
