"""Exclusive access (Card::exclusive -> SCardBeginTransaction) and the pcsc: transport's
reconnect-and-retry after another application reset the card, against a real private pcscd + vpcd +
simkit-card (pcscd_env.py), driven by simkit_pcsc_probe (pcsc_probe.cpp).

Truth comes from outside our code: a second PC/SC client (pyscard, or a second probe process) and
pcscd decide who goes first; cross-process order is read from CLOCK_MONOTONIC timestamps (the probe's
steady_clock and Python's time.monotonic() read the same clock). What a freshly reset card answers
comes from the in-process sim: card on a copy of the served state file.

The holders connect with ?disconnect=leave. With the pcsc: default (disconnect=reset) a holder resets
the card as it closes, right after ending its exclusive access, and that reset reaches a waiting
client before its APDU does (every time here): pyscard then fails with SCARD_W_RESET_CARD, while a
pcsc: client reconnects and retries (test_waiting_pcsc_client_survives_the_holders_reset_on_close).
Also seen: SCardConnect itself waits while another application holds the card.
"""
from __future__ import annotations

import queue
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pcscd_env import PcscdEnv, default_bin_dir, die_with_parent, pcscd_env_or_skip  # noqa: E402

BIN = default_bin_dir()
PROBE = BIN / "simkit_pcsc_probe"
PYTHON = "/usr/bin/python3"
ISD_AID = "A000000151000000"
SELECT_ISD = "00A4040008" + ISD_AID
GET_CARD_DATA_ON_CHANNEL_1 = "01CA006600"   # not SELECT: that would open the channel
OPEN_CHANNEL = "0070000001"
# Hold lengths tried in turn: a longer one only when the machine was too slow to ask the second
# client's question while the first hold still had >= MIN_REMAINING seconds to run.
HOLD_MS = (800, 3000)
MIN_REMAINING = 0.3
ANSWER_TIMEOUT = 30.0

# A second PC/SC application: connects shared on start, then obeys one command per stdin line:
#   transmit HEX -> "answer T_ASKED T_ANSWERED HEX" | reset -> "reset" (SCardReconnect, RESET_CARD)
# and leaves the card as it is when stdin closes.
PYSCARD_PEER = r"""
import sys, time
from smartcard.scard import *

def check(rv, what):
    if rv != SCARD_S_SUCCESS:
        sys.exit(f"{what}: {SCardGetErrorMessage(rv)} ({rv & 0xFFFFFFFF:#010x})")

rv, context = SCardEstablishContext(SCARD_SCOPE_USER); check(rv, "SCardEstablishContext")
protocols = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1
rv, card, protocol = SCardConnect(context, sys.argv[1], SCARD_SHARE_SHARED, protocols); check(rv, "SCardConnect")
print("ready", flush=True)
for line in sys.stdin:
    word, *rest = line.split()
    if word == "transmit":
        asked = time.monotonic()
        rv, response = SCardTransmit(card, protocol, list(bytes.fromhex(rest[0])))
        answered = time.monotonic()
        check(rv, "SCardTransmit")
        print("answer", f"{asked:.6f}", f"{answered:.6f}", bytes(response).hex().upper(), flush=True)
    elif word == "reset":
        rv, protocol = SCardReconnect(card, SCARD_SHARE_SHARED, protocols, SCARD_RESET_CARD); check(rv, "SCardReconnect")
        print("reset", flush=True)
check(SCardDisconnect(card, SCARD_LEAVE_CARD), "SCardDisconnect")
SCardReleaseContext(context)
"""


class Child:
    """A child process whose stdout lines ("WORD VALUE...") are read as they come."""

    def __init__(self, env: PcscdEnv, argv: list[str]):
        self.argv = argv
        self.process = subprocess.Popen(argv, env=env.environ, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, preexec_fn=die_with_parent())
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, word: str, timeout: float = ANSWER_TIMEOUT) -> list[str]:
        """The values of the next line, which must start with `word`."""
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise AssertionError(f"{self.argv[:2]}: no '{word}' line within {timeout} s; seen {self.seen}")
        if line is None:
            self.process.wait(10)
            raise AssertionError(f"{self.argv[:2]} ended before '{word}' (exit {self.process.returncode}); "
                                 f"seen {self.seen}; stderr: {self.process.stderr.read()}")
        self.seen.append(line)
        found, *values = line.split()
        assert found == word, f"expected '{word}', got '{line}'; seen {self.seen}"
        return values

    def tell(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def finish(self, timeout: float = ANSWER_TIMEOUT) -> str:
        """Closes stdin, waits for a clean exit; returns stderr."""
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        self._reader.join(5)
        stderr = self.process.stderr.read()
        assert self.process.returncode == 0, f"{self.argv[:2]} exited {self.process.returncode}: {stderr}"
        return stderr

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)


def pyscard_peer(env: PcscdEnv) -> Child:
    peer = Child(env, [PYTHON, "-c", PYSCARD_PEER, env.reader_name])
    peer.expect("ready")
    return peer


def probe(env: PcscdEnv, *args: str) -> Child:
    return Child(env, [str(PROBE), *args])


@pytest.fixture(scope="module")
def env():
    if not PROBE.exists():
        pytest.fail(f"{PROBE} not built")
    with pcscd_env_or_skip(BIN) as e:
        yield e


def sim_answers(env: PcscdEnv, tmp_path: Path, apdus: list[str]) -> list[str]:
    """Answers (data+SW as one hex string each) of a fresh session on a copy of the served card."""
    copy = tmp_path / "sim-copy.state"
    shutil.copyfile(env.state_path, copy)
    out = subprocess.run([str(BIN / "simkit"), "apdu", "--card", f"sim:{copy}?t1=1", *apdus],
                         capture_output=True, text=True, check=True, timeout=60)
    return [line.replace(" ", "") for line in out.stdout.splitlines()]


@dataclass
class HoldRun:
    """One hold with a second client's SELECT ISD during it: monotonic seconds of the question, its
    answer and the moment the holder began to let go (after its own APDU); both answers; the second
    client's stderr."""
    asked: float
    answered: float
    release: float
    answer: str
    holder_answer: str
    peer_stderr: str


def second_client_during_hold(env: PcscdEnv, peer_kind: str, exclusive: bool,
                              holder_options: str = "?disconnect=leave") -> HoldRun:
    """Connects a second client (pyscard or simkit_pcsc_probe), starts `hold`, and once it holds, has
    the second client send SELECT ISD."""
    for hold_ms in HOLD_MS:
        # The second client connects before the hold: SCardConnect too waits while another
        # application holds the card.
        if peer_kind == "pyscard":
            peer = pyscard_peer(env)
        else:
            peer = probe(env, "transmit-on-cue", env.uri + "?disconnect=leave", SELECT_ISD)
            peer.expect("ready")
        holder = probe(env, "hold", env.uri + holder_options, str(hold_ms),
                       *([] if exclusive else ["--without-exclusive"]))
        try:
            holder.expect("held")
            if peer_kind == "pyscard":
                peer.tell("transmit " + SELECT_ISD)
                asked, answered, answer = peer.expect("answer")
            else:
                peer.tell("go")
                asked = peer.expect("start")[0]
                answer = peer.expect("response")[0]
                answered = peer.expect("done")[0]
            run = HoldRun(float(asked), float(answered), 0.0, answer, holder.expect("response")[0], "")
            run.release = float(holder.expect("releasing")[0])
            holder.finish()
            run.peer_stderr = peer.finish()
        finally:
            holder.kill()
            peer.kill()
        if run.release - run.asked >= MIN_REMAINING:
            return run
    pytest.fail(f"machine too slow: the second client asked only {run.release - run.asked:.3f} s before a "
                f"{HOLD_MS[-1]} ms hold ended")


def assert_select_isd_answer(answer: str) -> None:
    assert answer.endswith("9000") and ("8408" + ISD_AID) in answer   # FCI with the ISD's AID


@pytest.mark.parametrize("peer_kind", ["pyscard", "probe"])
def test_exclusive_access_makes_another_client_wait(env, peer_kind):
    run = second_client_during_hold(env, peer_kind, exclusive=True)
    assert_select_isd_answer(run.answer)
    assert_select_isd_answer(run.holder_answer)
    # Answered only once the holder let go, so it waited (nearly) all of the hold left when it asked.
    assert run.answered > run.release, f"answered {run.release - run.answered:.3f} s before the exclusive hold ended"
    assert run.answered - run.asked >= 0.9 * (run.release - run.asked)


@pytest.mark.parametrize("peer_kind", ["pyscard", "probe"])
def test_without_exclusive_access_another_client_goes_first(env, peer_kind):
    # The control: the same hold with only the connection open does not delay the other client, so
    # the test above can fail.
    run = second_client_during_hold(env, peer_kind, exclusive=False)
    assert_select_isd_answer(run.answer)
    assert_select_isd_answer(run.holder_answer)
    assert run.answered < run.release, f"answered {run.answered - run.release:.3f} s after the connection-only hold ended"


def test_waiting_pcsc_client_survives_the_holders_reset_on_close(env):
    # The holder keeps the default disconnect=reset, so the card is reset as the hold ends, normally
    # before the waiting client's APDU runs; the pcsc: transport then reconnects and retries (its
    # stderr says so) and still gets its answer.
    run = second_client_during_hold(env, "probe", exclusive=True, holder_options="")
    assert_select_isd_answer(run.answer)
    assert run.answered > run.release
    print("second client's stderr:", run.peer_stderr)


def test_card_reset_by_another_client_is_reconnected_and_retried(env, tmp_path):
    opened = sim_answers(env, tmp_path, [OPEN_CHANNEL, GET_CARD_DATA_ON_CHANNEL_1])
    fresh = sim_answers(env, tmp_path, [SELECT_ISD, GET_CARD_DATA_ON_CHANNEL_1])
    assert opened[1].endswith("9000")
    assert fresh[1] == "6881"   # a fresh card has no channel 1 (ISO 7816-4: logical channel not supported)
    resetter = None
    retrier = probe(env, "reset-retry", env.uri)
    try:
        before = [retrier.expect("response")[0], retrier.expect("response")[0]]
        assert before == opened                                   # channel 1 open and in use
        retrier.expect("ready")
        resetter = pyscard_peer(env)
        resetter.tell("reset")
        resetter.expect("reset")
        # pyscard's own view: the card was really reset, channel 1 is gone.
        resetter.tell("transmit " + GET_CARD_DATA_ON_CHANNEL_1)
        assert resetter.expect("answer")[2] == fresh[1]
        resetter.finish()
        retrier.tell("go")
        after = [retrier.expect("response")[0], retrier.expect("response")[0]]
        stderr = retrier.finish()
    finally:
        for child in (retrier, resetter):
            if child is not None:
                child.kill()
    # The first exchange after the reset met SCARD_W_RESET_CARD, reconnected and was retried ...
    assert "was reset by another application; reconnecting" in stderr
    assert stderr.count("reconnecting") == 1
    # ... and the card answers as a fresh card does: same FCI, channel 1 closed.
    assert after == fresh


def test_provider_key_signs_again_after_another_client_resets_the_card(env, tmp_path):
    # The OpenSSL provider's card session (issue 12) outlives a reset by another application: the
    # pcsc: transport reconnects, the key store is no longer selected, the provider reopens its session
    # and signs. Both signatures verify with the slot's public key (python3-cryptography).
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    simkit = str(BIN / "simkit")
    subprocess.run([simkit, "key", "gen", "--card", env.uri, "--slot", "3"], env=env.environ, check=True,
                   capture_output=True, timeout=60)
    pem = subprocess.run([simkit, "key", "pub", "--card", env.uri, "--slot", "3", "--pem"], env=env.environ,
                         check=True, capture_output=True, timeout=60).stdout
    public_key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    resetter = None
    signer = probe(env, "provider-sign-on-cue", f"simkit:slot=3;card={env.uri}")
    try:
        before = signer.expect("signature")[0]
        signer.expect("ready")
        resetter = pyscard_peer(env)
        resetter.tell("reset")
        resetter.expect("reset")
        resetter.finish()
        signer.tell("go")
        after = signer.expect("signature")[0]
        stderr = signer.finish()
    finally:
        for child in (signer, resetter):
            if child is not None:
                child.kill()
    assert "was reset by another application; reconnecting" in stderr
    public_key.verify(bytes.fromhex(before), b"before", ec.ECDSA(hashes.SHA256()))
    public_key.verify(bytes.fromhex(after), b"after", ec.ECDSA(hashes.SHA256()))
