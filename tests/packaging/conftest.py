"""Fixtures of the packaging tests: the build directory installed once into a temporary prefix."""
import pytest

from installed_simkit import install


@pytest.fixture(scope="session")
def installed(tmp_path_factory):
    return install(tmp_path_factory.mktemp("prefix"))
