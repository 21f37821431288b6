"""simkit's OpenSSL 3 provider with the card on pcsc: (issue 12): stock `openssl s_client` loads the
module and signs the TLS 1.3 handshake with the key in a card served by `simkit-card serve` through a
private pcscd + vpcd (pcscd_env.py); a plain `openssl s_server -Verify 1` judges the client
certificate. Then the card leaves the reader in the middle of the handshake's signature (simkit-card
--leave-after N, N counted from the card's own APDU trace of a good handshake): s_client must end
on its own, soon, with an error that says the card is gone — no hang, no crash.

The PKI and TLS helpers are in tests/pylib/openssl_tls.py."""
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
import openssl_tls as tls  # noqa: E402
from pcscd_env import pcscd_env_or_skip  # noqa: E402

INS_SIGN_INIT = "2A"  # COMPUTE SIGNATURE INIT (specs/keystore.md); P1 00 opens the session
INS_SIGN_UPDATE = "2B"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tls.require_built(tls.SIMKIT, tls.MODULE)
    workdir = tmp_path_factory.mktemp("provider-pcsc")
    # T=0 as a real SIM; trace: the card logs every APDU (PINs masked), which the removal test counts.
    with pcscd_env_or_skip(tls.BIN, state_path=workdir / "card.state", protocol="t0", log_level="trace") as started:
        started.workdir = workdir
        started.base_card_args = started.card_args
        started.client_env = {"PCSCLITE_CSOCK_NAME": started.environ["PCSCLITE_CSOCK_NAME"]}
        started.simkit_run("key", "gen", "--card", started.uri, "--slot", "1")
        started.key = tls.key_uri(1, started.uri)  # the reader name's spaces stand as they are
        public_pem = workdir / "pub1.pem"
        started.simkit_run("key", "pub", "--card", started.uri, "--slot", "1", "--pem", "--out", str(public_pem))
        started.pki = tls.make_pki(workdir / "pki", public_pem)
        yield started


def card_apdus(env, since=0):
    """The command APDUs (hex) the card traced after byte `since` of its log."""
    text = env.card_log.read_text(errors="replace")[since:]
    return re.findall(r"> ([0-9A-F]{8,})", text)


@pytest.mark.parametrize("version,shown", [("-tls1_3", "New, TLSv1.3"), ("-tls1_2", "New, TLSv1.2, Cipher is ECDHE-ECDSA")])
def test_mutual_tls_with_the_card_on_pcsc(env, tmp_path, version, shown):
    since = len(env.card_log.read_text(errors="replace"))
    client, served = tls.assert_mutual_tls(env.pki, env.key, tmp_path, [version], env=env.client_env)
    assert shown in client.stdout, client.stdout
    # The handshake's signature was made by the card behind pcscd.
    apdus = card_apdus(env, since)
    assert any(a[2:4] == INS_SIGN_INIT and a[4:6] == "00" for a in apdus), env.logs()
    assert any(a[2:4] == INS_SIGN_UPDATE for a in apdus), env.logs()


def test_card_removed_mid_handshake_fails_cleanly(env, tmp_path):
    # A good handshake on a fresh card process, to count the APDUs s_client sends up to the signature.
    restart_card(env, ())
    since = len(env.card_log.read_text(errors="replace"))
    tls.assert_mutual_tls(env.pki, env.key, tmp_path, ["-tls1_3"], env=env.client_env)
    apdus = card_apdus(env, since)
    init = next((i for i, a in enumerate(apdus) if a[2:4] == INS_SIGN_INIT and a[4:6] == "00"), None)
    assert init is not None, f"no COMPUTE SIGNATURE INIT in the card's trace: {apdus}\n{env.logs()}"
    # The card answers everything up to and including the signature's INIT, then leaves: the
    # signature's UPDATE finds no card.
    leave_after = init + 1
    restart_card(env, ("--leave-after", str(leave_after)))
    with tls.TlsServer(env.pki, tmp_path / "s_server-removed.log") as server:
        started = time.monotonic()
        try:
            client = tls.s_client(env.pki, server.port, env.key, "-tls1_3", env=env.client_env, timeout=40)
        except subprocess.TimeoutExpired:
            pytest.fail("s_client hung after the card left the reader\n" + env.logs())
        elapsed = time.monotonic() - started
        server.stop()
        served = server.output()
    report = (f"--- s_client rc {client.returncode} after {elapsed:.1f} s\n{client.stdout}\n{client.stderr}\n"
              f"--- s_server\n{served}\n{env.logs()}")
    assert "leaving the reader (--leave-after)" in env.card_log.read_text(errors="replace"), report
    assert client.returncode > 0, report  # failed, and not killed by a signal (a crash)
    assert "hello-from-device" not in served, report
    # The provider's reason says what failed (the signature with slot 1) and that the card is gone,
    # e.g. "signing with slot 1 on pcsc:...: SCARD_E_NO_SMARTCARD (no smart card is in the reader)".
    assert "signing with slot 1" in client.stderr, report
    assert re.search(r"(?i)card (was )?removed|no card|card (is )?(absent|not present|left)|removed card|"
                     r"SCARD_W_REMOVED_CARD|SCARD_E_NO_SMARTCARD|unreachable", client.stderr), report


def restart_card(env, card_args):
    """simkit-card again on the same state, with `card_args` (pcscd keeps running)."""
    env.stop_card()
    env.card_args = env.base_card_args + tuple(card_args)
    env.insert_card()
