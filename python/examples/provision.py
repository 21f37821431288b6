#!/usr/bin/env python3
"""Provision one simulated SIM with simkit's Python module, then check it from the outside.

    PYTHONPATH=build/python /usr/bin/python3 python/examples/provision.py [STATE_FILE]

1. personalize the card (ICCID, IMSI, fresh K/OPc, ISD keys diversified from a master key, an
   on-card P-256 device key in slot 1);
2. read ICCID and IMSI back from the USIM, run one AKA and compare RES with simkit.milenage;
3. open SCP03 with the card's new diversified keys;
4. sign a message with the device key on the card and verify the signature with python3-cryptography;
5. agree on a secret with ECDH (card key x a software key) and compare both sides.
Prints one JSON object (no secret in it); exit 0 when every check holds.
"""
import json
import os
import sys
import tempfile

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

import simkit

MASTER = bytes.fromhex("000102030405060708090A0B0C0D0E0F")  # the line's master key (a demo value)


def main(state_path: str) -> dict:
    k, opc = os.urandom(16), os.urandom(16)
    iccid, imsi = "8988211000000001001", "001010000000100"

    with simkit.open(f"sim:{state_path}") as card:
        # 1. personalize (raises simkit.PersonalizationError when the card fails)
        record = simkit.personalize(card, iccid=iccid, imsi=imsi, ki=k, opc=opc, master=MASTER,
                                    scheme="kdf3", device_key_slot=1)

        # 2. read back and authenticate with the new K/OPc
        assert card.usim.iccid() == iccid and card.usim.imsi() == imsi
        rand, sqn = os.urandom(16), bytes.fromhex("000000000041")
        answer = card.aka(rand, simkit.autn(k, rand, sqn, "8000", opc=opc))
        assert answer["result"] == "ok"
        assert answer["res"] == simkit.milenage(k, rand, sqn, "8000", opc=opc)["res"]

        # 3. the ISD now answers to keys diversified from MASTER with the card's KDD
        with card.scp03(master=MASTER, derive="kdf3", kvn=0x31, level="full") as sc:
            _, sw = sc.transmit("80F28002024F00")  # GET STATUS of the ISD
            assert sw == 0x9000

        # 4. sign on the card, verify with python3-cryptography
        message = b"device attestation " + iccid.encode()
        signature = card.keystore.sign(1, message)
        public_key = serialization.load_pem_public_key(card.keystore.public_key_pem(1).encode())
        public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))  # raises InvalidSignature

        # 5. ECDH: the card's key with a software peer, both sides agree
        peer = ec.generate_private_key(ec.SECP256R1())
        on_card = card.keystore.ecdh(1, peer.public_key())
        assert on_card == peer.exchange(ec.ECDH(), public_key)

    return {"record": record, "aka": answer["result"], "signature": signature.hex(), "ecdh": "agreed"}


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(main(sys.argv[1]), indent=2))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(main(os.path.join(tmp, "card.state")), indent=2))
