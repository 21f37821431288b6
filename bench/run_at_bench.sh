#!/usr/bin/env bash
# Runs the at: round-trip benchmark (it starts and stops its own `simkit-card serve --at-pty`).
#   bench/run_at_bench.sh [BUILD_DIR] [benchmark flags...]
set -euo pipefail
build_dir=${1:-build}
shift || true
export SIMKIT_BIN_DIR="$build_dir/bin"
exec "$build_dir/bin/simkit_bench_at" --benchmark_counters_tabular=true "$@"
