"""card.scp03() / card.scp02(): the key forms of `simkit scp03` (one key, enc/mac/dek, master +
derive), levels, KVN, context managers; a wrong key raises SecureChannelError; the wrapped traffic
equals what an independent SCP03 host (tests/integration/scp03_reference.py, python3-cryptography
only) computes for the same session."""
import os

import pytest

import simkit
from ber_tlv import tlv_read
from conftest import FACTORY_KEY, ISD_AID
from scp03_reference import Scp03Host

GET_STATUS_ISD = "80F28002024F00"


def get_status_ok(sc):
    data, sw = sc.transmit(GET_STATUS_ISD)
    assert sw == 0x9000
    [(tag, entry)] = tlv_read(data)
    assert tag == 0xE3 and (0x4F, bytes.fromhex(ISD_AID)) in tlv_read(entry)


def test_scp03_full_level(card):
    with card.scp03(key=FACTORY_KEY, kvn=0x30, level="full") as sc:
        assert sc.protocol == "scp03" and sc.level == 0x33 and sc.kvn == 0x30
        assert len(sc.kdd) == 10
        assert not sc.closed
        get_status_ok(sc)
        wrapped_command, wrapped_response = sc.last_wrapped
        assert wrapped_command[0] == 0x84  # secure messaging indicated
        assert bytes.fromhex(GET_STATUS_ISD[10:]) not in wrapped_command  # C-DECRYPTION hides the data
    assert sc.closed
    with pytest.raises(simkit.ClosedError):
        sc.transmit(GET_STATUS_ISD)


@pytest.mark.parametrize("level,value", [("mac", 0x01), ("mac-enc", 0x03), ("full", 0x33), (0x11, 0x11),
                                         ("13", 0x13), (0x33, 0x33), ("01", 0x01)])
def test_scp03_levels(card, level, value):
    with card.scp03(FACTORY_KEY, kvn="30", level=level) as sc:
        assert sc.level == value
        get_status_ok(sc)


def test_scp03_three_keys_and_default_kvn(card):
    with card.scp03(enc=FACTORY_KEY, mac=bytes.fromhex(FACTORY_KEY), dek=FACTORY_KEY) as sc:
        get_status_ok(sc)
        assert sc.kvn == 0x30  # the card's default key set
    with card.scp03(key=FACTORY_KEY, kvn=0x30, s16=False, aid=ISD_AID) as sc:
        get_status_ok(sc)


def test_scp03_wrong_key_raises_secure_channel_error(card):
    wrong = "00112233445566778899AABBCCDDEEFF"
    with pytest.raises(simkit.SecureChannelError) as info:
        card.scp03(key=wrong, kvn=0x30)
    assert "cryptogram" in str(info.value)
    assert wrong not in str(info.value) and wrong.lower() not in str(info.value)
    # the card is still fine afterwards
    with card.scp03(key=FACTORY_KEY, kvn=0x30) as sc:
        get_status_ok(sc)


def test_unknown_kvn_is_a_card_error(card):
    with pytest.raises(simkit.CardError) as info:
        card.scp03(key=FACTORY_KEY, kvn=0x7E)
    assert info.value.sw == 0x6A88


@pytest.mark.parametrize("kwargs", [
    {},                                                        # no key
    {"key": FACTORY_KEY, "enc": FACTORY_KEY},                  # two forms
    {"enc": FACTORY_KEY, "mac": FACTORY_KEY},                  # dek missing
    {"key": "4041424344"},                                     # 5 bytes
    {"key": "ZZ" * 16},                                        # not hex
    {"key": FACTORY_KEY, "level": "bogus"},
    {"key": FACTORY_KEY, "level": 0x02},                       # not an SCP03 level
    {"key": FACTORY_KEY, "kvn": 300},
    {"key": FACTORY_KEY, "kvn": "3030"},
    {"master": FACTORY_KEY},                                   # derive missing
    {"master": FACTORY_KEY, "derive": "rot13"},
    {"key": 12345},
])
def test_bad_arguments_are_value_errors(card, kwargs):
    with pytest.raises(ValueError) as info:
        card.scp03(**kwargs)
    assert "ZZZZ" not in str(info.value)
    # checked before the card is touched: no channel half-open
    with card.scp03(key=FACTORY_KEY, kvn=0x30) as sc:
        get_status_ok(sc)


def test_scp02_level_check(card):
    with pytest.raises(ValueError):
        card.scp02(key=FACTORY_KEY, level="full33")
    with pytest.raises(ValueError):
        card.scp02(key=FACTORY_KEY, level=0x33)  # SCP02 knows 01 and 03 only


def test_traffic_matches_the_independent_host(state_path):
    """The same session computed by scp03_reference.Scp03Host: INITIALIZE UPDATE, EXTERNAL
    AUTHENTICATE and every wrapped command byte for byte, every answer unwrapped alike. The card
    runs T=1 here, so the handshake is exactly three exchanges (no GET RESPONSE between)."""
    host_challenge = os.urandom(8)
    key = bytes.fromhex(FACTORY_KEY)
    with simkit.open(f"sim:{state_path}?t1=1") as card, card.scp03(key=key, kvn=0x30, level="full", host_challenge=host_challenge) as sc:
        select, init_update, external_authenticate = sc.handshake
        assert select[0] == bytes.fromhex("00A4040000")
        host = Scp03Host(key, key, key, kvn=0x30)
        assert init_update[0] == host.initialize_update(host_challenge)
        assert init_update[1][-2:] == b"\x90\x00"
        host.receive_initialize_update(init_update[1][:-2])  # checks the card cryptogram
        assert sc.initialize_update_response == init_update[1][:-2]
        assert external_authenticate[0] == host.external_authenticate(0x33)
        assert external_authenticate[1] == b"\x90\x00"
        for plain in ("80F28002024F0000", "80CA006600", "80CA00E000", "80CAFFFF00"):
            data, sw = sc.transmit(plain)
            wrapped_command, wrapped_response = sc.last_wrapped
            assert wrapped_command == host.wrap(bytes.fromhex(plain)), plain
            wire_sw = int.from_bytes(wrapped_response[-2:], "big")
            assert wire_sw == sw
            assert host.unwrap(wrapped_response[:-2], wire_sw) == data, plain


def test_diversified_keys_after_personalization(card):
    master = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
    record = simkit.personalize(card, iccid="8988211000000001001", imsi="001010000000100", ki=os.urandom(16),
                                opc=os.urandom(16), master=master, scheme="kdf3")
    with card.scp03(master=master, derive="kdf3", kvn=0x31) as sc:
        get_status_ok(sc)
        keys = simkit.derive("kdf3", master, sc.kdd)
        assert sc.kdd.hex() == record["kdd"]
    assert keys["kcv_enc"].hex() == record["kcv_enc"]
    with card.scp03(enc=keys["enc"], mac=keys["mac"], dek=keys["dek"], kvn=0x31) as sc:
        get_status_ok(sc)
    with pytest.raises(simkit.CardError):  # the factory key set is gone
        card.scp03(key=FACTORY_KEY, kvn=0x30)


def test_scp02_with_an_emv_key_set(card):
    """personalize(scheme='emv') gives the card an SCP02 (3DES) key set diversified with EMV CPS."""
    master = bytes.fromhex("404142434445464748494A4B4C4D4E4F")
    simkit.personalize(card, iccid="8988211000000001001", imsi="001010000000100", ki=os.urandom(16),
                       opc=os.urandom(16), master=master, scheme="emv")
    for level, value in (("mac", 0x01), ("mac-enc", 0x03), ("full", 0x03)):
        with card.scp02(master=master, derive="emv", kvn=0x31, level=level) as sc:
            assert sc.protocol == "scp02" and sc.level == value
            get_status_ok(sc)
            keys = simkit.derive("emv", master, sc.kdd)
    with card.scp02(enc=keys["enc"], mac=keys["mac"], dek=keys["dek"], kvn=0x31) as sc:
        get_status_ok(sc)
    with pytest.raises(simkit.SecureChannelError):
        card.scp02(key="00112233445566778899AABBCCDDEEFF", kvn=0x31)
    with pytest.raises(simkit.SecureChannelError):  # SCP03 asked, the card answers SCP02
        card.scp03(master=master, derive="kdf3", kvn=0x31)


def test_closing_the_card_ends_its_channels(state_path):
    card = simkit.open(f"sim:{state_path}")
    sc = card.scp03(key=FACTORY_KEY, kvn=0x30)
    get_status_ok(sc)
    card.close()
    assert sc.closed
    with pytest.raises(simkit.ClosedError):
        sc.transmit(GET_STATUS_ISD)
    sc.close()


def test_bad_apdu_in_a_channel(card):
    with card.scp03(key=FACTORY_KEY, kvn=0x30) as sc:
        with pytest.raises(ValueError):
            sc.transmit("80F2")
        with pytest.raises(ValueError):
            sc.transmit("80F28002054F00")  # Lc says 5, one byte follows
        get_status_ok(sc)  # a refused argument leaves the channel usable
        with pytest.raises(simkit.CardError):
            sc.transmit("80CAFFFF00", check=True)
