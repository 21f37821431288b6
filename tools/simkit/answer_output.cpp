// simkit's output of answers and JSON (see answer_output.hpp).
#include "simkit/answer_output.hpp"

#include <cstdio>
#include <iostream>

#include "simkit/apdu_trace.hpp"
#include "simkit/status_words.hpp"

namespace simkit::cli {

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
