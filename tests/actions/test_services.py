"""The HTTP client against a real local aiohttp server that plays the app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from actions.services import (
    API_TIMEOUT_ENV,
    API_TOKEN_ENV,
    API_URL_ENV,
    DEFAULT_API_URL,
    DEFAULT_TIMEOUT_S,
    TOKEN_HEADER,
    AssistantApi,
    ProcedureNotFound,
    QueryRejected,
    SearchTurnRequest,
    ServiceError,
    api_timeout_from_env,
    api_token_from_env,
    api_url_from_env,
    get_services,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SEARCH_BODY: dict[str, Any] = {
    "query": "khai sinh", "confidence": 0.82,
    "hits": [{"code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "levels": ["Cấp xã"],
              "field": "Hộ tịch", "score": 12.5, "confidence": 0.82}],
}
ANSWER_BODY: dict[str, Any] = {
    "code": "1.001193", "name": "Thủ tục đăng ký khai sinh",
    "messages": [{"text": "Lệ phí: Miễn phí", "buttons": [
        {"title": "Thời gian", "payload": '/ask_time{"procedure_code":"1.001193"}'}]}],
}


def serve(
    routes: dict[str, Handler], call: Callable[[AssistantApi], Awaitable[Any]], timeout_s: float = 1.0
) -> Any:
    """Start a throw-away app on a free port, run `call` against it, stop everything."""

    async def main() -> Any:
        app = web.Application()
        for path, handler in routes.items():
            app.router.add_get(path, handler)
        server = TestServer(app)
        await server.start_server()
        api = AssistantApi(str(server.make_url("")), timeout_s=timeout_s)
        try:
            return await call(api)
        finally:
            await api.close()
            await server.close()

    return asyncio.run(main())


def test_search_parses_hits_and_sends_query() -> None:
    seen: dict[str, str] = {}

    async def search(request: web.Request) -> web.Response:
        seen.update(request.query)
        return web.json_response(SEARCH_BODY)

    result = serve({"/api/procedures/search": search}, lambda api: api.search("làm giấy khai sinh", k=3))
    assert seen == {"q": "làm giấy khai sinh", "k": "3"}
    assert result.confidence == pytest.approx(0.82)
    assert [h.code for h in result.hits] == ["1.001193"]
    assert result.hits[0].levels == ("Cấp xã",)


def test_answer_parses_messages_and_buttons() -> None:
    async def answer(request: web.Request) -> web.Response:
        assert request.match_info["code"] == "1.001193"
        assert request.query["topic"] == "fee"
        return web.json_response(ANSWER_BODY)

    result = serve({"/api/procedures/{code}/answer": answer}, lambda api: api.answer("1.001193", "fee"))
    assert result.name == "Thủ tục đăng ký khai sinh"
    assert result.messages[0].text == "Lệ phí: Miễn phí"
    assert result.messages[0].buttons[0].payload == '/ask_time{"procedure_code":"1.001193"}'


def test_unknown_code_raises_procedure_not_found() -> None:
    async def missing(request: web.Request) -> web.Response:
        return web.json_response({"detail": "No procedure"}, status=404)

    with pytest.raises(ProcedureNotFound, match="9.9"):
        serve({"/api/procedures/{code}/answer": missing}, lambda api: api.answer("9.9", "fee"))


def test_rejected_query_raises_query_rejected() -> None:
    async def reject(request: web.Request) -> web.Response:
        return web.json_response({"detail": "too long"}, status=422)

    with pytest.raises(QueryRejected):
        serve({"/api/procedures/search": reject}, lambda api: api.search("x" * 900))


@pytest.mark.parametrize("status", [404, 500, 503])
def test_search_http_errors_raise_service_error(status: int) -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.json_response({"detail": "boom"}, status=status)

    with pytest.raises(ServiceError, match=str(status)):
        serve({"/api/procedures/search": broken}, lambda api: api.search("khai sinh"))


def test_slow_app_times_out_as_service_error() -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1.0)
        return web.json_response(SEARCH_BODY)

    with pytest.raises(ServiceError, match="in time"):
        serve({"/api/procedures/search": slow}, lambda api: api.search("khai sinh"), timeout_s=0.2)


def test_malformed_body_raises_service_error() -> None:
    async def odd(request: web.Request) -> web.Response:
        return web.json_response({"hits": "not a list of hits"})

    with pytest.raises(ServiceError, match="unexpected shape"):
        serve({"/api/procedures/search": odd}, lambda api: api.search("khai sinh"))


def test_invalid_json_raises_service_error() -> None:
    async def html(request: web.Request) -> web.Response:
        return web.Response(text="<html>proxy error</html>", content_type="text/html")

    with pytest.raises(ServiceError):
        serve({"/api/procedures/search": html}, lambda api: api.search("khai sinh"))


def test_unreachable_app_raises_service_error() -> None:
    async def call() -> Any:
        api = AssistantApi("http://127.0.0.1:9", timeout_s=0.5)
        try:
            return await api.search("khai sinh")
        finally:
            await api.close()

    with pytest.raises(ServiceError, match="could not be reached"):
        asyncio.run(call())


def test_base_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(API_URL_ENV, "http://app:8000/")
    assert api_url_from_env() == "http://app:8000/"
    assert AssistantApi(api_url_from_env()).base_url == "http://app:8000"
    monkeypatch.delenv(API_URL_ENV)
    assert api_url_from_env() == DEFAULT_API_URL


@pytest.mark.parametrize(("raw", "expected"), [("", DEFAULT_TIMEOUT_S), ("8", 8.0), ("0.75", 0.75),
                                             ("abc", DEFAULT_TIMEOUT_S), ("0", DEFAULT_TIMEOUT_S),
                                             ("-3", DEFAULT_TIMEOUT_S), ("1e9", DEFAULT_TIMEOUT_S)])
def test_timeout_comes_from_the_environment_and_bad_values_keep_the_default(
        raw: str, expected: float, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(API_TIMEOUT_ENV, raw)
    assert api_timeout_from_env() == expected


def test_a_call_slower_than_the_timeout_is_a_service_error() -> None:
    async def slow(_request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0.5)
        return web.json_response(SEARCH_BODY)

    async def call(timeout_s: float) -> object:
        app = web.Application()
        app.router.add_get("/api/procedures/search", slow)
        async with TestServer(app) as server:
            api = AssistantApi(str(server.make_url("")), timeout_s=timeout_s)
            try:
                return await api.search("khai sinh")
            finally:
                await api.close()

    with pytest.raises(ServiceError, match="in time"):
        asyncio.run(call(0.1))
    assert asyncio.run(call(5.0)) is not None


def test_search_turn_posts_the_request_and_parses_hits_and_answers() -> None:
    seen: list[dict[str, Any]] = []

    async def turn(request: web.Request) -> web.Response:
        seen.append(await request.json())
        body = {**SEARCH_BODY, "outcome": "answered", "answers": [{**ANSWER_BODY, "topic": "overview"}]}
        return web.json_response(body)

    async def main() -> Any:
        app = web.Application()
        app.router.add_post("/api/procedures/search-turn", turn)
        server = TestServer(app)
        await server.start_server()
        api = AssistantApi(str(server.make_url("")), timeout_s=1.0)
        try:
            return await api.search_turn(SearchTurnRequest(
                text="khai sinh", query="khai sinh", conversation_id="c1", channel="web", topics=("overview",),
                k=3, confident=0.6, choices_min=0.25, ambiguity_margin=0.1))
        finally:
            await api.close()
            await server.close()

    result = asyncio.run(main())
    assert seen[0]["confident"] == 0.6 and seen[0]["channel"] == "web" and seen[0]["topics"] == ["overview"]
    assert result.outcome == "answered"
    assert result.result.hits[0].code == "1.001193" and result.result.confidence == SEARCH_BODY["confidence"]
    assert result.answers[0].name == "Thủ tục đăng ký khai sinh"
    assert result.answers[0].messages[0].buttons[0].title == "Thời gian"


# --- the secret shared with the app (ASSISTANT_ACTIONS_TOKEN, sent as X-Assistant-Token) ------------------

TOKEN = "s3cret-Shared-by-app-and-actions_0123456789"
TURN = SearchTurnRequest(text="khai sinh", query="khai sinh", conversation_id="c1", channel="web",
                         topics=("overview",), k=3, confident=0.6, choices_min=0.25, ambiguity_margin=0.1)


def _every_call(token: str, status: int = 200) -> tuple[list[tuple[str, str | None]], list[BaseException | None]]:
    """Make each kind of call against an app that records the header it got; return headers and errors."""
    seen: list[tuple[str, str | None]] = []
    bodies: dict[str, Any] = {
        "/api/procedures/search": SEARCH_BODY, "/api/procedures/1.001193/answer": ANSWER_BODY,
        "/api/procedures/search-turn": {**SEARCH_BODY, "outcome": "low_confidence", "answers": []},
        "/api/handover": {"text": "Cán bộ sẽ trả lời.", "queued": True, "in_hours": True},
        "/api/dossiers/lookup": {"text": "Hồ sơ đang xử lý."},
    }

    async def record(request: web.Request) -> web.StreamResponse:
        seen.append((request.path, request.headers.get(TOKEN_HEADER)))
        if status != 200:
            return web.json_response({"detail": {"code": "actions_token", "message": "refused"}}, status=status)
        if request.path in bodies:
            return web.json_response(bodies[request.path])
        return web.Response(status=204)

    async def main() -> list[BaseException | None]:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", record)
        async with TestServer(app) as server:
            api = AssistantApi(str(server.make_url("")), timeout_s=1.0, token=token)
            try:
                return await asyncio.gather(
                    api.search("khai sinh"), api.answer("1.001193", "fee"), api.search_turn(TURN),
                    api.request_handover("c1", "web", "asked", None),
                    api.record_question("c1", "web", "hỏi", "fallback"), api.send_feedback("c1", "web", 5, None),
                    api.lookup_dossier("C", "6789", "c1"),
                    return_exceptions=True)
            finally:
                await api.close()

    errors = [result if isinstance(result, BaseException) else None for result in asyncio.run(main())]
    return seen, errors


def test_every_call_carries_the_shared_secret() -> None:
    seen, errors = _every_call(TOKEN)
    assert errors == [None] * 7
    assert {path for path, _ in seen} >= {"/api/procedures/search-turn", "/api/handover", "/api/questions",
                                          "/api/feedback", "/api/procedures/search", "/api/dossiers/lookup"}
    assert {header for _, header in seen} == {TOKEN}


def test_without_a_secret_no_header_is_sent() -> None:
    seen, errors = _every_call("")
    assert errors == [None] * 7
    assert {header for _, header in seen} == {None}


def test_a_refused_secret_is_a_service_error_that_names_the_variable_not_the_value() -> None:
    _, errors = _every_call("wrong-secret-of-the-right-length-0123", status=401)
    writes = errors[2:6]  # search turn, handover, question, feedback
    assert all(isinstance(error, ServiceError) for error in writes)
    for error in writes:
        assert API_TOKEN_ENV in str(error) and "wrong-secret" not in str(error)


def test_the_secret_comes_from_the_environment_and_is_never_logged(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv(API_TOKEN_ENV, f" {TOKEN}\n")
    assert api_token_from_env() == TOKEN
    get_services.cache_clear()
    caplog.set_level(logging.DEBUG)
    try:
        api = get_services()
        assert api.sends_token
        assert TOKEN not in caplog.text and TOKEN not in repr(api) and API_TOKEN_ENV in caplog.text
    finally:
        get_services.cache_clear()
    monkeypatch.delenv(API_TOKEN_ENV)
    assert api_token_from_env() == ""
