// 61xx GET RESPONSE and 6Cxx re-send, done once for every transport (ISO/IEC 7816-4 5.3.4 / 7816-3 10.3.4).
#include "simkit/apdu.hpp"
#include "simkit/core/cla.hpp"
#include "simkit/errors.hpp"
#include "simkit/transport.hpp"

namespace simkit {

namespace {
constexpr int kMaxExchanges = 1024;  // a card that never stops answering 61xx cannot hang us

bytes exchange(Transport& transport, const bytes& command, const ApduObserver& observer) {
    bytes response = transport.transmit(command);
    if (observer) observer(command, response);
    if (response.size() < 2) {
        throw TransportError("card answered " + std::to_string(response.size()) + " bytes, no status word");
    }
    return response;
}
}  // namespace

bytes transmit_complete(Transport& transport, const bytes& command, const ApduObserver& observer) {
    bytes response = exchange(transport, command, observer);

    // 6Cxx: wrong Le; re-send once with the Le the card asked for.
    if (response[response.size() - 2] == 0x6C && response.size() == 2) {
        try {
            const CommandApdu parsed = CommandApdu::parse(command);
            const std::size_t ne = response[1] == 0 ? 256 : response[1];
            response = exchange(transport, parsed.with_ne(ne).encode(), observer);
        } catch (const FormatError&) {
            return response;  // malformed on purpose: leave the card's answer as it is
        }
    }

    // 61xx: more data; GET RESPONSE on the same logical channel until the final SW. Without a
    // decodable CLA there is no channel to ask on: the 61xx answer is returned as it is.
    const auto cla = command.empty() ? std::nullopt : decode_cla(command[0]);
    bytes data;
    for (int n = 0; cla && response[response.size() - 2] == 0x61; ++n) {
        if (n == kMaxExchanges) throw TransportError("card kept answering 61xx after 1024 GET RESPONSE commands");
        data.insert(data.end(), response.begin(), response.end() - 2);
        bytes get_response{cla_for_channel(0x00, cla->channel), 0xC0, 0x00, 0x00, response.back()};
        response = exchange(transport, get_response, observer);
        // A T=0 card may refuse the GET RESPONSE Le with 6Cxx: ask again with xx.
        if (response.size() == 2 && response[0] == 0x6C) {
            get_response[4] = response[1];
            response = exchange(transport, get_response, observer);
        }
    }
    if (data.empty()) return response;
    data.insert(data.end(), response.begin(), response.end());
    return data;
}

}  // namespace simkit
