"""The module over the AT transport: `simkit-card serve --at-pty` (tests/integration/at_env.py)
is a modem on a pty; simkit.open('at:PTY') drives it like any card. Compared with a sim: twin on a
copy of the same state, and used from two threads."""
import shutil
import threading

import pytest

import simkit
from at_env import AtModemEnv
from conftest import BIN_DIR, FACTORY_KEY

APDUS = ["00A4040008A000000151000000", "80CA00E000", "80CA00E005", "80FF000000"]


@pytest.fixture
def modem(tmp_path):
    with AtModemEnv(str(BIN_DIR)) as env:  # stopped afterwards, and checked to exit cleanly
        yield env


def test_at_card_answers_like_the_sim_twin(modem, tmp_path):
    twin_state = tmp_path / "twin.state"
    shutil.copyfile(modem.state_path, twin_state)
    with simkit.open(modem.uri) as card:
        assert modem.uri.startswith("at:")
        answers = [card.transmit(a) for a in APDUS]
        with card.scp03(key=FACTORY_KEY, kvn=0x30) as sc:
            assert sc.transmit("80F28002024F00")[1] == 0x9000
        card.keystore.generate(1)
        assert len(card.keystore.sign(1, b"over AT")) > 8
    with simkit.open(f"sim:{twin_state}?t1=1") as twin:
        assert [twin.transmit(a) for a in APDUS] == answers


def test_at_card_from_two_threads(modem):
    errors = []
    with simkit.open(modem.uri) as card:
        def work():
            try:
                for _ in range(5):
                    assert card.select("A000000151000000")[0] == 0x6F
                    assert len(card.keystore.random(16)) == 16
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors
