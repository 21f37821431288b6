"""Shared fixtures of the integration suite: one card reached over each transport.

`served_card` is parametrised over sim:, pcsc: (private pcscd + vpcd + simkit-card) and at:
(simkit-card on a pty). Each yields a ServedCard whose `run()` runs the real simkit CLI against that
card, and whose `twin` is a sim: card on a copy of the same state file: a second path to the same
card state, so every transport's answers can be compared with the in-process card's. Every served card
follows T=0, the default of sim: and simkit-card serve (as a real SIM): the host completes 61xx/6Cxx.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from at_env import AtModemEnv  # noqa: E402
from pcscd_env import pcscd_env_or_skip  # noqa: E402

BIN = Path(os.environ.get("SIMKIT_BIN_DIR", Path(__file__).resolve().parents[2] / "build" / "bin"))


@dataclass
class ServedCard:
    transport: str
    uri: str
    twin_uri: str
    environ: dict = field(default_factory=lambda: dict(os.environ))

    def run(self, *args, uri=None, check=True):
        env = dict(self.environ)
        env.pop("SIMKIT_CARD", None)
        words = 2 if args[0] in ("gp", "key", "pin") else 1  # `--card` belongs to the subcommand: `gp put-key --card`
        proc = subprocess.run([str(BIN / "simkit"), *args[:words], "--card", uri or self.uri, *args[words:]],
                              capture_output=True, text=True, env=env, timeout=60)
        if check and proc.returncode != 0:
            raise AssertionError(f"simkit {' '.join(args)} on {uri or self.uri} exited {proc.returncode}: "
                                 f"{proc.stderr}")
        return proc

    def apdu(self, *apdus, raw=False):
        """Answer lines of `simkit apdu` on this transport."""
        args = ["apdu", *(["--raw"] if raw else []), *apdus]
        return self.run(*args).stdout.strip().splitlines()

    def twin_apdu(self, *apdus, raw=False):
        """The same APDUs on the in-process twin card."""
        args = ["apdu", *(["--raw"] if raw else []), *apdus]
        return self.run(*args, uri=self.twin_uri).stdout.strip().splitlines()


def _twin(state_path, workdir):
    twin_state = Path(workdir) / "twin.state"
    shutil.copyfile(state_path, twin_state)
    return f"sim:{twin_state}"


@pytest.fixture(scope="module", params=["sim", "pcsc", "at-csim", "at-ccho"])
def served_card(request):
    workdir = tempfile.mkdtemp(prefix="simkit-flows-")
    try:
        if request.param == "sim":
            state = Path(workdir) / "card.state"
            subprocess.run([str(BIN / "simkit-card"), "init", "--state", str(state)], check=True,
                           capture_output=True)
            yield ServedCard("sim", f"sim:{state}", _twin(state, workdir))
        elif request.param == "pcsc":
            with pcscd_env_or_skip(BIN, protocol="t0") as env:
                yield ServedCard("pcsc", env.uri, _twin(env.state_path, workdir), env.environ)
        else:
            # at-csim: logical channels opened by the APDUs themselves inside AT+CSIM;
            # at-ccho: the modem's AT+CCHO / AT+CGLA / AT+CCHC (specs/at-modem.md)
            channels = request.param.split("-")[1]
            with AtModemEnv(str(BIN), protocol="t0") as env:
                yield ServedCard(request.param, env.uri_with(channels=channels), _twin(env.state_path, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
