"""Make the published OpenAPI schema tell the truth about the app's 422 answers.

FastAPI documents every 422 as its validation error list, but routes also answer 422 with a sentence
(`HTTPException(422, "...")`) or with `{"code", "message"}` (the dossier and commune contracts). Clients
generated from the schema, and the schema tests, must accept all three shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

CODED_ERROR = {
    "type": "object",
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
    "required": ["code", "message"],
}


def _widen(schema: dict[str, Any]) -> dict[str, Any]:
    component = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
    if component is None or "anyOf" in component.get("properties", {}).get("detail", {}):
        return schema
    listed = component["properties"]["detail"]
    component["properties"]["detail"] = {"anyOf": [listed, {"type": "string"}, CODED_ERROR], "title": "Detail"}
    return schema


def install(app: FastAPI) -> None:
    original: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        return _widen(original())

    app.openapi = openapi  # type: ignore[method-assign]
