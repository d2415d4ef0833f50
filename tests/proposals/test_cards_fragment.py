"""A list's cards are kept rendered (``fragments.py``) under a key made of all they show
(``proposals.services.cards_key``): the round's list and a pillar's page must be the same HTML as
when rendered afresh, for every reader and language, and any change to a card must show at once."""

import re

import pytest

from participation.extensions import db
from participation.models import ProposalStatus, Role
from participation.moderation.services import decide
from participation.proposals.supports import support, withdraw_support


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which are the session's and differ by client."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)


@pytest.fixture
def cards(create_round, create_pillar, create_neighbourhood, create_proposal, create_user):
    """A round's proposals with a card of each kind a list shows, and a resident supporting one."""
    pillar = create_pillar("Mobilité", slug="mobilite", name_en="Mobility")
    round_ = create_round(pillars=[pillar])
    place = create_neighbourhood("Quartier du Mont-Liébaut")
    resident = create_user(display_name="Voisine")
    online = create_proposal(round_, title="Des arceaux à vélo", neighbourhood=place)
    create_proposal(round_, title="Un banc sous le tilleul", origin="workshop", author=None)
    create_proposal(round_, title="Un exemple de proposition", is_sample=True)
    create_proposal(round_, title="Une étude des crues", status="under_study")
    support(online, resident)
    online.paper_support_count = 4
    db.session.commit()
    return round_, pillar, online, resident


def pages_of(round_, pillar) -> list[str]:
    return [f"/rounds/{round_.slug}/proposals/", f"/pillars/{pillar.slug}"]


def test_the_kept_cards_are_the_cards_rendered_afresh(app, app_factory, sign_in, cards):
    round_, pillar, _online, resident = cards
    afresh = app_factory(FRAGMENT_CACHE_SIZE=0)
    # One cache for every reader and language in turn: each is given the cards it is shown.
    for url in pages_of(round_, pillar):
        for reader in ("visitor", "resident"):
            for language in ("fr", "en"):
                pages = []
                for application in (app, afresh):
                    client = application.test_client()
                    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
                    if reader == "resident":
                        sign_in(resident, client)
                    # The first request renders and keeps the cards, the second is given them.
                    pages += [without_tokens(client.get(url).text) for _ in range(2)]
                kept, again, fresh, fresh_again = pages
                assert fresh == fresh_again
                assert kept == fresh and again == fresh
                assert "Des arceaux à vélo" in fresh
                supports = "Vous la soutenez" if language == "fr" else "You support it"
                assert (supports in fresh) == (reader == "resident")


def test_what_changes_on_a_card_shows_at_once(client, sign_in, cards, create_user):
    round_, pillar, online, resident = cards
    moderator = create_user(role=Role.MODERATOR)
    sign_in(resident)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"

    def shown() -> list[str]:
        return [client.get(url).text for url in pages_of(round_, pillar)]

    assert all("1 soutien en ligne" in page and "4 en atelier" in page for page in shown())

    support(online, create_user())
    db.session.commit()
    assert all("2 soutiens en ligne" in page for page in shown())

    withdraw_support(online, resident)
    db.session.commit()
    assert all("1 soutien en ligne" in page and "Vous la soutenez" not in page for page in shown())

    online.title = "Des arceaux pour les vélos cargos"
    db.session.commit()
    assert all("Des arceaux pour les vélos cargos" in page for page in shown())

    online.comment_count = 3
    db.session.commit()
    assert all("3 commentaires" in page for page in shown())

    pillar.name_fr = "Se déplacer"
    db.session.commit()
    assert all("Se déplacer</span>" in page for page in shown())

    online.neighbourhood.name = "Les Pressoirs"
    db.session.commit()
    assert all("Les Pressoirs</span>" in page for page in shown())

    online.paper_support_count = 7
    db.session.commit()
    assert all("7 en atelier" in page for page in shown())

    studied = 'badge--status">À l’étude</span>'
    assert all(page.count(studied) == 1 for page in shown())
    decide(online, moderator, ProposalStatus.UNDER_STUDY, "Les services regardent le coût.")
    db.session.commit()
    assert all(page.count(studied) == 2 for page in shown())


def test_a_random_order_s_cards_are_not_kept(app, client, cards):
    """Each visitor has a seed of their own: their random list would push kept lists out."""
    from participation.fragments import fragments

    round_, _pillar, _online, _resident = cards
    with app.app_context():
        kept = fragments.cache._cache  # cachelib's SimpleCache: its entries
    url = f"/rounds/{round_.slug}/proposals/"
    assert "Des arceaux à vélo" in client.get(f"{url}?sort=random&seed=5").text
    # The page's menu and footer are kept (the same for every list), not its cards.
    chrome = len(kept)
    assert chrome == 2
    assert "Des arceaux à vélo" in client.get(f"{url}?sort=random&seed=6").text
    assert len(kept) == chrome
    client.get(url)
    assert len(kept) == chrome + 1
