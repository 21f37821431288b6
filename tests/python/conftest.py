"""Shared setup of the Python module's tests (tests/python/): the module from the build tree
(SIMKIT_BIN_DIR/../python, as ctest sets it; build/python of this source tree otherwise), the
independent references of tests/pylib and tests/integration, and fresh simulated cards.

The module is imported from the build tree only: a missing module is an error naming the build
step, never a skip or a module found elsewhere."""
import os
import sys
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("SIMKIT_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BIN_DIR = Path(os.environ.get("SIMKIT_BIN_DIR", SOURCE_DIR / "build" / "bin"))
MODULE_DIR = (BIN_DIR / ".." / "python").resolve()
PYTHON = "/usr/bin/python3"

if not any(MODULE_DIR.glob("simkit*.so")):
    raise pytest.UsageError(
        f"the simkit Python module is not in {MODULE_DIR}: build the CMake target simkit_python "
        f"(cmake --build <build> --target simkit_python), and run the tests with SIMKIT_BIN_DIR=<build>/bin")
sys.path.insert(0, str(MODULE_DIR))
sys.path.insert(0, str(SOURCE_DIR / "tests" / "pylib"))
sys.path.insert(0, str(SOURCE_DIR / "tests" / "integration"))

import simkit  # noqa: E402

if Path(simkit.__file__).resolve().parent != MODULE_DIR:
    raise pytest.UsageError(f"imported simkit from {simkit.__file__}, not from the build tree {MODULE_DIR}")

FACTORY_KEY = "404142434445464748494A4B4C4D4E4F"
ISD_AID = "A000000151000000"
# 3GPP TS 35.208 test set 1: the USIM keys of a fresh simulated card.
TS1_K = "465b5ce8b199b49faa5f0a2ee238a6bc"
TS1_OPC = "cd63cb71954a9f4e48a5994e37a02baf"


@pytest.fixture
def state_path(tmp_path):
    return tmp_path / "card.state"


@pytest.fixture
def card(state_path):
    """A fresh simulated card (factory defaults), closed after the test."""
    with simkit.open(f"sim:{state_path}") as c:
        yield c


def module_env(**extra):
    """A clean environment for a subprocess that imports the module: PYTHONPATH only (+ extra)."""
    env = {"PYTHONPATH": str(MODULE_DIR)}
    env.update(extra)
    return env
