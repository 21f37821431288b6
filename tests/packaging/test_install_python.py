"""The Python module as `cmake --install <build> --component python` lays it out: the module and its
stubs, nothing else, in lib/python3/dist-packages under the prefix; importable from there by
Debian's python3 in a clean environment (no build tree on the path), and computing TS 35.208 test
set 1 (tests/vectors/milenage_ts35208.vec) right."""
import subprocess

from installed_simkit import BUILD_DIR, SOURCE_DIR, run


def vector_set_1():
    for line in (SOURCE_DIR / "tests" / "vectors" / "milenage_ts35208.vec").read_text().splitlines():
        if line.startswith("milenage set=1 "):
            return dict(field.split("=", 1) for field in line.split()[1:])
    raise AssertionError("TS 35.208 set 1 missing from the vector file")


def test_module_installs_alone_and_imports_from_the_prefix(tmp_path):
    if not list((BUILD_DIR / "python").glob("simkit*.so")):
        import pytest
        pytest.skip("this build has no Python module (sanitizer builds do not make one)")
    run(["cmake", "--install", BUILD_DIR, "--prefix", tmp_path, "--component", "python"])
    site = tmp_path / "lib" / "python3" / "dist-packages"
    installed = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert installed == sorted([f"lib/python3/dist-packages/{p.name}" for p in site.iterdir()])
    assert {p.suffix for p in site.iterdir()} == {".so", ".pyi"}

    v = vector_set_1()
    script = ("import simkit, sys\n"
              f"m = simkit.milenage('{v['k']}', '{v['rand']}', '{v['sqn']}', '{v['amf']}', op='{v['op']}')\n"
              "print(simkit.__file__); print(m['res'].hex(), m['ck'].hex(), m['mac_a'].hex())\n")
    out = subprocess.run(["/usr/bin/python3", "-s", "-c", script], capture_output=True, text=True, timeout=60,
                         env={"PYTHONPATH": str(site)}, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    where, values = out.stdout.splitlines()
    assert where.startswith(str(site))
    assert values.split() == [v["f2"], v["f3"], v["f1"]]
