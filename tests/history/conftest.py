from pathlib import Path

import pytest
from sqlalchemy import select

from participation import ROOT
from participation.extensions import db

# The seed as the city published it, next to the repository (absent from a lone clone).
ORIGINAL_SEED = ROOT.parent / "shared" / "seeds" / "001_811e11141a3d4d67.txt"


@pytest.fixture
def original_seed() -> Path:
    if not ORIGINAL_SEED.exists():
        pytest.skip(f"the original seed {ORIGINAL_SEED} is not next to this clone")
    return ORIGINAL_SEED


@pytest.fixture
def table_snapshot(app):
    """Every row of every table, in primary-key order: equal snapshots mean nothing changed."""

    def snapshot() -> dict[str, list[tuple]]:
        return {
            table.name: [
                tuple(row)
                for row in db.session.execute(
                    select(table).order_by(*table.primary_key.columns)
                ).all()
            ]
            for table in db.metadata.sorted_tables
        }

    return snapshot
