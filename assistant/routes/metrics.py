"""`GET /metrics`: Prometheus text exposition, for the scraper on the internal network only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from assistant import metrics
from assistant.deps import SettingsDep

router = APIRouter(tags=["metrics"])


@router.get("/metrics", include_in_schema=False)
def prometheus_metrics(request: Request, settings: SettingsDep) -> Response:
    return metrics.metrics_response(request, settings.metrics_token.get_secret_value())
