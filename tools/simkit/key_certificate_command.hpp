// `simkit key csr` and `simkit key selfsign`: registered under `simkit key` by add_key_command.
#pragma once

#include <CLI/CLI.hpp>

namespace simkit::cli {

void add_key_certificate_commands(CLI::App* key, int& exit_code);

}  // namespace simkit::cli
