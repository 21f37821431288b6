// Masked APDU trace formatting (see apdu_trace.hpp).
#include "simkit/core/apdu_trace.hpp"

#include "simkit/core/cla.hpp"
#include "simkit/status_words.hpp"

namespace simkit {

bool command_carries_secret(const bytes& command) {
    if (command.size() < 6) return false;  // no data field
    const uint8_t ins = command[1];
    // PIN commands in every class (GSM 11.11's A0 included, which decode_cla does not know):
    // VERIFY 20, CHANGE REFERENCE DATA 24, DISABLE 26 / ENABLE 28 VERIFICATION REQUIREMENT
    // (TS 102 221 DISABLE/ENABLE PIN carry the PIN), RESET RETRY COUNTER 2C.
    if (ins == 0x20 || ins == 0x24 || ins == 0x26 || ins == 0x28 || ins == 0x2C) return true;
    // GlobalPlatform PUT KEY: proprietary classes, and any class we cannot decode.
    const auto cla = decode_cla(command[0]);
    return ins == 0xD8 && (!cla || cla->kind == ClaKind::Proprietary);
}

std::string trace_command(const bytes& command) {
    if (!command_carries_secret(command)) return to_hex(command);
    // Header and length byte(s) stay; every data/Le byte is masked.
    const std::size_t visible = command[4] == 0 && command.size() > 7 ? 7 : 5;
    return to_hex(command.data(), visible) + std::string(2 * (command.size() - visible), '*');
}

std::string trace_response(const bytes& response) {
    if (response.size() < 2) return to_hex(response) + " (no status word)";
    const uint16_t sw = read_u16(response.data() + response.size() - 2);
    std::string out = to_hex(response.data(), response.size() - 2);
    if (!out.empty()) out += ' ';
    return out + describe_sw(sw);
}

}  // namespace simkit
