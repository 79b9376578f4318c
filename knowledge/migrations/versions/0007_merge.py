"""Merge the package branches (dossiers, communes, staff console, conversations) back into one line.

Revision ID: 0007_merge
Revises: 0003, 0004, 0005, 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

revision = "0007_merge"
down_revision = ("0003", "0004", "0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the branches touch separate tables; this only gives the history one head."""


def downgrade() -> None:
    """Back to the four branch heads."""
