"""CLI tests of `simkit euicc` (issue 13, specs/euicc.md): the real binary against a sim: card in a
temporary directory: info, the profile list in lpac's JSON shape, two test profiles added with the
development shortcut, enable/disable/delete/nickname, notifications, and errors with SGP.22's names.

Independent truth: the EID form (32 digits, '89' first) and the result names come from SGP.22; the
USIM following the enabled profile is checked with `simkit read imsi` against the IMSI this test
installed, and AKA answers are recomputed with the second MILENAGE in tests/pylib/milenage_ref.py from
the K/OPc this test chose (the card's factory test set 1 keys must then fail)."""
import fcntl
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from simkit_cli import run_simkit as run  # noqa: E402
from milenage_ref import milenage_reference  # noqa: E402


# TS 35.208 test set 1: the keys of a fresh card's own (migrated) profile.
SET1_K = "465b5ce8b199b49faa5f0a2ee238a6bc"
SET1_OPC = "cd63cb71954a9f4e48a5994e37a02baf"

A = dict(iccid="8949000000000000017", imsi="001010000000017", ki="000102030405060708090a0b0c0d0e0f",
         opc="101112131415161718191a1b1c1d1e1f", name="Test A", spn="simkit")
B = dict(iccid="89490000000000000025", imsi="001010000000025", ki="202122232425262728292a2b2c2d2e2f",
         opc="303132333435363738393a3b3c3d3e3f", name="Test B", spn="other")

PROFILE_KEYS = {"iccid", "isdpAid", "profileState", "profileNickname", "serviceProviderName", "profileName",
                "profileClass"}


@pytest.fixture
def state(tmp_path):
    return tmp_path / "card.state"


@pytest.fixture
def card(state):
    return f"sim:{state}"


def profiles(card):
    return json.loads(run("euicc", "profiles", "--card", card, "--json", rc=0).stdout)


def by_iccid(card, iccid):
    found = [p for p in profiles(card) if p["iccid"] == iccid]
    assert len(found) == 1, profiles(card)
    return found[0]


def add(card_args, p, *extra):
    return run("euicc", "add-test-profile", *card_args, "--iccid", p["iccid"], "--imsi", p["imsi"], "--ki", p["ki"],
               "--opc", p["opc"], "--name", p["name"], "--spn", p["spn"], *extra, rc=0)


def aka(card, k, opc, sqn="000000000041", rc=0):
    return run("aka", "--card", card, "--k", k, "--opc", opc, "--sqn", sqn, "--json", rc=rc)


def test_info_gives_the_eid(card):
    info = json.loads(run("euicc", "info", "--card", card, "--json", rc=0).stdout)
    eid = info["eidValue"]
    assert len(eid) == 32 and eid.isdigit() and eid.startswith("89")
    # The EID is stable across sessions.
    assert json.loads(run("euicc", "info", "--card", card, "--json", rc=0).stdout)["eidValue"] == eid
    info2 = info["EUICCInfo2"]
    assert info2["svn"].count(".") == 2 and "testProfileSupport" in info2["rspCapability"]
    assert all(len(bytes.fromhex(k)) == 20 for k in info2["euiccCiPKIdListForVerification"])
    assert info["EuiccConfiguredAddresses"]["rootDsAddress"]
    text = run("euicc", "info", "--card", card, rc=0).stdout
    assert f"EID: {eid}" in text


def test_fresh_card_lists_its_own_profile_enabled_in_lpac_shape(card):
    listed = profiles(card)
    assert len(listed) == 1
    p = listed[0]
    assert PROFILE_KEYS <= set(p)
    assert p["profileState"] == "enabled" and p["profileClass"] == "operational"
    iccid = json.loads(run("read", "--card", card, "iccid", "--json", rc=0).stdout)["iccid"]
    assert p["iccid"] == iccid
    assert len(bytes.fromhex(p["isdpAid"])) == 16 and p["isdpAid"] == p["isdpAid"].lower()
    assert iccid in run("euicc", "profiles", "--card", card, rc=0).stdout


def test_two_test_profiles_switch_and_aka_follows(card, state):
    original = profiles(card)[0]
    add(["--card", card], A, "--class", "test")
    add(["--state", str(state)], B, "--class", "operational", "--json")
    listed = profiles(card)
    assert len(listed) == 3
    pa, pb = by_iccid(card, A["iccid"]), by_iccid(card, B["iccid"])
    assert pa["profileState"] == "disabled" and pa["profileClass"] == "test"
    assert pa["profileName"] == "Test A" and pa["serviceProviderName"] == "simkit"
    assert pb["profileClass"] == "operational" and pb["profileName"] == "Test B"
    assert len({p["isdpAid"] for p in listed}) == 3

    # Enable A: the card's USIM is A's.
    out = json.loads(run("euicc", "enable", "--card", card, "--iccid", A["iccid"], "--json", rc=0).stdout)
    assert out["result"] == "ok"
    assert by_iccid(card, A["iccid"])["profileState"] == "enabled"
    assert by_iccid(card, original["iccid"])["profileState"] == "disabled"
    assert json.loads(run("read", "--card", card, "imsi", "--json", rc=0).stdout)["imsi"] == A["imsi"]
    assert json.loads(run("read", "--card", card, "iccid", "--json", rc=0).stdout)["iccid"] == A["iccid"]
    answer = json.loads(aka(card, A["ki"], A["opc"]).stdout)
    assert answer["result"] == "ok"
    ref = milenage_reference(bytes.fromhex(A["ki"]), bytes.fromhex(answer["rand"]), bytes.fromhex(answer["sqn"]),
                             bytes.fromhex("8000"), opc=bytes.fromhex(A["opc"]))
    assert (answer["res"], answer["ck"], answer["ik"]) == (ref["res"], ref["ck"], ref["ik"])
    # The factory keys belong to the disabled profile now: the card refuses their MAC.
    refused = aka(card, SET1_K, SET1_OPC, "000000000100", rc=1)
    assert "mac_failure" in refused.stdout + refused.stderr

    # A (test class) was enabled over the original profile: B may not follow it (SGP.22 5.7.16).
    wrong = run("euicc", "enable", "--card", card, "--aid", pb["isdpAid"], rc=1)
    assert "wrongProfileReenabling" in wrong.stderr
    assert by_iccid(card, A["iccid"])["profileState"] == "enabled"

    # Disable A: the original profile is enabled again (SGP.21 TPRO10), its USIM answers.
    run("euicc", "disable", "--card", card, "--iccid", A["iccid"], rc=0)
    assert by_iccid(card, A["iccid"])["profileState"] == "disabled"
    assert by_iccid(card, original["iccid"])["profileState"] == "enabled"
    assert json.loads(run("read", "--card", card, "iccid", "--json", rc=0).stdout)["iccid"] == original["iccid"]

    # Enable B by its ISD-P AID without refresh: the original is disabled in the same step.
    run("euicc", "enable", "--card", card, "--aid", pb["isdpAid"], "--no-refresh", rc=0)
    assert by_iccid(card, original["iccid"])["profileState"] == "disabled"
    assert by_iccid(card, A["iccid"])["profileState"] == "disabled"
    assert by_iccid(card, B["iccid"])["profileState"] == "enabled"
    assert json.loads(run("read", "--card", card, "imsi", "--json", rc=0).stdout)["imsi"] == B["imsi"]
    answer = json.loads(aka(card, B["ki"], B["opc"]).stdout)
    ref = milenage_reference(bytes.fromhex(B["ki"]), bytes.fromhex(answer["rand"]), bytes.fromhex(answer["sqn"]),
                             bytes.fromhex("8000"), opc=bytes.fromhex(B["opc"]))
    assert answer["res"] == ref["res"]

    # Disable B: no profile enabled, no USIM.
    assert f"profile {B['iccid']} disabled" in run("euicc", "disable", "--card", card, "--iccid", B["iccid"], rc=0).stdout
    assert "6A82" in run("read", "--card", card, "imsi", rc=1).stderr

    # Back to A: its SQN array kept what the card saw (the same SQN is now stale: AUTS, resync).
    run("euicc", "enable", "--card", card, "--iccid", A["iccid"], rc=0)
    again = json.loads(aka(card, A["ki"], A["opc"]).stdout)
    assert again.get("resynchronised") is True and again["result"] == "ok"

    # Delete B (disabled) and check it is gone.
    run("euicc", "delete", "--card", card, "--iccid", B["iccid"], rc=0)
    assert B["iccid"] not in [p["iccid"] for p in profiles(card)]


def test_nickname_set_and_removed(card):
    add(["--card", card], A)
    nickname = "n" * 64
    run("euicc", "nickname", "--card", card, "--iccid", A["iccid"], nickname, rc=0)
    assert by_iccid(card, A["iccid"])["profileNickname"] == nickname
    aid = by_iccid(card, A["iccid"])["isdpAid"]
    run("euicc", "nickname", "--card", card, "--aid", aid, "work", rc=0)
    assert by_iccid(card, A["iccid"])["profileNickname"] == "work"
    assert "'work'" in run("euicc", "profiles", "--card", card, rc=0).stdout
    run("euicc", "nickname", "--card", card, "--iccid", A["iccid"], "", rc=0)
    assert not by_iccid(card, A["iccid"])["profileNickname"]


def test_notifications_list_and_remove(card):
    add(["--card", card], A)
    run("euicc", "enable", "--card", card, "--iccid", A["iccid"], rc=0)
    run("euicc", "disable", "--card", card, "--iccid", A["iccid"], rc=0)
    listed = json.loads(run("euicc", "notifications", "--card", card, "--json", rc=0).stdout)
    mine = [n for n in listed if n["iccid"] == A["iccid"]]
    assert [n["profileManagementOperation"] for n in mine] == ["enable", "disable"]
    assert mine[0]["seqNumber"] < mine[1]["seqNumber"]
    assert set(mine[0]) == {"seqNumber", "profileManagementOperation", "notificationAddress", "iccid"}
    only = json.loads(run("euicc", "notifications", "--card", card, "--event", "disable", "--json", rc=0).stdout)
    assert only and all(n["profileManagementOperation"] == "disable" for n in only)
    seq = str(mine[0]["seqNumber"])
    left = json.loads(run("euicc", "notifications", "--card", card, "--remove", seq, "--json", rc=0).stdout)
    assert int(seq) not in [n["seqNumber"] for n in left]
    assert "nothingToDelete" in run("euicc", "notifications", "--card", card, "--remove", seq, rc=1).stderr


def test_errors_name_the_sgp22_result(card, state):
    unknown = run("euicc", "enable", "--card", card, "--iccid", "8988000000000000019", rc=1)
    assert "iccidOrAidNotFound" in unknown.stderr and "8988000000000000019" in unknown.stderr
    assert "iccidOrAidNotFound" in run("euicc", "delete", "--card", card, "--aid",
                                       "A0000005591010FFFFFFFF8900009900", rc=1).stderr
    enabled = profiles(card)[0]["iccid"]
    assert "profileNotInDisabledState" in run("euicc", "enable", "--card", card, "--iccid", enabled, rc=1).stderr
    assert "profileNotInDisabledState" in run("euicc", "delete", "--card", card, "--iccid", enabled, rc=1).stderr
    add(["--card", card], A)
    assert "profileNotInEnabledState" in run("euicc", "disable", "--card", card, "--iccid", A["iccid"], rc=1).stderr
    # Bad arguments: exit 2, nothing sent.
    assert run("euicc", "enable", "--card", card, rc=2).stderr
    assert run("euicc", "enable", "--card", card, "--iccid", A["iccid"], "--aid", "A000000559", rc=2).stderr
    assert run("euicc", "enable", "--card", card, "--iccid", "12", rc=2).stderr
    assert run("euicc", "notifications", "--card", card, "--event", "explode", rc=2).stderr
    # add-test-profile: the same ICCID twice, a short key, not a state file.
    dup = run("euicc", "add-test-profile", "--card", card, "--iccid", A["iccid"], "--imsi", A["imsi"], "--ki", A["ki"],
              "--opc", A["opc"])
    assert dup.returncode == 2, dup.stderr
    short = run("euicc", "add-test-profile", "--card", card, "--iccid", B["iccid"], "--imsi", B["imsi"], "--ki", "00",
                "--opc", B["opc"], rc=2)
    assert "--ki" in short.stderr
    assert "sim:" in run("euicc", "add-test-profile", "--card", "pcsc:0", "--iccid", B["iccid"], "--imsi", B["imsi"],
                         "--ki", B["ki"], "--opc", B["opc"], rc=2).stderr
    assert B["ki"] not in short.stderr
    missing = run("euicc", "add-test-profile", "--state", str(state) + ".typo", "--iccid", B["iccid"], "--imsi", B["imsi"],
                  "--ki", B["ki"], "--opc", B["opc"], rc=2)
    assert "no state file" in missing.stderr and not Path(str(state) + ".typo").exists()


def test_add_test_profile_refused_while_the_card_is_served(card, state):
    run("euicc", "profiles", "--card", card, rc=0)  # create the state
    with open(str(state) + ".lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a serving simkit-card holds
        busy = run("euicc", "add-test-profile", "--state", str(state), "--iccid", A["iccid"], "--imsi", A["imsi"],
                   "--ki", A["ki"], "--opc", A["opc"], rc=1)
        assert "in use" in busy.stderr and "simkit-card" in busy.stderr
    assert len(profiles(card)) == 1


def test_help_teaches_with_examples():
    top = run("euicc", "--help", rc=0).stdout
    assert "simkit euicc enable" in top and "add-test-profile" in top
    shortcut = run("euicc", "add-test-profile", "--help", rc=0).stdout
    assert "DEVELOPMENT SHORTCUT" in shortcut and "--state" in shortcut
    assert "--no-refresh" in run("euicc", "enable", "--help", rc=0).stdout
