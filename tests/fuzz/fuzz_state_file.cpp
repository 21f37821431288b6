// Fuzz target: the state-file loader. Whole files (checksum checked first) and, because a fuzzer
// cannot forge SHA-256, the records area directly. Anything accepted must re-encode identically.
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "simkit/errors.hpp"
#include "storage/state_file_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace simkit::sim;
    try {
        const StateRecords records = decode_state_file(data, size, "fuzz");
        const auto again = encode_state_file(records);
        if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
    } catch (const simkit::StateError&) {
    }
    if (size >= 1) {
        try {
            decode_state_records(data + 1, size - 1, data[0], "fuzz");
        } catch (const simkit::StateError&) {
        }
    }
    return 0;
}
