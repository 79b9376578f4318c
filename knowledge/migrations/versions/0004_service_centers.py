"""Service-center directory (communes package).

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_centers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("province_code", sa.String(8), nullable=False),
        sa.Column("province_name", sa.String(100), nullable=False),
        sa.Column("commune_code", sa.String(8), nullable=True),
        sa.Column("commune_name", sa.String(100), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("opening_hours", sa.JSON(), nullable=False),
        sa.Column("phone", sa.String(64), nullable=False),
        sa.Column("map_url", sa.String(500), nullable=False),
        sa.Column("receives_levels", sa.JSON(), nullable=False),
        sa.Column("accepts_codes", sa.JSON(), nullable=False),
        sa.Column("refuses_codes", sa.JSON(), nullable=False),
        sa.Column("sample_data", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("key", name="uq_service_centers_key"),
    )
    op.create_index("ix_service_centers_level", "service_centers", ["level"])
    op.create_index("ix_service_centers_province_code", "service_centers", ["province_code"])
    op.create_index("ix_service_centers_commune_code", "service_centers", ["commune_code"])


def downgrade() -> None:
    op.drop_index("ix_service_centers_commune_code", table_name="service_centers")
    op.drop_index("ix_service_centers_province_code", table_name="service_centers")
    op.drop_index("ix_service_centers_level", table_name="service_centers")
    op.drop_table("service_centers")
