"""Helpers for tests of simkit's OpenSSL provider with the real `openssl` CLI (issue 12): paths of
the binaries and the module, openssl/simkit runners, key URIs, a test PKI made by plain openssl (CA,
server, device certificate), an `openssl s_server -Verify 1` on a free loopback port and the
`s_client` side. Used by tests/cli/test_provider_openssl.py and
tests/integration/test_provider_pcsc.py."""
import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

BIN = Path(os.environ.get("SIMKIT_BIN_DIR", Path(__file__).resolve().parents[2] / "build" / "bin"))
SIMKIT = BIN / "simkit"
MODULE_DIR = BIN.parent / "lib" / "ossl-modules"
MODULE = MODULE_DIR / "simkit.so"
TLS_CLIENT = BIN / "simkit_provider_tls_client"
OPENSSL = "/usr/bin/openssl"
PROVIDER = ["-provider-path", str(MODULE_DIR), "-provider", "default", "-provider", "simkit"]
USER_PIN = "1234"
DEVICE_SUBJECT = "CN = device-42"  # as openssl prints /CN=device-42


def require_built(*paths):
    """Fails (never skips) when a binary the test needs is missing: a missing module is a build
    problem to see, not a reason to pass quietly."""
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        pytest.fail(f"not built: {', '.join(missing)} (SIMKIT_BIN_DIR={BIN}); build the targets simkit, "
                    "simkit_provider_module and simkit_provider_tls_client", pytrace=False)


def clean_env(extra=None):
    env = dict(os.environ)
    for name in ("SIMKIT_CARD", "SIMKIT_PIN", "OPENSSL_MODULES", "SIMKIT_TEST_PIN"):
        env.pop(name, None)
    if extra:
        env.update(extra)
    return env


def run_openssl(*args, provider=True, env=None, input=None, timeout=30):
    """One openssl command (`args[0]` the subcommand), with the simkit provider loaded when `provider`
    (its options right after the subcommand: `dgst` takes everything after the first file name for
    more files). No controlling terminal (its own session) and stdin closed or given: a passphrase
    prompt cannot wait for a person."""
    command = [OPENSSL, str(args[0]), *(PROVIDER if provider else []), *map(str, args[1:])]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=clean_env(env),
                          input=input, stdin=None if input is not None else subprocess.DEVNULL,
                          start_new_session=True)


def checked(proc, what):
    assert proc.returncode == 0, f"{what} exited {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    return proc


def run_simkit(*args, env=None):
    proc = subprocess.run([str(SIMKIT), *map(str, args)], capture_output=True, text=True, timeout=60,
                          env=clean_env(env), stdin=subprocess.DEVNULL)
    return checked(proc, "simkit " + " ".join(map(str, args)))


def key_uri(slot, card, *attrs):
    return ";".join([f"simkit:slot={slot}", f"card={card}", *attrs])


def public_key(pem_path):
    return serialization.load_pem_public_key(Path(pem_path).read_bytes())


def same_key(a, b):
    form = (serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return a.public_bytes(*form) == b.public_bytes(*form)


# --- a test PKI --------------------------------------------------------------------------------------
@dataclass
class Pki:
    dir: Path
    ca: Path
    ca_key: Path
    server_cert: Path
    server_key: Path
    device_cert: Path  # for the card's slot-1 key


def make_ca_and_server(workdir):
    """A test CA and a server certificate for 127.0.0.1, all by plain openssl (software keys)."""
    workdir = Path(workdir)
    ca, ca_key = workdir / "ca.pem", workdir / "ca.key"
    checked(run_openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", ca_key, "-out", ca, "-subj", "/CN=simkit test CA", "-days", "2",
                        provider=False), "making the test CA")
    server_key, server_csr, server_cert = workdir / "srv.key", workdir / "srv.csr", workdir / "srv.pem"
    checked(run_openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", server_key, "-out", server_csr, "-subj", "/CN=127.0.0.1", provider=False),
            "making the server CSR")
    ext = workdir / "srv.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n")
    checked(run_openssl("x509", "-req", "-in", server_csr, "-CA", ca, "-CAkey", ca_key, "-set_serial", "2",
                        "-days", "1", "-extfile", ext, "-out", server_cert, provider=False), "signing the server cert")
    return ca, ca_key, server_cert, server_key


def sign_device_csr(workdir, csr, ca, ca_key, name="dev", serial=3, force_pubkey=None):
    """The test CA (plain openssl) signs a device CSR for TLS client use (with `force_pubkey`, for
    that public key instead of the CSR's); `openssl verify` checks the result."""
    ext = Path(workdir) / f"{name}.ext"
    ext.write_text("extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n")
    cert = Path(workdir) / f"{name}.pem"
    checked(run_openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-set_serial", str(serial),
                        "-days", "1", "-extfile", ext, "-out", cert,
                        *(["-force_pubkey", force_pubkey] if force_pubkey else []), provider=False),
            "the CA signing the device CSR")
    verified = checked(run_openssl("verify", "-CAfile", ca, cert, provider=False), "openssl verify")
    assert f"{cert}: OK" in verified.stdout, verified.stdout + verified.stderr
    return cert


def make_pki(workdir, device_public_pem):
    """CA, server certificate and the device's certificate (CN=device-42) for the card's public key,
    all by plain openssl: the TLS tests do not depend on the CSR path (test_csr_... tests that).
    The device certificate is issued for `device_public_pem` with -force_pubkey from a throwaway
    software CSR that carries the subject."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    ca, ca_key, server_cert, server_key = make_ca_and_server(workdir)
    subject_csr = workdir / "subject.csr"
    checked(run_openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", workdir / "throwaway.key", "-out", subject_csr, "-subj", "/CN=device-42",
                        provider=False), "making the subject CSR")
    cert = sign_device_csr(workdir, subject_csr, ca, ca_key, force_pubkey=device_public_pem)
    return Pki(workdir, ca, ca_key, server_cert, server_key, cert)


# --- TLS peers -----------------------------------------------------------------------------------------
def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tcp_listening(port):
    """True when something listens on 127.0.0.1:port (read from /proc: no probe connection, which
    would use up one of s_server's -naccept)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) > 3 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
            return True
    return False


class TlsServer:
    """Plain `openssl s_server` (no simkit provider) demanding a client certificate from the test CA.
    Stopped through its Popen handle only; its stdin is a pipe kept open (EOF would end it)."""

    def __init__(self, pki, log_path, naccept=1, extra=()):
        self.pki, self.log_path, self.naccept, self.extra = pki, Path(log_path), naccept, tuple(extra)
        self.proc = None
        self.port = None

    def __enter__(self):
        for _ in range(5):  # a port taken between free_port() and s_server's bind: try another
            self.port = free_port()
            with open(self.log_path, "wb") as log:
                self.proc = subprocess.Popen(
                    [OPENSSL, "s_server", "-accept", f"127.0.0.1:{self.port}", "-cert", str(self.pki.server_cert),
                     "-key", str(self.pki.server_key), "-CAfile", str(self.pki.ca), "-Verify", "1",
                     "-verify_return_error", "-naccept", str(self.naccept), *self.extra],
                    stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, env=clean_env(),
                    start_new_session=True)
            deadline = time.monotonic() + 10
            while self.proc.poll() is None and not tcp_listening(self.port):
                if time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError("s_server did not listen within 10 s\n" + self.output())
                time.sleep(0.02)
            if self.proc.poll() is None:
                return self
        raise AssertionError("s_server could not start\n" + self.output())

    def __exit__(self, *exc):
        self.stop()

    def wait(self, timeout=20):
        """Waits for s_server to end after its -naccept connections; its output."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"s_server still running after {timeout} s\n" + self.output()) from None
        return self.output()

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdin:
            self.proc.stdin.close()

    def output(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def s_client(pki, port, key, *extra, cert=None, env=None, message="hello-from-device", timeout=30):
    """`openssl s_client` with the provider and the on-card key: sends one line, then stdin's EOF
    makes it close the connection (message None: stdin closed from the start, so that a passphrase
    prompt, which reads stdin when there is no terminal, gets nothing)."""
    return run_openssl("s_client", "-connect", f"127.0.0.1:{port}", "-cert", cert or pki.device_cert, "-key", key,
                       "-CAfile", pki.ca, "-verify_return_error", "-no_ign_eof", *extra, env=env,
                       input=None if message is None else message + "\n", timeout=timeout)


def assert_mutual_tls(pki, key, workdir, client_args, env=None, cert=None):
    """One handshake; returns (s_client, s_server output) after checking both sides saw success."""
    with TlsServer(pki, Path(workdir) / "s_server.log") as server:
        client = s_client(pki, server.port, key, *client_args, env=env, cert=cert)
        served = server.wait()
    both = f"--- s_client rc {client.returncode}\n{client.stdout}\n{client.stderr}\n--- s_server\n{served}"
    assert client.returncode == 0, both
    assert "Verify return code: 0 (ok)" in client.stdout, both
    # s_server verified and printed the client certificate, then received the line sent after the
    # handshake (in TLS 1.3 the server judges the client's certificate after the client's last flight).
    assert f"subject={DEVICE_SUBJECT}" in served, both
    assert "Peer signature type: ECDSA" in served, both
    assert "hello-from-device" in served, both
    return client, served
