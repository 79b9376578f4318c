"""The source the settings ask for (`ASSISTANT_DOSSIER_SOURCE`)."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from dossiers.sources import DossierSource
from dossiers.sources.http import HttpDossierSource
from dossiers.sources.local import LocalDossierSource


def build_source(settings: Settings, factory: sessionmaker[Session], http: httpx.AsyncClient) -> DossierSource:
    if settings.dossier_source == "http":
        return HttpDossierSource(http, settings.dossier_http_url, pepper=settings.dossier_pepper.get_secret_value(),
                                 timeout_s=settings.dossier_http_timeout_s, retries=settings.dossier_http_retries)
    return LocalDossierSource(factory)
