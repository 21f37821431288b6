"""A minimal BER-TLV reader for tests, written independently of simkit's C++ parser so that card
answers are checked against a second implementation."""


def tlv_read(data: bytes):
    """Parses a whole buffer as BER-TLV: returns [(tag, value)]; asserts nothing is left over."""
    out, i = [], 0
    while i < len(data):
        tag = data[i]
        i += 1
        if tag & 0x1F == 0x1F:
            while True:
                tag = (tag << 8) | data[i]
                i += 1
                if not data[i - 1] & 0x80:
                    break
        length = data[i]
        i += 1
        if length & 0x80:
            n = length & 0x7F
            length = int.from_bytes(data[i:i + n], "big")
            i += n
        out.append((tag, data[i:i + length]))
        i += length
    assert i == len(data)
    return out
