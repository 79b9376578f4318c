"""Schemathesis against the app's own OpenAPI schema, in process: every /api operation, a real small
knowledge base (a copy of the session's), a fake Rasa. No 500s; responses match their documented schema.

Rate limits are off here (the generator is one client hammering every route); they have their own tests.
The app has an action-server token, as `make run` gives it, and every case sends it: the routes behind it
are fuzzed past the check (the refusals have their own tests in tests/assistant/test_action_auth.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from pydantic import SecretStr
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)

from assistant.action_auth import TOKEN_HEADER
from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory
from assistant.main import create_app
from assistant.search_service import SearchService
from index.encoders import E5BundledEncoder
from tests.fakes.local_server import LocalServer
from tests.fakes.rasa_rest import FakeRasa

NO_LIMITS: dict[str, Any] = {"rate_limit_chat_per_sender": 0, "rate_limit_chat_per_ip": 0,
                             "rate_limit_webhook_per_ip": 0}
ACTIONS_TOKEN = "fuzz-actions-token-0123456789abcdef"


def _schema() -> schemathesis.BaseSchema:
    """The schema as the app publishes it; built without starting the app (no lifespan needed)."""
    app = create_app(Settings(database_url="sqlite://", **NO_LIMITS))
    return schemathesis.openapi.from_dict(app.openapi())


schema = _schema().include(path_regex=r"^/api/")


@pytest.fixture(scope="module")
def api_client(kb_settings: Settings, e5_encoder: E5BundledEncoder,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("openapi")
    shutil.copy(Path(kb_settings.database_url.removeprefix("sqlite:///")), root / "kb.db")
    shutil.copytree(kb_settings.index_dir, root / "index")
    with LocalServer(FakeRasa().app) as rasa:
        settings = kb_settings.model_copy(update={"database_url": f"sqlite:///{root / 'kb.db'}",
                                                  "index_dir": root / "index", "rasa_url": rasa.url,
                                                  "actions_token": SecretStr(ACTIONS_TOKEN), **NO_LIMITS})
        engine = create_db_engine(settings.database_url)
        search = SearchService(settings, create_session_factory(engine), encoder=e5_encoder)
        search.load()
        with TestClient(create_app(settings, search=search), raise_server_exceptions=False) as client:
            yield client
        engine.dispose()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_api_operation_answers_without_500_and_as_documented(
        case: schemathesis.Case, api_client: TestClient) -> None:
    request = case.as_transport_kwargs(base_url=str(api_client.base_url))
    request.pop("cookies", None)  # no staff session: admin operations must answer 401, not fail
    request["headers"] = {**(request.get("headers") or {}), TOKEN_HEADER: ACTIONS_TOKEN}
    if isinstance(request.get("data"), bytes | str):
        request["content"] = request.pop("data")  # raw bodies (e.g. malformed JSON) go as content in httpx
    response = api_client.request(**request)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}")
    case.validate_response(response, checks=[response_schema_conformance, content_type_conformance],
                           excluded_checks=[negative_data_rejection])
