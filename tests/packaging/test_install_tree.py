"""What `cmake --install --component library` puts under the prefix: only libsimkit.a, libsimkit.so
(SONAME with the major version of project(VERSION)), the public headers, simkit.pc and the CMake
package; the libraries hold all of simkit_core, simkit_card, simkit_host and simkit_capi.

Independent truth: the file list comes from the source tree (hostlib/include/simkit/*.hpp,
hostlib/capi/include/simkit.h), the version from the top-level CMakeLists.txt, library contents from
binutils (readelf, nm, ar) over the build's own part archives, the C API from the functions simkit.h
declares; every installed header is compiled alone with only the prefix on the include path."""
import os
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from installed_simkit import BUILD_DIR, SOURCE_DIR, project_version, run

PUBLIC_HEADERS = sorted(p.name for p in (SOURCE_DIR / "hostlib/include/simkit").glob("*.hpp"))
C_HEADER = SOURCE_DIR / "hostlib/capi/include/simkit.h"
LIBRARY_PARTS = ["simkit_core", "simkit_card", "simkit_host", "simkit_capi"]


def relative_files(root):
    return {str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir()}


def test_installs_only_libraries_public_headers_and_package_files(installed):
    major, minor, patch = project_version()
    lib = installed.libdir.relative_to(installed.prefix)
    inc = installed.includedir.relative_to(installed.prefix)
    files = relative_files(installed.prefix)
    targets_per_config = {f for f in files if re.fullmatch(rf"{lib}/cmake/simkit/simkitTargets-\w+\.cmake", f)}
    assert len(targets_per_config) == 1, files
    expected = {
        f"{lib}/libsimkit.a", f"{lib}/libsimkit.so", f"{lib}/libsimkit.so.{major}",
        f"{lib}/libsimkit.so.{major}.{minor}.{patch}", f"{lib}/pkgconfig/simkit.pc",
        f"{lib}/cmake/simkit/simkitConfig.cmake", f"{lib}/cmake/simkit/simkitConfigVersion.cmake",
        f"{lib}/cmake/simkit/simkitTargets.cmake", *targets_per_config,
        f"{inc}/simkit.h", *(f"{inc}/simkit/{name}" for name in PUBLIC_HEADERS),
    }
    assert files == expected
    assert len(PUBLIC_HEADERS) > 10


def test_shared_library_soname_is_the_major_version_and_links_follow_it(installed):
    major, minor, patch = project_version()
    real = installed.libdir / f"libsimkit.so.{major}.{minor}.{patch}"
    assert not real.is_symlink()
    assert os.readlink(installed.libdir / f"libsimkit.so.{major}") == real.name
    assert os.readlink(installed.libdir / "libsimkit.so") == f"libsimkit.so.{major}"
    dynamic = run(["readelf", "-d", real])
    assert f"Library soname: [libsimkit.so.{major}]" in dynamic


def test_shared_library_needs_only_its_documented_dependencies(installed):
    dynamic = run(["readelf", "-d", installed.libdir / "libsimkit.so"])
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic))
    assert {"libcrypto.so.3", "libpcsclite.so.1", "libsqlite3.so.0", "libstdc++.so.6"} <= needed
    system = {"libgcc_s.so.1", "libm.so.6", "libc.so.6"}
    loader = {name for name in needed if name.startswith("ld-linux")}  # __tls_get_addr (thread_local)
    assert needed - loader <= {"libcrypto.so.3", "libpcsclite.so.1", "libsqlite3.so.0", "libstdc++.so.6",
                               *system}, needed


def test_static_library_holds_exactly_the_objects_of_the_four_parts(installed):
    members = Counter(run(["ar", "t", installed.libdir / "libsimkit.a"]).split())
    parts = Counter()
    for part in LIBRARY_PARTS:
        parts.update(run(["ar", "t", BUILD_DIR / "lib" / f"lib{part}.a"]).split())
    assert members == parts
    assert {"error_border.cpp.o", "simulated_card.cpp.o", "card_uri.cpp.o", "bytes.cpp.o"} <= set(members)


def declared_c_functions():
    """The functions simkit.h declares: a declaration starts a line with its return type."""
    text = C_HEADER.read_text()
    names = set(re.findall(r"^[A-Za-z_][\w \*]*?\b(simkit_\w+)\(", text, re.M))
    assert len(names) >= 5, names
    return names


def defined_symbols(nm_output):
    return {line.split()[-1] for line in nm_output.splitlines() if re.search(r" [TW] ", line)}


def test_every_c_api_function_is_defined_in_both_libraries(installed):
    functions = declared_c_functions()
    shared = defined_symbols(run(["nm", "-D", "--defined-only", installed.libdir / "libsimkit.so"]))
    static = defined_symbols(run(["nm", "--defined-only", installed.libdir / "libsimkit.a"]))
    assert functions <= shared, functions - shared
    assert functions <= static, functions - static


def test_no_installed_header_includes_the_internal_core_headers(installed):
    for header in installed.includedir.rglob("*.h*"):
        assert not re.search(r'#\s*include\s*[<"]simkit/core/', header.read_text()), header


def compile_alone(installed, compiler, language, standard, header):
    """Compiles a translation unit that includes one installed header, with only the prefix's include
    folder added to the compiler's own search path; warnings are errors."""
    run([compiler, f"-std={standard}", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fsyntax-only",
         f"-I{installed.includedir}", "-x", language, "-"], stdin=f"#include <{header}>\n", timeout=120)


def test_each_installed_cpp_header_compiles_alone(installed):
    headers = [f"simkit/{name}" for name in PUBLIC_HEADERS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda header: compile_alone(installed, "g++", "c++", "c++20", header), headers))


@pytest.mark.parametrize("compiler,language,standard", [("gcc", "c", "c11"), ("g++", "c++", "c++17")])
def test_c_header_compiles_alone_as_c_and_cpp(installed, compiler, language, standard):
    compile_alone(installed, compiler, language, standard, "simkit.h")
