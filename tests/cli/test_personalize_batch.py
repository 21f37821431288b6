"""`simkit personalize --batch` on the simulated line (--sim-dir), the small cases (these also run
under the sanitizers): several cards at once (--jobs) each personalized once and answering with its
own keys; an existing journal refused without --resume; bad rows with --on-error stop touch no card.
The 200-card kill/resume test is test_personalize_line_kill.py."""
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from card_line import (MASTER, assert_card_answers_with_its_keys, assert_each_card_done_once,  # noqa: E402
                       assert_no_secret_in, batch_args, make_batch)


def test_cards_in_parallel_each_personalized_once_with_its_own_keys(tmp_path):
    rows = make_batch(tmp_path / "cards.csv", 8)
    (tmp_path / "master.hex").write_text(MASTER)
    proc = subprocess.run(batch_args(tmp_path) + ["--jobs", "4"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "personalized 8, failed 0" in proc.stdout
    assert_each_card_done_once(tmp_path / "line.journal", rows)
    records = {r["iccid"]: r for r in map(json.loads, (tmp_path / "results.jsonl").read_text().splitlines())}
    assert len(records) == 8
    for row in rows[:3]:
        assert_card_answers_with_its_keys(f"sim:{tmp_path / 'cards' / (row['iccid'] + '.state')}", row, records[row["iccid"]],
                                          factory_refused=True)
    assert_no_secret_in([tmp_path / "line.journal", tmp_path / "results.jsonl"], rows, [proc.stdout, proc.stderr])


def test_existing_journal_refused_without_resume_and_bad_rows_stop(tmp_path):
    make_batch(tmp_path / "cards.csv", 2)
    (tmp_path / "master.hex").write_text(MASTER)
    args = [a for a in batch_args(tmp_path) if a != "--resume"]
    assert subprocess.run(args, capture_output=True, text=True, timeout=60).returncode == 0
    again = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "--resume" in again.stderr
    with open(tmp_path / "cards.csv", "a") as f:
        f.write("8988211000000199999,001010000100099,00,11\n")
    stop = subprocess.run(batch_args(tmp_path) + ["--on-error", "stop"], capture_output=True, text=True, timeout=60)
    assert stop.returncode == 2 and "line 4" in stop.stderr


def test_a_line_needs_one_place_for_its_cards(tmp_path):
    make_batch(tmp_path / "cards.csv", 1)
    (tmp_path / "master.hex").write_text(MASTER)
    both = subprocess.run(batch_args(tmp_path) + ["--card", "pcsc:0"], capture_output=True, text=True, timeout=60)
    assert both.returncode == 2 and "--sim-dir" in both.stderr and "--card" in both.stderr
    sim = subprocess.run(batch_args(tmp_path, ("--card", f"sim:{tmp_path / 'x.state'}")), capture_output=True, text=True, timeout=60)
    assert sim.returncode == 2 and "pcsc:" in sim.stderr
