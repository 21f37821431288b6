"""CLI tests: the real `simkit` binary against a sim: card in a temporary directory.

Answers are checked against independent truth: an independent BER-TLV reader (tests/pylib, not simkit's
parser), ISO 7816-4 status-word rules, and properties (same session, persistence)."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from simkit_cli import run_simkit as run  # noqa: E402
from ber_tlv import tlv_read  # noqa: E402
from card_line import luhn_digit  # noqa: E402
from gp_keys_ref import kcv_aes_reference, kdf3_reference  # noqa: E402

BIN = Path(os.environ.get("SIMKIT_BIN_DIR", Path(__file__).resolve().parents[2] / "build" / "bin"))
SIMKIT = str(BIN / "simkit")
ISD_AID = "A000000151000000"
SELECT_ISD = "00A4040008" + ISD_AID


@pytest.fixture
def card(tmp_path):
    return f"sim:{tmp_path / 'card.state'}"


def lines_of(proc):
    return proc.stdout.strip().splitlines()


def test_version():
    proc = run("--version", rc=0)
    assert proc.stdout.startswith("simkit ")


def test_help_teaches_uri_forms():
    proc = run("apdu", "--help", rc=0)
    assert "sim:PATH" in proc.stdout and "pcsc:" in proc.stdout and "at:DEVICE" in proc.stdout


def test_select_isd_prints_fci_and_9000(card, tmp_path):
    proc = run("apdu", "--card", card, SELECT_ISD, rc=0)
    data_hex, sw = lines_of(proc)[0].split(" ")
    assert sw == "9000"
    (tag, fci), = tlv_read(bytes.fromhex(data_hex))
    assert tag == 0x6F
    assert dict(tlv_read(fci))[0x84] == bytes.fromhex(ISD_AID)
    assert (tmp_path / "card.state").exists()


def test_apdus_share_one_session(card):
    # Open a channel, select on it, ask GET DATA on it, close it: each step needs the one before.
    proc = run("apdu", "--card", card, "0070000001", "01A4040005A000000151", "81CA00E000",
               "0070800100", "81CA00E000", rc=0)
    out = lines_of(proc)
    assert out[0] == "01 9000"
    assert out[1].endswith(" 9000")
    assert out[2].endswith(" 9000") and out[2].startswith("E0")
    assert out[3] == "9000"
    assert out[4] == "6881"  # channel 1 closed again


def test_get_response_is_automatic_unless_raw(tmp_path):
    card = f"sim:{tmp_path / 'card.state'}?t1=1"  # T=1: a short Le gets part of the data and 61xx
    full = lines_of(run("apdu", "--card", card, "80CA00E000", rc=0))[0]
    chained = lines_of(run("apdu", "--card", card, "80CA00E005", rc=0))[0]
    assert chained == full
    raw = lines_of(run("apdu", "--card", card, "--raw", "80CA00E005", rc=0))[0]
    data_hex, sw = raw.split(" ")
    total = len(full.split(" ")[0]) // 2
    assert len(data_hex) == 10 and sw == "61%02X" % (total - 5)
    assert full.startswith(data_hex)


@pytest.mark.parametrize("options", ["", "?t0=1", "?t1=0"])
def test_wrong_le_in_t0_mode_is_resent(tmp_path, options):
    card = f"sim:{tmp_path / 'card.state'}{options}"  # T=0 is sim:'s default, as on a real SIM
    full = lines_of(run("apdu", "--card", card, "80CA00E000", rc=0))[0]
    data_hex, sw = full.split(" ")
    assert sw == "9000"
    raw = lines_of(run("apdu", "--card", card, "--raw", "80CA00E000", rc=0))[0]
    assert raw == "6C%02X" % (len(data_hex) // 2)
    # A case-4 command's data always comes with GET RESPONSE.
    raw = lines_of(run("apdu", "--card", card, "--raw", SELECT_ISD + "00", rc=0))[0]
    assert raw.startswith("61")


def test_t0_and_t1_options_contradicting_exit_2(tmp_path):
    out = run("apdu", "--card", f"sim:{tmp_path / 'card.state'}?t0=1&t1=1", "80CA00E000", rc=2)
    assert "contradict" in out.stderr


def test_json_output(card):
    proc = run("apdu", "--card", card, "--json", SELECT_ISD, "00EE000000", rc=0)
    result = json.loads(proc.stdout)
    assert [r["sw"] for r in result] == ["9000", "6D00"]
    assert result[0]["command"] == SELECT_ISD
    assert tlv_read(bytes.fromhex(result[0]["response"]))[0][0] == 0x6F
    assert result[1]["response"] == ""
    assert "instruction" in result[1]["meaning"]


def test_trace_shows_exchange_on_stderr(card):
    proc = run("apdu", "--card", card, "--trace", "80CA00E005", SELECT_ISD + "00", rc=0)
    assert "> 80CA00E005" in proc.stderr
    assert "< 6C" in proc.stderr and "> 80CA00E0" in proc.stderr  # T=0: 6Cxx and the re-send it made
    assert "> 00C00000" in proc.stderr  # the GET RESPONSE it sent for the SELECT's 61xx
    assert "< " in proc.stderr


def test_trace_masks_pin(card):
    proc = run("apdu", "--card", card, "--trace", "0020000108313233340000FFFF", rc=0)
    assert "3132333400" not in proc.stderr
    assert "> 0020000108****************" in proc.stderr


@pytest.mark.parametrize("apdu,sw", [
    ("00A404", "6700"),            # shorter than a header
    ("00A4040008A0000001", "6700"),  # Lc says 8, 3 follow
    ("00A40400000010A0", "6700"),   # extended Lc 16, 1 follows
    ("FFA4040000", "6E00"),        # invalid class
    ("2000000000", "6E00"),        # reserved class
    ("00EE000000", "6D00"),        # unknown INS
    ("80CA00FF00", "6A88"),        # GET DATA of an unknown tag
    ("00A4041000", "6A86"),        # SELECT with an invalid P2
    ("05CA00E000", "6881"),        # channel 5 is not open
])
def test_malformed_apdus_get_status_words(card, apdu, sw):
    proc = run("apdu", "--card", card, apdu, rc=0)
    assert lines_of(proc)[-1].split(" ")[-1] == sw


def test_garbage_never_crashes(card):
    import random
    rng = random.Random(7)
    apdus = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))).hex() for _ in range(200)]
    proc = run("apdu", "--card", card, *apdus, rc=0)
    out = lines_of(proc)
    assert len(out) == len(apdus)
    for line in out:
        sw = line.split(" ")[-1]
        assert len(sw) == 4 and int(sw, 16) >= 0x6000
    assert lines_of(run("apdu", "--card", card, SELECT_ISD, rc=0))[0].endswith("9000")


def test_state_persists_across_sessions(card):
    first = lines_of(run("apdu", "--card", card, "80CA004500", rc=0))[0]
    second = lines_of(run("apdu", "--card", card, "80CA004500", rc=0))[0]
    assert first == second and first.endswith(" 9000")


def test_card_from_environment(tmp_path):
    proc = run("apdu", SELECT_ISD, env={"SIMKIT_CARD": f"sim:{tmp_path / 'env.state'}"}, rc=0)
    assert lines_of(proc)[0].endswith(" 9000")


@pytest.mark.parametrize("args,rc,needle", [
    (["apdu", "--card", "sim:/tmp/x.state", "00A"], 2, "odd number of hex digits"),
    (["apdu", "--card", "sim:/tmp/x.state", "00ZZ"], 2, "not a hex digit"),
    (["apdu", "--card", "nfc:reader", "00A4040000"], 2, "sim:PATH"),
    (["apdu", "00A4040000"], 2, "SIMKIT_CARD"),
    (["apdu", "--card", "sim:/nonexistent-dir/card.state", "00A4040000"], 1, "/nonexistent-dir"),
])
def test_bad_input_gives_one_line_error(args, rc, needle):
    proc = run(*args, rc=rc)
    err = proc.stderr.strip()
    assert needle in err
    assert len(err.splitlines()) == 1
    assert "terminate" not in err and "Traceback" not in err


def test_state_file_in_use_is_refused(tmp_path):
    state = tmp_path / "card.state"
    daemon = subprocess.Popen([str(BIN / "simkit-card"), "serve", "--state", str(state), "--at-pty",
                               str(tmp_path / "modem")], stderr=subprocess.DEVNULL)
    try:
        for _ in range(250):
            if (tmp_path / "modem").is_symlink():
                break
            time.sleep(0.02)
        proc = run("apdu", "--card", f"sim:{state}", SELECT_ISD, rc=1)
        assert "in use by another card" in proc.stderr and str(state) in proc.stderr
    finally:
        daemon.terminate()
        assert daemon.wait(10) == 0


def test_corrupt_state_file_is_refused_not_reset(tmp_path):
    state = tmp_path / "card.state"
    run("apdu", "--card", f"sim:{state}", SELECT_ISD, rc=0)
    data = bytearray(state.read_bytes())
    data[len(data) // 2] ^= 0x01
    state.write_bytes(bytes(data))
    proc = run("apdu", "--card", f"sim:{state}", SELECT_ISD, rc=1)
    assert str(state) in proc.stderr
    assert state.read_bytes() == bytes(data)  # left as it was for inspection


def test_demo_tells_the_story():
    proc = run("demo", rc=0)
    assert "9000" in proc.stdout
    assert "(same)" in proc.stdout
    assert "(same card)" in proc.stdout and "simkit-card exited 0" in proc.stdout  # the AT modem chapter
    assert "6700" in proc.stdout and "6D00" in proc.stdout
    check_demo_secure_channel_chapter(proc.stdout)
    check_demo_key_store_chapter(proc.stdout)
    check_demo_line_chapter(proc.stdout)


DEMO_MASTER = "00112233445566778899AABBCCDDEEFF"


def kdf3_keys(master, kdd):
    """ENC, MAC, DEK diversified by KDF3 (tests/pylib/gp_keys_ref.py)."""
    return [kdf3_reference(master, purpose, kdd) for purpose in (1, 2, 3)]


def aes_kcv(key):
    return kcv_aes_reference(key).hex().upper()


def luhn_valid(digits):
    return luhn_digit(digits[:-1]) == digits[-1]


def check_demo_secure_channel_chapter(out):
    """SCP03 with the factory keys, GET STATUS, PUT KEY to KDF3-diversified keys (the card's KCVs checked
    here with python3-cryptography), the factory key refused, GET STATUS again with the new keys."""
    demo_master = bytes.fromhex(DEMO_MASTER)
    assert "EXTERNAL AUTHENTICATE accepted at level 33 (C-MAC+C-DECRYPTION+R-MAC+R-ENCRYPTION)" in out
    assert out.count("ISD " + ISD_AID + ", life cycle 0F") == 2  # before the rotation and after it
    kdd = bytes.fromhex(out.split("key diversification data (KDD) ")[1].split()[0])
    keys = kdf3_keys(demo_master, kdd)
    kcvs = [aes_kcv(key) for key in keys]
    assert f"KVN 31 and KCVs ENC {kcvs[0]}, MAC {kcvs[1]}, DEK {kcvs[2]}  (KCVs match)" in out
    refused = [line for line in out.splitlines() if "factory key refused:" in line]
    assert len(refused) == 1 and "card cryptogram does not match" in refused[0]
    assert "re-authenticated with key set 31" in out
    assert out.count("(wrapped: C-MAC, encrypted)") == 2
    for secret in [demo_master] + keys:
        assert secret.hex().upper() not in out.upper()


def check_demo_key_store_chapter(out):
    """Key generated on the card, its PEM, a signature of the shown message that python3-cryptography
    verifies with that PEM (independently of the demo's own OpenSSL check), and ECDH on both sides."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    chapter = out[out.index("Key store (GSMA IoT SAFE applet A0000005590010)"):]
    point = bytes.fromhex(chapter.split("public point ")[1].split()[0])
    pem = chapter[chapter.index("-----BEGIN PUBLIC KEY-----"):chapter.index("-----END PUBLIC KEY-----") + 24]
    key = serialization.load_pem_public_key("\n".join(l.strip() for l in pem.splitlines()).encode())
    assert key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint) == point
    message = chapter.split("message '")[1].split("'\n")[0].encode()
    signature = bytes.fromhex(chapter.split(" bytes) ")[1].split()[0])
    key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    assert "signature verified by OpenSSL" in chapter and "a changed message does not verify" in chapter
    assert "card and host computed the same shared secret (32 bytes" in chapter
    assert "UNEXPECTED" not in chapter and "DIFFER" not in chapter


def check_demo_line_chapter(out):
    """Three fresh cards through the personalization line: each one's printed KCVs equal the KCVs of
    keys diversified here (python3-cryptography, KDF3) from the demo master and the KDD that card
    printed; one card got a device key; a second pass skips all three; the journal says 3 done; the
    master key appears nowhere (K/OPc are random and never printed)."""
    assert out.index("Personalization line:") > out.index("USIM (ADF.USIM")  # the last chapter
    chapter = out[out.index("Personalization line:"):out.index("\nDone. Try it yourself")]
    first, second = chapter.split("Run the same rows again")
    cards = [line.split() for line in first.splitlines() if "  ok  KVN " in line]
    assert len(cards) == 3 and "FAILED" not in chapter
    master = bytes.fromhex(DEMO_MASTER)
    kdds = set()
    for fields in cards:
        iccid = fields[0]
        assert len(iccid) == 19 and luhn_valid(iccid)
        assert fields[1:4] == ["ok", "KVN", "31"]
        kdd = bytes.fromhex(fields[fields.index("KDD") + 1])
        assert len(kdd) == 10
        kdds.add(kdd)
        keys = kdf3_keys(master, kdd)
        printed = " ".join(fields[fields.index("KCVs"):fields.index("KCVs") + 7]).upper()
        kcvs = [aes_kcv(key) for key in keys]
        assert printed == f"KCVS ENC {kcvs[0]}, MAC {kcvs[1]}, DEK {kcvs[2]}", (iccid, printed, kcvs)
        for key in keys:
            assert key.hex().upper() not in out.upper()
    assert len(kdds) == 3  # each card its own KDD, so its own keys
    device = [f for f in cards if "device" in f]
    assert len(device) == 1 and device[0][device[0].index("device") + 2].startswith("04")
    skipped = [line.split()[0] for line in second.splitlines() if "already done, skipped" in line]
    assert skipped == [fields[0] for fields in cards]
    assert "  ok  KVN " not in second
    assert "journal: 3 done, 0 failed, 0 in progress" in second
    assert DEMO_MASTER not in out.upper()


def test_apdu_script_file_with_comments(card, tmp_path):
    script = tmp_path / "perso.apdu"
    script.write_text("# personalisation script\n" + SELECT_ISD + "   # select the ISD\n\n80CA00E000\n")
    from_file = lines_of(run("apdu", "--card", card, "--file", str(script), rc=0))
    assert from_file == lines_of(run("apdu", "--card", card, SELECT_ISD, "80CA00E000", rc=0))
    stdin = subprocess.run([SIMKIT, "apdu", "--card", card, "--file", "-"], input=script.read_text(),
                           capture_output=True, text=True, timeout=60)
    assert stdin.stdout.strip().splitlines() == from_file


def test_apdu_script_errors_name_file_and_line(card, tmp_path):
    script = tmp_path / "bad.apdu"
    script.write_text(SELECT_ISD + "\n00A4 04 0Z\n")
    proc = run("apdu", "--card", card, "--file", str(script), rc=2)
    assert f"{script}:2:" in proc.stderr and "not a hex digit" in proc.stderr
    assert "cannot read APDU script" in run("apdu", "--card", card, "--file", str(tmp_path / "none"), rc=2).stderr
    assert "no APDUs given" in run("apdu", "--card", card, rc=2).stderr


def test_long_batch_shows_progress_only_on_a_terminal(card):
    import pty
    apdus = ["80CA00E000"] * 200
    quiet = run("apdu", "--card", card, *apdus, rc=0)
    assert quiet.stderr == ""  # not a terminal: no progress
    master, slave = pty.openpty()
    try:
        proc = subprocess.run([SIMKIT, "apdu", "--card", card, *apdus], stdout=subprocess.PIPE, stderr=slave,
                              timeout=60)
        os.close(slave)
        slave = -1
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    assert proc.returncode == 0
    assert b"200/200 APDUs" in shown and b"ETA" in shown
    assert len(proc.stdout.decode().splitlines()) == 200
