"""`simkit personalize --batch` on the simulated line (--sim-dir): a batch killed with SIGKILL at
random moments and resumed each time ends with every card personalized exactly once (one Done row
per ICCID in the journal, read here with Python's own sqlite3; one output line per card), every
card verifying with its own keys (AKA with its K/OPc through `simkit aka`, checked against the
second MILENAGE in tests/pylib), and no K, OPc or master key in any file the line wrote."""
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from milenage_ref import milenage_reference  # noqa: E402

BIN = Path(os.environ.get("SIMKIT_BIN_DIR", Path(__file__).resolve().parents[2] / "build" / "bin"))
SIMKIT = str(BIN / "simkit")
MASTER = "000102030405060708090A0B0C0D0E0F"


def luhn_digit(digits):
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def make_batch(path, count):
    rows = []
    for i in range(count):
        base = "89882110000001%04d" % i
        rows.append(dict(iccid=base + luhn_digit(base), imsi="0010100001%05d" % i, ki=os.urandom(16).hex(),
                         opc=os.urandom(16).hex()))
    path.write_text("iccid,imsi,ki,opc\n" + "".join(f"{r['iccid']},{r['imsi']},{r['ki']},{r['opc']}\n" for r in rows))
    return rows


def batch_args(tmp_path):
    return [SIMKIT, "personalize", "--batch", str(tmp_path / "cards.csv"), "--journal", str(tmp_path / "line.journal"),
            "--out", str(tmp_path / "results.jsonl"), "--sim-dir", str(tmp_path / "cards"),
            "--master-key-file", str(tmp_path / "master.hex"), "--resume"]


def test_killed_and_resumed_batch_personalizes_every_card_exactly_once(tmp_path):
    rows = make_batch(tmp_path / "cards.csv", 40)
    (tmp_path / "master.hex").write_text(MASTER + "\n")
    env = dict(os.environ)
    env.pop("SIMKIT_MASTER_KEY", None)
    rng = random.Random()
    kills = 0
    for _ in range(4):  # start, kill at a random moment, resume
        proc = subprocess.Popen(batch_args(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        time.sleep(rng.uniform(0.02, 0.25))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
    assert kills >= 1  # 40 cards take longer than the first wait: at least that run died mid-batch
    final = subprocess.run(batch_args(tmp_path), capture_output=True, text=True, env=env, timeout=120)
    assert final.returncode == 0, final.stdout + final.stderr

    db = sqlite3.connect(tmp_path / "line.journal")
    done = db.execute("SELECT iccid, COUNT(*) FROM journal WHERE step = 'done' GROUP BY iccid").fetchall()
    db.close()
    assert sorted(i for i, _ in done) == sorted(r["iccid"] for r in rows)
    assert all(n == 1 for _, n in done), done
    lines = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert sorted(r["iccid"] for r in lines) == sorted(r["iccid"] for r in rows)
    assert all(r["status"] == "ok" and r["kvn"] == "31" for r in lines)

    # Every card verifies with its own K/OPc (AKA), checked against the second MILENAGE.
    for row in rows:
        card = f"sim:{tmp_path / 'cards' / (row['iccid'] + '.state')}"
        out = subprocess.run([SIMKIT, "aka", "--card", card, "--k", row["ki"], "--opc", row["opc"], "--sqn",
                              "000000000141", "--json"], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        got = json.loads(out.stdout)
        ref = milenage_reference(bytes.fromhex(row["ki"]), bytes.fromhex(got["rand"]), bytes.fromhex(got["sqn"]),
                                 bytes.fromhex("8000"), opc=bytes.fromhex(row["opc"]))
        assert got["res"] == ref["res"]

    # No secret in any file the line wrote (journal, its WAL, output, card states hold K/OPc by design).
    secrets = [MASTER.lower()] + [r["ki"] for r in rows] + [r["opc"] for r in rows]
    for path in tmp_path.iterdir():
        if path.is_file() and path.name not in ("cards.csv", "master.hex"):
            data = path.read_bytes().lower()
            for secret in secrets:
                assert secret.encode() not in data and bytes.fromhex(secret) not in path.read_bytes(), path.name
    assert all(secret not in (final.stdout + final.stderr).lower() for secret in secrets)
    report = subprocess.run([SIMKIT, "personalize", "--journal", str(tmp_path / "line.journal"), "--report", "--json"],
                            capture_output=True, text=True, timeout=60)
    assert json.loads(report.stdout)["done"] == len(rows)


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
