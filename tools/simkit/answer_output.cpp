// simkit's output of answers and JSON (see answer_output.hpp).
#include "simkit/answer_output.hpp"

#include <cctype>
#include <cstdio>
#include <iostream>

#include "simkit/core/apdu_trace.hpp"
#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"

namespace simkit::cli {

std::string lower_hex(const bytes& data) {
    std::string out = to_hex(data);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string lower_hex(const secure_bytes& data) {
    std::string out = to_hex(data);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bytes option_hex(const std::string& option, const std::string& text) {
    try {
        return from_hex(text);
    } catch (const FormatError& e) {
        throw FormatError(option + ": " + e.what());
    }
}

secure_bytes option_secret_hex(const std::string& option, std::string& text) {
    try {
        bytes value = from_hex(text);
        secure_bytes out(value.begin(), value.end());
        secure_wipe(value.data(), value.size());
        secure_wipe(text.data(), text.size());
        return out;
    } catch (const FormatError&) {
        secure_wipe(text.data(), text.size());
        throw FormatError(option + ": not an even number of hex digits");  // never echo a key
    }
}

void print_json(const nlohmann::ordered_json& value) {
    std::cout << value.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

void AnswerPrinter::add(const bytes& command, const ResponseApdu& response) {
    const std::string data = to_hex(response.data());
    char sw[5];
    std::snprintf(sw, sizeof sw, "%04X", static_cast<unsigned>(response.sw()));
    if (json_) {
        answers_.push_back(
            {{"command", trace_command(command)}, {"response", data}, {"sw", sw}, {"meaning", sw_meaning(response.sw())}});
    } else {
        std::cout << data << (data.empty() ? "" : " ") << sw << "\n";
    }
}

void AnswerPrinter::finish() const {
    if (json_) print_json(answers_);
}

}  // namespace simkit::cli
