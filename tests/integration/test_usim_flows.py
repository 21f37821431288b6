"""The USIM over sim:, pcsc: and at: (fixture in conftest.py): the real simkit CLI reads EF.ICCID and
EF.IMSI (decoded here from the raw bytes, TS 102 221 13.2 / TS 31.102 4.2.2) and runs AKA with the
card's documented test keys (TS 35.208 test set 1): success checked against the second MILENAGE in
tests/pylib, then the same SQN again -> synchronisation failure, SQN_MS recovered from AUTS, and the
retry with SQN_MS + 1 accepted — end to end through pcscd and through the AT modem."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from milenage_ref import milenage_reference  # noqa: E402

K = "465b5ce8b199b49faa5f0a2ee238a6bc"
OPC = "cd63cb71954a9f4e48a5994e37a02baf"


def swapped_digits(raw: bytes):
    out = ""
    for b in raw:
        for nibble in (b & 0x0F, b >> 4):
            if nibble == 0x0F:
                return out
            out += str(nibble)
    return out


def test_iccid_and_imsi_read_and_decoded_independently(served_card):
    iccid = json.loads(served_card.run("read", "iccid", "--json").stdout)
    assert swapped_digits(bytes.fromhex(iccid["raw"])) == iccid["iccid"]
    imsi = json.loads(served_card.run("read", "imsi", "--json").stdout)
    raw = bytes.fromhex(imsi["raw"])
    assert swapped_digits(raw[1:])[1:] == imsi["imsi"]
    # The in-process twin card reads the same.
    twin = json.loads(served_card.run("read", "imsi", "--json", uri=served_card.twin_uri).stdout)
    assert twin["imsi"] == imsi["imsi"]


def test_aka_success_then_resync(served_card):
    args = ["aka", "--k", K, "--opc", OPC, "--sqn", "000000000061", "--json"]
    first = json.loads(served_card.run(*args).stdout)
    assert first["result"] == "ok"
    ref = milenage_reference(bytes.fromhex(K), bytes.fromhex(first["rand"]), bytes.fromhex("000000000061"),
                             bytes.fromhex("8000"), opc=bytes.fromhex(OPC))
    assert (first["res"], first["ck"], first["ik"]) == (ref["res"], ref["ck"], ref["ik"])
    again = json.loads(served_card.run(*args).stdout)
    assert again["first_attempt"]["result"] == "sync_failure"
    assert again["sqn_ms"] == "000000000061" and again["sqn"] == "000000000062" and again["result"] == "ok"
