"""What the personalization line tests share: a CSV of random cards, the batch command line, the
journal read with Python's own sqlite3, and the checks that a personalized card answers with its
own keys (KDF3 key set from tests/pylib/gp_keys_ref.py, AKA from tests/pylib/milenage_ref.py)."""
import json
import os
import sqlite3
import subprocess
from pathlib import Path

from gp_keys_ref import PURPOSES, kcv_aes_reference, kdf3_reference
from milenage_ref import milenage_reference

BIN = Path(os.environ.get("SIMKIT_BIN_DIR", Path(__file__).resolve().parents[2] / "build" / "bin"))
SIMKIT = str(BIN / "simkit")
MASTER = "000102030405060708090A0B0C0D0E0F"
FACTORY_KEY = "404142434445464748494A4B4C4D4E4F"
GET_STATUS_ISD = "80F28002024F00"


def luhn_digit(digits):
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def make_batch(path, count, first=0):
    """Writes a CSV of `count` cards with random K/OPc; returns the rows as dicts."""
    rows = []
    for i in range(first, first + count):
        base = "89882110000001%04d" % i
        rows.append(dict(iccid=base + luhn_digit(base), imsi="0010100001%05d" % i, ki=os.urandom(16).hex(),
                         opc=os.urandom(16).hex()))
    path.write_text("iccid,imsi,ki,opc\n" + "".join(f"{r['iccid']},{r['imsi']},{r['ki']},{r['opc']}\n" for r in rows))
    return rows


def batch_args(tmp_path, line=("--sim-dir",)):
    """The batch command over tmp_path's cards.csv, line.journal, results.jsonl, master.hex;
    `line` picks the line: --sim-dir (cards in tmp_path/cards) or ("--card", URI)."""
    where = ["--sim-dir", str(tmp_path / "cards")] if tuple(line) == ("--sim-dir",) else list(line)
    return [SIMKIT, "personalize", "--batch", str(tmp_path / "cards.csv"), "--journal", str(tmp_path / "line.journal"),
            "--out", str(tmp_path / "results.jsonl"), *where, "--master-key-file", str(tmp_path / "master.hex"), "--resume"]


def journal_steps(journal):
    """{iccid: [step, ...]} in journal order."""
    db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5)
    try:
        entries = db.execute("SELECT iccid, step FROM journal ORDER BY id").fetchall()
    finally:
        db.close()
    steps = {}
    for iccid, step in entries:
        steps.setdefault(iccid, []).append(step)
    return steps


def journal_done_count(journal):
    """Cards the journal shows done (0 before it exists or while it cannot be read)."""
    if not Path(journal).exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=1)
        try:
            return db.execute("SELECT COUNT(*) FROM journal WHERE step = 'done'").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def assert_each_card_done_once(journal, rows):
    """Every row's card ends with exactly one terminal row, "done", and nothing after it."""
    steps = journal_steps(journal)
    assert sorted(steps) == sorted(r["iccid"] for r in rows)
    for iccid, seen in steps.items():
        assert seen.count("done") == 1 and "failed" not in seen and seen[-1] == "done", (iccid, seen)
    return steps


def run_simkit(*args, env=None):
    return subprocess.run([SIMKIT, *args], capture_output=True, text=True, timeout=60, env=env)


def assert_card_answers_with_its_keys(card, row, record, env=None, factory_refused=False):
    """The card's key set is KDF3(MASTER, the record's KDD): the record's KCVs are those Python
    computes and the card opens SCP03 at the full level with those keys (KVN 31; with
    factory_refused, also: no longer with the factory set); an AKA with the row's K/OPc gives the
    RES of the second MILENAGE."""
    kdd = bytes.fromhex(record["kdd"])
    assert len(kdd) == 10
    keys = {name: kdf3_reference(bytes.fromhex(MASTER), purpose, kdd) for name, purpose in PURPOSES.items()}
    assert [record["kcv_" + n] for n in ("enc", "mac", "dek")] == [kcv_aes_reference(keys[n]).hex() for n in ("enc", "mac", "dek")]
    scp = run_simkit("scp03", "--card", card, "--enc", keys["enc"].hex(), "--mac", keys["mac"].hex(), "--dek",
                     keys["dek"].hex(), "--kvn", "31", "--level", "full", GET_STATUS_ISD, env=env)
    assert scp.returncode == 0, scp.stdout + scp.stderr
    if factory_refused:
        factory = run_simkit("scp03", "--card", card, "--key", FACTORY_KEY, "--kvn", "30", GET_STATUS_ISD, env=env)
        assert factory.returncode != 0 and "6A88" in factory.stderr, factory.stderr
    out = run_simkit("aka", "--card", card, "--k", row["ki"], "--opc", row["opc"], "--sqn", "000000000141", "--json", env=env)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    ref = milenage_reference(bytes.fromhex(row["ki"]), bytes.fromhex(got["rand"]), bytes.fromhex(got["sqn"]),
                             bytes.fromhex("8000"), opc=bytes.fromhex(row["opc"]))
    assert got["res"] == ref["res"]


def assert_no_secret_in(paths, rows, texts=()):
    """No master key, K or OPc (as hex text or raw bytes) in the files or texts given."""
    secrets = [MASTER.lower()] + [r["ki"] for r in rows] + [r["opc"] for r in rows]
    for path in paths:
        data = Path(path).read_bytes()
        for secret in secrets:
            assert secret.encode() not in data.lower() and bytes.fromhex(secret) not in data, path
    for text in texts:
        assert all(secret not in text.lower() for secret in secrets)
