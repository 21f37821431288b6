// The names of the personalization steps as the journal stores them ("started", "usim_written" ...)
// and their parser: one table, so a name written by one version reads back in the next.
#include <array>
#include <utility>

#include "simkit/personalization.hpp"

namespace simkit::personalize {

namespace {
constexpr std::array<std::pair<Step, const char*>, 7> kStepNames{{
    {Step::Started, "started"},
    {Step::UsimWritten, "usim_written"},
    {Step::KeysRotated, "keys_rotated"},
    {Step::DeviceKeyMade, "device_key_made"},
    {Step::Verified, "verified"},
    {Step::Done, "done"},
    {Step::Failed, "failed"},
}};
}  // namespace

const char* step_name(Step step) {
    for (const auto& [value, name] : kStepNames) {
        if (value == step) return name;
    }
    return "unknown";
}

std::optional<Step> parse_step(const std::string& name) {
    for (const auto& [value, step_text] : kStepNames) {
        if (name == step_text) return value;
    }
    return std::nullopt;
}

}  // namespace simkit::personalize
