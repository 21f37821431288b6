#!/usr/bin/env bash
# The simulated personalization line end to end: the real CLI batch
#   simkit personalize --batch cards.csv --journal J --out O --sim-dir D --master-key-file M --jobs N
# on a generated CSV of CARDS fresh cards (header iccid,imsi,ki,opc; Luhn-valid ICCIDs; random K/OPc)
# for --jobs 1, 2, 4, 8, 16, each in a fresh temporary directory (state files, SQLite journal, output),
# and prints the wall-clock cards/s per jobs value. Includes what the per-card benchmark leaves out:
# process start, CSV checks, the journal's resume scan, output written from the journal, and the
# workers' contention for the journal's write lock (and for the cores: on an N-core machine jobs > N
# only overlaps fsync waits). bench/personalize_bench.cpp splits one card into journal, state file,
# APDU and crypto costs.
#   bench/run_line_bench.sh [BUILD_DIR] [CARDS]      (defaults: build, 400)
# Temporary directories are made under $TMPDIR (else /tmp): keep it on a real disk, a tmpfs makes
# fsync free.
set -euo pipefail
build_dir=${1:-build}
cards=${2:-400}
simkit="$build_dir/bin/simkit"
[[ -x $simkit ]] || { echo "run_line_bench.sh: no $simkit (build bin/simkit first)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/simkit-line-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The master key (16 random bytes, hex) and the cards.
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$work/master.hex"
/usr/bin/python3 - "$cards" >"$work/cards.csv" <<'EOF'
import secrets, sys

def luhn_digit(digits):
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 0:  # doubled: the rightmost digit of the payload, then every other one
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)

print("iccid,imsi,ki,opc")
for n in range(1, int(sys.argv[1]) + 1):
    payload = "8988211%011d" % n
    print("%s,%s,%s,%s" % (payload + luhn_digit(payload), "00101%010d" % n, secrets.token_hex(16), secrets.token_hex(16)))
EOF

echo "simkit personalize --batch: $cards cards per run, temporary directories under ${TMPDIR:-/tmp}, $(nproc) cores"
printf '%6s %10s %10s\n' jobs seconds cards/s
for jobs in 1 2 4 8 16; do
    run="$work/jobs$jobs"
    mkdir "$run"
    start=$(date +%s.%N)
    "$simkit" personalize --batch "$work/cards.csv" --journal "$run/line.journal" --out "$run/out.jsonl" \
        --sim-dir "$run/cards" --master-key-file "$work/master.hex" --jobs "$jobs" >"$run/log" 2>&1 ||
        { echo "run_line_bench.sh: --jobs $jobs failed:" >&2; tail -5 "$run/log" >&2; exit 1; }
    end=$(date +%s.%N)
    ok=$(grep -c '"status":"ok"' "$run/out.jsonl" || true)
    [[ $ok == "$cards" ]] || { echo "run_line_bench.sh: --jobs $jobs: $ok of $cards cards ok" >&2; exit 1; }
    /usr/bin/python3 -c 'import sys; s = float(sys.argv[2]) - float(sys.argv[1]); print("%6s %10.2f %10.1f" % (sys.argv[3], s, int(sys.argv[4]) / s))' \
        "$start" "$end" "$jobs" "$cards"
    rm -rf "$run"
done
