"""Rasa and the action server write the app's JSON log lines, redacted, when given nlu/logging-json.yml.

Runs in the Rasa environment (Python 3.10), which is also what proves `assistant.logging_setup` imports there.
"""

from __future__ import annotations

import io
import json
import logging
import logging.config
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Rasa's own imports warn; not this test's subject
    pytest.importorskip("rasa")
    import rasa.utils.io

from nlu.launch import keep_configured_logging  # noqa: E402

CONFIG = Path(__file__).resolve().parents[2] / "nlu" / "logging-json.yml"


@pytest.fixture
def json_logging() -> Iterator[io.StringIO]:
    """The YAML config applied, its stream handler writing to a buffer; the root logger restored after."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    logging.config.dictConfig(yaml.safe_load(CONFIG.read_text(encoding="utf-8")))
    buffer = io.StringIO()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(buffer)
    yield buffer
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def test_lines_are_json_with_personal_numbers_redacted(json_logging: io.StringIO) -> None:
    logging.getLogger("rasa.core.processor").info("message from %s, phone %s", "sender", "0912 345 678")
    entry = json.loads(json_logging.getvalue().splitlines()[-1])
    assert entry["level"] == "INFO" and entry["logger"] == "rasa.core.processor"
    assert "0912" not in entry["message"] and "[redacted]" in entry["message"]
    assert {"timestamp", "channel", "conversation_id"} <= entry.keys()


def test_the_launcher_keeps_the_file_handlers_instead_of_rasas_coloured_ones(
        json_logging: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa.utils.io, "configure_colored_logging", rasa.utils.io.configure_colored_logging)
    assert not keep_configured_logging(["run", "--port", "5005"])
    assert keep_configured_logging(["run", "--logging-config-file", str(CONFIG)])
    handlers = list(logging.getLogger().handlers)
    rasa.utils.io.configure_colored_logging("INFO")  # what Rasa's main calls after applying the file
    assert logging.getLogger().handlers == handlers
    logging.getLogger("rasa").info("still json")
    assert json.loads(json_logging.getvalue().splitlines()[-1])["message"] == "still json"
