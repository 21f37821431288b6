"""simkit.open() and Card: bytes in and out, SELECT, ATR, raw exchanges, status words as
CardError, bad URIs and bad hex as ValueError, and a closed card that raises (never crashes)."""
import gc

import pytest

import simkit
from ber_tlv import tlv_read
from conftest import ISD_AID


def test_transmit_select_isd(card):
    data, sw = card.transmit(bytes.fromhex("00A4040008" + ISD_AID))
    assert sw == 0x9000
    # Independent structure check: FCI template 6F with tag 84 = the ISD AID.
    [(tag, fci)] = tlv_read(data)
    assert tag == 0x6F
    assert (0x84, bytes.fromhex(ISD_AID)) in tlv_read(fci)
    # Hex text with spaces works the same; so do bytearray and memoryview.
    assert card.transmit("00 A4 04 00 08 " + ISD_AID) == (data, sw)
    assert card.transmit(bytearray.fromhex("00A4040008" + ISD_AID)) == (data, sw)
    assert card.transmit(memoryview(bytes.fromhex("00A4040008" + ISD_AID))) == (data, sw)


def test_select_returns_the_fci(card):
    fci = card.select(ISD_AID)
    assert fci == card.transmit("00A4040008" + ISD_AID + "00")[0]
    assert card.select(bytes.fromhex("A0000005590010")) is not None  # the key store applet


def test_wrong_sw_raises_card_error(card):
    with pytest.raises(simkit.CardError) as info:
        card.select("A0000000FFFF")
    assert info.value.sw == 0x6A82
    assert info.value.meaning == "file or application not found"
    assert "6A82" in str(info.value)
    # transmit returns any status word unless check=True.
    assert card.transmit("80FF000000")[1] == 0x6D00
    with pytest.raises(simkit.CardError) as info:
        card.transmit("80FF000000", check=True)
    assert info.value.sw == 0x6D00
    assert card.select("A0000000FFFF", check=False) == b""
    assert simkit.sw_meaning(0x6982) == "security status not satisfied"


def test_send_builds_the_apdu(card):
    data, sw = card.send(0x00, 0xA4, 0x04, 0x00, ISD_AID, 256)
    assert (data, sw) == card.transmit("00A4040008" + ISD_AID + "00")
    with pytest.raises(simkit.CardError):
        card.send(0x80, 0xFF, 0, 0)
    assert card.send(0x80, 0xFF, 0, 0, check=False)[1] == 0x6D00
    with pytest.raises(ValueError):
        card.send(0x100, 0, 0, 0)


def test_raw_leaves_get_response_to_the_caller(card):
    data, sw = card.transmit("80CA00E005", raw=True)
    assert sw >> 8 in (0x61, 0x6C)
    full, sw_full = card.transmit("80CA00E005")
    assert sw_full == 0x9000 and len(full) > 5


def test_atr_and_description(card, state_path):
    atr = card.atr
    assert isinstance(atr, bytes) and atr[0] in (0x3B, 0x3F)
    assert card.uri == f"sim:{state_path}"
    assert str(state_path) in card.description
    assert repr(card).startswith("<simkit.Card sim:")


def test_reset_keeps_the_data_ends_the_channels(card):
    assert card.transmit("0070000001") == (b"\x01", 0x9000)  # MANAGE CHANNEL open: channel 1
    card.reset()
    assert card.transmit("0070000001") == (b"\x01", 0x9000)  # channel 1 was closed by the reset
    assert card.transmit("00A4040008" + ISD_AID)[1] == 0x9000


@pytest.mark.parametrize("uri", ["foo:bar", "simcard", "", "pcsc"])
def test_bad_uri_is_a_value_error(uri):
    with pytest.raises(ValueError) as info:
        simkit.open(uri)
    assert isinstance(info.value, simkit.ArgumentError)


def test_unreachable_cards():
    with pytest.raises(simkit.Error):
        simkit.open("sim:/nonexistent/dir/card.state")
    with pytest.raises(simkit.TransportError):
        simkit.open("at:/nonexistent/tty")


def test_state_file_locked_to_one_card(card, state_path):
    with pytest.raises(simkit.Error) as info:
        simkit.open(f"sim:{state_path}")
    assert "in use" in str(info.value)
    card.close()
    with simkit.open(f"sim:{state_path}") as again:  # released by close()
        assert again.transmit("00A4040000")[1] == 0x9000


@pytest.mark.parametrize("apdu", ["00A40", "00A4ZZ00", "xyz", "00A4 04 0G"])
def test_bad_hex_is_a_value_error(card, apdu):
    with pytest.raises(ValueError):
        card.transmit(apdu)


@pytest.mark.parametrize("apdu", [b"", b"\x00\xa4", 42, None, ["00"]])
def test_bad_apdu_types(card, apdu):
    with pytest.raises(ValueError):
        card.transmit(apdu)


def test_closed_card_raises(state_path):
    card = simkit.open(f"sim:{state_path}")
    ks = card.keystore
    pin = card.pin
    usim = card.usim
    sc = card.scp03(key="404142434445464748494A4B4C4D4E4F", kvn=0x30)
    card.close()
    assert card.closed and "closed" in repr(card)
    card.close()  # twice is fine
    for call in (lambda: card.transmit("00A4040000"), lambda: card.atr, lambda: card.select(ISD_AID),
                 lambda: card.reset(), lambda: ks.generate(1), lambda: ks.public_key_pem(1),
                 lambda: pin.verify("1234"), lambda: usim.iccid(), lambda: card.aka(bytes(16), bytes(16)),
                 lambda: sc.transmit("80CA006600"), lambda: card.scp03(key="40" * 16),
                 lambda: card.description):
        with pytest.raises(simkit.ClosedError):
            call()
    assert sc.closed
    sc.close()
    del card, ks, pin, usim, sc
    gc.collect()


def test_context_manager_closes(state_path):
    with simkit.open(f"sim:{state_path}") as card:
        assert not card.closed
    assert card.closed
    with pytest.raises(ValueError):  # ClosedError is a ValueError, like a closed file
        card.transmit("00A4040000")


def test_objects_outliving_their_card(state_path):
    """Sub-objects and channels keep what they need alive; dropping the Card first is harmless."""
    card = simkit.open(f"sim:{state_path}")
    sc = card.scp03(key="404142434445464748494A4B4C4D4E4F", kvn=0x30, level="mac")
    ks = card.keystore
    del card
    gc.collect()
    assert sc.transmit("80F28002024F00")[1] == 0x9000
    assert len(ks.generate(2)) == 65
    del sc, ks
    gc.collect()
    with simkit.open(f"sim:{state_path}") as again:  # everything released: the state file is free
        assert again.transmit("00A4040000")[1] == 0x9000


def test_card_constructor_is_open(state_path):
    with simkit.Card(f"sim:{state_path}") as card:
        assert card.transmit("00A4040008" + ISD_AID)[1] == 0x9000
