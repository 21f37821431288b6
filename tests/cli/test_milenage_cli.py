"""CLI tests of `simkit milenage`: MILENAGE (3GPP TS 35.206) outputs for K, OP/OPc, RAND, SQN, AMF.

Checked against an independent MILENAGE (tests/pylib/milenage_ref.py, python3-cryptography's AES), which is
itself checked first against 3GPP TS 35.208 test sets 1, 3 and 20 (published values, not simkit
output); then ~50 random inputs through the CLI against it, test set 1 through the CLI, and the bad
input cases: exit 2 with one message on stderr naming the option, and K/OP never echoed."""
import json
import os
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from simkit_cli import run_simkit as run  # noqa: E402
from milenage_ref import milenage_reference  # noqa: E402


FIELDS = ["opc", "mac_a", "mac_s", "res", "ck", "ik", "ak", "ak_star", "sres", "kc"]

# 3GPP TS 35.208 section 4.3 (also in tests/vectors/milenage_ts35208.vec), with the TS 55.205 SRES/Kc.
TEST_SETS = {
    1: dict(k="465b5ce8b199b49faa5f0a2ee238a6bc", rand="23553cbe9637a89d218ae64dae47bf35", sqn="ff9bb4d0b607",
            amf="b9b9", op="cdc202d5123e20f62b6d676ac72cb318", opc="cd63cb71954a9f4e48a5994e37a02baf",
            mac_a="4a9ffac354dfafb3", mac_s="01cfaf9ec4e871e9", res="a54211d5e3ba50bf",
            ck="b40ba9a3c58b2a05bbf0d987b21bf8cb", ik="f769bcd751044604127672711c6d3441", ak="aa689c648370",
            ak_star="451e8beca43b", sres="46f8416a", kc="eae4be823af9a08b"),
    3: dict(k="fec86ba6eb707ed08905757b1bb44b8f", rand="9f7c8d021accf4db213ccff0c7f71a6a", sqn="9d0277595ffc",
            amf="725c", op="dbc59adcb6f9a0ef735477b7fadf8374", opc="1006020f0a478bf6b699f15c062e42b3",
            mac_a="9cabc3e99baf7281", mac_s="95814ba2b3044324", res="8011c48c0c214ed2",
            ck="5dbdbb2954e8f3cde665b046179a5098", ik="59a92d3b476a0443487055cf88b2307b", ak="33484dc2136b",
            ak_star="deacdd848cc6", sres="8c308a5e", kc="aa01739b8caa976d"),
    20: dict(k="90dca4eda45b53cf0f12d7c9c3bc6a89", rand="9fddc72092c6ad036b6e464789315b78", sqn="20f813bd4141",
             amf="61df", op="3ffcfe5b7b1111589920d3528e84e655", opc="cb9cccc4b9258e6dca4760379fb82581",
             mac_a="09db94eab4f8149e", mac_s="a29468aa9775b527", res="a95100e2760952cd",
             ck="b5f2da03883b69f96bf52e029ed9ac45", ik="b4721368bc16ea67875c5598688bb0ef", ak="83cfd54db913",
             ak_star="4f2039392ddc", sres="df58522f", kc="ed29b2f1c27f9f34"),
}


def args_for(k, rand, sqn, amf, op=None, opc=None):
    out = ["milenage", "--k", k, "--rand", rand, "--sqn", sqn, "--amf", amf]
    if op is not None:
        out += ["--op", op]
    if opc is not None:
        out += ["--opc", opc]
    return out


def milenage_json(*args):
    proc = run(*args, "--json")
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert proc.stderr == ""
    return json.loads(proc.stdout)


@pytest.mark.parametrize("number", sorted(TEST_SETS))
def test_reference_matches_ts35208(number):
    # The reference is trusted only once it reproduces the published test sets, from OP and from OPc.
    t = TEST_SETS[number]
    b = {name: bytes.fromhex(value) for name, value in t.items()}
    expected = {name: t[name] for name in FIELDS}
    assert milenage_reference(b["k"], b["rand"], b["sqn"], b["amf"], op=b["op"]) == expected
    assert milenage_reference(b["k"], b["rand"], b["sqn"], b["amf"], opc=b["opc"]) == expected


# --- the CLI against published answers and the reference ----------------------------------------

@pytest.mark.parametrize("number", sorted(TEST_SETS))
def test_cli_gives_ts35208_test_sets(number):
    t = TEST_SETS[number]
    expected = {name: t[name] for name in FIELDS}
    with_op = milenage_json(*args_for(t["k"], t["rand"], t["sqn"], t["amf"], op=t["op"]))
    assert list(with_op) == FIELDS
    assert with_op == expected
    # Upper-case input, OPc given: the same answers.
    with_opc = milenage_json(*args_for(t["k"].upper(), t["rand"].upper(), t["sqn"], t["amf"], opc=t["opc"].upper()))
    assert with_opc == expected


def test_cli_text_output_test_set_1():
    t = TEST_SETS[1]
    proc = run(*args_for(t["k"], t["rand"], t["sqn"], t["amf"], op=t["op"]))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines == [f"{name}: {t[name]}" for name in FIELDS]
    # K and OP are secrets: never printed.
    assert t["k"] not in proc.stdout.lower() and t["op"] not in proc.stdout.lower()


def test_cli_matches_reference_on_random_inputs():
    rng = random.Random(int.from_bytes(os.urandom(8), "big"))
    for i in range(50):
        k, op_or_opc, rand = (bytes(rng.getrandbits(8) for _ in range(16)) for _ in range(3))
        sqn = bytes(rng.getrandbits(8) for _ in range(6))
        amf = bytes(rng.getrandbits(8) for _ in range(2))
        use_op = i % 2 == 0
        kwargs = {"op": op_or_opc} if use_op else {"opc": op_or_opc}
        expected = milenage_reference(k, rand, sqn, amf, **kwargs)
        cli_kwargs = {name: value.hex() for name, value in kwargs.items()}
        got = milenage_json(*args_for(k.hex(), rand.hex(), sqn.hex(), amf.hex(), **cli_kwargs))
        assert got == expected, (i, k.hex(), op_or_opc.hex(), use_op, rand.hex(), sqn.hex(), amf.hex())


# --- bad input ----------------------------------------------------------------------------------

GOOD = TEST_SETS[1]


@pytest.mark.parametrize("option,value,message", [
    ("--k", GOOD["k"][:-2], "--k must be 16 bytes"),
    ("--op", GOOD["op"] + "00", "--op must be 16 bytes"),
    ("--rand", GOOD["rand"][:30], "--rand must be 16 bytes"),
    ("--sqn", "ff9bb4d0b6", "--sqn must be 6 bytes"),
    ("--amf", "b9", "--amf must be 2 bytes"),
    ("--rand", GOOD["rand"][:-1] + "g", "--rand"),
    ("--sqn", "ff9bb4d0b60", "--sqn"),
])
def test_bad_value_exits_2_naming_the_option(option, value, message):
    values = {"--k": GOOD["k"], "--op": GOOD["op"], "--rand": GOOD["rand"], "--sqn": GOOD["sqn"], "--amf": GOOD["amf"]}
    values[option] = value
    proc = run("milenage", *[x for pair in values.items() for x in pair])
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_bad_hex_in_a_secret_is_not_echoed():
    secret = "465b5ce8b199b49faa5f0a2ee238a6bq"
    proc = run(*args_for(secret, GOOD["rand"], GOOD["sqn"], GOOD["amf"], opc=GOOD["opc"]))
    assert proc.returncode == 2
    assert "--k" in proc.stderr
    assert secret not in proc.stderr and "'q'" not in proc.stderr


def test_wrong_length_opc_exits_2():
    proc = run(*args_for(GOOD["k"], GOOD["rand"], GOOD["sqn"], GOOD["amf"], opc=GOOD["opc"][:-4]))
    assert proc.returncode == 2
    assert "--opc must be 16 bytes" in proc.stderr


def test_both_op_and_opc_exit_2():
    proc = run(*args_for(GOOD["k"], GOOD["rand"], GOOD["sqn"], GOOD["amf"], op=GOOD["op"], opc=GOOD["opc"]))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "--op" in proc.stderr and "--opc" in proc.stderr


def test_neither_op_nor_opc_exits_2():
    proc = run(*args_for(GOOD["k"], GOOD["rand"], GOOD["sqn"], GOOD["amf"]))
    assert proc.returncode == 2
    assert "--op" in proc.stderr and "--opc" in proc.stderr


def test_help_teaches_with_an_example():
    proc = run("milenage", "--help")
    assert proc.returncode == 0
    assert "simkit milenage --k" in proc.stdout and "--opc" in proc.stdout


def _vector_lines():
    """Every line of tests/vectors/milenage_ts35208.vec (the TS 35.208 sets, TS 55.205 SRES/Kc)."""
    path = Path(__file__).resolve().parents[1] / "vectors" / "milenage_ts35208.vec"
    for line in path.read_text().splitlines():
        if line.startswith("milenage "):
            yield dict(field.split("=", 1) for field in line.split()[1:])


@pytest.mark.parametrize("v", list(_vector_lines()), ids=lambda v: v["set"])
def test_cli_gives_every_published_set(v):
    got = milenage_json(*args_for(v["k"], v["rand"], v["sqn"], v["amf"], op=v["op"]))
    expected = dict(opc=v["opc"], mac_a=v["f1"], mac_s=v["f1star"], res=v["f2"], ck=v["f3"], ik=v["f4"], ak=v["f5"],
                    ak_star=v["f5star"])
    assert {name: got[name] for name in expected} == expected
    if "sres" in v:
        assert (got["sres"], got["kc"]) == (v["sres"], v["kc"])
