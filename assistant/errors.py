"""Errors of the app layer."""

from __future__ import annotations


class AppError(Exception):
    """Base of app-layer errors."""


class IndexNotReady(AppError):
    """The search index is not loaded yet (still building, or never built)."""
