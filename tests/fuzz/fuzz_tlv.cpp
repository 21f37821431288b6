// Fuzz target: BER-TLV parsing, recursively into constructed TLVs (depth-limited), and the
// property that an accepted sequence re-encodes to the same bytes when its lengths are minimal.
#include <cstdint>
#include <cstdlib>

#include "simkit/errors.hpp"
#include "simkit/tlv.hpp"

namespace {
void walk(const std::vector<simkit::Tlv>& list, int depth) {
    if (depth > 16) return;
    for (const auto& tlv : list) {
        if (!tlv.is_constructed()) continue;
        try {
            walk(tlv.children(), depth + 1);
        } catch (const simkit::FormatError&) {
        }
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const auto list = simkit::parse_tlvs(data, size);
        walk(list, 0);
        simkit::bytes encoded;
        for (const auto& tlv : list) {
            const auto one = tlv.encode();
            encoded.insert(encoded.end(), one.begin(), one.end());
        }
        // Re-parsing our own encoding must give the same TLVs.
        if (simkit::parse_tlvs(encoded) != list) std::abort();
    } catch (const simkit::FormatError&) {
    }
    return 0;
}
