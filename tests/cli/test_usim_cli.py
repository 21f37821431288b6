"""CLI tests of `simkit read` and `simkit aka` on a fresh sim: card (specs/usim.md).

Independent truth: EF.ICCID and EF.IMSI are decoded here from the raw bytes the CLI prints (ETSI TS
102 221 13.2, 3GPP TS 31.102 4.2.2) with a Luhn check; AKA answers are recomputed with the second
MILENAGE in tests/pylib/milenage_ref.py (checked against TS 35.208 elsewhere); relay-mode AUTN is
built from the published TS 35.208 test set 1 values alone."""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from simkit_cli import run_simkit as run  # noqa: E402
from milenage_ref import milenage_reference  # noqa: E402


# TS 35.208 test set 1: the documented test keys of a fresh simulated card.
K = "465b5ce8b199b49faa5f0a2ee238a6bc"
OPC = "cd63cb71954a9f4e48a5994e37a02baf"
SET1 = dict(rand="23553cbe9637a89d218ae64dae47bf35", sqn="ff9bb4d0b607", amf="b9b9", mac_a="4a9ffac354dfafb3",
            ak="aa689c648370", ak_star="451e8beca43b")


@pytest.fixture
def card(tmp_path):
    return f"sim:{tmp_path / 'card.state'}"


def swapped_digits(raw: bytes):
    digits = ""
    for b in raw:
        for nibble in (b & 0x0F, b >> 4):
            if nibble == 0x0F:
                return digits
            assert nibble <= 9
            digits += str(nibble)
    return digits


def luhn_ok(digits: str):
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def xor_hex(a, b):
    return bytes(x ^ y for x, y in zip(bytes.fromhex(a), bytes.fromhex(b))).hex()


def test_read_iccid_and_imsi_decoded_independently(card):
    iccid = json.loads(run("read", "--card", card, "iccid", "--json", rc=0).stdout)
    raw = bytes.fromhex(iccid["raw"])
    assert len(raw) == 10
    assert swapped_digits(raw) == iccid["iccid"] and luhn_ok(iccid["iccid"]) and iccid["iccid"].startswith("89")
    imsi = json.loads(run("read", "--card", card, "imsi", "--json", rc=0).stdout)
    raw = bytes.fromhex(imsi["raw"])
    # Byte 0: bytes in use; low nibble of byte 1: parity (9 = odd number of digits); then digits.
    digits = swapped_digits(raw[1:])[1:]
    assert raw[0] == (len(digits) + 2) // 2 and (raw[1] & 0x0F) == (9 if len(digits) % 2 else 1)
    assert digits == imsi["imsi"] and imsi["mcc"] == digits[:3] and digits.startswith(imsi["mcc"] + imsi["mnc"])
    # The text form and a path form agree with the named form.
    assert f"imsi: {imsi['imsi']}" in run("read", "--card", card, "imsi", rc=0).stdout
    by_path = json.loads(run("read", "--card", card, "ADF/6F07", "--json", rc=0).stdout)
    assert by_path["raw"] == imsi["raw"] and by_path["structure"] == "transparent"
    records = json.loads(run("read", "--card", card, "2F00", "--json", rc=0).stdout)
    assert records["structure"] == "linear_fixed" and records["records"][0].startswith("61")


def test_read_errors(card):
    missing = run("read", "--card", card, "ADF/6F99", rc=1)
    assert "6A82" in missing.stderr
    assert run("read", "--card", card, "6F0", rc=2).stderr


def test_aka_relay_with_test_set_1_gives_auts_that_verifies(card):
    # AUTN from the published values: (SQN xor AK) || AMF || MAC-A. A fresh card's SQN array is
    # far below this SQN (more than delta = 2^28 SEQ ahead), so the card answers AUTS.
    autn = xor_hex(SET1["sqn"], SET1["ak"]) + SET1["amf"] + SET1["mac_a"]
    out = json.loads(run("aka", "--card", card, "--rand", SET1["rand"], "--autn", autn, "--json", rc=0).stdout)
    assert out["result"] == "sync_failure"
    auts = bytes.fromhex(out["auts"])
    # AUTS = (SQN_MS xor AK*) || MAC-S, MAC-S = f1*(RAND, SQN_MS, AMF 0000); AK* does not depend on SQN.
    sqn_ms = xor_hex(auts[:6].hex(), SET1["ak_star"])
    assert sqn_ms == "00000000001f"  # fresh card: the greatest SEQ(i) || i is 0 || 31
    expected = milenage_reference(bytes.fromhex(K), bytes.fromhex(SET1["rand"]), bytes.fromhex(sqn_ms), bytes(2),
                                  opc=bytes.fromhex(OPC))
    assert auts[6:].hex() == expected["mac_s"]
    # A flipped MAC bit: 9862, exit 1.
    bad = autn[:-2] + format(int(autn[-2:], 16) ^ 1, "02x")
    failed = run("aka", "--card", card, "--rand", SET1["rand"], "--autn", bad, "--json", rc=1)
    assert json.loads(failed.stdout)["result"] == "mac_failure" and "9862" in failed.stderr


def test_aka_network_mode_and_resync(card):
    args = ["aka", "--card", card, "--k", K, "--opc", OPC, "--sqn", "000000000041", "--json"]
    first = json.loads(run(*args, rc=0).stdout)
    assert first["result"] == "ok" and first["checked"] is True
    ref = milenage_reference(bytes.fromhex(K), bytes.fromhex(first["rand"]), bytes.fromhex(first["sqn"]),
                             bytes.fromhex("8000"), opc=bytes.fromhex(OPC))
    assert (first["res"], first["ck"], first["ik"], first["kc"]) == (ref["res"], ref["ck"], ref["ik"], ref["kc"])
    assert K not in json.dumps(first)
    # The same SQN again is stale: the card answers AUTS, simkit recovers SQN_MS and retries with + 1.
    second = json.loads(run(*args, rc=0).stdout)
    assert second["resynchronised"] is True and second["sqn_ms"] == "000000000041"
    assert second["first_attempt"]["result"] == "sync_failure"
    assert second["sqn"] == "000000000042" and second["result"] == "ok"
    ref = milenage_reference(bytes.fromhex(K), bytes.fromhex(second["rand"]), bytes.fromhex("000000000042"),
                             bytes.fromhex("8000"), opc=bytes.fromhex(OPC))
    assert second["res"] == ref["res"]
    text = run(*args[:-1], rc=0).stdout
    assert "synchronisation failure: the card's SQN_MS is 000000000042" in text
    # Wrong keys: the card refuses the MAC.
    wrong = run("aka", "--card", card, "--k", "00" * 16, "--opc", OPC, "--sqn", "000000000100", rc=1)
    assert "mac_failure" in wrong.stdout + wrong.stderr


def test_aka_bad_arguments_exit_2(card):
    assert "--rand must be 16 bytes" in run("aka", "--card", card, "--rand", "00", "--autn", "00" * 16, rc=2).stderr
    assert "--sqn" in run("aka", "--card", card, "--k", K, "--opc", OPC, rc=2).stderr
    assert run("aka", "--card", card, "--k", K, "--op", OPC, "--opc", OPC, "--sqn", "00" * 6, rc=2).stderr
    bad_key = run("aka", "--card", card, "--k", K[:-1] + "q", "--opc", OPC, "--sqn", "00" * 6, rc=2)
    assert K[:-1] not in bad_key.stderr
    assert "simkit aka --card" in run("aka", "--help", rc=0).stdout
