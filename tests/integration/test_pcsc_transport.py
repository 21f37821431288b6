"""The pcsc: transport and `simkit readers` against a real private pcscd + vpcd + simkit-card
(pcscd_env.py). Truth comes from elsewhere: the in-process sim: transport on a copy of the same
state file (a second path to the same card), pyscard's view of the reader, and ISO structure.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pcscd_env import PcscdEnv, pcscd_env_or_skip, default_bin_dir  # noqa: E402

BIN = default_bin_dir()
ISD_AID = "A000000151000000"
SELECT_ISD = "00A4040008" + ISD_AID
PYTHON = "/usr/bin/python3"


@pytest.fixture(scope="module")
def env():
    with pcscd_env_or_skip(BIN) as e:
        yield e


def sim_answers(env: PcscdEnv, tmp_path: Path, apdus: list[str], raw: bool = False) -> list[str]:
    """The same APDUs on the in-process simulated card, from a copy of the served state file."""
    copy = tmp_path / "sim-copy.state"
    shutil.copyfile(env.state_path, copy)
    out = subprocess.run([str(BIN / "simkit"), "apdu", "--card", f"sim:{copy}?t1=1", *(["--raw"] if raw else []), *apdus],
                         capture_output=True, text=True, check=True, timeout=60)
    return out.stdout.splitlines()


def pcsc_answers(env: PcscdEnv, apdus: list[str], uri: str | None = None, raw: bool = False) -> list[str]:
    out = env.simkit_run("apdu", "--card", uri or env.uri, *(["--raw"] if raw else []), *apdus)
    return out.stdout.splitlines()


def pyscard(env: PcscdEnv, script: str, *args: str, timeout: float = 60) -> str:
    """Runs a pyscard script in its own process (libpcsclite reads PCSCLITE_CSOCK_NAME once per process)."""
    out = subprocess.run([PYTHON, "-c", script, *args], env=env.environ, capture_output=True, text=True,
                         timeout=timeout)
    assert out.returncode == 0, out.stderr + env.logs()
    return out.stdout


# ---------------------------------------------------------------------------------------------
def test_readers_shows_the_reader_with_its_card(env):
    readers = env.readers()
    by_name = {r["name"]: r for r in readers}
    assert by_name[env.reader_name]["card_present"] is True
    assert by_name[env.second_reader_name]["card_present"] is False
    assert by_name[env.second_reader_name]["atr"] is None
    # pyscard's independent view of the same reader: same order, same ATR.
    seen = pyscard(env, """
import sys
from smartcard.System import readers
from smartcard.util import toHexString
rs = readers()
print("|".join(str(r) for r in rs))
c = rs[[str(r) for r in rs].index(sys.argv[1])].createConnection(); c.connect()
print(toHexString(c.getATR()).replace(" ", ""))
""", env.reader_name).splitlines()
    assert seen[0].split("|") == [r["name"] for r in readers]
    assert by_name[env.reader_name]["atr"] == seen[1]
    table = env.simkit_run("readers").stdout
    line = next(l for l in table.splitlines() if env.reader_name in l)
    assert line.startswith(f"pcsc:{readers.index(by_name[env.reader_name])} ")
    assert "ATR " + seen[1] in line and "no card" not in line


@pytest.mark.parametrize("apdus", [
    [SELECT_ISD],
    [SELECT_ISD, "80CA00E000", "80CA006600"],
    ["0070000001", "01A4040008" + ISD_AID, "01CA006600", "0070800100", "01CA006600"],
    ["80FF000000", "00EE0000"],                 # unknown INS -> 6D00
    [SELECT_ISD, "80CA00E005"],                 # response longer than Le -> 61xx + GET RESPONSE
    [SELECT_ISD, "80CA9F7F00", "80CA004500"],   # persistent data (CPLC, serial)
], ids=["select-isd", "get-data", "manage-channel", "unknown-ins", "get-response", "persistent"])
def test_pcsc_answers_like_sim(env, tmp_path, apdus):
    pcsc = pcsc_answers(env, apdus)
    assert pcsc == sim_answers(env, tmp_path, apdus)
    assert pcsc_answers(env, apdus, raw=True) == sim_answers(env, tmp_path, apdus, raw=True)


def test_select_isd_fci_names_the_aid(env):
    data, sw = pcsc_answers(env, [SELECT_ISD])[0].split()
    assert sw == "9000"
    assert data.startswith("6F") and ("84" + "08" + ISD_AID) in data   # FCI template, tag 84 = AID


def test_get_response_flow_is_completed(env, tmp_path):
    raw = pcsc_answers(env, [SELECT_ISD, "80CA00E005"], raw=True)[1].split()
    assert raw[-1].startswith("61") and len(raw[0]) == 10          # 5 bytes, then 61xx
    full = pcsc_answers(env, [SELECT_ISD, "80CA00E005"])[1].split()
    assert full[-1] == "9000" and full[0].startswith(raw[0])
    assert len(full[0]) // 2 == 5 + int(raw[-1][2:], 16)


def test_every_session_starts_clean(env, tmp_path):
    # pcsc: resets the card when it disconnects, so channels never leak into the next session (as with sim:)
    first = pcsc_answers(env, ["0070000001"])
    second = pcsc_answers(env, ["0070000001"])
    assert first == second == sim_answers(env, tmp_path, ["0070000001"])


@pytest.mark.parametrize("options", ["?mode=exclusive", "?protocol=t1", "?protocol=any&mode=shared",
                                     "?disconnect=leave", "?wait=1"])
def test_uri_options(env, tmp_path, options):
    assert pcsc_answers(env, [SELECT_ISD], uri=env.uri + options) == sim_answers(env, tmp_path, [SELECT_ISD])


def test_protocol_the_card_does_not_follow_is_refused(env):
    # The fixture's card follows T=1 (--t1) and its ATR offers T=1 only: T=0 cannot be activated.
    out = env.simkit_run("apdu", "--card", env.uri + "?protocol=t0", SELECT_ISD, check=False)
    assert out.returncode == 1 and "SCARD_E_PROTO_MISMATCH" in out.stderr


def test_reader_by_index_and_first_with_card(env, tmp_path):
    index = [r["name"] for r in env.readers()].index(env.reader_name)
    expected = sim_answers(env, tmp_path, [SELECT_ISD])
    assert pcsc_answers(env, [SELECT_ISD], uri=f"pcsc:{index}") == expected
    assert pcsc_answers(env, [SELECT_ISD], uri="pcsc:") == expected
    assert pcsc_answers(env, [SELECT_ISD], uri="pcsc:Virtual PCD") == expected   # the slot holding the card


@pytest.mark.parametrize("uri, code, exit_code", [
    ("pcsc:no such reader", "SCARD_E_UNKNOWN_READER", 1),
    ("pcsc:99", "SCARD_E_UNKNOWN_READER", 1),
    ("pcsc:Virtual PCD 00 01", "SCARD_E_NO_SMARTCARD", 1),
    ("pcsc:0?mode=sideways", "mode=sideways", 2),
    ("pcsc:0?colour=blue", "unknown pcsc: option", 2),
])
def test_uri_errors(env, uri, code, exit_code):
    out = env.simkit_run("apdu", "--card", uri, SELECT_ISD, check=False)
    assert out.returncode == exit_code
    assert code in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_wait_for_a_card_times_out(env):
    start = time.monotonic()
    out = env.simkit_run("apdu", "--card", "pcsc:Virtual PCD 00 01?wait=0.6", SELECT_ISD, check=False)
    assert out.returncode == 1 and "SCARD_E_NO_SMARTCARD" in out.stderr and "after waiting" in out.stderr
    assert 0.5 < time.monotonic() - start < 5


def test_short_command_is_refused_not_sent(env):
    out = env.simkit_run("apdu", "--card", env.uri, "00", check=False)
    assert out.returncode == 2 and "at least 4 bytes" in out.stderr
    assert env.card.poll() is None
    assert pcsc_answers(env, [SELECT_ISD])[0].endswith("9000")


def test_exclusive_holder_makes_others_fail_with_sharing_violation(env):
    holder = subprocess.Popen([PYTHON, "-c", """
import sys
from smartcard.System import readers
from smartcard.scard import SCARD_SHARE_EXCLUSIVE
r = [x for x in readers() if str(x) == sys.argv[1]][0]
c = r.createConnection(); c.connect(mode=SCARD_SHARE_EXCLUSIVE)
print("held", flush=True); sys.stdin.readline()
""", env.reader_name], env=env.environ, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        out = env.simkit_run("apdu", "--card", env.uri, SELECT_ISD, check=False)
        assert out.returncode == 1 and "SCARD_E_SHARING_VIOLATION" in out.stderr
    finally:
        holder.communicate("\n", timeout=30)
    assert pcsc_answers(env, [SELECT_ISD])[0].endswith("9000")


def test_waits_for_card_insertion(env, tmp_path):
    env.stop_card()
    env.wait_for_card(False)
    waiting = subprocess.Popen([str(env.simkit), "apdu", "--card", env.uri + "?wait=20", SELECT_ISD],
                               env=env.environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        assert waiting.poll() is None      # still waiting: no card yet
        env.start_card()
        out, err = waiting.communicate(timeout=30)
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.wait()
        if env.card is None:
            env.start_card()
    assert waiting.returncode == 0, err
    assert out.splitlines() == sim_answers(env, tmp_path, [SELECT_ISD])


def test_no_pcscd_is_one_clear_line(tmp_path):
    environ = dict(os.environ, PCSCLITE_CSOCK_NAME=str(tmp_path / "no-pcscd.comm"))
    for args in (["readers"], ["readers", "--json"], ["apdu", "--card", "pcsc:0", SELECT_ISD]):
        out = subprocess.run([str(BIN / "simkit"), *args], env=environ, capture_output=True, text=True, timeout=60)
        assert out.returncode == 1
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and "SCARD_E_NO_SERVICE" in lines[0] and "not running" in lines[0]
        assert out.stdout == ""
