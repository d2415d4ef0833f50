"""Factories for workshop tests: workshops, facilitators, paper items."""

from datetime import timedelta

import pytest

from participation.extensions import db
from participation.models import Role, Workshop, utcnow


@pytest.fixture
def client(app):
    """Requests in English, so that tests read the English text whatever the catalogue holds."""
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


@pytest.fixture
def facilitator(create_user):
    return create_user(role=Role.FACILITATOR, display_name="Animatrice")


@pytest.fixture
def moderator(create_user):
    return create_user(role=Role.MODERATOR, display_name="Modérateur")


@pytest.fixture
def resident(create_user):
    return create_user(display_name="Habitante")


@pytest.fixture
def round_(create_round, create_pillar):
    """A round collecting proposals, with two pillars."""
    mobility = create_pillar(
        "Mobilité / Transports", name_en="Mobility / Transport", slug="mobilite"
    )
    housing = create_pillar(
        "Habitat / Environnement", name_en="Housing / Environment", slug="habitat"
    )
    return create_round("Béthune à 2032", pillars=[mobility, housing])


@pytest.fixture
def create_workshop(app, round_):
    """A workshop of ``round_`` (by default held two hours ago), run by ``facilitators``."""

    def factory(
        round=None,
        facilitators=(),
        hours_ago: float = 3,
        state: str = "held",
        pillars=None,
        **fields,
    ) -> Workshop:
        round = round or round_
        starts = utcnow() - timedelta(hours=hours_ago)
        workshop = Workshop(
            round=round,
            title=fields.pop("title", "Atelier mobilité au centre social"),
            place=fields.pop("place", "Centre social Jacques Prévert"),
            starts_at=starts,
            ends_at=fields.pop("ends_at", starts + timedelta(hours=2)),
            state=state,
            **fields,
        )
        workshop.pillars = list(pillars if pillars is not None else round.pillars[:1])
        workshop.facilitators = list(facilitators)
        db.session.add(workshop)
        db.session.commit()
        return workshop

    return factory


@pytest.fixture
def workshop(create_workshop, facilitator):
    return create_workshop(facilitators=[facilitator])


@pytest.fixture
def fetch(app):
    """``fetch(Model, id)``: the row as the database has it now."""

    def get(model, ident):
        db.session.expire_all()
        return db.session.get(model, ident)

    return get


@pytest.fixture
def english(app):
    """Messages built in the test read in English, whatever the catalogues hold."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield
