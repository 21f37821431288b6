// Batch progress on a terminal (see progress.hpp).
#include "simkit/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace simkit::cli {

Progress::Progress(std::string what, std::size_t total, std::size_t min_total)
    : what_(std::move(what)),
      total_(total),
      enabled_(total >= min_total && ::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
    if (enabled_ && done_ > 0) draw(true);
}

void Progress::advance() {
    ++done_;
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ >= std::chrono::milliseconds(200) || done_ == total_) {
        last_draw_ = now;
        draw(done_ == total_);
    }
}

void Progress::draw(bool last) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
    std::fprintf(stderr, "\r%zu/%zu %s, %.0f/s, ETA %.0f s   %s", done_, total_, what_.c_str(), rate, eta,
                 last ? "\n" : "");
    std::fflush(stderr);
    if (last) enabled_ = false;
}

}  // namespace simkit::cli
