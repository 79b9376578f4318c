"""The client's dossier, commune, handover, question and feedback calls against a local aiohttp app."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from actions.services import AssistantApi, QueryRejected, ServiceError, ServiceRefused

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def serve(routes: list[tuple[str, str, Handler]], call: Callable[[AssistantApi], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        app = web.Application()
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        server = TestServer(app)
        await server.start_server()
        api = AssistantApi(str(server.make_url("")), timeout_s=1.0)
        try:
            return await call(api)
        finally:
            await api.close()
            await server.close()

    return asyncio.run(main())


def recording(status: int, body: Any, seen: list[Any]) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append(await request.json() if request.method == "POST" else dict(request.query))
        if body is None:
            return web.Response(status=status)
        return web.json_response(body, status=status)

    return handler


def test_parse_code_returns_the_normalised_code() -> None:
    seen: list[Any] = []
    code = serve([("POST", "/api/dossiers/parse-code", recording(200, {"code": "000.00.15.H29-250714-0001"}, seen))],
                 lambda api: api.parse_dossier_code("000 00 15 h29 250714 0001"))
    assert code == "000.00.15.H29-250714-0001"
    assert seen == [{"text": "000 00 15 h29 250714 0001"}]


@pytest.mark.parametrize(("status", "code"), [(404, "not_found"), (422, "malformed_code"), (429, "rate_limited")])
def test_refusals_carry_the_apps_message(status: int, code: str) -> None:
    body = {"detail": {"code": code, "message": "Thông điệp cho công dân.", "retry_after_s": 30}}
    seen: list[Any] = []
    with pytest.raises(ServiceRefused) as caught:
        serve([("POST", "/api/dossiers/lookup", recording(status, body, seen))],
              lambda api: api.lookup_dossier("C", "6789", "s1"))
    assert (caught.value.status, caught.value.code, caught.value.message) == (status, code, "Thông điệp cho công dân.")
    assert seen == [{"code": "C", "verification": "6789", "sender_id": "s1"}]
    assert "6789" not in str(caught.value)


def test_lookup_and_subscription_return_the_text() -> None:
    seen: list[Any] = []
    routes = [("POST", "/api/dossiers/lookup", recording(200, {"code": "C", "text": "Đang xử lý."}, seen)),
              ("POST", "/api/dossiers/subscriptions", recording(201, {"text": "Đã đăng ký."}, seen))]

    async def both(api: AssistantApi) -> tuple[str, str]:
        return await api.lookup_dossier("C", "6789", "s1"), await api.subscribe_dossier("C", "6789", "s1", "zalo")

    assert serve(routes, both) == ("Đang xử lý.", "Đã đăng ký.")
    assert seen[1] == {"code": "C", "verification": "6789", "sender_id": "s1", "channel": "zalo"}


def test_server_error_without_detail_is_a_plain_service_error() -> None:
    with pytest.raises(ServiceError) as caught:
        serve([("POST", "/api/dossiers/lookup", recording(500, None, []))],
              lambda api: api.lookup_dossier("C", "6789", "s1"))
    assert not isinstance(caught.value, ServiceRefused)


def test_resolve_commune_sends_address_and_procedure() -> None:
    seen: list[Any] = []
    body = {"status": "resolved", "query": "q", "candidates": [], "filing": None, "text": "Xã Yên Mô.", "choices": []}
    answer = serve([("GET", "/api/communes/resolve", recording(200, body, seen))],
                   lambda api: api.resolve_commune("xã Yên Thịnh", "1.001193"))
    assert answer["text"] == "Xã Yên Mô."
    assert seen == [{"address": "xã Yên Thịnh", "procedure": "1.001193"}]


def test_resolve_commune_rejects_empty_address() -> None:
    with pytest.raises(QueryRejected):
        serve([("GET", "/api/communes/resolve", recording(422, {"detail": "too long"}, []))],
              lambda api: api.resolve_commune("x" * 600, None))


def test_handover_question_and_feedback_payloads() -> None:
    seen: list[Any] = []
    routes = [("POST", "/api/handover", recording(200, {"text": "Cán bộ sẽ trả lời.", "queued": True,
                                                        "in_hours": False}, seen)),
              ("POST", "/api/questions", recording(204, None, seen)),
              ("POST", "/api/feedback", recording(204, None, seen))]

    async def calls(api: AssistantApi) -> str:
        text = await api.request_handover("c1", "web", "gave_up", None)
        await api.record_question("c1", "web", "abc", "fallback", confidence=0.3)
        await api.send_feedback("c1", "web", 5, None)
        return text

    assert serve(routes, calls) == "Cán bộ sẽ trả lời."
    assert seen == [
        {"conversation_id": "c1", "channel": "web", "reason": "gave_up", "active_procedure": None},
        {"conversation_id": "c1", "channel": "web", "text": "abc", "outcome": "fallback", "confidence": 0.3},
        {"conversation_id": "c1", "channel": "web", "rating": 5},
    ]


def test_feedback_rejected_is_an_error() -> None:
    with pytest.raises(ServiceError):
        serve([("POST", "/api/feedback", recording(422, {"detail": [{"msg": "bad rating"}]}, []))],
              lambda api: api.send_feedback("c1", "web", 5, "x"))


def test_unreachable_app_is_a_service_error() -> None:
    async def call(_: AssistantApi) -> None:
        api = AssistantApi("http://127.0.0.1:9", timeout_s=0.5)
        try:
            await api.record_question("c1", "web", "abc", "fallback")
        finally:
            await api.close()

    with pytest.raises(ServiceError):
        serve([], call)
