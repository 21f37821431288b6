"""Issue 13's done-when, end to end: a card with two test profiles, served through a private pcscd
(T=0, as a real SIM), switches between them with `simkit euicc ... --card pcsc:READER`, and AKA
(`simkit aka --card pcsc:READER`) follows the enabled profile: RES, CK and IK equal MILENAGE computed
independently (tests/pylib/milenage_ref.py) with that profile's K and OPc."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "pylib"))
from milenage_ref import milenage_reference  # noqa: E402
from pcscd_env import default_bin_dir, pcscd_env_or_skip  # noqa: E402

BIN = default_bin_dir()
PROFILES = [
    dict(iccid="8949000000000000033", imsi="001010000000033", ki="0f0e0d0c0b0a09080706050403020100",
         opc="1f1e1d1c1b1a19181716151413121110", name="Line A"),
    dict(iccid="89490000000000000041", imsi="001010000000041", ki="2f2e2d2c2b2a29282726252423222120",
         opc="3f3e3d3c3b3a39383736353433323130", name="Line B"),
]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    state = tmp_path_factory.mktemp("euicc-pcsc") / "card.state"
    subprocess.run([str(BIN / "simkit-card"), "init", "--state", str(state)], check=True, capture_output=True,
                   timeout=30)
    for p in PROFILES:
        subprocess.run([str(BIN / "simkit"), "euicc", "add-test-profile", "--state", str(state), "--iccid", p["iccid"],
                        "--imsi", p["imsi"], "--ki", p["ki"], "--opc", p["opc"], "--name", p["name"]],
                       check=True, capture_output=True, timeout=30)
    with pcscd_env_or_skip(BIN, state_path=state, protocol="t0") as started:
        yield started


def simkit(env, *args):
    proc = subprocess.run([str(BIN / "simkit"), *args, "--card", env.uri], capture_output=True, text=True,
                          env=env.environ, timeout=60)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr, env.logs())
    return proc.stdout


def states(env):
    return {p["iccid"]: p["profileState"] for p in json.loads(simkit(env, "euicc", "profiles", "--json"))}


def test_profiles_switch_over_pcsc_and_aka_follows(env):
    assert len(states(env)) == 3  # the card's own profile 01 and the two test profiles
    for round, p in enumerate(PROFILES + PROFILES[:1]):  # A, B, and back to A (a fresher SQN each time)
        simkit(env, "euicc", "enable", "--iccid", p["iccid"])
        now = states(env)
        assert now[p["iccid"]] == "enabled"
        assert list(now.values()).count("enabled") == 1, now
        assert json.loads(simkit(env, "read", "imsi", "--json"))["imsi"] == p["imsi"]
        answer = json.loads(simkit(env, "aka", "--k", p["ki"], "--opc", p["opc"],
                                         "--sqn", f"{0x41 + 0x20 * round:012x}", "--json"))
        assert answer["result"] == "ok", answer
        ref = milenage_reference(bytes.fromhex(p["ki"]), bytes.fromhex(answer["rand"]), bytes.fromhex(answer["sqn"]),
                                 bytes.fromhex("8000"), opc=bytes.fromhex(p["opc"]))
        assert (answer["res"], answer["ck"], answer["ik"]) == (ref["res"], ref["ck"], ref["ik"])
    # Disabling the test profile enables profile 01 again, the one enabled before the test profiles
    # (SGP.21 TPRO10): its own IMSI answers.
    simkit(env, "euicc", "disable", "--iccid", PROFILES[0]["iccid"])
    now = states(env)
    assert [i for i, s in now.items() if s == "enabled"] == [i for i in now if i not in {p["iccid"] for p in PROFILES}]
    assert json.loads(simkit(env, "read", "imsi", "--json"))["imsi"] == "001010123456789"
