"""simkit's OpenSSL 3 provider (issue 12) used by stock OpenSSL programs: the real `openssl` CLI loads
the module build/lib/ossl-modules/simkit.so (-provider-path) and names the on-card key by its key URI
(`-key 'simkit:slot=1;card=sim:PATH'`); the key never leaves the simulated SIM (a sim: state file).

Independent truth: signatures are verified by plain `openssl` (no simkit provider loaded) and by
python3-cryptography with the public key the simkit CLI read from the card; the CSR is judged by
`openssl req -verify` and by python3-cryptography; a test CA made by plain openssl signs it and
`openssl verify` checks the result. The TLS tests' device certificate (CN=device-42) is issued by
that CA for the public key the simkit CLI read from slot 1 (-force_pubkey), so they do not depend
on the CSR path; as only the card holds the private key, a handshake that the server accepts was
signed by the card. The mutual-TLS peer is a plain `openssl s_server -Verify 1
-verify_return_error` that prints the client certificate it verified. The libssl client
(tests/integration/provider_tls_client.cpp) does the same handshakes from two threads sharing one
key opened through simkit::open_provider_key.

The card (module-scoped): slot 1 and slot 2 hold key pairs, slot 3 a PIN-bound key (user PIN 1234,
specs/keystore.md), slot 4 is empty (no key generated), slot 9 does not exist. The helpers (`make_pki`,
`TlsServer`, `s_client`, ...) are in tests/pylib/openssl_tls.py, shared with
tests/integration/test_provider_pcsc.py.
"""
import json
import sys
import os
import re
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from openssl_tls import (  # noqa: E402
    BIN,
    DEVICE_SUBJECT,
    MODULE,
    MODULE_DIR,
    OPENSSL,
    SIMKIT,
    TLS_CLIENT,
    TlsServer,
    USER_PIN,
    assert_mutual_tls,
    checked,
    clean_env,
    key_uri,
    make_pki,
    public_key,
    require_built,
    run_openssl,
    run_simkit,
    s_client,
    same_key,
    sign_device_csr,
)

# --- fixtures ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def card(tmp_path_factory):
    require_built(SIMKIT, MODULE)
    workdir = tmp_path_factory.mktemp("provider-card")
    uri = f"sim:{workdir / 'card.state'}"
    for slot in (1, 2):
        run_simkit("key", "gen", "--card", uri, "--slot", slot)
    run_simkit("key", "gen", "--card", uri, "--slot", 3, "--pin-bound")
    for slot in (1, 2, 3):
        run_simkit("key", "pub", "--card", uri, "--slot", slot, "--pem", "--out", workdir / f"pub{slot}.pem")
    return uri, workdir


@pytest.fixture(scope="module")
def pki(card):
    return make_pki(card[1] / "pki", pub(card, 1))


def pub(card, slot):
    return card[1] / f"pub{slot}.pem"


# --- signatures ------------------------------------------------------------------------------------------
def test_pkeyutl_signs_a_sha256_digest(card, tmp_path):
    data = os.urandom(3000)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data)
    digest_file = tmp_path / "digest.bin"
    digest_file.write_bytes(digest.finalize())
    sig = tmp_path / "sig.der"
    checked(run_openssl("pkeyutl", "-sign", "-inkey", key_uri(1, card[0]), "-in", digest_file, "-out", sig),
            "pkeyutl -sign")
    verified = run_openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub(card, 1), "-in", digest_file,
                           "-sigfile", sig, provider=False)
    assert verified.returncode == 0 and "Signature Verified Successfully" in verified.stdout, verified
    public_key(pub(card, 1)).verify(sig.read_bytes(), digest_file.read_bytes(), ec.ECDSA(Prehashed(hashes.SHA256())))
    # Slot 2's public key does not verify slot 1's signature.
    assert run_openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub(card, 2), "-in", digest_file,
                       "-sigfile", sig, provider=False).returncode != 0


def test_pkeyutl_rawin_digest_sha256(card, tmp_path):
    data = tmp_path / "data"
    data.write_bytes(os.urandom(5000))
    sig = tmp_path / "sig.der"
    checked(run_openssl("pkeyutl", "-sign", "-rawin", "-digest", "sha256", "-inkey", key_uri(1, card[0]),
                        "-in", data, "-out", sig), "pkeyutl -sign -rawin")
    verified = run_openssl("dgst", "-sha256", "-verify", pub(card, 1), "-signature", sig, data, provider=False)
    assert verified.returncode == 0 and "Verified OK" in verified.stdout, verified
    public_key(pub(card, 1)).verify(sig.read_bytes(), data.read_bytes(), ec.ECDSA(hashes.SHA256()))


def test_provider_order_does_not_matter(card, tmp_path):
    # Users and config files list providers in either order. With a sim: card the simulated card
    # runs inside the openssl process, so its own (software) ECDSA must not be served by simkit's.
    digest = tmp_path / "digest.bin"
    digest.write_bytes(os.urandom(32))
    sig = tmp_path / "sig.der"
    proc = subprocess.run([OPENSSL, "pkeyutl", "-provider-path", str(MODULE_DIR), "-provider", "simkit",
                           "-provider", "default", "-sign", "-inkey", key_uri(1, card[0]), "-in", str(digest),
                           "-out", str(sig)], capture_output=True, text=True, timeout=30, env=clean_env(),
                          stdin=subprocess.DEVNULL, start_new_session=True)
    checked(proc, "pkeyutl -sign with -provider simkit -provider default")
    public_key(pub(card, 1)).verify(sig.read_bytes(), digest.read_bytes(), ec.ECDSA(Prehashed(hashes.SHA256())))


@pytest.mark.parametrize("digest", ["sha256", "sha384"])
def test_dgst_sign_verified_by_plain_openssl(card, tmp_path, digest):
    data = tmp_path / "data"
    data.write_bytes(os.urandom(10000))
    sig = tmp_path / "sig.der"
    checked(run_openssl("dgst", f"-{digest}", "-sign", key_uri(2, card[0]), "-out", sig, data),
            f"dgst -{digest} -sign")
    verified = run_openssl("dgst", f"-{digest}", "-verify", pub(card, 2), "-signature", sig, data, provider=False)
    assert verified.returncode == 0 and "Verified OK" in verified.stdout, verified
    algorithm = hashes.SHA256() if digest == "sha256" else hashes.SHA384()
    public_key(pub(card, 2)).verify(sig.read_bytes(), data.read_bytes(), ec.ECDSA(algorithm))
    # A changed file does not verify.
    data.write_bytes(data.read_bytes() + b"x")
    assert run_openssl("dgst", f"-{digest}", "-verify", pub(card, 2), "-signature", sig, data,
                       provider=False).returncode != 0


# --- certificates ---------------------------------------------------------------------------------------
def test_csr_made_on_the_card_and_signed_by_a_test_ca(card, pki, tmp_path):
    csr_path = tmp_path / "dev.csr"
    checked(run_openssl("req", "-new", "-key", key_uri(1, card[0]), "-subj", "/CN=device-42", "-out", csr_path),
            "openssl req -new -key simkit:...")
    verified = run_openssl("req", "-verify", "-noout", "-in", csr_path, provider=False)
    assert verified.returncode == 0, verified
    assert "verify OK" in verified.stdout + verified.stderr, verified
    csr = x509.load_pem_x509_csr(csr_path.read_bytes())
    assert csr.is_signature_valid
    assert csr.subject.rfc4514_string() == "CN=device-42"
    assert same_key(csr.public_key(), public_key(pub(card, 1)))  # the card's key, as the simkit CLI read it
    # The test CA signs the CSR as it is; `openssl verify` (in sign_device_csr) accepts the result.
    cert_path = sign_device_csr(tmp_path, csr_path, pki.ca, pki.ca_key, name="from-csr", serial=7)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert same_key(cert.public_key(), public_key(pub(card, 1)))
    assert cert.subject.rfc4514_string() == "CN=device-42"
    assert cert.issuer.rfc4514_string() == "CN=simkit test CA"


# --- mutual TLS with openssl s_client / s_server -----------------------------------------------------------
def test_mutual_tls_1_3(card, pki, tmp_path):
    client, served = assert_mutual_tls(pki, key_uri(1, card[0]), tmp_path, ["-tls1_3"])
    assert "New, TLSv1.3" in client.stdout, client.stdout


def test_mutual_tls_1_2_ecdhe_ecdsa(card, pki, tmp_path):
    client, served = assert_mutual_tls(pki, key_uri(1, card[0]), tmp_path,
                                       ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"])
    assert "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256" in client.stdout, client.stdout
    assert "CIPHER is ECDHE-ECDSA-AES128-GCM-SHA256" in served, served


def test_wrong_key_for_the_certificate_fails_with_a_reason(card, pki, tmp_path):
    # The certificate holds slot 1's public key; slot 2's key cannot prove it.
    with TlsServer(pki, tmp_path / "s_server.log") as server:
        client = s_client(pki, server.port, key_uri(2, card[0]), "-tls1_3")
        server.stop()
        served = server.output()
    both = f"--- s_client rc {client.returncode}\n{client.stdout}\n{client.stderr}\n--- s_server\n{served}"
    assert client.returncode != 0, both
    assert "hello-from-device" not in served, both
    # s_client finds it before connecting: the certificate's public key is not the slot's.
    assert "error setting private key" in client.stderr and "key values mismatch" in client.stderr, both


@pytest.fixture(scope="module")
def pin_bound_cert(card, pki):
    """A CN=device-42 certificate for slot 3's PIN-bound key."""
    return sign_device_csr(pki.dir, pki.dir / "subject.csr", pki.ca, pki.ca_key, name="dev-pin", serial=4,
                           force_pubkey=pub(card, 3))


def test_mutual_tls_with_a_pin_bound_key_and_s_client_pass(card, pki, pin_bound_cert, tmp_path):
    # s_client hands -pass to OpenSSL's passphrase callback, which the provider asks for the PIN.
    assert_mutual_tls(pki, key_uri(3, card[0]), tmp_path, ["-tls1_3", "-pass", f"pass:{USER_PIN}"],
                      cert=pin_bound_cert)
    with TlsServer(pki, tmp_path / "s_server-nopin.log") as server:
        refused = s_client(pki, server.port, key_uri(3, card[0]), "-tls1_3", cert=pin_bound_cert, message=None)
        server.stop()
    assert refused.returncode != 0, refused
    assert "PIN" in refused.stderr and "slot 3" in refused.stderr, refused.stderr


# --- the libssl client: two threads sharing one key opened through simkit::open_provider_key ----------------
@pytest.mark.parametrize("version", ["tls1_3", "tls1_2"])
def test_libssl_client_two_threads_share_one_card_key(card, pki, tmp_path, version):
    require_built(TLS_CLIENT)
    threads, handshakes = 2, 4
    with TlsServer(pki, tmp_path / "s_server.log", naccept=threads * handshakes) as server:
        args = [str(TLS_CLIENT), "--connect", f"127.0.0.1:{server.port}", "--cert", str(pki.device_cert),
                "--key", key_uri(1, card[0]), "--ca", str(pki.ca), "--threads", str(threads),
                "--handshakes", str(handshakes), *(["--tls1_2"] if version == "tls1_2" else [])]
        client = subprocess.run(args, capture_output=True, text=True, timeout=60, env=clean_env(),
                                stdin=subprocess.DEVNULL)
        served = server.wait() if client.returncode == 0 else (server.stop() or server.output())
    both = f"--- client rc {client.returncode}\n{client.stdout}\n{client.stderr}\n--- s_server\n{served}"
    assert client.returncode == 0, both
    result = json.loads(client.stdout.strip().splitlines()[-1])
    assert result["succeeded"] == threads * handshakes and result["failed"] == 0, both
    assert result["protocol"] == ("TLSv1.3" if version == "tls1_3" else "TLSv1.2"), result
    if version == "tls1_2":
        assert result["cipher"].startswith("ECDHE-ECDSA-"), result
    # The server verified the card-backed client certificate on every connection.
    assert served.count(f"subject={DEVICE_SUBJECT}") == threads * handshakes, both
    assert served.count("simkit-provider-tls-client thread") == threads * handshakes, both


def test_libssl_client_pin_bound_key(card, pki, pin_bound_cert, tmp_path):
    require_built(TLS_CLIENT)
    with TlsServer(pki, tmp_path / "s_server.log", naccept=2) as server:
        args = [str(TLS_CLIENT), "--connect", f"127.0.0.1:{server.port}", "--cert", str(pin_bound_cert),
                "--key", key_uri(3, card[0]), "--ca", str(pki.ca), "--threads", "2", "--handshakes", "1"]
        without_pin = subprocess.run(args, capture_output=True, text=True, timeout=60, env=clean_env(),
                                     stdin=subprocess.DEVNULL)
        # The PIN through ProviderKeyOptions::pin (OpenSSL's passphrase callback).
        with_pin = subprocess.run(args + ["--pin", USER_PIN], capture_output=True, text=True, timeout=60,
                                  env=clean_env(), stdin=subprocess.DEVNULL)
        served = server.wait() if with_pin.returncode == 0 else (server.stop() or server.output())
    assert without_pin.returncode == 1, without_pin
    assert "PIN" in json.loads(without_pin.stdout.strip().splitlines()[-1])["errors"][0], without_pin.stdout
    assert with_pin.returncode == 0, f"{with_pin.stdout}\n{with_pin.stderr}\n{served}"
    assert served.count(f"subject={DEVICE_SUBJECT}") == 2, served


def test_libssl_client_with_the_wrong_key_says_so(card, pki, tmp_path):
    require_built(TLS_CLIENT)
    client = subprocess.run([str(TLS_CLIENT), "--connect", "127.0.0.1:1", "--cert", str(pki.device_cert),
                             "--key", key_uri(2, card[0]), "--ca", str(pki.ca)],
                            capture_output=True, text=True, timeout=60, env=clean_env(), stdin=subprocess.DEVNULL)
    assert client.returncode == 1, client
    result = json.loads(client.stdout.strip().splitlines()[-1])
    assert result["succeeded"] == 0 and "does not match the certificate" in result["errors"][0], result
    assert "key values mismatch" in result["errors"][0], result


# --- negatives -------------------------------------------------------------------------------------------
def sign_digest(card, tmp_path, uri, *extra, env=None):
    digest = tmp_path / "digest.bin"
    digest.write_bytes(os.urandom(32))
    sig = tmp_path / "sig.der"
    if sig.exists():
        sig.unlink()
    proc = run_openssl("pkeyutl", "-sign", "-inkey", uri, "-in", digest, "-out", sig, *extra, env=env)
    return proc, digest, sig


@pytest.mark.parametrize("slot, sw", [(9, "6A88"), (4, "6984")])
def test_unknown_or_empty_slot_names_the_status_word(card, tmp_path, slot, sw):
    proc, _, _ = sign_digest(card, tmp_path, key_uri(slot, card[0]))
    assert proc.returncode != 0, proc
    assert sw in proc.stderr, proc.stderr
    assert f"slot {slot}" in proc.stderr, proc.stderr


def test_pin_bound_key_without_pin_is_refused_with_a_reason(card, tmp_path):
    proc, _, sig = sign_digest(card, tmp_path, key_uri(3, card[0]))
    assert proc.returncode != 0, proc
    assert "PIN" in proc.stderr and "slot 3" in proc.stderr, proc.stderr
    assert not sig.exists() or sig.stat().st_size == 0


def test_pin_bound_key_with_passin_pin_env_or_pin_file(card, tmp_path):
    key = public_key(pub(card, 3))

    def signed(proc, digest, sig):
        checked(proc, "pkeyutl -sign with a PIN-bound key")
        key.verify(sig.read_bytes(), digest.read_bytes(), ec.ECDSA(Prehashed(hashes.SHA256())))

    signed(*sign_digest(card, tmp_path, key_uri(3, card[0]), "-passin", f"pass:{USER_PIN}"))
    signed(*sign_digest(card, tmp_path, key_uri(3, card[0], "pin-env=SIMKIT_TEST_PIN"),
                        env={"SIMKIT_TEST_PIN": USER_PIN}))
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text(USER_PIN + "\n")
    signed(*sign_digest(card, tmp_path, key_uri(3, card[0], f"pin-file={pin_file}")))


def test_wrong_pin_is_refused_without_echo_and_a_right_one_restores_tries(card, tmp_path):
    proc, _, _ = sign_digest(card, tmp_path, key_uri(3, card[0]), "-passin", "pass:0000")
    assert proc.returncode != 0, proc
    assert "PIN" in proc.stderr and "63C2" in proc.stderr, proc.stderr
    # The wrong PIN is not echoed (as a word: OpenSSL's hex thread ids and error codes hold 0000 too).
    assert not re.search(r"(?<![0-9A-Fa-f])0000(?![0-9A-Fa-f])", proc.stdout + proc.stderr), proc.stderr
    checked(sign_digest(card, tmp_path, key_uri(3, card[0]), "-passin", f"pass:{USER_PIN}")[0], "right PIN")
    status = json.loads(run_simkit("pin", "status", "--card", card[0], "--json").stdout)
    assert status["tries_left"] == 3, status


@pytest.mark.parametrize("uri, words", [
    ("simkit:slot=zz;card={card}", ["slot", "zz"]),
    ("simkit:foo=1;slot=1;card={card}", ["foo"]),
    ("simkit:card={card}", ["slot"]),
    ("simkit:slot=1;card={card};pin=1234", ["pin"]),
])
def test_garbage_uri_is_refused_with_a_reason(card, tmp_path, uri, words):
    proc, _, _ = sign_digest(card, tmp_path, uri.format(card=card[0]))
    assert proc.returncode != 0, proc
    for word in words:
        assert word in proc.stderr, proc.stderr
    if "pin=" in uri:
        # The provider never echoes the PIN (openssl's own "Could not open ... from URI" line quotes
        # the URI it was given; that is the application's doing).
        provider_lines = [line for line in proc.stderr.splitlines() if "simkit provider" in line]
        assert provider_lines and not any("1234" in line for line in provider_lines), proc.stderr


def test_cmake_install_puts_the_module_where_openssl_looks_for_it(card, tmp_path):
    # `cmake --install` (into a DESTDIR here) puts simkit.so in OpenSSL's modules directory, as
    # `openssl version -m` names it; OPENSSL_MODULES pointing there loads it without -provider-path.
    root = tmp_path / "root"
    checked(subprocess.run(["cmake", "--install", str(BIN.parent)], capture_output=True, text=True, timeout=120,
                           env=clean_env({"DESTDIR": str(root)})), "cmake --install")
    modules_dir = re.search(r'MODULESDIR: "([^"]+)"', run_openssl("version", "-m", provider=False).stdout).group(1)
    installed = root / modules_dir.lstrip("/") / "simkit.so"
    assert installed.is_file(), sorted(str(p) for p in root.rglob("*"))
    data = tmp_path / "data.txt"
    data.write_bytes(b"installed module\n")
    sig = tmp_path / "sig.der"
    checked(run_openssl("dgst", "-sha256", "-provider", "default", "-provider", "simkit", "-sign", key_uri(1, card[0]),
                        "-out", sig, data, provider=False, env={"OPENSSL_MODULES": str(installed.parent)}),
            "dgst -sign with OPENSSL_MODULES")
    public_key(pub(card, 1)).verify(sig.read_bytes(), data.read_bytes(), ec.ECDSA(hashes.SHA256()))
