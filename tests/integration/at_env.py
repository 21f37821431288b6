"""A private AT modem for tests: `simkit-card serve --at-pty` on a state file in a temporary
directory, with optional quirk switches. Starts exactly one process and stops exactly that one
(SIGTERM, wait, exit code 0, link removed).

    with AtModemEnv(bin_dir, quirks=["no_echo", "urc"]) as env:
        subprocess.run([f"{bin_dir}/simkit", "apdu", "--card", env.uri, "80CA00E000"])

`quirks` takes names from QUIRKS (or raw `--at-*` argument lists); `state_from` copies an existing
state file so a `sim:` twin can start from the same card.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

# Quirk name -> simkit-card serve arguments (specs/at-modem.md, "Quirk switches").
QUIRKS = {
    "no_echo": ["--at-no-echo"],
    "no_space": ["--at-no-space"],
    "urc": ["--at-urc", "+CREG: 1"],
    "max_apdu": ["--at-max-apdu", "261"],
    "large_ids": ["--at-large-session-ids"],
    "bare_ccho": ["--at-bare-ccho"],
}


def default_bin_dir():
    """$SIMKIT_BIN_DIR, else build/bin of the source tree."""
    if os.environ.get("SIMKIT_BIN_DIR"):
        return os.environ["SIMKIT_BIN_DIR"]
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(os.path.dirname(os.path.dirname(here)), "build", "bin")


def quirk_args(quirks):
    args = []
    for quirk in quirks:
        if isinstance(quirk, str):
            if quirk not in QUIRKS:
                raise ValueError(f"unknown AT quirk {quirk!r}; known: {sorted(QUIRKS)}")
            args += QUIRKS[quirk]
        else:
            args += list(quirk)
    return args


class AtModemEnv:
    """One simulated card served as an AT modem on a pty; `uri` is its `at:` card URI."""

    def __init__(self, bin_dir=None, quirks=(), state_from=None, log_level="info", start_timeout=10.0, protocol="t1"):
        # "t1": simkit-card serve --t1 (the AT suites compare raw answers with a T=1 twin); "t0": the
        # card's default, as a real SIM behind a modem.
        if protocol not in ("t0", "t1"):
            raise ValueError(f"protocol must be t0 or t1, not {protocol!r}")
        self.protocol = protocol
        self.bin_dir = bin_dir or default_bin_dir()
        self.quirks = list(quirks)
        self.state_from = state_from
        self.log_level = log_level
        self.start_timeout = start_timeout
        self.workdir = None
        self.process = None
        self.exit_code = None
        self._stderr = None

    # Paths, valid once started.
    @property
    def link(self):
        return os.path.join(self.workdir, "modem")

    @property
    def state_path(self):
        return os.path.join(self.workdir, "card.state")

    @property
    def uri(self):
        return "at:" + self.link

    def uri_with(self, **options):
        """The URI with options, e.g. env.uri_with(timeout=2000, ate0=0)."""
        if not options:
            return self.uri
        return self.uri + "?" + "&".join(f"{k}={v}" for k, v in options.items())

    def log(self):
        """What simkit-card wrote to stderr so far."""
        if self.workdir is None:
            return ""
        with open(os.path.join(self.workdir, "simkit-card.log"), errors="replace") as f:
            return f.read()

    def start(self):
        self.workdir = tempfile.mkdtemp(prefix="simkit-at-")
        if self.state_from:
            shutil.copyfile(self.state_from, self.state_path)
        self._stderr = open(os.path.join(self.workdir, "simkit-card.log"), "w")
        command = [os.path.join(self.bin_dir, "simkit-card"), "serve", "--state", self.state_path,
                   "--at-pty", self.link, "--log-level", self.log_level] + quirk_args(self.quirks)
        if self.protocol == "t1":
            command.append("--t1")
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=self._stderr)
        deadline = time.monotonic() + self.start_timeout
        while not os.path.islink(self.link):
            if self.process.poll() is not None:
                log = self.log()
                self._cleanup()
                raise RuntimeError(f"simkit-card exited with {self.process.returncode} before creating "
                                   f"the pty: {log}")
            if time.monotonic() > deadline:
                self.stop(check=False)
                raise RuntimeError(f"simkit-card created no pty link within {self.start_timeout} s")
            time.sleep(0.01)
        return self

    def stop(self, check=True, timeout=5.0):
        """SIGTERM the modem we started, wait for it; with `check`, demand exit 0 and no link left."""
        if self.process is None:
            return self.exit_code
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                self._cleanup()
                raise RuntimeError(f"simkit-card did not stop within {timeout} s of SIGTERM")
        self.exit_code = self.process.returncode
        link_left = os.path.lexists(self.link)
        log = self.log()
        self.process = None
        self._cleanup()
        if check:
            assert self.exit_code == 0, f"simkit-card exited with {self.exit_code}: {log}"
            assert not link_left, "simkit-card left its pty link behind"
        return self.exit_code

    def _cleanup(self):
        if self._stderr:
            self._stderr.close()
            self._stderr = None
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        # Do not hide the test's own failure behind a stop check.
        self.stop(check=exc_type is None)
        return False
