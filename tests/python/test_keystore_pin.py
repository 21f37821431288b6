"""card.keystore and card.pin: keys generated on the card, signatures verified by
python3-cryptography, ECDH compared with python3-cryptography's own ECDH, the user PIN with its
tries, PIN-bound keys; failures as CardError / PinError / ValueError."""
import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

import simkit


def load_pem(card, slot):
    return serialization.load_pem_public_key(card.keystore.public_key_pem(slot).encode())


def test_generate_and_public_key_forms(card):
    point = card.keystore.generate(1)
    assert len(point) == 65 and point[0] == 0x04
    assert card.keystore.public_key(1) == point
    key = load_pem(card, 1)
    assert isinstance(key.curve, ec.SECP256R1)
    assert key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint) == point
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert card.keystore.public_key_der(1) == der
    assert card.keystore.generate(1) != point  # a new key replaces it


@pytest.mark.parametrize("full_text", [False, True])
def test_sign_verified_by_cryptography(card, full_text):
    card.keystore.generate(2)
    key = load_pem(card, 2)
    for message in (b"", b"hello", bytes(range(256)) * 4):
        der = card.keystore.sign(2, message, full_text=full_text)
        key.verify(der, message, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        assert r > 0 and s > 0
        with pytest.raises(InvalidSignature):
            key.verify(der, message + b"x", ec.ECDSA(hashes.SHA256()))
    # a memoryview / bytearray message is the same message
    key.verify(card.keystore.sign(2, bytearray(b"abc")), b"abc", ec.ECDSA(hashes.SHA256()))


def test_sign_digest(card):
    card.keystore.generate(3)
    digest = hashlib.sha256(b"prehashed").digest()
    der = card.keystore.sign_digest(3, digest)
    load_pem(card, 3).verify(der, b"prehashed", ec.ECDSA(hashes.SHA256()))
    with pytest.raises(ValueError):
        card.keystore.sign_digest(3, digest[:31])


def test_ecdh_matches_cryptography(card):
    card.keystore.generate(1)
    card_key = load_pem(card, 1)
    peer = ec.generate_private_key(ec.SECP256R1())
    expected = peer.exchange(ec.ECDH(), card_key)
    peer_pub = peer.public_key()
    pem = peer_pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    der = peer_pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    point = peer_pub.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    for form in (pem, pem.decode(), der, point, point.hex(), peer_pub):
        assert card.keystore.ecdh(1, form) == expected


def test_verify_on_the_card(card):
    software = ec.generate_private_key(ec.SECP256R1())
    card.keystore.put_public_key(5, software.public_key())
    signature = software.sign(b"from the host", ec.ECDSA(hashes.SHA256()))
    assert card.keystore.verify(5, b"from the host", signature) is True
    assert card.keystore.verify(5, b"something else", signature) is False


def test_random_and_list(card):
    a, b = card.keystore.random(32), card.keystore.random(32)
    assert len(a) == 32 and a != b
    assert len(card.keystore.random(600)) == 600
    with pytest.raises(ValueError):
        card.keystore.random(0)
    card.keystore.generate(4)
    objects = card.keystore.list()
    kinds = {(o["kind"], o["id"]) for o in objects}
    assert ("private_key", b"\x04") in kinds
    assert all(isinstance(o["label"], str) for o in objects)


def test_keystore_failures(card):
    with pytest.raises(simkit.CardError) as info:
        card.keystore.sign(4, b"no key in this slot yet")
    assert info.value.sw != 0x9000 and info.value.meaning
    with pytest.raises(simkit.CardError):
        card.keystore.public_key(9)
    with pytest.raises(ValueError):
        card.keystore.generate(-1)
    with pytest.raises(ValueError):
        card.keystore.generate(256)
    with pytest.raises(ValueError):
        card.keystore.sign(1, "text is not bytes")
    with pytest.raises(ValueError):
        card.keystore.ecdh(1, b"\x04" + bytes(64))  # not on the curve
    with pytest.raises(ValueError):
        card.keystore.ecdh(1, "-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----\n")


def test_pin_tries_verify_change(card):
    assert card.pin.tries_left == 3
    with pytest.raises(simkit.PinError) as info:
        card.pin.verify("0000")
    assert info.value.tries_left == 2 and not info.value.blocked
    assert info.value.sw == 0x63C2
    assert "0000" not in str(info.value)
    assert isinstance(info.value, simkit.CardError)
    card.pin.verify("1234")
    assert card.pin.tries_left is None  # verified
    card.pin.change("1234", "24680")
    card.reset()
    card.pin.verify("24680")
    with pytest.raises(ValueError):
        card.pin.verify("12a4")
    with pytest.raises(ValueError):
        card.pin.verify(1234)
    with pytest.raises(ValueError):
        card.pin.verify("123")


def test_pin_block_and_unblock(card):
    for left in (2, 1, 0):
        with pytest.raises(simkit.PinError) as info:
            card.pin.verify("9999")
    assert info.value.blocked or info.value.tries_left == 0
    with pytest.raises(simkit.PinError) as info:
        card.pin.verify("1234")  # blocked even with the right PIN
    assert info.value.blocked and info.value.sw == 0x6983
    with pytest.raises(simkit.PinError):
        card.pin.unblock("00000000", "4321")
    card.pin.unblock("12345678", "4321")
    card.reset()
    assert card.pin.tries_left == 3  # the counter is restored
    card.pin.verify("4321")


def test_pin_bound_key(card):
    card.keystore.generate(2, pin_bound=True)
    with pytest.raises(simkit.CardError) as info:
        card.keystore.sign(2, b"needs the PIN")
    assert info.value.sw == 0x6982
    card.pin.verify("1234")
    der = card.keystore.sign(2, b"needs the PIN")
    load_pem(card, 2).verify(der, b"needs the PIN", ec.ECDSA(hashes.SHA256()))
    # The key store has its own logical channel: basic-channel traffic and secure channels leave
    # the verified PIN in place.
    card.select("A000000151000000")
    with card.scp03(key="404142434445464748494A4B4C4D4E4F", kvn=0x30) as sc:
        assert sc.transmit("80F28002024F00")[1] == 0x9000
    card.keystore.sign(2, b"still verified")
    card.reset()  # a reset ends the verification
    with pytest.raises(simkit.CardError):
        card.keystore.sign(2, b"after reset")
