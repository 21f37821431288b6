"""The host `at:` transport end to end: `simkit apdu --card at:LINK` against `simkit-card serve
--at-pty` must give the same answers as `--card sim:` on a copy of the same card state (the
in-process card is the independent reference), over every combination of modem quirks and the
transport's channel modes; a silent modem must end in a clear timeout error, not a hang.
"""

import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from at_env import QUIRKS, AtModemEnv, default_bin_dir  # noqa: E402

BIN = default_bin_dir()
SIMKIT = os.path.join(BIN, "simkit")
ISD_AID = "A000000151000000"

# One session: SELECT ISD, GET DATA, a 61xx flow, MANAGE CHANNEL open, SELECT on the channel,
# GET DATA and a 61xx flow there, an unknown AID on a second channel, close both, 6D00.
FLOW = [
    "00A4040008" + ISD_AID + "00",
    "80CA00E000",
    "80CA00E005",
    "0070000000",
    "01A4040008" + ISD_AID + "00",
    "81CA00E000",
    "81CA00E005",
    "0070000000",
    "02A4040005A000000999",
    "0070800100",
    "0070800200",
    "81CA00E000",
    "00DD0000",
]

# Every combination of the quirk switches (max_apdu is exercised on its own below).
QUIRK_NAMES = ["no_echo", "no_space", "urc", "large_ids", "bare_ccho"]
COMBINATIONS = [list(c) for n in range(len(QUIRK_NAMES) + 1) for c in itertools.combinations(QUIRK_NAMES, n)]


def simkit(card, apdus, raw=False, timeout=30):
    command = [SIMKIT, "apdu", "--card", card] + (["--raw"] if raw else []) + apdus
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def base_state():
    workdir = tempfile.mkdtemp(prefix="simkit-at-transport-")
    state = os.path.join(workdir, "base.state")
    subprocess.run([os.path.join(BIN, "simkit-card"), "init", "--state", state], check=True,
                   capture_output=True, timeout=30)
    yield state
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def reference(base_state, tmp_path_factory):
    """The flow's answers from the in-process card on a copy of the state: (complete, raw)."""
    answers = []
    for raw in (False, True):
        twin = str(tmp_path_factory.mktemp("twin") / "twin.state")
        shutil.copyfile(base_state, twin)
        result = simkit("sim:" + twin + "?t1=1", FLOW, raw=raw)
        assert result.returncode == 0, result.stderr
        answers.append(result.stdout)
    # The reference itself must be what ISO 7816-4 / GlobalPlatform promise for this flow.
    complete = answers[0].splitlines()
    assert complete[0].startswith("6F") and complete[0].endswith(" 9000")
    assert complete[3] == "01 9000" and complete[7] == "02 9000"
    assert complete[8] == "6A82" and complete[-1] == "6D00"
    assert "610F" in answers[1]
    return answers


@pytest.mark.parametrize("quirks", COMBINATIONS, ids=lambda q: "+".join(q) or "plain")
def test_same_answers_as_sim_over_every_quirk_combination(base_state, reference, quirks):
    with AtModemEnv(BIN, quirks=quirks, state_from=base_state) as env:
        for raw, expected in zip((False, True), reference):
            result = simkit(env.uri, FLOW, raw=raw)
            assert result.returncode == 0, result.stderr + env.log()
            assert result.stdout == expected


@pytest.mark.parametrize("options", [{"channels": "csim"}, {"ate0": 0}, {"channels": "ccho", "ate0": 0},
                                     {"baud": 9600, "timeout": 3000}])
@pytest.mark.parametrize("quirks", [[], ["no_echo", "urc", "no_space", "large_ids"]], ids=["plain", "quirky"])
def test_same_answers_with_uri_options(base_state, reference, quirks, options):
    with AtModemEnv(BIN, quirks=quirks, state_from=base_state) as env:
        result = simkit(env.uri_with(**options), FLOW)
        assert result.returncode == 0, result.stderr + env.log()
        assert result.stdout == reference[0]


def test_channels_left_open_are_closed_when_the_session_ends(base_state):
    # Each run opens two channels and never closes them; without cleanup the card's 19 logical
    # channels would run out within ten runs.
    with AtModemEnv(BIN, quirks=["large_ids"], state_from=base_state) as env:
        for uri in (env.uri, env.uri_with(channels="csim")):
            for _ in range(12):
                result = simkit(uri, ["0070000000", "01A4040008" + ISD_AID + "00",
                                      "0070000000", "02A4040008" + ISD_AID + "00"])
                assert result.returncode == 0, result.stderr
                assert result.stdout.splitlines()[0] == "01 9000", result.stdout


def test_atr_is_empty_and_reset_closes_channels(base_state):
    # `simkit apdu` does not expose reset; the transport's contract is exercised through the
    # modem: after a run that left channel 1 open, MANAGE CHANNEL again gives channel 1.
    with AtModemEnv(BIN, state_from=base_state) as env:
        first = simkit(env.uri, ["0070000000", "01A4040008" + ISD_AID + "00"])
        second = simkit(env.uri, ["0070000000"])
        assert first.returncode == 0 and second.returncode == 0
        assert second.stdout.strip() == "01 9000"


def test_command_on_a_channel_before_any_select_is_refused_by_the_transport(base_state):
    # A modem opens channels only with AT+CCHO=<AID>: GET DATA before SELECT cannot be sent.
    with AtModemEnv(BIN, state_from=base_state) as env:
        result = simkit(env.uri, ["0070000000", "81CA00E000", "0070800100", "81CA00E000"])
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == ["01 9000", "6985", "9000", "6881"]


def test_apdu_above_max_apdu_is_refused_with_a_clear_error(base_state):
    long_apdu = "80E2000000012C" + "00" * 300
    with AtModemEnv(BIN, quirks=["max_apdu"], state_from=base_state) as env:
        # The transport knows the limit from the URI: refused before anything is sent.
        result = simkit(env.uri_with(max_apdu=261), ["80CA00E000", long_apdu])
        assert result.returncode == 1
        assert "max_apdu=261" in result.stderr and "307 bytes" in result.stderr
        # Without the option the modem's +CME ERROR: 24 surfaces, named.
        result = simkit(env.uri, [long_apdu])
        assert result.returncode == 1
        assert "+CME ERROR: 24" in result.stderr and "text string too long" in result.stderr
        # Within the limit everything works.
        result = simkit(env.uri_with(max_apdu=261), ["80CA00E000"])
        assert result.returncode == 0 and result.stdout.strip().endswith("9000")


def test_a_300_byte_apdu_passes_without_a_limit(base_state, tmp_path):
    apdu = "80E2000000012C" + "5A" * 300
    twin = str(tmp_path / "twin.state")
    shutil.copyfile(base_state, twin)
    expected = simkit("sim:" + twin + "?t1=1", [apdu])
    with AtModemEnv(BIN, state_from=base_state) as env:
        result = simkit(env.uri, [apdu])
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected.stdout


def test_a_silent_modem_gives_a_timeout_error_within_the_configured_time(tmp_path):
    # A pty nobody answers on: the transport must give up after `timeout` ms and say so.
    master, slave = os.openpty()
    link = tmp_path / "silent"
    os.symlink(os.ttyname(slave), link)
    try:
        start = time.monotonic()
        result = simkit(f"at:{link}?timeout=700", ["80CA00E000"], timeout=20)
        elapsed = time.monotonic() - start
    finally:
        os.close(slave)
        os.close(master)
    assert result.returncode == 1
    assert "within 700 ms" in result.stderr and "AT" in result.stderr, result.stderr
    assert 0.6 < elapsed < 3.0


def test_a_modem_that_stops_answering_mid_session_times_out(base_state):
    with AtModemEnv(BIN, state_from=base_state) as env:
        uri = env.uri_with(timeout=800)
        proc = subprocess.Popen([SIMKIT, "apdu", "--card", uri] + ["80CA00E000"] * 30000,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().endswith("9000\n")  # the session is under way
        env.process.send_signal(signal.SIGSTOP)  # the modem freezes
        try:
            start = time.monotonic()
            _, stderr = proc.communicate(timeout=20)
            elapsed = time.monotonic() - start
        finally:
            env.process.send_signal(signal.SIGCONT)
        if proc.returncode == 0:
            pytest.skip("the 30000 APDUs finished before the modem was stopped")
        assert proc.returncode == 1
        assert "within 800 ms" in stderr
        assert elapsed < 3.0


@pytest.mark.parametrize("uri,message", [
    ("at:/nonexistent/modem", "cannot open modem device /nonexistent/modem"),
    ("at:/dev/null", "not a serial terminal"),
])
def test_unusable_devices_are_named(uri, message):
    result = simkit(uri, ["80CA00E000"])
    assert result.returncode == 1
    assert message in result.stderr


@pytest.mark.parametrize("option", ["baud=12345", "timeout=soon", "channels=both", "ate0=yes", "colour=red"])
def test_bad_uri_options_are_usage_errors(option):
    result = simkit("at:/dev/null?" + option, ["80CA00E000"])
    assert result.returncode == 2
    assert option.split("=")[0] in result.stderr


def test_quirk_names_match_the_serve_options():
    help_text = subprocess.run([os.path.join(BIN, "simkit-card"), "serve", "--help"], capture_output=True,
                               text=True, timeout=10).stdout
    for args in QUIRKS.values():
        assert args[0] in help_text


def test_a_modem_that_exits_mid_session_is_a_clear_error(base_state):
    env = AtModemEnv(BIN, state_from=base_state).start()
    try:
        proc = subprocess.Popen([SIMKIT, "apdu", "--card", env.uri_with(timeout=3000)] + ["80CA00E000"] * 30000,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Stop the modem only once the session is under way (answers are flowing), however slow
        # the build (ASan) is.
        assert proc.stdout.readline().endswith("9000\n")
    finally:
        assert env.stop() == 0
    _, stderr = proc.communicate(timeout=20)
    if proc.returncode == 0:
        pytest.skip("the 30000 APDUs finished before the modem was stopped")
    assert proc.returncode == 1
    assert "went away" in stderr or "within 3000 ms" in stderr, stderr
