// How response data leaves the card: Ne limits, 61xx + GET RESPONSE for data that does not fit
// (or, in T=0 mode, for every case 3/4 answer), and 6Cxx for a case-2 Le that is wrong in T=0 mode.
#include <algorithm>

#include "runtime/card.hpp"
#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"

namespace simkit::sim {

namespace {
uint16_t more_data_sw(std::size_t remaining) {
    return static_cast<uint16_t>(0x6100 | (remaining >= 256 ? 0 : remaining));
}
// Data may travel with success (9000) and with warnings (62xx, 63xx).
bool carries_data(uint16_t sw) { return sw == 0x9000 || (sw >> 8) == 0x62 || (sw >> 8) == 0x63; }
}  // namespace

bytes command_without_le(const CommandApdu& apdu) {
    bytes header{apdu.cla(), apdu.ins(), apdu.p1(), apdu.p2()};
    header.insert(header.end(), apdu.data().begin(), apdu.data().end());
    return header;
}

ResponseApdu Card::deliver(Channel& channel, const CommandApdu& apdu, ResponseApdu response) {
    bytes& data = response.data();
    if (data.empty() || !carries_data(response.sw())) return response;

    // Without Le, answer as much as the length form allows (clients such as IoT SAFE PKCS#11
    // omit Le and still expect the data).
    const std::size_t ne = apdu.has_le() ? apdu.ne()
                                         : (apdu.is_extended() ? CommandApdu::kMaxExtendedNe : CommandApdu::kMaxShortNe);
    std::size_t now = std::min(ne, data.size());
    if (options_.t0) {
        if (apdu.iso_case() == 2) {
            if (data.size() <= CommandApdu::kMaxShortNe && apdu.ne() != data.size()) {
                const uint16_t sw = static_cast<uint16_t>(0x6C00 | (data.size() & 0xFF));
                channel.held_command = command_without_le(apdu);
                channel.held_answer = std::move(response);
                return ResponseApdu(sw);
            }
        } else {
            now = 0;  // T=0 cannot send data after a command's data: announce it with 61xx
        }
    }
    if (now == data.size()) return response;

    channel.pending = std::move(data);
    channel.pending_offset = now;
    channel.pending_sw = response.sw();
    bytes first(channel.pending.begin(), channel.pending.begin() + static_cast<std::ptrdiff_t>(now));
    return ResponseApdu(std::move(first), more_data_sw(channel.pending.size() - now));
}

ResponseApdu Card::get_response(const CommandApdu& apdu, const ClaInfo& cla) {
    Channel& channel = channels_[cla.channel];
    if (!channel.open) return ResponseApdu(sw::kLogicalChannelNotSupported);
    if (cla.chaining) return ResponseApdu(sw::kChainingNotSupported);
    if (apdu.p1p2() != 0) return ResponseApdu(sw::kIncorrectP1P2);
    if (!apdu.data().empty()) return ResponseApdu(sw::kWrongLength);
    const std::size_t remaining = channel.pending.size() - channel.pending_offset;
    if (remaining == 0) return ResponseApdu(sw::kConditionsNotSatisfied);

    const std::size_t ne = apdu.has_le() ? apdu.ne() : CommandApdu::kMaxShortNe;
    const std::size_t n = std::min(ne, remaining);
    const auto begin = channel.pending.begin() + static_cast<std::ptrdiff_t>(channel.pending_offset);
    bytes chunk(begin, begin + static_cast<std::ptrdiff_t>(n));
    channel.pending_offset += n;
    if (channel.pending_offset < channel.pending.size()) {
        return ResponseApdu(std::move(chunk), more_data_sw(channel.pending.size() - channel.pending_offset));
    }
    const uint16_t final_sw = channel.pending_sw;
    channel.pending.clear();
    channel.pending_offset = 0;
    return ResponseApdu(std::move(chunk), final_sw);
}

}  // namespace simkit::sim
