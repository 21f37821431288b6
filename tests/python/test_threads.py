"""Threads: two sim: cards driven at once, one Card shared by several threads (the per-card lock
keeps each call's APDUs together), and the GIL released during card I/O and crypto."""
import os
import threading
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

import simkit
from card_line import MASTER, make_batch
from conftest import FACTORY_KEY, TS1_K, TS1_OPC


def run_threads(target, args_list):
    errors = []

    def wrapper(*args):
        try:
            target(*args)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=wrapper, args=args) for args in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors


def work_on_one_card(card, slot, rounds):
    card.keystore.generate(slot)
    key = serialization.load_pem_public_key(card.keystore.public_key_pem(slot).encode())
    for i in range(rounds):
        message = f"{slot}-{i}".encode()
        key.verify(card.keystore.sign(slot, message), message, ec.ECDSA(hashes.SHA256()))
        data, sw = card.transmit("00A4040008A000000151000000")
        assert sw == 0x9000 and data[0] == 0x6F
        with card.scp03(key=FACTORY_KEY, kvn=0x30, level="mac") as sc:
            assert sc.transmit("80F28002024F00")[1] == 0x9000


def test_two_cards_in_two_threads(tmp_path):
    with simkit.open(f"sim:{tmp_path / 'a.state'}") as a, simkit.open(f"sim:{tmp_path / 'b.state'}") as b:
        run_threads(work_on_one_card, [(a, 1, 8), (b, 1, 8)])


def test_one_card_shared_by_threads(card):
    """Each thread signs with its own slot and opens secure channels on the same card; the card's
    lock serialises each call, so no APDU of one call lands inside another's."""
    run_threads(work_on_one_card, [(card, slot, 5) for slot in (1, 2, 3)])


def test_one_card_many_small_calls(card):
    def hammer(n):
        for _ in range(n):
            rand = os.urandom(16)
            answer = card.usim.authenticate_gsm(rand)
            assert len(answer["sres"]) == 4
            # Whole calls only: the basic channel's selection is shared by the threads, so a
            # SELECT then a GET DATA as two calls could have another thread's SELECT between them.
            assert card.select("A000000151000000")[0] == 0x6F
            assert len(card.keystore.random(16)) == 16
    run_threads(hammer, [(30,), (30,), (30,)])


def test_closing_while_another_thread_works(state_path):
    """close() from one thread while another uses the card: the worker gets ClosedError at some
    call, never a crash."""
    card = simkit.open(f"sim:{state_path}")
    seen = []

    def worker():
        try:
            for _ in range(10000):
                card.transmit("00A4040008A000000151000000")
                card.keystore.random(8)
        except simkit.ClosedError:
            seen.append("closed")

    t = threading.Thread(target=worker)
    t.start()
    time.sleep(0.05)
    card.close()
    t.join(30)
    assert not t.is_alive() and seen == ["closed"]


def test_gil_released_during_a_long_call(tmp_path):
    """A Python thread keeps running while one long C++ call (a batch of cards) is in progress."""
    make_batch(tmp_path / "cards.csv", 4)
    ticks = []
    running = threading.Event()
    done = threading.Event()

    def ticker():
        running.set()
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    running.wait()
    start = time.monotonic()
    result = simkit.personalize(batch=str(tmp_path / "cards.csv"), sim_dir=tmp_path / "cards", master=MASTER, jobs=1)
    end = time.monotonic()
    done.set()
    t.join()
    assert result["ok"] == 4
    during = [x for x in ticks if start < x < end]
    # With the GIL held for the whole call the ticker would stand still; released, it ticks about
    # every millisecond.
    assert len(during) >= max(3, (end - start) * 1000 / 20), (len(during), end - start)


def test_milenage_from_threads_agrees():
    rand = bytes.fromhex("23553cbe9637a89d218ae64dae47bf35")
    expected = simkit.milenage(TS1_K, rand, "ff9bb4d0b607", "b9b9", opc=TS1_OPC)
    results = []
    run_threads(lambda: results.extend(simkit.milenage(TS1_K, rand, "ff9bb4d0b607", "b9b9", opc=TS1_OPC)
                                       for _ in range(200)), [()] * 4)
    assert len(results) == 800 and all(r == expected for r in results)


def test_a_secure_channel_holds_the_card_against_other_threads(card):
    """While one thread's secure channel is open, another thread's call on the card waits for it
    to close (its SELECT would end the card's side of the session); the holder itself goes on."""
    events = []
    with card.scp03(key=FACTORY_KEY, kvn=0x30, level="full") as sc:
        def other():
            events.append("other starts")
            card.transmit("00A4040008A000000151000000")
            events.append("other done")

        t = threading.Thread(target=other)
        t.start()
        time.sleep(0.2)
        assert len(card.keystore.random(8)) == 8  # the holder's own calls are not blocked
        for _ in range(3):
            assert sc.transmit("80F28002024F00")[1] == 0x9000
        events.append("channel closes")
    t.join(10)
    assert events == ["other starts", "channel closes", "other done"]
