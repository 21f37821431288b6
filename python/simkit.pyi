"""Type stubs of the simkit module (python/src/*.cpp, pybind11). Installed next to the module."""
from __future__ import annotations

import os
from typing import Any, Iterable, Literal, Mapping, Optional, Sequence, TypedDict, Union, overload

__version__: str
FACTORY_KEY: str
ISD_AID: bytes
KEYSTORE_AID: bytes

# bytes-like, or hex text ("A0 00 00 01 51", "a0:00", "0xA000")
BytesOrHex = Union[bytes, bytearray, memoryview, str]
# A P-256 public key: 65-byte point (04 X Y), SubjectPublicKeyInfo DER or PEM, or a
# cryptography EllipticCurvePublicKey.
PublicKeyLike = Union[bytes, bytearray, memoryview, str, Any]
Level = Union[Literal["mac", "mac-enc", "full"], str, int]
Byte = Union[int, str]


class Error(Exception): ...

class CardError(Error):
    sw: int
    meaning: str

class PinError(CardError):
    tries_left: Optional[int]
    blocked: bool

class TransportError(Error): ...
class SecureChannelError(Error): ...
class ArgumentError(Error, ValueError): ...
class StateError(Error): ...
class CryptoError(Error): ...
class JournalError(Error): ...
class ClosedError(Error, ValueError): ...

class PersonalizationError(Error):
    record: CardRecord


class MilenageValues(TypedDict):
    opc: bytes
    mac_a: bytes
    mac_s: bytes
    res: bytes
    ck: bytes
    ik: bytes
    ak: bytes
    ak_star: bytes
    sres: bytes
    kc: bytes


class DerivedKeys(TypedDict):
    scheme: str
    enc: bytes
    mac: bytes
    dek: bytes
    kcv_enc: bytes
    kcv_mac: bytes
    kcv_dek: bytes


class AkaResult(TypedDict, total=False):
    result: Literal["ok", "sync_failure", "mac_failure"]
    res: bytes
    ck: bytes
    ik: bytes
    kc: bytes
    auts: bytes


class GsmResult(TypedDict):
    sres: bytes
    kc: bytes


class CardRecord(TypedDict):
    iccid: str
    status: Literal["ok", "failed"]
    kvn: str
    kcv_enc: str
    kcv_mac: str
    kcv_dek: str
    kdd: str
    device_public_key: Optional[str]
    resumed: bool
    error: Optional[str]


class BadRow(TypedDict):
    line: int
    message: str


class BatchResult(TypedDict):
    ok: int
    failed: int
    already_done: int
    bad_rows: list[BadRow]
    records: list[CardRecord]


class KeyStoreObject(TypedDict):
    kind: Literal["private_key", "public_key", "secret", "file"]
    id: bytes
    label: str
    state: Optional[int]
    pin_bound: Optional[bool]
    file_size: Optional[int]


def open(uri: Optional[str] = None) -> Card:
    """Open the card a URI names: sim:PATH, pcsc:NAME|INDEX, at:DEVICE (default $SIMKIT_CARD)."""

def card_uri_forms() -> str: ...
def sw_meaning(sw: int) -> str: ...

def derive(scheme: Literal["emv", "visa2", "kdf3"] | str, master: BytesOrHex, kdd: BytesOrHex) -> DerivedKeys:
    """A card's static keys diversified from a master key and its KDD, with KCVs."""

def milenage(k: BytesOrHex, rand: BytesOrHex, sqn: BytesOrHex, amf: BytesOrHex, *,
             opc: Optional[BytesOrHex] = None, op: Optional[BytesOrHex] = None) -> MilenageValues:
    """MILENAGE (TS 35.206): the keys of `simkit milenage --json`, values as bytes."""

def autn(k: BytesOrHex, rand: BytesOrHex, sqn: BytesOrHex, amf: BytesOrHex, *,
         opc: Optional[BytesOrHex] = None, op: Optional[BytesOrHex] = None) -> bytes:
    """AUTN = (SQN xor AK) || AMF || MAC-A."""

def sqn_from_auts(k: BytesOrHex, rand: BytesOrHex, auts: BytesOrHex, *,
                  opc: Optional[BytesOrHex] = None, op: Optional[BytesOrHex] = None) -> Optional[bytes]:
    """SQN_MS from AUTS, or None when MAC-S does not verify."""

@overload
def personalize(card: Union[Card, str, None] = None, *, iccid: str, imsi: str, ki: BytesOrHex, opc: BytesOrHex,
                pin: Optional[str] = None, puk: Optional[str] = None, device_key_slot: Optional[int] = None,
                master: BytesOrHex, scheme: str = "kdf3", scp_key: BytesOrHex = ..., current_kvn: Byte = 0x30,
                new_kvn: Byte = 0x31, check: bool = True) -> CardRecord: ...
@overload
def personalize(card: None = None, *, batch: Union[str, os.PathLike[str], Iterable[Mapping[str, Any]]],
                sim_dir: Union[str, os.PathLike[str]], master: BytesOrHex, journal: Union[str, os.PathLike[str], None] = None,
                resume: bool = False, jobs: int = 4, out: Union[str, os.PathLike[str], None] = None,
                on_error: Literal["skip", "stop"] = "skip", scheme: str = "kdf3", scp_key: BytesOrHex = ...,
                current_kvn: Byte = 0x30, new_kvn: Byte = 0x31) -> BatchResult: ...


class Card:
    """A card opened with simkit.open(uri); a context manager."""
    def __init__(self, uri: Optional[str] = None) -> None: ...
    def transmit(self, apdu: BytesOrHex, *, raw: bool = False, check: bool = False) -> tuple[bytes, int]: ...
    def send(self, cla: int, ins: int, p1: int, p2: int, data: Optional[BytesOrHex] = None, ne: int = 0, *,
             check: bool = True) -> tuple[bytes, int]: ...
    def select(self, aid: BytesOrHex, *, check: bool = True) -> bytes: ...
    @property
    def atr(self) -> bytes: ...
    @property
    def uri(self) -> str: ...
    @property
    def description(self) -> str: ...
    def reset(self) -> None: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> Card: ...
    def __exit__(self, *exc: Any) -> None: ...
    def scp03(self, key: Optional[BytesOrHex] = None, *, enc: Optional[BytesOrHex] = None,
              mac: Optional[BytesOrHex] = None, dek: Optional[BytesOrHex] = None,
              master: Optional[BytesOrHex] = None, derive: Optional[str] = None, kvn: Byte = 0,
              level: Level = "full", s16: bool = False, aid: Optional[BytesOrHex] = None,
              host_challenge: Optional[BytesOrHex] = None) -> SecureChannel: ...
    def scp02(self, key: Optional[BytesOrHex] = None, *, enc: Optional[BytesOrHex] = None,
              mac: Optional[BytesOrHex] = None, dek: Optional[BytesOrHex] = None,
              master: Optional[BytesOrHex] = None, derive: Optional[str] = None, kvn: Byte = 0,
              level: Level = "mac-enc", aid: Optional[BytesOrHex] = None,
              host_challenge: Optional[BytesOrHex] = None) -> SecureChannel: ...
    @property
    def keystore(self) -> KeyStore: ...
    @property
    def pin(self) -> Pin: ...
    @property
    def usim(self) -> Usim: ...
    def aka(self, rand: BytesOrHex, autn: BytesOrHex) -> AkaResult: ...


class SecureChannel:
    """An open SCP03/SCP02 channel; a context manager."""
    def transmit(self, apdu: BytesOrHex, *, check: bool = False) -> tuple[bytes, int]: ...
    def close(self) -> None: ...
    def __enter__(self) -> SecureChannel: ...
    def __exit__(self, *exc: Any) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def protocol(self) -> Literal["scp03", "scp02"]: ...
    @property
    def level(self) -> int: ...
    @property
    def kvn(self) -> int: ...
    @property
    def kdd(self) -> bytes: ...
    @property
    def initialize_update_response(self) -> bytes: ...
    @property
    def handshake(self) -> list[tuple[bytes, bytes]]: ...
    @property
    def last_wrapped(self) -> Optional[tuple[bytes, bytes]]: ...


class KeyStore:
    """The IoT SAFE key store (card.keystore)."""
    def generate(self, slot: int, *, pin_bound: bool = False) -> bytes: ...
    def public_key(self, slot: int) -> bytes: ...
    def public_key_der(self, slot: int) -> bytes: ...
    def public_key_pem(self, slot: int) -> str: ...
    def sign(self, slot: int, data: Union[bytes, bytearray, memoryview], *, full_text: bool = False) -> bytes: ...
    def sign_digest(self, slot: int, digest: BytesOrHex) -> bytes: ...
    def verify(self, slot: int, data: Union[bytes, bytearray, memoryview], signature: BytesOrHex) -> bool: ...
    def put_public_key(self, slot: int, key: PublicKeyLike) -> None: ...
    def ecdh(self, slot: int, peer: PublicKeyLike) -> bytes: ...
    def random(self, count: int) -> bytes: ...
    def list(self) -> list[KeyStoreObject]: ...


class Pin:
    """The user PIN (card.pin)."""
    def verify(self, pin: Union[str, bytes]) -> None: ...
    def change(self, old_pin: Union[str, bytes], new_pin: Union[str, bytes]) -> None: ...
    def unblock(self, puk: Union[str, bytes], new_pin: Union[str, bytes]) -> None: ...
    @property
    def tries_left(self) -> Optional[int]: ...


class Usim:
    """The USIM (card.usim)."""
    def iccid(self) -> str: ...
    def imsi(self) -> str: ...
    def read_file(self, path: Union[str, Sequence[int]]) -> bytes: ...
    def authenticate(self, rand: BytesOrHex, autn: BytesOrHex) -> AkaResult: ...
    def authenticate_gsm(self, rand: BytesOrHex) -> GsmResult: ...
