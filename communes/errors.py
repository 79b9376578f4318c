"""Errors of the communes package."""

from __future__ import annotations


class ServiceCenterNotFound(LookupError):
    """No service center has this id."""

    def __init__(self, center_id: int) -> None:
        super().__init__(f"service center {center_id} does not exist")
        self.center_id = center_id
