"""The library as `cmake --install` lays it out, for the packaging tests: the build directory the
tests run in (SIMKIT_BIN_DIR=<build>/bin, set by ctest; build/bin otherwise) installed into a
temporary prefix with the component "library" (nothing is rebuilt), and the tools to inspect it."""
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("SIMKIT_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BUILD_DIR = Path(os.environ.get("SIMKIT_BIN_DIR", SOURCE_DIR / "build" / "bin")).parent


def run(args, cwd=None, env=None, stdin=None, timeout=300):
    """Runs a command and returns its stdout; a failure shows the command and its whole output."""
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env, input=stdin, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (args, proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout


def project_version():
    """The version in the top-level project() call: what SONAME and the package version derive from."""
    text = (SOURCE_DIR / "CMakeLists.txt").read_text()
    return re.search(r"project\(simkit VERSION (\d+)\.(\d+)\.(\d+)", text).group(1, 2, 3)


def cache_value(name):
    """A value from the build directory's CMakeCache.txt (e.g. CMAKE_INSTALL_LIBDIR)."""
    text = (BUILD_DIR / "CMakeCache.txt").read_text()
    return re.search(rf"^{name}:\w+=(.*)$", text, re.M).group(1)


@dataclass
class Installed:
    prefix: Path
    libdir: Path
    includedir: Path

    def pkg_config_env(self):
        """The caller's environment with the installed simkit.pc found first."""
        env = dict(os.environ)
        env["PKG_CONFIG_PATH"] = str(self.libdir / "pkgconfig")
        return env


def install(prefix: Path) -> Installed:
    run(["cmake", "--install", BUILD_DIR, "--prefix", prefix, "--component", "library"])
    return Installed(prefix=prefix, libdir=prefix / cache_value("CMAKE_INSTALL_LIBDIR"),
                     includedir=prefix / cache_value("CMAKE_INSTALL_INCLUDEDIR"))
