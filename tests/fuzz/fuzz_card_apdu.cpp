// Fuzz target: APDU parsing and card dispatch. The input is a sequence of APDUs, each prefixed by
// its length byte, sent to one fresh simulated card (in memory), so channel/selection state built
// by earlier APDUs is explored too. First byte bit 0 picks T=0 behaviour. Every answer must carry a
// status word.
#include <cstdint>
#include <cstdlib>

#include "simulated_card.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    simkit::sim::CardOptions options;
    options.t0 = (data[0] & 1) != 0;
    auto card = simkit::sim::make_memory_card(options);
    std::size_t pos = 1;
    while (pos < size) {
        const std::size_t length = data[pos++];
        const std::size_t take = length < size - pos ? length : size - pos;
        const simkit::bytes response = card->transmit(data + pos, take);
        if (response.size() < 2) std::abort();
        pos += take;
    }
    return 0;
}
