"""CLI tests of `simkit personalize` on fresh sim: cards: the card is personalized, then checked with
other simkit commands only: `simkit aka` with the row's K/OPc succeeds, and `simkit scp03`/`scp02`
opens with ENC/MAC/DEK from `simkit derive` over the card's KDD (read with a plain INITIALIZE UPDATE
through `simkit apdu`). The master key, K and OPc never appear in stdout or stderr."""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from simkit_cli import run_simkit as run  # noqa: E402

GET_STATUS_ISD = "80F28002024F00"
FACTORY_KEY = "404142434445464748494A4B4C4D4E4F"

AES_MASTER = "8899AABBCCDDEEFF0011223344556677"
DES_MASTER = "0123456789ABCDEFFEDCBA9876543210"
K = "3C1F9A0D2B7E64A5C8D1E2F30415263A"
OPC = "7B6A594837261504F3E2D1C0B9A89786"
ICCID = "8988211000000001001"  # Luhn check digit 1
IMSI = "001010000000100"


def assert_no_secret(proc, *secrets):
    out = (proc.stdout + proc.stderr).lower()
    for secret in secrets:
        assert secret.lower() not in out
        assert secret.lower()[:12] not in out


@pytest.fixture
def card(tmp_path):
    return f"sim:{tmp_path / 'card.state'}"


def personalize(card, *extra, master_file=None, rc=0, env=None, stdin=None):
    args = ["personalize", "--card", card, "--iccid", ICCID, "--imsi", IMSI, "--ki", K, "--opc", OPC, *extra]
    if master_file is not None:
        args += ["--master-key-file", str(master_file)]
    return run(*args, rc=rc, env=env, stdin=stdin)


def card_kdd(card):
    """The KDD: the first 10 bytes of a plain INITIALIZE UPDATE answer (KVN 00: the card's default set)."""
    data = run("apdu", "--card", card, "80500000081122334455667788", rc=0).stdout.split()[0]
    return data[:20]


def derived_keys(scheme, master, kdd):
    out = json.loads(run("derive", "--scheme", scheme, "--master", master, "--kdd", kdd, "--json", rc=0).stdout)
    return out


def test_kdf3_card_personalized_and_checked_with_other_commands(card, tmp_path):
    master_file = tmp_path / "master.hex"
    master_file.write_text(AES_MASTER + "\n")
    proc = personalize(card, "--scheme", "kdf3", "--gen-device-key", "2", "--json", master_file=master_file)
    assert_no_secret(proc, AES_MASTER, K, OPC)
    record = json.loads(proc.stdout)
    assert record["iccid"] == ICCID and record["status"] == "ok" and record["kvn"] == "31"
    assert record["resumed"] is False and record["error"] is None
    assert len(record["device_public_key"]) == 130 and record["device_public_key"].startswith("04")

    keys = derived_keys("kdf3", AES_MASTER, card_kdd(card))
    assert (record["kcv_enc"], record["kcv_mac"], record["kcv_dek"]) == (keys["kcv_enc"], keys["kcv_mac"], keys["kcv_dek"])
    opened = run("scp03", "--card", card, "--kvn", "31", "--enc", keys["enc"], "--mac", keys["mac"], "--dek", keys["dek"],
                 GET_STATUS_ISD, rc=0)
    assert opened.stdout.split()[-1] == "9000"
    # The factory key set is gone.
    assert run("scp03", "--card", card, "--kvn", "30", "--key", FACTORY_KEY, GET_STATUS_ISD).returncode != 0

    aka = json.loads(run("aka", "--card", card, "--k", K, "--opc", OPC, "--sqn", "000000000041", "--json", rc=0).stdout)
    assert aka["result"] == "ok" and aka["checked"] is True
    assert run("read", "--card", card, "iccid", rc=0).stdout.find(ICCID) >= 0
    assert run("read", "--card", card, "imsi", rc=0).stdout.find(IMSI) >= 0
    pub = run("key", "pub", "--card", card, "--slot", "2", rc=0)
    assert record["device_public_key"] in pub.stdout.lower()


def test_emv_card_from_stdin_master_opens_scp02(card):
    proc = personalize(card, "--scheme", "emv", "--master-key-file", "-", stdin=DES_MASTER + "\n", rc=0)
    assert_no_secret(proc, DES_MASTER, K, OPC)
    assert "personalized" in proc.stdout and "verified" in proc.stdout
    keys = derived_keys("emv", DES_MASTER, card_kdd(card))
    opened = run("scp02", "--card", card, "--kvn", "31", "--enc", keys["enc"], "--mac", keys["mac"], "--dek", keys["dek"],
                 GET_STATUS_ISD, rc=0)
    assert opened.stdout.split()[-1] == "9000"
    aka = json.loads(run("aka", "--card", card, "--k", K, "--opc", OPC, "--sqn", "000000000041", "--json", rc=0).stdout)
    assert aka["result"] == "ok"


def test_master_from_environment_and_second_run_is_resumed(card):
    env = {"SIMKIT_MASTER_KEY": AES_MASTER}
    first = json.loads(personalize(card, "--json", env=env).stdout)
    assert first["status"] == "ok"
    again = personalize(card, "--json", env=env)
    assert_no_secret(again, AES_MASTER, K, OPC)
    second = json.loads(again.stdout)
    assert second["status"] == "ok" and second["resumed"] is True
    assert (second["kcv_enc"], second["kcv_mac"], second["kcv_dek"]) == (first["kcv_enc"], first["kcv_mac"], first["kcv_dek"])


def test_wrong_current_key_fails_without_touching_the_card(card):
    proc = personalize(card, "--scp-key", "000102030405060708090A0B0C0D0E0F", "--json", rc=1,
                       env={"SIMKIT_MASTER_KEY": AES_MASTER})
    assert_no_secret(proc, AES_MASTER, K, OPC, "000102030405060708090A0B0C0D0E0F")
    record = json.loads(proc.stdout)
    assert record["status"] == "failed" and "not ours" in record["error"]
    assert "not ours" in proc.stderr
    # Still the factory card.
    run("scp03", "--card", card, "--key", FACTORY_KEY, GET_STATUS_ISD, rc=0)
    assert "8988211000000000003" in run("read", "--card", card, "iccid", rc=0).stdout


def test_bad_input_exit_2_and_no_master_on_argv(card, tmp_path):
    missing = personalize(card, rc=2)
    assert "SIMKIT_MASTER_KEY" in missing.stderr
    assert "--master" not in run("personalize", "--help", rc=0).stdout.replace("--master-key-file", "")
    bad_master = tmp_path / "bad.hex"
    bad_master.write_text(AES_MASTER[:-1] + "Z")
    proc = personalize(card, master_file=bad_master, rc=2)
    assert_no_secret(proc, AES_MASTER[:-1], K, OPC)
    bad_ki = run("personalize", "--card", card, "--iccid", ICCID, "--imsi", IMSI, "--ki", K[:-1] + "q", "--opc", OPC,
                 rc=2, env={"SIMKIT_MASTER_KEY": AES_MASTER})
    assert_no_secret(bad_ki, K[:-1], AES_MASTER)
    wrong_luhn = run("personalize", "--card", card, "--iccid", ICCID[:-1] + "5", "--imsi", IMSI, "--ki", K, "--opc", OPC,
                     rc=2, env={"SIMKIT_MASTER_KEY": AES_MASTER})
    assert "iccid" in wrong_luhn.stderr.lower()
    assert_no_secret(wrong_luhn, K, OPC, AES_MASTER)
