"""Prometheus metrics of the app: the one place they are defined (others import and observe them).

Every object lives in the default registry of this process. With several replicas each one exposes
its own numbers at `/metrics` and Prometheus scrapes every replica (one target per container) and sums
with `sum by (...)`; nothing is shared between processes, so a replica's counters restart at zero when
it restarts (Prometheus' `rate()` handles the reset). Run one uvicorn worker per container.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

# Chat turns take 0.1–3 s under load; search and app calls are tens of milliseconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter(
    "assistant_http_requests_total", "HTTP requests answered by the app.", ["method", "route", "status", "channel"]
)
HTTP_LATENCY = Histogram(
    "assistant_http_request_seconds", "Time to answer an HTTP request.", ["method", "route", "channel"],
    buckets=LATENCY_BUCKETS,
)
RASA_LATENCY = Histogram(
    "assistant_rasa_roundtrip_seconds", "Round trip of one message to Rasa's REST channel and back.",
    ["channel", "outcome"], buckets=LATENCY_BUCKETS,
)
ACTION_API_LATENCY = Histogram(
    "assistant_action_api_seconds", "Time the app takes to answer a call from the action server, by route.",
    ["route"], buckets=LATENCY_BUCKETS,
)
SEARCH_CONFIDENCE = Histogram(
    "assistant_search_confidence", "Calibrated confidence of the best search hit.",
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0),
)
HANDOVERS = Counter("assistant_handovers_total", "Conversations handed over to a clerk.", ["channel", "reason"])
ERRORS = Counter("assistant_errors_total", "Errors by kind (unhandled exceptions, Rasa unavailable, ...).", ["kind"])

# The action server calls the app with aiohttp (rasa-sdk's stack) or says so explicitly with this header.
CALLER_HEADER = "x-assistant-caller"

_CHANNEL_BY_PREFIX = (("/webhooks/telegram", "telegram"), ("/webhooks/zalo", "zalo"), ("/api/chat", "api"))


def route_template(request: Request) -> str:
    """The matched route's path template (`/api/procedures/{code}`), never the raw path (unbounded labels).

    Read after the request was handled: the router leaves the matched route in the ASGI scope.
    """
    route = request.scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else "unmatched"


def channel_of(path: str) -> str:
    for prefix, channel in _CHANNEL_BY_PREFIX:
        if path.startswith(prefix):
            return channel
    return "none"


def from_action_server(request: Request) -> bool:
    if request.headers.get(CALLER_HEADER) == "actions":
        return True
    return "aiohttp" in request.headers.get("user-agent", "")


async def metrics_middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Count and time every request by route template and channel; `/metrics` itself is not counted."""
    if request.url.path == "/metrics":
        return await call_next(request)
    started = time.perf_counter()
    status = "500"
    try:
        response = await call_next(request)
        status = str(response.status_code)
        return response
    except Exception:
        ERRORS.labels(kind="unhandled_exception").inc()
        raise
    finally:
        elapsed = time.perf_counter() - started
        route = route_template(request)
        channel = channel_of(request.url.path)
        HTTP_REQUESTS.labels(request.method, route, status, channel).inc()
        HTTP_LATENCY.labels(request.method, route, channel).observe(elapsed)
        if from_action_server(request):
            ACTION_API_LATENCY.labels(route).observe(elapsed)


def metrics_response(request: Request, token: str) -> Response:
    """The text exposition; with a token set, only callers sending `Authorization: Bearer <token>`."""
    if token:
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return Response("metrics need the bearer token (ASSISTANT_METRICS_TOKEN)\n", status_code=401,
                            media_type="text/plain")
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
