// Assembles the standard simulated card: runtime, persistent state file and the applets a fresh
// card carries (the ISD now; key store and USIM as they land). One call for every front end:
// the in-process `sim:` transport, simkit-card, tests and benchmarks.
#pragma once

#include <memory>
#include <string>

#include "runtime/card.hpp"

namespace simkit::sim {

// Opens (or creates with factory defaults) the card whose state lives at `state_path`.
std::unique_ptr<Card> open_simulated_card(const std::string& state_path, CardOptions options = {});
// The same card with its state in memory only.
std::unique_ptr<Card> make_memory_card(CardOptions options = {});

namespace records {
inline constexpr const char* kUserPin = "card/pin/user";          // PIN digits (ASCII)
inline constexpr const char* kUserPinTries = "card/pin/user/tries";  // 2 bytes: left, max
inline constexpr const char* kPuk = "card/pin/puk";
inline constexpr const char* kPukTries = "card/pin/puk/tries";
}  // namespace records

}  // namespace simkit::sim
