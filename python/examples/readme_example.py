import simkit
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

with simkit.open("sim:card.state") as card:
    simkit.personalize(card, iccid="8988211000000001001", imsi="001010000000100", ki=bytes(16),
                       opc=bytes(16), master=bytes(range(16)), device_key_slot=1)
    print(card.usim.iccid(), card.usim.imsi())
    signature = card.keystore.sign(1, b"hello")
    key = serialization.load_pem_public_key(card.keystore.public_key_pem(1).encode())
    key.verify(signature, b"hello", ec.ECDSA(hashes.SHA256()))
    print("signature verified")
