#!/usr/bin/python3
"""The Python module's own cost and its GIL release (issue 11), on sim: cards, in one run:

  * per call through the module (card.transmit of SELECT ISD, card.keystore.sign) against the same
    call through the C++ host library, measured in the same run by simkit_bench_capi's BM_Cpp_*
    benchmarks (ratio module / C++);
  * key store signatures on two cards from two threads against one thread: with the GIL released
    during card work the two threads' throughput approaches 2x on two cores (a held GIL gives 1x).

Usage: /usr/bin/python3 bench/python_binding_bench.py [--build build] [--seconds 1.0]
Reports; enforces nothing (timings on shared machines vary).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SELECT_ISD = bytes.fromhex("00A4040008A000000151000000")
MESSAGE = b"hello from the device firmware"


def per_call_us(call, seconds: float) -> float:
    """Median of five timed runs of `call`, in microseconds per call."""
    runs = []
    for _ in range(5):
        count, start = 0, time.perf_counter()
        deadline = start + seconds / 5
        while time.perf_counter() < deadline:
            for _ in range(50):
                call()
            count += 50
        runs.append((time.perf_counter() - start) / count * 1e6)
    return sorted(runs)[2]


def signatures_per_second(cards, seconds: float) -> float:
    """Signatures per second with one thread per card, all started together."""
    counts = [0] * len(cards)
    stop = threading.Event()

    def sign_until_stopped(index: int) -> None:
        keystore = cards[index].keystore
        while not stop.is_set():
            keystore.sign(1, MESSAGE)
            counts[index] += 1

    threads = [threading.Thread(target=sign_until_stopped, args=(i,)) for i in range(len(cards))]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - start)


def cpp_baseline_us(build: Path) -> dict[str, float]:
    """simkit_bench_capi's C++ figures (median of 5) in microseconds, by benchmark name."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([str(build / "bin" / "simkit_bench_capi"), "--benchmark_filter=BM_Cpp_",
                        "--benchmark_repetitions=5", "--benchmark_report_aggregates_only=true",
                        f"--benchmark_out={out.name}", "--benchmark_out_format=json"],
                       check=True, capture_output=True)
        report = json.load(out)
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}
    return {b["run_name"]: b["real_time"] * scale[b["time_unit"]]
            for b in report["benchmarks"] if b.get("aggregate_name") == "median"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=Path(__file__).resolve().parents[1] / "build")
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = parser.parse_args()
    sys.path.insert(0, str(args.build / "python"))
    import simkit

    with tempfile.TemporaryDirectory() as tmp:
        cards = [simkit.open(f"sim:{tmp}/card{i}.state") for i in range(2)]
        for card in cards:
            card.keystore.generate(1)
        module = {"BM_Cpp_SelectIsd": per_call_us(lambda: cards[0].transmit(SELECT_ISD), args.seconds),
                  "BM_Cpp_Sign": per_call_us(lambda: cards[0].keystore.sign(1, MESSAGE), args.seconds)}
        one = signatures_per_second(cards[:1], args.seconds)
        two = signatures_per_second(cards, args.seconds)
        for card in cards:
            card.close()

    baseline = cpp_baseline_us(args.build)
    print(f"{'Python module vs C++ host library':44} {'us/op':>10} {'C++':>10} {'ratio':>8}")
    for name, label in (("BM_Cpp_SelectIsd", "card.transmit(SELECT ISD)"), ("BM_Cpp_Sign", "card.keystore.sign")):
        print(f"{label:44} {module[name]:10.3f} {baseline[name]:10.3f} {module[name] / baseline[name]:7.2f}x")
    print(f"\n{'signatures/s, one thread per card':44} {'1 card':>10} {'2 cards':>10} {'ratio':>8}")
    print(f"{'two threads vs one (GIL released)':44} {one:10.0f} {two:10.0f} {two / one:7.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
