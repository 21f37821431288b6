// APDU trace lines with secrets masked: the data of VERIFY, CHANGE REFERENCE DATA, RESET RETRY
// COUNTER (PINs) and GlobalPlatform PUT KEY (wrapped keys) never reach a log.
#pragma once

#include <string>

#include "simkit/bytes.hpp"

namespace simkit {

// True when the command's data field carries a PIN or key.
bool command_carries_secret(const bytes& command);
// Hex of the command with secret data replaced by '*' (length kept visible).
std::string trace_command(const bytes& command);
// Hex of the response data, a space, the SW and its meaning.
std::string trace_response(const bytes& response);

}  // namespace simkit
