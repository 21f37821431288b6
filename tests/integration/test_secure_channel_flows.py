"""SCP03 and SCP02 over sim:, pcsc: and at: (fixture in conftest.py): the real simkit CLI opens a
secure channel at every level and the unwrapped answers are read with an independent BER-TLV reader.
Each transport's card is its own fresh card (module-scoped), so the flows run in order on it."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from ber_tlv import tlv_read  # noqa: E402

ISD_AID = bytes.fromhex("A000000151000000")
FACTORY = "404142434445464748494A4B4C4D4E4F"
DES_ENC, DES_MAC, DES_DEK = ("100102030405060708090A0B0C0D0E0F", "101102030405060708090A0B0C0D0E0F",
                             "102102030405060708090A0B0C0D0E0F")


def isd_entry(line):
    data, sw = line.split(" ")
    assert sw == "9000"
    (tag, entry), = tlv_read(bytes.fromhex(data))
    fields = dict(tlv_read(entry))
    assert tag == 0xE3 and fields[0x4F] == ISD_AID and fields[0x9F70] == b"\x0f"
    return fields


def test_scp03_at_every_level(served_card):
    for level in ("mac", "mac-enc", "13", "full"):
        out = served_card.run("scp03", "--key", FACTORY, "--level", level, "80F28002024F00", "80CA006600")
        lines = out.stdout.strip().splitlines()
        isd_entry(lines[0])
        data, sw = lines[1].split(" ")
        assert sw == "9000" and data.startswith("66")


def test_scp03_wrong_key_is_one_clear_line(served_card):
    out = served_card.run("scp03", "--key", "00" * 16, "80F28002024F00", check=False)
    assert out.returncode == 1
    assert out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1
    assert "cryptogram" in out.stderr and "00" * 16 not in out.stderr


def test_scp02_after_put_key(served_card):
    # A 3DES key set (KVN 20) written under SCP03, then a session over it with SCP02.
    served_card.run("gp", "put-key", "--key", FACTORY, "--kvn", "30", "--new-kvn", "20",
                    "--new-enc", DES_ENC, "--new-mac", DES_MAC, "--new-dek", DES_DEK, "--new-type", "des")
    for level in ("mac", "mac-enc"):
        out = served_card.run("scp02", "--kvn", "20", "--enc", DES_ENC, "--mac", DES_MAC, "--dek", DES_DEK,
                              "--level", level, "80F28002024F00")
        isd_entry(out.stdout.strip().splitlines()[0])
