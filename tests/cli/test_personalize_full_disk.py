"""The personalization line's journal on a full disk: the journal lives on a small tmpfs this test
mounts itself (root only; skipped otherwise), nearly filled so that it runs out part-way through a
batch. The line stops with a clear error naming the journal and the full disk (exit 1), and loses
nothing: with room again, --resume completes the batch, every card done exactly once and answering
with its own keys."""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from card_line import (MASTER, SIMKIT, assert_card_answers_with_its_keys, assert_each_card_done_once,  # noqa: E402
                       make_batch)

CARDS = 30


@pytest.fixture
def small_disk():
    """An 8 MiB tmpfs of our own (the journal's WAL takes some 40 KiB a card), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    where = Path(tempfile.mkdtemp(prefix="simkit-full-disk-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(where)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        where.rmdir()
        pytest.skip("cannot mount a tmpfs here: " + mounted.stderr.strip())
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)
        where.rmdir()


def fill_leaving(directory, room):
    """Fills `directory`'s file system with one file until only `room` bytes are free."""
    stat = os.statvfs(directory)
    free = stat.f_bavail * stat.f_frsize
    filler = Path(directory) / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, free - room))
    return filler


def test_journal_on_a_full_disk_stops_the_line_and_loses_nothing(tmp_path, small_disk):
    rows = make_batch(tmp_path / "cards.csv", CARDS)
    (tmp_path / "master.hex").write_text(MASTER)
    journal = small_disk / "line.journal"
    args = [SIMKIT, "personalize", "--batch", str(tmp_path / "cards.csv"), "--journal", str(journal), "--out",
            str(tmp_path / "results.jsonl"), "--sim-dir", str(tmp_path / "cards"), "--master-key-file",
            str(tmp_path / "master.hex"), "--resume"]
    filler = fill_leaving(small_disk, 96 * 1024)  # room for the journal's first cards only

    full = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert full.returncode == 1, full.stdout + full.stderr
    assert "journal" in full.stderr and "full" in full.stderr, full.stderr
    assert "Traceback" not in full.stderr and "terminate" not in full.stderr
    assert not (tmp_path / "results.jsonl").exists()  # no output claims what the journal cannot
    started = len(list((tmp_path / "cards").glob("*.state")))
    assert 0 < started < CARDS, started  # it ran out part-way

    filler.unlink()
    resumed = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert_each_card_done_once(journal, rows)
    records = {r["iccid"]: r for r in map(json.loads, (tmp_path / "results.jsonl").read_text().splitlines())}
    assert len(records) == CARDS and all(r["status"] == "ok" for r in records.values())
    # The cards that were in flight when the journal filled up, and one after.
    for row in rows[started - 2:started + 1]:
        assert_card_answers_with_its_keys(f"sim:{tmp_path / 'cards' / (row['iccid'] + '.state')}", row, records[row["iccid"]])
