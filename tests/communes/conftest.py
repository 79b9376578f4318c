"""Fixtures of the communes tests: one resolver per session (loading the unit tables takes about a second)."""

from __future__ import annotations

import pytest

from communes.resolver import AdminUnitsResolver, default_resolver


@pytest.fixture(scope="session")
def resolver() -> AdminUnitsResolver:
    return default_resolver()
