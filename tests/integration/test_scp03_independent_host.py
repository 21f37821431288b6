"""SCP03 against a second, independent host (issue 7): tests/integration/scp03_reference.py, written
from GlobalPlatform Amendment D with python3-cryptography only, authenticates to the simulated card
served by simkit-card to a private pcscd (vpcd) and exchanges wrapped commands through pyscard.

The reference host first proves itself on pySim's published SCP03 vectors (osmocom pySim,
tests/unittests/test_globalplatform.py); then every card answer is checked by it alone. Each card
test runs on a fresh state file in tmp_path behind its own pcscd.
"""
from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from ber_tlv import tlv_read  # noqa: E402
from pcscd_env import default_bin_dir, pcscd_env_or_skip  # noqa: E402
from scp03_reference import (ISD_AID, CardCryptogramMismatch, Scp03Host, parse_command)  # noqa: E402

BIN = default_bin_dir()
PYTHON = "/usr/bin/python3"
FACTORY_KEY = bytes.fromhex("404142434445464748494A4B4C4D4E4F")
FACTORY_KVN = 0x30
SELECT_ISD = bytes.fromhex("00A4040008") + ISD_AID
GET_STATUS_ISD = bytes.fromhex("80F28002024F0000")
GET_CARD_RECOGNITION = bytes.fromhex("80CA006600")
GET_DATA_UNKNOWN = bytes.fromhex("80CA007700")

# --- 1. the reference host against pySim's vectors ------------------------------------------------
# osmocom pySim tests/unittests/test_globalplatform.py: key sets KVN 30/31/32, enc 0001.., mac 1011..
PYSIM_KEYS = {
    16: ("000102030405060708090a0b0c0d0e0f", "101112131415161718191a1b1c1d1e1f"),
    24: ("000102030405060708090a0b0c0d0e0f0001020304050607", "101112131415161718191a1b1c1d1e1f1011121314151617"),
    32: ("000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f",
         "101112131415161718191a1b1c1d1e1f101112131415161718191a1b1c1d1e1f"),
}
PYSIM_DEK_128 = bytes.fromhex("202122232425262728292a2b2c2d2e2f")
PYSIM_GET_EID = "80E2910006BF3E035C015A00"
PYSIM_EID = "bf3e125a1089882119900000000000000000000005"
PYSIM_CASES = ["80F22002", "80ca006600", "80F220020a4f0212345c054f9f70c5", "80f28002024f0000"]
# (key length, INITIALIZE UPDATE, its answer, EXTERNAL AUTHENTICATE, wrapped GET EID, its wrapped answer,
#  wrapped case 1..4 APDUs in that order after it)
PYSIM_SESSIONS = {
    "aes128-11": (16, "8050300008b13e5f938fc108c400",
                  "000000000000000000003003703eb51047495b249f66c484c1d2ef1948000002",
                  "84821100107d5f5826a993ebc89eea24957fa0b3ce", "84e291000ebf3e035c015a558d036518a2829700",
                  "bf3e125a1089882119900000000000000000000005971be68992dbbdfa",
                  ["84f220020863a63f8959827fb2", "84ca006608a0c6a4a74166f7ce00",
                   "84f22002124f0212345c054f9f70c52249b50272656536", "84f280020a4f00e91443f6dce6b8ed00"]),
    "aes128-03": (16, "80503000088e1552d0513c60f300",
                  "0000000000000000000030037030760cd2c47c1dd395065fe5ead8a9d7000001",
                  "8482030010fd4721a14d9b07003c451d2f8ae6bb21",
                  "84e2910018ca9c00f6713d79bc8baa642bdff51c3f6a4082d3bd9ad26c00", PYSIM_EID,
                  ["84f2200208c9811b11f1264cf1", "84ca006608e10ab60b3054798800",
                   "84f22002184e2908bdb48b2315a55482e9e936ca122d6ecfae7d17416e",
                   "84f28002180dd10a6b6193e5340b9e77d32d5a179cd710ac2773aefb2800"]),
    "aes192-33": (24, "80503100089b3f2eef0e8c937400",
                  "00000000000000000000310370f6bb305a15bae1a68f79fb08212fbed7000002",
                  "84823300109100bc22d58b45b86a26365ce39ff3cf",
                  "84e29100188f7f946c84f70d17994bc6e8791251bb1bb1bf02cf8de58900",
                  "c05176c1b6f72aae50c32cbee63b0e95998928fd4dfb2be9f27ffde8c8476f5909b4805cc4039599",
                  ["84f2200208d5d97754b6b3d2ba", "84ca006608516c82b8e30adbeb00",
                   "84f2200218cc247f4761e6944277a4e0d6e32e44025b1e31537e2fc668",
                   "84f2800218ba22b63d509bef5d093b43e5eaed03ed23144ab2d9cb51de00"]),
    "aes256-33": (32, "805032000897b2055fe58599fd00",
                  "00000000000000000000320370a8439a22cedf045fa9f1903b2834f26e000002",
                  "8482330010508a0fd959d2e547c6b33154a6be2057",
                  "84e29100187a5ef717eaf1e135ae92fe54429d0e465decda65f5fe5aea00",
                  "ea90dbfa648a67c5eb6abc57f8530b97d0cd5647c5e8732016b55203b078dd2ace7f8bc5d1c1cd99",
                  ["84f2200208bcc5c17275545d93", "84ca00660804806aba9d543bb600",
                   "84f2200218717222491556ec81a45f49ce48be33320024801a1c4cb0e0",
                   "84f2800218561f105bccd3a1642904b251ccc1228beb80a82370a8637000"]),
}


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def test_reference_host_reproduces_pysim_level_33_session():
    host = Scp03Host(h(PYSIM_KEYS[16][0]), h(PYSIM_KEYS[16][1]), PYSIM_DEK_128, kvn=0x30)
    assert host.initialize_update(h("fdf38259a1e0de44")).hex() == "8050300008fdf38259a1e0de4400"
    card = host.receive_initialize_update(h("000000000000000000003003703b1aca81e821f219081cdc01c26b372d000003"))
    assert (card.kvn, card.i, card.sequence_counter) == (0x30, 0x70, h("000003"))
    assert host.external_authenticate(0x33).hex() == "84823300108c36f96bcc00724a4e13ad591d7da3f0"
    assert host.wrap(h(PYSIM_GET_EID)).hex() == "84e2910018267a85dfe4a98fca6fb0527e0dfecce4914e40401433c87f00"
    answer = h("f3ba2b1013aa6224f5e1c138d71805c569e5439b47576260b75fc021b25097cb2e68f8a0144975b9")
    assert host.unwrap(answer, 0x9000).hex() == PYSIM_EID
    assert host.wrap(h("80F22002")).hex() == "84f2200208ac6a59024bed84cc"


def test_reference_host_rejects_a_flipped_card_cryptogram_and_r_mac():
    host = Scp03Host(h(PYSIM_KEYS[16][0]), h(PYSIM_KEYS[16][1]), kvn=0x30)
    host.initialize_update(h("fdf38259a1e0de44"))
    bad = bytearray(h("000000000000000000003003703b1aca81e821f219081cdc01c26b372d000003"))
    bad[28] ^= 0x01
    with pytest.raises(CardCryptogramMismatch):
        host.receive_initialize_update(bytes(bad))
    host.receive_initialize_update(h("000000000000000000003003703b1aca81e821f219081cdc01c26b372d000003"))
    host.external_authenticate(0x33)
    host.wrap(h(PYSIM_GET_EID))
    answer = bytearray(h("f3ba2b1013aa6224f5e1c138d71805c569e5439b47576260b75fc021b25097cb2e68f8a0144975b9"))
    answer[0] ^= 0x80
    with pytest.raises(AssertionError, match="R-MAC"):
        host.unwrap(bytes(answer), 0x9000)


@pytest.mark.parametrize("name", sorted(PYSIM_SESSIONS))
def test_reference_host_reproduces_pysim_sessions(name):
    keylen, init_update, init_answer, ext_auth, get_eid, get_eid_answer, cases = PYSIM_SESSIONS[name]
    enc, mac = PYSIM_KEYS[keylen]
    host = Scp03Host(h(enc), h(mac), kvn=h(init_update)[2])
    assert host.initialize_update(h(init_update)[5:13]).hex() == init_update
    host.receive_initialize_update(h(init_answer))
    assert host.external_authenticate(h(ext_auth)[2]).hex() == ext_auth
    assert host.wrap(h(PYSIM_GET_EID)).hex() == get_eid
    assert host.unwrap(h(get_eid_answer), 0x9000).hex() == PYSIM_EID
    assert [host.wrap(h(plain)).hex() for plain in PYSIM_CASES] == cases


# --- the card over pcscd ----------------------------------------------------------------------------
# A pyscard client in its own process (PCSCLITE_CSOCK_NAME must reach libpcsclite before it loads):
# one hex APDU per stdin line, one hex answer (data || SW) per stdout line, T=1, card reset at the end.
PYSCARD_RELAY = r"""
import sys
from smartcard.System import readers
from smartcard.CardConnection import CardConnection
from smartcard.scard import SCARD_RESET_CARD
name = sys.argv[1]
reader = [r for r in readers() if str(r) == name][0]
connection = reader.createConnection()
connection.connect(CardConnection.T1_protocol, disposition=SCARD_RESET_CARD)
print("ready", flush=True)
for line in sys.stdin:
    data, sw1, sw2 = connection.transmit(list(bytes.fromhex(line.strip())))
    print(bytes(list(data) + [sw1, sw2]).hex(), flush=True)
connection.disconnect()
"""


class PcscCard:
    """The served card through pyscard; keeps a transcript for failure messages."""

    def __init__(self, env):
        self.env = env
        self.transcript: list[str] = []
        self.proc = subprocess.Popen([PYTHON, "-c", PYSCARD_RELAY, env.reader_name], env=env.environ,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            self.close()
            raise AssertionError(f"pyscard relay did not connect: {self.proc.stderr.read()}\n{env.logs()}")

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.proc.stdin.write(apdu.hex() + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline().strip()
        if not line:
            self.close()
            raise AssertionError(f"pyscard relay died on {apdu.hex().upper()}: {self.proc.stderr.read()}\n"
                                 + self.env.logs())
        answer = bytes.fromhex(line)
        self.transcript.append(f"> {apdu.hex().upper()}\n< {answer.hex().upper()}")
        return answer[:-2], int.from_bytes(answer[-2:], "big")

    def trace(self) -> str:
        return "\n".join(self.transcript)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture
def card(tmp_path):
    """A fresh factory card (simkit-card init in tmp_path) served through a private pcscd."""
    state = tmp_path / "card.state"
    subprocess.run([str(BIN / "simkit-card"), "init", "--state", str(state)], check=True, capture_output=True)
    with pcscd_env_or_skip(BIN, state_path=state) as env:
        reader = PcscCard(env)
        try:
            yield reader
        finally:
            reader.close()


def open_session(card: PcscCard, host: Scp03Host, level: int, host_challenge: bytes | None = None):
    """SELECT ISD, INITIALIZE UPDATE (cryptogram and i=70 challenge checked), EXTERNAL AUTHENTICATE."""
    data, sw = card.transmit(SELECT_ISD)
    assert sw == 0x9000, f"SELECT ISD answered {sw:04X}\n{card.trace()}"
    data, sw = card.transmit(host.initialize_update(host_challenge or os.urandom(8)))
    assert sw == 0x9000, f"INITIALIZE UPDATE answered {sw:04X}\n{card.trace()}"
    answer = host.receive_initialize_update(data)
    assert (answer.kvn, answer.scp, answer.i) == (FACTORY_KVN, 0x03, 0x70), card.trace()
    assert answer.card_challenge == host.expected_pseudo_random_challenge(), (
        f"card challenge {answer.card_challenge.hex().upper()} is not KDF(ENC, 02, "
        f"{answer.sequence_counter.hex().upper()} || {ISD_AID.hex().upper()}) = "
        f"{host.expected_pseudo_random_challenge().hex().upper()}\n{card.trace()}")
    data, sw = card.transmit(host.external_authenticate(level))
    assert (data, sw) == (b"", 0x9000), f"EXTERNAL AUTHENTICATE answered {data.hex()} {sw:04X}\n{card.trace()}"
    return answer


def send_wrapped(card: PcscCard, host: Scp03Host, apdu: bytes) -> tuple[bytes, int]:
    wrapped = host.wrap(apdu)
    _, plain_data, _ = parse_command(apdu)
    if not host.level & 0x02 or not plain_data:
        assert wrapped[5:5 + len(plain_data)] == plain_data
    data, sw = card.transmit(wrapped)
    try:
        return host.unwrap(data, sw), sw
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{card.trace()}") from None


def check_isd_status(card: PcscCard, data: bytes, sw: int) -> None:
    assert sw == 0x9000, f"GET STATUS answered {sw:04X}\n{card.trace()}"
    (tag, value), = tlv_read(data)
    assert tag == 0xE3, f"GET STATUS answer {data.hex().upper()} is not one E3 template"
    fields = dict(tlv_read(value))
    assert fields.get(0x4F) == ISD_AID, data.hex().upper()
    assert fields.get(0x9F70) == b"\x0F", data.hex().upper()  # SECURED
    assert len(fields.get(0xC5, b"")) == 3, data.hex().upper()


@pytest.mark.parametrize("level", [0x01, 0x03, 0x13, 0x33], ids=lambda level: f"level{level:02X}")
def test_card_get_status_at_each_level(card, level):
    host = Scp03Host(FACTORY_KEY, FACTORY_KEY, FACTORY_KEY, kvn=FACTORY_KVN)
    open_session(card, host, level)
    check_isd_status(card, *send_wrapped(card, host, GET_STATUS_ISD))
    # A second command in the same session: MAC chaining and counter carry on.
    check_isd_status(card, *send_wrapped(card, host, GET_STATUS_ISD))


def test_card_sessions_one_after_another_count_up(card):
    host = Scp03Host(FACTORY_KEY, FACTORY_KEY, FACTORY_KEY, kvn=FACTORY_KVN)
    counters = []
    for level in (0x01, 0x03, 0x13, 0x33):
        counters.append(int.from_bytes(open_session(card, host, level).sequence_counter, "big"))
        check_isd_status(card, *send_wrapped(card, host, GET_STATUS_ISD))
    assert counters == list(range(counters[0], counters[0] + 4)), f"sequence counters {counters}\n{card.trace()}"


def test_card_r_encrypted_get_data_and_an_error_inside_the_session(card):
    host = Scp03Host(FACTORY_KEY, FACTORY_KEY, FACTORY_KEY, kvn=FACTORY_KVN)
    open_session(card, host, 0x33)
    data, sw = send_wrapped(card, host, GET_CARD_RECOGNITION)
    assert sw == 0x9000 and data[:1] == b"\x66", f"{data.hex().upper()} {sw:04X}\n{card.trace()}"
    (tag, value), = tlv_read(data)
    assert tag == 0x66
    # Its secure channel OID (tag 64 in 73) must announce what INITIALIZE UPDATE showed: SCP03, i=70.
    (tag, recognition), = tlv_read(value)
    assert tag == 0x73
    scp_oid = dict(tlv_read(recognition)).get(0x64)
    assert scp_oid == bytes.fromhex("06092A864886FC6B040370"), data.hex().upper()
    # An unknown tag: 6A88 alone (no R-MAC on an error), and the session goes on.
    wrapped = host.wrap(GET_DATA_UNKNOWN)
    raw, sw = card.transmit(wrapped)
    assert (raw, sw) == (b"", 0x6A88), f"{raw.hex().upper()} {sw:04X}\n{card.trace()}"
    assert host.unwrap(raw, sw) == b""
    check_isd_status(card, *send_wrapped(card, host, GET_STATUS_ISD))
    data, sw = send_wrapped(card, host, GET_CARD_RECOGNITION)
    assert sw == 0x9000 and data[:1] == b"\x66", card.trace()


def test_card_wrong_key_fails_both_cryptograms(card):
    wrong = bytes(b ^ 0x01 for b in FACTORY_KEY)
    host = Scp03Host(wrong, wrong, wrong, kvn=FACTORY_KVN)
    data, sw = card.transmit(SELECT_ISD)
    assert sw == 0x9000
    data, sw = card.transmit(host.initialize_update(os.urandom(8)))
    assert sw == 0x9000, card.trace()
    with pytest.raises(CardCryptogramMismatch):
        host.receive_initialize_update(data)
    host.receive_initialize_update(data, verify=False)  # derive the (wrong) session keys anyway
    assert not host.card_cryptogram_ok
    data, sw = card.transmit(host.external_authenticate(0x01))
    assert (data, sw) == (b"", 0x6982), f"{data.hex().upper()} {sw:04X}\n{card.trace()}"
    # The right keys still open a session afterwards.
    right = Scp03Host(FACTORY_KEY, FACTORY_KEY, FACTORY_KEY, kvn=FACTORY_KVN)
    open_session(card, right, 0x01)
    check_isd_status(card, *send_wrapped(card, right, GET_STATUS_ISD))


@pytest.mark.parametrize("level", [0x01, 0x33], ids=lambda level: f"level{level:02X}")
def test_card_flipped_c_mac_closes_the_session(card, level):
    host = Scp03Host(FACTORY_KEY, FACTORY_KEY, FACTORY_KEY, kvn=FACTORY_KVN)
    open_session(card, host, level)
    check_isd_status(card, *send_wrapped(card, host, GET_STATUS_ISD))
    before = copy.deepcopy(host)  # the host as it was before the tampered command
    wrapped = bytearray(host.wrap(GET_STATUS_ISD))
    wrapped[-2] ^= 0x01  # last C-MAC byte (Le follows it)
    data, sw = card.transmit(bytes(wrapped))
    assert (data, sw) == (b"", 0x6982), f"{data.hex().upper()} {sw:04X}\n{card.trace()}"
    # Chaining on as if it had been accepted: the session is gone.
    data, sw = card.transmit(host.wrap(GET_STATUS_ISD))
    assert (data, sw) == (b"", 0x6982), f"{data.hex().upper()} {sw:04X}\n{card.trace()}"
    # Freshly wrapped from the state before the tampered command: still gone.
    data, sw = card.transmit(before.wrap(GET_STATUS_ISD))
    assert (data, sw) == (b"", 0x6982), f"{data.hex().upper()} {sw:04X}\n{card.trace()}"
