// `simkit euicc add-test-profile`: the development shortcut that writes a profile straight into a
// card's state file (no SM-DP+), registered under `simkit euicc` by euicc_command.cpp.
#pragma once

#include <CLI/CLI.hpp>

namespace simkit::cli {

void add_euicc_test_profile_command(CLI::App* euicc, int& exit_code);

}  // namespace simkit::cli
