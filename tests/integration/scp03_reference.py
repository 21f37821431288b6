"""An independent SCP03 host (GlobalPlatform Card Spec 2.3 Amendment D), for checking the simulated
card's secure channel against a second implementation. It uses only python3-cryptography (AES-CMAC,
AES-ECB, AES-CBC) and shares no code with simkit.

    host = Scp03Host(enc, mac, dek, kvn=0x30)
    apdu = host.initialize_update(host_challenge)          # 80 50 KVN 00 08 <challenge> 00
    host.receive_initialize_update(response_data)           # raises CardCryptogramMismatch
    apdu = host.external_authenticate(0x33)                 # 84 82 33 00 10 <cryptogram> <C-MAC>
    wrapped = host.wrap(bytes.fromhex("80F28002024F0000"))
    plain = host.unwrap(response_data, sw)                  # raises ResponseMacMismatch

Only S8 mode (8-byte challenges, cryptograms and MACs) and short APDUs.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass

from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ISD_AID = bytes.fromhex("A000000151000000")

# Derivation constants, Amendment D table 4-1.
CARD_CRYPTOGRAM = 0x00
HOST_CRYPTOGRAM = 0x01
CARD_CHALLENGE = 0x02
S_ENC = 0x04
S_MAC = 0x06
S_RMAC = 0x07

# Security levels (bits of EXTERNAL AUTHENTICATE P1).
C_MAC = 0x01
C_DECRYPTION = 0x02
R_MAC = 0x10
R_ENCRYPTION = 0x20


class Scp03Error(AssertionError):
    """The card's answer does not satisfy the SCP03 rules."""


class CardCryptogramMismatch(Scp03Error):
    def __init__(self, expected: bytes, received: bytes):
        super().__init__(f"card cryptogram {received.hex().upper()} from the card, "
                         f"{expected.hex().upper()} computed from the static keys")
        self.expected, self.received = expected, received


class ResponseMacMismatch(Scp03Error):
    def __init__(self, expected: bytes, received: bytes, response: bytes):
        super().__init__(f"R-MAC {received.hex().upper()} from the card, {expected.hex().upper()} computed "
                         f"over response {response.hex().upper()}")
        self.expected, self.received = expected, received


def aes_cmac(key: bytes, data: bytes) -> bytes:
    c = cmac.CMAC(algorithms.AES(key))
    c.update(data)
    return c.finalize()


def aes_ecb_encrypt(key: bytes, block: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return encryptor.update(block) + encryptor.finalize()


def aes_cbc(key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return op.update(data) + op.finalize()


def kdf(key: bytes, constant: int, context: bytes, bits: int) -> bytes:
    """Amendment D 4.1.5: NIST SP 800-108 counter mode with AES-CMAC as PRF. Each PRF input is
    label (11 zero bytes) || constant || 00 || L (2 bytes, in bits) || i (1 byte, from 1) || context."""
    out = b""
    i = 1
    while len(out) * 8 < bits:
        block = bytes(11) + bytes([constant, 0]) + bits.to_bytes(2, "big") + bytes([i]) + context
        out += aes_cmac(key, block)
        i += 1
    return out[:bits // 8]


def pad80(data: bytes, block: int = 16) -> bytes:
    """ISO 9797-1 method 2: 80 then zeros up to a multiple of `block`, always at least one byte."""
    data += b"\x80"
    return data + bytes(-len(data) % block)


def unpad80(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise Scp03Error(f"decrypted response {data.hex().upper()} lacks 80 00.. padding")
    return stripped[:-1]


@dataclass
class InitializeUpdateResponse:
    kdd: bytes
    kvn: int
    scp: int
    i: int
    card_challenge: bytes
    card_cryptogram: bytes
    sequence_counter: bytes | None

    @classmethod
    def parse(cls, data: bytes) -> "InitializeUpdateResponse":
        if len(data) not in (29, 32):
            raise Scp03Error(f"INITIALIZE UPDATE answer {data.hex().upper()} has {len(data)} bytes, "
                             "expected 29 or 32 (S8 mode)")
        i = data[12]
        counter = data[29:32] if i & 0x10 else None
        if bool(i & 0x10) != (len(data) == 32):
            raise Scp03Error(f"i={i:02X} and answer length {len(data)} disagree about the sequence counter")
        return cls(data[:10], data[10], data[11], i, data[13:21], data[21:29], counter)


def parse_command(apdu: bytes) -> tuple[bytes, bytes, bytes | None]:
    """Splits a short command APDU into (header, data, Le or None)."""
    if len(apdu) < 4:
        raise ValueError(f"APDU {apdu.hex()} shorter than its header")
    header, body = apdu[:4], apdu[4:]
    if not body:
        return header, b"", None                       # case 1
    if len(body) == 1:
        return header, b"", body                       # case 2
    lc = body[0]
    if lc == 0 or len(body) not in (1 + lc, 2 + lc):
        raise ValueError(f"APDU {apdu.hex()}: Lc {lc} does not fit its length")
    return header, body[1:1 + lc], (body[1 + lc:] or None)  # case 3 / 4


class Scp03Host:
    """The host side of one SCP03 session at a time (a new initialize_update starts over)."""

    def __init__(self, enc: bytes, mac: bytes, dek: bytes | None = None, kvn: int = 0x30):
        if len(enc) not in (16, 24, 32) or len(mac) != len(enc):
            raise ValueError("static ENC and MAC keys must be AES keys of one length")
        self.static_enc, self.static_mac, self.static_dek, self.kvn = enc, mac, dek, kvn
        self.host_challenge: bytes | None = None
        self.card: InitializeUpdateResponse | None = None
        self.level = 0
        self.authenticated = False

    # --- authentication ------------------------------------------------------------------------
    def initialize_update(self, host_challenge: bytes) -> bytes:
        if len(host_challenge) != 8:
            raise ValueError("host challenge must be 8 bytes (S8 mode)")
        self.host_challenge = host_challenge
        self.card = None
        self.authenticated = False
        return bytes([0x80, 0x50, self.kvn, 0x00, 0x08]) + host_challenge + b"\x00"

    def receive_initialize_update(self, data: bytes, verify: bool = True) -> InitializeUpdateResponse:
        """Derives the session keys from the card's answer and checks its cryptogram (unless
        verify=False: then `card_cryptogram_ok` says whether it matched)."""
        card = InitializeUpdateResponse.parse(data)
        if card.scp != 0x03:
            raise Scp03Error(f"INITIALIZE UPDATE answer names SCP {card.scp:02X}, not 03")
        self.card = card
        context = self.host_challenge + card.card_challenge
        bits = len(self.static_enc) * 8
        self.s_enc = kdf(self.static_enc, S_ENC, context, bits)
        self.s_mac = kdf(self.static_mac, S_MAC, context, bits)
        self.s_rmac = kdf(self.static_mac, S_RMAC, context, bits)
        self.expected_card_cryptogram = kdf(self.s_mac, CARD_CRYPTOGRAM, context, 64)
        self.host_cryptogram = kdf(self.s_mac, HOST_CRYPTOGRAM, context, 64)
        self.card_cryptogram_ok = hmac.compare_digest(self.expected_card_cryptogram, card.card_cryptogram)
        if verify and not self.card_cryptogram_ok:
            raise CardCryptogramMismatch(self.expected_card_cryptogram, card.card_cryptogram)
        return card

    def expected_pseudo_random_challenge(self, aid: bytes = ISD_AID) -> bytes:
        """Amendment D 6.2.2.1: the card challenge of i=70 cards, from the sequence counter and AID."""
        return kdf(self.static_enc, CARD_CHALLENGE, self.card.sequence_counter + aid, 64)

    def external_authenticate(self, level: int) -> bytes:
        """EXTERNAL AUTHENTICATE with the host cryptogram; MACed, never encrypted. Starts the
        MAC chaining and the encryption counter."""
        if self.card is None:
            raise ValueError("no INITIALIZE UPDATE answer yet")
        self.level = level
        self.chaining = bytes(16)
        self.counter = 0
        header = bytes([0x84, 0x82, level, 0x00, 0x10])
        full = aes_cmac(self.s_mac, self.chaining + header + self.host_cryptogram)
        self.chaining = full
        self.last_cmac = full
        self.authenticated = True
        return header + self.host_cryptogram + full[:8]

    # --- wrapping --------------------------------------------------------------------------------
    def wrap(self, apdu: bytes) -> bytes:
        header, data, le = parse_command(apdu)
        self.counter += 1
        cla = header[0] | 0x04
        if self.level & C_DECRYPTION and data:
            icv = aes_ecb_encrypt(self.s_enc, self.counter.to_bytes(16, "big"))
            data = aes_cbc(self.s_enc, icv, pad80(data), encrypt=True)
        lc = len(data) + 8
        if lc > 255:
            raise ValueError("wrapped command too long for a short APDU")
        mac_input = bytes([cla]) + header[1:] + bytes([lc]) + data
        full = aes_cmac(self.s_mac, self.chaining + mac_input)
        self.chaining = full
        self.last_cmac = full
        return mac_input + full[:8] + (le or b"")

    def unwrap(self, data: bytes, sw: int) -> bytes:
        """Checks the R-MAC and decrypts the answer to the last wrapped command."""
        sw1 = sw >> 8
        if not (sw == 0x9000 or sw1 in (0x62, 0x63)):
            if data:
                raise Scp03Error(f"error status {sw:04X} came with data {data.hex().upper()}")
            return b""
        if self.level & R_MAC:
            if len(data) < 8:
                raise Scp03Error(f"answer {data.hex().upper()} {sw:04X} too short for an R-MAC")
            data, received = data[:-8], data[-8:]
            expected = aes_cmac(self.s_rmac, self.last_cmac + data + sw.to_bytes(2, "big"))[:8]
            if not hmac.compare_digest(expected, received):
                raise ResponseMacMismatch(expected, received, data)
        if self.level & R_ENCRYPTION and data:
            if len(data) % 16:
                raise Scp03Error(f"encrypted answer {data.hex().upper()} not a multiple of 16 bytes")
            block = bytearray(self.counter.to_bytes(16, "big"))
            block[0] = 0x80
            icv = aes_ecb_encrypt(self.s_enc, bytes(block))
            data = unpad80(aes_cbc(self.s_enc, icv, data, encrypt=False))
        return data
