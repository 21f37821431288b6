"""The module as a user meets it: `import simkit` from the build tree in a fresh interpreter with
nothing but PYTHONPATH, the stubs next to it, help() that teaches (URI forms, examples), and
docstrings on everything public."""
import subprocess
from pathlib import Path

import simkit
from conftest import MODULE_DIR, PYTHON, module_env


def test_import_in_a_clean_environment(tmp_path):
    script = ("import simkit, sys; c = simkit.open(sys.argv[1]); d, sw = c.transmit('00A4040008A000000151000000'); "
              "c.close(); print(simkit.__file__); print(hex(sw))")
    out = subprocess.run([PYTHON, "-c", script, f"sim:{tmp_path / 'card.state'}"], env=module_env(),
                         cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    file, sw = out.stdout.split()
    assert Path(file).parent == MODULE_DIR
    assert sw == "0x9000"


def test_default_card_from_the_environment(tmp_path):
    script = "import simkit; c = simkit.open(); print(c.uri); print(c.transmit('00A4040000')[1])"
    uri = f"sim:{tmp_path / 'env.state'}"
    out = subprocess.run([PYTHON, "-c", script], env=module_env(SIMKIT_CARD=uri), cwd=tmp_path,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] == uri
    # Without $SIMKIT_CARD and without a URI: a ValueError naming the forms.
    out = subprocess.run([PYTHON, "-c", "import simkit\ntry:\n simkit.open()\nexcept ValueError as e:\n print(e)"],
                         env=module_env(), capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "sim:" in out.stdout and "pcsc:" in out.stdout and "at:" in out.stdout


def test_stubs_next_to_the_module():
    stub = MODULE_DIR / "simkit.pyi"
    assert stub.exists()
    text = stub.read_text()
    compile(text, str(stub), "exec")  # valid Python syntax
    public = [n for n in dir(simkit) if not n.startswith("_")]
    for name in public:
        assert name in text, f"simkit.{name} missing from simkit.pyi"
    for cls in (simkit.Card, simkit.SecureChannel, simkit.KeyStore, simkit.Pin, simkit.Usim):
        for name in dir(cls):
            if not name.startswith("_"):
                assert f"def {name}(" in text, f"{cls.__name__}.{name} missing from simkit.pyi"


def test_help_teaches_the_uri_forms():
    doc = simkit.open.__doc__
    assert doc.startswith("open(uri=None) -> Card")
    for form in ("sim:PATH", "pcsc:NAME", "pcsc:INDEX", "at:DEVICE", "$SIMKIT_CARD", "with simkit.open"):
        assert form in doc
    assert "simkit::" not in doc  # no C++ type names in signatures


def test_every_public_callable_has_a_docstring():
    missing = []
    for name in dir(simkit):
        obj = getattr(simkit, name)
        if name.startswith("_") or not callable(obj):
            continue
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if isinstance(obj, type) and not issubclass(obj, BaseException):
            for attr in dir(obj):
                if not attr.startswith("_") and not (getattr(obj, attr).__doc__ or "").strip():
                    missing.append(f"{name}.{attr}")
    assert not missing
    assert "simkit::" not in simkit.Card.transmit.__doc__


def test_exception_hierarchy():
    for name in ("CardError", "PinError", "TransportError", "SecureChannelError", "ArgumentError", "StateError",
                 "CryptoError", "JournalError", "ClosedError", "PersonalizationError"):
        assert issubclass(getattr(simkit, name), simkit.Error)
    assert issubclass(simkit.PinError, simkit.CardError)
    assert issubclass(simkit.ArgumentError, ValueError)
    assert issubclass(simkit.ClosedError, ValueError)
    assert issubclass(simkit.Error, Exception)
