"""The host at: transport holds its modem line alone (flock): a second simkit client on the same
device is refused with a clear error instead of interleaving AT commands with the first."""
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from at_env import AtModemEnv, default_bin_dir  # noqa: E402

BIN = Path(os.environ.get("SIMKIT_BIN_DIR") or default_bin_dir())


def test_a_modem_line_serves_one_simkit_client_at_a_time():
    with AtModemEnv(str(BIN)) as env:
        first = subprocess.Popen([str(BIN / "simkit"), "apdu", "--card", env.uri] + ["80CA00E000"] * 20000,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert first.stdout.readline().endswith("9000\n")  # the first client holds the line
            second = subprocess.run([str(BIN / "simkit"), "apdu", "--card", env.uri, "80CA00E000"],
                                    capture_output=True, text=True, timeout=60)
            assert second.returncode == 1
            assert "in use by another simkit client" in second.stderr
        finally:
            first.kill()
            first.communicate()
