"""The simkit CLI as the tests run it: the binary from SIMKIT_BIN_DIR (ctest sets it; build/bin
otherwise), with the caller's environment minus simkit's own variables, so a developer's
$SIMKIT_CARD or $SIMKIT_PIN never leaks into a test."""
import os
import subprocess
from pathlib import Path

BIN = Path(os.environ.get("SIMKIT_BIN_DIR", Path(__file__).resolve().parents[2] / "build" / "bin"))
SIMKIT = str(BIN / "simkit")
SIMKIT_VARIABLES = ("SIMKIT_CARD", "SIMKIT_PIN", "SIMKIT_MASTER_KEY")


def run_simkit(*args, rc=None, env=None, stdin=None, timeout=120):
    """Runs `simkit ARGS...` and returns the CompletedProcess (text output). `rc`: the exit code the
    test expects (asserted, with the output in the message); `env`: variables added for this run."""
    full_env = {name: value for name, value in os.environ.items() if name not in SIMKIT_VARIABLES}
    full_env.update(env or {})
    proc = subprocess.run([SIMKIT, *args], capture_output=True, text=True, env=full_env, timeout=timeout,
                          input=stdin)
    if rc is not None:
        assert proc.returncode == rc, (args, proc.returncode, proc.stdout, proc.stderr)
    return proc
