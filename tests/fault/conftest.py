"""Fixtures shared by the fault tests."""

from __future__ import annotations

import pytest

from tests.fault.processes import OwnRedis


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of the test's own, which the test may kill and start again."""
    server = OwnRedis(tmp_path / "redis").start()
    yield server
    server.close()
