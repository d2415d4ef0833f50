"""Fixtures of the masterplan tests: the deliberations' fixtures, a partner and their carrier."""

import pytest

from tests.deliberations.conftest import (  # noqa: F401
    EN,
    audit_entries,
    create_council_session,
    create_retained,
    moderator,
    parse_csv,
    promoted,
)


@pytest.fixture
def partner(create_user):
    return create_user(display_name="Claire du jardin", email="claire@jardins.example")


@pytest.fixture
def garden(create_carrier, partner):
    """An association that ``partner`` speaks for."""
    return create_carrier(
        "Les Jardins d'Émile",
        kind="association",
        partners=[partner],
        description="Jardins partagés du quartier du Mont-Liébaut.",
        website="https://jardins.example",
    )


@pytest.fixture
def school(create_carrier):
    return create_carrier("École Jules-Ferry", kind="school")
