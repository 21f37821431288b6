"""simkit.personalize(): one card (record, read back, the new keys checked against the independent
KDF3 reference, AKA with the new K/OPc against the MILENAGE reference), a failed card as
PersonalizationError, a batch from a CSV or from dicts with a journal that resumes, and the
example provisioning script."""
import json
import os
import subprocess

import pytest

import simkit
from card_line import MASTER, assert_each_card_done_once, journal_steps, luhn_digit, make_batch
from conftest import PYTHON, SOURCE_DIR, module_env
from gp_keys_ref import PURPOSES, kcv_aes_reference, kdf3_reference
from milenage_ref import milenage_reference

ICCID, IMSI = "8988211000000001001", "001010000000100"


def test_one_card(card):
    k, opc = os.urandom(16), os.urandom(16)
    record = simkit.personalize(card, iccid=ICCID, imsi=IMSI, ki=k, opc=opc.hex(), pin="2468", master=MASTER,
                                device_key_slot=1)
    assert record["status"] == "ok" and record["iccid"] == ICCID and record["error"] is None
    assert record["kvn"] == "31" and not record["resumed"]
    json.dumps(record)  # JSON-ready
    secrets = {k.hex(), opc.hex(), MASTER.lower()}
    assert not secrets & {str(v).lower() for v in record.values()}
    # The ISD keys are KDF3 of the master and the card's KDD: KCVs by the independent reference.
    kdd = bytes.fromhex(record["kdd"])
    for name, purpose in PURPOSES.items():
        key = kdf3_reference(bytes.fromhex(MASTER), purpose, kdd)
        assert kcv_aes_reference(key).hex() == record["kcv_" + name]
    # Read back; AKA with the new K/OPc checked by the MILENAGE reference.
    assert card.usim.iccid() == ICCID and card.usim.imsi() == IMSI
    rand, sqn = os.urandom(16), bytes.fromhex("000000000061")
    answer = card.aka(rand, simkit.autn(k, rand, sqn, "8000", opc=opc))
    assert answer["res"].hex() == milenage_reference(k, rand, sqn, bytes.fromhex("8000"), opc=opc)["res"]
    # The device key is the record's; the new PIN works.
    assert card.keystore.public_key(1).hex() == record["device_public_key"]
    card.pin.verify("2468")


def test_one_card_by_uri(state_path):
    k, opc = os.urandom(16), os.urandom(16)
    record = simkit.personalize(f"sim:{state_path}", iccid=ICCID, imsi=IMSI, ki=k, opc=opc, master=MASTER)
    assert record["status"] == "ok"
    with simkit.open(f"sim:{state_path}") as card:  # closed again by personalize
        assert card.usim.iccid() == ICCID
        # Once more: the card is found with the new keys and this row's data, and completed.
        again = simkit.personalize(card, iccid=ICCID, imsi=IMSI, ki=k, opc=opc, master=MASTER)
        assert again["status"] == "ok" and again["resumed"] and again["kdd"] == record["kdd"]
        # Other K/OPc than the card holds: the verification AKA fails, a failed record.
        other = simkit.personalize(card, iccid=ICCID, imsi=IMSI, ki=os.urandom(16), opc=opc, master=MASTER, check=False)
        assert other["status"] == "failed" and "MAC failure" in other["error"]


def test_failed_card_raises_with_the_record(card):
    kwargs = dict(iccid=ICCID, imsi=IMSI, ki=os.urandom(16), opc=os.urandom(16), master=MASTER,
                  scp_key="00112233445566778899AABBCCDDEEFF")  # not the card's current key
    with pytest.raises(simkit.PersonalizationError) as info:
        simkit.personalize(card, **kwargs)
    assert info.value.record["status"] == "failed" and info.value.record["error"]
    record = simkit.personalize(card, check=False, **kwargs)
    assert record["status"] == "failed"
    assert card.usim.iccid() == "8988211000000000003"  # untouched


@pytest.mark.parametrize("change", [dict(iccid="8988211000000001002"),  # Luhn digit wrong
                                    dict(iccid="12345"), dict(imsi="00101x"), dict(ki="00" * 15),
                                    dict(opc="zz" * 16), dict(pin="12"), dict(puk="1234"),
                                    dict(device_key_slot=7), dict(master=None), dict(scheme="rot13"),
                                    dict(new_kvn=0x80), dict(imsi=None)])
def test_bad_arguments(card, change):
    kwargs = dict(iccid=ICCID, imsi=IMSI, ki="00" * 16, opc="11" * 16, master=MASTER)
    kwargs.update(change)
    with pytest.raises(ValueError):
        simkit.personalize(card, **kwargs)
    assert card.usim.iccid() == "8988211000000000003"  # checked before the card was touched


def test_batch_from_csv_with_journal_and_resume(tmp_path):
    rows = make_batch(tmp_path / "cards.csv", 3)
    journal = tmp_path / "line.journal"
    result = simkit.personalize(batch=str(tmp_path / "cards.csv"), sim_dir=tmp_path / "cards", journal=journal,
                                master=MASTER, jobs=2, out=tmp_path / "out.jsonl")
    assert (result["ok"], result["failed"], result["already_done"], result["bad_rows"]) == (3, 0, 0, [])
    assert sorted(r["iccid"] for r in result["records"]) == sorted(r["iccid"] for r in rows)
    assert_each_card_done_once(journal, rows)
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert lines == result["records"]
    # A journal that exists is refused without resume; with it, the cards done are skipped.
    with pytest.raises(simkit.JournalError):
        simkit.personalize(batch=str(tmp_path / "cards.csv"), sim_dir=tmp_path / "cards", journal=journal, master=MASTER)
    more = rows + make_batch(tmp_path / "more.csv", 1, first=10)
    (tmp_path / "cards.csv").write_text("iccid,imsi,ki,opc\n" + "".join(
        f"{r['iccid']},{r['imsi']},{r['ki']},{r['opc']}\n" for r in more))
    result = simkit.personalize(batch=tmp_path / "cards.csv", sim_dir=tmp_path / "cards", journal=journal,
                                master=MASTER, resume=True)
    assert (result["ok"], result["already_done"]) == (1, 3)
    assert len(result["records"]) == 4
    assert_each_card_done_once(journal, more)
    # Each card answers to its own keys.
    for row in more:
        with simkit.open(f"sim:{tmp_path / 'cards' / (row['iccid'] + '.state')}") as card:
            assert card.usim.iccid() == row["iccid"]
            with card.scp03(master=MASTER, derive="kdf3", kvn=0x31, level="mac") as sc:
                assert sc.transmit("80F28002024F00")[1] == 0x9000


def test_batch_from_dicts_with_bad_rows(tmp_path):
    base = "89882110000002000"
    good = dict(iccid=base + "0" + luhn_digit(base + "0"), imsi="001010000020000", ki=os.urandom(16),
                opc=os.urandom(16).hex(), device_key_slot=2)
    bad = dict(iccid=base + "1" + "0", imsi="001010000020001", ki="00" * 15, opc="11" * 16)
    if luhn_digit(base + "1") == "0":
        bad["iccid"] = base + "1" + "1"
    result = simkit.personalize(batch=[good, bad], sim_dir=tmp_path / "cards", master=MASTER)
    assert result["ok"] == 1 and len(result["bad_rows"]) == 1
    assert result["bad_rows"][0]["line"] == 3 and "ki" in result["bad_rows"][0]["message"]
    assert good["ki"].hex() not in json.dumps(result)
    [record] = result["records"]
    assert record["iccid"] == good["iccid"] and record["device_public_key"]
    with pytest.raises(ValueError):  # on_error='stop': no card touched
        simkit.personalize(batch=[bad], sim_dir=tmp_path / "other", master=MASTER, on_error="stop")
    assert not (tmp_path / "other").exists()
    with pytest.raises(ValueError):
        simkit.personalize(batch=[dict(good, colour="red")], sim_dir=tmp_path / "x", master=MASTER)
    with pytest.raises(ValueError):
        simkit.personalize(batch=[good], master=MASTER)  # no sim_dir
    with pytest.raises(ValueError):
        simkit.personalize("sim:x", batch=[good], sim_dir=tmp_path / "x", master=MASTER)


def test_example_provisioning_script(tmp_path):
    script = SOURCE_DIR / "python" / "examples" / "provision.py"
    out = subprocess.run([PYTHON, str(script), str(tmp_path / "card.state")], env=module_env(), cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["record"]["status"] == "ok" and result["aka"] == "ok" and result["ecdh"] == "agreed"


def test_readme_example(tmp_path):
    """The short version in the README runs as it is written (python/examples/readme_example.py)."""
    script = SOURCE_DIR / "python" / "examples" / "readme_example.py"
    out = subprocess.run([PYTHON, str(script)], env=module_env(), cwd=tmp_path, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert "signature verified" in out.stdout
