"""The personalization line survives SIGKILL: a 200-card `simkit personalize --batch --sim-dir`
(eight cards at once) killed at random moments five times and resumed each time ends with every
card personalized exactly once (one terminal row per ICCID in the journal, read with Python's own
sqlite3, and it is "done"; one output line per card), every card answering with its own keys (the
KCVs and an SCP03 session with the KDF3 key set Python derives from the card's KDD, an AKA with its
K/OPc against the second MILENAGE), and no K, OPc or master key in any file the line wrote."""
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from card_line import (MASTER, SIMKIT, assert_card_answers_with_its_keys, assert_each_card_done_once,  # noqa: E402
                       assert_no_secret_in, batch_args, journal_done_count, make_batch)

CARDS = 200


def test_killed_and_resumed_batch_personalizes_every_card_exactly_once(tmp_path):
    rows = make_batch(tmp_path / "cards.csv", CARDS)
    (tmp_path / "master.hex").write_text(MASTER + "\n")
    journal = tmp_path / "line.journal"
    env = dict(os.environ)
    env.pop("SIMKIT_MASTER_KEY", None)
    rng = random.Random()
    kills = 0
    for _ in range(5):
        # Start (or resume), wait until this run has finished 10 to 30 more cards plus a random
        # few milliseconds, then SIGKILL: always part-way through some card (several, with --jobs).
        done_before = journal_done_count(journal)
        target = done_before + rng.randint(10, 30)
        proc = subprocess.Popen(batch_args(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        deadline = time.monotonic() + 60
        while proc.poll() is None and journal_done_count(journal) < target and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.02))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
    assert kills >= 3, "the batch finished before it could be killed three times"
    final = subprocess.run(batch_args(tmp_path), capture_output=True, text=True, env=env, timeout=300)
    assert final.returncode == 0, final.stdout + final.stderr

    assert_each_card_done_once(journal, rows)
    records = {r["iccid"]: r for r in map(json.loads, (tmp_path / "results.jsonl").read_text().splitlines())}
    assert sorted(records) == sorted(r["iccid"] for r in rows)
    assert all(r["status"] == "ok" and r["kvn"] == "31" for r in records.values())
    assert any(r["resumed"] for r in records.values()), "no card was found part-way: the kills missed every card"
    for row in rows:
        assert_card_answers_with_its_keys(f"sim:{tmp_path / 'cards' / (row['iccid'] + '.state')}", row, records[row["iccid"]])

    # Card states hold K/OPc by design; every other file the line wrote holds no secret.
    written = [p for p in tmp_path.iterdir() if p.is_file() and p.name not in ("cards.csv", "master.hex")]
    assert_no_secret_in(written, rows, [final.stdout, final.stderr])
    report = subprocess.run([SIMKIT, "personalize", "--journal", str(journal), "--report", "--json"],
                            capture_output=True, text=True, timeout=60)
    assert json.loads(report.stdout)["done"] == CARDS
