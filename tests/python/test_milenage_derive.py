"""simkit.milenage / derive / autn / sqn_from_auts against published vectors (3GPP TS 35.208,
GlobalPlatformPro's EMV KCVs) and the independent references of tests/pylib; card.aka against them."""
import os

import pytest

import simkit
from conftest import TS1_K, TS1_OPC
from gp_keys_ref import PURPOSES, kcv_aes_reference, kcv_des3_reference, kdf3_reference
from milenage_ref import milenage_reference

from conftest import SOURCE_DIR

# Published known answers: 3GPP TS 35.208 / 35.207 test sets with TS 55.205's SRES/Kc, transcribed
# and cross-checked in tests/vectors/milenage_ts35208.vec (see its header for the sources).
FIELDS = {"f1": "mac_a", "f1star": "mac_s", "f2": "res", "f3": "ck", "f4": "ik", "f5": "ak", "f5star": "ak_star",
          "opc": "opc", "sres": "sres", "kc": "kc"}


def published_vectors():
    out = []
    for line in (SOURCE_DIR / "tests" / "vectors" / "milenage_ts35208.vec").read_text().splitlines():
        if line.startswith("milenage "):
            out.append(dict(word.split("=", 1) for word in line.split()[1:]))
    assert len(out) >= 20
    return out


@pytest.mark.parametrize("vector", published_vectors(), ids=lambda v: v["set"])
def test_milenage_published_vectors(vector):
    for key_form in ("op", "opc"):
        out = simkit.milenage(vector["k"], vector["rand"], vector["sqn"], vector["amf"], **{key_form: vector[key_form]})
        assert set(out) == {"opc", "mac_a", "mac_s", "res", "ck", "ik", "ak", "ak_star", "sres", "kc"}
        assert all(isinstance(v, bytes) for v in out.values())
        for field, name in FIELDS.items():
            if field in vector:
                assert out[name].hex() == vector[field], name


def test_milenage_matches_the_reference_on_random_inputs():
    for _ in range(20):
        k, rand, sqn, amf, opc = os.urandom(16), os.urandom(16), os.urandom(6), os.urandom(2), os.urandom(16)
        got = {n: v.hex() for n, v in simkit.milenage(k=k, rand=rand, sqn=sqn, amf=amf, opc=opc).items()}
        assert got == milenage_reference(k, rand, sqn, amf, opc=opc)
    op = os.urandom(16)
    got = {n: v.hex() for n, v in simkit.milenage(k, rand, sqn, amf, op=op).items()}
    assert got == milenage_reference(k, rand, sqn, amf, op=op)


@pytest.mark.parametrize("kwargs", [
    dict(k="00" * 15, rand="00" * 16, sqn="00" * 6, amf="0000", opc="00" * 16),     # short K
    dict(k="00" * 16, rand="00" * 16, sqn="00" * 5, amf="0000", opc="00" * 16),     # short SQN
    dict(k="00" * 16, rand="00" * 16, sqn="00" * 6, amf="000000", opc="00" * 16),   # long AMF
    dict(k="00" * 16, rand="zz" * 16, sqn="00" * 6, amf="0000", opc="00" * 16),     # bad hex
    dict(k="00" * 16, rand="00" * 16, sqn="00" * 6, amf="0000"),                     # no OP/OPc
    dict(k="00" * 16, rand="00" * 16, sqn="00" * 6, amf="0000", opc="00" * 16, op="00" * 16),
])
def test_milenage_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        simkit.milenage(**kwargs)


def test_derive_published_emv_kcvs():
    """GlobalPlatformPro / `simkit derive --help`: EMV of the 4041..4F master, KDD 0001..09."""
    out = simkit.derive("emv", "404142434445464748494A4B4C4D4E4F", "00010203040506070809")
    assert out["scheme"] == "emv"
    assert (out["kcv_enc"].hex(), out["kcv_mac"].hex(), out["kcv_dek"].hex()) == ("c33013", "6f4ca6", "bb8179")
    for name in ("enc", "mac", "dek"):
        assert kcv_des3_reference(out[name]) == out["kcv_" + name]


@pytest.mark.parametrize("length", [16, 24, 32])
def test_derive_kdf3_matches_the_reference(length):
    master, kdd = os.urandom(length), os.urandom(10)
    out = simkit.derive("KDF3", master, kdd.hex())
    for name, purpose in PURPOSES.items():
        assert out[name] == kdf3_reference(master, purpose, kdd)
        assert out["kcv_" + name] == kcv_aes_reference(out[name])


@pytest.mark.parametrize("args", [("rot13", "40" * 16, "00" * 10), ("emv", "40" * 16, "00" * 9),
                                  ("emv", "40" * 24, "00" * 10), ("kdf3", "40" * 15, "00" * 10),
                                  ("kdf3", "4g" * 16, "00" * 10)])
def test_derive_bad_arguments(args):
    with pytest.raises(ValueError):
        simkit.derive(*args)


def test_card_aka_and_resynchronisation(card):
    rand, sqn = os.urandom(16), bytes.fromhex("000000000041")
    answer = card.aka(rand, simkit.autn(TS1_K, rand, sqn, "8000", opc=TS1_OPC))
    ref = milenage_reference(bytes.fromhex(TS1_K), rand, sqn, bytes.fromhex("8000"), opc=bytes.fromhex(TS1_OPC))
    assert answer["result"] == "ok"
    assert (answer["res"].hex(), answer["ck"].hex(), answer["ik"].hex()) == (ref["res"], ref["ck"], ref["ik"])
    assert answer["kc"].hex() == ref["kc"]
    # The same SQN again is stale: synchronisation failure with AUTS, from which SQN_MS comes back.
    rand2 = os.urandom(16)
    answer = card.aka(rand2, simkit.autn(TS1_K, rand2, sqn, "8000", opc=TS1_OPC))
    assert answer["result"] == "sync_failure" and len(answer["auts"]) == 14
    sqn_ms = simkit.sqn_from_auts(TS1_K, rand2, answer["auts"], opc=TS1_OPC)
    assert sqn_ms == sqn
    assert simkit.sqn_from_auts("00" * 16, rand2, answer["auts"], opc=TS1_OPC) is None
    # A wrong K: the card rejects AUTN's MAC.
    answer = card.usim.authenticate(rand, simkit.autn("00" * 16, rand, "000000000061", "8000", opc=TS1_OPC))
    assert answer == {"result": "mac_failure"}
    with pytest.raises(ValueError):
        card.aka(rand[:15], bytes(16))


def test_usim_files_and_gsm(card):
    assert card.usim.iccid() == "8988211000000000003"
    assert card.usim.imsi() == "001010123456789"
    assert len(card.usim.read_file("2FE2")) == 10
    assert card.usim.read_file([0x7FFF, 0x6F07]) == card.usim.read_file("ADF/6F07")
    rand = os.urandom(16)
    gsm = card.usim.authenticate_gsm(rand)
    ref = milenage_reference(bytes.fromhex(TS1_K), rand, bytes(6), bytes(2), opc=bytes.fromhex(TS1_OPC))
    assert gsm["sres"].hex() == ref["sres"] and gsm["kc"].hex() == ref["kc"]
    with pytest.raises(simkit.CardError):
        card.usim.read_file("ADF/6FFF")
    with pytest.raises(ValueError):
        card.usim.read_file("nonsense")
