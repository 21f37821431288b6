// The console reporter of simkit's benchmarks that compare against a baseline in the same run: it
// prints Google Benchmark's table as usual and remembers each benchmark's real time per iteration
// (the median with --benchmark_repetitions, else the single run) for the ratio lines printed after.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace simkit::bench {

class RatioReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs) {
            const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            if (!median && run.run_type != Run::RT_Iteration) continue;
            if (run.run_type == Run::RT_Iteration && run.repetitions > 1) continue;
            micros_[run.run_name.function_name] =
                run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit) * 1e6;
        }
        ConsoleReporter::ReportRuns(runs);
    }

    // Microseconds per iteration of a benchmark that ran.
    std::optional<double> micros(const std::string& name) const {
        const auto it = micros_.find(name);
        if (it == micros_.end()) return std::nullopt;
        return it->second;
    }

    // One line per (benchmark, baseline) pair that both ran: their times and the ratio.
    void print_ratios(const char* title, const char* unit, const std::vector<std::pair<const char*, const char*>>& pairs) const {
        std::printf("\n%-54s %10s %12s %8s\n", title, unit, "baseline", "ratio");
        for (const auto& [name, baseline] : pairs) {
            const auto ours = micros(name), base = micros(baseline);
            if (!ours || !base || *base <= 0) continue;
            const std::string label = std::string(name) + " / " + baseline;
            std::printf("%-54s %10.3f %12.3f %7.2fx\n", label.c_str(), *ours, *base, *ours / *base);
        }
    }

private:
    std::map<std::string, double> micros_;
};

}  // namespace simkit::bench
