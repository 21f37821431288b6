"""simkit-card's vpcd front end as a daemon: power off / reset end channels but keep the state
file; it outlives pcscd restarts; SIGTERM ends it promptly with exit 0; broken or hostile framing
from the vpcd side (a fake vpcd here) never kills it.
"""
from __future__ import annotations

import json
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pcscd_env import pcscd_env_or_skip, default_bin_dir, die_with_parent, find_free_port_pair  # noqa: E402

BIN = default_bin_dir()
PYTHON = "/usr/bin/python3"
ISD_AID = "A000000151000000"
SELECT_ISD = "00A4040008" + ISD_AID


@pytest.fixture()
def env():
    with pcscd_env_or_skip(BIN) as e:
        yield e


POWER_SCRIPT = """
import json, sys
from smartcard import scard as s
name = sys.argv[1]
rc, ctx = s.SCardEstablishContext(s.SCARD_SCOPE_USER); assert rc == 0, rc
rc, card, proto = s.SCardConnect(ctx, name, s.SCARD_SHARE_SHARED, s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1)
assert rc == 0, s.SCardGetErrorMessage(rc)

def send(hexapdu):
    global proto
    rc, answer = s.SCardTransmit(card, proto, list(bytes.fromhex(hexapdu)))
    assert rc == 0, s.SCardGetErrorMessage(rc)
    return bytes(answer).hex().upper()

out = {"cplc_before": send("80CA9F7F00"), "open": send("0070000001")}
channel = int(out["open"][:2], 16)
out["on_channel_before"] = send("%02XCA006600" % channel)
for disposition, label in ((s.SCARD_RESET_CARD, "reset"), (s.SCARD_UNPOWER_CARD, "unpower")):
    rc, proto = s.SCardReconnect(card, s.SCARD_SHARE_SHARED, s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1, disposition)
    assert rc == 0, s.SCardGetErrorMessage(rc)
    out["on_channel_after_" + label] = send("%02XCA006600" % channel)
    out["cplc_after_" + label] = send("80CA9F7F00")
    out["reopen_after_" + label] = send("0070000001")
s.SCardDisconnect(card, s.SCARD_RESET_CARD)
print(json.dumps(out))
"""


def test_reset_and_power_off_end_channels_but_keep_the_state(env, tmp_path):
    out = subprocess.run([PYTHON, "-c", POWER_SCRIPT, env.reader_name], env=env.environ, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr + env.logs()
    seen = json.loads(out.stdout)
    assert seen["open"] == "019000"
    assert seen["on_channel_before"].endswith("9000")
    for label in ("reset", "unpower"):
        assert seen["on_channel_after_" + label] == "6881"        # the channel is gone
        assert seen["reopen_after_" + label] == "019000"          # and channel 1 is free again
        assert seen["cplc_after_" + label] == seen["cplc_before"]  # persistent data unchanged
    # The persistent data is what the state file holds: the sim: transport reads the same from a copy.
    copy = tmp_path / "copy.state"
    shutil.copyfile(env.state_path, copy)
    sim = subprocess.run([str(BIN / "simkit"), "apdu", "--card", f"sim:{copy}?t1=1", "80CA9F7F00"], capture_output=True,
                         text=True, check=True).stdout.split()
    assert "".join(sim) == seen["cplc_before"]


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_daemon_outlives_pcscd_restart(env, how):
    before = env.simkit_run("apdu", "--card", env.uri, SELECT_ISD).stdout
    if how == "kill":
        env.pcscd.kill()
    env.stop_pcscd()
    time.sleep(0.5)
    assert env.card.poll() is None, env.logs()
    env.start_pcscd()
    env.wait_for_card(True, 15)
    assert env.card.poll() is None
    assert env.simkit_run("apdu", "--card", env.uri, SELECT_ISD).stdout == before
    assert env.card_log.read_text().count("connected to vpcd") == 2


@pytest.mark.parametrize("pcscd_running", [True, False])
def test_sigterm_ends_the_daemon_promptly_with_0(env, pcscd_running):
    if not pcscd_running:
        env.stop_pcscd()
        time.sleep(0.3)   # the daemon is now retrying its connection
    start = time.monotonic()
    assert env.stop_card(timeout=5) == 0
    assert time.monotonic() - start < 1.5
    assert "stopped" in env.card_log.read_text()


# --- a fake vpcd: the daemon connects to us, we speak the framing by hand ------------------------
def frame(payload: bytes) -> bytes:
    return struct.pack(">H", len(payload)) + payload


def read_frame(conn: socket.socket) -> bytes:
    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            assert chunk, "daemon closed the connection"
            data += chunk
        return data
    (length,) = struct.unpack(">H", exactly(2))
    return exactly(length)


def test_daemon_survives_broken_framing(tmp_path):
    port = find_free_port_pair()
    state = tmp_path / "card.state"
    init = subprocess.run([str(BIN / "simkit-card"), "init", "--state", str(tmp_path / "twin.state")],
                          capture_output=True, text=True, check=True)
    atr = bytes.fromhex(init.stdout.split("ATR")[1].split()[0])
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(1)
        server.settimeout(10)
        daemon = subprocess.Popen([str(BIN / "simkit-card"), "serve", "--state", str(state),
                                   "--vpcd", f"127.0.0.1:{port}", "--log-level", "debug"],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  preexec_fn=die_with_parent(), start_new_session=True)
        try:
            conn, _ = server.accept()
            conn.settimeout(10)
            conn.sendall(frame(b"\x04"))
            assert read_frame(conn) == atr
            # Empty frame, unknown control code, power on: no answer expected; then an APDU sent a
            # byte at a time must still be answered.
            conn.sendall(frame(b"") + frame(b"\x03") + frame(b"\x01"))
            for byte in frame(bytes.fromhex(SELECT_ISD)):
                conn.sendall(bytes([byte]))
                time.sleep(0.002)
            answer = read_frame(conn)
            # The daemon's default is T=0: the SELECT's FCI is announced (61xx) and fetched.
            assert len(answer) == 2 and answer[0] == 0x61
            conn.sendall(frame(bytes([0x00, 0xC0, 0x00, 0x00, answer[1]])))
            answer = read_frame(conn)
            assert answer[-2:] == b"\x90\x00" and bytes.fromhex("8408" + ISD_AID) in answer
            # Two frames in one write, then a peer that leaves in the middle of a frame.
            conn.sendall(frame(b"\x04") + frame(bytes.fromhex("80FF000000")))
            assert read_frame(conn) == atr and read_frame(conn) == b"\x6D\x00"
            conn.sendall(b"\x00\x20" + b"\x00\xA4\x04")
            conn.close()
            # It comes back and serves again.
            conn, _ = server.accept()
            conn.settimeout(10)
            conn.sendall(frame(b"\x04"))
            assert read_frame(conn) == atr
            conn.close()
            assert daemon.poll() is None
        finally:
            daemon.send_signal(signal.SIGTERM)
            log, _ = daemon.communicate(timeout=10)
    assert daemon.returncode == 0, log
    assert "middle of a frame" in log and "ignoring unknown vpcd message" in log


@pytest.mark.parametrize("address", ["host:", ":35963", "h:0", "h:65536", "h:12a", "[::1"])
def test_bad_vpcd_address_is_a_usage_error(tmp_path, address):
    out = subprocess.run([str(BIN / "simkit-card"), "serve", "--state", str(tmp_path / "card.state"),
                          "--vpcd", address], capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "--vpcd" in out.stderr
