"""An independent MILENAGE (3GPP TS 35.206 section 4.1) on python3-cryptography's AES, for tests that
check simkit's C++ MILENAGE (the CLI, the card's AUTHENTICATE) against a second implementation. It is
trusted because tests/cli/test_milenage_cli.py checks it against published TS 35.208 test sets."""
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def _xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def _rot(block, bits):
    n = bits // 8
    return block[n:] + block[:n]


def milenage_reference(k, rand, sqn, amf, op=None, opc=None):
    """TS 35.206 section 4.1 with the default r1..r5 = 64, 0, 32, 64, 96 and c1..c5 = 0, 1, 2, 4, 8."""
    encryptor = Cipher(algorithms.AES(k), modes.ECB()).encryptor()

    def e(block):
        return encryptor.update(block)

    if opc is None:
        opc = _xor(op, e(op))
    c = [bytes(15) + bytes([v]) for v in (0, 1, 2, 4, 8)]
    r = [64, 0, 32, 64, 96]
    temp = e(_xor(rand, opc))
    in1 = sqn + amf + sqn + amf
    out1 = _xor(e(_xor(_xor(temp, _rot(_xor(in1, opc), r[0])), c[0])), opc)
    outs = [_xor(e(_xor(_rot(_xor(temp, opc), r[i]), c[i])), opc) for i in range(1, 5)]
    res = outs[0][8:]
    ck, ik = outs[1], outs[2]
    sres = _xor(res[:4], res[4:])
    kc = _xor(_xor(ck[:8], ck[8:]), _xor(ik[:8], ik[8:]))
    values = dict(opc=opc, mac_a=out1[:8], mac_s=out1[8:], res=res, ck=ck, ik=ik, ak=outs[0][:6],
                  ak_star=outs[3][:6], sres=sres, kc=kc)
    return {name: value.hex() for name, value in values.items()}
