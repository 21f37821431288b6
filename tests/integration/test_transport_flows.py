"""The same flows over sim:, pcsc: and at: — one suite, three transports (fixture in conftest.py).

Each flow checks the answer against independent truth (an independent BER-TLV reader, tests/pylib, ISO 7816-4
status-word rules) and against the in-process twin card on a copy of the same state."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from ber_tlv import tlv_read  # noqa: E402

ISD_AID = "A000000151000000"
SELECT_ISD = "00A4040008" + ISD_AID


def split(line):
    parts = line.split(" ")
    return (parts[0] if len(parts) == 2 else ""), parts[-1]


def test_select_isd_answers_fci(served_card):
    lines = served_card.apdu(SELECT_ISD)
    data, sw = split(lines[0])
    assert sw == "9000"
    (tag, fci), = tlv_read(bytes.fromhex(data))
    assert tag == 0x6F and dict(tlv_read(fci))[0x84] == bytes.fromhex(ISD_AID)
    assert lines == served_card.twin_apdu(SELECT_ISD)


def test_get_data_matches_the_twin(served_card):
    apdus = ["80CA006600", "80CA00E000", "80CA004500", "80CA9F7F00", "80CA004200"]
    lines = served_card.apdu(*apdus)
    assert all(split(line)[1] == "9000" for line in lines)
    keys = tlv_read(bytes.fromhex(split(lines[1])[0]))[0][1]
    assert [value[1] for tag, value in tlv_read(keys)] == [0x30, 0x30, 0x30]  # KVN 30, three keys
    assert lines == served_card.twin_apdu(*apdus)


def test_get_response_completes_long_answers(served_card):
    full, chained = served_card.apdu("80CA00E000", "80CA00E005")
    assert chained == full
    # Raw, the card follows T=0 (the default, as a real SIM): a case-2 Le shorter than the data is
    # answered 6Cxx with the exact length (ISO 7816-3 10.3.4), and the re-send with it gets the data.
    raw = served_card.apdu("80CA00E005", raw=True)[0]
    data, sw = split(raw)
    assert data == "" and sw == "6C%02X" % (len(split(full)[0]) // 2)
    assert served_card.apdu("80CA00E0" + sw[2:], raw=True)[0] == full


def test_logical_channel_flow(served_card):
    apdus = ["0070000001", "01A4040005A000000151", "81CA00E000", "0070800100"]
    lines = served_card.apdu(*apdus)
    assert lines[0] == "01 9000"
    assert split(lines[1])[1] == "9000"
    assert tlv_read(bytes.fromhex(split(lines[1])[0]))[0][0] == 0x6F
    assert split(lines[2])[1] == "9000" and split(lines[2])[0].startswith("E0")
    assert lines[3] == "9000"
    assert lines == served_card.twin_apdu(*apdus)


def test_errors_carry_status_words(served_card):
    apdus = ["00EE000000", "80CA00FF00", "00A4040008A0000001FFFFFFFF", "00A4041000"]
    lines = served_card.apdu(*apdus)
    assert [split(line)[1] for line in lines] == ["6D00", "6A88", "6A82", "6A86"]
    assert lines == served_card.twin_apdu(*apdus)


def test_state_survives_between_sessions(served_card):
    first = served_card.apdu("80CA004500")
    second = served_card.apdu("80CA004500")
    assert first == second == served_card.twin_apdu("80CA004500")
