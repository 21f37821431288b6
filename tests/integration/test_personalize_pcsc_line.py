"""The personalization line on a real PC/SC stack (private pcscd + vpcd, tests/integration/
pcscd_env.py): `simkit personalize --batch --card pcsc:READER` asks for each card, waits for it,
personalizes it and waits for its removal. Cards are inserted and removed by starting and stopping
simkit-card on different state files. The second card is pulled out part-way (simkit-card
--leave-after N stops after N APDUs): the line says so, asks for it again, and completes it when it
comes back. At the end each card is done exactly once in the journal, and each answers with its own
keys (KDF3 key set from Python, AKA against the second MILENAGE) when opened directly afterwards.
The first card put back by mistake in place of the second is refused without spending the row."""
import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from card_line import (MASTER, assert_card_answers_with_its_keys, assert_each_card_done_once,  # noqa: E402
                       assert_no_secret_in, batch_args, journal_steps, make_batch)
from pcscd_env import pcscd_env_or_skip  # noqa: E402

# APDUs the second card answers before it leaves: past its USIM block (STORE DATA under the
# factory keys), before the new key set is proven; the journal check below keeps this honest.
LEAVE_AFTER = 45


@pytest.fixture
def env(tmp_path):
    with pcscd_env_or_skip(state_path=tmp_path / "card-1.state", protocol="t0") as started:
        yield started


class LineProcess:
    """The line with its stderr read line by line (the operator's prompts)."""

    def __init__(self, args, environ):
        self.proc = subprocess.Popen(args, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def expect(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"the line never said {text!r}; it said: {self.seen}")


def test_two_cards_one_pulled_out_part_way(env, tmp_path):
    rows = make_batch(tmp_path / "cards.csv", 2)
    (tmp_path / "master.hex").write_text(MASTER)
    journal = tmp_path / "line.journal"
    plain_card_args = env.card_args
    line = LineProcess(batch_args(tmp_path, ("--card", env.uri)), env.environ)
    try:
        line.expect(f"insert card 1 of 2 (ICCID {rows[0]['iccid']}")
        line.expect(f"card {rows[0]['iccid']} finished: remove it")
        # The operator puts the first card back by mistake: refused, the second row not spent on it.
        env.stop_card()
        env.insert_card()
        line.expect(f"insert card 2 of 2 (ICCID {rows[1]['iccid']}")
        line.expect("is not one for ICCID " + rows[1]["iccid"])
        env.stop_card()
        env.wait_for_card(False)
        # The second card goes in and leaves after LEAVE_AFTER APDUs.
        env.state_path = tmp_path / "card-2.state"
        env.card_args = plain_card_args + ("--leave-after", str(LEAVE_AFTER))
        env.start_card()
        line.expect(f"card {rows[1]['iccid']} left the reader part-way")
        assert env.card.wait(10) == 0  # simkit-card left by itself
        part_way = journal_steps(journal)[rows[1]["iccid"]]
        assert "usim_written" in part_way and "done" not in part_way, part_way
        # The same card back in the reader: completed from where it stood.
        env.card = None
        env.card_args = plain_card_args
        env.insert_card()
        line.expect(f"card {rows[1]['iccid']} finished: remove it")
        assert line.proc.wait(60) == 0, line.seen + [line.proc.stdout.read()]
    finally:
        if line.proc.poll() is None:
            line.proc.kill()
            line.proc.wait()
    env.stop_card()

    assert_each_card_done_once(journal, rows)
    records = {r["iccid"]: r for r in map(json.loads, (tmp_path / "results.jsonl").read_text().splitlines())}
    assert [records[r["iccid"]]["status"] for r in rows] == ["ok", "ok"]
    assert records[rows[0]["iccid"]]["resumed"] is False and records[rows[1]["iccid"]]["resumed"] is True
    for i, row in enumerate(rows):
        assert_card_answers_with_its_keys(f"sim:{tmp_path / f'card-{i + 1}.state'}", row, records[row["iccid"]],
                                          factory_refused=True)
    assert_no_secret_in([journal, tmp_path / "results.jsonl"], rows, line.seen)
