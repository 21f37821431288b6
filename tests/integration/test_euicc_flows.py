"""The eUICC's ISD-R (SGP.22 ES10 over STORE DATA) driven with raw APDUs built here, over four paths
to the card: `sim:` (`simkit apdu --json`, one session per list of APDUs), `pcsc:` (a private pcscd,
pyscard as a raw second client in T=0), `at-csim` (AT+CSIM: MANAGE CHANNEL and the channel class
bits sent by us) and `at-ccho` (AT+CCHO / AT+CGLA / AT+CCHC). Every ES10 request is built, and every
answer decoded, with tests/pylib/sgp22.py (python3-asn1crypto, SGP.22 structures written from the
spec), never with simkit's codec; AKA answers are checked against tests/pylib/milenage_ref.py.

On pcsc: and at-csim the 61xx / GET RESPONSE chores are ours, in the class lpac uses (`80|channel C0`
after STORE DATA: `81 C0` on channel 1; the channel's interindustry class after SELECT and
AUTHENTICATE). Two test profiles are added with `simkit euicc add-test-profile` before the card is
served; profile 01 is the card's factory USIM, migrated.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "pylib"))
from at_env import AtModemEnv  # noqa: E402
from milenage_ref import milenage_reference  # noqa: E402
from pcscd_env import pcscd_env_or_skip  # noqa: E402
import sgp22  # noqa: E402
from sgp22 import iccid, iccid_digits  # noqa: E402
from test_at_modem import PtyClient, csim, hex_answer  # noqa: E402

BIN = Path(os.environ.get("SIMKIT_BIN_DIR", HERE.parents[1] / "build" / "bin"))
ISDR_AID = "A0000005591010FFFFFFFF8900000100"
USIM_AID = "A0000000871002"  # partial AID: the USIM of EF.DIR
LPAC_MSS = 120                # lpac's STORE DATA block size

# Two test profiles: an F-padded 19-digit ICCID and a full 20-digit one.
PROFILE_A = dict(iccid="8999900100000000013", imsi="001010000000013", name="Test A", spn="simkit test",
                 k="000102030405060708090A0B0C0D0E0F", opc="101112131415161718191A1B1C1D1E1F")
PROFILE_B = dict(iccid="89999001000000000022", imsi="001010000000022", name="Test B", spn="simkit test",
                 k="202122232425262728292A2B2C2D2E2F", opc="303132333435363738393A3B3C3D3E3F")
UNKNOWN_ICCID = "8999900100000000999"


# --- transports: each gives sessions of raw APDUs ----------------------------------------------------

def with_channel(apdu: bytes, channel: int) -> bytes:
    """The class byte with the logical channel bits (channels 1..3: low two bits)."""
    return bytes([apdu[0] | channel]) + apdu[1:]


class Transport:
    """`isdr(apdus)`: a session with the ISD-R selected on a fresh logical channel (channel 1);
    `apdus` are written for the basic channel and sent on that one. `basic(apdus)`: a session on
    the basic channel. Each returns [(data, sw)] for the APDUs given, chores done."""
    name = ""

    def __init__(self):
        self.fetched_with = set()

    def isdr(self, apdus):
        answers = self.basic([bytes.fromhex("0070000001"), bytes.fromhex("01A4040010" + ISDR_AID + "00")]
                             + [with_channel(a, 1) for a in apdus] + [bytes.fromhex("0070800100")])
        opened, selected, *rest, closed = answers
        # LPAs read the channel from exactly one data byte plus SW (SGP.22 / ETSI TS 102 221 11.1.17).
        assert opened == (b"\x01", 0x9000), opened
        assert selected[1] == 0x9000, selected
        assert closed[1] == 0x9000, closed
        return rest

    def basic(self, apdus):
        raise NotImplementedError


def get_response_cla(command: bytes) -> int:
    """lpac's GET RESPONSE class: 80|channel after STORE DATA, the interindustry class otherwise."""
    channel = command[0] & 0x03
    return (0x80 | channel) if command[1] == 0xE2 else channel


def complete(send, command: bytes, fetched_with: set):
    """One command with the T=0 chores of the terminal: 61xx -> GET RESPONSE (its class noted in
    `fetched_with`), 6Cxx -> re-send."""
    answer = send(command)
    data = b""
    while True:
        body, sw = answer[:-2], int.from_bytes(answer[-2:], "big")
        data += body
        if sw >> 8 == 0x6C:
            answer = send(command[:-1] + bytes([sw & 0xFF]))
            continue
        if sw >> 8 != 0x61:
            return data, sw
        fetched_with.add(get_response_cla(command))
        answer = send(bytes([get_response_cla(command), 0xC0, 0x00, 0x00, sw & 0xFF]))


class SimTransport(Transport):
    name = "sim"

    def __init__(self, state):
        super().__init__()
        self.uri = f"sim:{state}"

    def basic(self, apdus):
        proc = subprocess.run([str(BIN / "simkit"), "apdu", "--card", self.uri, "--json",
                               *[a.hex().upper() for a in apdus]], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        answers = json.loads(proc.stdout)
        assert len(answers) == len(apdus)
        return [(bytes.fromhex(a["response"]), int(a["sw"], 16)) for a in answers]


PYSCARD_CLIENT = r"""
import sys
from smartcard.CardConnection import CardConnection
from smartcard.System import readers
from smartcard.scard import SCARD_RESET_CARD
reader = [r for r in readers() if str(r) == sys.argv[1]][0]
connection = reader.createConnection()
connection.connect(CardConnection.T0_protocol, disposition=SCARD_RESET_CARD)
assert connection.getProtocol() == CardConnection.T0_protocol
for line in sys.stdin:
    data, sw1, sw2 = connection.transmit(list(bytes.fromhex(line.strip())))
    print(bytes(data + [sw1, sw2]).hex(), flush=True)
connection.disconnect()
"""


class PcscTransport(Transport):
    """pyscard in a child process (it reads PCSCLITE_CSOCK_NAME): one T=0 connection per session,
    reset when it ends."""
    name = "pcsc"

    def __init__(self, env):
        super().__init__()
        self.env = env

    def basic(self, apdus):
        child = subprocess.Popen([sys.executable, "-c", PYSCARD_CLIENT, self.env.reader_name], env=self.env.environ,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            def send(command):
                child.stdin.write(command.hex() + "\n")
                child.stdin.flush()
                line = child.stdout.readline()
                assert line, "pyscard client died: " + child.stderr.read()
                return bytes.fromhex(line.strip())
            answers = [complete(send, a, self.fetched_with) for a in apdus]
            child.stdin.close()
            assert child.wait(timeout=30) == 0, child.stderr.read()
            return answers
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()


class AtCsimTransport(Transport):
    """Everything through AT+CSIM: MANAGE CHANNEL and the channel's class bits are ours."""
    name = "at-csim"

    def __init__(self, modem):
        super().__init__()
        self.client = PtyClient(modem.link)

    def send(self, command):
        return bytes.fromhex(hex_answer(self.client.lines(csim(command.hex().upper())), "+CSIM"))

    def basic(self, apdus):
        return [complete(self.send, a, self.fetched_with) for a in apdus]

    def close(self):
        self.client.close()


class AtCchoTransport(AtCsimTransport):
    """The ISD-R through AT+CCHO / AT+CGLA / AT+CCHC: the modem opens the channel, selects and sets
    the channel bits; we send basic-channel classes and fetch 61xx with 80 C0 through AT+CGLA."""
    name = "at-ccho"

    def isdr(self, apdus):
        lines = self.client.lines(f'AT+CCHO="{ISDR_AID}"')
        assert lines[-1] == "OK" and lines[0].startswith("+CCHO:"), lines
        session = int(lines[0].split(":")[1])

        def cgla(command):
            text = command.hex().upper()
            return bytes.fromhex(hex_answer(self.client.lines(f'AT+CGLA={session},{len(text)},"{text}"'), "+CGLA"))
        answers = [complete(cgla, a, self.fetched_with) for a in apdus]
        assert self.client.lines(f"AT+CCHC={session}") == ["OK"]
        return answers


@pytest.fixture(scope="module", params=["sim", "pcsc", "at-csim", "at-ccho"])
def card(request):
    """A fresh card with profile 01 (migrated factory USIM) and test profiles A and B (disabled)."""
    workdir = Path(tempfile.mkdtemp(prefix="simkit-euicc-"))
    state = workdir / "card.state"
    try:
        subprocess.run([str(BIN / "simkit-card"), "init", "--state", str(state)], check=True, capture_output=True,
                       timeout=30)
        for p in (PROFILE_A, PROFILE_B):
            proc = subprocess.run([str(BIN / "simkit"), "euicc", "add-test-profile", "--state", str(state),
                                   "--iccid", p["iccid"], "--imsi", p["imsi"], "--ki", p["k"], "--opc", p["opc"],
                                   "--name", p["name"], "--spn", p["spn"]], capture_output=True, text=True, timeout=30)
            assert proc.returncode == 0, proc.stderr
        if request.param == "sim":
            yield SimTransport(state)
        elif request.param == "pcsc":
            with pcscd_env_or_skip(BIN, state_path=state, protocol="t0") as env:
                yield PcscTransport(env)
        else:
            with AtModemEnv(str(BIN), state_from=str(state), protocol="t0") as modem:
                transport = (AtCsimTransport if request.param == "at-csim" else AtCchoTransport)(modem)
                try:
                    yield transport
                finally:
                    transport.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- ES10 over STORE DATA ------------------------------------------------------------------------------

def store_data_blocks(der: bytes, mss: int = LPAC_MSS):
    """The request as lpac sends it: 80 E2 11|91 <block number> Lc data (case 3, no Le)."""
    chunks = [der[i:i + mss] for i in range(0, len(der), mss)] or [b""]
    return [bytes([0x80, 0xE2, 0x91 if n == len(chunks) - 1 else 0x11, n, len(c)]) + c for n, c in enumerate(chunks)]


def es10_apdus(*requests, mss=LPAC_MSS):
    """APDUs of several requests in a row, and the index of each request's last block."""
    apdus, last = [], []
    for request in requests:
        der = request if isinstance(request, bytes) else sgp22.dump(request)
        blocks = store_data_blocks(der, mss)
        apdus += blocks
        last.append(len(apdus) - 1)
    return apdus, last


def es10(card, *requests, mss=LPAC_MSS):
    """Runs requests in one ISD-R session; returns each request's DER answer (every block 9000)."""
    apdus, last = es10_apdus(*requests, mss=mss)
    answers = card.isdr(apdus)
    for i, (data, sw) in enumerate(answers):
        assert sw == 0x9000, f"{apdus[i].hex()} -> {data.hex()} {sw:04X}"
        if i not in last:
            assert data == b"", "a block with more to come answers no data"
    return [answers[i][0] for i in last]


def decoded(cls, der: bytes):
    """Decodes with the independent structures and checks the answer is exactly DER."""
    value = cls.load(der, strict=True)
    value.native  # parse every field
    assert value.dump(force=True) == der, f"not DER: {der.hex()}"
    return value


def get_eid_request():
    return sgp22.GetEuiccDataRequest({"tagList": b"\x5A"})


def list_request(**fields):
    return sgp22.ProfileInfoListRequest(fields)


def profile_id(p=None, *, iccid_digits_=None, aid=None):
    if aid is not None:
        return sgp22.ProfileIdentifier(name="isdpAid", value=aid)
    return sgp22.ProfileIdentifier(name="iccid", value=iccid(iccid_digits_ or p["iccid"]))


def enable(ident, refresh=True):
    return sgp22.EnableProfileRequest({"profileIdentifier": ident, "refreshFlag": refresh})


def disable(ident, refresh=True):
    return sgp22.DisableProfileRequest({"profileIdentifier": ident, "refreshFlag": refresh})


def delete(p=None, aid=None):
    if aid is not None:
        return sgp22.DeleteProfileRequest(name="isdpAid", value=aid)
    return sgp22.DeleteProfileRequest(name="iccid", value=iccid(p["iccid"]))


def result_of(tag, der):
    return decoded(sgp22.RESULT_RESPONSES[tag & 0xFF], der)["result"].native


def profiles(card, **search):
    """ProfileInfoList (no tag list): {iccid digits: ProfileInfo native dict}."""
    (der,) = es10(card, list_request(**search))
    answer = decoded(sgp22.ProfileInfoListResponse, der)
    assert answer.name == "profileInfoListOk", answer.native
    out = {}
    for info in answer.chosen:
        native = info.native
        out[iccid_digits(native["iccid"])] = native
    return out


def enabled_iccids(card):
    return sorted(i for i, p in profiles(card).items() if p["profileState"] == 1)


# --- AKA on the USIM of the enabled profile ---------------------------------------------------------------

def aka(card, p, sqn="000000000061", rand="00112233445566778899AABBCCDDEEFF"):
    """AUTHENTICATE (3G context) with the network side computed by milenage_ref from p's K/OPc;
    returns (sw, data, reference)."""
    k, opc, rand_b, sqn_b, amf = (bytes.fromhex(p["k"]), bytes.fromhex(p["opc"]), bytes.fromhex(rand),
                                  bytes.fromhex(sqn), bytes.fromhex("8000"))
    ref = milenage_reference(k, rand_b, sqn_b, amf, opc=opc)
    autn = bytes(a ^ b for a, b in zip(sqn_b, bytes.fromhex(ref["ak"]))) + amf + bytes.fromhex(ref["mac_a"])
    select, auth = card.basic([bytes.fromhex("00A4040C07" + USIM_AID),
                               bytes.fromhex("0088008122") + bytes([16]) + rand_b + bytes([16]) + autn + b"\x00"])
    return select, auth, ref


def assert_aka_ok(card, p):
    select, (data, sw), ref = aka(card, p)
    assert select[1] == 0x9000, select
    assert sw == 0x9000, f"AUTHENTICATE with {p['iccid']}'s keys: {data.hex()} {sw:04X}"
    # TS 31.102 7.1.2.1: DB L RES L CK L IK [L Kc]
    assert data[0] == 0xDB
    res_len = data[1]
    res = data[2:2 + res_len]
    ck = data[3 + res_len:19 + res_len]
    ik = data[20 + res_len:36 + res_len]
    assert (res.hex(), ck.hex(), ik.hex()) == (ref["res"], ref["ck"], ref["ik"])


# --- the flows ---------------------------------------------------------------------------------------

def test_channel_select_and_eid_on_logical_and_basic_channel(card):
    (der,) = es10(card, get_eid_request())  # isdr() checks MANAGE CHANNEL answers exactly 01 9000
    eid = decoded(sgp22.GetEuiccDataResponse, der)["eidValue"].native
    assert len(eid) == 16
    digits = eid.hex()
    assert digits.isdigit() and digits.startswith("89") and int(digits) % 97 == 1, digits
    # The basic channel: SELECT the ISD-R on channel 0, the same EID.
    select, *blocks = card.basic([bytes.fromhex("00A4040010" + ISDR_AID + "00")] + es10_apdus(get_eid_request())[0])
    assert select[1] == 0x9000 and blocks[-1] == (der, 0x9000), (select, blocks)


def test_profile_list_has_factory_profile_and_two_test_profiles(card):
    listed = profiles(card)
    assert len(listed) == 3, listed
    a, b = listed[PROFILE_A["iccid"]], listed[PROFILE_B["iccid"]]
    factory = [p for i, p in listed.items() if i not in (PROFILE_A["iccid"], PROFILE_B["iccid"])][0]
    assert factory["profileState"] == 1 and factory["profileClass"] == 2
    assert factory["isdpAid"] == bytes.fromhex("A0000005591010FFFFFFFF8900001000")
    for p, info in ((PROFILE_A, a), (PROFILE_B, b)):
        assert info["profileState"] == 0 and info["profileClass"] == 0, info
        assert (info["profileName"], info["serviceProviderName"]) == (p["name"], p["spn"])
    assert len({p["isdpAid"] for p in listed.values()}) == 3
    # With a tag list: only those fields; with search criteria: only the match.
    (der,) = es10(card, list_request(tagList=b"\x5A\x9F\x70"))
    only = decoded(sgp22.ProfileInfoListResponse, der).chosen
    assert all(set(k for k, v in i.native.items() if v is not None) <= {"iccid", "profileState", "profileClass"}
               for i in only) and len(only) == 3
    by_aid = profiles(card, searchCriteria=sgp22.SearchCriteria(name="isdpAid", value=b["isdpAid"]))
    assert list(by_aid) == [PROFILE_B["iccid"]]
    assert set(profiles(card, searchCriteria=sgp22.SearchCriteria(name="profileClass", value=0))) == \
        {PROFILE_A["iccid"], PROFILE_B["iccid"]}
    assert profiles(card, searchCriteria=sgp22.SearchCriteria(name="iccid", value=iccid(UNKNOWN_ICCID))) == {}


def test_enable_switches_the_usim_and_aka_follows(card):
    before = profiles(card)
    factory = [i for i, p in before.items() if p["profileState"] == 1][0]
    (der,) = es10(card, enable(profile_id(PROFILE_A)))
    assert result_of(0xBF31, der) == sgp22.OK
    after = profiles(card)
    assert after[PROFILE_A["iccid"]]["profileState"] == 1 and after[factory]["profileState"] == 0
    assert enabled_iccids(card) == [PROFILE_A["iccid"]]
    assert_aka_ok(card, PROFILE_A)
    # B, by its ISD-P AID this time, without refresh: A disabled, B's keys answer, A's do not.
    (der,) = es10(card, enable(profile_id(aid=after[PROFILE_B["iccid"]]["isdpAid"]), refresh=False))
    assert result_of(0xBF31, der) == sgp22.OK
    assert enabled_iccids(card) == [PROFILE_B["iccid"]]
    assert_aka_ok(card, PROFILE_B)
    _, (data, sw), _ = aka(card, PROFILE_A, sqn="000000000081")
    assert (data.hex(), sw) == ("", 0x9862), "A's keys must fail MAC on B's USIM"  # TS 31.102: 9862 MAC failure


def test_result_codes_of_refused_operations(card):
    enabled = enabled_iccids(card)
    assert len(enabled) == 1
    on = {"iccid": enabled[0]}
    disabled = [i for i in profiles(card) if i != enabled[0]][0]
    answers = es10(card,
                   enable(profile_id(iccid_digits_=UNKNOWN_ICCID)),
                   disable(profile_id(iccid_digits_=UNKNOWN_ICCID)),
                   delete({"iccid": UNKNOWN_ICCID}),
                   enable(profile_id(on)),
                   disable(profile_id(iccid_digits_=disabled)),
                   delete(on),
                   sgp22.SetNicknameRequest({"iccid": iccid(UNKNOWN_ICCID), "profileNickname": "x"}))
    got = [result_of(tag, der) for tag, der in zip((0xBF31, 0xBF32, 0xBF33, 0xBF31, 0xBF32, 0xBF33, 0xBF29), answers)]
    assert got == [sgp22.ICCID_OR_AID_NOT_FOUND, sgp22.ICCID_OR_AID_NOT_FOUND, sgp22.ICCID_OR_AID_NOT_FOUND,
                   sgp22.PROFILE_NOT_IN_DISABLED_STATE, sgp22.PROFILE_NOT_IN_ENABLED_STATE,
                   sgp22.PROFILE_NOT_IN_DISABLED_STATE, sgp22.ICCID_OR_AID_NOT_FOUND]
    assert enabled_iccids(card) == enabled  # nothing changed


def test_nickname_disable_and_delete(card):
    # SetNickname with A's 19-digit ICCID F-padded to 10 bytes, a UTF-8 nickname.
    (der,) = es10(card, sgp22.SetNicknameRequest({"iccid": iccid(PROFILE_A["iccid"]), "profileNickname": "Büro ✓"}))
    assert result_of(0xBF29, der) == sgp22.OK
    assert profiles(card)[PROFILE_A["iccid"]]["profileNickname"] == "Büro ✓"
    # Disable the enabled profile. After the earlier tests it is test profile B (enabled over A, over
    # profile 01): profile 01, enabled before the test profiles, comes back (SGP.21 TPRO10); disabling
    # it (operational) then leaves none enabled, the USIM absent.
    on = {"iccid": enabled_iccids(card)[0]}
    factory = [i for i in profiles(card) if i not in (PROFILE_A["iccid"], PROFILE_B["iccid"])][0]
    if on["iccid"] != factory:
        (der,) = es10(card, disable(profile_id(on)))
        assert result_of(0xBF32, der) == sgp22.OK
        assert enabled_iccids(card) == [factory]
    (der,) = es10(card, disable(profile_id({"iccid": factory})))
    assert result_of(0xBF32, der) == sgp22.OK
    assert enabled_iccids(card) == []
    select, auth, _ = aka(card, PROFILE_B, sqn="0000000000A1")
    # SELECT ADF.USIM 6A82 (specs/euicc.md "USIM absent"); AUTHENTICATE then has no USIM to go to.
    assert select[1] == 0x6A82 and auth[1] != 0x9000, (select, auth)
    # Delete it (disabled now); it is gone, and a second delete finds nothing.
    deletes = es10(card, delete(on), delete(on))
    assert [result_of(0xBF33, d) for d in deletes] == [sgp22.OK, sgp22.ICCID_OR_AID_NOT_FOUND]
    assert on["iccid"] not in profiles(card) and len(profiles(card)) == 2


def test_a_request_in_several_blocks(card):
    # A SetNickname of 57 bytes in 4 blocks of 16 (P1 11 11 11 91, P2 00..03): only the last answers.
    nick = "n" * 40
    answers = es10(card, sgp22.SetNicknameRequest({"iccid": iccid(PROFILE_A["iccid"]), "profileNickname": nick}),
                   mss=16)
    assert result_of(0xBF29, answers[0]) == sgp22.OK
    assert profiles(card)[PROFILE_A["iccid"]]["profileNickname"] == nick


def test_store_data_errors(card):
    eid_blocks = es10_apdus(get_eid_request())[0]
    nickname = sgp22.dump(sgp22.SetNicknameRequest({"iccid": iccid(PROFILE_A["iccid"]), "profileNickname": "x" * 30}))
    first, second, *_ = store_data_blocks(nickname, 16)
    answers = card.isdr([
        bytes.fromhex("80E2910004BF2D0300"),            # 0 malformed DER: the length runs past the end
        bytes.fromhex("80E2910003BF2D00"),              # 1 BF2D, empty: a valid request (all profiles)
        bytes.fromhex("80E2910002BF99"),                # 2 a tag without length
        bytes.fromhex("80E29100053003020100"),          # 3 DER, but no ES10 request
        first, second[:2] + b"\x91\x03" + second[4:],  # 4,5 block 03 after block 00: out of order
        *eid_blocks,                                    # 6 that chain was dropped: a new request works
    ])
    sws = [sw for _, sw in answers]
    assert sws[:4] == [0x6A80, 0x9000, 0x6A80, 0x6A80], answers[:4]
    assert decoded(sgp22.ProfileInfoListResponse, answers[1][0]).name == "profileInfoListOk"
    assert sws[4:6] == [0x9000, 0x6A86], "a block out of order is 6A86"
    assert sws[6] == 0x9000 and decoded(sgp22.GetEuiccDataResponse, answers[6][0])


def test_a_new_chain_at_block_00_after_a_truncated_one(card):
    # A chain whose last block never comes (an LPA that gave up), then the next request from P2=00.
    # GlobalPlatform STORE DATA (SGP.22 5.7.2) numbers the first block of a chain 00, so a block 00
    # can only start a chain; lpac starts every request at 00 whatever happened before.
    first = store_data_blocks(sgp22.dump(sgp22.SetNicknameRequest(
        {"iccid": iccid(PROFILE_A["iccid"]), "profileNickname": "y" * 30})), 16)[0]
    eid_blocks = es10_apdus(get_eid_request())[0]
    answers = card.isdr([first, *eid_blocks, *eid_blocks])
    assert answers[0] == (b"", 0x9000)
    assert answers[2][1] == 0x9000 and decoded(sgp22.GetEuiccDataResponse, answers[2][0])
    assert answers[1][1] == 0x9000, f"block 00 of a new chain after a truncated one: {answers[1][0].hex()} " \
                                    f"{answers[1][1]:04X}"
    assert decoded(sgp22.GetEuiccDataResponse, answers[1][0])


def test_long_answers_were_fetched_in_the_lpa_class(card):
    """On the T=0 paths the answers above came with 61xx; the GET RESPONSE after STORE DATA went out
    as lpac sends it (81 C0 on channel 1; 80 C0 through AT+CGLA, the modem adds the channel)."""
    if card.name == "sim":
        pytest.skip("sim: leaves the chores to simkit")
    expected = 0x80 if card.name == "at-ccho" else 0x81
    assert expected in card.fetched_with, card.fetched_with
