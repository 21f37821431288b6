"""The C example (examples/c) built against the installed simkit, the four ways a C project links it:
CMake find_package with simkit::simkit (shared, examples/c/CMakeLists.txt) and simkit::simkit_static,
pkg-config shared (examples/c/Makefile) and static (`pkg-config --static`, libsimkit.a); each program
runs against a sim: card in a temporary folder.

Independent truth: the signature the program prints is verified by python3-cryptography over the
public key it prints; readelf shows whether libsimkit is linked dynamically or not at all."""
import os
import re
import shutil
import subprocess

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from installed_simkit import SOURCE_DIR, project_version, run

EXAMPLE_DIR = SOURCE_DIR / "examples" / "c"
EXAMPLE = "keystore_sign"


def check_example_signs(program, tmp_path, env=None):
    """Runs the example on a fresh sim: card and verifies the signature it prints."""
    out = run([program, f"sim:{tmp_path / 'card.state'}", "1"], env=env, timeout=120)
    fields = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    public_key = serialization.load_der_public_key(bytes.fromhex(fields["public_key_der"]))
    assert isinstance(public_key.curve, ec.SECP256R1)
    public_key.verify(bytes.fromhex(fields["signature_der"]), fields["message"].encode(), ec.ECDSA(hashes.SHA256()))


def needed_libraries(program):
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", run(["readelf", "-d", program])))


def cmake_build(source, build, installed):
    run(["cmake", "-S", source, "-B", build, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={installed.prefix}"])
    run(["cmake", "--build", build])
    cache = (build / "CMakeCache.txt").read_text()
    assert f"simkit_DIR:PATH={installed.libdir}/cmake/simkit" in cache, "found another simkit"


def static_consumer(tmp_path, find_package_args):
    """A CMake project of one C program, the example, linked to simkit::simkit_static."""
    source = tmp_path / "static-consumer"
    source.mkdir()
    (source / "CMakeLists.txt").write_text(f"""cmake_minimum_required(VERSION 3.16)
project(simkit_static_consumer LANGUAGES C)
find_package(simkit {find_package_args} REQUIRED)
add_executable({EXAMPLE} {EXAMPLE_DIR / (EXAMPLE + '.c')})
target_link_libraries({EXAMPLE} PRIVATE simkit::simkit_static)
""")
    return source


def test_cmake_find_package_shared(installed, tmp_path):
    build = tmp_path / "build"
    cmake_build(EXAMPLE_DIR, build, installed)
    assert f"libsimkit.so.{project_version()[0]}" in needed_libraries(build / EXAMPLE)
    check_example_signs(build / EXAMPLE, tmp_path)


def test_cmake_find_package_static(installed, tmp_path):
    major, minor, _ = project_version()
    build = tmp_path / "build"
    cmake_build(static_consumer(tmp_path, f"{major}.{minor}"), build, installed)
    assert not any(name.startswith("libsimkit") for name in needed_libraries(build / EXAMPLE))
    check_example_signs(build / EXAMPLE, tmp_path)


def test_cmake_package_refuses_another_major_version(installed, tmp_path):
    major, _, _ = project_version()
    source = static_consumer(tmp_path, str(int(major) + 1))
    proc = subprocess.run(
        ["cmake", "-S", source, "-B", tmp_path / "build", "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={installed.prefix}"],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "compatible" in proc.stderr and f"version: {'.'.join(project_version())}" in proc.stderr, proc.stderr


def test_pkg_config_shared_with_the_makefile(installed, tmp_path):
    example = tmp_path / "example"
    shutil.copytree(EXAMPLE_DIR, example)
    run(["make", "-C", example], env=installed.pkg_config_env())
    assert f"libsimkit.so.{project_version()[0]}" in needed_libraries(example / EXAMPLE)
    check_example_signs(example / EXAMPLE, tmp_path, env={**os.environ, "LD_LIBRARY_PATH": str(installed.libdir)})


def test_pkg_config_static(installed, tmp_path):
    """`pkg-config --static` flags, with libsimkit.a named so the linker does not prefer libsimkit.so."""
    env = installed.pkg_config_env()
    cflags = run(["pkg-config", "--cflags", "simkit"], env=env).split()
    libs = run(["pkg-config", "--static", "--libs", "simkit"], env=env).split()
    assert {"-lsimkit", "-lstdc++", "-lcrypto", "-lpcsclite", "-lsqlite3"} <= set(libs), libs
    libs = ["-l:libsimkit.a" if flag == "-lsimkit" else flag for flag in libs]
    program = tmp_path / EXAMPLE
    run(["cc", "-std=c11", "-Wall", "-Wextra", *cflags, EXAMPLE_DIR / f"{EXAMPLE}.c", "-o", program, *libs])
    assert not any(name.startswith("libsimkit") for name in needed_libraries(program))
    check_example_signs(program, tmp_path)


def test_pkg_config_names_the_installed_prefix_and_version(installed):
    env = installed.pkg_config_env()
    assert run(["pkg-config", "--modversion", "simkit"], env=env).strip() == ".".join(project_version())
    include_flags = [f[2:] for f in run(["pkg-config", "--cflags-only-I", "simkit"], env=env).split()]
    assert os.path.realpath(installed.includedir) in map(os.path.realpath, include_flags)
    lib_flags = [f[2:] for f in run(["pkg-config", "--libs-only-L", "simkit"], env=env).split()]
    assert list(map(os.path.realpath, lib_flags)) == [os.path.realpath(installed.libdir)]
