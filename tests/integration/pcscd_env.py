"""An isolated PC/SC stack for tests and benchmarks: a private pcscd with the vpcd driver on a free
port pair, and `simkit-card serve` connected to it.

    from pcscd_env import PcscdEnv, PcscdUnavailable
    with PcscdEnv(bin_dir) as env:
        subprocess.run([env.simkit, "apdu", "--card", env.uri, "00A4040000"], env=env.environ)

What it starts, and how it keeps away from everything else:
  * pcscd runs inside its own mount namespace (`unshare -m`) where a private directory is mounted
    over /run/pcscd (Debian's pcscd always writes /run/pcscd/pcscd.pid and ignores
    PCSCLITE_CSOCK_NAME for itself). Its client socket is $TMP/pcscd.comm, handed over by
    `systemd-socket-activate`, which starts pcscd on the first client connection. Its only
    configured reader is vpcd on a port pair found free on 127.0.0.1 and 0.0.0.0. Clients find it
    through PCSCLITE_CSOCK_NAME (in `env.environ`).
  * simkit-card serves the state file (default $TMP/card.state) to vpcd's first slot.
  * Every child gets PR_SET_PDEATHSIG(SIGKILL) and its own process group, so nothing outlives the
    process (strictly: the thread) that started it, even when the test run is killed. stop() ends
    exactly those processes, by pid and by their own process group; a system pcscd is never touched.
    (A run killed outright leaves only its /tmp/simkit-pcscd-* directory behind.)

Needs root (for the mount namespace), pcscd, systemd-socket-activate and the vpcd driver;
otherwise PcscdUnavailable says which is missing (tests turn that into a skip).
"""
from __future__ import annotations

import contextlib
import ctypes
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
FRIENDLY_NAME = "Virtual PCD"
PR_SET_PDEATHSIG = 1


class PcscdUnavailable(RuntimeError):
    """pcscd cannot run here at all (missing program, driver or privilege)."""


class PcscdEnvError(RuntimeError):
    """The environment was startable but did not come up; the message carries the logs."""


def default_bin_dir() -> Path:
    """$SIMKIT_BIN_DIR (set by ctest), else build/bin of the source tree holding this file."""
    return Path(os.environ.get("SIMKIT_BIN_DIR", Path(__file__).resolve().parents[2] / "build" / "bin"))


def die_with_parent():
    """A preexec_fn that makes the child get SIGKILL when the thread that started it dies."""
    parent = os.getpid()
    libc = ctypes.CDLL(None, use_errno=True)

    def preexec() -> None:
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            os._exit(127)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(127)
    return preexec


def _port_pair_is_free(port: int) -> bool:
    # One bind at a time: 127.0.0.1:P and 0.0.0.0:P cannot be held together by one process.
    for p in (port, port + 1):
        for host in ("127.0.0.1", "0.0.0.0"):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                try:
                    s.bind((host, p))
                except OSError:
                    return False
    return True


def find_free_port_pair(low: int = 20000, high: int = 60000) -> int:
    """A port P such that P and P+1 are free on 127.0.0.1 and 0.0.0.0 (vpcd listens on both slots)."""
    rng = random.Random(os.getpid() ^ time.monotonic_ns())
    for _ in range(500):
        port = rng.randrange(low, high - 1)
        if _port_pair_is_free(port):
            return port
    raise PcscdEnvError("no free TCP port pair found")


def _tcp_listening(port: int) -> bool:
    """True when something listens on `port` (read from /proc, so vpcd never sees a probe)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def check_prerequisites() -> None:
    """Raises PcscdUnavailable naming what is missing for a private pcscd."""
    missing = [tool for tool in ("pcscd", "systemd-socket-activate", "unshare", "mount") if shutil.which(tool) is None]
    if missing:
        raise PcscdUnavailable("cannot run a private pcscd: missing " + ", ".join(missing))
    if not VPCD_DRIVER.exists():
        raise PcscdUnavailable(f"cannot run a private pcscd: vpcd driver {VPCD_DRIVER} missing (package vsmartcard-vpcd)")
    if os.geteuid() != 0:
        raise PcscdUnavailable("cannot run a private pcscd: needs root for its private mount namespace")


class PcscdEnv:
    """A private pcscd + vpcd + simkit-card. Attributes once started:

    environ      os.environ plus PCSCLITE_CSOCK_NAME: pass to every PC/SC client
    uri          card URI of the served card ("pcsc:Virtual PCD 00 00")
    reader_name  "Virtual PCD 00 00"; port: vpcd's first port; socket_path; state_path; tmp
    simkit, simkit_card  paths of the binaries
    """

    def __init__(self, bin_dir: str | os.PathLike | None = None, state_path: str | os.PathLike | None = None,
                 card_args: tuple[str, ...] = (), log_level: str = "info", pcscd_debug: bool = False,
                 start_timeout: float = 15.0, protocol: str = "t1"):
        # The card's protocol: "t1" (--t1: answers carry data, ATR offers T=1; the suites about raw
        # exchanges rely on it) or "t0" (simkit-card's default, as a real SIM).
        if protocol not in ("t0", "t1"):
            raise ValueError(f"protocol must be t0 or t1, not {protocol!r}")
        self.bin_dir = Path(bin_dir) if bin_dir else default_bin_dir()
        self.simkit = self.bin_dir / "simkit"
        self.simkit_card = self.bin_dir / "simkit-card"
        self.card_args = tuple(card_args) + (("--t1",) if protocol == "t1" else ())
        self.protocol = protocol
        self.log_level = log_level
        self.pcscd_debug = pcscd_debug
        self.start_timeout = start_timeout
        self._state_arg = state_path
        self.tmp: Path | None = None
        self.pcscd: subprocess.Popen | None = None
        self.card: subprocess.Popen | None = None
        self.reader_name = f"{FRIENDLY_NAME} 00 00"
        self.second_reader_name = f"{FRIENDLY_NAME} 00 01"
        self.uri = f"pcsc:{self.reader_name}"

    # --- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> "PcscdEnv":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        check_prerequisites()
        for binary in (self.simkit, self.simkit_card):
            if not binary.exists():
                raise PcscdEnvError(f"{binary} not built (set SIMKIT_BIN_DIR)")
        self.tmp = Path(tempfile.mkdtemp(prefix="simkit-pcscd-"))
        self.run_dir = self.tmp / "run"
        self.run_dir.mkdir()
        self.socket_path = self.tmp / "pcscd.comm"
        self.reader_conf = self.tmp / "reader.conf"
        self.state_path = Path(self._state_arg) if self._state_arg else self.tmp / "card.state"
        self.pcscd_log = self.tmp / "pcscd.log"
        self.card_log = self.tmp / "card.log"
        self.environ = dict(os.environ, PCSCLITE_CSOCK_NAME=str(self.socket_path))
        try:
            self.port = find_free_port_pair()
            self.reader_conf.write_text(
                f'FRIENDLYNAME "{FRIENDLY_NAME}"\n'
                f"DEVICENAME   /dev/null:0x{self.port:04X}\n"
                f"LIBPATH      {VPCD_DRIVER}\n"
                f"CHANNELID    0x{self.port:04X}\n")
            self.start_pcscd()
            self.start_card()
            self.wait_for_card(True, self.start_timeout)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stops what this env started (card first, then pcscd) and removes its directory."""
        self.stop_card()
        self.stop_pcscd()
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    # --- pcscd ---------------------------------------------------------------------------------
    def start_pcscd(self) -> None:
        """Starts the private pcscd (again, after stop_pcscd) and waits until vpcd listens."""
        if self.pcscd is not None and self.pcscd.poll() is None:
            raise PcscdEnvError("pcscd of this env is already running")
        if self.socket_path.exists():
            self.socket_path.unlink()
        # pcscd writes /run/pcscd/pcscd.pid; a private directory covers it in our namespace only.
        os.makedirs("/run/pcscd", exist_ok=True)
        flags = "-f -d -a" if self.pcscd_debug else "-f"
        script = ('mount --bind "$1" /run/pcscd || exit 97; '
                  f'exec systemd-socket-activate -l "$2" pcscd {flags} -c "$3"')
        with open(self.pcscd_log, "ab") as log:
            self.pcscd = subprocess.Popen(
                ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                 str(self.run_dir), str(self.socket_path), str(self.reader_conf)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent(), start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while not self.socket_path.exists():
            self._check_alive(self.pcscd, "pcscd", self.pcscd_log)
            if time.monotonic() > deadline:
                raise PcscdEnvError("pcscd socket did not appear\n" + self.logs())
            time.sleep(0.02)
        # The first client connection makes systemd-socket-activate exec pcscd. The socket file
        # appears at bind(), a moment before listen(): until then a connection is refused.
        while True:
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                    probe.connect(str(self.socket_path))
                break
            except ConnectionRefusedError:
                self._check_alive(self.pcscd, "pcscd", self.pcscd_log)
                if time.monotonic() > deadline:
                    raise PcscdEnvError("pcscd socket refused connections\n" + self.logs())
                time.sleep(0.02)
        while not (_tcp_listening(self.port) and _tcp_listening(self.port + 1)):
            self._check_alive(self.pcscd, "pcscd", self.pcscd_log)
            if time.monotonic() > deadline:
                raise PcscdEnvError(f"vpcd did not listen on port {self.port}\n" + self.logs())
            time.sleep(0.02)

    def stop_pcscd(self, timeout: float = 5.0) -> int | None:
        """SIGTERM to our pcscd (SIGKILL to its process group after `timeout`); its exit code."""
        code = _stop_process(self.pcscd, timeout)
        self.pcscd = None
        return code

    def restart_pcscd(self) -> None:
        self.stop_pcscd()
        self.start_pcscd()

    # --- the card daemon -----------------------------------------------------------------------
    def start_card(self) -> None:
        if self.card is not None and self.card.poll() is None:
            raise PcscdEnvError("simkit-card of this env is already running")
        with open(self.card_log, "ab") as log:
            self.card = subprocess.Popen(
                [str(self.simkit_card), "serve", "--state", str(self.state_path),
                 "--vpcd", f"127.0.0.1:{self.port}", "--log-level", self.log_level, *self.card_args],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent(), start_new_session=True)

    def stop_card(self, timeout: float = 5.0) -> int | None:
        """SIGTERM to simkit-card (SIGKILL to its group after `timeout`); its exit code."""
        code = _stop_process(self.card, timeout)
        self.card = None
        return code

    def insert_card(self, attempts: int = 3) -> None:
        """Starts simkit-card again (after the previous one left) and waits until pcscd shows the
        card. Debian's vpcd driver may not take a card that connects within about a second of one
        that left in the middle of an exchange (its connection is never accepted), so the card comes
        in after a pause, and is pulled and inserted again if pcscd still shows no card, as an
        operator would."""
        self.wait_for_card(False)
        for attempt in range(attempts):
            time.sleep(1.0)
            self.start_card()
            try:
                self.wait_for_card(True, timeout=4)
                return
            except PcscdEnvError:
                if attempt == attempts - 1:
                    raise
                self.stop_card()

    # --- queries ---------------------------------------------------------------------------------
    def readers(self) -> list[dict]:
        """`simkit readers --json` against this pcscd."""
        out = subprocess.run([str(self.simkit), "readers", "--json"], env=self.environ, capture_output=True,
                             text=True, timeout=30)
        if out.returncode != 0:
            raise PcscdEnvError("simkit readers failed: " + out.stderr.strip())
        return json.loads(out.stdout)

    def wait_for_card(self, present: bool = True, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.card is not None:
                self._check_alive(self.card, "simkit-card", self.card_log)
            try:
                state = {r["name"]: r["card_present"] for r in self.readers()}
            except PcscdEnvError:
                state = {}
            if state.get(self.reader_name, False) == present:
                return
            if time.monotonic() > deadline:
                raise PcscdEnvError(f"card {'never appeared' if present else 'stayed'} in {self.reader_name}\n"
                                    + self.logs())
            time.sleep(0.1)

    def simkit_run(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        """Runs the simkit CLI against this pcscd."""
        return subprocess.run([str(self.simkit), *args], env=self.environ, capture_output=True, text=True,
                              check=check, timeout=timeout)

    def logs(self) -> str:
        parts = []
        for name, path in (("pcscd", getattr(self, "pcscd_log", None)), ("simkit-card", getattr(self, "card_log", None))):
            if path is not None and path.exists():
                parts.append(f"--- {name} log ---\n" + path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    @staticmethod
    def _check_alive(process: subprocess.Popen | None, name: str, log: Path) -> None:
        if process is not None and process.poll() is not None:
            text = log.read_text(errors="replace")[-4000:] if log.exists() else ""
            raise PcscdEnvError(f"{name} exited with {process.returncode}\n{text}")


@contextlib.contextmanager
def pcscd_env_or_skip(bin_dir=None, **kwargs):
    """A started PcscdEnv for a pytest fixture; skips the test (with the reason) when a private
    pcscd cannot run on this machine; closes it afterwards."""
    import pytest
    env = PcscdEnv(bin_dir, **kwargs)
    try:
        env.start()
    except PcscdUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield env
    finally:
        env.close()


def _stop_process(process: subprocess.Popen | None, timeout: float) -> int | None:
    if process is None:
        return None
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            # Still ours and not reaped, so its pid is still its process group's id: end the group.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
    return process.returncode
