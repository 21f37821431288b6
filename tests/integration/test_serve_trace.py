"""simkit-card at --log-level trace logs every exchange, whichever front end it came from, with PINs
masked: the PIN digits never reach the log."""
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from at_env import AtModemEnv, default_bin_dir  # noqa: E402

BIN = Path(os.environ.get("SIMKIT_BIN_DIR") or default_bin_dir())
VERIFY_PIN = "0020000108" + "31323334FFFFFFFF"  # VERIFY, PIN "1234" padded with FF


def test_trace_logs_exchanges_with_the_pin_masked():
    with AtModemEnv(str(BIN), log_level="trace") as env:
        proc = subprocess.run([str(BIN / "simkit"), "apdu", "--card", env.uri, "80CA00E000", VERIFY_PIN],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        log = env.log()
    assert "> 80CA00E000" in log and "< E012" in log  # exchanges are traced
    assert "> 0020000108" + "*" * 16 in log             # the VERIFY is, with its data masked
    assert "31323334" not in log

