"""Fixtures for the importer tests: real crawl records stored as JSON files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def load_record() -> Callable[[str], dict[str, Any]]:
    """Load one real record by fixture name (file name without .json)."""

    def load(name: str) -> dict[str, Any]:
        with (FIXTURES / f"{name}.json").open(encoding="utf-8") as stream:
            record: dict[str, Any] = json.load(stream)
        return record

    return load
