"""Articles with vectors and scores, editors' feedback, hashed API keys.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.String(16), nullable=False, unique=True),
        sa.Column("external_id", sa.Text),
        sa.Column("input", sa.Text),
        sa.Column("source", sa.String(255), index=True),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("published_at", sa.String(64)),
        sa.Column("language", sa.String(16)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("story_id", sa.String(32), index=True),
        sa.Column("score", sa.Float),
        sa.Column("probability", sa.Float),
        sa.Column("label", sa.String(16)),
        sa.Column("model_version", sa.String(64)),
        sa.Column("result", sa.Text),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.Column("names", sa.Text, nullable=False),
        sa.Column("sentence_keys", sa.Text, nullable=False),
        sa.Column("sentence_vectors", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.String(16), nullable=False, index=True),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("flag_type", sa.String(32)),
        sa.Column("start", sa.Integer),
        sa.Column("end", sa.Integer),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("key_id", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_table("feedback")
    op.drop_table("articles")
