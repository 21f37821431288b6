"""CLI tests of `simkit derive`: card static keys from a master key and the card's KDD.

EMV and VISA2 are checked against GlobalPlatformPro's published KCVs (library/src/test/java/pro/
javacard/gp/test/TestPlaintextKeys.java); KDF3 against an independent implementation
(tests/pylib/gp_keys_ref.py, python3-cryptography), which is checked itself against
GlobalPlatformPro's published KDF3 answers first. Bad input must be one line on stderr and exit 2."""
import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from simkit_cli import run_simkit as run  # noqa: E402
from gp_keys_ref import PURPOSES, kcv_aes_reference, kcv_des3_reference, kdf3_reference  # noqa: E402


GPPRO_MASTER = "404142434445464748494A4B4C4D4E4F"
GPPRO_KDD = "00010203040506070809"
# GlobalPlatformPro's published KCVs (enc, mac, dek) of its default key diversified with KDD 00..09.
GPPRO_KCVS = {
    "emv": ("c33013", "6f4ca6", "bb8179"),
    "visa2": ("2be598", "58da38", "3c328e"),
}


def derive_json(scheme, master, kdd):
    proc = run("derive", "--scheme", scheme, "--master", master, "--kdd", kdd, "--json")
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert proc.stderr == ""
    return json.loads(proc.stdout)


def test_reference_kdf3_matches_globalplatformpro():
    # The reference is trusted only once it reproduces GlobalPlatformPro's published KDF3 answers:
    # TestSCP03.testKDF3 (a whole AES-256 ENC key) and TestPlaintextKeys (KCVs of 404142... masters).
    master = bytes.fromhex("8C72C72CF908411653018807950D82FBAD947562F0828A0B10B8B9606ABF3BCD")
    enc = kdf3_reference(master, 1, bytes.fromhex("D9B1DE5D0362DEDCE4FB"))
    assert enc.hex() == "9aac5d0b3601f89438a0d9d0b6b256cfb47e6462dfa5228d3420c4ac7c224781"
    published = {16: ("e79c05", "d1bd77", "3fde8c"), 24: ("1de8ea", "47c00c", "c04d76"),
                 32: ("2972d2", "036f94", "5d57b8")}
    for length, kcvs in published.items():
        master = bytes(range(0x40, 0x40 + length))
        got = tuple(kcv_aes_reference(kdf3_reference(master, k, bytes(range(10)))).hex() for k in (1, 2, 3))
        assert got == kcvs, length


# --- the CLI against published answers and the reference ----------------------------------------

@pytest.mark.parametrize("scheme", ["emv", "visa2"])
def test_des3_schemes_match_globalplatformpro_kcvs(scheme):
    out = derive_json(scheme, GPPRO_MASTER, GPPRO_KDD)
    assert set(out) == {"scheme", "enc", "mac", "dek", "kcv_enc", "kcv_mac", "kcv_dek"}
    assert out["scheme"] == scheme
    assert (out["kcv_enc"], out["kcv_mac"], out["kcv_dek"]) == GPPRO_KCVS[scheme]
    for name in PURPOSES:
        key = out[name]
        assert len(key) == 32 and key == key.lower()
        # The printed KCV belongs to the printed key.
        assert kcv_des3_reference(bytes.fromhex(key)).hex() == out["kcv_" + name]


@pytest.mark.parametrize("length", [16, 24, 32])
def test_kdf3_matches_independent_implementation(length):
    master = os.urandom(length)
    kdd = os.urandom(10)
    out = derive_json("kdf3", master.hex(), kdd.hex())
    assert out["scheme"] == "kdf3"
    for name, purpose in PURPOSES.items():
        expected = kdf3_reference(master, purpose, kdd)
        assert out[name] == expected.hex(), name
        assert out["kcv_" + name] == kcv_aes_reference(expected).hex(), name


def test_kdf3_fixed_master_and_kdd_match_reference():
    # A fixed case as well, so a failure can be reproduced by hand.
    master = bytes.fromhex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
    kdd = bytes.fromhex("FFEEDDCCBBAA99887766")
    out = derive_json("KDF3", master.hex().upper(), kdd.hex().upper())
    for name, purpose in PURPOSES.items():
        assert out[name] == kdf3_reference(master, purpose, kdd).hex()


def test_human_output_names_keys_and_kcvs():
    proc = run("derive", "--scheme", "emv", "--master", GPPRO_MASTER, "--kdd", GPPRO_KDD)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("scheme emv")
    for line, name, kcv in zip(lines[1:], ("ENC", "MAC", "DEK"), GPPRO_KCVS["emv"]):
        assert line.startswith(name + " ") and line.endswith("KCV " + kcv.upper())


def test_help_teaches_kdd_and_gives_an_example():
    proc = run("derive", "--help")
    assert proc.returncode == 0
    text = proc.stdout
    assert "INITIALIZE UPDATE" in text and "10 bytes" in text
    assert "emv" in text and "visa2" in text and "kdf3" in text
    assert "Example: simkit derive" in text


# --- bad input: one line on stderr, exit 2 ---------------------------------------------------------

@pytest.mark.parametrize("args, says", [
    (["--scheme", "emv", "--master", GPPRO_MASTER, "--kdd", "000102030405060708"], "KDD"),
    (["--scheme", "kdf3", "--master", GPPRO_MASTER, "--kdd", GPPRO_KDD + "0A"], "KDD"),
    (["--scheme", "emv", "--master", GPPRO_MASTER + "5051525354555657", "--kdd", GPPRO_KDD], "16 bytes"),
    (["--scheme", "visa2", "--master", "4041424344454647", "--kdd", GPPRO_KDD], "16 bytes"),
    (["--scheme", "kdf3", "--master", GPPRO_MASTER + "50", "--kdd", GPPRO_KDD], "16, 24 or 32"),
    (["--scheme", "visa", "--master", GPPRO_MASTER, "--kdd", GPPRO_KDD], "emv, visa2 or kdf3"),
    (["--scheme", "emv", "--master", GPPRO_MASTER, "--kdd", "0001020304050607080G"], "--kdd"),
    (["--scheme", "emv", "--master", GPPRO_MASTER[:-1], "--kdd", GPPRO_KDD], "--master"),
])
def test_bad_input_is_one_line_and_exit_2(args, says):
    for extra in ([], ["--json"]):
        proc = run("derive", *args, *extra)
        assert proc.returncode == 2, (proc.stdout, proc.stderr)
        assert proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert says in lines[0]
