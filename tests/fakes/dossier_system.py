"""A fake provincial dossier system speaking the wire format of `dossiers.sources.http`.

`fail_next` answers the next N requests with 503; `delay_s` makes every answer slow (to trigger client
timeouts); `requests` counts calls so tests can see the retries.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse


@dataclass
class FakeDossierSystem:
    dossiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_next: int = 0
    always_fail: bool = False
    delay_s: float = 0.0
    requests: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/dossiers/{code}")
        async def get_dossier(code: str) -> JSONResponse:
            self.requests += 1
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            if self.always_fail or self.fail_next > 0:
                self.fail_next = max(0, self.fail_next - 1)
                return JSONResponse({"error": "upstream database down"}, status_code=503)
            body = self.dossiers.get(code)
            if body is None:
                return JSONResponse({"error": "not found"}, status_code=404)
            return JSONResponse(body)

        return app


def wire_dossier(code: str, *, status: str = "in_process", phone_last4: str = "4321",
                 id_last4: str = "8765", due_date: str = "2026-02-23") -> dict[str, Any]:
    return {"code": code, "procedure_code": "1.001193", "procedure_name": "Thủ tục đăng ký khai sinh",
            "agency": "UBND xã Yên Thịnh", "received_at": "2026-02-13T09:00:00+07:00", "due_date": due_date,
            "expected_date": None, "status": status,
            "history": [{"status": "received", "at": "2026-02-13T09:00:00+07:00", "note": ""}],
            "missing_documents": [], "pickup_place": None,
            "applicant": {"phone_last4": phone_last4, "id_last4": id_last4}}
