"""The AT modem of `simkit-card serve --at-pty`, driven as an independent client straight through
the pty (os.open + termios raw mode): every command and quirk of specs/at-modem.md. APDU answers
are checked against `simkit apdu --raw --card sim:` on a copy of the same card state, the second
implementation path; result-code framing against 3GPP TS 27.007 / ITU-T V.250.
"""

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import termios
import time
import tty

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from at_env import AtModemEnv, default_bin_dir  # noqa: E402

BIN = default_bin_dir()
ISD_AID = "A000000151000000"
SELECT_ISD = "00A4040008" + ISD_AID + "00"
FINAL = re.compile(rb"\r\n(OK|ERROR|\+CME ERROR: ?[^\r\n]*)\r\n")


class PtyClient:
    """A terminal program on the modem's device: raw mode, reads until a final result code."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        termios.tcflush(self.fd, termios.TCIOFLUSH)

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def send(self, data):
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]

    def read_for(self, seconds):
        out = b""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                out += os.read(self.fd, 65536)

    def read_final(self, timeout=5.0):
        """Everything up to and including the final result code."""
        out = b""
        deadline = time.monotonic() + timeout
        while not FINAL.search(out):
            left = deadline - time.monotonic()
            assert left > 0, f"no final result code within {timeout} s; got {out!r}"
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                out += os.read(self.fd, 65536)
        return out

    def command(self, line, end=b"\r"):
        """Sends `line` + `end`; returns the raw answer (echo included) up to the final result."""
        self.send(line.encode() + end)
        raw = self.read_final()
        if end.endswith(b"\n") and b"\r" in end:
            raw += self.read_for(0.05)  # the LF is echoed after the answer of the CR-ended line
        return raw

    def lines(self, line, end=b"\r"):
        """Non-empty answer lines, echo removed."""
        raw = self.command(line, end)
        return [l for l in raw.decode("latin-1").replace("\r", "\n").split("\n") if l and l != line]


def sim_answers(state, apdus):
    """R-APDUs in hex from the in-process card (`sim:`), one session, no GET RESPONSE chores."""
    result = subprocess.run([os.path.join(BIN, "simkit"), "apdu", "--raw", "--card", "sim:" + state + "?t1=1"] + apdus,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return [line.replace(" ", "") for line in result.stdout.splitlines()]


def csim(hex_apdu):
    return f'AT+CSIM={len(hex_apdu)},"{hex_apdu}"'


def hex_answer(lines, prefix):
    """The hex of the one '<prefix>: <len>,"<hex>"' line, length checked."""
    found = [l for l in lines if l.startswith(prefix + ":")]
    assert len(found) == 1, lines
    match = re.fullmatch(re.escape(prefix) + r': ?(\d+),"([0-9A-F]*)"', found[0])
    assert match, found[0]
    assert int(match.group(1)) == len(match.group(2))
    return match.group(2)


@pytest.fixture
def base_state(tmp_path):
    state = str(tmp_path / "base.state")
    subprocess.run([os.path.join(BIN, "simkit-card"), "init", "--state", state], check=True,
                   capture_output=True, timeout=30)
    return state


@pytest.fixture
def twin(base_state, tmp_path):
    """A copy of the modem's card state for the sim: reference."""
    path = str(tmp_path / "twin.state")
    shutil.copyfile(base_state, path)
    return path


@pytest.fixture
def modem(base_state):
    with AtModemEnv(BIN, state_from=base_state) as env:
        yield env


@pytest.fixture
def client(modem):
    c = PtyClient(modem.link)
    yield c
    c.close()


def test_echo_is_on_by_default_and_ate0_ate1_switch_it(client):
    assert client.command("AT") == b"AT\r\r\nOK\r\n"
    assert client.command("ATE0") == b"ATE0\r\r\nOK\r\n"  # echoed before it takes effect
    assert client.command("AT") == b"\r\nOK\r\n"
    assert client.command("ATE1") == b"\r\nOK\r\n"
    assert client.command("at") == b"at\r\r\nOK\r\n"


def test_cr_lf_line_end_earns_one_result_code(client):
    client.command("ATE0")
    client.send(b"AT\r\nAT\r\n")
    raw = client.read_for(0.5)
    assert raw.count(b"OK") == 2, raw
    client.send(b"AT\n")
    assert client.read_for(0.3).count(b"OK") == 1


def test_identification(client):
    client.command("ATE0")
    ati = client.lines("ATI")
    assert ati[-1] == "OK" and "simkit" in ati[0]
    assert client.lines("AT+CGMI") == ["simkit", "OK"]


def test_csim_answers_like_the_card(client, twin):
    apdus = [SELECT_ISD, "80CA00E000", "80CA00E005", "00C000000F", "00DD0000", "00A4040005A000000999"]
    expected = sim_answers(twin, apdus)
    got = [hex_answer(client.lines(csim(apdu)), "+CSIM") for apdu in apdus]
    assert got == expected


def test_csim_accepts_a_space_after_equals_and_lower_case_hex(client, twin):
    expected = sim_answers(twin, ["80CA00E000"])
    assert hex_answer(client.lines('AT+CSIM= 10,"80ca00e000"'), "+CSIM") == expected[0]
    assert hex_answer(client.lines('AT+CSIM = 10 , "80CA00E000"'), "+CSIM") == expected[0]


@pytest.mark.parametrize("line", [
    'AT+CSIM=8,"80CA00E000"',    # length counts hex characters: 10
    'AT+CSIM=20,"80CA00E000"',
    'AT+CSIM=3,"80C"',           # odd number of hex digits
    'AT+CSIM=4,"XYZW"',
    'AT+CSIM=10',
    'AT+CSIM=,"80CA00E000"',
    'AT+CCHO="nothex"',
    'AT+CGLA=1,4',
])
def test_bad_parameters_give_cme_error_50(client, line):
    assert client.lines(line)[-1] == "+CME ERROR: 50"


@pytest.mark.parametrize("line", ["AT+FOO", "AT+CSIM", "ATX", "hello", "AT+CSIM=4,\"9000", "AT+CIMI junk"])
def test_unknown_or_broken_commands_give_error(client, line):
    assert client.lines(line)[-1] == "ERROR"


def _decode_imsi(raw: bytes) -> str:
    """EF.IMSI (3GPP TS 31.102 4.2.2) decoded here: length, parity nibble, swapped BCD digits."""
    nibbles = []
    for b in raw[1:1 + raw[0]]:
        nibbles += [b & 0x0F, b >> 4]
    digits = [n for n in nibbles[1:] if n != 0x0F]
    return "".join(str(d) for d in digits)


def test_cimi_and_crsm_read_the_usim_files(client):
    cimi = client.lines("AT+CIMI")
    assert cimi[-1] == "OK"
    crsm = client.lines("AT+CRSM=176,28423,0,0,9")
    assert crsm[-1] == "OK" and crsm[0].startswith("+CRSM: 144,0,")
    raw = bytes.fromhex(crsm[0].split(",")[2].strip('"'))
    assert cimi[0] == _decode_imsi(raw) and len(cimi[0]) == 15
    assert client.lines("AT+CRSM=176,28572,0,0,1")[0] == "+CRSM: 106,130"  # no such file: 6A82
    assert client.lines("AT+CRSM=203,28423")[-1] == "+CME ERROR: 4"
    assert client.lines("AT+CRSM=?")[-1] == "OK"


def test_ccho_cgla_cchc_drive_a_logical_channel(client, twin):
    expected = sim_answers(twin, ["0070000001", "01A4040008" + ISD_AID + "00", "81CA00E000", "81CA00E005",
                                  "01C000000F", "0070800100", "81CA00E000"])
    assert expected[0] == "019000"
    opened = client.lines(f'AT+CCHO="{ISD_AID}"')
    assert opened == ["+CCHO: 1", "OK"]
    # The client sends CLA 00/80; the modem sets the channel bits from the session.
    assert hex_answer(client.lines('AT+CGLA=1,10,"80CA00E000"'), "+CGLA") == expected[2]
    assert hex_answer(client.lines('AT+CGLA=1,10,"80CA00E005"'), "+CGLA") == expected[3]
    assert hex_answer(client.lines('AT+CGLA=1,10,"00C000000F"'), "+CGLA") == expected[4]
    assert client.lines("AT+CCHC=1") == ["OK"]
    assert client.lines('AT+CGLA=1,10,"80CA00E000"')[-1] == "+CME ERROR: 21"
    assert client.lines("AT+CCHC=1")[-1] == "+CME ERROR: 21"
    # Closed on the card too: channel 1 is free for the next MANAGE CHANNEL.
    assert hex_answer(client.lines(csim("0070000001")), "+CSIM") == "019000"


def test_ccho_of_an_unknown_aid_is_an_error(client):
    assert client.lines('AT+CCHO="A000000999"')[-1].startswith("+CME ERROR")
    assert hex_answer(client.lines(csim("0070000001")), "+CSIM") == "019000"  # nothing left open


def test_an_extended_length_300_byte_apdu_passes(client, twin):
    data = bytes(range(256)).hex().upper() + "AB" * 44
    apdu = "80E20000" + "00012C" + data  # STORE DATA, extended Lc = 300
    assert len(apdu) // 2 == 307
    expected = sim_answers(twin, [SELECT_ISD, apdu])
    client.lines(csim(SELECT_ISD))
    assert hex_answer(client.lines(csim(apdu)), "+CSIM") == expected[1]


def test_garbage_never_stops_the_modem(client):
    client.command("ATE0")
    client.send(bytes(range(1, 256)).replace(b"\r", b"").replace(b"\n", b"") + b"\r")
    assert b"ERROR" in client.read_final()
    client.send(b"\x00\xff\x1b[A\r")
    client.read_final()
    # Longer than any command line the modem keeps: one ERROR, then business as usual.
    client.send(b"AT+CSIM=9," + b"A" * 300000 + b"\r")
    assert client.read_final(timeout=10).count(b"ERROR") == 1
    assert client.lines("AT") == ["OK"]


def test_a_client_that_reopens_the_device_is_served_again(modem):
    for _ in range(3):
        c = PtyClient(modem.link)
        try:
            assert c.lines("AT")[-1] == "OK"
        finally:
            c.close()
    # A client that leaves in the middle of a line: the next one is still answered.
    c = PtyClient(modem.link)
    c.send(b'AT+CSIM=10,"80CA')
    c.close()
    c = PtyClient(modem.link)
    try:
        c.send(b"\r")
        c.read_for(0.3)
        assert c.lines("AT")[-1] == "OK"
    finally:
        c.close()


def test_quirk_no_echo_no_space(base_state, twin):
    with AtModemEnv(BIN, quirks=["no_echo", "no_space"], state_from=base_state) as env:
        c = PtyClient(env.link)
        try:
            assert c.command("AT") == b"\r\nOK\r\n"
            lines = c.lines(csim("80CA00E000"))
            assert re.fullmatch(r'\+CSIM:\d+,"[0-9A-F]+"', lines[0]), lines
            assert hex_answer(lines, "+CSIM") == sim_answers(twin, ["80CA00E000"])[0]
        finally:
            c.close()


def test_quirk_urc_injection(base_state, twin):
    with AtModemEnv(BIN, quirks=["urc"], state_from=base_state) as env:
        c = PtyClient(env.link)
        try:
            lines = c.lines(csim("80CA00E000"))
            assert lines.count("+CREG: 1") >= 1
            assert lines[-1] == "OK"
            assert hex_answer(lines, "+CSIM") == sim_answers(twin, ["80CA00E000"])[0]
        finally:
            c.close()


def test_quirk_large_session_ids_and_bare_ccho(base_state, twin):
    with AtModemEnv(BIN, quirks=["large_ids", "bare_ccho"], state_from=base_state) as env:
        c = PtyClient(env.link)
        try:
            c.command("ATE0")
            opened = c.lines(f'AT+CCHO="{ISD_AID}"')
            assert re.fullmatch(r"\d+", opened[0]) and opened[1] == "OK"
            session = int(opened[0])
            assert session > 19
            expected = sim_answers(twin, ["0070000001", "01A4040008" + ISD_AID + "00", "81CA00E000"])
            assert c.lines('AT+CGLA=1,10,"80CA00E000"')[-1] == "+CME ERROR: 21"  # not a channel number
            assert hex_answer(c.lines(f'AT+CGLA={session},10,"80CA00E000"'), "+CGLA") == expected[2]
            second = int(c.lines(f'AT+CCHO="{ISD_AID}"')[0])
            assert second not in (session, 2)
            assert c.lines(f"AT+CCHC={session}") == ["OK"]
            assert c.lines(f"AT+CCHC={second}") == ["OK"]
        finally:
            c.close()


def test_quirk_max_apdu_length(base_state):
    with AtModemEnv(BIN, quirks=["max_apdu"], state_from=base_state) as env:
        c = PtyClient(env.link)
        try:
            c.command("ATE0")
            long_apdu = "80E2000000012C" + "00" * 300
            assert c.lines(csim(long_apdu))[-1] == "+CME ERROR: 24"
            assert c.lines(csim("80CA00E000"))[-1] == "OK"
            at_limit = "80E20000FF" + "00" * 255 + "00"  # 261 bytes: allowed
            assert c.lines(csim(at_limit))[-1] == "OK"
        finally:
            c.close()


def test_sigterm_finishes_and_exits_0_removing_the_link(base_state):
    env = AtModemEnv(BIN, state_from=base_state).start()
    c = PtyClient(env.link)
    try:
        c.send(csim("80CA00E000").encode() + b"\r")
        env.process.send_signal(signal.SIGTERM)
        start = time.monotonic()
        env.process.wait(timeout=5)
        assert time.monotonic() - start < 2.0
    finally:
        c.close()
    link = env.link
    assert env.stop() == 0
    assert not os.path.lexists(link)


def test_an_existing_regular_file_is_not_replaced(tmp_path, base_state):
    link = tmp_path / "modem"
    link.write_text("not a link")
    result = subprocess.run([os.path.join(BIN, "simkit-card"), "serve", "--state", base_state, "--at-pty",
                             str(link)], capture_output=True, text=True, timeout=10)
    assert result.returncode != 0
    assert "not a symlink" in result.stderr
    assert link.read_text() == "not a link"
