"""CLI tests of `simkit scp03` and `simkit scp02`: the real binary against a sim: card in a temporary
directory.

Answers are checked against independent truth: GET STATUS entries read with an independent BER-TLV
reader (tests/pylib), the ISD facts of specs/isd.md, and key material for PUT KEY computed here with
python3-cryptography (no simkit code), so SCP02 key sets, S16 and diversified keys are reached
through the card's own commands."""
import json
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from simkit_cli import run_simkit as run  # noqa: E402
from ber_tlv import tlv_read  # noqa: E402

ISD_AID = bytes.fromhex("A000000151000000")
FACTORY_KEY = "404142434445464748494A4B4C4D4E4F"
GET_STATUS_ISD = "80F28002024F00"
GET_CARD_DATA = "80CA006600"
STATUS_LOAD_FILES = "80F22002024F0000"  # the applets are built in: 6A88


@pytest.fixture
def card(tmp_path):
    return f"sim:{tmp_path / 'card.state'}"


def lines_of(proc):
    return proc.stdout.strip().splitlines()


def assert_isd_status(line):
    """'<E3 ... hex> 9000' with the ISD's registry entry (specs/isd.md: life cycle 0F, privileges 9EFE80)."""
    data_hex, sw = line.split(" ")
    assert sw == "9000"
    (tag, entry), = tlv_read(bytes.fromhex(data_hex))
    assert tag == 0xE3
    fields = dict(tlv_read(entry))
    assert fields[0x4F] == ISD_AID
    assert fields[0x9F70] == bytes([0x0F])
    assert fields[0xC5] == bytes.fromhex("9EFE80")


# --- independent key material for PUT KEY (python3-cryptography only) ---

def aes_cbc_zero_iv(key: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def kcv_aes(key: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return (encryptor.update(bytes([1]) * 16) + encryptor.finalize())[:3]


def kcv_des3(key: bytes) -> bytes:
    encryptor = Cipher(algorithms.TripleDES(key), modes.ECB()).encryptor()
    return (encryptor.update(bytes(8)) + encryptor.finalize())[:3]


def put_key_add(new_kvn: int, keys, key_type: int, session_dek: bytes) -> str:
    """PUT KEY adding key set `new_kvn` (P1 00, P2 81: ENC, MAC, DEK) inside an SCP03 session: each
    16-byte key AES-CBC encrypted (zero ICV) under the session's static DEK, with its KCV."""
    data = bytes([new_kvn])
    for key in keys:
        assert len(key) == 16
        kcv = kcv_aes(key) if key_type == 0x88 else kcv_des3(key)
        data += bytes([key_type, 16]) + aes_cbc_zero_iv(session_dek, key) + bytes([3]) + kcv
    return ("80D80081" + f"{len(data):02X}" + data.hex() + "00").upper()


# --- SCP03 ---

def test_help_teaches_the_issue_example():
    proc = run("scp03", "--help", rc=0)
    assert f"simkit scp03 --card sim:card.state --key {FACTORY_KEY} --level full {GET_STATUS_ISD}" in proc.stdout
    for option in ("--kvn", "--enc", "--mac", "--dek", "--master", "--derive", "--level", "--s16", "--trace", "--json"):
        assert option in proc.stdout
    proc = run("scp02", "--help", rc=0)
    assert "--s16" not in proc.stdout and "--level" in proc.stdout and "simkit scp02 --card" in proc.stdout


def test_issue_done_when_command(card):
    proc = run("scp03", "--card", card, "--key", FACTORY_KEY, "--level", "full", GET_STATUS_ISD, rc=0)
    out = lines_of(proc)
    assert len(out) == 1
    assert_isd_status(out[0])
    assert proc.stderr == ""


@pytest.mark.parametrize("level", ["mac", "mac-enc", "11", "13", "full", "33", "01"])
def test_get_status_at_every_level(card, level):
    out = lines_of(run("scp03", "--card", card, "--key", FACTORY_KEY, "--level", level, GET_STATUS_ISD, rc=0))
    assert len(out) == 1
    assert_isd_status(out[0])


def test_default_level_and_explicit_kvn_and_three_keys(card):
    assert_isd_status(lines_of(run("scp03", "--card", card, "--key", FACTORY_KEY, GET_STATUS_ISD, rc=0))[0])
    proc = run("scp03", "--card", card, "--kvn", "30", "--enc", FACTORY_KEY, "--mac", FACTORY_KEY, "--dek", FACTORY_KEY,
               GET_STATUS_ISD, rc=0)
    assert_isd_status(lines_of(proc)[0])


def test_several_apdus_share_one_session_and_error_sw_pass_through(card):
    proc = run("scp03", "--card", card, "--key", FACTORY_KEY, GET_STATUS_ISD, STATUS_LOAD_FILES, GET_CARD_DATA,
               GET_STATUS_ISD, rc=0)
    out = lines_of(proc)
    assert len(out) == 4
    assert_isd_status(out[0])
    assert out[1] == "6A88"  # an error status word comes back bare, and the session goes on
    data_hex, sw = out[2].split(" ")
    assert sw == "9000" and bytes.fromhex(data_hex)[0] == 0x66  # card recognition data
    assert_isd_status(out[3])
    # The same answers as without a secure channel (GET DATA needs none).
    plain = lines_of(run("apdu", "--card", card, "00A4040000", GET_CARD_DATA, rc=0))
    assert plain[1] == out[2]


def test_wrong_key_exits_1_with_one_line(card):
    wrong = "00112233445566778899AABBCCDDEEFF"
    proc = run("scp03", "--card", card, "--key", wrong, GET_STATUS_ISD, rc=1)
    assert proc.stdout == ""
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("simkit: card cryptogram does not match: wrong key or key version")
    assert "KVN 30" in err[0]
    assert wrong not in proc.stderr and FACTORY_KEY not in proc.stderr
    # The card is not harmed: the right key still opens it.
    assert_isd_status(lines_of(run("scp03", "--card", card, "--key", FACTORY_KEY, GET_STATUS_ISD, rc=0))[0])


def test_unknown_kvn_names_6a88(card):
    proc = run("scp03", "--card", card, "--kvn", "7E", "--key", FACTORY_KEY, GET_STATUS_ISD, rc=1)
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and "6A88" in err[0] and "INITIALIZE UPDATE" in err[0]


@pytest.mark.parametrize("args", [
    [],                                                           # no key
    ["--key", FACTORY_KEY, "--enc", FACTORY_KEY],                 # two key forms
    ["--enc", FACTORY_KEY, "--mac", FACTORY_KEY],                 # --dek missing
    ["--master", FACTORY_KEY],                                    # --derive missing
    ["--key", FACTORY_KEY, "--derive", "kdf3"],                   # --derive without --master
    ["--key", "4041"],                                            # too short
    ["--key", FACTORY_KEY[:-1] + "G"],                            # not hex
    ["--key", FACTORY_KEY, "--level", "everything"],
    ["--key", FACTORY_KEY, "--level", "23"],
    ["--key", FACTORY_KEY, "--kvn", "300"],
    ["--master", FACTORY_KEY, "--derive", "nonsense"],
])
def test_bad_options_exit_2_before_the_card_is_touched(tmp_path, args):
    state = tmp_path / "card.state"
    proc = run("scp03", "--card", f"sim:{state}", *args, GET_STATUS_ISD, rc=2)
    assert len(proc.stderr.strip().splitlines()) == 1
    assert FACTORY_KEY[:-1] not in proc.stderr  # the key is never echoed
    assert not state.exists()


def test_trace_shows_wrapped_apdus_and_never_a_key(card):
    proc = run("scp03", "--card", card, "--key", FACTORY_KEY, "--trace", GET_STATUS_ISD, GET_CARD_DATA, rc=0)
    assert_isd_status(lines_of(proc)[0])
    err = proc.stderr.splitlines()
    wrapped_commands = [line.split("> ", 1)[1] for line in err if line.startswith("wrapped >")]
    assert len(wrapped_commands) == 2
    assert all(command.startswith("84") for command in wrapped_commands)  # CLA 84: secure messaging
    # Level full: the wrapped GET STATUS carries encrypted data (16) and a C-MAC (8).
    assert wrapped_commands[0].startswith("84F2800218")
    plain_commands = [line.split("> ", 1)[1] for line in err if line.startswith("plain   >")]
    assert plain_commands == [GET_STATUS_ISD, GET_CARD_DATA]
    plain_answers = [line.split("< ", 1)[1] for line in err if line.startswith("plain   <")]
    assert plain_answers[0].startswith(lines_of(proc)[0])
    wrapped_answers = [line.split("< ", 1)[1] for line in err if line.startswith("wrapped <")]
    assert wrapped_answers[0].split(" ")[0] != lines_of(proc)[0].split(" ")[0]  # R-ENC: not the plain data
    assert any(line.startswith("wire    > 8482") for line in err)  # the handshake is shown too
    assert FACTORY_KEY not in proc.stderr and FACTORY_KEY not in proc.stdout
    assert FACTORY_KEY.lower() not in proc.stderr


def test_json_output(card):
    proc = run("scp03", "--card", card, "--key", FACTORY_KEY, "--json", GET_STATUS_ISD, STATUS_LOAD_FILES, rc=0)
    answers = json.loads(proc.stdout)
    assert [a["command"] for a in answers] == [GET_STATUS_ISD, STATUS_LOAD_FILES]
    assert answers[0]["sw"] == "9000" and answers[0]["meaning"]
    assert_isd_status(answers[0]["response"] + " " + answers[0]["sw"])
    assert answers[1] == {"command": STATUS_LOAD_FILES, "response": "", "sw": "6A88",
                          "meaning": answers[1]["meaning"]}
    assert answers[1]["meaning"]


def test_put_key_is_masked_in_trace_and_new_key_set_opens(card):
    new_keys = [bytes.fromhex("0F0E0D0C0B0A09080706050403020100"), bytes.fromhex("1F1E1D1C1B1A19181716151413121110"),
                bytes.fromhex("2F2E2D2C2B2A29282726252423222120")]
    put_key = put_key_add(0x32, new_keys, 0x88, bytes.fromhex(FACTORY_KEY))
    proc = run("scp03", "--card", card, "--key", FACTORY_KEY, "--trace", put_key, rc=0)
    data_hex, sw = lines_of(proc)[0].split(" ")
    assert sw == "9000"
    assert bytes.fromhex(data_hex) == bytes([0x32]) + b"".join(kcv_aes(k) for k in new_keys)
    for line in proc.stderr.splitlines():
        if line.startswith(("plain   >", "wrapped >")):
            assert "*" in line and line.split("> ", 1)[1].startswith(("80D8", "84D8"))
    assert put_key[10:] not in proc.stderr  # none of the PUT KEY data
    for key in new_keys:
        assert key.hex().upper() not in proc.stderr
    proc = run("scp03", "--card", card, "--kvn", "32", "--enc", new_keys[0].hex(), "--mac", new_keys[1].hex(),
               "--dek", new_keys[2].hex(), GET_STATUS_ISD, rc=0)
    assert_isd_status(lines_of(proc)[0])


def test_s16_key_set(card):
    # STORE DATA (last block, clear, DGI format) of DGI 7F01 "KVN i": key set 30 becomes S16 (i=71).
    proc = run("scp03", "--card", card, "--key", FACTORY_KEY, "80E2880005" + "7F01023071", rc=0)
    assert lines_of(proc)[0].endswith("9000")
    for level in ("mac", "full"):
        out = lines_of(run("scp03", "--card", card, "--key", FACTORY_KEY, "--s16", "--level", level, GET_STATUS_ISD,
                           rc=0))
        assert_isd_status(out[0])
    proc = run("scp03", "--card", card, "--key", FACTORY_KEY, "--s16", "--trace", GET_STATUS_ISD, rc=0)
    wrapped = [line.split("> ", 1)[1] for line in proc.stderr.splitlines() if line.startswith("wrapped >")]
    assert wrapped[0].startswith("84F2800220")  # 16 encrypted bytes + a 16-byte C-MAC
    proc = run("scp03", "--card", card, "--key", FACTORY_KEY, GET_STATUS_ISD, rc=1)
    assert "S16" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_diversified_keys_with_master_and_derive(card):
    master = "00112233445566778899AABBCCDDEEFF"  # AES-128: KDF3 gives keys as long as the master
    # The card's KDD: the first 10 bytes of its INITIALIZE UPDATE answer.
    out = lines_of(run("apdu", "--card", card, "00A4040000", "80503000080102030405060708" + "00", rc=0))
    kdd = out[1].split(" ")[0][:20]
    derived = json.loads(run("derive", "--scheme", "kdf3", "--master", master, "--kdd", kdd, "--json",
                             rc=0).stdout)
    keys = [bytes.fromhex(derived[name]) for name in ("enc", "mac", "dek")]
    proc = run("scp03", "--card", card, "--key", FACTORY_KEY, put_key_add(0x31, keys, 0x88, bytes.fromhex(FACTORY_KEY)),
               rc=0)
    assert lines_of(proc)[0].split(" ")[1] == "9000"

    proc = run("scp03", "--card", card, "--kvn", "31", "--master", master, "--derive", "kdf3", "--trace",
               GET_STATUS_ISD, rc=0)
    assert_isd_status(lines_of(proc)[0])
    for secret in [master] + [k.hex().upper() for k in keys]:
        assert secret not in proc.stderr and secret.lower() not in proc.stderr
    # Another master does not open key set 31.
    proc = run("scp03", "--card", card, "--kvn", "31", "--master", "FF" * 16, "--derive", "kdf3", GET_STATUS_ISD,
               rc=1)
    assert "card cryptogram does not match" in proc.stderr and "KVN 31" in proc.stderr


# --- SCP02 ---

SCP02_KEYS = [bytes.fromhex("100102030405060708090A0B0C0D0E0F"), bytes.fromhex("101102030405060708090A0B0C0D0E0F"),
              bytes.fromhex("102102030405060708090A0B0C0D0E0F")]


@pytest.fixture
def scp02_card(card):
    """A card with an SCP02 key set KVN 20 (3DES, i=15) added by PUT KEY in an SCP03 session."""
    proc = run("scp03", "--card", card, "--key", FACTORY_KEY,
               put_key_add(0x20, SCP02_KEYS, 0x80, bytes.fromhex(FACTORY_KEY)), rc=0)
    data_hex, sw = lines_of(proc)[0].split(" ")
    assert sw == "9000"
    assert bytes.fromhex(data_hex) == bytes([0x20]) + b"".join(kcv_des3(k) for k in SCP02_KEYS)
    return card


def scp02_keys_args():
    return ["--enc", SCP02_KEYS[0].hex(), "--mac", SCP02_KEYS[1].hex(), "--dek", SCP02_KEYS[2].hex()]


@pytest.mark.parametrize("level", [None, "mac", "mac-enc", "full", "01", "03"])
def test_scp02_get_status(scp02_card, level):
    args = ["scp02", "--card", scp02_card, "--kvn", "20", *scp02_keys_args()]
    if level:
        args += ["--level", level]
    proc = run(*args, GET_STATUS_ISD, GET_CARD_DATA, rc=0)
    out = lines_of(proc)
    assert_isd_status(out[0])
    assert out[1].endswith(" 9000")


def test_scp02_trace_and_wrong_key(scp02_card):
    proc = run("scp02", "--card", scp02_card, "--kvn", "20", *scp02_keys_args(), "--trace", GET_STATUS_ISD, rc=0)
    wrapped = [line.split("> ", 1)[1] for line in proc.stderr.splitlines() if line.startswith("wrapped >")]
    assert wrapped[0].startswith("84F2800210")  # mac-enc: 8 encrypted bytes + 8-byte C-MAC
    for key in SCP02_KEYS:
        assert key.hex().upper() not in proc.stderr
    proc = run("scp02", "--card", scp02_card, "--kvn", "20", "--key", FACTORY_KEY, GET_STATUS_ISD, rc=1)
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("simkit: card cryptogram does not match: wrong key or key version")
    assert "KVN 20" in err[0] and "SCP02" in err[0]


def test_protocol_mismatch_is_one_clear_line(scp02_card):
    proc = run("scp03", "--card", scp02_card, "--kvn", "20", "--key", FACTORY_KEY, GET_STATUS_ISD, rc=1)
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and "SCP02" in err[0]
    proc = run("scp02", "--card", scp02_card, "--kvn", "30", "--key", FACTORY_KEY, GET_STATUS_ISD, rc=1)
    assert "SCP03" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    run("scp02", "--card", scp02_card, "--key", FACTORY_KEY, "--level", "33", GET_STATUS_ISD, rc=2)
