"""CLI tests of `simkit gp status|keys|put-key|delete-key`: the real binary against a sim: card in a
temporary directory, over real SCP03/SCP02 sessions.

Independent truth: the card's KDD is read with a plain INITIALIZE UPDATE (simkit apdu), the KDF3
diversified keys and every KCV are computed here with python3-cryptography (AES-CMAC, AES-ECB,
3DES-ECB), the registry is read with an independent BER-TLV reader; the rest are properties (the
old key refused after a rotation, the new one accepted, a refused PUT KEY changes nothing)."""
import json
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

try:  # 3DES moved to the "decrepit" module in cryptography 43
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from simkit_cli import run_simkit as run  # noqa: E402
from ber_tlv import tlv_read  # noqa: E402

FACTORY_KEY = "404142434445464748494A4B4C4D4E4F"
MASTER = "00112233445566778899AABBCCDDEEFF"
ISD_AID = "A000000151000000"


def gp(card, *args, key=FACTORY_KEY, rc=0):
    """`simkit gp <args> --card CARD --key KEY` (key=None: the caller gives the key options)."""
    key_args = ["--key", key] if key else []
    return run("gp", *args, "--card", card, *key_args, rc=rc)


def one_line_error(proc):
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1, proc.stderr
    assert "terminate" not in err and "Traceback" not in err
    return err


def aes_kcv(key):
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return (enc.update(b"\x01" * 16) + enc.finalize())[:3].hex().upper()


def des_kcv(key):
    enc = Cipher(TripleDES(key), modes.ECB()).encryptor()
    return (enc.update(b"\x00" * 8) + enc.finalize())[:3].hex().upper()


def kdf3(master, kdd, purpose):
    """GlobalPlatformPro KDF3: CMAC(master, i || 00 00 00 k 00 || KDD), one block for a 16-byte master."""
    mac = CMAC(algorithms.AES(master))
    mac.update(bytes([1, 0, 0, 0, purpose, 0]) + kdd)
    return mac.finalize()


def card_kdd(card):
    """The first 10 bytes of a plain INITIALIZE UPDATE answer."""
    out = run("apdu", "--card", card, "80500000081122334455667788", rc=0).stdout.split()
    assert out[-1] == "9000"
    return bytes.fromhex(out[0])[:10]


@pytest.fixture
def card(tmp_path):
    return f"sim:{tmp_path / 'card.state'}"


def key_table(card, *extra, **kwargs):
    """{(kvn, id): (type, length)} from `gp keys --json`."""
    proc = gp(card, "keys", "--json", *extra, **kwargs)
    return {(k["kvn"], k["id"]): (k["type"], k["length"]) for k in json.loads(proc.stdout)}


@pytest.mark.parametrize("level", ["mac", "mac-enc", "13", "full", "33"])
def test_status_lists_the_isd_at_every_level(card, level):
    proc = gp(card, "status", "--level", level)
    out = proc.stdout
    assert "SCP03 session with key set 30" in out
    assert "Issuer Security Domain" in out and "Applications and security domains" in out
    isd_line = next(line for line in out.splitlines() if ISD_AID in line)
    assert "0F SECURED" in isd_line
    privileges = isd_line.split()[-1]
    assert len(privileges) == 6 and int(privileges, 16) & 0x800000  # b8 of byte 1: security domain


def test_status_json_matches_the_raw_registry(card):
    status = json.loads(gp(card, "status", "--json").stdout)
    assert [e["aid"] for e in status["isd"]] == [ISD_AID]
    assert status["isd"][0]["life_cycle"] == "0F" and status["isd"][0]["life_cycle_name"] == "SECURED"
    assert isinstance(status["applications"], list)
    for entry in status["applications"]:
        assert set(entry) == {"aid", "life_cycle", "life_cycle_name", "privileges"}
    # --trace shows the plain GET STATUS commands (P1 80 ISD, then P1 40) on stderr, stdout stays JSON.
    traced = gp(card, "status", "--trace", "--json")
    assert "80F28002024F00" in traced.stderr.replace(" ", "")
    assert json.loads(traced.stdout) == status


def test_status_needs_authentication(card):
    # GET STATUS outside a secure channel is refused by the card; gp always opens one first.
    raw = run("apdu", "--card", card, "00A4040008" + ISD_AID, "80F28002024F0000", rc=0)
    assert raw.stdout.split()[-1] == "6982"
    err = one_line_error(gp(card, "status", key="000102030405060708090A0B0C0D0E0F", rc=1))
    assert "card cryptogram does not match" in err


def test_keys_shows_the_factory_key_set(card):
    proc = gp(card, "keys")
    rows = [line.split() for line in proc.stdout.splitlines()[2:]]
    assert rows == [["30", "1", "AES-128", "16"], ["30", "2", "AES-128", "16"], ["30", "3", "AES-128", "16"]]
    # Against the card's own key information template, read without a secure channel.
    raw = run("apdu", "--card", card, "80CA00E000", rc=0).stdout.split()
    (tag, template), = tlv_read(bytes.fromhex(raw[0]))
    assert tag == 0xE0
    assert [v[:4].hex().upper() for t, v in tlv_read(template) if t == 0xC0] == ["01308810", "02308810", "03308810"]
    assert key_table(card) == {("30", i): ("AES-128", 16) for i in (1, 2, 3)}


def test_put_key_rotates_to_diversified_keys(card):
    kdd = card_kdd(card)
    keys = [kdf3(bytes.fromhex(MASTER), kdd, k) for k in (1, 2, 3)]
    proc = gp(card, "put-key", "--replace-kvn", "30", "--new-kvn", "31", "--new-master", MASTER,
              "--new-derive", "kdf3")
    out = proc.stdout
    expected = [aes_kcv(k) for k in keys]
    assert f"KCVs ENC {expected[0]}, MAC {expected[1]}, DEK {expected[2]}" in out
    assert "key set 30 replaced by key set 31" in out and "they match" in out
    for secret in [MASTER] + [k.hex().upper() for k in keys]:
        assert secret not in out.upper() and secret not in proc.stderr.upper()

    # The factory key is refused now: one line, exit 1.
    err = one_line_error(gp(card, "status", rc=1))
    assert err.startswith("simkit: ") and "card cryptogram does not match" in err
    # The diversified keys open the card: by master and scheme, and by the three keys themselves.
    div = gp(card, "status", "--master", MASTER, "--derive", "kdf3", key=None)
    assert "SCP03 session with key set 31" in div.stdout and ISD_AID in div.stdout
    gp(card, "status", "--enc", keys[0].hex(), "--mac", keys[1].hex(), "--dek", keys[2].hex(), key=None)
    table = json.loads(gp(card, "keys", "--json", "--master", MASTER, "--derive", "kdf3", key=None).stdout)
    assert sorted((k["kvn"], k["id"]) for k in table) == [("31", 1), ("31", 2), ("31", 3)]


def test_put_key_json_reports_kvn_and_kcvs(card):
    new_key = bytes(range(16))
    proc = gp(card, "put-key", "--new-kvn", "32", "--new-key", new_key.hex(), "--json")
    result = json.loads(proc.stdout)
    assert result["kvn"] == "32" and result["replaced_kvn"] is None and result["key_type"] == "AES-128"
    assert result["kcv"] == {"enc": aes_kcv(new_key), "mac": aes_kcv(new_key), "dek": aes_kcv(new_key)}
    assert result["kcvs_match"] is True
    assert new_key.hex().upper() not in proc.stdout.upper()
    # Both key sets work now.
    gp(card, "status", "--kvn", "32", key=new_key.hex())
    gp(card, "status", "--kvn", "30")


def test_put_key_at_level_mac_is_refused_and_changes_nothing(card):
    before = key_table(card)
    proc = gp(card, "put-key", "--level", "mac", "--replace-kvn", "30", "--new-kvn", "31",
              "--new-master", MASTER, "--new-derive", "kdf3", rc=1)
    err = one_line_error(proc)
    assert "PUT KEY: 6982 security status not satisfied" in err
    assert proc.stdout == ""
    assert key_table(card) == before
    gp(card, "status")  # the factory key still opens the card


def test_put_key_aes256_and_replacing_an_absent_key_set(card):
    key = bytes(range(32))
    proc = gp(card, "put-key", "--new-kvn", "33", "--new-enc", key.hex(), "--new-mac", key.hex(),
              "--new-dek", key.hex(), "--json")
    assert json.loads(proc.stdout)["kcv"]["enc"] == aes_kcv(key)
    assert key_table(card)[("33", 1)] == ("AES-256", 32)
    err = one_line_error(gp(card, "put-key", "--replace-kvn", "40", "--new-kvn", "41", "--new-key", FACTORY_KEY,
                            rc=1))
    assert "PUT KEY: 6A88" in err
    err = one_line_error(gp(card, "put-key", "--new-kvn", "33", "--new-key", FACTORY_KEY, rc=1))
    assert "PUT KEY: 6985" in err


def test_scp02_key_set_written_and_used(card):
    # A 3DES key set 20 added over SCP03, then used over SCP02, then rotated over SCP02 (keys under the
    # SCP02 session DEK).
    des_key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    added = json.loads(gp(card, "put-key", "--new-kvn", "20", "--new-key", des_key.hex(), "--new-type", "des",
                          "--json").stdout)
    assert added["key_type"] == "3DES" and added["kcv"]["enc"] == des_kcv(des_key)
    # KVN 00 now finds key set 20 first (the lowest KVN), an SCP02 one: ask for 30 by name.
    assert key_table(card, "--kvn", "30")[("20", 1)] == ("3DES", 16)
    status = gp(card, "status", "--scp", "02", "--kvn", "20", key=des_key.hex())
    assert "SCP02 session with key set 20" in status.stdout and ISD_AID in status.stdout

    new_key = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
    rotated = gp(card, "put-key", "--scp", "02", "--kvn", "20", "--replace-kvn", "20", "--new-kvn", "21",
                 "--new-key", new_key.hex(), key=des_key.hex())
    assert f"ENC {des_kcv(new_key)}" in rotated.stdout
    gp(card, "status", "--scp", "02", "--kvn", "21", key=new_key.hex())
    one_line_error(gp(card, "status", "--scp", "02", "--kvn", "20", key=des_key.hex(), rc=1))


def test_delete_key_set_and_one_key(card):
    gp(card, "put-key", "--new-kvn", "32", "--new-key", bytes(range(16)).hex())
    gp(card, "put-key", "--new-kvn", "33", "--new-key", bytes(range(16)).hex())
    proc = gp(card, "delete-key", "--delete-kvn", "32")
    assert "key set 32 removed" in proc.stdout
    assert not any(kvn == "32" for kvn, _ in key_table(card))
    result = json.loads(gp(card, "delete-key", "--delete-kvn", "33", "--key-id", "2", "--json").stdout)
    assert result == {"deleted_kvn": "33", "key_id": 2}
    assert sorted(i for kvn, i in key_table(card) if kvn == "33") == [1, 3]
    err = one_line_error(gp(card, "delete-key", "--delete-kvn", "32", rc=1))
    assert "6A88" in err and "DELETE KEY" in err
    gp(card, "status")  # key set 30 is untouched


@pytest.mark.parametrize("args,needle", [
    (["put-key", "--new-kvn", "31"], "exactly one of"),
    (["put-key", "--new-kvn", "31", "--new-key", FACTORY_KEY, "--new-master", MASTER, "--new-derive", "kdf3"],
     "exactly one of"),
    (["put-key", "--new-kvn", "31", "--new-master", MASTER], "--new-derive"),
    (["put-key", "--new-kvn", "31", "--new-enc", FACTORY_KEY], "all three"),
    (["put-key", "--new-kvn", "3X", "--new-key", FACTORY_KEY], "--new-kvn"),
    (["put-key", "--new-kvn", "31", "--new-key", "0011"], "AES keys are 16, 24 or 32 bytes"),
    (["put-key", "--new-kvn", "31", "--new-master", MASTER, "--new-derive", "nope"], "nope"),
    (["status", "--scp", "04"], "--scp"),
])
def test_bad_options_give_one_line_and_exit_2(card, args, needle):
    proc = gp(card, *args, rc=2)
    err = proc.stderr.strip()
    assert needle in err, err
    assert MASTER not in err and FACTORY_KEY not in err.replace(" ", "")


def test_help_teaches_with_examples():
    put = run("gp", "put-key", "--help", rc=0).stdout
    assert "--replace-kvn 30 --new-kvn 31 --new-master" in put and "--new-derive kdf3" in put
    assert "6982" in put  # explains the level PUT KEY needs
    status = run("gp", "status", "--help", rc=0).stdout
    assert "simkit gp status --card sim:" in status
    gp_help = run("gp", "--help", rc=0).stdout
    for sub in ("status", "keys", "put-key", "delete-key"):
        assert sub in gp_help
