"""Independent GlobalPlatform key diversification on python3-cryptography, for tests that check
simkit's C++ (the CLI's `derive`, the personalization line's key sets): KDF3 (SCP03, NIST SP 800-108
counter KDF over AES-CMAC) and the KCVs of AES and 3DES keys. tests/cli/test_derive.py checks it
against GlobalPlatformPro's published KDF3 answers before anything relies on it."""
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

PURPOSES = {"enc": 1, "mac": 2, "dek": 3}


def ecb(algorithm, data):
    encryptor = Cipher(algorithm, modes.ECB()).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def cmac(key, data):
    mac = CMAC(algorithms.AES(key))
    mac.update(data)
    return mac.finalize()


def kdf3_reference(master, purpose, kdd):
    """NIST SP 800-108 counter KDF, AES-CMAC: CMAC(master, i || 00 00 00 k 00 || KDD), i = 1, 2 ..."""
    out = b""
    counter = 1
    while len(out) < len(master):
        out += cmac(master, bytes([counter, 0, 0, 0, purpose, 0]) + kdd)
        counter += 1
    return out[: len(master)]


def kcv_aes_reference(key):
    return ecb(algorithms.AES(key), b"\x01" * 16)[:3]


def kcv_des3_reference(key):
    return ecb(algorithms.TripleDES(key), b"\x00" * 8)[:3]
