"""Test-wide settings."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _units_cache_in_tmp(tmp_path_factory):
    """The parsed-units cache goes to a temporary folder, not ``outputs/_cache``.

    Set in ``os.environ``, so kernels started by notebook tests use it too.
    """
    mp = pytest.MonkeyPatch()
    mp.setenv("CLEM_CACHE_DIR", str(tmp_path_factory.mktemp("clem-cache")))
    yield
    mp.undo()
