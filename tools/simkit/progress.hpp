// Progress of a long batch on stderr — count, rate, ETA — redrawn at most 5 times a second, and
// only when stderr is a terminal (scripts and logs stay quiet).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace simkit::cli {

class Progress {
public:
    // `what` names the items ("APDUs"); batches shorter than `min_total` show nothing.
    Progress(std::string what, std::size_t total, std::size_t min_total = 50);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // Call after each item.
    void advance();

private:
    void draw(bool last);

    std::string what_;
    std::size_t total_;
    std::size_t done_ = 0;
    bool enabled_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace simkit::cli
